"""El chat web: la página de `/`, su JavaScript y su hoja de estilos, y su API.

- `POST /chat/mensajes` — `{"texto": "..."}` o `{"payload": "/..."}`, con `message_id`
  opcional (reintentos idempotentes). Responde la lista de respuestas en el formato REST
  (`text`, `buttons`, `link`, `attachment`), la misma que pinta la página.
- `GET /chat/pendientes?despues=<id>` — sondeo largo: espera hasta ~25 s a que haya algo
  para la persona de esta cookie que salió sin que escribiera (la respuesta de un asesor,
  «Le atiende…», un aviso) y lo devuelve en el mismo formato, cada elemento con su `id` y su
  `autor` («bot» o «asesor»); queda entregado (`bot/motor/pendientes.py`).
  `POST /chat/mensajes` también lo pone al frente de su respuesta, así que cada mensaje sale
  una sola vez por uno u otro camino.
- `GET /chat/historial` — la conversación de esta cookie ya dicha (hasta los últimos 200
  mensajes), para rehacerla al recargar la página: cada elemento con su `autor` («usuario»,
  «bot», «asesor» o «aviso»). Lo que no se conservó porque la persona rechazó el
  consentimiento no se muestra: en su lugar va un solo «aviso» que lo explica.
- `POST /chat/archivo` — un archivo (PDF, DOCX, JPG, PNG; hasta DOCUMENTO_MAX_BYTES, su
  propio límite de cuerpo en `bot/app.py`) como `multipart/form-data`, campo `archivo`.
- `POST /chat/salir` — «Cerrar sesión»: el navegador olvida su identidad; el siguiente
  mensaje empieza una conversación nueva.

Quién es la persona lo dice la cookie firmada que emite el servidor
(`bot/canales/web/identidad.py`), nunca el cuerpo: los datos personales («mis datos», estatus
de un caso, borrar, cancelar un traspaso) solo llegan a quien tiene esa cookie. Una petición
sin cookie válida recibe una identidad nueva, que cuenta en el límite de remitentes nuevos
por IP; cada identidad tiene su límite de mensajes por minuto.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, Field, ValidationError
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from bot.canales.rest import a_rest, ip_cliente, procesar
from bot.canales.web.identidad import IdentidadWeb
from bot.canales.web.proteccion import (
    MAXIMO_JSON_CHAT,
    MENSAJE_NUEVOS,
    MENSAJE_RITMO,
    JsonInvalido,
    LimitesDeRitmo,
    demasiadas,
    leer_json,
)
from bot.documentos.almacen import TIPOS_ADMITIDOS
from bot.motor import historial, pendientes
from bot.nucleo.mensajes import ArchivoEntrante, Canal, MensajeEntrante

router = APIRouter(include_in_schema=False)
CARPETA = Path(__file__).resolve().parent
CSP_PAGINA = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
              "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
              "frame-ancestors 'none'")
"""La página solo carga su propio JavaScript y su hoja de estilos (nada en línea)."""
ESPERA_MAXIMA_S = 25.0
"""Cuánto espera `GET /chat/pendientes` antes de responder vacío (la página vuelve a pedir)."""
SONDEO_S = 1.0
"""Cada cuánto mira la base mientras espera (una lectura barata por índice)."""
AVISO_NO_CONSERVADA = ("Esta parte de la conversación no se conservó porque usted prefirió "
                       "que no guarde sus datos.")
"""Lo que muestra el historial en lugar de lo que se vació por falta de consentimiento."""


class PeticionChat(BaseModel):
    """Lo que manda la página: texto escrito o el payload del botón pulsado."""

    texto: str = Field(default="", max_length=20000)
    payload: str | None = Field(default=None, max_length=1000)
    message_id: str | None = Field(default=None, max_length=100)


def _error(estado: int, mensaje: str) -> JSONResponse:
    return JSONResponse({"error": mensaje}, status_code=estado,
                        headers={"Cache-Control": "no-store"})


def _archivo(nombre: str, tipo: str, **cabeceras: str) -> FileResponse:
    return FileResponse(CARPETA / nombre, media_type=tipo,
                        headers={"Cache-Control": "no-cache", **cabeceras})


@router.get("/")
async def pagina() -> FileResponse:
    """La página del chat."""
    return _archivo("index.html", "text/html; charset=utf-8",
                    **{"Content-Security-Policy": CSP_PAGINA})


@router.get("/chat/chat.js")
async def guion() -> FileResponse:
    """El JavaScript de la página."""
    return _archivo("chat.js", "text/javascript; charset=utf-8")


@router.get("/chat/chat.css")
async def estilos() -> FileResponse:
    """La hoja de estilos de la página."""
    return _archivo("chat.css", "text/css; charset=utf-8")


@router.post("/chat/mensajes")
async def mensaje(request: Request) -> JSONResponse:
    """Un mensaje de la persona de esta cookie (o de una identidad nueva si no trae una)."""
    try:
        cuerpo = leer_json(await request.body(), MAXIMO_JSON_CHAT)
    except JsonInvalido as error:
        return _error(400, f"{error} Se espera {{\"texto\": \"...\"}}.")
    try:
        peticion = PeticionChat.model_validate(cuerpo)
    except ValidationError:
        return _error(400, "Se espera {\"texto\": \"...\"} o {\"payload\": \"/...\"}.")
    texto, payload = peticion.texto, peticion.payload
    if not payload and texto.startswith("/"):  # una orden escrita vale como botón
        payload = texto
    if not payload and not texto.strip():
        return _error(400, "El mensaje está vacío.")

    id_web = await _quien(request)
    if isinstance(id_web, JSONResponse):
        return id_web
    entrante = MensajeEntrante(
        canal=Canal.WEB, id_usuario=id_web,
        id_mensaje=(f"{id_web}:{peticion.message_id}"[:128] if peticion.message_id
                    else uuid.uuid4().hex),
        texto="" if payload else texto, payload=payload,
    )
    respuesta = await procesar(request, entrante, None)
    request.app.state.identidad_web.poner(request, respuesta, id_web)  # nueva o renovada
    return respuesta


async def _quien(request: Request) -> str | JSONResponse:
    """El id de la cookie (o uno nuevo, que cuenta en el límite de remitentes nuevos por IP),
    o la respuesta 429 si se pasó de algún límite."""
    identidad: IdentidadWeb = request.app.state.identidad_web
    limites: LimitesDeRitmo = request.app.state.limites
    id_web = identidad.de(request)
    if id_web is None:
        espera = await limites.remitente_nuevo(ip_cliente(request))
        if espera is not None:
            return demasiadas(espera, MENSAJE_NUEVOS)
        id_web = identidad.nueva()
    espera = await limites.mensaje(Canal.WEB.value, id_web)
    if espera is not None:
        return demasiadas(espera, MENSAJE_RITMO)
    return id_web


_FIRMAS = ((b"%PDF-", "application/pdf"), (b"\x89PNG\r\n\x1a\n", "image/png"),
           (b"\xff\xd8\xff", "image/jpeg"))
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def tipo_de(contenido: bytes, nombre: str, declarado: str | None) -> str:
    """El tipo por los primeros bytes del archivo (no por lo que dice el navegador): PDF, PNG,
    JPG; un ZIP que se llama .docx, DOCX. Lo demás no es un tipo admitido y el motor lo
    rechaza como «tipo no admitido»."""
    for firma, mime in _FIRMAS:
        if contenido.startswith(firma):
            return mime
    if contenido.startswith(b"PK\x03\x04") and nombre.lower().endswith(".docx"):
        return DOCX
    tipo = (declarado or "application/octet-stream").split(";")[0].strip()[:100]
    # Dice ser admitido y sus bytes no lo son: no se le cree (el motor lo rechaza por tipo).
    return "application/octet-stream" if tipo in TIPOS_ADMITIDOS else tipo


async def _leer_archivo(request: Request, maximo: int
                        ) -> tuple[str, str | None, bytes, str | None] | None:
    """Nombre, tipo declarado, contenido (a lo más `maximo` + 1 bytes) y `message_id` del
    formulario; None si no es un multipart con el campo `archivo`."""
    try:
        async with request.form(max_files=1, max_fields=4) as formulario:
            subido = formulario.get("archivo")
            if not isinstance(subido, UploadFile):
                return None
            contenido = await subido.read(maximo + 1)
            id_cliente = formulario.get("message_id")
            return ((Path(subido.filename or "").name or "archivo")[:120], subido.content_type,
                    contenido, id_cliente if isinstance(id_cliente, str) else None)
    except (HTTPException, MultiPartException, ValueError):
        return None


@router.post("/chat/archivo")
async def archivo(request: Request) -> JSONResponse:
    """Un archivo (PDF, DOCX, JPG o PNG, hasta DOCUMENTO_MAX_BYTES) de la persona de esta
    cookie: `multipart/form-data` con el campo `archivo` (y `message_id` opcional). Se guarda
    con su sha256 como los de Telegram y WhatsApp y responde igual que `/chat/mensajes`."""
    maximo: int = request.app.state.servicios.ajustes.documento_max_bytes
    leido = await _leer_archivo(request, maximo)
    if leido is None:
        return _error(400, "Se espera un formulario multipart con el campo «archivo».")
    nombre, declarado, contenido, id_cliente = leido
    id_web = await _quien(request)
    if isinstance(id_web, JSONResponse):
        return id_web
    entrante = MensajeEntrante(
        canal=Canal.WEB, id_usuario=id_web,
        id_mensaje=(f"{id_web}:{id_cliente}"[:128] if id_cliente
                    else uuid.uuid4().hex),
        texto="", archivo=ArchivoEntrante(
            nombre, tipo_de(contenido, nombre, declarado), contenido),
    )
    respuesta = await procesar(request, entrante, None)
    request.app.state.identidad_web.poner(request, respuesta, id_web)
    return respuesta


@router.get("/chat/pendientes")
async def pendientes_web(request: Request, despues: int = 0,
                         espera: float = ESPERA_MAXIMA_S) -> JSONResponse:
    """Lo que le llegó a la persona de esta cookie sin que escribiera; espera hasta `espera`
    segundos (como mucho ESPERA_MAXIMA_S) a que llegue algo. Sin cookie válida, nada."""
    id_web = request.app.state.identidad_web.de(request)
    if id_web is None:
        return JSONResponse([], headers={"Cache-Control": "no-store"})
    servicios = request.app.state.servicios
    limite = time.monotonic() + max(0.0, min(espera, ESPERA_MAXIMA_S))
    canal = Canal.WEB.value
    while True:
        if await pendientes.hay_pendientes(servicios.almacen, canal, id_web, despues):
            llegaron = await pendientes.reclamar(servicios.almacen, servicios.documentos,
                                                 canal, id_web, despues)
            if llegaron:
                salida = a_rest(None, [p.respuesta for p in llegaron],
                                request.app.state.firma_enlaces, [p.mensaje_id for p in llegaron])
                for elemento, pendiente in zip(salida, llegaron, strict=True):
                    elemento["autor"] = pendiente.autor
                return JSONResponse(salida, headers={"Cache-Control": "no-store"})
        if time.monotonic() >= limite or await request.is_disconnected():
            return JSONResponse([], headers={"Cache-Control": "no-store"})
        await asyncio.sleep(SONDEO_S)


@router.get("/chat/historial")
async def historial_web(request: Request) -> JSONResponse:
    """La conversación ya dicha de la persona de esta cookie, en orden (sin cookie válida,
    nada). No cambia nada: lo que aún la espera sigue saliendo por `/chat/pendientes`."""
    id_web = request.app.state.identidad_web.de(request)
    if id_web is None:
        return JSONResponse([], headers={"Cache-Control": "no-store"})
    servicios = request.app.state.servicios
    lineas = await historial.historial(servicios.almacen, servicios.documentos,
                                        Canal.WEB.value, id_web)
    firma = request.app.state.firma_enlaces
    salida: list[dict[str, Any]] = []
    for linea in lineas:
        if linea.omitida:
            if not salida or salida[-1]["autor"] != "aviso":
                salida.append({"autor": "aviso", "text": AVISO_NO_CONSERVADA})
        elif linea.autor == "usuario":
            salida.append({"autor": "usuario", "text": linea.respuesta.texto,
                           "payload": linea.payload})
        else:
            (elemento,) = a_rest(None, [linea.respuesta], firma)
            salida.append({"autor": linea.autor, **elemento})
    return JSONResponse(salida, headers={"Cache-Control": "no-store"})


@router.post("/chat/salir")
async def salir(request: Request) -> JSONResponse:
    """Olvida la identidad de este navegador (p. ej. en una computadora compartida)."""
    respuesta = JSONResponse({"ok": True}, headers={"Cache-Control": "no-store"})
    IdentidadWeb.quitar(request, respuesta)
    return respuesta
