"""Ajustes propios del canal WhatsApp (además de WHATSAPP_PHONE_ID, WHATSAPP_TOKEN,
WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN y WHATSAPP_API_URL, que viven en bot/config.py).

Plantillas aprobadas para cuando la ventana de 24 h está cerrada:
WHATSAPP_PLANTILLA_AVISO (la general), WHATSAPP_PLANTILLA_RESPUESTA_ASESOR,
WHATSAPP_PLANTILLA_CAMBIO_ESTATUS y WHATSAPP_PLANTILLA_IDIOMA (por omisión es_MX).
"""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.config import Ajustes

VALORES_DE_EJEMPLO = {"cambie-este-secreto", "cambie-este-token", "changeme", "secret",
                      "secreto", "token", "verify", "whatsapp"}


class ErrorConfiguracionWhatsApp(RuntimeError):
    """La configuración no permite arrancar el canal de forma segura."""


class AjustesWhatsApp(BaseSettings):
    """Plantillas, ritmo y versión de la Graph API."""

    model_config = SettingsConfigDict(env_prefix="WHATSAPP_", env_file=".env",
                                      env_file_encoding="utf-8", extra="ignore")

    plantilla_aviso: str = ""
    plantilla_respuesta_asesor: str = ""
    plantilla_cambio_estatus: str = ""
    plantilla_idioma: str = "es_MX"
    plantilla_con_texto: bool = True
    ritmo_usuario_s: float = 0.5
    global_por_s: float = 70.0
    version_api: str = "22.0"

    def plantilla(self, clave: str | None) -> str:
        """El nombre de la plantilla aprobada para `clave` (respuesta_asesor, cambio_estatus…);
        un nombre que no es clave se usa tal cual; sin clave, la de aviso general."""
        configuradas = {"aviso": self.plantilla_aviso,
                        "respuesta_asesor": self.plantilla_respuesta_asesor,
                        "cambio_estatus": self.plantilla_cambio_estatus}
        if not clave:
            return self.plantilla_aviso
        if clave in configuradas:
            return configuradas[clave] or self.plantilla_aviso
        return clave


def validar(config: Ajustes) -> None:
    """El canal público no arranca con el secreto de la app o el token de verificación vacíos
    o de ejemplo."""
    for nombre, valor in (("WHATSAPP_APP_SECRET", config.whatsapp_app_secret),
                          ("WHATSAPP_VERIFY_TOKEN", config.whatsapp_verify_token)):
        if not valor or valor.lower() in VALORES_DE_EJEMPLO or len(valor) < 8:
            raise ErrorConfiguracionWhatsApp(
                f"El webhook de WhatsApp necesita {nombre} propio (al menos 8 caracteres, no "
                "vacío ni el de ejemplo).")
