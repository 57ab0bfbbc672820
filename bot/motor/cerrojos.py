"""Un mensaje a la vez por conversación, en orden de llegada.

Dentro de un proceso, un `asyncio.Lock` por conversación (FIFO). Entre procesos, cada unidad
de trabajo que guarda o procesa mensajes de una conversación toma primero su candado en la
base: en PostgreSQL un candado consultivo de transacción (`pg_advisory_xact_lock`, se suelta
solo al confirmar o deshacer); en SQLite basta `BEGIN IMMEDIATE` (un escritor a la vez).
La conversación se identifica por canal e id del usuario, que se conocen antes de leer nada.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

_ESPACIO_CONVERSACION = 0x4348  # «CH»: separa nuestros candados de otros de la base


def clave_conversacion(canal: str, id_usuario: str) -> str:
    """La clave de la conversación de un usuario de un canal."""
    return f"{canal}:{id_usuario}"


class CerrojosConversacion:
    """Candados en memoria por conversación; se liberan cuando nadie espera."""

    def __init__(self) -> None:
        self._candados: dict[str, asyncio.Lock] = {}
        self._usuarios: dict[str, int] = {}

    @asynccontextmanager
    async def de(self, clave: str) -> AsyncIterator[None]:
        """Exclusión mutua para la conversación dada."""
        candado = self._candados.setdefault(clave, asyncio.Lock())
        self._usuarios[clave] = self._usuarios.get(clave, 0) + 1
        try:
            async with candado:
                yield
        finally:
            self._usuarios[clave] -= 1
            if self._usuarios[clave] == 0:
                del self._usuarios[clave]
                del self._candados[clave]


async def candado_en_transaccion(sesion: AsyncSession, clave: str) -> None:
    """Toma el candado de la conversación hasta el fin de la transacción de `sesion`.

    En PostgreSQL, `pg_advisory_xact_lock`; en SQLite no hace falta (la unidad de trabajo
    ya empezó con BEGIN IMMEDIATE, que excluye a cualquier otro escritor).
    """
    if sesion.get_bind().dialect.name != "postgresql":
        return
    numero = zlib.crc32(clave.encode()) - (1 << 31)  # a int4 con signo
    await sesion.execute(text("SELECT pg_advisory_xact_lock(:espacio, :id)"),
                         {"espacio": _ESPACIO_CONVERSACION, "id": numero})
