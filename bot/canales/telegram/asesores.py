"""Comandos de asesores en Telegram (python-telegram-bot 22).

/vincular CODIGO · /pendientes · /tomar FOLIO · /cerrar [nota] · /nota TEXTO ·
/estado FOLIO NUEVO_ESTADO [comentario] · /caso FOLIO, y los botones Tomar / Ver caso.
Solo asesores vinculados y activos, y solo sobre casos de sus estados (SRE: todos). El
texto libre de un asesor con una conversación tomada se reenvía al usuario.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.db.modelos import Asesor, Caso, Escalamiento, NotificacionAsesor, ahora
from bot.escalamiento import asesores as repo
from bot.escalamiento import avisos, casos, traspaso
from bot.escalamiento.resumen import NOMBRES_ESTATUS, NOMBRES_TRASPASO, referencia

if TYPE_CHECKING:
    from bot.escalamiento.servicios import ServiciosEscalamiento

SOLO_ASESORES = ("Este comando es solo para asesores registrados. Si usted es asesor, vincule "
                 "su cuenta con /vincular CODIGO (el código se lo da la coordinación).")
NO_ENCONTRADO = "No encontré ese caso entre los de sus estados."
_REF_TRASPASO = re.compile(r"^T-?(\d+)$", re.IGNORECASE)
_asesores_telegram: set[str] = set()


async def refrescar_asesores(servicios: ServiciosEscalamiento) -> None:
    """Relee qué cuentas de Telegram son de asesores activos (para el filtro de texto libre)."""
    async with servicios.almacen.lectura() as s:
        ids = await repo.telegram_ids_activos(s)
    _asesores_telegram.clear()
    _asesores_telegram.update(ids)


class _DeAsesor(filters.MessageFilter):
    """Mensajes de cuentas vinculadas a asesores activos (lista en memoria, se refresca)."""

    def filter(self, message: Message) -> bool:
        return message.from_user is not None and str(message.from_user.id) in _asesores_telegram


def _e(valor: Any) -> str:
    return html.escape(str(valor))


async def _responder(update: Update, cuerpo: str, teclado: Any = None) -> None:
    mensaje = update.effective_message
    if mensaje is not None:
        await mensaje.reply_text(cuerpo[:4096], parse_mode="HTML", reply_markup=teclado)


async def _asesor(s: AsyncSession, update: Update) -> Asesor | None:
    usuario = update.effective_user
    if usuario is None:
        return None
    asesor = await repo.por_telegram(s, usuario.id)
    if asesor is None:
        _asesores_telegram.discard(str(usuario.id))
    else:
        _asesores_telegram.add(str(usuario.id))
    return asesor


def _visible(asesor: Asesor) -> Any:
    if repo.ve_todo(asesor):
        return Escalamiento.id.is_not(None)
    return Escalamiento.estado_id.in_(repo.estados_ids(asesor) or {-1})


async def _por_referencia(s: AsyncSession, ref: str, asesor: Asesor) -> Escalamiento | None:
    """Traspaso por «T-12», «12» o folio del caso (el abierto más reciente)."""
    ref = ref.strip()
    coincide = _REF_TRASPASO.match(ref)
    if coincide or ref.isdigit():
        esc = await s.get(Escalamiento, int(coincide.group(1) if coincide else ref))
    else:
        caso = await s.scalar(select(Caso).where(Caso.folio == ref.upper()))
        esc = None if caso is None else await s.scalar(
            select(Escalamiento).where(Escalamiento.caso_id == caso.id)
            .order_by(Escalamiento.id.desc()).limit(1))
    if esc is None or not repo.autorizado(asesor, esc.estado_id):
        return None
    return esc


async def activo_de(s: AsyncSession, asesor: Asesor, responde_a: int | None = None
                    ) -> Escalamiento | None:
    """La conversación que atiende el asesor: la del mensaje al que responde, o la última."""
    if responde_a is not None:
        aviso = await s.scalar(select(NotificacionAsesor).where(
            NotificacionAsesor.asesor_id == asesor.id,
            NotificacionAsesor.mensaje_id == str(responde_a)))
        if aviso is not None:
            esc = await s.get(Escalamiento, aviso.escalamiento_id)
            if esc is not None and esc.asesor_id == asesor.id and esc.estado in ("tomada",
                                                                                 "atendida"):
                return esc
    return await s.scalar(select(Escalamiento).where(
        Escalamiento.asesor_id == asesor.id, Escalamiento.estado.in_(("tomada", "atendida")))
        .order_by(Escalamiento.tomado_en.desc(), Escalamiento.id.desc()).limit(1))


def _teclado_tomar(ids: list[tuple[int, str]]) -> InlineKeyboardMarkup | None:
    if not ids:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(f"Tomar {ref}", callback_data=f"esc:t:{i}")]
                                 for i, ref in ids[:10]])


def crear_manejadores(servicios: ServiciosEscalamiento) -> list[BaseHandler[Any, Any, Any]]:
    """Los manejadores de asesor, con `servicios` cerrado en cada uno."""
    almacen = servicios.almacen

    async def vincular(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        usuario = update.effective_user
        codigo = (context.args or [""])[0]
        if usuario is None:
            return
        async with almacen.escritura() as s:
            asesor = await repo.vincular(s, codigo, usuario.id)
        if asesor is None:
            await _responder(update, "Ese código no es válido o ya se usó. Pida uno nuevo a "
                                     "la coordinación.")
            return
        _asesores_telegram.add(str(usuario.id))
        await _responder(update, f"Listo, {_e(asesor.nombre)}: su cuenta quedó vinculada. "
                                 "Use /pendientes para ver las solicitudes en espera.")

    async def pendientes(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        async with almacen.lectura() as s:
            asesor = await _asesor(s, update)
            if asesor is None:
                await _responder(update, SOLO_ASESORES)
                return
            filas = (await s.scalars(select(Escalamiento).where(
                Escalamiento.estado == "solicitada", _visible(asesor))
                .order_by(Escalamiento.solicitado_en).limit(20))).all()
            lineas, botones = [], []
            for esc in filas:
                caso = await s.get(Caso, esc.caso_id) if esc.caso_id else None
                ref = referencia(esc, caso)
                minutos = int((ahora() - _utc(esc.solicitado_en)).total_seconds() // 60)
                lineas.append(f"• <b>{_e(ref)}</b> — {_e(esc.motivo.replace('_', ' '))}, "
                              f"espera {minutos} min")
                botones.append((esc.id, ref))
        if not lineas:
            await _responder(update, "No hay solicitudes en espera en sus estados.")
            return
        await _responder(update, "<b>En espera</b>\n" + "\n".join(lineas), _teclado_tomar(botones))

    async def _tomar(update: Update, esc_id: int | None, ref: str | None) -> None:
        async with almacen.escritura() as s:
            asesor = await _asesor(s, update)
            if asesor is None:
                await _responder(update, SOLO_ASESORES)
                return
            esc = (await _por_referencia(s, ref, asesor) if ref is not None
                   else await s.get(Escalamiento, esc_id or 0))
            if esc is None or not repo.autorizado(asesor, esc.estado_id):
                await _responder(update, NO_ENCONTRADO)
                return
            if esc.estado != "solicitada":
                otro = await s.get(Asesor, esc.asesor_id) if esc.asesor_id else None
                quien = "usted" if otro is not None and otro.id == asesor.id else (
                    otro.nombre if otro else "nadie")
                await _responder(update, f"Esa solicitud ya no está en espera "
                                         f"({_e(NOMBRES_TRASPASO[esc.estado])}; la tiene "
                                         f"{_e(quien)}).")
                return
            toma = await traspaso.tomar(servicios, s, esc.id, asesor)
            cuerpo = await avisos.texto_aviso(s, esc, "nuevo") if toma.gano else ""
        if not toma.gano:
            await _responder(update, f"Se le adelantó {_e(toma.tomado_por or 'otra persona')}.")
            return
        await _responder(update, cuerpo + "\n\n<b>Usted atiende esta conversación.</b> Lo que "
                         "escriba aquí se envía a la persona. Si atiende varias, responda "
                         "(reply) al mensaje de la persona. Termine con /cerrar [nota].")

    async def tomar(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not context.args:
            await _responder(update, "Escriba el folio o la referencia: /tomar FOLIO")
            return
        await _tomar(update, None, context.args[0])

    async def _que_atiende(s: AsyncSession, update: Update, sin_conversacion: str
                           ) -> tuple[Asesor, Escalamiento] | None:
        """El asesor y la conversación que atiende; si falta alguno, se lo dice y da None."""
        asesor = await _asesor(s, update)
        if asesor is None:
            await _responder(update, SOLO_ASESORES)
            return None
        esc = await activo_de(s, asesor, _responde_a(update))
        if esc is None:
            await _responder(update, sin_conversacion)
            return None
        return asesor, esc

    async def cerrar(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        nota = " ".join(context.args or []) or None
        async with almacen.escritura() as s:
            atendido = await _que_atiende(s, update, "No tiene conversaciones abiertas.")
            if atendido is None:
                return
            asesor, esc = atendido
            caso = await s.get(Caso, esc.caso_id) if esc.caso_id else None
            ref = referencia(esc, caso)
            await traspaso.cerrar(servicios, s, esc, asesor, nota)
        await _responder(update, f"Cerró {_e(ref)}. La persona vuelve con el asistente.")

    async def nota(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        contenido = " ".join(context.args or [])
        async with almacen.escritura() as s:
            atendido = await _que_atiende(s, update,
                                          "No tiene conversaciones abiertas para anotar.")
            if atendido is None:
                return
            asesor, esc = atendido
            try:
                await casos.anotar_traspaso(s, esc, asesor, contenido)
            except casos.CambioInvalido as error:
                await _responder(update, _e(error))
                return
        await _responder(update, "Nota guardada (la persona no la ve).")

    async def estado(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        args = context.args or []
        if len(args) < 2:
            await _responder(update, "Uso: /estado FOLIO NUEVO_ESTADO [comentario]")
            return
        async with almacen.escritura() as s:
            asesor = await _asesor(s, update)
            if asesor is None:
                await _responder(update, SOLO_ASESORES)
                return
            caso = await casos.caso_por_folio(s, args[0], asesor)
            if caso is None:
                await _responder(update, NO_ENCONTRADO)
                return
            try:
                await casos.cambiar_estatus(servicios, s, caso, args[1], asesor,
                                            " ".join(args[2:]) or None)
            except casos.CambioInvalido as error:
                await _responder(update, _e(error))
                return
            folio, nombre = caso.folio, NOMBRES_ESTATUS[caso.estatus]
        await _responder(update, f"{_e(folio)} ahora está «{_e(nombre)}». Avisé a la persona.")

    async def ver_caso(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not context.args:
            await _responder(update, "Uso: /caso FOLIO")
            return
        async with almacen.lectura() as s:
            asesor = await _asesor(s, update)
            if asesor is None:
                await _responder(update, SOLO_ASESORES)
                return
            caso = await casos.caso_por_folio(s, context.args[0], asesor)
            if caso is None:
                await _responder(update, NO_ENCONTRADO)
                return
            cuerpo = await _ficha_caso(s, caso, asesor)
        await _responder(update, cuerpo)

    async def botones(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        consulta = update.callback_query
        if consulta is None or not consulta.data:
            return
        _, accion, valor = (consulta.data.split(":", 2) + ["", ""])[:3]
        await consulta.answer()
        if accion == "t" and valor.isdigit():
            await _tomar(update, int(valor), None)
            return
        async with almacen.lectura() as s:
            asesor = await _asesor(s, update)
            if asesor is None:
                await _responder(update, SOLO_ASESORES)
                return
            esc = await s.get(Escalamiento, int(valor)) if valor.isdigit() else None
            if esc is None or not repo.autorizado(asesor, esc.estado_id):
                await _responder(update, NO_ENCONTRADO)
                return
            caso = await s.get(Caso, esc.caso_id) if esc.caso_id else None
            cuerpo = (await _ficha_caso(s, caso, asesor) if caso is not None
                      else await avisos.texto_aviso(s, esc, "nuevo"))
        await _responder(update, cuerpo)

    async def texto_libre(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        mensaje = update.effective_message
        if mensaje is None or not mensaje.text:
            return
        async with almacen.escritura() as s:
            asesor = await _asesor(s, update)
            if asesor is None:
                return
            esc = await activo_de(s, asesor, _responde_a(update))
            if esc is None:
                await _responder(update, "No tiene conversaciones abiertas. Use /pendientes.")
                return
            try:
                await traspaso.responder(servicios, s, esc, asesor, mensaje.text)
            except traspaso.TraspasoError as error:
                await _responder(update, _e(error))

    privado = filters.ChatType.PRIVATE
    return [
        CommandHandler("vincular", vincular, filters=privado),
        CommandHandler("pendientes", pendientes, filters=privado),
        CommandHandler("tomar", tomar, filters=privado),
        CommandHandler("cerrar", cerrar, filters=privado),
        CommandHandler("nota", nota, filters=privado),
        CommandHandler("estado", estado, filters=privado),
        CommandHandler("caso", ver_caso, filters=privado),
        CallbackQueryHandler(botones, pattern=r"^esc:"),
        MessageHandler(filters.TEXT & ~filters.COMMAND & privado & _DeAsesor(), texto_libre),
    ]


def manejadores_asesor(servicios: ServiciosEscalamiento) -> list[BaseHandler[Any, Any, Any]]:
    """Los manejadores que el canal de Telegram agrega antes del manejador de usuarios."""
    return crear_manejadores(servicios)


def _responde_a(update: Update) -> int | None:
    mensaje = update.effective_message
    if mensaje is None or mensaje.reply_to_message is None:
        return None
    return mensaje.reply_to_message.message_id


def _utc(momento: Any) -> Any:
    import datetime as dt

    return momento if momento.tzinfo else momento.replace(tzinfo=dt.timezone.utc)


async def _ficha_caso(s: AsyncSession, caso: Caso, asesor: Asesor) -> str:
    caso = await s.scalar(select(Caso).options(
        selectinload(Caso.estado), selectinload(Caso.municipio), selectinload(Caso.eventos),
        selectinload(Caso.documentos)).where(Caso.id == caso.id)) or caso
    eventos = caso.eventos[-5:]
    lineas = [
        f"<b>Caso {_e(caso.folio)}</b> · {_e(NOMBRES_ESTATUS.get(caso.estatus, caso.estatus))}",
        f"{_e(caso.municipio.nombre)}, {_e(caso.estado.nombre)}",
        f"{_e(caso.tipo.replace('_', ' '))} con {_e(caso.ciudad_contraparte)}, "
        f"{_e(caso.pais_contraparte)}",
        f"Documentos: {len(caso.documentos)}",
    ]
    if eventos:
        lineas.append("\n<b>Últimos movimientos</b>")
        lineas += [f"• {_utc(ev.creado_en):%d/%m %H:%M} {_e(ev.tipo.replace('_', ' '))}"
                   f"{': ' + _e(ev.descripcion[:120]) if ev.descripcion else ''}"
                   for ev in eventos]
    posibles = casos.siguientes(caso, asesor)
    if posibles:
        lineas.append(f"\nPuede pasar a: {_e(', '.join(posibles))} "
                      f"(/estado {_e(caso.folio)} NUEVO_ESTADO)")
    return "\n".join(lineas)
