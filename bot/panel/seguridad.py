"""Seguridad del panel: cookie de sesión firmada (HttpOnly, SameSite, expira, revocable con la
versión de sesión del asesor), cookie del dispositivo, la IP del cliente, CSRF y cabeceras
(CSP, frame-ancestors, nosniff). El límite de intentos está en `limite_acceso`."""

from __future__ import annotations

import hmac
import ipaddress
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
COOKIE_DISPOSITIVO = "panel_dispositivo"
DURACION_S = 8 * 3600
DURACION_DISPOSITIVO_S = 180 * 24 * 3600
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


@dataclass(frozen=True)
class SesionPanel:
    """Lo que lleva la cookie: quién es, su token CSRF y la versión de sesión del asesor
    cuando entró (si ya no es la de la base, la cookie no vale: salió)."""

    asesor_id: int
    csrf: str
    version: int


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
    """La sesión del panel de la petición, si la cookie es válida y vigente (falta ver que
    la versión siga siendo la del asesor: `acceso.identidad_actual`)."""
    datos = leer(secreto_panel, request.cookies.get(COOKIE_SESION))
    if not datos:
        return None
    asesor_id, csrf, version = datos.get("a"), datos.get("c"), datos.get("v")
    if not isinstance(asesor_id, int) or not isinstance(csrf, str) or not isinstance(
            version, int):
        return None
    return SesionPanel(asesor_id, csrf, version)


def valor_sesion(secreto_panel: str, asesor_id: int, version: int) -> str:
    """La cookie de una sesión nueva (con su propio token CSRF)."""
    return firmar(secreto_panel, {"a": asesor_id, "c": secrets.token_urlsafe(24), "v": version})


def valor_dispositivo(secreto_panel: str, cuenta: str) -> str:
    """La cookie que marca este navegador como uno donde esa cuenta ya entró."""
    return firmar(secreto_panel, {"d": cuenta})


def dispositivo_conocido(request: Request, secreto_panel: str, cuenta: str) -> bool:
    """¿Trae la petición la cookie de un dispositivo donde esa cuenta ya entró?"""
    datos = leer(secreto_panel, request.cookies.get(COOKIE_DISPOSITIVO), DURACION_DISPOSITIVO_S)
    if not datos:
        return False
    return hmac.compare_digest(str(datos.get("d", "")), cuenta)


def ip_cliente(request: Request) -> str:
    """La dirección con que se cuentan los intentos: la del cliente que entrega el servidor
    (con un proxy, la que este anota en X-Forwarded-For, si el servidor confía en él: vea
    FORWARDED_ALLOW_IPS en el README). IPv6 se cuenta por su red /64, que suele ser de un
    mismo cliente; lo que no es una IP cuenta como «desconocida»."""
    host = request.client.host if request.client else ""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return "desconocida"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


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
