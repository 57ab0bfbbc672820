"""Nombres de lugares en las preguntas: estados, municipios, países y ciudades extranjeras
(las tablas del NLU, `bot/nlu/lookups.py`)."""

from __future__ import annotations

from functools import lru_cache

from bot.nlu.lookups import tabla_ciudades, tabla_estados, tabla_municipios, tabla_paises
from bot.texto import normalizar

MAXIMO_PALABRAS_LUGAR = 4


@lru_cache(maxsize=1)
def nombres_de_lugares() -> frozenset[str]:
    """Estados, municipios, países y ciudades extranjeras (formas normalizadas): en la
    cobertura no cuentan, para que «somos de San Pedro Garza García» no hunda la pregunta;
    en el puntaje sí (una unidad que habla de Mazatlán gana si preguntan por Mazatlán)."""
    formas: set[str] = set()
    for tabla in (tabla_estados(), tabla_municipios(), tabla_paises(), tabla_ciudades()):
        formas.update(normalizar(f) for f in tabla.formas)
    return frozenset(f for f in formas if f)


def sin_lugares(texto: str) -> str:
    """El texto sin los nombres de lugares que menciona (los más largos primero)."""
    lugares = nombres_de_lugares()
    palabras_texto = normalizar(texto).split()
    resultado: list[str] = []
    i = 0
    while i < len(palabras_texto):
        for largo in range(min(MAXIMO_PALABRAS_LUGAR, len(palabras_texto) - i), 0, -1):
            if " ".join(palabras_texto[i:i + largo]) in lugares:
                i += largo
                # «Guanajuato capital», «Chihuahua capital»: la ciudad capital del estado.
                if i < len(palabras_texto) and palabras_texto[i] == "capital":
                    i += 1
                break
        else:
            resultado.append(palabras_texto[i])
            i += 1
    return " ".join(resultado)



_PAISES: dict[str, str] | None = None


def pais_mencionado(texto: str) -> str | None:
    """El primer país que menciona el texto (nombre canónico), si alguno."""
    global _PAISES
    if _PAISES is None:
        _PAISES = {forma: nombre for forma, nombre in tabla_paises().formas.items()
                   if len(forma) >= 4}
    normal = f" {normalizar(texto)} "
    for forma, nombre in _PAISES.items():
        if f" {forma} " in normal:
            return nombre
    return None
