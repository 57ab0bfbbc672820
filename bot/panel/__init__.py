"""Escritorio web de asesores bajo /panel (FastAPI + Jinja2, sin SPA)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

from bot.panel.vistas import router

ESTATICO = Path(__file__).resolve().parent / "estatico"


class _EstaticoSeguro:
    """Archivos estáticos con `nosniff` y caché corta."""

    def __init__(self) -> None:
        self._app = StaticFiles(directory=ESTATICO)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def enviar(mensaje: Message) -> None:
            if mensaje["type"] == "http.response.start":
                mensaje.setdefault("headers", [])
                mensaje["headers"] = [*mensaje["headers"],
                                      (b"x-content-type-options", b"nosniff"),
                                      (b"cache-control", b"max-age=3600")]
            await send(mensaje)

        await self._app(scope, receive, enviar)


def montar(app: FastAPI) -> None:
    """Agrega el panel y sus archivos estáticos a la aplicación."""
    app.mount("/panel/estatico", _EstaticoSeguro(), name="panel_estatico")
    app.include_router(router)
