"""Del cuerpo de un webhook de WhatsApp Cloud a entradas neutrales (y nada más).

Un cuerpo puede traer varios mensajes y avisos de estado (enviado, entregado, leído); los
avisos se ignoran. Un cuerpo que no tiene la forma de la Cloud API es `CuerpoInvalido` (400).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_NO_SOPORTADOS = {"sticker": "sticker", "video": "video", "location": "ubicacion",
                  "contacts": "contacto", "reaction": "reaccion"}
_CON_ARCHIVO = {"document", "image"}


class CuerpoInvalido(ValueError):
    """El cuerpo no es un webhook de WhatsApp Cloud bien formado."""


@dataclass(frozen=True)
class EntradaWhatsApp:
    """Un mensaje de un usuario, antes de descargar su archivo (si trae)."""

    wa_id: str
    wamid: str
    timestamp: int
    nombre: str | None = None
    texto: str = ""
    payload: str | None = None
    media_id: str | None = None
    nombre_archivo: str | None = None
    mime: str | None = None
    no_soportado: str | None = None


def _texto(valor: Any, campo: str) -> str:
    if not isinstance(valor, str) or not valor:
        raise CuerpoInvalido(f"falta «{campo}»")
    return valor


def _objeto(valor: Any, campo: str) -> dict[str, Any]:
    if not isinstance(valor, dict):
        raise CuerpoInvalido(f"«{campo}» debe ser un objeto")
    return valor


def _lista(valor: Any, campo: str) -> list[Any]:
    if valor is None:
        return []
    if not isinstance(valor, list):
        raise CuerpoInvalido(f"«{campo}» debe ser una lista")
    return valor


def _entrada(m: dict[str, Any], nombres: dict[str, str]) -> EntradaWhatsApp:
    wa_id = _texto(m.get("from"), "from")
    wamid = _texto(m.get("id"), "id")
    tipo = _texto(m.get("type"), "type")
    try:
        marca = int(m.get("timestamp") or 0)
    except (TypeError, ValueError) as error:
        raise CuerpoInvalido("«timestamp» no es un número") from error
    base: dict[str, Any] = {"wa_id": wa_id, "wamid": wamid, "timestamp": marca,
                            "nombre": nombres.get(wa_id)}
    if tipo == "text":
        return EntradaWhatsApp(**base, texto=_texto(_objeto(m.get("text"), "text").get("body"),
                                                    "text.body"))
    if tipo == "interactive":
        interactivo = _objeto(m.get("interactive"), "interactive")
        clase = interactivo.get("type")
        if clase in ("button_reply", "list_reply"):
            eleccion = _objeto(interactivo.get(clase), clase)
            return EntradaWhatsApp(**base, texto=str(eleccion.get("title") or ""),
                                   payload=_texto(eleccion.get("id"), f"{clase}.id"))
        return EntradaWhatsApp(**base, no_soportado="interactivo")
    if tipo == "button":  # respuesta rápida de una plantilla
        boton = _objeto(m.get("button"), "button")
        texto = str(boton.get("text") or "")
        return EntradaWhatsApp(**base, texto=texto, payload=str(boton.get("payload") or "") or None)
    if tipo in _CON_ARCHIVO:
        media = _objeto(m.get(tipo), tipo)
        nombre = media.get("filename") or (f"imagen_{wamid[-8:]}.jpg" if tipo == "image"
                                           else "documento")
        return EntradaWhatsApp(**base, texto=str(media.get("caption") or ""),
                               media_id=_texto(media.get("id"), f"{tipo}.id"),
                               nombre_archivo=str(nombre), mime=media.get("mime_type"))
    if tipo == "audio":
        audio = m.get("audio")
        audio = audio if isinstance(audio, dict) else {}
        return EntradaWhatsApp(**base, no_soportado="voz" if audio.get("voice") else "audio")
    return EntradaWhatsApp(**base, no_soportado=_NO_SOPORTADOS.get(tipo, tipo[:20]))


def entradas(cuerpo: Any) -> list[EntradaWhatsApp]:
    """Los mensajes de usuarios del cuerpo, ordenados por su marca de tiempo."""
    cuerpo = _objeto(cuerpo, "cuerpo")
    if cuerpo.get("object") != "whatsapp_business_account":
        raise CuerpoInvalido("«object» debe ser whatsapp_business_account")
    resultado: list[EntradaWhatsApp] = []
    for entrada in _lista(cuerpo.get("entry"), "entry"):
        for cambio in _lista(_objeto(entrada, "entry[]").get("changes"), "changes"):
            cambio = _objeto(cambio, "changes[]")
            if cambio.get("field") != "messages":
                continue
            valor = _objeto(cambio.get("value"), "value")
            nombres = {}
            for contacto in _lista(valor.get("contacts"), "contacts"):
                contacto = _objeto(contacto, "contacts[]")
                perfil = contacto.get("profile")
                perfil = perfil if isinstance(perfil, dict) else {}
                if isinstance(contacto.get("wa_id"), str) and isinstance(perfil.get("name"), str):
                    nombres[contacto["wa_id"]] = perfil["name"]
            for mensaje in _lista(valor.get("messages"), "messages"):
                resultado.append(_entrada(_objeto(mensaje, "messages[]"), nombres))
    return sorted(resultado, key=lambda e: e.timestamp)
