"""Configuración desde variables de entorno (y un `.env` opcional), validada al arrancar."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

RAIZ = Path(__file__).resolve().parent.parent


class Ajustes(BaseSettings):
    """Todos los ajustes del asistente; cada uno se puede fijar con la variable del mismo nombre."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(default=f"sqlite:///{RAIZ / 'var' / 'hermanamientos.db'}")
    host: str = "127.0.0.1"
    port: int = 8000
    zona_horaria: str = "America/Mexico_City"

    nlu_url: str = "http://127.0.0.1:5005"
    nlu_token: str = "cambie-este-token-nlu"
    nlu_timeout_s: float = 0.8
    nlu_cache: int = 2048  # análisis recordados por proceso (0: sin caché)
    nlu_confianza_minima: float = 0.55

    documentos_dir: Path = RAIZ / "var" / "documentos"
    documento_max_bytes: int = 10 * 1024 * 1024

    telegram_token: str = ""
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_webhook_secret: str = ""

    whatsapp_phone_id: str = ""
    whatsapp_token: str = ""
    whatsapp_app_secret: str = ""
    whatsapp_verify_token: str = ""
    whatsapp_api_url: str = "https://graph.facebook.com"

    # Cada cuántos segundos se buscan respuestas que quedaron sin enviar (0: solo al arrancar).
    bandeja_barrido_s: float = 60.0

    panel_secreto: str = ""
    retencion_dias: int = 365
    sla_primera_respuesta_min: int = 30

    rest_token: str = Field(default="", description=(
        "Token que exige POST /webhooks/rest/webhook en «Authorization: Bearer …». Vacío: el "
        "canal REST queda abierto, solo para desarrollo local."))
    limite_mensajes_por_minuto: int = Field(default=60, ge=0, description=(
        "Mensajes por minuto de un mismo remitente (REST y chat web); 0 lo apaga."))
    limite_remitentes_nuevos_por_hora: int = Field(default=30, ge=0, description=(
        "Remitentes nuevos por hora desde una misma IP (chat web y REST sin token); 0 lo apaga."))
    forwarded_allow_ips: str = Field(default="", description=(
        "IPs de los proxies de confianza (separadas por comas) cuyas cabeceras X-Forwarded-For "
        "y X-Forwarded-Proto se creen. Vacío: ninguna, la IP es la de la conexión."))
    documentacion_api: bool = Field(default=False, description=(
        "Publica /openapi.json y /docs (apagado: no se anuncia la API)."))


@lru_cache
def ajustes() -> Ajustes:
    """Los ajustes del proceso (se leen una vez)."""
    return Ajustes()
