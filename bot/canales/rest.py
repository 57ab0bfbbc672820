"""Canal REST compatible con el canal REST de Rasa: `POST /webhooks/rest/webhook`.

Entrada: `{"sender": "...", "message": "..."}` (opcional `message_id` para reintentos
idempotentes). Salida: `[{"recipient_id", "text", "buttons": [{"title", "payload"}]}]`.
Un botón se pulsa enviando su payload como mensaje.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError

from bot.motor.mensajes import Canal, MensajeEntrante, Respuesta

router = APIRouter()


class PeticionRest(BaseModel):
    """Cuerpo aceptado por el canal REST."""

    sender: str = Field(min_length=1, max_length=64)
    message: str = Field(default="", max_length=20000)
    message_id: str | None = Field(default=None, max_length=100)
    metadata: dict[str, Any] | None = None


def _error(estado: int, mensaje: str) -> JSONResponse:
    return JSONResponse({"error": mensaje}, status_code=estado)


def a_rest(destinatario: str, respuestas: list[Respuesta]) -> list[dict[str, Any]]:
    """Respuestas neutrales en el formato del canal REST de Rasa."""
    salida: list[dict[str, Any]] = []
    for r in respuestas:
        elemento: dict[str, Any] = {"recipient_id": destinatario, "text": r.texto}
        if r.botones:
            elemento["buttons"] = [{"title": b.titulo, "payload": b.payload} for b in r.botones]
        if r.enlace:
            elemento["link"] = r.enlace
        if r.documento is not None:
            elemento["attachment"] = {"name": r.documento.nombre, "mime": r.documento.mime}
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
        id_mensaje=str(id_mensaje) if id_mensaje else uuid.uuid4().hex,
        texto="" if payload else texto, payload=payload,
    )
    respuestas = await request.app.state.servicios.motor.procesar(entrante)
    return JSONResponse(a_rest(peticion.sender, respuestas))
