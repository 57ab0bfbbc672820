"""Validación de los ajustes del canal WhatsApp (los ajustes mismos, WHATSAPP_*, incluidas
las plantillas para cuando la ventana de 24 h está cerrada, son la sección `whatsapp` de
`Ajustes`, en bot/config.py)."""

from __future__ import annotations

from bot.config import Ajustes

VALORES_DE_EJEMPLO = {"cambie-este-secreto", "cambie-este-token", "changeme", "secret",
                      "secreto", "token", "verify", "whatsapp"}


class ErrorConfiguracionWhatsApp(RuntimeError):
    """La configuración no permite arrancar el canal de forma segura."""


def validar(config: Ajustes) -> None:
    """El canal público no arranca con el secreto de la app o el token de verificación vacíos
    o de ejemplo."""
    for nombre, valor in (("WHATSAPP_APP_SECRET", config.whatsapp.app_secret),
                          ("WHATSAPP_VERIFY_TOKEN", config.whatsapp.verify_token)):
        if not valor or valor.lower() in VALORES_DE_EJEMPLO or len(valor) < 8:
            raise ErrorConfiguracionWhatsApp(
                f"El webhook de WhatsApp necesita {nombre} propio (al menos 8 caracteres, no "
                "vacío ni el de ejemplo).")
