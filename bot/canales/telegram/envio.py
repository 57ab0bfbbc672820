"""Envío de respuestas neutrales por Telegram: HTML, teclado en línea, documentos, trozos.

`enviar_respuesta` hace las llamadas a la Bot API para una respuesta; los límites (ritmo por
chat, global, 429 con `retry_after`) los pone el limitador de la Application. `vaciar_bandeja`
envía la bandeja de un usuario: una falla pasajera (`transitoria`: red, tiempo agotado, 5xx, 429
tras los reintentos del limitador) queda para reintentar; un 403 marca el bloqueo; otro rechazo
(400: chat inexistente…) es definitivo. `EmisorTelegram` implementa el protocolo `Emisor` para
mensajes que salen sin que el usuario haya escrito.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Awaitable, Callable, Sequence

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.canales import formato, payloads
from bot.db.estados import EstadoEnvio
from bot.db.sesion import Almacen
from bot.documentos.almacen import AlmacenDocumentos
from bot.motor import bandeja_salida
from bot.motor.bandeja_salida import Anotador, Avance, Pendiente
from bot.nucleo.emisores import ResultadoEnvio
from bot.nucleo.mensajes import Boton, Respuesta

log = logging.getLogger(__name__)
LIMITE_CALLBACK = 64
SIN_VISTA_PREVIA = LinkPreviewOptions(is_disabled=True)
TEXTO_SOLO_BOTONES = "Elija una opción:"


async def teclado(almacen: Almacen, botones: list[Boton]) -> InlineKeyboardMarkup | None:
    """Teclado en línea, un botón por fila; los payloads largos se guardan en el servidor."""
    if not botones:
        return None
    datos = await payloads.comprimir(almacen, [b.payload for b in botones], LIMITE_CALLBACK)
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.titulo[:64], callback_data=d)]
         for b, d in zip(botones, datos, strict=True)]
    )


async def _texto(bot: Bot, chat_id: int, html: str, plano: str,
                 marcado: InlineKeyboardMarkup | None) -> None:
    try:
        await bot.send_message(chat_id, html, parse_mode=ParseMode.HTML, reply_markup=marcado,
                               link_preview_options=SIN_VISTA_PREVIA)
    except BadRequest as error:
        if "parse" not in str(error).lower():
            raise
        log.warning("Telegram rechazó el HTML; se envía como texto simple")
        await bot.send_message(chat_id, plano, reply_markup=marcado,
                               link_preview_options=SIN_VISTA_PREVIA)


def transitoria(error: TelegramError) -> bool:
    """¿Falla pasajera que vale reintentar? Red, tiempo agotado, 5xx o 429 (TimedOut y los 5xx
    son NetworkError; un 400 también lo es, pero es definitivo)."""
    return isinstance(error, RetryAfter) or (
        isinstance(error, NetworkError) and not isinstance(error, BadRequest))


async def enviar_respuesta(bot: Bot, almacen: Almacen, chat_id: int, respuesta: Respuesta,
                           avance: Avance | None = None) -> None:
    """Envía una respuesta: texto en trozos de ≤ 4096, teclado en el último, y el documento.

    Con `avance`, se salta las llamadas que ya salieron y cuenta las que salen."""
    marcado = await teclado(almacen, respuesta.botones)
    texto = respuesta.texto.strip()
    if not texto and marcado is not None and respuesta.documento is None:
        texto = TEXTO_SOLO_BOTONES
    documento = respuesta.documento
    leyenda = None
    if documento is not None and texto and len(texto) <= formato.LIMITE_LEYENDA_TELEGRAM - 40:
        leyenda, texto = formato.html_telegram(texto, respuesta.enlace), ""
    llamadas: list[Callable[[], Awaitable[object]]] = []
    if texto:
        piezas = formato.piezas_telegram(texto, respuesta.enlace)
        for i, pieza in enumerate(piezas):
            ultimo = i == len(piezas) - 1
            llamadas.append(functools.partial(
                _texto, bot, chat_id, pieza.html, pieza.plano,
                marcado if ultimo and documento is None else None))
    if documento is not None:
        llamadas.append(functools.partial(
            bot.send_document,
            chat_id, InputFile(documento.contenido, filename=documento.nombre),
            caption=leyenda, parse_mode=ParseMode.HTML if leyenda else None,
            reply_markup=marcado,
        ))
    await (avance or Avance()).correr(llamadas)


async def enviar_respuestas(bot: Bot, almacen: Almacen, chat_id: int,
                            respuestas: list[Respuesta]) -> None:
    """Envía varias respuestas en orden."""
    for respuesta in respuestas:
        await enviar_respuesta(bot, almacen, chat_id, respuesta)


async def vaciar_bandeja(bot: Bot, anotador: Anotador, documentos: AlmacenDocumentos,
                         id_usuario: str, reclamados: Sequence[Pendiente] = (),
                         revisar: bool = True) -> None:
    """Envía en orden los ya `reclamados` y, con `revisar`, lo que reclame de la bandeja del
    usuario (respuestas y mensajes de asesores).

    Un 403 lo marca como bloqueado (y lo que queda, `fallido`); una falla pasajera aplaza el
    mensaje y devuelve a la cola los siguientes; otro rechazo lo marca `fallido`."""
    almacen = anotador.almacen
    pendientes = await bandeja_salida.por_enviar(almacen, documentos, "telegram", id_usuario,
                                                 reclamados, revisar)
    for i, pendiente in enumerate(pendientes):
        avance = Avance(pendiente.partes)
        try:
            await enviar_respuesta(bot, almacen, int(id_usuario), pendiente.respuesta, avance)
        except Forbidden:
            log.info("el usuario bloqueó al bot", extra={"usuario": id_usuario})
            await bandeja_salida.marcar_bloqueo(almacen, "telegram", id_usuario, True)
            await bandeja_salida.marcar(almacen, [p.mensaje_id for p in pendientes[i:]],
                                         EstadoEnvio.FALLIDO)
            return
        except TelegramError as error:
            if transitoria(error):
                if await bandeja_salida.posponer_desde(almacen, pendientes, i, avance.hechas):
                    return
                continue
            log.warning("Telegram rechazó el envío: %s", error,
                        extra={"mensaje_id": pendiente.mensaje_id})
            await bandeja_salida.marcar(almacen, [pendiente.mensaje_id], EstadoEnvio.FALLIDO)
            continue
        anotador.enviado(pendiente.mensaje_id)


class EmisorTelegram:
    """Envía por Telegram lo que sale sin que el usuario haya escrito (asesor, estatus)."""

    def __init__(self, bot: Bot, almacen: Almacen) -> None:
        self.bot = bot
        self.almacen = almacen

    async def enviar(
        self,
        id_usuario: str,
        respuestas: list[Respuesta],
        ultimo_mensaje_usuario: dt.datetime | None,
        plantilla: str | None = None,
    ) -> ResultadoEnvio:
        """Envía; Telegram no tiene ventana de 24 h, así que `plantilla` no se usa. Una falla
        pasajera da `reintentar` (el relé la deja a la bandeja)."""
        del ultimo_mensaje_usuario, plantilla
        try:
            await enviar_respuestas(self.bot, self.almacen, int(id_usuario), respuestas)
        except Forbidden as error:
            await bandeja_salida.marcar_bloqueo(self.almacen, "telegram", id_usuario, True)
            return ResultadoEnvio(EstadoEnvio.BLOQUEADO, str(error))
        except TelegramError as error:
            log.warning("envío por Telegram fallido: %s", error, extra={"usuario": id_usuario})
            return ResultadoEnvio(
                EstadoEnvio.REINTENTAR if transitoria(error) else EstadoEnvio.FALLIDO, str(error))
        return ResultadoEnvio(EstadoEnvio.ENVIADO)
