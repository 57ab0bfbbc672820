"""Lo que se prepara antes de servir: la base (migraciones y catálogo) y las dependencias
que `servir` arranca y detiene (el servidor NLU, si hay modelo)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from bot.catalogos.carga import ResumenCarga, cargar_catalogos
from bot.config import Ajustes, ajustes
from bot.db.migrar import migrar
from bot.db.sesion import Almacen
from bot.nlu import servidor

log = logging.getLogger(__name__)


def preparar_base() -> ResumenCarga:
    """Migra la base y carga el catálogo (idempotente); devuelve qué cargó."""
    config = ajustes()
    migrar(config.database_url)

    async def cargar() -> ResumenCarga:
        almacen = Almacen(config.database_url)
        try:
            async with almacen.escritura() as s:
                return await cargar_catalogos(s)
        finally:
            await almacen.cerrar()

    return asyncio.run(cargar())


def iniciar_dependencias(config: Ajustes, con_nlu: bool = True) -> Callable[[], None]:
    """Arranca lo necesario y devuelve la función que detiene lo que se arrancó."""
    detenciones: list[Callable[[], None]] = []
    if con_nlu:
        detener = servidor.iniciar_si_hace_falta(config)
        if detener is not None:
            detenciones.append(detener)

    def detener_todo() -> None:
        for detener in reversed(detenciones):
            try:
                detener()
            except Exception:  # noqa: BLE001 — al salir se detiene todo lo posible
                log.exception("no se pudo detener una dependencia")

    return detener_todo
