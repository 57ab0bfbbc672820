"""Avisos a asesores: traspaso nuevo (con botones Tomar / Ver caso), edición de los avisos
cuando alguien toma, reenvío de lo que escribe el usuario y recordatorios.

Salen por `servicios.mensajero_asesores` (el canal de Telegram lo pone al arrancar); sin él
(solo panel web) los avisos se omiten y el panel muestra la cola."""

from __future__ import annotations

import html
import logging
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.estados import EstadoTraspaso
from bot.db.modelos import (
    Asesor,
    Caso,
    Conversacion,
    Documento,
    Escalamiento,
    Mensaje,
    NotificacionAsesor,
    Usuario,
)
from bot.escalamiento.enrutamiento import asesores_de_nivel
from bot.escalamiento.resumen import datos_resumen, nombre_usuario, referencia
from bot.escalamiento.servicios import BotonesAviso
from bot.escalamiento.textos import texto

if TYPE_CHECKING:
    from bot.escalamiento.servicios import ServiciosEscalamiento

log = logging.getLogger(__name__)
TITULOS = {"nuevo": "Solicitud de atención", "recordatorio": "Recordatorio: sigue sin respuesta"}


async def texto_aviso(sesion: AsyncSession, escalamiento: Escalamiento, clase: str = "nuevo",
                      pie: str | None = None) -> str:
    """El aviso en HTML de Telegram (todo dato del usuario va escapado)."""
    datos = await datos_resumen(sesion, escalamiento)
    return texto("aviso_asesor.html.j2", titulo=TITULOS.get(clase, clase), pie=pie, **datos)[:4000]


async def avisar_solicitud(
    servicios: ServiciosEscalamiento,
    escalamiento_id: int, nivel: str | None = None, clase: str = "nuevo",
    solo_asesor_id: int | None = None,
) -> int:
    """Avisa a los asesores del nivel (o a uno) con el resumen; devuelve cuántos avisos salieron."""
    mensajero = servicios.mensajero_asesores
    if mensajero is None:
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
        con_tomar = esc.estado == EstadoTraspaso.SOLICITADA
    enviados: list[NotificacionAsesor] = []
    for persona in personas:
        if not persona.telegram_id:
            continue
        try:
            mensaje_id = await mensajero.enviar(str(persona.telegram_id), cuerpo,
                                                BotonesAviso(escalamiento_id, con_tomar))
        except Exception:
            log.exception("aviso a asesor falló", extra={"asesor_id": persona.id})
            continue
        enviados.append(NotificacionAsesor(
            escalamiento_id=escalamiento_id, asesor_id=persona.id,
            chat_id=str(persona.telegram_id), mensaje_id=mensaje_id))
    if enviados:
        async with servicios.almacen.escritura() as s:
            s.add_all(enviados)
    return len(enviados)


async def editar_avisos(servicios: ServiciosEscalamiento, escalamiento_id: int, pie_ganador: str,
                        pie_otros: str, ganador_id: int | None = None) -> None:
    """Edita los avisos del traspaso: quién lo tomó (o que ya no está en espera)."""
    mensajero = servicios.mensajero_asesores
    if mensajero is None:
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
            await mensajero.editar(aviso.chat_id, aviso.mensaje_id, cuerpos[pie],
                                   BotonesAviso(escalamiento_id, con_tomar=False))
        except Exception:  # el aviso pudo borrarse; no es grave
            log.warning("no se pudo editar un aviso", extra={"aviso_id": aviso.id})


async def reenviar_a_asesor(servicios: ServiciosEscalamiento,
                            escalamiento_id: int, mensaje_id: int) -> bool:
    """Lleva al asesor asignado (en Telegram) lo que escribió o envió el usuario."""
    mensajero = servicios.mensajero_asesores
    if mensajero is None:
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
            caso = await s.get(Caso, esc.caso_id)
        documento = await s.get(Documento, mensaje.adjunto_id) if mensaje.adjunto_id else None
        encabezado = (f"<b>{html.escape(nombre_usuario(usuario))}</b> "
                      f"({html.escape(referencia(esc, caso))}):")
    chat = str(asesor.telegram_id)
    try:
        if documento is not None:
            enviado = await mensajero.enviar_documento(
                chat, servicios.documentos.leer(documento.ruta), documento.nombre_archivo,
                encabezado)
        else:
            enviado = await mensajero.enviar(
                chat, f"{encabezado}\n{html.escape(mensaje.texto or '')}"[:4096])
    except Exception:
        log.exception("reenvío al asesor falló", extra={"escalamiento_id": escalamiento_id})
        return False
    async with servicios.almacen.escritura() as s:
        s.add(NotificacionAsesor(escalamiento_id=escalamiento_id, asesor_id=asesor.id,
                                 chat_id=chat, mensaje_id=enviado))
    return True


async def enviar_a_asesor(servicios: ServiciosEscalamiento,
                          asesor_id: int, cuerpo_html: str) -> bool:
    """Un mensaje suelto a un asesor por Telegram (recordatorios, avisos de cierre)."""
    mensajero = servicios.mensajero_asesores
    if mensajero is None:
        return False
    async with servicios.almacen.lectura() as s:
        asesor = await s.get(Asesor, asesor_id)
    if asesor is None or not asesor.telegram_id or not asesor.activo:
        return False
    try:
        await mensajero.enviar(str(asesor.telegram_id), cuerpo_html[:4096])
    except Exception:
        log.exception("mensaje a asesor falló", extra={"asesor_id": asesor_id})
        return False
    return True
