"""Qué ve la persona de la línea de tiempo de su caso.

Cada evento tiene su audiencia (`Audiencia`, en `bot.db.modelos`): `persona` o `equipo`. Las
notas internas, los traspasos (solicitud, toma, primera respuesta, cierre), el SLA y los
nombres de los asesores son del equipo y nunca se le muestran a la persona. Todo lo que ella
ve (el seguimiento, la ficha PDF y el oficio, «mis datos», los avisos de cambio de estatus)
pasa por `eventos_para_persona`: la única que lo decide. El escritorio de asesores ve todo.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from bot.db.estados import Audiencia
from bot.db.modelos import EventoCaso


@dataclass(frozen=True)
class EventoVisible:
    """Un evento tal como lo puede ver la persona: sin quién lo hizo ni sus datos internos
    (ahí van, p. ej., los nombres de los asesores)."""

    fecha: dt.datetime
    tipo: str
    descripcion: str
    estatus_anterior: str | None
    estatus_nuevo: str | None


def eventos_para_persona(eventos: Iterable[EventoCaso]) -> list[EventoVisible]:
    """Los eventos que la persona puede ver, en el mismo orden, sin actor ni datos."""
    return [EventoVisible(e.creado_en, e.tipo, e.descripcion or "", e.estatus_anterior,
                          e.estatus_nuevo)
            for e in eventos if e.audiencia == Audiencia.PERSONA]
