"""El catálogo geográfico que usan los pasos `estado` y `municipio`.

El motor inyecta el catálogo real (`bot.catalogos.busqueda.Catalogo`); aquí solo se fija la
forma (`CatalogoGeografico`) y se ofrece `CatalogoEnMemoria`, una implementación pequeña
sobre `datos/inegi/*.json` útil para pruebas y para probar flujos en la terminal.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from rapidfuzz import fuzz, process

from bot.texto import normalizar


class EstadoLike(Protocol):
    """Lo que el flujo lee de un estado encontrado."""

    @property
    def clave_inegi(self) -> str: ...
    @property
    def nombre(self) -> str: ...
    @property
    def codigo(self) -> str: ...
    @property
    def abreviatura(self) -> str: ...


class MunicipioLike(Protocol):
    """Lo que el flujo lee de un municipio encontrado."""

    @property
    def clave_inegi(self) -> str: ...
    @property
    def nombre(self) -> str: ...
    @property
    def estado_clave(self) -> str: ...
    @property
    def estado_nombre(self) -> str: ...
    @property
    def puntaje(self) -> float: ...


class CatalogoGeografico(Protocol):
    """Búsqueda de estados y municipios. Lista vacía = no existe; varios = ambiguo."""

    def buscar_estado(self, texto: str) -> EstadoLike | None: ...

    def buscar_municipio(
        self, texto: str, estado_clave: str | None = None
    ) -> Sequence[MunicipioLike]: ...


def estado_a_dict(e: EstadoLike) -> dict[str, Any]:
    """Forma JSON con la que se guarda un estado en las respuestas."""
    return {
        "clave_inegi": e.clave_inegi,
        "nombre": e.nombre,
        "codigo": e.codigo,
        "abreviatura": e.abreviatura,
    }


def municipio_a_dict(m: MunicipioLike) -> dict[str, Any]:
    """Forma JSON con la que se guarda un municipio en las respuestas."""
    return {
        "clave_inegi": m.clave_inegi,
        "nombre": m.nombre,
        "estado_clave": m.estado_clave,
        "estado_nombre": m.estado_nombre,
    }


@dataclass(frozen=True)
class EstadoEncontrado:
    """Un estado del catálogo en memoria."""

    clave_inegi: str
    nombre: str
    codigo: str
    abreviatura: str


@dataclass(frozen=True)
class MunicipioEncontrado:
    """Un municipio del catálogo en memoria."""

    clave_inegi: str
    nombre: str
    estado_clave: str
    estado_nombre: str
    puntaje: float = 100.0


_NOMBRES_CORTOS = {
    "coahuila de zaragoza": "coahuila",
    "michoacan de ocampo": "michoacan",
    "veracruz de ignacio de la llave": "veracruz",
    "ciudad de mexico": "cdmx",
    "mexico": "estado de mexico",
}


class CatalogoEnMemoria:
    """Catálogo INEGI en memoria: exacto, luego prefijo, luego aproximado (rapidfuzz)."""

    def __init__(
        self, estados: Iterable[EstadoEncontrado], municipios: Iterable[MunicipioEncontrado]
    ) -> None:
        self._estados = list(estados)
        self._municipios = list(municipios)
        self._alias_estado: dict[str, EstadoEncontrado] = {}
        for e in self._estados:
            n = normalizar(e.nombre)
            for alias in (n, normalizar(e.abreviatura), e.codigo.lower(), _NOMBRES_CORTOS.get(n)):
                if alias:
                    self._alias_estado.setdefault(alias, e)
        self._nombres_mun = [normalizar(m.nombre) for m in self._municipios]

    @classmethod
    def desde_json(
        cls, carpeta: Path, claves_estado: Iterable[str] | None = None
    ) -> CatalogoEnMemoria:
        """Carga `estados.json` y `municipios.json`; `claves_estado` filtra por entidad."""
        filtro = set(claves_estado) if claves_estado is not None else None
        crudos_e = json.loads((carpeta / "estados.json").read_text(encoding="utf-8"))
        crudos_m = json.loads((carpeta / "municipios.json").read_text(encoding="utf-8"))
        nombres = {m["cve_entidad"]: m["nom_entidad"] for m in crudos_m}
        estados = [
            EstadoEncontrado(
                clave_inegi=e["clave_inegi"],
                nombre=nombres.get(e["clave_inegi"], e["name"].title()),
                codigo=e["code"],
                abreviatura=e["abbreviation"],
            )
            for e in crudos_e
            if filtro is None or e["clave_inegi"] in filtro
        ]
        municipios = [
            MunicipioEncontrado(
                clave_inegi=m["cve_completa"],
                nombre=m["nom_municipio"],
                estado_clave=m["cve_entidad"],
                estado_nombre=m["nom_entidad"],
            )
            for m in crudos_m
            if filtro is None or m["cve_entidad"] in filtro
        ]
        return cls(estados, municipios)

    def municipio_por_clave(self, clave_inegi: str) -> MunicipioEncontrado | None:
        """El municipio con esa clave de 5 dígitos, o None."""
        return next((m for m in self._municipios if m.clave_inegi == clave_inegi), None)

    def buscar_estado(self, texto: str) -> EstadoEncontrado | None:
        """El estado que corresponde al texto, o None."""
        n = normalizar(texto)
        if n.startswith("estado de ") and n not in self._alias_estado:
            n = n.removeprefix("estado de ")
        if not n:
            return None
        if n in self._alias_estado:
            return self._alias_estado[n]
        mejor = process.extractOne(n, list(self._alias_estado), scorer=fuzz.ratio, score_cutoff=85)
        return self._alias_estado[mejor[0]] if mejor else None

    def buscar_municipio(
        self, texto: str, estado_clave: str | None = None
    ) -> list[MunicipioEncontrado]:
        """Municipios que corresponden al texto (vacío = ninguno; varios = ambiguo)."""
        n = normalizar(texto)
        if not n:
            return []
        indices = [
            i
            for i, m in enumerate(self._municipios)
            if estado_clave is None or m.estado_clave == estado_clave
        ]
        exactos = [i for i in indices if self._nombres_mun[i] == n]
        if not exactos:
            exactos = [i for i in indices if self._nombres_mun[i].startswith(n + " ")]
        if exactos:
            return [self._municipios[i] for i in exactos]
        opciones = {i: self._nombres_mun[i] for i in indices}
        hallados = process.extract(n, opciones, scorer=fuzz.ratio, score_cutoff=85, limit=5)
        return [
            MunicipioEncontrado(**{**self._municipios[i].__dict__, "puntaje": float(p)})
            for _, p, i in hallados
        ]
