"""Seudónimos de los ids de WhatsApp: el número de la persona no se usa como llave.

En WhatsApp el id del usuario es su número de teléfono y el id de cada mensaje («wamid…»)
lleva el número codificado en base64. Ninguno de los dos se guarda tal cual: se guarda su
HMAC-SHA256 con un secreto propio (`IDENTIFICADORES_SECRETO`, o uno aleatorio en
`var/secreto_identificadores`), así que el mismo número da siempre la misma llave y la base
sola no permite recuperarlo. Para poder escribirle, el número va aparte en
`usuario.numero_whatsapp`, que el borrado y la retención vacían (README, «Privacidad»).

La migración 0009 usa la misma cuenta (copiada allí) para los ids que ya estaban guardados.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from functools import lru_cache
from pathlib import Path

from bot.config import RAIZ
from bot.documentos.enlaces import secreto_local

ARCHIVO_SECRETO = RAIZ / "var" / "secreto_identificadores"
DOMINIO_USUARIO = "whatsapp-usuario"
DOMINIO_MENSAJE = "whatsapp-mensaje"
_SEUDONIMO = re.compile(r"^[0-9a-f]{64}$")


@lru_cache(maxsize=8)
def secreto(configurado: str, archivo: Path = ARCHIVO_SECRETO) -> bytes:
    """El secreto configurado o, si no hay, el local (se crea la primera vez, permisos 600)."""
    return secreto_local(configurado, archivo).encode("utf-8")


def seudonimo(clave: bytes, dominio: str, valor: str) -> str:
    """HMAC-SHA256 de `valor` (64 caracteres hexadecimales). El `dominio` separa los
    seudónimos de usuarios de los de mensajes: el mismo texto da llaves distintas."""
    return hmac.new(clave, f"{dominio}:{valor}".encode(), hashlib.sha256).hexdigest()


def es_seudonimo(valor: str | None) -> bool:
    """¿Es ya un seudónimo (y no un número o un id de la plataforma)?"""
    return bool(valor) and _SEUDONIMO.match(valor or "") is not None


class Seudonimos:
    """Los seudónimos de WhatsApp con el secreto de los ajustes."""

    def __init__(self, secreto_configurado: str) -> None:
        self._clave = secreto(secreto_configurado)

    def usuario(self, wa_id: str) -> str:
        """La llave del usuario (`usuario.id_externo`) para su número."""
        return seudonimo(self._clave, DOMINIO_USUARIO, wa_id)

    def mensaje(self, wamid: str) -> str:
        """La llave de un mensaje (`mensaje.id_externo`) para su wamid."""
        return seudonimo(self._clave, DOMINIO_MENSAJE, wamid)
