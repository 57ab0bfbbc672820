"""Relé hacia el usuario: guarda el mensaje de salida y, tras confirmar, lo envía por el
emisor de su canal (WhatsApp, Telegram…).

En Telegram y WhatsApp el mensaje entra a la bandeja de salida (`envio` vacío, con su clave de
plantilla en `extra`): el envío directo lo reclama antes de enviarlo, así que sale una sola vez;
si el proceso cae antes o a media entrega, o la falla es pasajera, lo envía el barrido de la
bandeja (fuera de la ventana de 24 h de WhatsApp, como plantilla). Sin emisor en este proceso
(REST, terminal, o el canal corre en otro proceso) no se envía aquí: en REST y la terminal queda
`pendiente` y el usuario lo ve al consultar; en Telegram y WhatsApp, lo envía el barrido del
proceso que atiende el canal."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.diferidos import al_confirmar
from bot.db.estados import Direccion, EstadoEnvio
from bot.db.modelos import Conversacion, Mensaje, Usuario, ahora
from bot.motor import bandeja_salida
from bot.nucleo.mensajes import Respuesta

if TYPE_CHECKING:
    from bot.escalamiento.servicios import ServiciosEscalamiento

log = logging.getLogger(__name__)
_GUARDADAS = "relevo_guardadas"
"""En `sesion.info`: las filas recién guardadas, para que `programar_entrega` les anote la
plantilla en la misma transacción."""


async def guardar_salida(
    sesion: AsyncSession, conversacion: Conversacion, canal: str, respuestas: list[Respuesta],
    autor: str = "bot", asesor_id: int | None = None,
) -> list[int]:
    """Guarda mensajes de salida (sin responder a un mensaje del usuario); devuelve sus ids."""
    envio = None if canal in bandeja_salida.CANALES else EstadoEnvio.PENDIENTE
    filas = [Mensaje(
        conversacion_id=conversacion.id, direccion=Direccion.SALIDA, autor=autor, canal=canal,
        texto=r.texto, asesor_id=asesor_id, procesado_en=ahora(), envio=envio,
        botones=[{"titulo": b.titulo, "payload": b.payload} for b in r.botones] or None,
    ) for r in respuestas]
    sesion.add_all(filas)
    await sesion.flush()
    sesion.info.setdefault(_GUARDADAS, {}).update({f.id: f for f in filas})
    return [f.id for f in filas]


def programar_entrega(
    servicios: ServiciosEscalamiento,
    sesion: AsyncSession, ids: list[int], plantilla: str | None = None
) -> None:
    """Anota la plantilla en los mensajes (por si los envía el barrido) y los envía cuando la
    transacción se confirme."""
    if not ids:
        return
    guardadas: dict[int, Mensaje] = sesion.info.get(_GUARDADAS, {})
    for mensaje_id in ids:
        fila = guardadas.pop(mensaje_id, None)
        if fila is not None and plantilla:
            fila.extra = {**(fila.extra or {}), "plantilla": plantilla}
    al_confirmar(sesion, lambda: entregar(servicios, ids, plantilla))


async def _reintento_en_espera(s: AsyncSession, conversacion_id: int, antes_de: int) -> bool:
    """¿Espera su reintento un mensaje anterior de la conversación? (no se le adelanta)."""
    return (await s.scalar(select(Mensaje.id).where(
        Mensaje.conversacion_id == conversacion_id, Mensaje.id < antes_de,
        Mensaje.direccion == Direccion.SALIDA, Mensaje.envio == EstadoEnvio.REINTENTAR,
        Mensaje.creado_en >= ahora() - bandeja_salida.VENTANA).limit(1))) is not None


async def entregar(servicios: ServiciosEscalamiento,
                   ids: list[int], plantilla: str | None = None) -> str:
    """Reclama los mensajes guardados que nadie ha reclamado, los envía uno a uno por el
    emisor del canal y anota cada resultado; devuelve el último.

    Si el usuario tiene un mensaje anterior esperando su reintento, no envía nada: el barrido
    los enviará en orden. Una falla pasajera deja el mensaje `reintentar` y devuelve a la
    bandeja los siguientes."""
    almacen = servicios.almacen
    async with almacen.escritura() as s:
        mensajes = (await s.scalars(
            select(Mensaje).where(Mensaje.id.in_(ids)).order_by(Mensaje.id)
            .with_for_update(skip_locked=True))).all()
        if not mensajes:
            return "sin_mensajes"
        conversacion = await s.get(Conversacion, mensajes[0].conversacion_id)
        assert conversacion is not None
        usuario = await s.get(Usuario, conversacion.usuario_id)
        assert usuario is not None
        emisor = servicios.emisores.de(usuario.canal)
        if emisor is None:
            return EstadoEnvio.PENDIENTE
        if await _reintento_en_espera(s, conversacion.id, mensajes[0].id):
            return "en_espera"
        libres = [m for m in mensajes if m.envio is None]
        for m in libres:
            m.envio = EstadoEnvio.PENDIENTE
        por_enviar = [(m.id, await bandeja_salida.respuesta_guardada(s, m)) for m in libres]
        id_externo, usuario_id = usuario.id_externo, usuario.id
        ultimo: dt.datetime | None = usuario.ultimo_mensaje_en
    estado: str = "sin_mensajes"
    for i, (mensaje_id, respuesta) in enumerate(por_enviar):
        try:
            resultado = (await emisor.enviar(id_externo, [respuesta], ultimo, plantilla)).estado
        except Exception:
            log.exception("envío al usuario falló", extra={"usuario_id": usuario_id})
            resultado = EstadoEnvio.FALLIDO
        estado = resultado
        if resultado == EstadoEnvio.REINTENTAR:
            if await bandeja_salida.posponer(almacen, mensaje_id,
                                             [m for m, _ in por_enviar[i + 1:]]):
                return estado
            estado = EstadoEnvio.FALLIDO
            continue
        await bandeja_salida.marcar(almacen, [mensaje_id], resultado)
    return estado

