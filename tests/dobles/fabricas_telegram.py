"""Fábricas de updates de Telegram (JSON como lo manda la Bot API)."""

from __future__ import annotations

import time
from typing import Any

from dobles.telegram_falso import BOT, TelegramFalso


def _usuario(chat_id: int, nombre: str) -> dict[str, Any]:
    return {"id": chat_id, "is_bot": False, "first_name": nombre, "language_code": "es"}


def _chat(chat_id: int, nombre: str) -> dict[str, Any]:
    return {"id": chat_id, "type": "private", "first_name": nombre}


def mensaje(doble: TelegramFalso, chat_id: int, nombre: str = "Ana",
            message_id: int | None = None, **contenido: Any) -> dict[str, Any]:
    """Un update con un mensaje del usuario (`text=`, `document=`, `sticker=`…)."""
    return {
        "update_id": doble.nuevo_update_id(),
        "message": {
            "message_id": message_id if message_id is not None else doble.nuevo_message_id(),
            "date": int(time.time()), "chat": _chat(chat_id, nombre),
            "from": _usuario(chat_id, nombre), **contenido,
        },
    }


def texto(doble: TelegramFalso, chat_id: int, cuerpo: str, **extra: Any) -> dict[str, Any]:
    return mensaje(doble, chat_id, text=cuerpo, **extra)


def documento(doble: TelegramFalso, chat_id: int, archivo: str, mime: str, contenido: bytes,
              **extra: Any) -> dict[str, Any]:
    file_id = doble.subir_archivo(archivo, mime, contenido)
    return mensaje(doble, chat_id, document={
        "file_id": file_id, "file_unique_id": file_id.lower(), "file_name": archivo,
        "mime_type": mime, "file_size": len(contenido)}, **extra)


def sticker(doble: TelegramFalso, chat_id: int) -> dict[str, Any]:
    return mensaje(doble, chat_id, sticker={
        "file_id": "STK1", "file_unique_id": "stk1", "type": "regular", "width": 512,
        "height": 512, "is_animated": False, "is_video": False, "emoji": "👍"})


def voz(doble: TelegramFalso, chat_id: int) -> dict[str, Any]:
    return mensaje(doble, chat_id, voice={"file_id": "VOZ1", "file_unique_id": "voz1",
                                          "duration": 3, "mime_type": "audio/ogg"})


def ubicacion(doble: TelegramFalso, chat_id: int) -> dict[str, Any]:
    return mensaje(doble, chat_id, location={"latitude": 19.43, "longitude": -99.13})


def callback(doble: TelegramFalso, chat_id: int, data: str, mensaje_bot: dict[str, Any] | None,
             nombre: str = "Ana") -> dict[str, Any]:
    """Un botón pulsado en un mensaje que envió el bot."""
    origen = mensaje_bot or {"message_id": 1, "date": int(time.time()),
                             "chat": _chat(chat_id, nombre), "from": BOT, "text": "…"}
    return {
        "update_id": doble.nuevo_update_id(),
        "callback_query": {"id": doble.nuevo_callback_id(), "from": _usuario(chat_id, nombre),
                           "chat_instance": f"ci{chat_id}", "data": data, "message": origen},
    }
