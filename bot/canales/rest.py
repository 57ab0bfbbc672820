"""Canal REST compatible con el canal REST de Rasa: `POST /webhooks/rest/webhook`.

Entrada: `{"sender": "...", "message": "..."}` (opcional `message_id` para reintentos
idempotentes). Salida: `[{"recipient_id", "text", "buttons": [{"title", "payload"}]}]`.
Al frente van los mensajes que esperaban a ese `sender` (la respuesta de un asesor, «Le
atiende…», un aviso de estatus), con su `id` y su `autor` («bot» o «asesor»); quedan
entregados con esa respuesta.
Un botón se pulsa enviando su payload como mensaje.

Es para integradores: quien tiene `REST_TOKEN` habla por cualquier `sender`. Con REST_TOKEN
puesto se exige `Authorization: Bearer <REST_TOKEN>` (401 si falta o no coincide); sin él, el
canal queda abierto y es solo para desarrollo local. Límites: mensajes por minuto de cada
`sender` y, sin token, remitentes nuevos por hora de cada IP (429 con `Retry-After`; lo
limitado no se guarda). El chat web tiene su propio canal con identidad por cookie
(`bot/canales/web/rutas.py`).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import uuid
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from bot.canales.web.proteccion import (
    MAXIMO_JSON_CHAT,
    MENSAJE_NUEVOS,
    MENSAJE_RITMO,
    JsonInvalido,
    LimitesDeRitmo,
    demasiadas,
    leer_json,
)
from bot.db.modelos import Documento, Usuario
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


def _error(estado: int, mensaje: str, **cabeceras: str) -> JSONResponse:
    return JSONResponse({"error": mensaje}, status_code=estado, headers=cabeceras or None)


def a_rest(destinatario: str | None, respuestas: list[Respuesta],
           firma: FirmaEnlaces | None = None,
           ids: list[int] | None = None) -> list[dict[str, Any]]:
    """Respuestas neutrales en el formato del canal REST de Rasa (los documentos, con un
    enlace firmado de descarga); sin destinatario, sin `recipient_id` (chat web). Las
    primeras `len(ids)` llevan `id`: son mensajes que esperaban a la persona (un asesor)."""
    salida: list[dict[str, Any]] = []
    for i, r in enumerate(respuestas):
        elemento: dict[str, Any] = {"text": r.texto}
        if ids and i < len(ids):
            elemento["id"] = ids[i]
        if destinatario is not None:
            elemento = {"recipient_id": destinatario, **elemento}
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


def _ocupado() -> JSONResponse:
    return JSONResponse({"error": "El servicio está ocupado; intente de nuevo en unos "
                                  "segundos."}, status_code=503, headers={"Retry-After": "2"})


def ip_cliente(request: Request) -> str:
    """La IP de quien pide (la del proxy, salvo que FORWARDED_ALLOW_IPS confíe en él)."""
    return request.client.host if request.client else "desconocida"


async def procesar(request: Request, entrante: MensajeEntrante,
                   destinatario: str | None) -> JSONResponse:
    """Entrega el mensaje al motor y devuelve sus respuestas en el formato REST (también lo
    usa el chat web). Al frente va lo que esperaba a la persona (la respuesta de un asesor,
    un aviso: `bot/motor/pendientes.py`), que queda entregado con esta respuesta."""
    servicios = request.app.state.servicios
    try:
        atendido = await servicios.motor.procesar_entregando(entrante)
    except OperationalError:
        # Base saturada (p. ej. candado de SQLite agotado): el mensaje no se perdió si ya se
        # guardó; el cliente reintenta con el mismo message_id y no se duplica. Lo que
        # esperaba a la persona sigue esperándola (el motor lo devuelve).
        log.warning("base ocupada al procesar un mensaje", extra={"canal": entrante.canal.value})
        return _ocupado()
    esperaban = atendido.esperaban
    salida = a_rest(destinatario, [p.respuesta for p in esperaban] + atendido.respuestas,
                    request.app.state.firma_enlaces, [p.mensaje_id for p in esperaban])
    for elemento, pendiente in zip(salida, esperaban, strict=False):  # los primeros
        elemento["autor"] = pendiente.autor  # quién lo escribió: bot o asesor
    return JSONResponse(salida, headers={"Cache-Control": "no-store"})


def _token_valido(request: Request, token: str) -> bool:
    """¿Trae `Authorization: Bearer <token>`? (comparación en tiempo constante)."""
    esquema, _, valor = request.headers.get("authorization", "").partition(" ")
    return esquema.lower() == "bearer" and hmac.compare_digest(
        valor.strip().encode("utf-8"), token.encode("utf-8"))


async def _es_nuevo(request: Request, limites: LimitesDeRitmo, remitente: str) -> bool:
    """¿Es la primera vez que aparece este `sender`? (la base lo dice; lo ya visto se
    recuerda en el proceso para no preguntar en cada mensaje)."""
    if limites.conocido(Canal.REST.value, remitente):
        return False
    async with request.app.state.servicios.almacen.lectura() as s:
        existe = await s.scalar(select(Usuario.id).where(
            Usuario.canal == Canal.REST.value, Usuario.id_externo == remitente).limit(1))
    if existe is not None:
        limites.recordar(Canal.REST.value, remitente)
    return existe is None


@router.post("/webhooks/rest/webhook")
async def webhook_rest(request: Request) -> JSONResponse:
    """Recibe un mensaje de un cliente REST y devuelve las respuestas."""
    token: str = request.app.state.rest_token
    if token and not _token_valido(request, token):
        return _error(401, "Falta el token de acceso o no es válido "
                      "(Authorization: Bearer <REST_TOKEN>).", **{"WWW-Authenticate": "Bearer"})
    try:
        cuerpo = leer_json(await request.body(), MAXIMO_JSON_CHAT)
    except JsonInvalido as error:
        return _error(400, f"{error} Se espera {{\"sender\": \"...\", \"message\": \"...\"}}.")
    if not isinstance(cuerpo, dict):
        return _error(400, "El cuerpo debe ser un objeto JSON con «sender» y «message».")
    try:
        peticion = PeticionRest.model_validate(cuerpo)
    except ValidationError:
        return _error(400, "Faltan datos: «sender» (texto de 1 a 64 caracteres) "
                      "y «message» (texto).")
    limites: LimitesDeRitmo = request.app.state.limites
    espera = await limites.mensaje(Canal.REST.value, peticion.sender)
    if espera is not None:
        return demasiadas(espera, MENSAJE_RITMO)
    # Con token, el integrador reparte sus propios remitentes desde sus servidores: el límite
    # por IP es para quien escribe sin credencial.
    if limites.cuenta_nuevos and not token:
        try:
            nuevo = await _es_nuevo(request, limites, peticion.sender)
        except OperationalError:
            return _ocupado()
        espera = await limites.remitente_nuevo(ip_cliente(request)) if nuevo else None
        if espera is not None:
            return demasiadas(espera, MENSAJE_NUEVOS)
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
    respuesta = await procesar(request, entrante, peticion.sender)
    if respuesta.status_code == 200:
        limites.recordar(Canal.REST.value, peticion.sender)
    return respuesta


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
