"""Conecta el escalamiento al motor: rutas, servicio `escalar` para otros módulos."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.escalamiento import rutas
from bot.motor import rutas_basicas

if TYPE_CHECKING:
    from bot.servicios import Servicios


def conectar(servicios: Servicios) -> None:
    """Registra las rutas en `servicios.motor` (idempotente).

    - `modo_humano` va al principio de `rutas_previas` (el bot calla con una persona a cargo);
    - `disparadores` va justo después (orden «asesor», su botón, intents hablar_asesor/queja),
      antes del saludo de primera vez y de los flujos: es una orden global;
    - `segundo_no_entendi` va justo antes del «no le entendí» final.
    Otros módulos pueden abrir un traspaso con `motor.servicios["escalar"](ctx, motivo, detalle)`.
    La tarea periódica del SLA la arranca el ciclo de vida de la app (`sla.iniciar_tarea`).
    """
    motor = servicios.motor
    motor.servicios[rutas.CLAVE_SERVICIOS] = servicios
    motor.servicios["escalar"] = rutas.escalar
    if rutas.modo_humano not in motor.rutas_previas:
        motor.rutas_previas.insert(0, rutas.modo_humano)
    if rutas.disparadores not in motor.rutas_previas:
        motor.rutas_previas.insert(1, rutas.disparadores)
    if rutas.segundo_no_entendi not in motor.rutas_finales:
        try:
            indice = motor.rutas_finales.index(rutas_basicas.no_entendi)
        except ValueError:
            indice = len(motor.rutas_finales)
        motor.rutas_finales.insert(indice, rutas.segundo_no_entendi)
