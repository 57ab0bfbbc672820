"""Envío por WhatsApp: plan de mensajes para una respuesta neutral y su ejecución con pywa.

Botones neutrales → hasta 3 con títulos de ≤ 20 caracteres: botones de respuesta; hasta 10:
lista (títulos de ≤ 24; el título completo va en la descripción); más de 10: texto numerado.
Un documento viaja con su leyenda si cabe. Límites: ritmo por usuario y global; los errores
de límite de Meta se reintentan con espera creciente.

`vaciar_bandeja` envía la bandeja de un usuario: una falla pasajera (`transitoria`: red, tiempo
agotado, 5xx, 429, límite de Meta o error que Meta marca como pasajero) queda para reintentar;
otra (destinatario inválido, ventana de 24 h cerrada…) es definitiva. Un mensaje de asesor o
aviso sale como texto libre dentro de la ventana y, fuera de ella, como plantilla aprobada
(`enviar_aviso`, que también usa `EmisorWhatsApp`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import httpx
from aiolimiter import AsyncLimiter
from pywa_async import WhatsApp
from pywa_async.errors import WhatsAppError
from pywa_async.types import Button, Section, SectionList, SectionRow
from pywa_async.types.templates import TemplateLanguage

from bot.canales import formato, payloads
from bot.canales.ritmo import RitmoPorDestino
from bot.canales.whatsapp.opciones import MAX_LISTA
from bot.config import AjustesWhatsApp
from bot.db.estados import EstadoEnvio
from bot.db.modelos import ahora
from bot.db.sesion import Almacen
from bot.documentos.almacen import AlmacenDocumentos
from bot.motor import bandeja_salida
from bot.motor.bandeja_salida import Anotador, Avance, Pendiente
from bot.nucleo.emisores import ResultadoEnvio
from bot.nucleo.mensajes import Boton, DocumentoSaliente, Respuesta

log = logging.getLogger(__name__)
MAX_BOTONES = 3
TITULO_BOTON = 20
TITULO_FILA = 24
DESCRIPCION_FILA = 72
LIMITE_ID = 200
ETIQUETA_LISTA = "Ver opciones"
TEXTO_SOLO_BOTONES = "Elija una opción:"
VENTANA = dt.timedelta(hours=24)
ERRORES_DE_LIMITE = {4, 80007, 130429, 131056}
ERRORES_PASAJEROS = ERRORES_DE_LIMITE | {1, 2, 131000, 131016, 131048, 131057, 133004}
"""Límites, «error desconocido», servicio no disponible, límite por spam, mantenimiento."""
ERROR_VENTANA_CERRADA = 131047
ERRORES_DE_ENVIO = (WhatsAppError, httpx.HTTPError, OSError)
"""Lo que puede lanzar un envío con pywa: error de Meta o de red (OSError incluye TimeoutError)."""


class SinPlantilla(ValueError):
    """La ventana de 24 h está cerrada y no hay plantilla aprobada configurada."""


def transitoria(error: BaseException) -> bool:
    """¿Falla pasajera que vale reintentar? Red o tiempo agotado, HTTP 5xx o 429, un código
    de límite o de servicio no disponible, o lo que Meta marca `is_transient`."""
    if isinstance(error, (httpx.HTTPError, OSError)):
        return True
    if not isinstance(error, WhatsAppError):
        return False
    http = error.raw_response.status_code if error.raw_response is not None else 0
    return bool(error.is_transient) or http >= 500 or http == 429 or (
        error.code in ERRORES_PASAJEROS)


@dataclass
class Envio:
    """Un mensaje de WhatsApp por enviar."""

    tipo: str  # texto | botones | lista | documento
    texto: str = ""
    botones: list[Boton] = field(default_factory=list)
    documento: DocumentoSaliente | None = None


def planear(respuesta: Respuesta) -> list[Envio]:
    """Los mensajes de WhatsApp que expresan una respuesta neutral, en orden."""
    texto = respuesta.texto.strip()
    botones = list(respuesta.botones)
    if len(botones) > MAX_LISTA:
        texto, botones = formato.opciones_numeradas(texto, botones), []
    piezas = formato.piezas_whatsapp(texto, respuesta.enlace) if texto else []
    interactivo = None
    if botones:
        cuerpo = (piezas.pop() if piezas and len(piezas[-1]) <= formato.LIMITE_CUERPO_INTERACTIVO
                  else TEXTO_SOLO_BOTONES)
        cortos = len(botones) <= MAX_BOTONES and all(len(b.titulo) <= TITULO_BOTON
                                                     for b in botones)
        interactivo = Envio("botones" if cortos else "lista", cuerpo, botones)
    leyenda = ""
    if (respuesta.documento is not None and interactivo is None and piezas
            and len(piezas[-1]) <= formato.LIMITE_CUERPO_INTERACTIVO):
        leyenda = piezas.pop()
    plan = [Envio("texto", p) for p in piezas]
    if respuesta.documento is not None:
        plan.append(Envio("documento", leyenda, documento=respuesta.documento))
    if interactivo is not None:
        plan.append(interactivo)
    return plan


def fila(boton: Boton, dato: str) -> SectionRow:
    """Una fila de lista: título recortado a 24 y, si se recortó, completo en la descripción."""
    if len(boton.titulo) <= TITULO_FILA:
        return SectionRow(title=boton.titulo, callback_data=dato)
    return SectionRow(title=boton.titulo[: TITULO_FILA - 1].rstrip() + "…", callback_data=dato,
                      description=boton.titulo[:DESCRIPCION_FILA])


def ventana_abierta(ultimo_mensaje_usuario: dt.datetime | None,
                    momento: dt.datetime | None = None) -> bool:
    """¿Se puede enviar texto libre? (el usuario escribió hace menos de 24 h)."""
    if ultimo_mensaje_usuario is None:
        return False
    if ultimo_mensaje_usuario.tzinfo is None:
        ultimo_mensaje_usuario = ultimo_mensaje_usuario.replace(tzinfo=dt.timezone.utc)
    return (momento or ahora()) - ultimo_mensaje_usuario < VENTANA


def resumen_para_plantilla(respuestas: list[Respuesta], limite: int = 900) -> str:
    """El texto de las respuestas como parámetro de plantilla (sin saltos ni espacios de más)."""
    texto = " ".join(formato.texto_plano(r.texto) for r in respuestas if r.texto.strip())
    texto = re.sub(r"\s+", " ", texto).strip() or "Tiene un mensaje nuevo."
    return texto if len(texto) <= limite else texto[: limite - 1].rstrip() + "…"


class EnviadorWhatsApp:
    """Ejecuta planes con pywa respetando el ritmo por usuario y el global."""

    def __init__(self, wa: WhatsApp, almacen: Almacen, ajustes: AjustesWhatsApp) -> None:
        self.wa = wa
        self.almacen = almacen
        self.ajustes = ajustes
        self.ritmo = RitmoPorDestino(ajustes.ritmo_usuario_s)
        self.global_ = AsyncLimiter(1, 1 / ajustes.global_por_s)

    async def _en_turno(self, para: str, llamada: Awaitable[object]) -> WhatsAppError | None:
        """Hace la llamada en el turno del usuario; devuelve el error de Meta, si hubo.

        (Los errores de pywa no pueden cruzar un @asynccontextmanager: son dataclasses con
        slots y contextlib no puede reasignarles el traceback.)"""
        async with self.ritmo.turno(para), self.global_:
            try:
                await llamada
            except WhatsAppError as error:
                return error
        return None

    async def _llamar(self, para: str, envio: Envio) -> None:
        espera = 1.0
        for intento in range(4):
            error = await self._en_turno(para, self._una_llamada(para, envio))
            if error is None:
                return
            if error.code not in ERRORES_DE_LIMITE or intento == 3:
                raise error
            log.info("límite de WhatsApp (%s); reintento en %.0f s", error.code, espera)
            await asyncio.sleep(espera)
            espera *= 2

    async def _una_llamada(self, para: str, envio: Envio) -> None:
        if envio.tipo == "texto":
            await self.wa.send_message(to=para, text=envio.texto)
        elif envio.tipo == "documento" and envio.documento is not None:
            await self.wa.send_document(
                to=para, document=envio.documento.contenido, filename=envio.documento.nombre,
                mime_type=envio.documento.mime, caption=envio.texto or None)
        else:
            datos = await payloads.comprimir(self.almacen, [b.payload for b in envio.botones],
                                             LIMITE_ID)
            pares = list(zip(envio.botones, datos, strict=True))
            if envio.tipo == "botones":
                await self.wa.send_message(to=para, text=envio.texto, buttons=[
                    Button(title=b.titulo, callback_data=d) for b, d in pares])
            else:
                filas = [fila(b, d) for b, d in pares]
                await self.wa.send_message(to=para, text=envio.texto, buttons=SectionList(
                    button_title=ETIQUETA_LISTA, sections=[Section(title="Opciones", rows=filas)]))

    async def enviar(self, para: str, respuestas: list[Respuesta],
                     avance: Avance | None = None) -> None:
        """Envía las respuestas en orden (con `avance`, sin repetir las llamadas que ya
        salieron)."""
        llamadas: list[Callable[[], Awaitable[None]]] = [
            functools.partial(self._llamar, para, envio)
            for respuesta in respuestas for envio in planear(respuesta)]
        await (avance or Avance()).correr(llamadas)

    async def enviar_plantilla(self, para: str, nombre: str, respuestas: list[Respuesta]) -> None:
        """Envía una plantilla aprobada con el resumen del mensaje como parámetro."""
        parametros: list[dict[str, object]] = []
        if self.ajustes.plantilla_con_texto:
            parametros = [{"type": "body", "parameters": [
                {"type": "text", "text": resumen_para_plantilla(respuestas)}]}]
        error = await self._en_turno(para, self.wa.send_template(
            to=para, name=nombre, language=TemplateLanguage(self.ajustes.plantilla_idioma),
            params=parametros or None))
        if error is not None:
            raise error

    async def marcar_leido(self, wamid: str) -> None:
        """Marca un mensaje del usuario como leído (palomitas azules)."""
        try:
            async with self.global_:
                await self.wa.mark_message_as_read(wamid)
        except WhatsAppError as error:
            log.info("no se pudo marcar como leído: %s", error)


async def enviar_aviso(enviador: EnviadorWhatsApp, para: str, respuestas: list[Respuesta],
                       ultimo_mensaje_usuario: dt.datetime | None, plantilla: str | None = None,
                       avance: Avance | None = None) -> ResultadoEnvio:
    """Un mensaje por iniciativa del asistente: texto libre dentro de la ventana de 24 h; si no
    (o si Meta dice que cerró), la plantilla aprobada (`plantilla` elige cuál). Lanza el error
    de la plataforma, o `SinPlantilla`."""
    if ventana_abierta(ultimo_mensaje_usuario):
        try:
            await enviador.enviar(para, respuestas, avance)
            return ResultadoEnvio(EstadoEnvio.ENVIADO)
        except WhatsAppError as error:
            if error.code != ERROR_VENTANA_CERRADA:
                raise
    nombre = enviador.ajustes.plantilla(plantilla)
    if not nombre:
        raise SinPlantilla("La ventana de 24 h está cerrada y no hay plantilla aprobada "
                           "configurada (WHATSAPP_PLANTILLA_AVISO).")
    await enviador.enviar_plantilla(para, nombre, respuestas)
    return ResultadoEnvio(EstadoEnvio.PLANTILLA, nombre)


def _motivo(error: BaseException) -> str:
    """El error sin datos del usuario: clase y código de Meta."""
    codigo = getattr(error, "code", None)
    return type(error).__name__ + (f" ({codigo})" if codigo is not None else "")


Destino = Callable[[str], Awaitable[str | None]]
"""El número al que se escribe para la llave de un usuario (`usuario.id_externo`), o None si
ya no se tiene (la persona borró sus datos)."""


async def vaciar_bandeja(enviador: EnviadorWhatsApp, anotador: Anotador,
                         documentos: AlmacenDocumentos, wa_id: str,
                         reclamados: Sequence[Pendiente] = (), revisar: bool = True,
                         para: str | None = None) -> None:
    """Envía en orden los ya `reclamados` y, con `revisar`, lo que reclame de la bandeja del
    usuario (respuestas y mensajes de asesores). `wa_id` es la llave guardada del usuario y
    `para`, el número al que se envía (por omisión, la llave misma).

    Una falla pasajera aplaza el mensaje y devuelve a la cola los siguientes; otra lo marca
    `fallido`. La bitácora lleva ids de mensaje, nunca el número."""
    almacen = enviador.almacen
    pendientes = await bandeja_salida.por_enviar(almacen, documentos, "whatsapp", wa_id,
                                                 reclamados, revisar)
    destino = para or wa_id
    for i, pendiente in enumerate(pendientes):
        avance = Avance(pendiente.partes)
        try:
            if pendiente.aviso is None:
                await enviador.enviar(destino, [pendiente.respuesta], avance)
                estado = EstadoEnvio.ENVIADO
            else:
                estado = (await enviar_aviso(enviador, destino, [pendiente.respuesta],
                                             pendiente.ultimo_mensaje_usuario, pendiente.aviso,
                                             avance)).estado
        except (*ERRORES_DE_ENVIO, SinPlantilla) as error:
            if transitoria(error):
                if await bandeja_salida.posponer_desde(almacen, pendientes, i, avance.hechas):
                    return
                continue
            log.warning("WhatsApp rechazó el envío: %s", _motivo(error),
                        extra={"mensaje_id": pendiente.mensaje_id})
            estado = EstadoEnvio.FALLIDO
        if estado == EstadoEnvio.ENVIADO:
            anotador.enviado(pendiente.mensaje_id)
        else:
            await bandeja_salida.marcar(almacen, [pendiente.mensaje_id], estado)


async def sin_destino(almacen: Almacen, documentos: AlmacenDocumentos, wa_id: str,
                      reclamados: Sequence[Pendiente] = (), revisar: bool = True) -> None:
    """Ya no se tiene el número de la persona (borró sus datos): lo suyo queda `fallido`."""
    pendientes = await bandeja_salida.por_enviar(almacen, documentos, "whatsapp", wa_id,
                                                 reclamados, revisar)
    if pendientes:
        log.info("sin número para enviar: la persona borró sus datos",
                 extra={"mensaje_ids": [p.mensaje_id for p in pendientes]})
        await bandeja_salida.marcar(almacen, [p.mensaje_id for p in pendientes],
                                    EstadoEnvio.FALLIDO)


class EmisorWhatsApp:
    """Envía lo que sale sin que el usuario haya escrito; fuera de la ventana de 24 h usa la
    plantilla aprobada configurada y lo dice en el resultado. `destino` da el número para la
    llave guardada del usuario (sin él, la llave es el número)."""

    def __init__(self, enviador: EnviadorWhatsApp, destino: Destino | None = None) -> None:
        self.enviador = enviador
        self.destino = destino

    async def enviar(
        self,
        id_usuario: str,
        respuestas: list[Respuesta],
        ultimo_mensaje_usuario: dt.datetime | None,
        plantilla: str | None = None,
    ) -> ResultadoEnvio:
        """Texto libre dentro de la ventana; si no, plantilla (`plantilla` elige cuál). Una
        falla pasajera da `reintentar` (el relé la deja a la bandeja)."""
        para = id_usuario if self.destino is None else await self.destino(id_usuario)
        if para is None:
            return ResultadoEnvio(EstadoEnvio.FALLIDO, "sin número: la persona borró sus datos")
        try:
            return await enviar_aviso(self.enviador, para, respuestas,
                                      ultimo_mensaje_usuario, plantilla)
        except SinPlantilla as error:
            return ResultadoEnvio(EstadoEnvio.FALLIDO, str(error))
        except ERRORES_DE_ENVIO as error:
            log.warning("envío por WhatsApp fallido: %s", _motivo(error))
            return ResultadoEnvio(
                EstadoEnvio.REINTENTAR if transitoria(error) else EstadoEnvio.FALLIDO, str(error))
