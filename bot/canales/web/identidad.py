"""La identidad del chat web: la da el servidor, nunca la página.

Un id aleatorio de 128 bits va firmado (itsdangerous, con fecha) en una cookie HttpOnly,
SameSite=Lax, solo bajo /chat, Secure cuando la petición llegó por HTTPS, que vence a los 30
días sin uso (cada mensaje la renueva). Una cookie ausente, alterada, vencida o copiada sin
firma no es de nadie: quien la manda recibe una identidad nueva.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from bot.config import RAIZ

COOKIE = "ch_chat"
RUTA_COOKIE = "/chat"
VIGENCIA_S = 30 * 24 * 3600
SAL = "chat-web-identidad"
_ID = re.compile(r"^[0-9a-f]{32}$")


def secreto_compartido(configurado: str, archivo: Path = RAIZ / "var" / "secreto_chat") -> str:
    """PANEL_SECRETO o, si está vacío, un secreto aleatorio guardado en `archivo` (permisos
    600) que comparten los procesos de esta máquina. Se crea de forma atómica (con un enlace
    duro que falla si ya existe): dos procesos que arrancan juntos terminan con el mismo, y
    una cookie firmada por uno vale en el otro."""
    if configurado:
        return configurado
    if not archivo.exists():
        archivo.parent.mkdir(parents=True, exist_ok=True)
        temporal = archivo.with_name(f".{archivo.name}.{os.getpid()}.{secrets.token_hex(4)}")
        temporal.write_text(secrets.token_hex(32))
        temporal.chmod(0o600)
        try:
            os.link(temporal, archivo)
        except FileExistsError:  # otro proceso ganó: se usa el suyo
            pass
        finally:
            temporal.unlink()
    return archivo.read_text().strip()


class IdentidadWeb:
    """Emite, firma y lee la identidad del chat web."""

    def __init__(self, secreto: str) -> None:
        self._serializador = URLSafeTimedSerializer(secreto, salt=SAL)

    @staticmethod
    def nueva() -> str:
        """Un id nuevo: 128 bits aleatorios en hexadecimal."""
        return secrets.token_hex(16)

    def de(self, request: Request) -> str | None:
        """El id de la cookie si está firmada por nosotros y vigente; si no, None."""
        valor = request.cookies.get(COOKIE)
        if not valor:
            return None
        try:
            datos = self._serializador.loads(valor, max_age=VIGENCIA_S)
        except BadSignature:  # también la vencida (SignatureExpired)
            return None
        return datos if isinstance(datos, str) and _ID.match(datos) else None

    def poner(self, request: Request, respuesta: Response, id_web: str) -> None:
        """Pone (o renueva por otros 30 días) la cookie con el id firmado."""
        respuesta.set_cookie(
            COOKIE, self._serializador.dumps(id_web), max_age=VIGENCIA_S, path=RUTA_COOKIE,
            httponly=True, samesite="lax", secure=request.url.scheme == "https")

    @staticmethod
    def quitar(request: Request, respuesta: Response) -> None:
        """Borra la cookie: el navegador olvida la identidad."""
        respuesta.delete_cookie(COOKIE, path=RUTA_COOKIE, httponly=True, samesite="lax",
                                secure=request.url.scheme == "https")
