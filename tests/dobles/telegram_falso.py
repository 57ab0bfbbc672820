"""Doble local de la Bot API de Telegram, manejado por el cliente real python-telegram-bot.

Atiende `{url}/bot{token}/{método}` y descargas en `{url}/file/bot{token}/{ruta}`:
getMe, getUpdates (sondeo largo, con `offset`), sendMessage, editMessageText,
editMessageReplyMarkup, answerCallbackQuery, sendDocument, getFile, setWebhook,
deleteWebhook y getWebhookInfo. Con webhook registrado, entrega los updates por POST (con
`X-Telegram-Bot-Api-Secret-Token`) y reintenta si no recibe 200, como la plataforma.

Se le pueden pedir fallas: `limitar(método, veces, retry_after)` responde 429,
`fallar(método, veces, código)` responde otro error (500, 502, 400 «chat not found»…) y
`bloquear(chat_id)` responde 403 como un usuario que bloqueó al bot. Cada llamada queda en
`llamadas` con su marca de tiempo (monotónica) para revisar ritmos.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dobles.servidor_hilo import ServidorEnHilo

TOKEN = "123456:PRUEBA-token-del-doble"
BOT = {"id": 123456, "is_bot": True, "first_name": "Ciudades Hermanas",
       "username": "ciudades_hermanas_bot", "can_join_groups": False,
       "can_read_all_group_messages": False, "supports_inline_queries": False}
_JSON = {"reply_markup", "allowed_updates", "entities", "caption_entities",
         "link_preview_options", "reply_parameters"}
_NUMEROS = {"chat_id", "message_id", "offset", "limit", "timeout", "max_connections"}
ENVIOS = {"sendMessage", "sendDocument", "sendPhoto", "copyMessage", "forwardMessage"}
DESCRIPCIONES = {400: "Bad Request: chat not found", 403: "Forbidden: bot was blocked by the user",
                 500: "Internal Server Error", 502: "Bad Gateway",
                 503: "Service Unavailable"}


@dataclass
class Llamada:
    """Una petición recibida por el doble."""

    metodo: str
    datos: dict[str, Any]
    t: float
    archivo: tuple[str, str, bytes] | None = None  # nombre, mime, contenido
    respuesta: dict[str, Any] = field(default_factory=dict)
    codigo: int = 200
    en_respuesta_al_webhook: bool = False

    @property
    def chat_id(self) -> int | None:
        valor = self.datos.get("chat_id")
        return int(valor) if valor is not None else None

    @property
    def texto(self) -> str:
        return str(self.datos.get("text") or self.datos.get("caption") or "")

    @property
    def botones(self) -> list[dict[str, Any]]:
        teclado = self.datos.get("reply_markup") or {}
        return [b for fila in teclado.get("inline_keyboard", []) for b in fila]


class TelegramFalso:
    """La Bot API falsa: estado en memoria, servida por uvicorn en un hilo."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self._candado = threading.Lock()
        self.llamadas: list[Llamada] = []
        self.pendientes: deque[dict[str, Any]] = deque()
        self.entregas: list[tuple[int, int]] = []  # (update_id, código HTTP del webhook)
        self.archivos: dict[str, tuple[str, str, bytes, str]] = {}  # id → nombre, mime, bytes, ruta
        self.webhook: dict[str, Any] = {}
        self.fallas: dict[str, deque[tuple[int, int]]] = {}
        self.bloqueados: set[int] = set()
        self._ids_update = itertools.count(1000)
        self._ids_mensaje = itertools.count(1)
        self._ids_archivo = itertools.count(1)
        self._ids_callback = itertools.count(1)
        self._por_entregar: deque[dict[str, Any]] = deque()
        self._cerrando = False
        self._servidor = ServidorEnHilo(self._app())

    # --- ciclo de vida ---

    @property
    def url(self) -> str:
        return self._servidor.url

    @property
    def url_api(self) -> str:
        """Lo que va en TELEGRAM_API_URL."""
        return f"{self.url}/bot"

    def iniciar(self) -> TelegramFalso:
        self._servidor.iniciar()
        return self

    def detener(self) -> None:
        self._cerrando = True
        self._servidor.detener()

    # --- lo que usan las pruebas ---

    def publicar(self, update: dict[str, Any]) -> dict[str, Any]:
        """Pone un update en la cola (sondeo) o lo entrega al webhook registrado."""
        with self._candado:
            if self.webhook.get("url"):
                self._por_entregar.append(update)
            else:
                self.pendientes.append(update)
        return update

    def nuevo_update_id(self) -> int:
        return next(self._ids_update)

    def nuevo_message_id(self) -> int:
        return next(self._ids_mensaje)

    def nuevo_callback_id(self) -> str:
        return f"cb{next(self._ids_callback)}"

    def subir_archivo(self, nombre: str, mime: str, contenido: bytes) -> str:
        """Guarda un archivo como si el usuario lo hubiera subido; devuelve su file_id."""
        numero = next(self._ids_archivo)
        file_id = f"ARCHIVO{numero}"
        with self._candado:
            self.archivos[file_id] = (nombre, mime, contenido, f"documents/file_{numero}")
        return file_id

    def limitar(self, metodo: str, veces: int = 1, retry_after: int = 1) -> None:
        """Las próximas `veces` llamadas a `metodo` reciben 429 con `retry_after`."""
        with self._candado:
            self.fallas.setdefault(metodo, deque()).extend([(429, retry_after)] * veces)

    def fallar(self, metodo: str, veces: int = 1, codigo: int = 500, despues: int = 0) -> None:
        """Tras `despues` llamadas buenas, las `veces` siguientes a `metodo` reciben ese error
        HTTP (sin `retry_after`)."""
        with self._candado:
            self.fallas.setdefault(metodo, deque()).extend(
                [(200, 0)] * despues + [(codigo, 0)] * veces)

    def bloquear(self, chat_id: int) -> None:
        """El usuario bloqueó al bot: los envíos a su chat reciben 403."""
        with self._candado:
            self.bloqueados.add(chat_id)

    def desbloquear(self, chat_id: int) -> None:
        """El usuario volvió a permitir al bot."""
        with self._candado:
            self.bloqueados.discard(chat_id)

    def enviados(self, chat_id: int | None = None) -> list[Llamada]:
        """Los envíos exitosos (mensajes y documentos), de un chat o de todos."""
        with self._candado:
            return [c for c in self.llamadas if c.metodo in ENVIOS and c.codigo == 200
                    and (chat_id is None or c.chat_id == chat_id)]

    def de_metodo(self, metodo: str) -> list[Llamada]:
        with self._candado:
            return [c for c in self.llamadas if c.metodo == metodo]

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
            Route("/bot{token}/{metodo}", self._metodo, methods=["GET", "POST"]),
            Route("/file/bot{token}/{ruta:path}", self._descarga, methods=["GET"]),
        ], lifespan=ciclo)

    async def _repartidor(self) -> None:
        """Entrega al webhook en orden, de uno en uno, reintentando como Telegram."""
        async with httpx.AsyncClient(timeout=30) as cliente:
            while True:
                with self._candado:
                    update = self._por_entregar.popleft() if self._por_entregar else None
                    webhook = dict(self.webhook)
                if update is None or not webhook.get("url"):
                    await asyncio.sleep(0.01)
                    continue
                cabeceras = {}
                if webhook.get("secret_token"):
                    cabeceras["X-Telegram-Bot-Api-Secret-Token"] = webhook["secret_token"]
                for intento in range(6):
                    try:
                        r = await cliente.post(webhook["url"], json=update, headers=cabeceras)
                        codigo = r.status_code
                    except httpx.HTTPError:
                        codigo = 0
                    with self._candado:
                        self.entregas.append((update["update_id"], codigo))
                    if codigo == 200:
                        self._ejecutar_respuesta(r)
                        break
                    await asyncio.sleep(0.2 * (intento + 1))

    def _ejecutar_respuesta(self, respuesta: httpx.Response) -> None:
        """Como Telegram: un 200 del webhook puede traer en el cuerpo una llamada a la Bot API
        (`{"method": …}`), que se ejecuta sin enviar respuesta a nadie."""
        try:
            cuerpo = respuesta.json()
        except ValueError:
            return
        if not isinstance(cuerpo, dict) or not isinstance(cuerpo.get("method"), str):
            return
        datos = {k: v for k, v in cuerpo.items() if k != "method"}
        llamada = Llamada(cuerpo["method"], datos, time.monotonic(), en_respuesta_al_webhook=True)
        with self._candado:
            llamada.codigo, llamada.respuesta = self._atender(llamada)
            self.llamadas.append(llamada)

    async def _datos(
            self, peticion: Request) -> tuple[dict[str, Any], tuple[str, str, bytes] | None]:
        archivo = None
        datos: dict[str, Any] = dict(peticion.query_params)
        tipo = peticion.headers.get("content-type", "")
        if tipo.startswith("application/json"):
            cuerpo = await peticion.body()
            datos.update(json.loads(cuerpo) if cuerpo else {})
            return datos, None
        if tipo.startswith(("multipart/", "application/x-www-form-urlencoded")):
            async with peticion.form() as formulario:
                for clave, valor in formulario.multi_items():
                    if isinstance(valor, UploadFile):
                        archivo = (valor.filename or "archivo", valor.content_type or "",
                                   await valor.read())
                        datos[clave] = "<archivo>"
                    else:
                        datos[clave] = valor
        for clave in list(datos):
            valor = datos[clave]
            if clave in _JSON and isinstance(valor, str):
                datos[clave] = json.loads(valor)
            elif clave in _NUMEROS and isinstance(valor, str) and valor.lstrip("-").isdigit():
                datos[clave] = int(valor)
        return datos, archivo

    async def _metodo(self, peticion: Request) -> Response:
        t = time.monotonic()
        if peticion.path_params["token"] != self.token:
            return JSONResponse({"ok": False, "error_code": 401, "description": "Unauthorized"},
                                status_code=401)
        metodo = peticion.path_params["metodo"]
        datos, archivo = await self._datos(peticion)
        llamada = Llamada(metodo, datos, t, archivo)
        codigo, cuerpo = self._falla(llamada)
        if codigo == 200:
            if metodo == "getUpdates":
                codigo, cuerpo = await self._get_updates(datos, peticion)
            else:
                with self._candado:
                    codigo, cuerpo = self._atender(llamada)
        llamada.codigo, llamada.respuesta = codigo, cuerpo
        if metodo != "getUpdates":
            with self._candado:
                self.llamadas.append(llamada)
        return JSONResponse(cuerpo, status_code=codigo)

    def _falla(self, llamada: Llamada) -> tuple[int, dict[str, Any]]:
        with self._candado:
            cola = self.fallas.get(llamada.metodo)
            codigo, espera = cola.popleft() if cola else (200, 0)
            if codigo != 200:
                if codigo != 429:
                    return codigo, {"ok": False, "error_code": codigo,
                                    "description": DESCRIPCIONES.get(codigo, "Error")}
                return 429, {"ok": False, "error_code": 429,
                             "description": f"Too Many Requests: retry after {espera}",
                             "parameters": {"retry_after": espera}}
            if llamada.metodo in ENVIOS and llamada.chat_id in self.bloqueados:
                return 403, {"ok": False, "error_code": 403,
                             "description": "Forbidden: bot was blocked by the user"}
        return 200, {}

    async def _get_updates(self, datos: dict[str, Any],
                           peticion: Request) -> tuple[int, dict[str, Any]]:
        if self.webhook.get("url"):
            return 409, {"ok": False, "error_code": 409,
                         "description": "Conflict: can't use getUpdates method while webhook "
                                        "is active; use deleteWebhook to delete the webhook first"}
        offset = int(datos.get("offset") or 0)
        limite = int(datos.get("limit") or 100)
        fin = time.monotonic() + float(datos.get("timeout") or 0)
        while True:
            with self._candado:
                while self.pendientes and self.pendientes[0]["update_id"] < offset:
                    self.pendientes.popleft()
                listos = [u for u in self.pendientes if u["update_id"] >= offset][:limite]
            if listos or time.monotonic() >= fin or self._cerrando:
                return 200, {"ok": True, "result": listos}
            try:
                await asyncio.wait_for(peticion.is_disconnected(), 0.02)
            except asyncio.TimeoutError:
                continue
            if await peticion.is_disconnected():
                return 200, {"ok": True, "result": []}

    def _mensaje(self, chat_id: int, **extra: Any) -> dict[str, Any]:
        return {"message_id": next(self._ids_mensaje), "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group",
                         "first_name": "Usuario"},
                "from": BOT, **{k: v for k, v in extra.items() if v is not None}}

    def _atender(self, llamada: Llamada) -> tuple[int, dict[str, Any]]:
        d, metodo = llamada.datos, llamada.metodo
        resultado: Any
        if metodo == "getMe":
            resultado = BOT
        elif metodo == "sendMessage":
            resultado = self._mensaje(int(d["chat_id"]), text=d["text"],
                                      reply_markup=d.get("reply_markup"))
        elif metodo == "sendDocument":
            if llamada.archivo is None:
                return 400, {"ok": False, "error_code": 400,
                             "description": "Bad Request: there is no document in the request"}
            nombre, mime, contenido = llamada.archivo
            file_id = f"ENVIADO{next(self._ids_archivo)}"
            self.archivos[file_id] = (nombre, mime, contenido, f"documents/{file_id}")
            resultado = self._mensaje(
                int(d["chat_id"]), caption=d.get("caption"), reply_markup=d.get("reply_markup"),
                document={"file_id": file_id, "file_unique_id": file_id.lower(),
                          "file_name": nombre, "mime_type": mime, "file_size": len(contenido)})
        elif metodo in ("editMessageText", "editMessageReplyMarkup"):
            resultado = self._mensaje(int(d["chat_id"]), text=d.get("text", "(editado)"),
                                      reply_markup=d.get("reply_markup"))
            resultado["message_id"] = int(d["message_id"])
            resultado["edit_date"] = int(time.time())
        elif metodo in ("answerCallbackQuery", "deleteWebhook", "setMyCommands"):
            if metodo == "deleteWebhook":
                self.webhook = {}
            resultado = True
        elif metodo == "setWebhook":
            self.webhook = {"url": d["url"], "secret_token": d.get("secret_token", "")}
            resultado = True
        elif metodo == "getWebhookInfo":
            resultado = {"url": self.webhook.get("url", ""), "has_custom_certificate": False,
                         "pending_update_count": len(self._por_entregar)}
        elif metodo == "getFile":
            guardado = self.archivos.get(str(d.get("file_id")))
            if guardado is None:
                return 400, {"ok": False, "error_code": 400,
                             "description": "Bad Request: invalid file_id"}
            resultado = {"file_id": d["file_id"], "file_unique_id": str(d["file_id"]).lower(),
                         "file_size": len(guardado[2]), "file_path": guardado[3]}
        else:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        return 200, {"ok": True, "result": resultado}

    async def _descarga(self, peticion: Request) -> Response:
        if peticion.path_params["token"] != self.token:
            return Response(status_code=401)
        ruta = peticion.path_params["ruta"]
        with self._candado:
            for nombre, mime, contenido, propia in self.archivos.values():
                if propia == ruta:
                    del nombre
                    return Response(contenido, media_type=mime or "application/octet-stream")
        return Response(status_code=404)
