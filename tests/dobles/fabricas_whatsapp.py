"""Fábricas de cuerpos de webhook de WhatsApp Cloud (como los manda Meta)."""

from __future__ import annotations

import itertools
import time
from typing import Any

from dobles.graph_falso import PHONE_ID

_IDS = itertools.count(1)


def nuevo_wamid() -> str:
    return f"wamid.ENTRADA{next(_IDS):06d}"


def cuerpo(*mensajes: dict[str, Any], wa_id: str = "", nombre: str = "Beto",
           estados: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """El sobre del webhook con los mensajes (y avisos de estado) dados."""
    valor: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "5215500000000", "phone_number_id": PHONE_ID},
    }
    if mensajes:
        remitente = wa_id or mensajes[0]["from"]
        valor["contacts"] = [{"profile": {"name": nombre}, "wa_id": remitente}]
        valor["messages"] = list(mensajes)
    if estados:
        valor["statuses"] = estados
    return {"object": "whatsapp_business_account",
            "entry": [{"id": "WABA1", "changes": [{"field": "messages", "value": valor}]}]}


def mensaje(wa_id: str, tipo: str, wamid: str | None = None, **contenido: Any) -> dict[str, Any]:
    return {"from": wa_id, "id": wamid or nuevo_wamid(), "timestamp": str(int(time.time())),
            "type": tipo, **contenido}


def texto(wa_id: str, cuerpo_texto: str, nombre: str = "Beto",
          wamid: str | None = None) -> dict[str, Any]:
    return cuerpo(mensaje(wa_id, "text", wamid, text={"body": cuerpo_texto}), nombre=nombre)


def eleccion(wa_id: str, ident: str, titulo: str, lista: bool = False,
             nombre: str = "Beto") -> dict[str, Any]:
    """Un botón de respuesta pulsado o una fila de lista elegida."""
    clase = "list_reply" if lista else "button_reply"
    return cuerpo(mensaje(wa_id, "interactive", interactive={
        "type": clase, clase: {"id": ident, "title": titulo}}), nombre=nombre)


def documento(wa_id: str, media_id: str, nombre_archivo: str, mime: str,
              nombre_perfil: str = "Beto") -> dict[str, Any]:
    return cuerpo(mensaje(wa_id, "document", document={
        "id": media_id, "filename": nombre_archivo, "mime_type": mime, "sha256": "x"}),
        nombre=nombre_perfil)


def no_soportado(wa_id: str, tipo: str) -> dict[str, Any]:
    contenidos: dict[str, dict[str, Any]] = {
        "sticker": {"sticker": {"id": "S1", "mime_type": "image/webp", "animated": False}},
        "audio": {"audio": {"id": "A1", "mime_type": "audio/ogg", "voice": True}},
        "location": {"location": {"latitude": 19.4, "longitude": -99.1}},
        "reaction": {"reaction": {"message_id": "wamid.X", "emoji": "👍"}},
        "contacts": {"contacts": [{"name": {"formatted_name": "Ana"}}]},
    }
    return cuerpo(mensaje(wa_id, tipo, **contenidos[tipo]))


def estado(wamid: str, wa_id: str, cual: str = "delivered") -> dict[str, Any]:
    return cuerpo(estados=[{"id": wamid, "status": cual, "timestamp": str(int(time.time())),
                            "recipient_id": wa_id}])
