"""Relé hacia el usuario: guarda el mensaje de salida y, tras confirmar, lo envía por el
emisor de su canal (WhatsApp, Telegram…). Sin emisor (REST, terminal) queda guardado con
envío «pendiente» y el usuario lo ve al consultar."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.modelos import Asesor, Conversacion, Mensaje, Usuario, ahora
from bot.escalamiento.diferidos import al_confirmar
from bot.motor.mensajes import Boton, Respuesta

if TYPE_CHECKING:
    from bot.servicios import Servicios

log = logging.getLogger(__name__)


async def guardar_salida(
    sesion: AsyncSession, conversacion: Conversacion, canal: str, respuestas: list[Respuesta],
    autor: str = "bot", asesor_id: int | None = None,
) -> list[int]:
    """Guarda mensajes de salida (sin responder a un mensaje del usuario); devuelve sus ids."""
    filas = [Mensaje(
        conversacion_id=conversacion.id, direccion="salida", autor=autor, canal=canal,
        texto=r.texto, asesor_id=asesor_id, procesado_en=ahora(), envio="pendiente",
        botones=[{"titulo": b.titulo, "payload": b.payload} for b in r.botones] or None,
    ) for r in respuestas]
    sesion.add_all(filas)
    await sesion.flush()
    return [f.id for f in filas]


def programar_entrega(
    servicios: Servicios, sesion: AsyncSession, ids: list[int], plantilla: str | None = None
) -> None:
    """Envía esos mensajes al usuario cuando la transacción se confirme."""
    if ids:
        al_confirmar(sesion, lambda: entregar(servicios, ids, plantilla))


async def entregar(servicios: Servicios, ids: list[int], plantilla: str | None = None) -> str:
    """Envía mensajes ya guardados por el emisor del canal y anota el resultado."""
    async with servicios.almacen.lectura() as s:
        mensajes = (await s.scalars(select(Mensaje).where(Mensaje.id.in_(ids))
                                    .order_by(Mensaje.id))).all()
        if not mensajes:
            return "sin_mensajes"
        conversacion = await s.get(Conversacion, mensajes[0].conversacion_id)
        assert conversacion is not None
        usuario = await s.get(Usuario, conversacion.usuario_id)
        assert usuario is not None
        nombres: dict[int, str] = {}
        for m in mensajes:
            if m.asesor_id and m.asesor_id not in nombres:
                asesor = await s.get(Asesor, m.asesor_id)
                nombres[m.asesor_id] = asesor.nombre if asesor else "Asesor"
    emisor = servicios.emisores.de(usuario.canal)
    if emisor is None:
        return "pendiente"
    respuestas = [Respuesta(
        texto=f"*{nombres[m.asesor_id]}:* {m.texto}" if m.autor == "asesor" and m.asesor_id
        else m.texto,
        botones=[Boton(b["titulo"], b["payload"]) for b in (m.botones or [])],
    ) for m in mensajes]
    try:
        resultado = await emisor.enviar(usuario.id_externo, respuestas, usuario.ultimo_mensaje_en,
                                        plantilla)
        estado = resultado.estado
    except Exception:
        log.exception("envío al usuario falló", extra={"usuario_id": usuario.id})
        estado = "fallido"
    async with servicios.almacen.escritura() as s:
        await s.execute(update(Mensaje).where(Mensaje.id.in_(ids)).values(envio=estado[:16]))
    return estado
