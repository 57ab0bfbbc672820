"""Normalización de texto en español tal como lo escribe la gente en el celular."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_ESPACIOS = re.compile(r"\s+")
_NO_ALFANUM = re.compile(r"[^0-9a-zñ ]+")


def sin_acentos(texto: str) -> str:
    """Quita acentos y diéresis, pero conserva la ñ."""
    texto = texto.replace("ñ", "\x00").replace("Ñ", "\x01")
    descompuesto = unicodedata.normalize("NFKD", texto)
    limpio = "".join(c for c in descompuesto if not unicodedata.combining(c))
    return limpio.replace("\x00", "ñ").replace("\x01", "Ñ")


@lru_cache(maxsize=8192)
def normalizar(texto: str) -> str:
    """Minúsculas, sin acentos, sin signos, espacios simples: la forma para comparar (se
    recuerdan los últimos: las opciones de los flujos se comparan en cada mensaje)."""
    texto = sin_acentos(texto.casefold())
    texto = _NO_ALFANUM.sub(" ", texto)
    return _ESPACIOS.sub(" ", texto).strip()


def limpiar_entrada(texto: str, maximo: int = 4096) -> str:
    """Quita caracteres de control (salvo saltos de línea) y recorta a `maximo` caracteres."""
    limpio = "".join(
        c for c in texto if c in "\n\t" or unicodedata.category(c)[0] != "C"
    )
    return limpio.strip()[:maximo]
