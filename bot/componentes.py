"""Lo que arranca y se detiene con la aplicación, en orden: se inician en el orden de la
lista y se detienen al revés."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.datastructures import State

from bot.canales.telegram import canal as canal_telegram
from bot.canales.whatsapp import canal as canal_whatsapp
from bot.config import Ajustes
from bot.documentos import taller
from bot.escalamiento import sla
from bot.privacidad.retencion import tarea_retencion_diaria
from bot.servicios import Servicios

log = logging.getLogger(__name__)


async def _nada() -> None:
    return None


@dataclass
class Componente:
    """Una pieza con ciclo de vida: qué hacer al arrancar y al detenerse."""

    nombre: str
    iniciar: Callable[[], Awaitable[None]]
    detener: Callable[[], Awaitable[None]] = _nada


def taller_documentos() -> Componente:
    """El proceso que genera PDF y DOCX: se calienta al arrancar (la primera ficha sale
    rápido) y se cierra al final."""

    async def iniciar() -> None:
        taller.calentar()

    async def detener() -> None:
        await asyncio.to_thread(taller.cerrar)

    return Componente("taller de documentos", iniciar, detener)


def documentos_pendientes(servicios: Servicios) -> Componente:
    """La ficha y el oficio que quedaron pedidos sin guardarse (el proceso cayó tras
    confirmar): se generan y salen como respuesta al mensaje que los pidió, por el camino de
    siempre (bandeja de salida en Telegram y WhatsApp; en REST, al reintentar el mensaje)."""

    async def iniciar() -> None:
        respondidos = await servicios.motor.reanudar_documentos()
        if respondidos:
            log.info("documentos pendientes retomados", extra={"trabajos": respondidos})

    return Componente("documentos pendientes", iniciar)


def bandeja_recuperada(servicios: Servicios) -> Componente:
    """Lo que quedó sin procesar en la bandeja de entrada (p. ej. tras una caída)."""

    async def iniciar() -> None:
        pendientes = await servicios.motor.procesar_pendientes_todas()
        if pendientes:
            log.info("bandeja recuperada", extra={"mensajes": pendientes})

    return Componente("bandeja recuperada", iniciar)


def telegram(servicios: Servicios, config: Ajustes, estado: State) -> Componente:
    """El canal de Telegram, si hay token (su webhook lo encuentra en `estado.telegram`)."""
    estado.telegram = None

    async def iniciar() -> None:
        estado.telegram = await canal_telegram.iniciar_si_hay_token(servicios, config)

    async def detener() -> None:
        if estado.telegram is not None:
            await estado.telegram.detener()

    return Componente("Telegram", iniciar, detener)


def whatsapp(servicios: Servicios, config: Ajustes, estado: State) -> Componente:
    """El canal de WhatsApp, si está configurado (su webhook lo encuentra en
    `estado.whatsapp`)."""
    estado.whatsapp = None

    async def iniciar() -> None:
        estado.whatsapp = await canal_whatsapp.iniciar_si_esta_configurado(servicios, config)

    async def detener() -> None:
        if estado.whatsapp is not None:
            await estado.whatsapp.detener()

    return Componente("WhatsApp", iniciar, detener)


def vigilancia_sla(servicios: Servicios) -> Componente:
    """La tarea periódica del SLA de los traspasos (recordatorios y reasignaciones)."""
    tareas: list[asyncio.Task[None]] = []

    async def iniciar() -> None:
        tareas.append(sla.iniciar_tarea(servicios))

    async def detener() -> None:
        for tarea in tareas:
            await sla.detener_tarea(tarea)

    return Componente("SLA", iniciar, detener)


def retencion(servicios: Servicios, config: Ajustes) -> Componente:
    """La retención diaria de datos (anonimiza conversaciones inactivas sin caso)."""
    fin = asyncio.Event()
    tareas: list[asyncio.Task[None]] = []

    async def iniciar() -> None:
        tareas.append(asyncio.create_task(
            tarea_retencion_diaria(servicios.almacen, config.retencion_dias, fin)))

    async def detener() -> None:
        fin.set()
        for tarea in tareas:
            await tarea

    return Componente("retención de datos", iniciar, detener)


def componentes_de(servicios: Servicios, config: Ajustes, estado: State) -> list[Componente]:
    """Los componentes de la aplicación, en el orden en que arrancan."""
    return [
        taller_documentos(),
        documentos_pendientes(servicios),
        bandeja_recuperada(servicios),
        telegram(servicios, config, estado),
        whatsapp(servicios, config, estado),
        vigilancia_sla(servicios),
        retencion(servicios, config),
    ]
