"""Trabajo que debe correr solo después de confirmar la transacción (avisos, envíos).

Un aviso de Telegram o un envío al usuario no se puede deshacer; por eso se agenda con
`al_confirmar` y se lanza como tarea cuando la unidad de trabajo se confirma. Si se
deshace, se descarta. `esperar()` aguarda las tareas en curso (pruebas, apagado).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

log = logging.getLogger(__name__)
Fabrica = Callable[[], Awaitable[Any]]
_CLAVE = "al_confirmar"
_tareas: set[asyncio.Task[Any]] = set()


def al_confirmar(sesion: AsyncSession, fabrica: Fabrica) -> None:
    """Agenda `fabrica()` para cuando la sesión confirme su transacción."""
    sincrona = sesion.sync_session
    pendientes: list[Fabrica] | None = sincrona.info.get(_CLAVE)
    if pendientes is None:
        pendientes = sincrona.info[_CLAVE] = []
        event.listen(sincrona, "after_commit", _disparar)
        event.listen(sincrona, "after_rollback", _descartar)
    pendientes.append(fabrica)


def _disparar(sincrona: Any) -> None:
    pendientes: list[Fabrica] = sincrona.info.pop(_CLAVE, [])
    for fabrica in pendientes:
        lanzar(fabrica)


def _descartar(sincrona: Any) -> None:
    sincrona.info.pop(_CLAVE, None)


def lanzar(fabrica: Fabrica) -> None:
    """Corre `fabrica()` como tarea vigilada (los errores van a la bitácora)."""

    async def envoltura() -> None:
        try:
            await fabrica()
        except Exception:  # un aviso fallido no debe tumbar nada
            log.exception("tarea diferida falló")

    tarea = asyncio.get_running_loop().create_task(envoltura())
    _tareas.add(tarea)
    tarea.add_done_callback(_tareas.discard)


async def esperar() -> None:
    """Aguarda todas las tareas diferidas (incluidas las que estas lancen)."""
    while _tareas:
        await asyncio.gather(*list(_tareas), return_exceptions=True)
