"""Hablar como persona: un mensaje en inglés recibe UNA línea en inglés (el servicio es en
español; una persona puede ayudar) y se sigue en español; la frustración («no me entiende»,
«ya le dije», «qué lento») se reconoce con una disculpa y se retoma donde íbamos.

Qué es inglés y qué es frustración lo decide `bot.nucleo.tono`; aquí solo se responde.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from bot.db.contexto_conversacion import leer_contexto
from bot.flujos import estado as estado_flujo
from bot.flujos import interprete as flujo
from bot.flujos.definicion import Flujo
from bot.motor.menu import respuesta_menu
from bot.motor.textos import texto
from bot.nucleo.contexto import Contexto
from bot.nucleo.mensajes import Boton, Respuesta
from bot.nucleo.tono import Frustracion, es_ingles, frustracion

BOTON_PERSONA = Boton("Hablar con una persona", "/asesor")
Iniciar = Callable[[Contexto, str, dict[str, Any] | None], Awaitable[list[Respuesta]]]
"""Empieza un flujo (`RutasFlujos.iniciar`): aquí, la bienvenida de quien llega."""
Hoy = Callable[[], dt.date]


class RutasPersona:
    """Las rutas del tono del mensaje, con las definiciones de los flujos (para retomar el
    paso en curso) y cómo empezar la bienvenida."""

    def __init__(self, flujos: dict[str, Flujo], iniciar: Iniciar, hoy: Hoy) -> None:
        self.flujos = flujos
        self.iniciar = iniciar
        self.hoy = hoy

    async def _donde_ibamos(self, ctx: Contexto, seguir: bool = False) -> list[Respuesta]:
        """La pregunta abierta del flujo en curso (con sus botones), o nada."""
        estado = estado_flujo.leer(ctx.conversacion)
        if estado is None or estado.flujo not in self.flujos:
            return []
        definicion = self.flujos[estado.flujo]
        contexto = await estado_flujo.contexto(ctx.sesion, ctx.usuario, ctx.conversacion,
                                               definicion.contexto)
        return flujo.recordatorio(definicion, estado, contexto, hoy=self.hoy(), seguir=seguir)

    async def en_ingles(self, ctx: Contexto) -> list[Respuesta] | None:
        """Una línea en inglés y, en español, lo que seguía: la pregunta abierta, la
        bienvenida (primer mensaje) o el menú."""
        if ctx.payload or not ctx.texto or not es_ingles(ctx.texto):
            return None
        linea = Respuesta(texto("en_ingles"), botones=[BOTON_PERSONA])
        if ctx.primera_vez:
            return [linea, *await self.iniciar(ctx, "bienvenida", None)]
        siguiente = await self._donde_ibamos(ctx, seguir=True)
        if not siguiente:
            siguiente = [respuesta_menu("Sigo en español.")]
        return [linea, *siguiente]

    async def frustracion(self, ctx: Contexto) -> list[Respuesta] | None:
        """«no me entiende», «ya le dije», «qué lento»: disculparse en corto y retomar la
        pregunta abierta (o el menú), ofreciendo una persona. No guarda nada como dato."""
        if ctx.payload or not ctx.texto:
            return None
        clase = frustracion(ctx.texto)
        if clase is None:
            return None
        ctx.no_entendido = clase is Frustracion.NO_ENTIENDE
        pregunta = await self._donde_ibamos(ctx)
        disculpa = texto("frustracion", clase=clase.value, en_tramite=bool(pregunta))
        if pregunta:
            primera = pregunta[0]
            botones = list(primera.botones)
            if clase is not Frustracion.REPETIDO and BOTON_PERSONA not in botones:
                botones.append(BOTON_PERSONA)
            pregunta[0] = Respuesta(f"{disculpa}\n{primera.texto}", botones=botones)
            return pregunta
        ofrecidos = [Boton(str(b[0]), str(b[1])) for b in leer_contexto(ctx.conversacion).botones
                     or [] if isinstance(b, list) and len(b) == 2]
        botones = [b for b in ofrecidos if b != BOTON_PERSONA] or [Boton("Menú", "/menu")]
        return [Respuesta(disculpa, botones=[*botones, BOTON_PERSONA])]
