"""Avisos a asesores por Telegram: traspaso nuevo (con botones Tomar / Ver caso), edición
de los avisos cuando alguien toma, reenvío de lo que escribe el usuario y recordatorios.

El `telegram.Bot` lo pone el canal de Telegram en `servicios.extras["telegram_bot"]`; sin él
(solo panel web) los avisos se omiten y el panel muestra la cola."""

from __future__ import annotations

import html
import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.modelos import (
    Asesor,
    Conversacion,
    Documento,
    Escalamiento,
    Mensaje,
    NotificacionAsesor,
    Usuario,
)
from bot.escalamiento.enrutamiento import asesores_de_nivel
from bot.escalamiento.resumen import datos_resumen, nombre_usuario, referencia
from bot.escalamiento.textos import texto

if TYPE_CHECKING:
    from bot.servicios import Servicios

log = logging.getLogger(__name__)
TITULOS = {"nuevo": "Solicitud de atención", "recordatorio": "Recordatorio: sigue sin respuesta"}


def bot_telegram(servicios: Servicios) -> Any | None:
    """El `telegram.Bot` del canal, si el canal de Telegram está activo."""
    return servicios.extras.get("telegram_bot")


def teclado_aviso(escalamiento_id: int, con_tomar: bool = True) -> Any:
    """Botones Tomar / Ver caso del aviso."""
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup

    fila = [InlineKeyboardButton("Ver caso", callback_data=f"esc:v:{escalamiento_id}")]
    if con_tomar:
        fila.insert(0, InlineKeyboardButton("Tomar", callback_data=f"esc:t:{escalamiento_id}"))
    return InlineKeyboardMarkup([fila])


async def texto_aviso(sesion: AsyncSession, escalamiento: Escalamiento, clase: str = "nuevo",
                      pie: str | None = None) -> str:
    """El aviso en HTML de Telegram (todo dato del usuario va escapado)."""
    datos = await datos_resumen(sesion, escalamiento)
    return texto("aviso_asesor.html.j2", titulo=TITULOS.get(clase, clase), pie=pie, **datos)[:4000]


async def avisar_solicitud(
    servicios: Servicios, escalamiento_id: int, nivel: str | None = None, clase: str = "nuevo",
    solo_asesor_id: int | None = None,
) -> int:
    """Avisa a los asesores del nivel (o a uno) con el resumen; devuelve cuántos avisos salieron."""
    bot = bot_telegram(servicios)
    if bot is None:
        return 0
    async with servicios.almacen.lectura() as s:
        esc = await s.get(Escalamiento, escalamiento_id)
        if esc is None:
            return 0
        if solo_asesor_id is not None:
            unico = await s.get(Asesor, solo_asesor_id)
            personas = [unico] if unico is not None and unico.activo else []
        else:
            personas = await asesores_de_nivel(s, esc.estado_id, nivel or esc.nivel)
        cuerpo = await texto_aviso(s, esc, clase)
        con_tomar = esc.estado == "solicitada"
    enviados: list[NotificacionAsesor] = []
    for persona in personas:
        if not persona.telegram_id:
            continue
        try:
            mensaje = await bot.send_message(chat_id=int(persona.telegram_id), text=cuerpo,
                                             parse_mode="HTML",
                                             reply_markup=teclado_aviso(escalamiento_id, con_tomar))
        except Exception:
            log.exception("aviso a asesor falló", extra={"asesor_id": persona.id})
            continue
        enviados.append(NotificacionAsesor(
            escalamiento_id=escalamiento_id, asesor_id=persona.id,
            chat_id=str(persona.telegram_id), mensaje_id=str(mensaje.message_id)))
    if enviados:
        async with servicios.almacen.escritura() as s:
            s.add_all(enviados)
    return len(enviados)


async def editar_avisos(servicios: Servicios, escalamiento_id: int, pie_ganador: str,
                        pie_otros: str, ganador_id: int | None = None) -> None:
    """Edita los avisos del traspaso: quién lo tomó (o que ya no está en espera)."""
    bot = bot_telegram(servicios)
    if bot is None:
        return
    async with servicios.almacen.lectura() as s:
        esc = await s.get(Escalamiento, escalamiento_id)
        if esc is None:
            return
        avisos = (await s.scalars(select(NotificacionAsesor).where(
            NotificacionAsesor.escalamiento_id == escalamiento_id))).all()
        cuerpos = {pie: await texto_aviso(s, esc, "nuevo", pie)
                   for pie in {pie_ganador, pie_otros}}
    for aviso in avisos:
        pie = pie_ganador if aviso.asesor_id == ganador_id else pie_otros
        try:
            await bot.edit_message_text(
                chat_id=int(aviso.chat_id), message_id=int(aviso.mensaje_id), text=cuerpos[pie],
                parse_mode="HTML", reply_markup=teclado_aviso(escalamiento_id, False))
        except Exception:  # el aviso pudo borrarse; no es grave
            log.warning("no se pudo editar un aviso", extra={"aviso_id": aviso.id})


async def reenviar_a_asesor(servicios: Servicios, escalamiento_id: int, mensaje_id: int) -> bool:
    """Lleva al asesor asignado (en Telegram) lo que escribió o envió el usuario."""
    bot = bot_telegram(servicios)
    if bot is None:
        return False
    async with servicios.almacen.lectura() as s:
        esc = await s.get(Escalamiento, escalamiento_id)
        mensaje = await s.get(Mensaje, mensaje_id)
        if esc is None or mensaje is None or esc.asesor_id is None:
            return False
        asesor = await s.get(Asesor, esc.asesor_id)
        if asesor is None or not asesor.telegram_id:
            return False
        conversacion = await s.get(Conversacion, esc.conversacion_id)
        assert conversacion is not None
        usuario = await s.get(Usuario, conversacion.usuario_id)
        assert usuario is not None
        caso = None
        if esc.caso_id:
            from bot.db.modelos import Caso

            caso = await s.get(Caso, esc.caso_id)
        documento = await s.get(Documento, mensaje.adjunto_id) if mensaje.adjunto_id else None
        encabezado = (f"<b>{html.escape(nombre_usuario(usuario))}</b> "
                      f"({html.escape(referencia(esc, caso))}):")
    chat = int(asesor.telegram_id)
    try:
        if documento is not None:
            enviado = await bot.send_document(
                chat_id=chat, document=servicios.documentos.leer(documento.ruta),
                filename=documento.nombre_archivo, caption=encabezado, parse_mode="HTML")
        else:
            enviado = await bot.send_message(
                chat_id=chat, text=f"{encabezado}\n{html.escape(mensaje.texto or '')}"[:4096],
                parse_mode="HTML")
    except Exception:
        log.exception("reenvío al asesor falló", extra={"escalamiento_id": escalamiento_id})
        return False
    async with servicios.almacen.escritura() as s:
        s.add(NotificacionAsesor(escalamiento_id=escalamiento_id, asesor_id=asesor.id,
                                 chat_id=str(chat), mensaje_id=str(enviado.message_id)))
    return True


async def enviar_a_asesor(servicios: Servicios, asesor_id: int, cuerpo_html: str) -> bool:
    """Un mensaje suelto a un asesor por Telegram (recordatorios, avisos de cierre)."""
    bot = bot_telegram(servicios)
    if bot is None:
        return False
    async with servicios.almacen.lectura() as s:
        asesor = await s.get(Asesor, asesor_id)
    if asesor is None or not asesor.telegram_id or not asesor.activo:
        return False
    try:
        await bot.send_message(chat_id=int(asesor.telegram_id), text=cuerpo_html[:4096],
                               parse_mode="HTML")
    except Exception:
        log.exception("mensaje a asesor falló", extra={"asesor_id": asesor_id})
        return False
    return True
