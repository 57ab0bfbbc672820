"""Datos de entrenamiento del NLU: cobertura, separación con la prueba y entidades exactas.

Reproduce offline lo que hace el extractor de Rasa (tablas y regex con límites de palabra,
sin distinguir mayúsculas) más la resolución de solapes del cliente, y exige que cada
ejemplo anotado dé exactamente sus entidades: así ninguna palabra común se cuela como
municipio o país, y la evaluación de entidades mide lo que el usuario verá.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
import yaml

from bot.config import RAIZ
from bot.nlu.analisis import Entidad, resolver_solapes
from bot.texto import normalizar

MODELO = RAIZ / "rasa_modelo"
_ANOTACION = re.compile(r"\[([^\]]+)\]\((\w+)\)")


def _cargar(ruta: Path) -> list[dict[str, object]]:
    datos = yaml.safe_load(ruta.read_text(encoding="utf-8"))
    return list(datos.get("nlu") or [])


def _ejemplos(bloque: dict[str, object]) -> list[str]:
    texto = str(bloque.get("examples") or "")
    return [ln.strip()[2:].strip() for ln in texto.splitlines() if ln.strip().startswith("- ")]


def ejemplos_por_intent(archivos: list[Path]) -> dict[str, list[str]]:
    """intent → ejemplos (con anotaciones) de los archivos dados."""
    salida: dict[str, list[str]] = {}
    for ruta in archivos:
        for bloque in _cargar(ruta):
            if "intent" in bloque:
                salida.setdefault(str(bloque["intent"]), []).extend(_ejemplos(bloque))
    return salida


def entrenamiento() -> dict[str, list[str]]:
    return ejemplos_por_intent(sorted((MODELO / "data" / "nlu").glob("*.yml")))


def prueba() -> dict[str, list[str]]:
    return ejemplos_por_intent(sorted((MODELO / "tests").glob("*.yml")))


def quitar_anotaciones(ejemplo: str) -> tuple[str, list[tuple[str, int, int]]]:
    """Texto limpio y (tipo, inicio, fin) de cada entidad anotada."""
    texto, entidades, pos = "", [], 0
    for m in _ANOTACION.finditer(ejemplo):
        texto += ejemplo[pos : m.start()]
        entidades.append((m.group(2), len(texto), len(texto) + len(m.group(1))))
        texto += m.group(1)
        pos = m.end()
    return texto + ejemplo[pos:], entidades


@cache
def patrones() -> list[tuple[str, re.Pattern[str]]]:
    """Los mismos patrones que arma el RegexEntityExtractor de Rasa."""
    salida = []
    for ruta in sorted((MODELO / "data").glob("*/*.yml")):
        for bloque in _cargar(ruta):
            if "lookup" in bloque:
                elementos = [re.escape(e) for e in _ejemplos(bloque)]
                patron = "(\\b" + "\\b|\\b".join(elementos) + "\\b)"
                salida.append((str(bloque["lookup"]), re.compile(patron, re.I)))
            elif "regex" in bloque:
                for expr in _ejemplos(bloque):
                    salida.append((str(bloque["regex"]), re.compile(expr, re.I)))
    return salida


def extraer(texto: str) -> list[tuple[str, int, int]]:
    """Entidades que saldrían del extractor para `texto`, ya sin solapes."""
    crudas = [
        Entidad(tipo, m.group(), m.start(), m.end())
        for tipo, patron in patrones()
        for m in patron.finditer(texto)
    ]
    return [(e.tipo, e.inicio, e.fin) for e in resolver_solapes(crudas)]


def test_cada_intent_tiene_al_menos_40_ejemplos() -> None:
    dominio = yaml.safe_load((MODELO / "domain.yml").read_text(encoding="utf-8"))
    datos = entrenamiento()
    assert set(datos) == set(dominio["intents"])
    pocos = {i: len(e) for i, e in datos.items() if len(e) < 40}
    assert not pocos


def test_prueba_reservada_cubre_todos_los_intents() -> None:
    assert set(prueba()) == set(entrenamiento())
    assert all(len(e) >= 5 for e in prueba().values())


def test_ningun_ejemplo_se_comparte_entre_entrenamiento_y_prueba() -> None:
    def formas(datos: dict[str, list[str]]) -> Counter[str]:
        return Counter(normalizar(quitar_anotaciones(e)[0]) for ej in datos.values() for e in ej)

    entreno, reservado = formas(entrenamiento()), formas(prueba())
    assert not set(entreno) & set(reservado)  # ni siquiera con otros acentos o signos
    for datos in (entrenamiento(), prueba()):
        exactos = Counter(quitar_anotaciones(e)[0] for ej in datos.values() for e in ej)
        assert not [t for t, n in exactos.items() if n > 1]


@pytest.mark.parametrize("conjunto", [pytest.param("entrenamiento", marks=pytest.mark.lento),
                                      "prueba"])
def test_anotaciones_coinciden_con_el_extractor(conjunto: str) -> None:
    datos = entrenamiento() if conjunto == "entrenamiento" else prueba()
    diferencias = []
    for ejemplos in datos.values():
        for ejemplo in ejemplos:
            texto, anotadas = quitar_anotaciones(ejemplo)
            extraidas = extraer(texto)
            if sorted(anotadas) != sorted(extraidas):
                diferencias.append((texto, anotadas, extraidas))
    assert not diferencias, "\n".join(map(str, diferencias[:20]))
