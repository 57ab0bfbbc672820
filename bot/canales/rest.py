"""Canal REST compatible con el canal REST de Rasa: `POST /webhooks/rest/webhook`.

Entrada: `{"sender": "...", "message": "..."}` (opcional `message_id` para reintentos
idempotentes). Salida: `[{"recipient_id", "text", "buttons": [{"title", "payload"}]}]`.
Un botón se pulsa enviando su payload como mensaje.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from bot.db.modelos import Documento
from bot.documentos.enlaces import FirmaEnlaces
from bot.nucleo.mensajes import Canal, MensajeEntrante, Respuesta

router = APIRouter()
log = logging.getLogger(__name__)


class PeticionRest(BaseModel):
    """Cuerpo aceptado por el canal REST."""

    sender: str = Field(min_length=1, max_length=64)
    message: str = Field(default="", max_length=20000)
    message_id: str | None = Field(default=None, max_length=100)
    metadata: dict[str, Any] | None = None


def _error(estado: int, mensaje: str) -> JSONResponse:
    return JSONResponse({"error": mensaje}, status_code=estado)


def a_rest(destinatario: str, respuestas: list[Respuesta],
           firma: FirmaEnlaces | None = None) -> list[dict[str, Any]]:
    """Respuestas neutrales en el formato del canal REST de Rasa (los documentos, con un
    enlace firmado de descarga)."""
    salida: list[dict[str, Any]] = []
    for r in respuestas:
        elemento: dict[str, Any] = {"recipient_id": destinatario, "text": r.texto}
        if r.botones:
            elemento["buttons"] = [{"title": b.titulo, "payload": b.payload} for b in r.botones]
        if r.enlace:
            elemento["link"] = r.enlace
        if r.documento is not None:
            adjunto = {"name": r.documento.nombre, "mime": r.documento.mime}
            if firma is not None:
                sha = hashlib.sha256(r.documento.contenido).hexdigest()
                adjunto["url"] = "/documentos/" + firma.firmar(sha, r.documento.nombre,
                                                               r.documento.mime)
            elemento["attachment"] = adjunto
        salida.append(elemento)
    return salida


@router.post("/webhooks/rest/webhook")
async def webhook_rest(request: Request) -> JSONResponse:
    """Recibe un mensaje de la web o de un cliente REST y devuelve las respuestas."""
    try:
        cuerpo = await request.json()
    except ValueError:
        return _error(400, "El cuerpo debe ser JSON: {\"sender\": \"...\", \"message\": \"...\"}.")
    if not isinstance(cuerpo, dict):
        return _error(400, "El cuerpo debe ser un objeto JSON con «sender» y «message».")
    try:
        peticion = PeticionRest.model_validate(cuerpo)
    except ValidationError:
        return _error(400, "Faltan datos: «sender» (texto de 1 a 64 caracteres) "
                      "y «message» (texto).")
    id_mensaje = peticion.message_id or (peticion.metadata or {}).get("message_id")
    texto = peticion.message
    payload = texto if texto.startswith("/") else None
    entrante = MensajeEntrante(
        canal=Canal.REST, id_usuario=peticion.sender,
        # El id lo pone cada cliente: se guarda con su remitente para que el mismo id de dos
        # personas no se confunda (ni entregue a una las respuestas de la otra).
        id_mensaje=f"{peticion.sender}:{id_mensaje}"[:128] if id_mensaje else uuid.uuid4().hex,
        texto="" if payload else texto, payload=payload,
    )
    try:
        respuestas = await request.app.state.servicios.motor.procesar(entrante)
    except OperationalError:
        # Base saturada (p. ej. candado de SQLite agotado): el mensaje no se perdió si ya se
        # guardó; el cliente reintenta con el mismo message_id y no se duplica.
        log.warning("base ocupada al procesar un mensaje REST")
        return JSONResponse({"error": "El servicio está ocupado; intente de nuevo en unos "
                                      "segundos."}, status_code=503, headers={"Retry-After": "2"})
    return JSONResponse(a_rest(peticion.sender, respuestas, request.app.state.firma_enlaces))


@router.get("/documentos/{token}")
async def descargar(token: str, request: Request) -> Response:
    """Entrega un documento del chat si el enlace está firmado y vigente."""
    datos = request.app.state.firma_enlaces.verificar(token)
    if datos is None:
        return _error(404, "El enlace no es válido o ya venció. Pida el documento de nuevo.")
    sha, nombre, mime = datos
    servicios = request.app.state.servicios
    async with servicios.almacen.lectura() as s:
        ruta = await s.scalar(select(Documento.ruta).where(Documento.sha256 == sha).limit(1))
    if ruta is None or not Path(ruta).exists():
        return _error(404, "Ese documento ya no está disponible.")
    return FileResponse(ruta, media_type=mime, filename=nombre)
