"""Ayudantes para conversar con el asistente por Telegram o WhatsApp a través de los dobles,
como lo haría una persona: escribir, pulsar un botón por su título, enviar un documento, y
esperar las respuestas (hasta que el bot deja de enviar un momento).

Sirven igual para la aplicación en un hilo o en otro proceso: solo hablan con los dobles.

    tg = ConversadorTelegram(doble, chat_id=501)
    respuestas = await tg.escribir("hola")
    await tg.pulsar("Registrar iniciativa")
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from dobles import fabricas_telegram as ft
from dobles import fabricas_whatsapp as fw
from dobles.graph_falso import Enviado, GraphFalso
from dobles.telegram_falso import Llamada, TelegramFalso


async def esperar_respuestas(contar: Callable[[], int], antes: int, quieto: float,
                             limite: float = 30.0, minimo: int = 1) -> None:
    """Espera a que lleguen al menos `minimo` envíos nuevos y luego `quieto` s sin más."""
    fin = time.monotonic() + limite
    ultimo, desde = contar(), time.monotonic()
    while time.monotonic() < fin:
        await asyncio.sleep(0.02)
        ahora = contar()
        if ahora != ultimo:
            ultimo, desde = ahora, time.monotonic()
        if ahora - antes >= minimo and time.monotonic() - desde >= quieto:
            return
    raise AssertionError(f"el bot no respondió a tiempo ({contar() - antes} envíos nuevos)")


class ConversadorTelegram:
    """Una persona en un chat privado de Telegram."""

    def __init__(self, doble: TelegramFalso, chat_id: int, nombre: str = "Ana",
                 quieto: float = 0.6) -> None:
        self.doble = doble
        self.chat_id = chat_id
        self.nombre = nombre
        self.quieto = quieto
        self.ultimas: list[Llamada] = []

    async def _mandar(self, update: dict[str, Any], minimo: int = 1) -> list[Llamada]:
        antes = len(self.doble.enviados(self.chat_id))
        self.doble.publicar(update)
        await esperar_respuestas(lambda: len(self.doble.enviados(self.chat_id)), antes,
                                 self.quieto, minimo=minimo)
        self.ultimas = self.doble.enviados(self.chat_id)[antes:]
        return self.ultimas

    async def escribir(self, texto: str) -> list[Llamada]:
        return await self._mandar(ft.texto(self.doble, self.chat_id, texto, nombre=self.nombre))

    async def enviar_documento(self, nombre: str, mime: str, contenido: bytes) -> list[Llamada]:
        return await self._mandar(ft.documento(self.doble, self.chat_id, nombre, mime, contenido,
                                               nombre=self.nombre))

    def boton(self, titulo: str) -> tuple[Llamada, dict[str, Any]]:
        """El mensaje (de las últimas respuestas) y el botón con ese título."""
        for llamada in reversed(self.ultimas):
            for boton in llamada.botones:
                if boton["text"] == titulo:
                    return llamada, boton
        titulos = [b["text"] for ll in self.ultimas for b in ll.botones]
        raise AssertionError(f"no hay botón «{titulo}»; hay {titulos}")

    async def pulsar(self, titulo: str) -> list[Llamada]:
        llamada, boton = self.boton(titulo)
        mensaje_bot = dict(llamada.respuesta["result"])
        return await self._mandar(ft.callback(self.doble, self.chat_id, boton["callback_data"],
                                              mensaje_bot, nombre=self.nombre))

    @staticmethod
    def textos(llamadas: list[Llamada]) -> str:
        return "\n".join(ll.texto for ll in llamadas)


class ConversadorWhatsApp:
    """Una persona escribiendo por WhatsApp (Meta entrega cada mensaje firmado)."""

    def __init__(self, doble: GraphFalso, wa_id: str, nombre: str = "Beto",
                 quieto: float = 0.6) -> None:
        self.doble = doble
        self.wa_id = wa_id
        self.nombre = nombre
        self.quieto = quieto
        self.ultimas: list[Enviado] = []

    async def _mandar(self, cuerpo: dict[str, Any], minimo: int = 1) -> list[Enviado]:
        antes = len(self.doble.mensajes(self.wa_id))
        self.doble.publicar(cuerpo)
        await esperar_respuestas(lambda: len(self.doble.mensajes(self.wa_id)), antes,
                                 self.quieto, minimo=minimo)
        self.ultimas = self.doble.mensajes(self.wa_id)[antes:]
        return self.ultimas

    async def escribir(self, texto: str) -> list[Enviado]:
        return await self._mandar(fw.texto(self.wa_id, texto, nombre=self.nombre))

    async def enviar_documento(self, nombre: str, mime: str, contenido: bytes) -> list[Enviado]:
        media_id = self.doble.subir(nombre, mime, contenido)
        return await self._mandar(fw.documento(self.wa_id, media_id, nombre, mime,
                                               nombre_perfil=self.nombre))

    def opcion(self, titulo: str) -> tuple[Enviado, str, str]:
        """El mensaje, el id y el título de la opción (botón o fila) cuyo título empieza así."""
        for enviado in reversed(self.ultimas):
            for ident, propio in enviado.opciones:
                if propio == titulo or propio.rstrip("…") and titulo.startswith(propio.rstrip("…")):
                    return enviado, ident, propio
        hay = [t for e in self.ultimas for _, t in e.opciones]
        raise AssertionError(f"no hay opción «{titulo}»; hay {hay}")

    async def pulsar(self, titulo: str) -> list[Enviado]:
        enviado, ident, propio = self.opcion(titulo)
        lista = enviado.cuerpo["interactive"]["type"] == "list"
        return await self._mandar(fw.eleccion(self.wa_id, ident, propio, lista=lista,
                                              nombre=self.nombre))

    @staticmethod
    def textos(enviados: list[Enviado]) -> str:
        return "\n".join(e.texto for e in enviados)
