"""Validación de los ajustes del canal Telegram (los ajustes mismos, TELEGRAM_*, son la
sección `telegram` de `Ajustes`, en bot/config.py)."""

from __future__ import annotations

import re

SECRETOS_POR_OMISION = {"cambie-este-secreto", "cambie-este-secreto-telegram", "changeme",
                        "secret", "secreto", "telegram", "webhook"}
_SECRETO_VALIDO = re.compile(r"^[A-Za-z0-9_-]{16,256}$")


class ErrorConfiguracionTelegram(RuntimeError):
    """La configuración no permite arrancar el canal de forma segura."""


def url_archivos(api_url: str, propia: str = "") -> str:
    """URL base de descargas: la dada o la de la API con «/file/bot» en lugar de «/bot»."""
    if propia:
        return propia
    if api_url.endswith("/bot"):
        return api_url[: -len("bot")] + "file/bot"
    return api_url.rstrip("/") + "/file/bot"


def validar_secreto(secreto: str) -> str:
    """El secreto del webhook, si es aceptable; si no, un error que dice qué hacer."""
    if not secreto or secreto.lower() in SECRETOS_POR_OMISION:
        raise ErrorConfiguracionTelegram(
            "El webhook de Telegram necesita TELEGRAM_WEBHOOK_SECRET propio (no vacío ni el de "
            "ejemplo). Genere uno con: "
            "python -c \"import secrets; print(secrets.token_urlsafe(32))\"")
    if not _SECRETO_VALIDO.match(secreto):
        raise ErrorConfiguracionTelegram(
            "TELEGRAM_WEBHOOK_SECRET debe tener de 16 a 256 caracteres: letras, números, "
            "«_» o «-».")
    return secreto
