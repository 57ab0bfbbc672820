"""Dependencias que `servir` arranca y detiene: el servidor NLU (si hay modelo)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.config import Ajustes

log = logging.getLogger(__name__)


def iniciar_dependencias(config: Ajustes, con_nlu: bool = True) -> Callable[[], None]:
    """Arranca lo necesario y devuelve la función que detiene lo que se arrancó."""
    detenciones: list[Callable[[], None]] = []
    if con_nlu:
        try:
            from bot.nlu import servidor
        except ModuleNotFoundError:
            servidor = None  # type: ignore[assignment]
        if servidor is not None:
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
