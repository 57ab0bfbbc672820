"""Países escritos en español (pycountry + traducción gettext + alias de uso común)."""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from functools import lru_cache

import pycountry
from rapidfuzz import fuzz, process

from bot.texto import normalizar

# Nombres cortos preferidos en México cuando la traducción ISO es larga o rara.
_NOMBRE_PREFERIDO = {
    "US": "Estados Unidos",
    "GB": "Reino Unido",
    "KR": "Corea del Sur",
    "KP": "Corea del Norte",
    "RU": "Rusia",
    "IR": "Irán",
    "VE": "Venezuela",
    "BO": "Bolivia",
    "TW": "Taiwán",
    "VN": "Vietnam",
    "TZ": "Tanzania",
    "SY": "Siria",
    "MD": "Moldavia",
    "LA": "Laos",
    "CZ": "Chequia",
    "NL": "Países Bajos",
    "PS": "Palestina",
}

_ALIAS = {
    "GB": ["inglaterra", "gran bretana", "uk", "escocia", "gales"],
    "NL": ["holanda"],
    "CZ": ["republica checa"],
    "KR": ["corea"],
    "CN": ["china popular"],
    "DE": ["alemania"],
    # La gente a veces escribe el estado en vez del país.
    "US": ["eua", "ee uu", "eeuu", "usa", "u s a", "estados unidos de america",
           "estados unidos de norteamerica", "united states", "us", "e u a", "texas",
           "california", "arizona", "nuevo mexico", "new mexico", "florida", "illinois",
           "nueva york", "new york", "colorado", "nevada", "oregon", "utah"],
    "MX": ["mexico", "mex", "estados unidos mexicanos", "republica mexicana"],
    "DO": ["dominicana", "republica dominicana"],
    "CI": ["costa de marfil"],
}


@dataclass(frozen=True)
class Pais:
    """Un país reconocido."""

    codigo: str
    nombre: str


@lru_cache(maxsize=1)
def _indice() -> tuple[dict[str, str], dict[str, str]]:
    """(alias normalizado → código, código → nombre en español)."""
    traduccion: gettext.NullTranslations
    try:
        traduccion = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["es"])
    except OSError:  # sin traducciones: queda el nombre en inglés
        traduccion = gettext.NullTranslations()
    traducir = traduccion.gettext
    alias: dict[str, str] = {}
    nombres: dict[str, str] = {}
    for c in pycountry.countries:
        codigo = c.alpha_2
        nombre_es = traducir(c.name)
        nombres[codigo] = _NOMBRE_PREFERIDO.get(codigo, nombre_es)
        candidatos = [nombre_es, nombres[codigo], c.name, getattr(c, "common_name", "")]
        if "," in nombre_es:  # «Corea, República de» → «República de Corea»
            a, b = nombre_es.split(",", 1)
            candidatos.append(f"{b.strip()} {a.strip()}")
            candidatos.append(a)
        for texto in candidatos:
            if texto:
                alias.setdefault(normalizar(texto), codigo)
    for codigo, lista_alias in _ALIAS.items():
        for a in lista_alias:
            alias[normalizar(a)] = codigo
    return alias, nombres


def buscar_pais(texto: str) -> Pais | None:
    """El país al que se refiere el texto, o None (exacto, alias o parecido ≥ 88)."""
    n = normalizar(texto)
    if n.startswith("en "):
        n = n[3:]
    if not n:
        return None
    alias, nombres = _indice()
    codigo = alias.get(n)
    if codigo is None and len(n) >= 4:
        largos = [a for a in alias if len(a) >= 4]
        mejor = process.extractOne(n, largos, scorer=fuzz.ratio, score_cutoff=88)
        codigo = alias[mejor[0]] if mejor else None
    return Pais(codigo=codigo, nombre=nombres[codigo]) if codigo else None
