"""Seguridad del panel: cookie de sesión firmada (HttpOnly, SameSite, expira), CSRF y
cabeceras (CSP, frame-ancestors, nosniff). El límite de intentos está en `limite_acceso`."""

from __future__ import annotations

import hmac
import logging
import secrets
from dataclasses import dataclass
from functools import lru_cache

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

log = logging.getLogger(__name__)
COOKIE_SESION = "panel_sesion"
COOKIE_PREVIA = "panel_previa"
DURACION_S = 8 * 3600
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


@dataclass(frozen=True)
class SesionPanel:
    """Lo que lleva la cookie: quién es y su token CSRF."""

    asesor_id: int
    csrf: str


@lru_cache
def _serializador(secreto: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secreto, salt="panel-asesores")


_secreto_efimero = secrets.token_urlsafe(32)


def secreto(configurado: str) -> str:
    """El secreto de PANEL_SECRETO; sin él, uno aleatorio del proceso (las sesiones no
    sobreviven un reinicio)."""
    return configurado or _secreto_efimero


def firmar(secreto_panel: str, datos: dict[str, object]) -> str:
    """Firma (con marca de tiempo) los datos de la cookie."""
    return _serializador(secreto_panel).dumps(datos)


def leer(secreto_panel: str, valor: str | None, edad: int = DURACION_S) -> dict[str, object] | None:
    """Los datos de una cookie firmada y vigente, o None."""
    if not valor:
        return None
    try:
        datos = _serializador(secreto_panel).loads(valor, max_age=edad)
    except BadSignature:
        return None
    return datos if isinstance(datos, dict) else None


def sesion_de(request: Request, secreto_panel: str) -> SesionPanel | None:
    """La sesión del panel de la petición, si la cookie es válida y vigente."""
    datos = leer(secreto_panel, request.cookies.get(COOKIE_SESION))
    if not datos or not isinstance(datos.get("a"), int) or not isinstance(datos.get("c"), str):
        return None
    return SesionPanel(int(datos["a"]), str(datos["c"]))  # type: ignore[call-overload]


def poner_cookie(request: Request, respuesta: Response, nombre: str, valor: str,
                 edad: int = DURACION_S) -> None:
    """Cookie HttpOnly, SameSite=Strict, solo bajo /panel; Secure cuando va por HTTPS."""
    segura = request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"
    respuesta.set_cookie(nombre, valor, max_age=edad, path="/panel", httponly=True,
                         samesite="strict", secure=segura)


def csrf_valido(esperado: str | None, recibido: str | None) -> bool:
    """Comparación en tiempo constante del token CSRF."""
    return bool(esperado and recibido) and hmac.compare_digest(str(esperado), str(recibido))


def cabeceras(respuesta: Response) -> Response:
    """Cabeceras de seguridad de toda respuesta del panel."""
    respuesta.headers.setdefault("Content-Security-Policy", CSP)
    respuesta.headers["X-Content-Type-Options"] = "nosniff"
    respuesta.headers["X-Frame-Options"] = "DENY"
    respuesta.headers["Referrer-Policy"] = "same-origin"
    respuesta.headers.setdefault("Cache-Control", "no-store")
    return respuesta
