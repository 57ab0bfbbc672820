"""El catálogo geográfico que usan los pasos `estado` y `municipio`.

El motor inyecta el catálogo real (`bot.catalogos.busqueda.Catalogo`); aquí solo se fija la
forma que el intérprete necesita (`CatalogoGeografico`) y cómo se guarda en las respuestas.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol


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
    """Búsqueda de estados y municipios. Lista vacía = no existe; varios = ambiguo. Las
    búsquedas `exacto` no aproximan: sirven para hallar lugares dentro de una oración."""

    def buscar_estado(self, texto: str) -> EstadoLike | None: ...

    def buscar_municipio(
        self, texto: str, estado_clave: str | None = None
    ) -> Sequence[MunicipioLike]: ...

    def estado_exacto(self, texto: str) -> EstadoLike | None: ...

    def municipios_exactos(self, texto: str) -> Sequence[MunicipioLike]: ...


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
