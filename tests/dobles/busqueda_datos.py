"""Buscar los datos de una persona en TODA la base (cada columna de texto o JSON de cada
tabla, leídas por reflexión) y en todo el almacén de documentos (el texto de los PDF con pypdf,
el de los DOCX con python-docx y sus partes XML, y los demás archivos tal cual)."""

from __future__ import annotations

import base64
import json
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from docx import Document as DocumentoWord
from pypdf import PdfReader
from sqlalchemy import MetaData, create_engine, select

from bot.db.sesion import url_sincrona
from bot.texto import sin_acentos

_CORRIDA_DE_DIGITOS = re.compile(r"\d[\d\s().+\-]*\d")


def _normal(texto: str) -> str:
    """Sin mayúsculas, acentos ni tildes («Quiñones» y «QUINONES» son lo mismo)."""
    return sin_acentos(texto.casefold()).replace("ñ", "n")


def en_base64(valor: bytes) -> list[str]:
    """Lo que queda de `valor` dentro de cualquier texto en base64, en sus tres alineaciones:
    los grupos de 3 bytes que caen enteros dentro de `valor` (4 caracteres cada uno)."""
    resultado = []
    for relleno in range(3):
        codificado = base64.b64encode(b"\x00" * relleno + valor + b"\x00\x00").decode()
        desde = 0 if relleno == 0 else 1
        hasta = (relleno + len(valor)) // 3
        resultado.append(codificado[4 * desde:4 * hasta])
    return resultado


@dataclass(frozen=True)
class Hallazgo:
    """Dónde apareció un dato."""

    lugar: str
    dato: str


class Buscador:
    """Busca nombres y correos (sin acentos ni mayúsculas, como palabras completas), teléfonos
    (por sus últimos 10 dígitos, con cualquier formato) y textos exactos (p. ej. base64)."""

    def __init__(self, textos: Iterable[str], telefonos: Iterable[str] = (),
                 exactos: Iterable[str] = ()) -> None:
        self.textos = sorted({_normal(t) for t in textos if t})
        self.telefonos = sorted({re.sub(r"\D", "", t)[-10:] for t in telefonos})
        self.exactos = sorted(set(exactos))

    def en(self, texto: str) -> list[str]:
        forma = _normal(texto)
        hallados = [t for t in self.textos
                    if re.search(rf"(?<!\w){re.escape(t)}(?!\w)", forma)]
        for corrida in _CORRIDA_DE_DIGITOS.findall(texto):
            digitos = re.sub(r"\D", "", corrida)
            hallados += [t for t in self.telefonos if t in digitos]
        hallados += [e for e in self.exactos if e in texto]
        return hallados

    def buscar(self, lugares: Iterable[tuple[str, str]]) -> list[Hallazgo]:
        return [Hallazgo(lugar, dato) for lugar, texto in lugares for dato in self.en(texto)]


def textos_de_la_base(url_bd: str) -> Iterator[tuple[str, str]]:
    """(tabla.columna#fila, texto) de cada valor de texto o JSON de cada tabla."""
    motor = create_engine(url_sincrona(url_bd))
    try:
        metadatos = MetaData()
        metadatos.reflect(motor)
        with motor.connect() as conexion:
            for tabla in metadatos.sorted_tables:
                for n, fila in enumerate(conexion.execute(select(tabla)).mappings()):
                    for columna, valor in fila.items():
                        if isinstance(valor, (dict, list)):
                            valor = json.dumps(valor, ensure_ascii=False)
                        if isinstance(valor, str) and valor:
                            yield f"{tabla.name}.{columna}#{n}", valor
    finally:
        motor.dispose()


def _texto_docx(ruta: Path) -> str:
    documento = DocumentoWord(str(ruta))
    partes = [p.text for p in documento.paragraphs]
    partes += [celda.text for tabla in documento.tables for fila in tabla.rows
               for celda in fila.cells]
    for seccion in documento.sections:
        partes += [p.text for p in seccion.header.paragraphs]
        partes += [p.text for p in seccion.footer.paragraphs]
    with zipfile.ZipFile(ruta) as paquete:  # y todo su XML (propiedades, notas…)
        partes += [re.sub(r"<[^>]+>", "", paquete.read(n).decode("utf-8", "replace"))
                   for n in paquete.namelist() if n.endswith(".xml")]
    return "\n".join(partes)


def texto_de_archivo(ruta: Path) -> str:
    """El texto de un archivo del almacén (PDF y DOCX, extraído; los demás, tal cual)."""
    crudo = ruta.read_bytes().decode("latin-1")
    if ruta.suffix == ".pdf":
        lector = PdfReader(str(ruta))
        metadatos = " ".join(str(v) for v in (lector.metadata or {}).values())
        return "\n".join(p.extract_text() or "" for p in lector.pages) + metadatos + crudo
    if ruta.suffix == ".docx":
        return _texto_docx(ruta)
    return ruta.read_bytes().decode("utf-8", "replace")


def textos_de_documentos(carpeta: Path) -> Iterator[tuple[str, str]]:
    """(archivo, texto) de cada archivo del almacén de documentos."""
    for ruta in sorted(carpeta.rglob("*")):
        if ruta.is_file():
            yield str(ruta.relative_to(carpeta)), texto_de_archivo(ruta)
