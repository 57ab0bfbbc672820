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
        from bot.nlu.replicas import GrupoNLU

        c = servicios.ajustes
        cliente = GrupoNLU(c.nlu_url, token=c.nlu_token, timeout_s=c.nlu_timeout_s,
                           max_cache=c.nlu_cache)
        servicios.nlu = cliente

    async def analizar(texto: str) -> Any:
        if cliente is not None:
            analisis = await cliente.analizar(texto)
            if analisis is not None:
                return analisis
        return analizar_respaldo(texto)

    return analizar


def conectar(servicios: Servicios, con_nlu: bool = True) -> None:
    """Registra en el motor el análisis de texto y las rutas de cada módulo.

    Orden resultante (la primera ruta que responde gana):
    previas: modo humano (el bot calla) → «asesor» → tipo no admitido → vacío → menú/ayuda →
             primer contacto (bienvenida);
    rutas:   privacidad → flujo activo → iniciar flujo → continuar → saludo → artículos;
    finales: charla → fuera de alcance → pregunta libre → segundo «no entendí» (asesor) →
             «no le entendí».
    """
    from bot import escalamiento
    from bot.config import RAIZ
    from bot.conocimiento import rutas as rutas_conocimiento
    from bot.conocimiento.base import BaseConocimiento
    from bot.flujos import cargar_flujos
    from bot.motor import rutas_basicas, rutas_flujos
    from bot.privacidad import rutas as rutas_privacidad

    motor = servicios.motor
    motor.analizador = _analizador(servicios, con_nlu)
    motor.servicios["servicios"] = servicios
    motor.servicios["conocimiento"] = BaseConocimiento.cargar(RAIZ / "conocimiento")
    flujos = cargar_flujos(RAIZ / "flujos")
    motor.servicios["flujos"] = flujos

    motor.rutas_previas = [r if r is not rutas_basicas.primera_vez else rutas_flujos.primer_contacto
                           for r in motor.rutas_previas]
    motor.rutas.extend(rutas_flujos.RUTAS)
    motor.rutas.extend(rutas_conocimiento.RUTAS)
    motor.rutas_finales[-1:-1] = rutas_conocimiento.RUTAS_FINALES
    motor.aceptadores.append(
        lambda conversacion, texto, payload: rutas_flujos.acepta_sin_nlu(
            conversacion, texto, payload, flujos))
    rutas_privacidad.conectar(motor)
    escalamiento.conectar(servicios)
