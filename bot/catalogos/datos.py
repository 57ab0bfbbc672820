"""Lectura de los archivos INEGI versionados en datos/inegi/."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.config import RAIZ

DIRECTORIO = RAIZ / "datos" / "inegi"


@dataclass(frozen=True)
class RegistroEstado:
    """Una entidad federativa tal como viene del catálogo."""

    clave_inegi: str
    nombre: str
    abreviatura: str
    codigo: str


@dataclass(frozen=True)
class RegistroMunicipio:
    """Un municipio o alcaldía tal como viene del catálogo."""

    clave_inegi: str
    estado_clave: str
    nombre: str
    cabecera: str | None
    poblacion: int | None


@lru_cache
def leer_catalogo(
    directorio: Path = DIRECTORIO,
) -> tuple[tuple[RegistroEstado, ...], tuple[RegistroMunicipio, ...]]:
    """Estados (32, con su nombre oficial de municipios.json) y municipios (2,478)."""
    crudos_estados = json.loads((directorio / "estados.json").read_text(encoding="utf-8"))
    crudos_mun = json.loads((directorio / "municipios.json").read_text(encoding="utf-8"))
    nombres = {m["cve_entidad"]: m["nom_entidad"] for m in crudos_mun}
    estados = tuple(
        RegistroEstado(
            clave_inegi=e["clave_inegi"],
            nombre=nombres[e["clave_inegi"]],
            abreviatura=e["abbreviation"],
            codigo=e["code"],
        )
        for e in crudos_estados
        if e["clave_inegi"] in nombres
    )
    municipios = tuple(
        RegistroMunicipio(
            clave_inegi=m["cve_completa"],
            estado_clave=m["cve_entidad"],
            nombre=m["nom_municipio"],
            cabecera=m.get("nom_cabecera"),
            poblacion=m.get("poblacion_total"),
        )
        for m in crudos_mun
    )
    return estados, municipios
