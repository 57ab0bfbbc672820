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


def pais_exacto(texto: str) -> Pais | None:
    """El país cuyo nombre o alias es exactamente el texto (sin aproximar: para buscar
    países dentro de una oración). Los estados de EE. UU. del alias no cuentan aquí: son
    regiones (`region_extranjera`)."""
    n = normalizar(texto)
    alias, nombres = _indice()
    codigo = alias.get(n)
    if codigo is None or region_extranjera(n) is not None:
        return None
    return Pais(codigo=codigo, nombre=nombres[codigo])


@dataclass(frozen=True)
class Region:
    """Un estado, provincia o región de otro país («Texas», «Ontario», «Antioquia»)."""

    nombre: str
    pais: Pais


# Regiones que se escriben en español distinto del nombre oficial (pycountry).
_REGIONES_EN_ESPANOL = {
    "nueva york": "US-NY", "nuevo mexico": "US-NM", "carolina del norte": "US-NC",
    "carolina del sur": "US-SC", "dakota del norte": "US-ND", "dakota del sur": "US-SD",
    "virginia occidental": "US-WV", "pensilvania": "US-PA", "misisipi": "US-MS",
    "luisiana": "US-LA", "hawai": "US-HI", "columbia britanica": "CA-BC",
    "terranova": "CA-NL", "nueva escocia": "CA-NS", "nuevo brunswick": "CA-NB",
    "isla del principe eduardo": "CA-PE", "cataluna": "ES-CT", "baviera": "DE-BY",
}
# Tipos de subdivisión que la gente nombra junto a una ciudad.
_TIPOS_REGION = frozenset({
    "State", "Province", "Region", "Department", "Autonomous community", "Land",
    "Prefecture", "Canton", "Territory", "District", "Federal district", "Autonomous region",
    "Metropolitan region", "Voivodship", "Republic",
})
_PREFERIDOS = ("US", "CA")  # «Florida»: el estado de EE. UU. antes que el departamento


@lru_cache(maxsize=1)
def _regiones() -> dict[str, tuple[str, str]]:
    """Forma normal → (nombre, código de país). Fuera de EE. UU. y Canadá, solo los
    nombres que no se repiten en dos países (si se repiten, no se adivina el país)."""
    por_forma: dict[str, dict[str, str]] = {}
    for s in pycountry.subdivisions:
        if s.country_code == "MX" or s.parent_code is not None:
            continue
        if s.country_code not in _PREFERIDOS and s.type not in _TIPOS_REGION:
            continue
        forma = normalizar(s.name)
        if len(forma) >= 4:
            por_forma.setdefault(forma, {}).setdefault(s.country_code, s.name)
    regiones: dict[str, tuple[str, str]] = {}
    for forma, paises in por_forma.items():
        preferido = next((c for c in _PREFERIDOS if c in paises), None)
        if preferido is not None:
            regiones[forma] = (paises[preferido], preferido)
        elif len(paises) == 1:
            codigo, nombre = next(iter(paises.items()))
            regiones[forma] = (nombre, codigo)
    por_codigo = {s.code: s for s in pycountry.subdivisions}
    for forma, codigo in _REGIONES_EN_ESPANOL.items():
        if codigo in por_codigo:
            regiones[forma] = (por_codigo[codigo].name, codigo[:2])
    return regiones


def region_extranjera(texto: str) -> Region | None:
    """La región de otro país que nombra exactamente el texto («texas», «Ontario»), con su
    país (pycountry: subdivisiones ISO 3166-2)."""
    hallada = _regiones().get(normalizar(texto))
    if hallada is None:
        return None
    nombre, codigo = hallada
    _, nombres = _indice()
    return Region(nombre=nombre, pais=Pais(codigo=codigo, nombre=nombres[codigo]))
