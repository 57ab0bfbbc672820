"""`POST /telegram/webhook`: valida el secreto (tiempo constante) y entrega el update.

Responde 200 cuando el mensaje quedó guardado (o era un reenvío), con la respuesta al botón
pulsado en el cuerpo si la hay (`answerCallbackQuery`, que Telegram ejecuta); 401 con secreto
malo o ausente; 400 si el cuerpo no es un update; 503/500 para que Telegram reintente.
"""

from __future__ import annotations

import hmac
import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from bot.canales.web.proteccion import JsonInvalido, leer_json

log = logging.getLogger(__name__)
router = APIRouter()
CABECERA = "x-telegram-bot-api-secret-token"
MAXIMO_JSON = 1024 * 1024  # un update pesa unos KB; el cuerpo ya no puede pasar de 1 MiB


def _respuesta(codigo: int, mensaje: str) -> JSONResponse:
    return JSONResponse({"ok": codigo == 200, "mensaje": mensaje}, status_code=codigo)


@router.post("/telegram/webhook", include_in_schema=False)
async def webhook_telegram(request: Request) -> JSONResponse:
    """Recibe un update de Telegram."""
    canal = getattr(request.app.state, "telegram", None)
    if canal is None or canal.modo != "webhook":
        return _respuesta(404, "El canal de Telegram por webhook no está activo.")
    recibido = request.headers.get(CABECERA, "")
    if not hmac.compare_digest(recibido.encode("utf-8"), canal.secreto.encode("utf-8")):
        return _respuesta(401, "Secreto inválido.")
    if not canal.listo.is_set():
        return _respuesta(503, "El canal todavía está arrancando.")
    try:  # después del secreto: sin él no se lee nada
        datos = leer_json(await request.body(), MAXIMO_JSON)
    except JsonInvalido as error:
        return _respuesta(400, str(error))
    if not isinstance(datos, dict) or not isinstance(datos.get("update_id"), int):
        return _respuesta(400, "El cuerpo no es un update de Telegram.")
    try:
        update = canal.leer(datos)
    except ValueError as error:
        log.warning("update de Telegram mal formado: %s", error)
        return _respuesta(400, "El update está mal formado.")
    guardado, metodo = await canal.recibir(update)
    if not guardado:
        return _respuesta(500, "No se pudo guardar; reintente.")
    return JSONResponse(metodo) if metodo else _respuesta(200, "ok")
