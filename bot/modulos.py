"""Conecta al motor los módulos del asistente (NLU, conocimiento, flujos, escalamiento)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.servicios import Servicios

log = logging.getLogger(__name__)


def conectar(servicios: Servicios, con_nlu: bool = True) -> None:
    """Registra en el motor las rutas y servicios de cada módulo, en orden de prioridad."""
    del servicios, con_nlu  # los módulos se conectan aquí conforme se integran
