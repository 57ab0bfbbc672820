"""Respuestas que nacen reclamadas para un canal con bandeja de salida (Telegram, WhatsApp).

Lo normal en esos canales: el motor guarda la respuesta sin reclamar y el canal la reclama en
otra transacción (`bot.motor.bandeja_salida.reclamar`). Cuando el canal pide
`Motor.procesar_y_reclamar` y nada anterior de la conversación espera salir (sin reclamar o
esperando un reintento), las respuestas se guardan ya `pendiente` en la misma transacción que
las decide y se le entregan al canal con su id: una transacción menos por mensaje. Si algo
espera antes, se guardan sin reclamar, para no adelantárseles; el canal revisa la bandeja.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import bindparam, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.modelos import POR_ENVIAR, Conversacion, Mensaje
from bot.nucleo.mensajes import Canal, Respuesta

ENTREGAN_EN_LA_RESPUESTA = frozenset({Canal.REST.value, Canal.WEB.value, Canal.TERMINAL.value})
"""Canales sin bandeja de salida: las respuestas del motor van en la respuesta HTTP o en
pantalla. Se guardan con `envio = en_respuesta` y no quedan en el índice de lo por enviar
(si no, crecería con cada respuesta que ya se entregó)."""

# El filtro va como texto literal (no con parámetros) para que SQLite y PostgreSQL usen el
# índice parcial `ix_mensaje_por_enviar`, que tiene el mismo.
_ESPERAN = select(Mensaje.id).where(text(POR_ENVIAR), Mensaje.autor.in_(("bot", "asesor")))
_ALGO_ESPERA = _ESPERAN.where(Mensaje.conversacion_id == bindparam("conversacion")).limit(1)
ALGO_ESPERA_EN_LA_CONVERSACION = _ESPERAN.where(
    Mensaje.conversacion_id == Conversacion.id).limit(1).scalar_subquery()
"""Para consultas sobre `conversacion`: el id de algo de ella que espera salir, o NULL.

Subconsulta escalar y no EXISTS: PostgreSQL puede resolver un EXISTS con una tabla hash de
todo el índice (la elige si cree que el índice está casi vacío, p. ej. antes del primer
análisis) y eso lee la bandeja entera en cada mensaje; una escalar siempre va por índice."""


@dataclass(frozen=True)
class Reclamada:
    """Una respuesta guardada ya `pendiente`: el canal la envía y la marca."""

    mensaje_id: int
    respuesta: Respuesta


@dataclass
class Reclamo:
    """Una tanda de respuestas que `Motor.procesar_y_reclamar` entrega al canal, en orden."""

    reclamadas: list[Reclamada] = field(default_factory=list)
    revisar_bandeja: bool = False
    """¿Quedó alguna respuesta sin reclamar? (algo esperaba antes, una disculpa, un reenvío):
    el canal reclama la bandeja después de enviar las reclamadas."""


Entregar = Callable[[Reclamo], None]
"""Recibe cada tanda de respuestas en cuanto se confirma (p. ej. el repartidor del canal)."""


async def salida_libre(s: AsyncSession, conversacion_id: int) -> bool:
    """¿Nada de la conversación espera salir (sin reclamar o por reintentar)?"""
    return await s.scalar(_ALGO_ESPERA, {"conversacion": conversacion_id}) is None
