"""Datos personales sensibles escritos en texto libre: salud, religión, política, vida sexual y
origen étnico.

El léxico vive en `datos/sensibles.yaml` (editable sin programar). `detectar(texto)` dice qué
categoría trae un texto, si trae alguna, y la frase con que se le explica a la persona por qué
no se guarda («No guardo datos de salud; no hace falta para el trámite.»). Lo usan los flujos
antes de guardar una respuesta (`bot/flujos/rutas.py`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.texto import normalizar

ARCHIVO = Path(__file__).resolve().parent / "datos" / "sensibles.yaml"


@dataclass(frozen=True)
class Categoria:
    """Una categoría de datos sensibles con sus términos (ya normalizados)."""

    nombre: str
    aviso: str
    terminos: re.Pattern[str]
    excepciones: re.Pattern[str] | None


@dataclass(frozen=True)
class Sensible:
    """Lo que se encontró: la categoría y la frase para la persona."""

    categoria: str
    aviso: str


def _patron(frases: Iterable[str]) -> re.Pattern[str] | None:
    formas = sorted({normalizar(f) for f in frases if normalizar(f)}, key=len, reverse=True)
    if not formas:
        return None
    return re.compile(r"(?<![0-9a-zñ])(?:" + "|".join(re.escape(f) for f in formas)
                      + r")(?![0-9a-zñ])")


@lru_cache
def categorias(archivo: Path = ARCHIVO) -> tuple[Categoria, ...]:
    """Las categorías del léxico, en el orden del archivo."""
    datos: Any = yaml.safe_load(archivo.read_text(encoding="utf-8"))
    if not isinstance(datos, dict):
        raise ValueError(f"{archivo.name}: se esperaba un mapa de categorías")
    resultado = []
    for nombre, categoria in datos.items():
        if not isinstance(categoria, dict) or not categoria.get("aviso"):
            raise ValueError(f"{archivo.name}: la categoría «{nombre}» necesita «aviso»")
        terminos = _patron(categoria.get("terminos") or [])
        if terminos is None:
            raise ValueError(f"{archivo.name}: la categoría «{nombre}» no tiene términos")
        resultado.append(Categoria(str(nombre), str(categoria["aviso"]), terminos,
                                   _patron(categoria.get("excepciones") or [])))
    return tuple(resultado)


def detectar(texto: str) -> Sensible | None:
    """La primera categoría sensible que aparece en `texto` (fuera de sus excepciones)."""
    forma = normalizar(texto or "")
    if not forma:
        return None
    for categoria in categorias():
        cubiertas = ([m.span() for m in categoria.excepciones.finditer(forma)]
                     if categoria.excepciones is not None else [])
        for encontrado in categoria.terminos.finditer(forma):
            inicio, fin = encontrado.span()
            if not any(a <= inicio and fin <= b for a, b in cubiertas):
                return Sensible(categoria.nombre, categoria.aviso)
    return None


def textos_de(valor: Any) -> list[str]:
    """Las cadenas dentro de un valor (dicts y listas, a cualquier profundidad), en orden."""
    textos: list[str] = []
    _juntar_textos(valor, textos)
    return textos


def _juntar_textos(valor: Any, textos: list[str]) -> None:
    """Agrega a `textos` las cadenas de `valor` (en una sola lista: corre en cada paso de un
    flujo sobre todas sus respuestas)."""
    if isinstance(valor, str):
        textos.append(valor)
        return
    if isinstance(valor, dict):
        valor = valor.values()
    elif not isinstance(valor, (list, tuple)):
        return
    for v in valor:
        if type(v) is str:
            textos.append(v)
        else:
            _juntar_textos(v, textos)


def detectar_en_nuevos(antes: Any, despues: Any) -> Sensible | None:
    """Un dato sensible entre las cadenas de `despues` que no estaban en `antes` (lo que una
    respuesta agregaría a lo guardado)."""
    previas = set(textos_de(antes))
    for texto in textos_de(despues):
        if texto not in previas and (encontrado := detectar(texto)) is not None:
            return encontrado
    return None
