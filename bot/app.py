"""La aplicación ASGI: chat web, canal REST, webhooks de Telegram y WhatsApp, panel de
asesores y salud, con lo que protege a todas las rutas: límite del cuerpo contado al recibir,
cabeceras de seguridad, ids de la URL en rango y la API sin publicar (salvo
DOCUMENTACION_API)."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot import __version__, panel
from bot.canales import rest
from bot.canales.telegram import webhook as webhook_telegram
from bot.canales.web import rutas as chat_web
from bot.canales.web.identidad import IdentidadWeb, secreto_compartido
from bot.canales.web.proteccion import LimitesDeRitmo
from bot.canales.whatsapp import webhook as webhook_whatsapp
from bot.componentes import Componente, componentes_de
from bot.config import Ajustes, ajustes
from bot.documentos.enlaces import FirmaEnlaces, secreto_local
from bot.salud import estado_salud
from bot.servicios import Servicios, crear_servicios

log = logging.getLogger(__name__)
MAXIMO_CUERPO = 1024 * 1024
"""1 MiB: más que eso no es un mensaje de chat ni un webhook (los archivos de Telegram y
WhatsApp se descargan de la plataforma, no llegan en el cuerpo). Ver `LimiteCuerpo`."""

CABECERAS_SEGURIDAD = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
}
"""Las de toda respuesta que no traiga ya las suyas (la página del chat y el panel traen una
CSP completa)."""

ENTERO_MAXIMO = 2**31 - 1
"""Los ids de la base son INTEGER (32 bits en PostgreSQL): un segmento numérico más grande en
una URL (p. ej. /panel/traspaso/99999999999999999999) no es de nada: 404 antes de llegar a la
ruta, en vez de un error de la base. Una ruta futura con ids de 64 bits en la URL (p. ej. de
Telegram) tendría que quedar fuera de esta regla."""
_NUMERO = re.compile(r"^[+-]?[0-9]{10,}$")


MENSAJE_413 = "El mensaje es demasiado grande."


class CuerpoDemasiadoGrande(HTTPException):
    """El cuerpo pasó del límite mientras se recibía (lo atiende el manejador del 413)."""

    def __init__(self) -> None:
        super().__init__(status_code=413, detail=MENSAJE_413)


def _demasiado_grande() -> JSONResponse:
    return JSONResponse({"error": MENSAJE_413}, status_code=413)


class LimiteCuerpo:
    """413 para un cuerpo de más de `maximo` bytes, contados conforme llegan (middleware ASGI
    puro): un Content-Length mayor se rechaza sin leer nada; un cuerpo sin él (chunked) se
    corta en cuanto se pasa, sin leer el resto. `por_ruta` da otro límite a las rutas que
    empiezan con un prefijo (p. ej. una subida de archivos)."""

    def __init__(self, app: ASGIApp, maximo: int = MAXIMO_CUERPO,
                 por_ruta: dict[str, int] | None = None) -> None:
        self.app = app
        self.maximo = maximo
        self.por_ruta = por_ruta or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        maximo = next((n for prefijo, n in self.por_ruta.items()
                       if scope["path"].startswith(prefijo)), self.maximo)
        declarado = dict(scope["headers"]).get(b"content-length", b"")
        if declarado.isdigit() and int(declarado) > maximo:
            await _demasiado_grande()(scope, receive, send)
            return
        recibidos = 0
        respondio = False

        async def recibir() -> Message:
            nonlocal recibidos
            mensaje = await receive()
            if mensaje["type"] == "http.request":
                recibidos += len(mensaje.get("body", b""))
                if recibidos > maximo:
                    raise CuerpoDemasiadoGrande
            return mensaje

        async def enviar(mensaje: Message) -> None:
            nonlocal respondio
            respondio = respondio or mensaje["type"] == "http.response.start"
            await send(mensaje)

        try:
            await self.app(scope, recibir, enviar)
        except CuerpoDemasiadoGrande:  # la ruta no era de FastAPI (p. ej. una montada)
            if respondio:
                raise
            await _demasiado_grande()(scope, receive, send)


class IdsEnRango:
    """404 para una URL con un número que no cabe en un id de la base (middleware ASGI). El
    panel revisa sus ids él mismo y contesta con su propia página 404."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith("/panel/") and any(
                _NUMERO.match(segmento) and abs(int(segmento)) > ENTERO_MAXIMO
                for segmento in scope["path"].split("/")):
            await JSONResponse({"error": "No encontré eso."}, status_code=404)(
                scope, receive, send)
            return
        await self.app(scope, receive, send)


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


async def _manejar_413(request: Request, error: Exception) -> JSONResponse:
    return _demasiado_grande()


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
                  exception_handlers={413: _manejar_413})
    app.add_middleware(IdsEnRango)
    # La subida de archivos del chat web tiene su propio límite: el del documento más lo que
    # ocupa el formulario multipart alrededor.
    app.add_middleware(LimiteCuerpo, por_ruta={"/chat/archivo": config.documento_max_bytes
                                               + 64 * 1024})
    app.add_middleware(CabecerasSeguridad)  # la última: envuelve a todas
    app.state.rest_token = config.rest_token
    app.state.limites = LimitesDeRitmo(config.limite_mensajes_por_minuto,
                                       config.limite_remitentes_nuevos_por_hora)
    app.state.identidad_web = IdentidadWeb(secreto_compartido(config.panel_secreto))
    app.include_router(chat_web.router)
    app.include_router(rest.router)
    panel.montar(app)
    app.include_router(webhook_telegram.router)
    app.include_router(webhook_whatsapp.router)

    @app.get("/salud")
    async def salud(request: Request) -> JSONResponse:
        datos = await estado_salud(request.app.state.servicios)
        return JSONResponse(datos, status_code=200 if datos["estado"] == "ok" else 503)

    return app
