"""Ritmo de envío por destinatario: un envío a la vez por chat y una pausa mínima entre
envíos, medida desde que terminó el anterior (así la plataforma nunca ve dos envíos al mismo
chat más cerca que `intervalo`)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field


@dataclass
class _Turno:
    candado: asyncio.Lock = field(default_factory=asyncio.Lock)
    proximo: float = 0.0
    usuarios: int = 0


class RitmoPorDestino:
    """Turnos por destinatario con `intervalo` segundos entre envíos."""

    def __init__(self, intervalo: float) -> None:
        self.intervalo = intervalo
        self._turnos: dict[str, _Turno] = {}

    @asynccontextmanager
    async def turno(self, destino: str) -> AsyncIterator[None]:
        """Espera su turno para `destino`; al salir, agenda el siguiente."""
        turno = self._turnos.setdefault(destino, _Turno())
        turno.usuarios += 1
        try:
            async with turno.candado:
                espera = turno.proximo - time.monotonic()
                if espera > 0:
                    await asyncio.sleep(espera)
                try:
                    yield
                finally:
                    turno.proximo = time.monotonic() + self.intervalo
        finally:
            turno.usuarios -= 1
            if turno.usuarios == 0 and turno.proximo <= time.monotonic():
                self._turnos.pop(destino, None)
            elif turno.usuarios == 0:
                asyncio.get_running_loop().call_later(
                    self.intervalo, self._olvidar, destino, turno)

    def _olvidar(self, destino: str, turno: _Turno) -> None:
        if turno.usuarios == 0 and self._turnos.get(destino) is turno:
            del self._turnos[destino]
