"""Conecta al motor los módulos del asistente, en orden de prioridad de sus rutas."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.servicios import Servicios

log = logging.getLogger(__name__)


def _analizador(servicios: Servicios, con_nlu: bool) -> Any:
    """NLU de Rasa con respaldo por palabras clave cuando no responde."""
    from bot.nlu.respaldo import analizar_respaldo

    cliente = None
    if con_nlu:
        from bot.nlu.cliente import ClienteNLU

        c = servicios.ajustes
        cliente = ClienteNLU(url=c.nlu_url, token=c.nlu_token, timeout_s=c.nlu_timeout_s)
        servicios.nlu = cliente

    async def analizar(texto: str) -> Any:
        if cliente is not None:
            analisis = await cliente.analizar(texto)
            if analisis is not None:
                return analisis
        return analizar_respaldo(texto)

    return analizar


def conectar(servicios: Servicios, con_nlu: bool = True) -> None:
    """Registra en el motor el análisis de texto y las rutas de cada módulo."""
    motor = servicios.motor
    motor.analizador = _analizador(servicios, con_nlu)

    from bot.config import RAIZ
    from bot.conocimiento import rutas as rutas_conocimiento
    from bot.conocimiento.base import BaseConocimiento

    motor.servicios["conocimiento"] = BaseConocimiento.cargar(RAIZ / "conocimiento")
    motor.rutas.extend(rutas_conocimiento.RUTAS)
    # La pregunta libre va antes del «no le entendí» (el último de las rutas finales).
    motor.rutas_finales[-1:-1] = rutas_conocimiento.RUTAS_FINALES
