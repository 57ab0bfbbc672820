"""Esperar en una prueba a que algo ocurra (una condición síncrona o asíncrona)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


async def esperar(condicion: Callable[[], object], limite: float = 20.0) -> None:
    """Vuelve en cuanto `condicion()` es verdadera; falla con su último valor si no llega."""
    fin = time.monotonic() + limite
    resultado: object = None
    while time.monotonic() < fin:
        resultado = condicion()
        if asyncio.iscoroutine(resultado):
            resultado = await resultado
        if resultado:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"no ocurrió a tiempo (último valor: {resultado!r})")
