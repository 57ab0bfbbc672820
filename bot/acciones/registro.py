"""El registro de las acciones que piden los pasos de los flujos (`accion:` en flujos/*.yaml).

Cada acción se declara una sola vez, con `@accion("nombre")`; el validador de flujos y quien
las ejecuta (`bot.flujos.rutas`) leen este mismo registro.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

from bot.escalamiento.servicios import ServiciosEscalamiento
from bot.nucleo.contexto import Contexto
from bot.nucleo.mensajes import Respuesta


class ServiciosAcciones(ServiciosEscalamiento, Protocol):
    """Lo que usan las acciones: el almacén y lo del escalamiento (avisos de casos nuevos)."""


Accion = Callable[[Contexto, dict[str, Any], ServiciosAcciones], Awaitable[list[Respuesta]]]
"""Una acción recibe el mensaje en proceso, los datos del paso (`flujo`, `paso` y
`respuestas`) y los servicios; devuelve lo que se le dice a la persona."""

_ACCIONES: dict[str, Accion] = {}


def accion(nombre: str) -> Callable[[Accion], Accion]:
    """Registra una acción con el nombre que usan los flujos."""

    def registrar(funcion: Accion) -> Accion:
        if nombre in _ACCIONES and _ACCIONES[nombre] is not funcion:
            raise ValueError(f"Acción repetida: {nombre}")
        _ACCIONES[nombre] = funcion
        return funcion

    return registrar


def acciones() -> Mapping[str, Accion]:
    """Las acciones registradas, por nombre."""
    return dict(_ACCIONES)


def nombres_de_acciones() -> frozenset[str]:
    """Los nombres que un paso puede usar en `accion:`."""
    return frozenset(_ACCIONES)
