"""El canal WhatsApp: cliente pywa (async) apuntado a WHATSAPP_API_URL, atención de mensajes
entrantes y repartidor de respuestas.

`atender` solo traduce: descarga el archivo si trae, traduce un número a la opción ofrecida,
entrega al motor (que guarda primero, descarta reenvíos y vuelve en cuanto el mensaje quedó
guardado) y este pasa cada tanda de respuestas al repartidor, que marca como leído y envía en
orden. Al iniciarse, el barrido de la bandeja
envía lo que quedó guardado sin enviar antes de un reinicio (y vuelve a mirar periódicamente).

El número no es la llave: al motor llegan el HMAC del número (`usuario.id_externo`) y el del
wamid (`mensaje.id_externo`, que lleva el número en base64); el número se guarda aparte en
`usuario.numero_whatsapp` solo para poder escribirle (bot/privacidad/identificadores.py). Lo
demás del canal (repartidor, bandeja) usa la llave; el número se busca al enviar.
"""

from __future__ import annotations

import asyncio
import logging
import mimetypes
import time
from collections import OrderedDict
from dataclasses import replace

import httpx
from pywa_async import WhatsApp
from sqlalchemy import or_, select, update

from bot.canales import payloads
from bot.canales.servicios import ServiciosCanal
from bot.canales.whatsapp import ajustes as ajustes_wa
from bot.canales.whatsapp.envio import (
    EmisorWhatsApp,
    EnviadorWhatsApp,
    sin_destino,
    vaciar_bandeja,
)
from bot.canales.whatsapp.opciones import traducir_numero
from bot.canales.whatsapp.traduccion import EntradaWhatsApp
from bot.config import Ajustes
from bot.db.modelos import Usuario
from bot.motor.bandeja_salida import Anotador, Barrido, Pendiente, Repartidor
from bot.nucleo.mensajes import ArchivoEntrante, Canal, MensajeEntrante
from bot.privacidad.identificadores import Seudonimos

log = logging.getLogger(__name__)
RECORDADO_S = 60.0
"""Cada cuánto, como mucho, se revisa que el número de una persona siga guardado (tras borrar
sus datos, si vuelve a escribir, se vuelve a guardar para poder contestarle)."""
MAXIMO_EN_MEMORIA = 50_000
"""Números recordados en el proceso (los de quienes escribieron hace poco)."""


class ArchivoDemasiadoGrande(ValueError):
    """El archivo del usuario excede el tamaño admitido."""


class CanalWhatsApp:
    """Cliente pywa, enviador con límites, repartidor y emisor del canal."""

    def __init__(self, servicios: ServiciosCanal, config: Ajustes) -> None:
        self.servicios = servicios
        self.config = config
        wa = config.whatsapp
        self.sesion = httpx.AsyncClient(timeout=httpx.Timeout(20.0, connect=5.0))
        self.wa = WhatsApp(phone_id=wa.phone_id, token=wa.token, session=self.sesion,
                           api_version=wa.version_api)
        # pywa fija la URL de Meta; el cliente httpx es nuestro y la cambiamos por la configurada.
        self.sesion.base_url = httpx.URL(f"{wa.api_url.rstrip('/')}/v{wa.version_api}")
        self.enviador = EnviadorWhatsApp(self.wa, servicios.almacen, wa)
        self.repartidor = Repartidor(self._vaciar)
        self.anotador = Anotador(servicios.almacen)
        self.barrido = Barrido(servicios.almacen, "whatsapp", self.repartidor,
                               config.bandeja_barrido_s)
        self.seudonimos = Seudonimos(config.identificadores_secreto)
        self._por_leer: dict[str, str] = {}
        self._candados: dict[str, asyncio.Lock] = {}
        self._numeros: OrderedDict[str, tuple[str, float]] = OrderedDict()
        """Por llave: el número con que escribió por última vez y cuándo se revisó que esté
        guardado (solo en memoria)."""
        servicios.emisores.registrar("whatsapp", EmisorWhatsApp(self.enviador, self.destino))

    @property
    def secreto_app(self) -> str:
        return self.config.whatsapp.app_secret

    @property
    def token_verificacion(self) -> str:
        return self.config.whatsapp.verify_token

    async def _descargar(self, entrada: EntradaWhatsApp) -> ArchivoEntrante:
        assert entrada.media_id is not None
        info = await self.wa.get_media_url(entrada.media_id)
        if info.file_size and info.file_size > self.config.documento_max_bytes:
            raise ArchivoDemasiadoGrande(entrada.nombre_archivo)
        contenido = await self.wa.get_media_bytes(info.url)
        nombre = entrada.nombre_archivo or "documento"
        mime = (entrada.mime or info.mime_type or mimetypes.guess_type(nombre)[0]
                or "application/octet-stream")
        return ArchivoEntrante(nombre, mime.split(";")[0].strip(), contenido)

    async def _a_entrante(self, entrada: EntradaWhatsApp, llave: str) -> MensajeEntrante:
        archivo = None
        texto, payload = entrada.texto, entrada.payload
        if entrada.media_id is not None:
            try:
                archivo = await self._descargar(entrada)
            except ArchivoDemasiadoGrande:
                limite = self.config.documento_max_bytes // (1024 * 1024)
                texto = f"[archivo de más de {limite} MB: {entrada.nombre_archivo}]"
        elif payload is None and texto:
            elegida = await traducir_numero(self.servicios.almacen, "whatsapp", llave, texto)
            if elegida is not None:
                texto, payload = elegida.titulo, elegida.payload
        return MensajeEntrante(
            canal=Canal.WHATSAPP, id_usuario=llave,
            id_mensaje=self.seudonimos.mensaje(entrada.wamid),
            texto=texto, payload=payload, archivo=archivo, nombre_usuario=entrada.nombre,
            tipo_no_soportado=entrada.no_soportado,
        )

    async def atender(self, entrada: EntradaWhatsApp) -> None:
        """Guarda y procesa un mensaje (en orden por usuario) y agenda su respuesta."""
        candado = self._candados.setdefault(entrada.wa_id, asyncio.Lock())
        async with candado:
            if entrada.payload is not None:
                original = await payloads.expandir(self.servicios.almacen, entrada.payload)
                entrada = replace(entrada, payload=original)
            llave = self.seudonimos.usuario(entrada.wa_id)
            entrante = await self._a_entrante(entrada, llave)
            # Antes del motor: si el mensaje es «borrar mis datos», el borrado le gana.
            nuevo = not await self._recordar_numero(llave, entrada.wa_id)
            self._por_leer[llave] = entrada.wamid
            await self.servicios.motor.procesar_y_reclamar(entrante, self.repartidor.para(llave))
            if nuevo:  # alguien que no estaba: ya quedó guardado su usuario
                await self._recordar_numero(llave, entrada.wa_id)

    async def _recordar_numero(self, llave: str, numero: str) -> bool:
        """Anota el número de quien escribe (en memoria y, si falta o cambió, en la base).
        False si la persona aún no está en la base."""
        momento = time.monotonic()
        recordado = self._numeros.get(llave)
        self._numeros[llave] = (numero, recordado[1] if recordado else 0.0)
        self._numeros.move_to_end(llave)
        while len(self._numeros) > MAXIMO_EN_MEMORIA:
            self._numeros.popitem(last=False)
        if recordado is not None and recordado[0] == numero and (
                momento - recordado[1] < RECORDADO_S):
            return True
        async with self.servicios.almacen.lectura() as s:
            fila = (await s.execute(select(Usuario.id, Usuario.numero_whatsapp).where(
                Usuario.canal == "whatsapp", Usuario.id_externo == llave))).first()
        if fila is None:
            return False
        if fila[1] != numero:
            async with self.servicios.almacen.escritura() as s:
                await s.execute(update(Usuario).where(
                    Usuario.id == fila[0],
                    or_(Usuario.numero_whatsapp.is_(None), Usuario.numero_whatsapp != numero))
                    .values(numero_whatsapp=numero))
        self._numeros[llave] = (numero, momento)
        return True

    async def destino(self, llave: str) -> str | None:
        """El número para la llave de un usuario: el de su último mensaje a este proceso o el
        guardado; None si ya no se tiene (borró sus datos). Una llave que no es seudónimo
        (ids de antes de la migración 0009, o guardados sin pasar por el canal) es el número."""
        if (recordado := self._numeros.get(llave)) is not None:
            return recordado[0]
        async with self.servicios.almacen.lectura() as s:
            numero = await s.scalar(select(Usuario.numero_whatsapp).where(
                Usuario.canal == "whatsapp", Usuario.id_externo == llave))
        if numero:
            return str(numero)
        return llave if llave.isdigit() else None

    async def _vaciar(self, llave: str, reclamados: list[Pendiente], revisar: bool) -> None:
        wamid = self._por_leer.pop(llave, None)
        if wamid is not None:
            await self.enviador.marcar_leido(wamid)
        para = await self.destino(llave)
        if para is None:
            await sin_destino(self.servicios.almacen, self.servicios.documentos, llave,
                              reclamados, revisar)
            return
        await vaciar_bandeja(self.enviador, self.anotador, self.servicios.documentos, llave,
                             reclamados, revisar, para=para)

    def iniciar(self) -> None:
        """Empieza a barrer la bandeja: envía lo que quedó sin enviar antes de un reinicio."""
        self.barrido.iniciar()

    async def detener(self) -> None:
        """Termina lo que se está enviando y cierra el cliente HTTP."""
        await self.barrido.detener()
        await self.servicios.motor.esperar_al_fondo()
        await self.repartidor.cerrar()
        await self.anotador.cerrar()
        await self.sesion.aclose()


async def iniciar_si_esta_configurado(servicios: ServiciosCanal,
                                      config: Ajustes) -> CanalWhatsApp | None:
    """El canal listo si WHATSAPP_TOKEN y WHATSAPP_PHONE_ID están puestos (y los secretos del
    webhook son propios; si no, se niega a arrancar)."""
    if not (config.whatsapp.token and config.whatsapp.phone_id):
        return None
    ajustes_wa.validar(config)
    canal = CanalWhatsApp(servicios, config)
    canal.iniciar()
    return canal
