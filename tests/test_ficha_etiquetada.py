"""La ficha PDF es un PDF etiquetado (tagged): idioma es-MX, título con el folio, /MarkInfo y
un árbol de estructura con el folio como H1, las secciones como H2 y el texto como P; lo
que se repite en cada página (encabezado, pie, líneas) va como artefacto."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
from collections import Counter
from typing import Any

from pypdf import PdfReader
from pypdf.generic import ContentStream
from test_documentos_generados import _datos

from bot.documentos.generar import EventoLinea, ficha_pdf


def _lector(contenido: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(contenido))


def _elementos(lector: PdfReader) -> list[Any]:
    raiz = lector.trailer["/Root"]
    documento = raiz["/StructTreeRoot"].get_object()["/K"][0].get_object()
    assert documento["/S"] == "/Document"
    return [k.get_object() for k in documento["/K"]]


def _marcas(lector: PdfReader, numero: int) -> list[tuple[str, int | None]]:
    """Las secuencias marcadas de la página, en orden: (etiqueta, MCID o None)."""
    pagina = lector.pages[numero]
    flujo = ContentStream(pagina.get_contents(), lector)
    marcas: list[tuple[str, int | None]] = []
    abiertas = 0
    for operandos, operador in flujo.operations:
        if operador == b"BDC":
            marcas.append((str(operandos[0]), int(operandos[1]["/MCID"])))
            abiertas += 1
        elif operador == b"BMC":
            marcas.append((str(operandos[0]), None))
            abiertas += 1
        elif operador == b"EMC":
            abiertas -= 1
            assert abiertas >= 0, "EMC sin su BDC/BMC"
    assert abiertas == 0, f"la página {numero + 1} deja secuencias marcadas abiertas"
    return marcas


def test_la_ficha_declara_idioma_titulo_y_que_esta_etiquetada() -> None:
    lector = _lector(ficha_pdf(_datos()))
    raiz = lector.trailer["/Root"]
    assert raiz["/Lang"] == "es-MX"
    assert bool(raiz["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in raiz
    assert lector.metadata is not None
    assert lector.metadata.title == "Ficha del caso CH-2026-NL-0007"
    assert bool(raiz["/ViewerPreferences"]["/DisplayDocTitle"])


def test_el_arbol_tiene_el_folio_las_secciones_y_los_parrafos_en_orden() -> None:
    lector = _lector(ficha_pdf(_datos()))
    tipos = [e["/S"] for e in _elementos(lector)]
    assert tipos[0] == "/H1"
    conteo = Counter(tipos)
    # Datos, áreas, objetivos, antecedentes, documentos recibidos, pendientes, línea de tiempo.
    assert conteo["/H2"] == 7
    assert conteo["/P"] >= 20
    assert set(conteo) == {"/H1", "/H2", "/P"}


def test_cada_marca_de_contenido_tiene_su_elemento_y_lo_demas_es_artefacto() -> None:
    eventos = [EventoLinea(dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc), f"Evento {i} " * 12)
               for i in range(40)]
    datos = dataclasses.replace(_datos(), objetivos="Intercambio cultural. " * 500,
                                eventos=eventos)
    lector = _lector(ficha_pdf(datos))
    assert len(lector.pages) >= 3
    elementos = _elementos(lector)
    por_pagina: dict[int, set[int]] = {}
    for elemento in elementos:
        numero = lector.get_page_number(elemento["/Pg"])
        por_pagina.setdefault(numero, set()).update(int(m) for m in elemento["/K"])
    for numero in range(len(lector.pages)):
        marcas = _marcas(lector, numero)
        mcids = [m for _, m in marcas if m is not None]
        assert sorted(mcids) == sorted(por_pagina.get(numero, set())), numero
        assert len(mcids) == len(set(mcids))
        assert ("/Artifact", None) in marcas  # encabezado y pie
        assert "/StructParents" in lector.pages[numero]
    # El texto sigue completo aunque los párrafos crucen de página.
    texto = " ".join(p.extract_text() for p in lector.pages)
    assert len(re.findall(r"Intercambio cultural\.", texto)) == 500
