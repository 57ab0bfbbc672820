"""El canal Telegram: la Application de PTB, sus manejadores y su arranque (sondeo o webhook).

El manejador de usuarios solo traduce: update → `MensajeEntrante` → motor (que guarda primero,
descarta reenvíos y vuelve en cuanto el mensaje quedó guardado: el webhook contesta 200 sin
esperar al NLU ni a los documentos) → repartidor, que recibe cada tanda de respuestas al
confirmarse y las envía en orden. Antes
que él van los manejadores de asesores del módulo de escalamiento, si existe. Al arrancar
(sondeo o webhook), el barrido de la bandeja envía lo que quedó guardado sin enviar antes de
un reinicio (y vuelve a mirar periódicamente).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import Message, Update
from telegram.error import InvalidToken, NetworkError, TelegramError, TimedOut
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.canales.servicios import ServiciosCanal
from bot.canales.telegram.ajustes import url_archivos, validar_secreto
from bot.canales.telegram.asesores import refrescar_asesores, registrar_asesores
from bot.canales.telegram.envio import EmisorTelegram, vaciar_bandeja
from bot.canales.telegram.limitador import LimitadorTelegram
from bot.canales.telegram.mensajero import MensajeroTelegram
from bot.canales.telegram.peticiones import PeticionesAiohttp
from bot.canales.telegram.procesador import ProcesadorPorChat
from bot.canales.telegram.traduccion import ArchivoGrande, a_entrante
from bot.config import Ajustes
from bot.motor.bandeja_salida import Anotador, Barrido, Pendiente, Repartidor

log = logging.getLogger(__name__)
ACTUALIZACIONES = ["message", "callback_query"]
TEXTO_ARCHIVO_GRANDE = ("El archivo «{nombre}» pesa más de {limite} MB y no lo puedo recibir. "
                        "¿Me lo puede enviar en un archivo más ligero?")


def _ids_enteros(update: Update) -> bool:
    """¿Son enteros los ids de chat, usuario y mensaje? (PTB no revisa los tipos del JSON)."""
    ids: list[object] = [o.id for o in (update.effective_chat, update.effective_user)
                         if o is not None]
    if update.effective_message is not None:
        ids.append(update.effective_message.message_id)
    return all(isinstance(i, int) and not isinstance(i, bool) for i in ids)


class CanalTelegram:
    """La Application de PTB con sus límites, el repartidor y el emisor del canal."""

    def __init__(self, servicios: ServiciosCanal, config: Ajustes) -> None:
        self.servicios = servicios
        self.config = config
        self.secreto = ""
        tg = config.telegram
        self.modo = tg.modo
        self.app: Application[Any, Any, Any, Any, Any, Any] = (
            ApplicationBuilder()
            .token(tg.token)
            .base_url(tg.api_url)
            .base_file_url(url_archivos(tg.api_url, tg.api_file_url))
            .rate_limiter(LimitadorTelegram(tg.ritmo_chat_s, tg.global_por_s, tg.reintentos))
            .concurrent_updates(ProcesadorPorChat())
            .request(PeticionesAiohttp(conexiones=64, fila_s=15))
            .get_updates_request(PeticionesAiohttp(conexiones=1))
            .build()
        )
        self.repartidor = Repartidor(self._vaciar)
        self.anotador = Anotador(servicios.almacen)
        self.barrido = Barrido(servicios.almacen, "telegram", self.repartidor,
                               config.bandeja_barrido_s)
        self._fallidos: set[int] = set()
        self._en_respuesta: dict[int, dict[str, Any]] = {}
        self._arranque: asyncio.Task[None] | None = None
        self._refresco: asyncio.Task[None] | None = None
        self._inicializada = False
        self.listo = asyncio.Event()
        registrar_asesores(self.app, servicios)
        privado = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
        self.app.add_handler(MessageHandler(privado, self._atender))
        self.app.add_handler(CallbackQueryHandler(self._atender))
        self.app.add_error_handler(self._error)
        servicios.mensajero_asesores = MensajeroTelegram(self.app.bot)
        servicios.emisores.registrar("telegram", EmisorTelegram(self.app.bot, servicios.almacen))

    # --- manejadores ---

    async def _atender(self, update: Update, contexto: ContextTypes.DEFAULT_TYPE) -> None:
        del contexto
        try:
            await self._contestar_boton(update)
            entrante = await a_entrante(update, self.servicios.almacen,
                                        self.config.documento_max_bytes)
            if entrante is None:
                return
            if isinstance(entrante, ArchivoGrande):
                limite = self.config.documento_max_bytes // (1024 * 1024)
                await self.app.bot.send_message(
                    int(entrante.id_usuario),
                    TEXTO_ARCHIVO_GRANDE.format(nombre=entrante.nombre, limite=limite))
                return
            # Vuelve con el mensaje guardado (si lo tenía bloqueado, ya no); las respuestas
            # le llegan al repartidor al confirmarse.
            await self.servicios.motor.procesar_y_reclamar(
                entrante, self.repartidor.para(entrante.id_usuario))
        except Exception:
            self._fallidos.add(update.update_id)
            raise

    async def _contestar_boton(self, update: Update) -> None:
        """Contesta el callback (quita el «cargando») y retira el teclado ya usado. Por
        webhook, la respuesta va en el cuerpo del 200 (Telegram la ejecuta: una llamada menos
        a la Bot API por botón)."""
        consulta = update.callback_query
        if consulta is None:
            return
        try:
            if self.modo == "webhook":
                self._en_respuesta[update.update_id] = {
                    "method": "answerCallbackQuery", "callback_query_id": consulta.id}
            else:
                await consulta.answer()
            if isinstance(consulta.message, Message) and consulta.message.reply_markup:
                await consulta.edit_message_reply_markup(reply_markup=None)
        except TelegramError as error:  # un callback reenviado ya no se puede contestar
            log.info("no se pudo contestar el botón: %s", error)

    async def _error(self, update: object, contexto: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("error al atender un update de Telegram", exc_info=contexto.error)

    async def _vaciar(self, id_usuario: str, reclamados: list[Pendiente], revisar: bool) -> None:
        await vaciar_bandeja(self.app.bot, self.anotador, self.servicios.documentos,
                             id_usuario, reclamados, revisar)

    # --- webhook ---

    def leer(self, datos: dict[str, Any]) -> Update:
        """El update de PTB a partir del JSON (ValueError si no tiene la forma de uno)."""
        try:
            update = Update.de_json(datos, self.app.bot)
        except Exception as error:  # PTB falla con KeyError, TypeError, AttributeError…
            raise ValueError(f"update mal formado: {error!r}") from error
        if not _ids_enteros(update):
            raise ValueError("update mal formado: ids de chat, usuario o mensaje no enteros")
        return update

    async def recibir(self, update: Update) -> tuple[bool, dict[str, Any] | None]:
        """Procesa un update llegado por webhook: (¿quedó guardado?, el método de la Bot API
        que va en el cuerpo de la respuesta, si hay). Sin guardar, Telegram debe reintentar."""
        await self.app.update_processor.process_update(update, self.app.process_update(update))
        fallo = update.update_id in self._fallidos
        self._fallidos.discard(update.update_id)
        return not fallo, self._en_respuesta.pop(update.update_id, None)

    # --- ciclo de vida ---

    async def iniciar(self) -> None:
        """Arranca según TELEGRAM_MODO (webhook exige un secreto propio)."""
        if self.modo == "webhook":
            self.secreto = validar_secreto(self.config.telegram.webhook_secret)
        self._arranque = asyncio.create_task(self._arrancar())

    async def _arrancar(self) -> None:
        espera = 1.0
        while True:
            try:
                await self.app.initialize()
                self._inicializada = True
                break
            except InvalidToken:
                log.error("TELEGRAM_TOKEN no es válido: el canal Telegram no arranca")
                return
            except (NetworkError, TimedOut) as error:
                log.warning("Telegram no responde (%s); reintento en %.0f s", error, espera)
                await asyncio.sleep(espera)
                espera = min(espera * 2, 60)
        await self.app.start()
        self.listo.set()
        if self.modo == "webhook":
            if self.config.telegram.webhook_url:
                await self.registrar_webhook(self.config.telegram.webhook_url)
        elif self.app.updater is not None:
            await self.app.updater.start_polling(allowed_updates=ACTUALIZACIONES)
        self.barrido.iniciar()  # lo que quedó sin enviar antes de un reinicio
        self._refresco = asyncio.create_task(self._refrescar_asesores())
        log.info("canal Telegram activo", extra={"modo": self.modo})

    async def _refrescar_asesores(self, intervalo: float = 30.0) -> None:
        """Relee cada `intervalo` s qué cuentas son de asesores activos (filtro de texto)."""
        while True:
            try:
                await refrescar_asesores(self.servicios)
            except Exception:  # noqa: BLE001 — se reintenta en la siguiente vuelta
                log.exception("no se pudo releer la lista de asesores")
            await asyncio.sleep(intervalo)

    async def registrar_webhook(self, url: str) -> None:
        """Registra el webhook en Telegram con el secreto (y solo los updates que se usan)."""
        secreto = validar_secreto(self.config.telegram.webhook_secret)
        await self.app.bot.set_webhook(url, secret_token=secreto,
                                       allowed_updates=ACTUALIZACIONES)

    async def detener(self) -> None:
        """Deja de recibir, termina lo que se está enviando y cierra."""
        for tarea in (self._arranque, self._refresco):
            if tarea is not None and not tarea.done():
                tarea.cancel()
                await asyncio.gather(tarea, return_exceptions=True)
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.barrido.detener()
        await self.servicios.motor.esperar_al_fondo()
        await self.repartidor.cerrar()
        await self.anotador.cerrar()
        if self._inicializada:
            await self.app.shutdown()
            self._inicializada = False


async def iniciar_si_hay_token(servicios: ServiciosCanal, config: Ajustes) -> CanalTelegram | None:
    """El canal en marcha si TELEGRAM_TOKEN está puesto y TELEGRAM_MODO no es «no»."""
    if not config.telegram.token or config.telegram.modo == "no":
        return None
    canal = CanalTelegram(servicios, config)
    await canal.iniciar()
    return canal
