"""`GET|POST /whatsapp/webhook`: verificación de Meta y mensajes firmados.

GET: `hub.mode=subscribe` y `hub.verify_token` correcto → devuelve `hub.challenge`; si no, 403.
POST: `X-Hub-Signature-256` sobre el cuerpo crudo (ausente → 401, mala → 403, y nada se
guarda); cuerpo mal formado → 400; guardado → 200; falla interna → 500 (Meta reintenta).
"""

from __future__ import annotations

import hmac
import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from bot.canales.web.proteccion import leer_json
from bot.canales.whatsapp.firma import firma_valida
from bot.canales.whatsapp.traduccion import CuerpoInvalido, entradas

log = logging.getLogger(__name__)
router = APIRouter()
MAXIMO_JSON = 1024 * 1024  # Meta agrupa avisos en un cuerpo; el cuerpo ya no pasa de 1 MiB


def _error(codigo: int, mensaje: str) -> JSONResponse:
    return JSONResponse({"error": mensaje}, status_code=codigo)


@router.get("/whatsapp/webhook", include_in_schema=False)
async def verificar(request: Request) -> Response:
    """Meta verifica el webhook al registrarlo."""
    canal = getattr(request.app.state, "whatsapp", None)
    if canal is None:
        return _error(404, "El canal WhatsApp no está configurado.")
    q = request.query_params
    token = q.get("hub.verify_token", "")
    if q.get("hub.mode") == "subscribe" and hmac.compare_digest(
            token.encode("utf-8"), canal.token_verificacion.encode("utf-8")):
        return PlainTextResponse(q.get("hub.challenge", ""))
    return _error(403, "Token de verificación inválido.")


@router.post("/whatsapp/webhook", include_in_schema=False)
async def recibir(request: Request) -> Response:
    """Mensajes y avisos de estado de WhatsApp."""
    canal = getattr(request.app.state, "whatsapp", None)
    if canal is None:
        return _error(404, "El canal WhatsApp no está configurado.")
    crudo = await request.body()
    firma = request.headers.get("x-hub-signature-256")
    if not firma:
        return _error(401, "Falta la firma X-Hub-Signature-256.")
    if not firma_valida(canal.secreto_app, crudo, firma):
        return _error(403, "Firma inválida.")
    try:  # después de la firma: sin ella no se lee nada
        mensajes = entradas(leer_json(crudo, MAXIMO_JSON))
    except (ValueError, CuerpoInvalido) as error:  # JsonInvalido es ValueError
        log.warning("webhook de WhatsApp mal formado: %s", error)
        return _error(400, "Cuerpo mal formado.")
    for entrada in mensajes:
        try:
            await canal.atender(entrada)
        except Exception:
            log.exception("no se pudo guardar un mensaje de WhatsApp")
            return _error(500, "No se pudo guardar; Meta reintentará.")
    return JSONResponse({"ok": True})
