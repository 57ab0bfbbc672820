"""Estado de salud del asistente: versión, base de datos y NLU."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from bot import __version__
from bot.servicios import Servicios


async def estado_salud(servicios: Servicios) -> dict[str, Any]:
    """Un resumen apto para `/salud` y para `hermanamientos estado`."""
    try:
        async with servicios.almacen.lectura() as s:
            await s.execute(text("SELECT 1"))
        base = "ok"
    except Exception:  # noqa: BLE001 — cualquier falla de la base se informa como error
        base = "error"
    nlu = "no_configurado"
    if servicios.nlu is not None:
        nlu = await servicios.nlu.comprobar()
    return {
        "estado": "ok" if base == "ok" else "error",
        "version": __version__,
        "base_de_datos": base,
        "nlu": nlu,
    }
