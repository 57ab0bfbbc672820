"""Quién usa el panel, como dependencias de FastAPI: la sesión, el asesor y el token CSRF.

Una dependencia que niega el acceso lanza `AccesoNegado` con la respuesta que corresponde (sin
sesión vigente: a la página de acceso; CSRF que no coincide: 400); `RutaPanel` la devuelve,
como a toda respuesta del panel, con las cabeceras de seguridad. Un parámetro de la URL que no
es válido (un id que no es número o no cabe en la base: `IdRuta`) da la página 404, nunca un
error.

Una sesión vale si la cookie está firmada, no ha vencido (8 h), el asesor sigue activo y su
versión de sesión es la de la cookie: «Salir» la sube (`repo.cerrar_sesiones`) y las cookies
anteriores dejan de valer en el servidor, aunque alguien las haya guardado."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute

from bot.db.modelos import Asesor
from bot.escalamiento import asesores as repo
from bot.escalamiento.servicios import ServiciosEscalamiento
from bot.panel import paginas, seguridad

IdRuta = Annotated[int, Path(ge=1, le=repo.ID_MAXIMO)]
"""Un id en la URL: entero que cabe en la base (si no, 404)."""


class AccesoNegado(HTTPException):
    """Acceso negado; lleva la respuesta que se devuelve en lugar de la página."""

    def __init__(self, respuesta: Response) -> None:
        super().__init__(respuesta.status_code)
        self.respuesta = respuesta


class RutaPanel(APIRoute):
    """Ruta que devuelve las negativas de acceso y agrega las cabeceras de seguridad a toda
    respuesta."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def manejador(request: Request) -> Response:
            try:
                respuesta = await original(request)
            except AccesoNegado as negado:
                respuesta = negado.respuesta
            except RequestValidationError:
                respuesta = paginas.no_encontrada(request)
            return seguridad.cabeceras(respuesta)

        return manejador


def servicios(request: Request) -> ServiciosEscalamiento:
    """Los servicios compartidos de la aplicación."""
    return request.app.state.servicios


def secreto(request: Request) -> str:
    """El secreto con que se firman las cookies del panel."""
    return seguridad.secreto(servicios(request).ajustes.panel_secreto)


def a_entrar() -> RedirectResponse:
    """A la página de acceso."""
    return RedirectResponse("/panel/entrar", status_code=303)


async def identidad_actual(request: Request) -> tuple[Asesor, seguridad.SesionPanel] | None:
    """El asesor activo y la sesión de la cookie, si es válida y vigente; si no, None."""
    sesion = seguridad.sesion_de(request, secreto(request))
    if sesion is None:
        return None
    async with servicios(request).almacen.lectura() as s:
        asesor = await repo.por_id(s, sesion.asesor_id)
    if asesor is None or asesor.sesion_version != sesion.version:
        return None
    return asesor, sesion


Identidad = Annotated[tuple[Asesor, seguridad.SesionPanel] | None, Depends(identidad_actual)]


async def sesion_actual(identidad: Identidad) -> seguridad.SesionPanel:
    """La sesión vigente de un asesor activo; sin ella, a la página de acceso."""
    if identidad is None:
        raise AccesoNegado(a_entrar())
    return identidad[1]


async def asesor_actual(identidad: Identidad) -> Asesor:
    """El asesor de la sesión vigente; sin ella, a la página de acceso."""
    if identidad is None:
        raise AccesoNegado(a_entrar())
    return identidad[0]


Sesion = Annotated[seguridad.SesionPanel, Depends(sesion_actual)]
AsesorActual = Annotated[Asesor, Depends(asesor_actual)]


async def verificar_csrf(request: Request, sesion: Sesion) -> dict[str, str]:
    """Los campos del formulario si traen el token CSRF de la sesión; si no, 400 (y sin
    sesión, antes, a la página de acceso)."""
    formulario = await request.form()
    datos = {k: str(v) for k, v in formulario.items() if isinstance(v, str)}
    if not seguridad.csrf_valido(sesion.csrf, datos.get("csrf")):
        raise AccesoNegado(Response("Solicitud no válida (CSRF).", status_code=400))
    return datos


Formulario = Annotated[dict[str, str], Depends(verificar_csrf)]
