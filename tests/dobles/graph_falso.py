"""Doble local de la Graph API de WhatsApp Cloud, manejado por el cliente real pywa.

Atiende `{url}/v{versión}/{phone_id}/messages` (texto, interactivos con botones o lista,
documentos, plantillas y «marcar como leído»), `{phone_id}/media` (subida), `/{media_id}`
(URL de descarga) y la descarga misma. Exige el token en `Authorization`. Hacia la
aplicación hace de Meta: firma cada cuerpo con HMAC-SHA256 del secreto de la app
(`X-Hub-Signature-256`), lo entrega al webhook y reintenta si no recibe 200.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import threading
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dobles.servidor_hilo import ServidorEnHilo

TOKEN = "EAAprueba-token-del-doble"
PHONE_ID = "109876543210"
SECRETO_APP = "secreto-de-la-app-de-prueba-0123456789"
VERIFICACION = "token-de-verificacion-de-prueba"


@dataclass
class Enviado:
    """Una petición a /messages."""

    cuerpo: dict[str, Any]
    t: float
    codigo: int = 200

    @property
    def para(self) -> str:
        return str(self.cuerpo.get("to", ""))

    @property
    def tipo(self) -> str:
        return str(self.cuerpo.get("type", "read" if self.cuerpo.get("status") else ""))

    @property
    def texto(self) -> str:
        c = self.cuerpo
        if c.get("type") == "text":
            return str(c["text"]["body"])
        if c.get("type") == "interactive":
            return str(c["interactive"]["body"]["text"])
        if c.get("type") == "document":
            return str(c["document"].get("caption", ""))
        return ""

    @property
    def opciones(self) -> list[tuple[str, str]]:
        """(id, título) de botones o filas de lista."""
        if self.cuerpo.get("type") != "interactive":
            return []
        accion = self.cuerpo["interactive"]["action"]
        if "buttons" in accion:
            return [(b["reply"]["id"], b["reply"]["title"]) for b in accion["buttons"]]
        return [(r["id"], r["title"]) for s in accion["sections"] for r in s["rows"]]


def firmar(cuerpo: bytes, secreto: str = SECRETO_APP) -> str:
    """El valor de X-Hub-Signature-256 para ese cuerpo."""
    return "sha256=" + hmac.new(secreto.encode(), cuerpo, hashlib.sha256).hexdigest()


class GraphFalso:
    """La Graph API falsa: estado en memoria, servida por uvicorn en un hilo."""

    def __init__(self, token: str = TOKEN, secreto_app: str = SECRETO_APP) -> None:
        self.token = token
        self.secreto_app = secreto_app
        self._candado = threading.Lock()
        self.enviados: list[Enviado] = []
        self.media: dict[str, tuple[str, str, bytes]] = {}  # id → nombre, mime, contenido
        self.fallas: deque[tuple[int, int]] = deque()  # (HTTP, código de error de Meta)
        self.webhook_url = ""
        self.entregas: list[int] = []
        self._por_entregar: deque[bytes] = deque()
        self._ids = itertools.count(1)
        self._servidor = ServidorEnHilo(self._app())

    @property
    def url(self) -> str:
        """Lo que va en WHATSAPP_API_URL."""
        return self._servidor.url

    def iniciar(self) -> GraphFalso:
        self._servidor.iniciar()
        return self

    def detener(self) -> None:
        self._servidor.detener()

    # --- lo que usan las pruebas ---

    def publicar(self, cuerpo: dict[str, Any]) -> None:
        """Entrega (firmado) un cuerpo de webhook a la aplicación, como lo haría Meta."""
        with self._candado:
            self._por_entregar.append(json.dumps(cuerpo).encode())

    def subir(self, nombre: str, mime: str, contenido: bytes) -> str:
        """Un archivo que el usuario envió: queda como media descargable."""
        media_id = f"MEDIA{next(self._ids)}"
        with self._candado:
            self.media[media_id] = (nombre, mime, contenido)
        return media_id

    def fallar(self, veces: int = 1, http: int = 429, codigo: int = 130429) -> None:
        """Las próximas `veces` peticiones a /messages fallan con ese error de Meta."""
        with self._candado:
            self.fallas.extend([(http, codigo)] * veces)

    def mensajes(self, para: str | None = None, tipo: str | None = None) -> list[Enviado]:
        with self._candado:
            return [e for e in self.enviados if e.codigo == 200 and e.tipo != "read"
                    and (para is None or e.para == para) and (tipo is None or e.tipo == tipo)]

    def leidos(self) -> list[str]:
        with self._candado:
            return [str(e.cuerpo["message_id"]) for e in self.enviados if e.tipo == "read"]

    # --- la aplicación ASGI ---

    def _app(self) -> Starlette:
        @asynccontextmanager
        async def ciclo(_: Starlette) -> AsyncIterator[None]:
            tarea = asyncio.create_task(self._repartidor())
            try:
                yield
            finally:
                tarea.cancel()

        return Starlette(routes=[
            Route("/v{version}/{telefono}/messages", self._messages, methods=["POST"]),
            Route("/v{version}/{telefono}/media", self._subir_media, methods=["POST"]),
            Route("/v{version}/{media_id}", self._info_media, methods=["GET"]),
            Route("/descargas/{media_id}", self._descargar, methods=["GET"]),
        ], lifespan=ciclo)

    async def _repartidor(self) -> None:
        async with httpx.AsyncClient(timeout=30) as cliente:
            while True:
                with self._candado:
                    cuerpo = self._por_entregar.popleft() if self._por_entregar else None
                if cuerpo is None or not self.webhook_url:
                    if cuerpo is not None:
                        with self._candado:
                            self._por_entregar.appendleft(cuerpo)
                    await asyncio.sleep(0.01)
                    continue
                cabeceras = {"X-Hub-Signature-256": firmar(cuerpo, self.secreto_app),
                             "content-type": "application/json"}
                for intento in range(6):
                    try:
                        r = await cliente.post(self.webhook_url, content=cuerpo, headers=cabeceras)
                        codigo = r.status_code
                    except httpx.HTTPError:
                        codigo = 0
                    with self._candado:
                        self.entregas.append(codigo)
                    if codigo == 200:
                        break
                    await asyncio.sleep(0.2 * (intento + 1))

    def _autorizado(self, peticion: Request) -> bool:
        return peticion.headers.get("authorization", "") == f"Bearer {self.token}"

    @staticmethod
    def _error(http: int, codigo: int, mensaje: str) -> JSONResponse:
        return JSONResponse({"error": {"message": mensaje, "type": "OAuthException",
                                       "code": codigo, "fbtrace_id": "doble"}}, status_code=http)

    async def _messages(self, peticion: Request) -> Response:
        t = time.monotonic()
        if not self._autorizado(peticion):
            return self._error(401, 190, "Invalid OAuth access token.")
        cuerpo = json.loads(await peticion.body())
        enviado = Enviado(cuerpo, t)
        with self._candado:
            falla = self.fallas.popleft() if self.fallas and cuerpo.get("status") is None else None
            if falla:
                enviado.codigo = falla[0]
            self.enviados.append(enviado)
        if falla:
            return self._error(falla[0], falla[1], "(#130429) Rate limit hit")
        if cuerpo.get("status") == "read":
            return JSONResponse({"success": True})
        destino = str(cuerpo.get("to", ""))
        return JSONResponse({
            "messaging_product": "whatsapp",
            "contacts": [{"input": destino, "wa_id": destino}],
            "messages": [{"id": f"wamid.SALIDA{next(self._ids)}"}],
        })

    async def _subir_media(self, peticion: Request) -> Response:
        if not self._autorizado(peticion):
            return self._error(401, 190, "Invalid OAuth access token.")
        async with peticion.form() as formulario:
            archivo = formulario.get("file")
            if not isinstance(archivo, UploadFile):
                return self._error(400, 100, "Param file is required")
            guardado = (archivo.filename or "archivo",
                        archivo.content_type or "application/octet-stream", await archivo.read())
        media_id = f"SUBIDO{next(self._ids)}"
        with self._candado:
            self.media[media_id] = guardado
        return JSONResponse({"id": media_id})

    async def _info_media(self, peticion: Request) -> Response:
        if not self._autorizado(peticion):
            return self._error(401, 190, "Invalid OAuth access token.")
        media_id = peticion.path_params["media_id"]
        with self._candado:
            guardado = self.media.get(media_id)
        if guardado is None:
            return self._error(400, 100, "Unsupported get request.")
        _, mime, contenido = guardado
        return JSONResponse({
            "messaging_product": "whatsapp", "id": media_id, "mime_type": mime,
            "sha256": hashlib.sha256(contenido).hexdigest(), "file_size": len(contenido),
            "url": f"{self.url}/descargas/{media_id}",
        })

    async def _descargar(self, peticion: Request) -> Response:
        if not self._autorizado(peticion):
            return Response(status_code=401)
        with self._candado:
            guardado = self.media.get(peticion.path_params["media_id"])
        if guardado is None:
            return Response(status_code=404)
        return Response(guardado[2], media_type=guardado[1])
