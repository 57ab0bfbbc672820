"""Firma de Meta: `X-Hub-Signature-256: sha256=<HMAC-SHA256(secreto de la app, cuerpo crudo)>`."""

from __future__ import annotations

import hashlib
import hmac


def firma_de(secreto: str, cuerpo: bytes) -> str:
    """La cabecera que correspondería a ese cuerpo."""
    return "sha256=" + hmac.new(secreto.encode("utf-8"), cuerpo, hashlib.sha256).hexdigest()


def firma_valida(secreto: str, cuerpo: bytes, cabecera: str) -> bool:
    """¿La cabecera firma ese cuerpo? (comparación en tiempo constante)."""
    return hmac.compare_digest(firma_de(secreto, cuerpo).encode("utf-8"),
                               cabecera.strip().encode("utf-8"))
