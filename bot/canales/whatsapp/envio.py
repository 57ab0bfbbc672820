"""Envío por WhatsApp: plan de mensajes para una respuesta neutral y su ejecución con pywa.

Botones neutrales → hasta 3 con títulos de ≤ 20 caracteres: botones de respuesta; hasta 10:
lista (títulos de ≤ 24; el título completo va en la descripción); más de 10: texto numerado.
Un documento viaja con su leyenda si cabe. Límites: ritmo por usuario y global; los errores
de límite de Meta se reintentan con espera creciente.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
from collections.abc import Awaitable
from dataclasses import dataclass, field

from aiolimiter import AsyncLimiter
from pywa_async import WhatsApp
from pywa_async.errors import WhatsAppError
from pywa_async.types import Button, Section, SectionList, SectionRow
from pywa_async.types.templates import TemplateLanguage

from bot.canales import bandeja_salida, formato, payloads
from bot.canales.emisores import ResultadoEnvio
from bot.canales.ritmo import RitmoPorDestino
from bot.canales.whatsapp.ajustes import AjustesWhatsApp
from bot.canales.whatsapp.opciones import MAX_LISTA
from bot.db.modelos import ahora
from bot.db.sesion import Almacen
from bot.documentos.almacen import AlmacenDocumentos
from bot.motor.mensajes import Boton, DocumentoSaliente, Respuesta

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
ERROR_VENTANA_CERRADA = 131047


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

    def __init__(self, wa: WhatsApp, almacen: Almacen, propios: AjustesWhatsApp) -> None:
        self.wa = wa
        self.almacen = almacen
        self.propios = propios
        self.ritmo = RitmoPorDestino(propios.ritmo_usuario_s)
        self.global_ = AsyncLimiter(1, 1 / propios.global_por_s)

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

    async def enviar(self, para: str, respuestas: list[Respuesta]) -> None:
        """Envía las respuestas en orden."""
        for respuesta in respuestas:
            for envio in planear(respuesta):
                await self._llamar(para, envio)

    async def enviar_plantilla(self, para: str, nombre: str, respuestas: list[Respuesta]) -> None:
        """Envía una plantilla aprobada con el resumen del mensaje como parámetro."""
        parametros: list[dict[str, object]] = []
        if self.propios.plantilla_con_texto:
            parametros = [{"type": "body", "parameters": [
                {"type": "text", "text": resumen_para_plantilla(respuestas)}]}]
        error = await self._en_turno(para, self.wa.send_template(
            to=para, name=nombre, language=TemplateLanguage(self.propios.plantilla_idioma),
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


async def vaciar_bandeja(enviador: EnviadorWhatsApp, documentos: AlmacenDocumentos,
                         wa_id: str) -> None:
    """Reclama y envía en orden lo pendiente del usuario."""
    pendientes = await bandeja_salida.reclamar(enviador.almacen, documentos, "whatsapp", wa_id)
    for pendiente in pendientes:
        estado = "enviado"
        try:
            await enviador.enviar(wa_id, [pendiente.respuesta])
        except (WhatsAppError, OSError):
            log.exception("no se pudo enviar por WhatsApp", extra={"usuario": wa_id})
            estado = "fallido"
        await bandeja_salida.marcar(enviador.almacen, [pendiente.mensaje_id], estado)


class EmisorWhatsApp:
    """Envía lo que sale sin que el usuario haya escrito; fuera de la ventana de 24 h usa la
    plantilla aprobada configurada y lo dice en el resultado."""

    def __init__(self, enviador: EnviadorWhatsApp) -> None:
        self.enviador = enviador

    async def enviar(
        self,
        id_usuario: str,
        respuestas: list[Respuesta],
        ultimo_mensaje_usuario: dt.datetime | None,
        plantilla: str | None = None,
    ) -> ResultadoEnvio:
        """Texto libre dentro de la ventana; si no, plantilla (`plantilla` elige cuál)."""
        if ventana_abierta(ultimo_mensaje_usuario):
            try:
                await self.enviador.enviar(id_usuario, respuestas)
                return ResultadoEnvio("enviado")
            except WhatsAppError as error:
                if error.code != ERROR_VENTANA_CERRADA:
                    return ResultadoEnvio("fallido", str(error))
        nombre = self.enviador.propios.plantilla(plantilla)
        if not nombre:
            return ResultadoEnvio("fallido", "La ventana de 24 h está cerrada y no hay plantilla "
                                             "aprobada configurada (WHATSAPP_PLANTILLA_AVISO).")
        try:
            await self.enviador.enviar_plantilla(id_usuario, nombre, respuestas)
        except WhatsAppError as error:
            return ResultadoEnvio("fallido", str(error))
        return ResultadoEnvio("plantilla", nombre)
