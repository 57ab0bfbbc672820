"""Nombres de personas y de lugares como se escriben: «guadalupe ramirez lopez» →
«Guadalupe Ramírez López», «san jose, california» → «San José, California».

Sin corregir de más: si la persona ya escribió con mayúsculas y minúsculas, se respeta tal
cual (quizá su nombre no lleva acento). Solo lo escrito todo en minúsculas (o todo en
mayúsculas) se pone en forma de nombre propio, y un acento se agrega solo donde no hay duda:
los nombres y apellidos de la lista de abajo y los lugares del catálogo que se conocen.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache

from bot.nlu.lookups import CIUDADES
from bot.texto import normalizar, sin_acentos

# Nombres y apellidos que en México se escriben con acento (sin otra forma frecuente sin él).
_CON_ACENTO = """
Ramírez López Pérez González Hernández Martínez Rodríguez Sánchez Gómez Díaz Jiménez
Gutiérrez Fernández Álvarez Vázquez Domínguez Suárez Méndez Chávez Velázquez Márquez
Benítez Ibáñez Núñez Gálvez Cárdenas Cortés Beltrán Durán Guzmán Galván Valdés Ordóñez
Muñoz Peña Rincón Solís Ríos Ramón Martín Andrés Germán Julián Adrián Sebastián Nicolás
Tomás Rubén Héctor Víctor Raúl Jesús José María Sofía Lucía Mónica Verónica Bárbara Inés
Ángel Ángeles Martínez Estévez Téllez Hernán Gastón Efraín Joaquín Agustín Fermín Ramón
Simón Nazario Ávila Aguilar Báez Cantú Montaño Meléndez Benítez Lázaro Nápoles Núñez
Rosalía Cecilia Natalia Héctor Iván Ismael Óscar Érika Ruíz Saldaña Treviño Garza Peñaloza
Zúñiga Yáñez Vélez Páez León Pacheco Canul Chí Tzec Balám Méndez Cisneros Carrión Quiñones
García Martí Díez Ortíz Báez Gil Marín Andrade Colín Medrano Escamilla Ruiz Ortiz
"""
# Sin acento en el uso oficial (se dejan como los escriba la persona): Ruiz, Ortiz, Gil…
_SIN_ACENTO_OFICIAL = {"ruiz", "ortiz", "garza", "gil", "pacheco", "canul", "cisneros",
                       "andrade", "medrano", "escamilla", "nazario", "aguilar", "cecilia",
                       "natalia", "ismael"}
ACENTOS: dict[str, str] = {
    normalizar(p): p for p in _CON_ACENTO.split()
    if normalizar(p) not in _SIN_ACENTO_OFICIAL and normalizar(p) != p.lower()
}
PARTICULAS = frozenset({"de", "del", "la", "las", "los", "y", "e", "da", "van", "von", "di"})
_PALABRA = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)


def _sin_cuidar_mayusculas(texto: str) -> bool:
    """¿Lo escribió todo en minúsculas o todo en mayúsculas (sin cuidar la forma)?"""
    letras = [c for c in texto if c.isalpha()]
    return bool(letras) and (all(c.islower() for c in letras) or all(c.isupper() for c in letras))


def _palabra_propia(palabra: str, primera: bool, acentos: dict[str, str]) -> str:
    minuscula = palabra.lower()
    if not primera and minuscula in PARTICULAS:
        return minuscula
    conocida = acentos.get(normalizar(palabra))
    if conocida is not None and sin_acentos(minuscula) == minuscula:
        return conocida
    return minuscula[:1].upper() + minuscula[1:]


def _en_forma_propia(texto: str, acentos: dict[str, str]) -> str:
    primera = True

    def cambiar(m: re.Match[str]) -> str:
        nonlocal primera
        resultado = _palabra_propia(m.group(0), primera, acentos)
        primera = False
        return resultado

    return _PALABRA.sub(cambiar, texto)


def _espacios(texto: str) -> str:
    return re.sub(r"\s+", " ", texto).strip()


def nombre_propio(texto: str) -> str:
    """Un nombre de persona en forma de nombre propio (vea el módulo)."""
    limpio = _espacios(texto)
    if not _sin_cuidar_mayusculas(limpio):
        return limpio
    return _en_forma_propia(limpio, ACENTOS)


@lru_cache(maxsize=1)
def _lugares_conocidos() -> dict[str, str]:
    """Ciudades extranjeras que se mencionan a menudo (la lista del NLU), por forma normal."""
    lugares: dict[str, str] = {}
    for linea in CIUDADES.read_text(encoding="utf-8").splitlines():
        linea = linea.strip()
        if linea and not linea.startswith("#"):
            lugares.setdefault(normalizar(linea), linea)
    return lugares


def lugar_conocido(forma: str) -> str | None:
    """La ciudad extranjera frecuente con esa forma normal («san antonio» → «San Antonio»)."""
    return _lugares_conocidos().get(forma)


Buscador = Callable[[str], Iterable[str]]
"""Nombres oficiales de lugares que se parecen a un texto (p. ej. municipios del INEGI)."""


def lugar_propio(texto: str, buscar: Buscador | None = None) -> str:
    """Un lugar («san jose, california», «merida») en forma de nombre propio, con el acento
    de su nombre oficial si se conoce sin duda: la lista de ciudades extranjeras frecuentes o
    lo que devuelva `buscar` (el catálogo del INEGI) con exactamente esa forma."""
    limpio = _espacios(texto)
    if not _sin_cuidar_mayusculas(limpio):
        return limpio
    partes = []
    for parte in limpio.split(","):
        forma = normalizar(parte)
        conocido = _lugares_conocidos().get(forma)
        if conocido is None and buscar is not None and forma:
            iguales = {n for n in buscar(parte) if normalizar(n) == forma}
            conocido = iguales.pop() if len(iguales) == 1 else None
        partes.append(conocido if conocido is not None
                      else _en_forma_propia(parte.strip(), ACENTOS))
    return ", ".join(p for p in partes if p)
