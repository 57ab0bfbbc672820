"""La aplicación ASGI: canal REST, chat web, salud (y, conforme se integran, Telegram,
WhatsApp y el panel de asesores)."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot import __version__, panel
from bot.canales import rest
from bot.canales.telegram import webhook as webhook_telegram
from bot.canales.web import rutas as chat_web
from bot.canales.web.identidad import IdentidadWeb
from bot.canales.web.proteccion import LimitesDeRitmo
from bot.canales.whatsapp import webhook as webhook_whatsapp
from bot.componentes import Componente, componentes_de
from bot.config import RAIZ, Ajustes, ajustes
from bot.documentos.enlaces import FirmaEnlaces, secreto_local
from bot.salud import estado_salud
from bot.servicios import Servicios, crear_servicios

log = logging.getLogger(__name__)
MAXIMO_CUERPO = 1024 * 1024
"""1 MiB: más que eso no es un mensaje de chat ni un webhook. Se cuenta al recibir (también
con `Transfer-Encoding: chunked`): al pasarse, 413 sin leer el resto. Una ruta que necesite
más (p. ej. subir archivos) lo declara con `max_body_size` en su decorador."""

CABECERAS_SEGURIDAD = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
}
"""Las de toda respuesta que no traiga ya las suyas (la página del chat y el panel traen una
CSP completa)."""

ENTERO_MAXIMO = 2**31 - 1
"""Los ids de la base son INTEGER: uno más grande en una URL no existe (404, no 500)."""
_ENTERO = re.compile(r"^[0-9]{1,10}$")


class CabecerasSeguridad:
    """Agrega `CABECERAS_SEGURIDAD` a toda respuesta HTTP (middleware ASGI puro)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def enviar(mensaje: Message) -> None:
            if mensaje["type"] == "http.response.start":
                cabeceras = MutableHeaders(scope=mensaje)
                for nombre, valor in CABECERAS_SEGURIDAD.items():
                    if nombre not in cabeceras:
                        cabeceras[nombre] = valor
            await send(mensaje)

        await self.app(scope, receive, enviar)


class IdsEnRango:
    """Envuelve una ruta con ids enteros en la URL: uno que no cabe en la base (o que no es
    un número) es 404 antes de llegar a la ruta."""

    def __init__(self, app: ASGIApp, nombres: list[str]) -> None:
        self.app = app
        self.nombres = nombres

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        parametros = scope.get("path_params", {})
        for nombre in self.nombres:
            valor = parametros.get(nombre)
            if isinstance(valor, str) and not (_ENTERO.match(valor)
                                               and int(valor) <= ENTERO_MAXIMO):
                respuesta = JSONResponse({"error": "No encontré eso."}, status_code=404)
                await respuesta(scope, receive, send)
                return
        await self.app(scope, receive, send)


def acotar_ids(app: FastAPI) -> None:
    """Pone `IdsEnRango` en cada ruta que recibe un `int` en la URL (p. ej. el panel)."""
    for ruta in app.router.routes:
        if isinstance(ruta, APIRoute):
            enteros = [p.name for p in ruta.dependant.path_params
                       if p.field_info.annotation is int]
            if enteros:
                ruta.app = IdsEnRango(ruta.app, enteros)


async def _demasiado_grande(request: Request, error: Exception) -> JSONResponse:
    return JSONResponse({"error": "El mensaje es demasiado grande."}, status_code=413)


def crear_app(config: Ajustes | None = None, servicios: Servicios | None = None) -> FastAPI:
    """La aplicación con sus servicios (se crean al arrancar si no se dan)."""
    config = config or ajustes()

    @asynccontextmanager
    async def ciclo(app: FastAPI) -> AsyncIterator[None]:
        propios = servicios is None
        app.state.servicios = servicios or crear_servicios(config)
        app.state.firma_enlaces = FirmaEnlaces(secreto_local(config.panel_secreto))
        componentes = componentes_de(app.state.servicios, config, app.state)
        iniciados: list[Componente] = []
        try:
            for componente in componentes:
                await componente.iniciar()
                iniciados.append(componente)
            yield
        finally:
            for componente in reversed(iniciados):
                await componente.detener()
            if propios:
                await app.state.servicios.cerrar()

    documentada = config.documentacion_api
    app = FastAPI(title="Asistente de Ciudades Hermanas", version=__version__, lifespan=ciclo,
                  openapi_url="/openapi.json" if documentada else None,
                  docs_url="/docs" if documentada else None, redoc_url=None,
                  max_body_size=MAXIMO_CUERPO,
                  exception_handlers={413: _demasiado_grande})
    app.add_middleware(CabecerasSeguridad)
    app.state.rest_token = config.rest_token
    app.state.limites = LimitesDeRitmo(config.limite_mensajes_por_minuto,
                                       config.limite_remitentes_nuevos_por_hora)
    app.state.identidad_web = IdentidadWeb(
        secreto_local(config.panel_secreto, RAIZ / "var" / "secreto_chat"))
    app.include_router(chat_web.router)
    app.include_router(rest.router)
    panel.montar(app)
    app.include_router(webhook_telegram.router)
    app.include_router(webhook_whatsapp.router)

    @app.get("/salud")
    async def salud(request: Request) -> JSONResponse:
        datos = await estado_salud(request.app.state.servicios)
        return JSONResponse(datos, status_code=200 if datos["estado"] == "ok" else 503)

    acotar_ids(app)
    return app
