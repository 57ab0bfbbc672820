"""Páginas del escritorio de asesores bajo /panel: acceso, bandeja, caso/traspaso y tablero."""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload

from bot.casos.estatus import ESTATUS
from bot.db.modelos import (
    Asesor,
    Caso,
    Conversacion,
    Documento,
    Escalamiento,
    NotaAsesor,
    Usuario,
)
from bot.escalamiento import asesores as repo
from bot.escalamiento import casos as acciones_caso
from bot.escalamiento import traspaso
from bot.escalamiento.contrasenas import verificar
from bot.escalamiento.resumen import MOTIVOS, NOMBRES_ESTATUS, NOMBRES_TRASPASO, referencia
from bot.escalamiento.servicios import ServiciosEscalamiento
from bot.limite_acceso import LimiteAcceso
from bot.motor.bandeja_salida import AVISOS_DE_ENTREGA
from bot.panel import consultas, graficas, seguridad

log = logging.getLogger(__name__)
PLANTILLAS = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "plantillas"))
ZONA = ZoneInfo("America/Mexico_City")


def _fecha(valor: dt.datetime | None) -> str:
    if valor is None:
        return "—"
    valor = valor if valor.tzinfo else valor.replace(tzinfo=dt.timezone.utc)
    return valor.astimezone(ZONA).strftime("%d/%m/%Y %H:%M")


PLANTILLAS.env.filters["fecha"] = _fecha
PLANTILLAS.env.globals.update(NOMBRES_ESTATUS=NOMBRES_ESTATUS, NOMBRES_TRASPASO=NOMBRES_TRASPASO,
                              MOTIVOS=MOTIVOS, referencia=referencia,
                              AVISOS_DE_ENTREGA=AVISOS_DE_ENTREGA)


class RutaPanel(APIRoute):
    """Ruta que agrega las cabeceras de seguridad a cada respuesta."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def manejador(request: Request) -> Response:
            return seguridad.cabeceras(await original(request))

        return manejador


router = APIRouter(prefix="/panel", route_class=RutaPanel, include_in_schema=False)


def _servicios(request: Request) -> ServiciosEscalamiento:
    return request.app.state.servicios


def _secreto(request: Request) -> str:
    return seguridad.secreto(_servicios(request).ajustes.panel_secreto)


class _Sin(Exception):
    """No hay sesión válida: a la página de acceso."""


async def _quien(request: Request) -> tuple[Asesor, seguridad.SesionPanel]:
    sesion = seguridad.sesion_de(request, _secreto(request))
    if sesion is None:
        raise _Sin
    async with _servicios(request).almacen.lectura() as s:
        asesor = await repo.por_id(s, sesion.asesor_id)
    if asesor is None:
        raise _Sin
    return asesor, sesion


def _a_entrar() -> RedirectResponse:
    return RedirectResponse("/panel/entrar", status_code=303)


def _pagina(request: Request, plantilla: str, estado: int = 200, **datos: Any) -> HTMLResponse:
    return PLANTILLAS.TemplateResponse(request, plantilla, datos, status_code=estado)


def _no_encontrado(request: Request, asesor: Asesor | None, csrf: str = "") -> HTMLResponse:
    return _pagina(request, "error.html", 404, asesor=asesor, csrf=csrf,
                   mensaje="No encontré eso entre los casos de sus estados.")


async def _formulario(request: Request, sesion: seguridad.SesionPanel) -> dict[str, str] | None:
    formulario = await request.form()
    datos = {k: str(v) for k, v in formulario.items() if isinstance(v, str)}
    return datos if seguridad.csrf_valido(sesion.csrf, datos.get("csrf")) else None


async def _envio_autorizado(
    request: Request,
) -> tuple[Asesor, seguridad.SesionPanel, dict[str, str]] | Response:
    """Sesión válida y formulario con CSRF correcto; si no, la respuesta que corresponde."""
    try:
        asesor, sesion = await _quien(request)
    except _Sin:
        return _a_entrar()
    datos = await _formulario(request, sesion)
    if datos is None:
        return Response("Solicitud no válida (CSRF).", status_code=400)
    return asesor, sesion, datos


# --- acceso ---

@router.get("/entrar")
async def entrar(request: Request, error: str | None = None) -> Response:
    token = secrets.token_urlsafe(24)
    respuesta = _pagina(request, "entrar.html", csrf=token, error=error, asesor=None)
    seguridad.poner_cookie(request, respuesta, seguridad.COOKIE_PREVIA,
                           seguridad.firmar(_secreto(request), {"c": token}), 1800)
    return respuesta


@router.post("/entrar")
async def entrar_post(request: Request) -> Response:
    formulario = await request.form()
    correo = str(formulario.get("correo") or "").strip().lower()[:200]
    contrasena = str(formulario.get("contrasena") or "")[:200]
    previa = seguridad.leer(_secreto(request), request.cookies.get(seguridad.COOKIE_PREVIA), 1800)
    if not previa or not seguridad.csrf_valido(str(previa.get("c")),
                                               str(formulario.get("csrf") or "")):
        return _pagina(request, "entrar.html", 400, csrf="", asesor=None,
                       error="La página caducó. Vuelva a cargarla e intente de nuevo.")
    ip = request.client.host if request.client else "desconocida"
    almacen = _servicios(request).almacen
    try:
        if not await LimiteAcceso(almacen).permitir(ip, correo):
            log.warning("demasiados intentos de acceso al panel")
            return _pagina(request, "entrar.html", 429, csrf=str(previa["c"]), asesor=None,
                           error="Demasiados intentos. Espere un minuto e intente de nuevo.")
        async with almacen.lectura() as s:
            asesor = await repo.por_email(s, correo)
    except SQLAlchemyError as error:
        # Sin el texto del error: lleva los parámetros de la consulta (correo, IP).
        log.error("la base no respondió al entrar al panel",
                  extra={"error": type(error).__name__})
        caida = _pagina(request, "entrar.html", 503, csrf=str(previa["c"]), asesor=None,
                        error="Por ahora no podemos verificar su acceso. Intente de nuevo "
                              "en unos minutos.")
        caida.headers["Retry-After"] = "60"
        return caida
    if not verificar(asesor.password_hash if asesor else None, contrasena) or asesor is None:
        return _pagina(request, "entrar.html", 401, csrf=str(previa["c"]), asesor=None,
                       error="Correo o contraseña incorrectos.")
    respuesta = RedirectResponse("/panel", status_code=303)
    valor = seguridad.firmar(_secreto(request), {"a": asesor.id, "c": secrets.token_urlsafe(24)})
    seguridad.poner_cookie(request, respuesta, seguridad.COOKIE_SESION, valor)
    respuesta.delete_cookie(seguridad.COOKIE_PREVIA, path="/panel")
    log.info("acceso al panel", extra={"asesor_id": asesor.id})
    return respuesta


@router.post("/salir")
async def salir(request: Request) -> Response:
    try:
        _asesor, sesion = await _quien(request)
    except _Sin:
        return _a_entrar()
    if await _formulario(request, sesion) is None:
        return Response("Solicitud no válida.", status_code=400)
    respuesta = _a_entrar()
    respuesta.delete_cookie(seguridad.COOKIE_SESION, path="/panel")
    return respuesta


# --- bandeja ---

@router.get("")
async def bandeja(request: Request) -> Response:
    try:
        asesor, sesion = await _quien(request)
    except _Sin:
        return _a_entrar()
    async with _servicios(request).almacen.lectura() as s:
        espera = await consultas.traspasos(s, asesor, ("solicitada",))
        mios = await consultas.traspasos(s, asesor, ("tomada", "atendida"), solo_mios=True)
        casos = await consultas.casos_visibles(s, asesor)
    return _pagina(request, "bandeja.html", asesor=asesor, csrf=sesion.csrf, espera=espera,
                   mios=mios, casos=casos, ve_tablero=repo.ve_tablero(asesor))


# --- detalle de traspaso y de caso ---

async def _detalle(request: Request, asesor: Asesor, sesion: seguridad.SesionPanel,
                   esc: Escalamiento | None, caso: Caso | None) -> Response:
    async with _servicios(request).almacen.lectura() as s:
        if caso is not None:
            caso = await s.scalar(select(Caso).options(
                selectinload(Caso.eventos), selectinload(Caso.documentos),
                selectinload(Caso.estado), selectinload(Caso.municipio))
                .where(Caso.id == caso.id))
        usuario_id = (caso.usuario_id if caso is not None else None)
        conversacion = None
        if esc is not None:
            conversacion = await s.get(Conversacion, esc.conversacion_id)
            usuario_id = conversacion.usuario_id if conversacion else usuario_id
        elif usuario_id is not None:
            conversacion = await s.scalar(select(Conversacion).where(
                Conversacion.usuario_id == usuario_id))
            esc = await consultas.traspaso_abierto_de_usuario(s, usuario_id)
        usuario = await s.get(Usuario, usuario_id) if usuario_id else None
        mensajes = await consultas.transcripcion(s, conversacion.id) if conversacion else []
        tomado_por = await s.get(Asesor, esc.asesor_id) if esc and esc.asesor_id else None
        notas = [{"asesor": n.asesor.nombre, "texto": n.texto,
                  "en": n.creado_en.isoformat(sep=" ", timespec="minutes")}
                 for n in (await s.scalars(
                     select(NotaAsesor).where(NotaAsesor.conversacion_id == conversacion.id)
                     .options(selectinload(NotaAsesor.asesor)).order_by(NotaAsesor.id))).all()
                 ] if conversacion else []
    es_mio = esc is not None and esc.asesor_id == asesor.id and esc.estado in ("tomada",
                                                                               "atendida")
    return _pagina(
        request, "detalle.html", asesor=asesor, csrf=sesion.csrf, esc=esc, caso=caso,
        usuario=usuario, mensajes=mensajes, tomado_por=tomado_por, es_mio=es_mio,
        siguientes=acciones_caso.siguientes(caso, asesor) if caso else [],
        notas=notas,
        aviso=request.query_params.get("aviso"), estatus=ESTATUS)


@router.get("/traspaso/{esc_id}")
async def ver_traspaso(request: Request, esc_id: int) -> Response:
    try:
        asesor, sesion = await _quien(request)
    except _Sin:
        return _a_entrar()
    async with _servicios(request).almacen.lectura() as s:
        esc = await s.get(Escalamiento, esc_id)
        caso = await s.get(Caso, esc.caso_id) if esc and esc.caso_id else None
    if esc is None or not repo.autorizado(asesor, esc.estado_id):
        return _no_encontrado(request, asesor, sesion.csrf)
    return await _detalle(request, asesor, sesion, esc, caso)


@router.get("/caso/{folio}")
async def ver_caso(request: Request, folio: str) -> Response:
    try:
        asesor, sesion = await _quien(request)
    except _Sin:
        return _a_entrar()
    async with _servicios(request).almacen.lectura() as s:
        caso = await acciones_caso.caso_por_folio(s, folio, asesor)
    if caso is None:
        return _no_encontrado(request, asesor, sesion.csrf)
    return await _detalle(request, asesor, sesion, None, caso)


def _volver(esc: Escalamiento | None, caso: Caso | None, aviso: str) -> RedirectResponse:
    destino = f"/panel/caso/{caso.folio}" if caso else f"/panel/traspaso/{esc.id if esc else 0}"
    from urllib.parse import quote

    return RedirectResponse(f"{destino}?aviso={quote(aviso)}", status_code=303)


@router.post("/traspaso/{esc_id}/{accion}")
async def accion_traspaso(request: Request, esc_id: int, accion: str) -> Response:
    autorizado = await _envio_autorizado(request)
    if isinstance(autorizado, Response):
        return autorizado
    asesor, sesion, datos = autorizado
    servicios = _servicios(request)
    async with servicios.almacen.escritura() as s:
        esc = await s.get(Escalamiento, esc_id)
        if esc is None or not repo.autorizado(asesor, esc.estado_id):
            return _no_encontrado(request, asesor, sesion.csrf)
        caso = await s.get(Caso, esc.caso_id) if esc.caso_id else None
        try:
            aviso = await _hacer(servicios, s, esc, caso, asesor, accion, datos)
        except (traspaso.TraspasoError, acciones_caso.CambioInvalido) as error:
            aviso = str(error)
    return _volver(esc, None if accion == "x" else caso, aviso)


async def _hacer(servicios: ServiciosEscalamiento, s: Any, esc: Escalamiento, caso: Caso | None,
                 asesor: Asesor, accion: str, datos: dict[str, str]) -> str:
    if accion == "tomar":
        toma = await traspaso.tomar(servicios, s, esc.id, asesor)
        return ("Usted atiende esta conversación." if toma.gano
                else f"Se le adelantó {toma.tomado_por or 'otra persona'}.")
    if accion == "responder":
        await traspaso.responder(servicios, s, esc, asesor, datos.get("texto", ""))
        return "Mensaje enviado."
    if accion == "cerrar":
        await traspaso.cerrar(servicios, s, esc, asesor, datos.get("nota") or None)
        return "Conversación cerrada; la persona vuelve con el asistente."
    if accion == "nota":
        await acciones_caso.anotar_traspaso(s, esc, asesor, datos.get("nota", ""))
        return "Nota guardada."
    raise traspaso.TraspasoError("Acción desconocida.")


@router.post("/caso/{folio}/{accion}")
async def accion_caso(request: Request, folio: str, accion: str) -> Response:
    autorizado = await _envio_autorizado(request)
    if isinstance(autorizado, Response):
        return autorizado
    asesor, sesion, datos = autorizado
    servicios = _servicios(request)
    async with servicios.almacen.escritura() as s:
        caso = await acciones_caso.caso_por_folio(s, folio, asesor)
        if caso is None:
            return _no_encontrado(request, asesor, sesion.csrf)
        try:
            if accion == "estatus":
                await acciones_caso.cambiar_estatus(servicios, s, caso, datos.get("estatus", ""),
                                                    asesor, datos.get("comentario"))
                aviso = "Estatus actualizado; se avisó a la persona."
            elif accion == "nota":
                await acciones_caso.agregar_nota(s, caso, asesor, datos.get("nota", ""))
                aviso = "Nota guardada."
            elif accion == "escribir":
                esc = await traspaso.iniciar_por_asesor(servicios, s, caso, asesor)
                await traspaso.responder(servicios, s, esc, asesor, datos.get("texto", ""))
                aviso = "Mensaje enviado."
            else:
                aviso = "Acción desconocida."
        except (traspaso.TraspasoError, acciones_caso.CambioInvalido) as error:
            aviso = str(error)
    return _volver(None, caso, aviso)


@router.get("/documento/{doc_id}")
async def documento(request: Request, doc_id: int) -> Response:
    try:
        asesor, sesion = await _quien(request)
    except _Sin:
        return _a_entrar()
    servicios = _servicios(request)
    async with servicios.almacen.lectura() as s:
        doc = await s.get(Documento, doc_id)
        caso = await s.get(Caso, doc.caso_id) if doc and doc.caso_id else None
    if doc is None or caso is None or not repo.autorizado(asesor, caso.estado_id):
        return _no_encontrado(request, asesor, sesion.csrf)
    contenido = servicios.documentos.leer_si_existe(doc.ruta)
    if contenido is None:  # el registro sigue, pero el archivo ya no está en el disco
        return _no_encontrado(request, asesor, sesion.csrf)
    nombre = re.sub(r"[^A-Za-z0-9._-]+", "_", doc.nombre_archivo)[:120] or "documento"
    return Response(contenido, media_type=doc.mime,
                    headers={"Content-Disposition": f'attachment; filename="{nombre}"'})


# --- tablero ---

async def _tablero_datos(request: Request) -> tuple[Asesor, seguridad.SesionPanel,
                                                    consultas.Tablero]:
    asesor, sesion = await _quien(request)
    if not repo.ve_tablero(asesor):
        raise PermissionError
    async with _servicios(request).almacen.lectura() as s:
        return asesor, sesion, await consultas.tablero(s, asesor)


@router.get("/tablero")
async def tablero(request: Request) -> Response:
    try:
        asesor, sesion, t = await _tablero_datos(request)
    except _Sin:
        return _a_entrar()
    except PermissionError:
        return _pagina(request, "error.html", 403, asesor=None, csrf="",
                       mensaje="El tablero es para la SRE y las coordinaciones estatales.")
    return _pagina(request, "tablero.html", asesor=asesor, csrf=sesion.csrf, t=t,
                   estatus=list(ESTATUS), ve_tablero=True)


@router.get("/tablero/{grafica}.svg")
async def grafica(request: Request, grafica: str) -> Response:
    try:
        _asesor, _sesion, t = await _tablero_datos(request)
    except (_Sin, PermissionError):
        return Response(status_code=403)
    if grafica == "estatus":
        claves = [e for e in ESTATUS if t.por_estatus.get(e)]
        svg = graficas.barras("Casos por estatus", [NOMBRES_ESTATUS[e] for e in claves],
                              [t.por_estatus[e] for e in claves])
    elif grafica == "meses":
        meses = sorted(t.por_mes)
        svg = graficas.barras("Casos por mes", meses, [t.por_mes[m] for m in meses])
    else:
        return Response(status_code=404)
    return Response(svg, media_type="image/svg+xml", headers={
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})


@router.get("/tablero.csv")
async def exportar(request: Request) -> Response:
    try:
        asesor, _sesion, _t = await _tablero_datos(request)
    except (_Sin, PermissionError):
        return Response(status_code=403)
    async with _servicios(request).almacen.lectura() as s:
        casos = await consultas.casos_visibles(s, asesor, limite=100_000)
    cuerpo = graficas.a_csv(
        ["folio", "estado", "municipio", "tipo", "estatus", "ciudad_contraparte",
         "pais_contraparte", "creado_en"],
        ([c.folio, c.estado.nombre, c.municipio.nombre, c.tipo, c.estatus, c.ciudad_contraparte,
          c.pais_contraparte, _fecha(c.creado_en)] for c in casos))
    return Response(cuerpo, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="casos.csv"'})
