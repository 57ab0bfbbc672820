"""Enlaces firmados y con caducidad para descargar documentos desde el chat web/REST.

El almacén es direccionado por contenido: el enlace firma el sha256, el nombre y el tipo;
sin la firma (o vencida) no se entrega nada.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer

from bot.config import RAIZ

VIGENCIA_S = 7 * 24 * 3600
_SAL = "documento-chat"


def secreto_local(configurado: str, archivo: Path = RAIZ / "var" / "secreto_enlaces") -> str:
    """El secreto configurado o, si no hay, uno aleatorio guardado en var/ (permisos 600)."""
    if configurado:
        return configurado
    if not archivo.exists():
        archivo.parent.mkdir(parents=True, exist_ok=True)
        archivo.write_text(secrets.token_hex(32))
        archivo.chmod(0o600)
    return archivo.read_text().strip()


class FirmaEnlaces:
    """Firma y verifica enlaces de descarga."""

    def __init__(self, secreto: str) -> None:
        self._serializador = URLSafeTimedSerializer(secreto, salt=_SAL)

    def firmar(self, sha256: str, nombre: str, mime: str) -> str:
        """Token para `/documentos/<token>`."""
        return str(self._serializador.dumps([sha256, nombre, mime]))

    def verificar(self, token: str) -> tuple[str, str, str] | None:
        """(sha256, nombre, mime) si la firma es válida y no venció; si no, None."""
        try:
            sha, nombre, mime = self._serializador.loads(token, max_age=VIGENCIA_S)
        except (BadSignature, ValueError, TypeError):
            return None
        return str(sha), str(nombre), str(mime)
