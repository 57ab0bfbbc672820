"""Retención: anonimiza las conversaciones inactivas que no llevaron a ningún caso.

Una conversación entra si lleva más de `dias` días sin actividad, no tiene un escalamiento
abierto y su usuario no tiene casos (o ya había pedido borrar sus datos: entonces solo se
limpia lo que escribió después y se olvida su id del canal). Al anonimizar se olvida también
el id del canal, así que a cada persona se le aplica una sola vez.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from sqlalchemy import exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.estados import EstadoTraspaso
from bot.db.modelos import Caso, Conversacion, Escalamiento, Usuario
from bot.db.sesion import Almacen
from bot.limite_acceso import olvidar_intentos
from bot.privacidad.anonimizar import PREFIJO_ANONIMO, anonimizar_usuario

log = logging.getLogger(__name__)

LOTE = 200
"""Personas por transacción en la tarea y en la orden de consola."""


def _utc(momento: dt.datetime) -> dt.datetime:
    if momento.tzinfo is None:
        return momento.replace(tzinfo=dt.timezone.utc)
    return momento.astimezone(dt.timezone.utc)


async def aplicar_retencion(
    sesion: AsyncSession, dias: int, ahora: dt.datetime, lote: int | None = None
) -> int:
    """Anonimiza (en la sesión dada) las conversaciones inactivas más de `dias` días de
    usuarios sin casos. Devuelve cuántas personas anonimizó (a lo más `lote`)."""
    if dias < 1:
        raise ValueError("la retención debe ser de al menos un día")
    ahora = _utc(ahora)
    limite = ahora - dt.timedelta(days=dias)
    tiene_casos = exists().where(Caso.usuario_id == Usuario.id)
    escalamiento_abierto = exists().where(Escalamiento.conversacion_id == Conversacion.id,
                                          Escalamiento.estado != EstadoTraspaso.CERRADA)
    consulta = (
        select(Usuario).join(Conversacion, Conversacion.usuario_id == Usuario.id)
        .where(Conversacion.ultima_actividad < limite,
               ~Usuario.id_externo.startswith(PREFIJO_ANONIMO),
               or_(~tiene_casos, Usuario.anonimizado_en.is_not(None)),
               ~escalamiento_abierto)
        .order_by(Usuario.id)
    )
    if lote is not None:
        consulta = consulta.limit(lote)
    usuarios = list((await sesion.scalars(consulta)).all())
    for usuario in usuarios:
        await anonimizar_usuario(sesion, usuario, ahora, olvidar_canal=True)
    return len(usuarios)


async def ejecutar_retencion(almacen: Almacen, dias: int, ahora: dt.datetime | None = None,
                             lote: int = LOTE) -> int:
    """Aplica la retención por lotes, cada uno en su transacción. Devuelve el total."""
    momento = ahora or dt.datetime.now(dt.timezone.utc)
    total = 0
    while True:
        async with almacen.escritura() as s:
            hechos = await aplicar_retencion(s, dias, momento, lote=lote)
        total += hechos
        if hechos < lote:
            break
    async with almacen.escritura() as s:
        intentos = await olvidar_intentos(s, momento)
    log.info("retención aplicada", extra={"dias": dias, "anonimizados": total,
                                          "intentos_de_acceso_borrados": intentos})
    return total


async def tarea_retencion_diaria(
    almacen: Almacen, dias: int, detener: asyncio.Event | None = None,
    cada: dt.timedelta = dt.timedelta(days=1),
) -> None:
    """Tarea de fondo: aplica la retención al arrancar y luego una vez cada `cada`.

    Termina cuando se activa `detener` (o al cancelarla). Un error se anota en la bitácora
    y se reintenta en la siguiente vuelta. Con varios procesos es seguro correrla en todos:
    anonimizar dos veces deja lo mismo.
    """
    detener = detener or asyncio.Event()
    while not detener.is_set():
        try:
            await ejecutar_retencion(almacen, dias)
        except Exception:  # noqa: BLE001 — la tarea sigue viva para el día siguiente
            log.exception("falló la retención de datos")
        try:
            await asyncio.wait_for(detener.wait(), timeout=cada.total_seconds())
        except asyncio.TimeoutError:
            continue
