"""Un mensaje a la vez por conversación, en orden de llegada.

Dentro de un proceso, un `asyncio.Lock` por conversación (FIFO). Con PostgreSQL y varios
procesos, además un candado consultivo por conversación (`pg_advisory_lock`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

_ESPACIO_CONVERSACION = 0x4348  # «CH»: separa nuestros candados de otros de la base


class CerrojosConversacion:
    """Candados en memoria por id de conversación; se liberan cuando nadie espera."""

    def __init__(self) -> None:
        self._candados: dict[int, asyncio.Lock] = {}
        self._usuarios: dict[int, int] = {}

    @asynccontextmanager
    async def de(self, conversacion_id: int) -> AsyncIterator[None]:
        """Exclusión mutua para la conversación dada."""
        candado = self._candados.setdefault(conversacion_id, asyncio.Lock())
        self._usuarios[conversacion_id] = self._usuarios.get(conversacion_id, 0) + 1
        try:
            async with candado:
                yield
        finally:
            self._usuarios[conversacion_id] -= 1
            if self._usuarios[conversacion_id] == 0:
                del self._usuarios[conversacion_id]
                del self._candados[conversacion_id]


@asynccontextmanager
async def candado_entre_procesos(motor: AsyncEngine, conversacion_id: int) -> AsyncIterator[None]:
    """En PostgreSQL, un candado consultivo de sesión por conversación (varios procesos).

    En SQLite no hace nada: con SQLite se corre un solo proceso de la aplicación.
    """
    if motor.dialect.name != "postgresql":
        yield
        return
    async with motor.connect() as conexion:
        argumentos = {"espacio": _ESPACIO_CONVERSACION, "id": conversacion_id}
        await conexion.execute(text("SELECT pg_advisory_lock(:espacio, :id)"), argumentos)
        await conexion.commit()
        try:
            yield
        finally:
            await conexion.execute(text("SELECT pg_advisory_unlock(:espacio, :id)"), argumentos)
            await conexion.commit()
