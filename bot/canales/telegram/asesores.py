"""Comandos de asesores en Telegram (python-telegram-bot 22).

/vincular CODIGO · /pendientes · /tomar FOLIO · /cerrar [nota] · /nota TEXTO ·
/estado FOLIO NUEVO_ESTADO [comentario] · /caso FOLIO, y los botones Tomar / Ver caso.
Solo asesores vinculados y activos (`solo_asesores`), y solo sobre traspasos y casos de sus
estados (SRE: todos), con la misma regla que el panel: `repo.puede_atender_traspaso` y
`repo.filtro_traspasos` (el estado del caso, no el del perfil de la persona). Un número que no
es un id válido se trata como «no encontrado». El texto libre de un asesor con una
conversación tomada se reenvía al usuario.

Al estilo de los ejemplos de PTB: manejadores de módulo y los servicios compartidos en los
datos de la aplicación (`registrar_asesores` los guarda una vez; `servicios_de` los lee).
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import re
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.db.estados import TRASPASOS_CON_ASESOR, EstadoTraspaso
from bot.db.modelos import Asesor, Caso, Escalamiento, NotificacionAsesor, ahora
from bot.escalamiento import asesores as repo
from bot.escalamiento import avisos, casos, traspaso
from bot.escalamiento.resumen import NOMBRES_ESTATUS, NOMBRES_TRASPASO, referencia

if TYPE_CHECKING:
    from bot.escalamiento.servicios import ServiciosEscalamiento

Contexto = ContextTypes.DEFAULT_TYPE
Manejador = Callable[[Update, Contexto], Coroutine[Any, Any, None]]
ManejadorDeAsesor = Callable[[Update, Contexto, Asesor], Coroutine[Any, Any, None]]

SOLO_ASESORES = ("Este comando es solo para asesores registrados. Si usted es asesor, vincule "
                 "su cuenta con /vincular CODIGO (el código se lo da la coordinación).")
NO_ENCONTRADO = "No encontré ese caso entre los de sus estados."
ATIENDE = ("\n\n<b>Usted atiende esta conversación.</b> Lo que escriba aquí se envía a la "
           "persona. Si atiende varias, responda (reply) al mensaje de la persona. Termine con "
           "/cerrar [nota].")
_SERVICIOS = "servicios"
_REF_TRASPASO = re.compile(r"^T-?(\d+)$", re.IGNORECASE)
_asesores_telegram: set[str] = set()


# --- registro y servicios ---

def registrar_asesores(app: Application[Any, Any, Any, Any, Any, Any],
                       servicios: ServiciosEscalamiento) -> None:
    """Guarda los servicios en los datos de la aplicación y agrega los manejadores de asesor
    (el canal los registra antes que el de usuarios)."""
    app.bot_data[_SERVICIOS] = servicios
    privado = filters.ChatType.PRIVATE
    app.add_handlers([
        CommandHandler("vincular", vincular, filters=privado),
        CommandHandler("pendientes", pendientes, filters=privado),
        CommandHandler("tomar", tomar, filters=privado),
        CommandHandler("cerrar", cerrar, filters=privado),
        CommandHandler("nota", nota, filters=privado),
        CommandHandler("estado", estado, filters=privado),
        CommandHandler("caso", ver_caso, filters=privado),
        CallbackQueryHandler(boton_tomar, pattern=r"^esc:t:\d+\Z"),
        CallbackQueryHandler(boton_ver, pattern=r"^esc:"),
        MessageHandler(filters.TEXT & ~filters.COMMAND & privado & _DeAsesor(), texto_libre),
    ])


def servicios_de(context: Contexto) -> ServiciosEscalamiento:
    """Los servicios compartidos que `registrar_asesores` dejó en los datos de la aplicación."""
    servicios: ServiciosEscalamiento = context.bot_data[_SERVICIOS]
    return servicios


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


# --- decoradores ---

def solo_asesores(manejador: ManejadorDeAsesor) -> Manejador:
    """Pasa al manejador el asesor vinculado y activo; a cualquier otro le contesta
    SOLO_ASESORES."""

    @functools.wraps(manejador)
    async def envoltura(update: Update, context: Contexto) -> None:
        asesor = await _asesor_de(update, context)
        if asesor is None:
            await _responder(update, SOLO_ASESORES)
            return
        await manejador(update, context, asesor)

    return envoltura


def con_argumentos(minimo: int, uso: str) -> Callable[[Manejador], Manejador]:
    """Con menos de `minimo` argumentos, contesta cómo se usa el comando (y nada más)."""

    def decorador(manejador: Manejador) -> Manejador:
        @functools.wraps(manejador)
        async def envoltura(update: Update, context: Contexto) -> None:
            if len(_args(context)) < minimo:
                await _responder(update, uso)
                return
            await manejador(update, context)

        return envoltura

    return decorador


def contestar_boton(manejador: Manejador) -> Manejador:
    """Contesta el botón (quita el «cargando») antes de atenderlo."""

    @functools.wraps(manejador)
    async def envoltura(update: Update, context: Contexto) -> None:
        if update.callback_query is not None:
            await update.callback_query.answer()
        await manejador(update, context)

    return envoltura


# --- comandos ---

async def vincular(update: Update, context: Contexto) -> None:
    """/vincular CODIGO: liga esta cuenta de Telegram al asesor dueño del código."""
    usuario = update.effective_user
    if usuario is None:
        return
    try:
        async with servicios_de(context).almacen.escritura() as s:
            asesor = await repo.vincular(s, (_args(context) or [""])[0], usuario.id)
    except repo.DemasiadosIntentos:
        await _responder(update, "Demasiados intentos con códigos que no son válidos. Espere "
                                 "24 horas o pida ayuda a la coordinación.")
        return
    if asesor is None:
        await _responder(update, "Ese código no es válido, ya se usó o venció (vale 24 horas). "
                                 "Pida uno nuevo a la coordinación.")
        return
    _asesores_telegram.add(str(usuario.id))
    await _responder(update, f"Listo, {_e(asesor.nombre)}: su cuenta quedó vinculada. "
                             "Use /pendientes para ver las solicitudes en espera.")


@solo_asesores
async def pendientes(update: Update, context: Contexto, asesor: Asesor) -> None:
    """/pendientes: las solicitudes en espera de sus estados, con un botón «Tomar» cada una."""
    async with servicios_de(context).almacen.lectura() as s:
        filas = await _en_espera(s, asesor)
    if not filas:
        await _responder(update, "No hay solicitudes en espera en sus estados.")
        return
    lineas = [_linea_en_espera(esc, ref) for esc, ref in filas]
    await _responder(update, "<b>En espera</b>\n" + "\n".join(lineas),
                     _teclado_tomar([(esc.id, ref) for esc, ref in filas]))


@con_argumentos(1, "Escriba el folio o la referencia: /tomar FOLIO")
@solo_asesores
async def tomar(update: Update, context: Contexto, asesor: Asesor) -> None:
    """/tomar FOLIO: toma la solicitud en espera (por folio, «T-12» o «12»)."""
    await _tomar(update, context, asesor, _args(context)[0])


@solo_asesores
async def cerrar(update: Update, context: Contexto, asesor: Asesor) -> None:
    """/cerrar [nota]: termina la conversación que atiende; la persona vuelve con el
    asistente."""
    servicios = servicios_de(context)
    async with servicios.almacen.escritura() as s:
        esc = await activo_de(s, asesor, _responde_a(update))
        if esc is None:
            respuesta = "No tiene conversaciones abiertas."
        else:
            ref = referencia(esc, await _caso_de(s, esc))
            await traspaso.cerrar(servicios, s, esc, asesor, " ".join(_args(context)) or None)
            respuesta = f"Cerró {_e(ref)}. La persona vuelve con el asistente."
    await _responder(update, respuesta)


@solo_asesores
async def nota(update: Update, context: Contexto, asesor: Asesor) -> None:
    """/nota TEXTO: nota interna en la conversación que atiende (la persona no la ve)."""
    async with servicios_de(context).almacen.escritura() as s:
        esc = await activo_de(s, asesor, _responde_a(update))
        if esc is None:
            respuesta = "No tiene conversaciones abiertas para anotar."
        else:
            respuesta = await _anotar(s, esc, asesor, " ".join(_args(context)))
    await _responder(update, respuesta)


@con_argumentos(2, "Uso: /estado FOLIO NUEVO_ESTADO [comentario]")
@solo_asesores
async def estado(update: Update, context: Contexto, asesor: Asesor) -> None:
    """/estado FOLIO NUEVO_ESTADO [comentario]: cambia el estatus del caso y avisa a la
    persona."""
    folio, nuevo, *comentario = _args(context)
    servicios = servicios_de(context)
    async with servicios.almacen.escritura() as s:
        caso = await casos.caso_por_folio(s, folio, asesor)
        respuesta = NO_ENCONTRADO if caso is None else await _cambiar_estatus(
            servicios, s, caso, asesor, nuevo, " ".join(comentario) or None)
    await _responder(update, respuesta)


@con_argumentos(1, "Uso: /caso FOLIO")
@solo_asesores
async def ver_caso(update: Update, context: Contexto, asesor: Asesor) -> None:
    """/caso FOLIO: la ficha del caso (estatus, documentos, últimos movimientos)."""
    async with servicios_de(context).almacen.lectura() as s:
        caso = await casos.caso_por_folio(s, _args(context)[0], asesor)
        cuerpo = NO_ENCONTRADO if caso is None else await _ficha_caso(s, caso, asesor)
    await _responder(update, cuerpo)


# --- botones y texto libre ---

@contestar_boton
@solo_asesores
async def boton_tomar(update: Update, context: Contexto, asesor: Asesor) -> None:
    """Botón «Tomar» («esc:t:ID») de un aviso o de /pendientes."""
    await _tomar(update, context, asesor, _id_del_boton(update) or 0)


@contestar_boton
@solo_asesores
async def boton_ver(update: Update, context: Contexto, asesor: Asesor) -> None:
    """Botón «Ver caso» («esc:v:ID»): la ficha del caso, o el aviso si no hay caso."""
    esc_id = _id_del_boton(update)
    async with servicios_de(context).almacen.lectura() as s:
        esc = await _traspaso(s, asesor, esc_id)
        if esc is None:
            cuerpo = NO_ENCONTRADO
        else:
            caso = await _caso_de(s, esc)
            cuerpo = (await _ficha_caso(s, caso, asesor) if caso is not None
                      else await avisos.texto_aviso(s, esc, "nuevo"))
    await _responder(update, cuerpo)


async def texto_libre(update: Update, context: Contexto) -> None:
    """Lo que escribe un asesor va a la persona de la conversación que atiende (la del
    mensaje al que responde, o la última). A quien ya no es asesor no se le contesta."""
    mensaje = update.effective_message
    if mensaje is None or not mensaje.text:
        return
    asesor = await _asesor_de(update, context)
    if asesor is None:
        return
    servicios = servicios_de(context)
    async with servicios.almacen.escritura() as s:
        esc = await activo_de(s, asesor, _responde_a(update))
        if esc is None:
            respuesta: str | None = "No tiene conversaciones abiertas. Use /pendientes."
        else:
            respuesta = await _reenviar(servicios, s, esc, asesor, mensaje.text)
    if respuesta is not None:
        await _responder(update, respuesta)


# --- acciones ---

async def _tomar(update: Update, context: Contexto, asesor: Asesor, ref: str | int) -> None:
    """Toma la solicitud (por id o por referencia) si sigue en espera y es de sus estados
    (un id 0 no existe: es lo que llega de un botón con un número que no es id)."""
    servicios = servicios_de(context)
    async with servicios.almacen.escritura() as s:
        esc = await (_traspaso(s, asesor, ref) if isinstance(ref, int)
                     else _por_referencia(s, ref, asesor))
        if esc is None:
            respuesta = NO_ENCONTRADO
        elif esc.estado != EstadoTraspaso.SOLICITADA:
            respuesta = await _ya_no_espera(s, esc, asesor)
        else:
            toma = await traspaso.tomar(servicios, s, esc.id, asesor)
            respuesta = (await avisos.texto_aviso(s, esc, "nuevo") + ATIENDE if toma.gano
                         else f"Se le adelantó {_e(toma.tomado_por or 'otra persona')}.")
    await _responder(update, respuesta)


async def _ya_no_espera(s: AsyncSession, esc: Escalamiento, asesor: Asesor) -> str:
    """Por qué no se puede tomar: en qué estado está y quién la tiene."""
    otro = await s.get(Asesor, esc.asesor_id) if esc.asesor_id else None
    quien = "usted" if otro is not None and otro.id == asesor.id else (
        otro.nombre if otro else "nadie")
    return (f"Esa solicitud ya no está en espera ({_e(NOMBRES_TRASPASO[esc.estado])}; "
            f"la tiene {_e(quien)}).")


async def _anotar(s: AsyncSession, esc: Escalamiento, asesor: Asesor, contenido: str) -> str:
    """Guarda la nota del traspaso; la respuesta para el asesor."""
    try:
        await casos.anotar_traspaso(s, esc, asesor, contenido)
    except casos.CambioInvalido as error:
        return _e(error)
    return "Nota guardada (la persona no la ve)."


async def _cambiar_estatus(servicios: ServiciosEscalamiento, s: AsyncSession, caso: Caso,
                           asesor: Asesor, nuevo: str, comentario: str | None) -> str:
    """Cambia el estatus del caso; la respuesta para el asesor."""
    try:
        await casos.cambiar_estatus(servicios, s, caso, nuevo, asesor, comentario)
    except casos.CambioInvalido as error:
        return _e(error)
    return (f"{_e(caso.folio)} ahora está «{_e(NOMBRES_ESTATUS[caso.estatus])}». "
            "Avisé a la persona.")


async def _reenviar(servicios: ServiciosEscalamiento, s: AsyncSession, esc: Escalamiento,
                    asesor: Asesor, texto: str) -> str | None:
    """Envía el texto a la persona; si no se puede, el motivo para el asesor."""
    try:
        await traspaso.responder(servicios, s, esc, asesor, texto)
    except traspaso.TraspasoError as error:
        return _e(error)
    return None


# --- consultas ---

async def _asesor_de(update: Update, context: Contexto) -> Asesor | None:
    """El asesor activo vinculado a quien escribe (y la lista del filtro de texto, al día)."""
    usuario = update.effective_user
    if usuario is None:
        return None
    async with servicios_de(context).almacen.lectura() as s:
        asesor = await repo.por_telegram(s, usuario.id)
    if asesor is None:
        _asesores_telegram.discard(str(usuario.id))
    else:
        _asesores_telegram.add(str(usuario.id))
    return asesor


async def _traspaso(s: AsyncSession, asesor: Asesor, esc_id: int | None
                    ) -> Escalamiento | None:
    """El traspaso con ese id si existe y el asesor lo puede atender (la regla del panel)."""
    esc = await s.get(Escalamiento, esc_id) if esc_id else None
    if esc is None:
        return None
    caso = await _caso_de(s, esc)
    if not repo.puede_atender_traspaso(asesor, esc.estado_id,
                                       caso.estado_id if caso is not None else None):
        return None
    return esc


async def activo_de(s: AsyncSession, asesor: Asesor, responde_a: int | None = None
                    ) -> Escalamiento | None:
    """La conversación que atiende el asesor (y que sigue siendo de sus estados): la del
    mensaje al que responde, o la última."""
    abiertos = (Escalamiento.asesor_id == asesor.id,
                Escalamiento.estado.in_(TRASPASOS_CON_ASESOR), repo.filtro_traspasos(asesor))
    if responde_a is not None:
        aviso = await s.scalar(select(NotificacionAsesor).where(
            NotificacionAsesor.asesor_id == asesor.id,
            NotificacionAsesor.mensaje_id == str(responde_a)))
        if aviso is not None:
            esc = await s.scalar(select(Escalamiento).where(
                Escalamiento.id == aviso.escalamiento_id, *abiertos))
            if esc is not None:
                return esc
    return await s.scalar(select(Escalamiento).where(*abiertos)
                          .order_by(Escalamiento.tomado_en.desc(), Escalamiento.id.desc())
                          .limit(1))


async def _por_referencia(s: AsyncSession, ref: str, asesor: Asesor) -> Escalamiento | None:
    """Traspaso por «T-12», «12» o folio del caso (el abierto más reciente)."""
    ref = ref.strip()
    coincide = _REF_TRASPASO.match(ref)
    if coincide or ref.isdigit():
        return await _traspaso(s, asesor, repo.id_valido(coincide.group(1) if coincide else ref))
    caso = await s.scalar(select(Caso).where(Caso.folio == ref.upper()[:40]))
    esc = None if caso is None else await s.scalar(
        select(Escalamiento).where(Escalamiento.caso_id == caso.id)
        .order_by(Escalamiento.id.desc()).limit(1))
    return None if esc is None else await _traspaso(s, asesor, esc.id)


async def _en_espera(s: AsyncSession, asesor: Asesor) -> list[tuple[Escalamiento, str]]:
    """Las 20 solicitudes en espera más antiguas que el asesor puede ver, con su referencia."""
    filas = (await s.scalars(select(Escalamiento).where(
        Escalamiento.estado == EstadoTraspaso.SOLICITADA, repo.filtro_traspasos(asesor))
        .order_by(Escalamiento.solicitado_en).limit(20))).all()
    return [(esc, referencia(esc, await _caso_de(s, esc))) for esc in filas]


async def _caso_de(s: AsyncSession, esc: Escalamiento) -> Caso | None:
    return await s.get(Caso, esc.caso_id) if esc.caso_id else None


async def _ficha_caso(s: AsyncSession, caso: Caso, asesor: Asesor) -> str:
    """Estatus, lugar, contraparte, documentos, últimos movimientos y estatus siguientes."""
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


# --- utilidades ---

def _args(context: Contexto) -> list[str]:
    return context.args or []


def _id_del_boton(update: Update) -> int | None:
    """El ID de un botón «esc:ACCION:ID» (None si no es un id válido)."""
    datos = update.callback_query.data if update.callback_query else None
    return repo.id_valido(((datos or "").split(":", 2) + ["", ""])[2])


def _responde_a(update: Update) -> int | None:
    mensaje = update.effective_message
    if mensaje is None or mensaje.reply_to_message is None:
        return None
    return mensaje.reply_to_message.message_id


async def _responder(update: Update, cuerpo: str, teclado: Any = None) -> None:
    mensaje = update.effective_message
    if mensaje is not None:
        await mensaje.reply_text(cuerpo[:4096], parse_mode="HTML", reply_markup=teclado)


def _linea_en_espera(esc: Escalamiento, ref: str) -> str:
    minutos = int((ahora() - _utc(esc.solicitado_en)).total_seconds() // 60)
    return f"• <b>{_e(ref)}</b> — {_e(esc.motivo.replace('_', ' '))}, espera {minutos} min"


def _teclado_tomar(ids: list[tuple[int, str]]) -> InlineKeyboardMarkup | None:
    if not ids:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(f"Tomar {ref}", callback_data=f"esc:t:{i}")]
                                 for i, ref in ids[:10]])


def _e(valor: Any) -> str:
    return html.escape(str(valor))


def _utc(momento: dt.datetime) -> dt.datetime:
    return momento if momento.tzinfo else momento.replace(tzinfo=dt.timezone.utc)
