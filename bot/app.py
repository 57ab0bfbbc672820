"""La aplicación ASGI: canal REST, chat web, salud (y, conforme se integran, Telegram,
WhatsApp y el panel de asesores)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from bot import __version__, panel
from bot.canales import rest
from bot.canales.telegram import webhook as webhook_telegram
from bot.canales.whatsapp import webhook as webhook_whatsapp
from bot.componentes import Componente, componentes_de
from bot.config import Ajustes, ajustes
from bot.documentos.enlaces import FirmaEnlaces, secreto_local
from bot.salud import estado_salud
from bot.servicios import Servicios, crear_servicios

log = logging.getLogger(__name__)
WEB = Path(__file__).resolve().parent / "canales" / "web"
MAXIMO_CUERPO = 1024 * 1024  # 1 MiB: más que eso no es un mensaje de chat


class LimiteCuerpo:
    """Rechaza con 413 los cuerpos declarados demasiado grandes (middleware ASGI puro: no
    crea tareas ni copia la respuesta, a diferencia de `BaseHTTPMiddleware`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            largo = dict(scope["headers"]).get(b"content-length", b"")
            if largo.isdigit() and int(largo) > MAXIMO_CUERPO:
                respuesta = JSONResponse({"error": "El mensaje es demasiado grande."},
                                         status_code=413)
                await respuesta(scope, receive, send)
                return
        await self.app(scope, receive, send)


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

    app = FastAPI(title="Asistente de Ciudades Hermanas", version=__version__, lifespan=ciclo,
                  docs_url=None, redoc_url=None)
    app.add_middleware(LimiteCuerpo)
    app.include_router(rest.router)
    panel.montar(app)
    app.include_router(webhook_telegram.router)
    app.include_router(webhook_whatsapp.router)

    @app.get("/salud")
    async def salud(request: Request) -> JSONResponse:
        datos = await estado_salud(request.app.state.servicios)
        return JSONResponse(datos, status_code=200 if datos["estado"] == "ok" else 503)

    @app.get("/", include_in_schema=False)
    async def chat_web() -> FileResponse:
        return FileResponse(WEB / "index.html", media_type="text/html; charset=utf-8")

    return app
