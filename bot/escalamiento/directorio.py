"""El directorio público de las oficinas estatales de enlace (nombre, teléfono, correo y
horario), de un archivo editable: DIRECTORIO_OFICINAS (por omisión,
bot/escalamiento/datos/directorio_oficinas.yaml), por clave INEGI del estado.

Solo se muestra lo que el archivo tiene: un campo vacío no aparece y una entrada vacía no se
muestra. El asistente nunca inventa un contacto."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.nucleo.formato import telefono as formato_telefono

DIRECTORIO = Path(__file__).resolve().parent / "datos" / "directorio_oficinas.yaml"
CAMPOS = ("oficina", "telefono", "correo", "horario")


@dataclass(frozen=True)
class ContactoOficina:
    """El contacto público de una oficina; lo que no se sabe queda vacío."""

    oficina: str = ""
    telefono: str = ""
    correo: str = ""
    horario: str = ""

    @property
    def vacio(self) -> bool:
        """¿No hay nada que mostrar? (solo el nombre, sin cómo comunicarse, no basta)."""
        return not (self.telefono or self.correo)

    @property
    def telefono_legible(self) -> str:
        """El teléfono como se escribe en México («55 1234 5678»), o tal cual."""
        return formato_telefono(self.telefono) if self.telefono else ""


def _leer(ruta: Path) -> dict[str, ContactoOficina]:
    crudo = yaml.safe_load(ruta.read_text(encoding="utf-8")) or {}
    if not isinstance(crudo, dict):
        raise ValueError(f"{ruta}: se esperaba una entrada por clave INEGI")
    directorio: dict[str, ContactoOficina] = {}
    for clave, datos in crudo.items():
        if not isinstance(datos, dict):
            raise ValueError(f"{ruta}: la entrada {clave} debe tener {', '.join(CAMPOS)}")
        desconocidos = set(datos) - set(CAMPOS)
        if desconocidos:
            raise ValueError(f"{ruta}: campos desconocidos en {clave}: {sorted(desconocidos)}")
        directorio[str(clave).zfill(2)] = ContactoOficina(
            **{c: str(datos.get(c) or "").strip() for c in CAMPOS})
    return directorio


@lru_cache(maxsize=8)
def _cargado(ruta: Path, _modificado: float) -> dict[str, ContactoOficina]:
    return _leer(ruta)


def directorio(ruta: Path = DIRECTORIO) -> dict[str, ContactoOficina]:
    """Todas las entradas (se vuelve a leer si el archivo cambia)."""
    try:
        modificado = ruta.stat().st_mtime
    except FileNotFoundError:
        return {}
    return _cargado(ruta, modificado)


def contacto_de(clave_inegi: str | None, ruta: Path = DIRECTORIO) -> ContactoOficina | None:
    """El contacto de la oficina del estado, si el directorio tiene cómo comunicarse."""
    if not clave_inegi:
        return None
    contacto = directorio(ruta).get(clave_inegi.zfill(2))
    return contacto if contacto is not None and not contacto.vacio else None


def revisar(ruta: Path = DIRECTORIO) -> list[str]:
    """Problemas del archivo (para una prueba o una orden de revisión): vacío si está bien."""
    try:
        entradas = _leer(ruta)
    except (ValueError, yaml.YAMLError) as error:
        return [str(error)]
    problemas = []
    for clave, c in entradas.items():
        if not clave.isdigit() or not 1 <= int(clave) <= 32:
            problemas.append(f"{clave}: no es una clave INEGI de estado (01 a 32)")
        if c.correo and "@" not in c.correo:
            problemas.append(f"{clave}: el correo «{c.correo}» no parece válido")
    return problemas

