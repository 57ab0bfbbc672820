"""Páginas del escritorio de asesores bajo /panel: acceso, bandeja, caso/traspaso y tablero.

Quién entra lo deciden las dependencias de `acceso`: cada ruta recibe ya al asesor
(`AsesorActual`), su sesión (`Sesion`, con el token CSRF de los formularios) y, en los envíos,
el formulario con el CSRF ya revisado (`Formulario`)."""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context
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
from bot.panel import acceso, consultas, graficas, seguridad
from bot.panel.acceso import AsesorActual, Formulario, Sesion

log = logging.getLogger(__name__)
PLANTILLAS = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "plantillas"))


def _zona(request: Request) -> ZoneInfo:
    """La zona horaria de los ajustes (ZONA_HORARIA)."""
    return ZoneInfo(acceso.servicios(request).ajustes.zona_horaria)


def _fecha(valor: dt.datetime | None, zona: ZoneInfo) -> str:
    if valor is None:
        return "—"
    valor = valor if valor.tzinfo else valor.replace(tzinfo=dt.timezone.utc)
    return valor.astimezone(zona).strftime("%d/%m/%Y %H:%M")


@pass_context
def _fecha_local(contexto: Context, valor: dt.datetime | None) -> str:
    """El filtro «fecha» de las plantillas: día y hora en la zona de los ajustes."""
    return _fecha(valor, _zona(contexto["request"]))


PLANTILLAS.env.filters["fecha"] = _fecha_local
PLANTILLAS.env.globals.update(NOMBRES_ESTATUS=NOMBRES_ESTATUS, NOMBRES_TRASPASO=NOMBRES_TRASPASO,
                              MOTIVOS=MOTIVOS, referencia=referencia,
                              AVISOS_DE_ENTREGA=AVISOS_DE_ENTREGA)

router = APIRouter(prefix="/panel", route_class=acceso.RutaPanel, include_in_schema=False)


def _pagina(request: Request, plantilla: str, estado: int = 200, **datos: Any) -> HTMLResponse:
    return PLANTILLAS.TemplateResponse(request, plantilla, datos, status_code=estado)


def _no_encontrado(request: Request, asesor: Asesor, sesion: seguridad.SesionPanel
                   ) -> HTMLResponse:
    return _pagina(request, "error.html", 404, asesor=asesor, csrf=sesion.csrf,
                   mensaje="No encontré eso entre los casos de sus estados.")


# --- acceso ---

@router.get("/entrar")
async def entrar(request: Request, error: str | None = None) -> Response:
    token = secrets.token_urlsafe(24)
    respuesta = _pagina(request, "entrar.html", csrf=token, error=error, asesor=None)
    seguridad.poner_cookie(request, respuesta, seguridad.COOKIE_PREVIA,
                           seguridad.firmar(acceso.secreto(request), {"c": token}), 1800)
    return respuesta


@router.post("/entrar")
async def entrar_post(request: Request) -> Response:
    """Correo y contraseña, con el CSRF de la cookie previa (aún no hay sesión)."""
    formulario = await request.form()
    correo = str(formulario.get("correo") or "").strip().lower()[:200]
    contrasena = str(formulario.get("contrasena") or "")[:200]
    previa = seguridad.leer(acceso.secreto(request),
                            request.cookies.get(seguridad.COOKIE_PREVIA), 1800)
    if not previa or not seguridad.csrf_valido(str(previa.get("c")),
                                               str(formulario.get("csrf") or "")):
        return _pagina(request, "entrar.html", 400, csrf="", asesor=None,
                       error="La página caducó. Vuelva a cargarla e intente de nuevo.")
    ip = request.client.host if request.client else "desconocida"
    almacen = acceso.servicios(request).almacen
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
    return _sesion_nueva(request, asesor)


def _sesion_nueva(request: Request, asesor: Asesor) -> Response:
    """A la bandeja, con la cookie de sesión (y su token CSRF) en lugar de la previa."""
    respuesta = RedirectResponse("/panel", status_code=303)
    valor = seguridad.firmar(acceso.secreto(request),
                             {"a": asesor.id, "c": secrets.token_urlsafe(24)})
    seguridad.poner_cookie(request, respuesta, seguridad.COOKIE_SESION, valor)
    respuesta.delete_cookie(seguridad.COOKIE_PREVIA, path="/panel")
    log.info("acceso al panel", extra={"asesor_id": asesor.id})
    return respuesta


@router.post("/salir", dependencies=[Depends(acceso.verificar_csrf)])
async def salir() -> Response:
    respuesta = acceso.a_entrar()
    respuesta.delete_cookie(seguridad.COOKIE_SESION, path="/panel")
    return respuesta


# --- bandeja ---

@router.get("")
async def bandeja(request: Request, asesor: AsesorActual, sesion: Sesion) -> Response:
    async with acceso.servicios(request).almacen.lectura() as s:
        espera = await consultas.traspasos(s, asesor, ("solicitada",))
        mios = await consultas.traspasos(s, asesor, ("tomada", "atendida"), solo_mios=True)
        casos = await consultas.casos_visibles(s, asesor)
    return _pagina(request, "bandeja.html", asesor=asesor, csrf=sesion.csrf, espera=espera,
                   mios=mios, casos=casos, ve_tablero=repo.ve_tablero(asesor))


# --- detalle de traspaso y de caso ---

async def _detalle(request: Request, asesor: Asesor, sesion: seguridad.SesionPanel,
                   esc: Escalamiento | None, caso: Caso | None) -> Response:
    async with acceso.servicios(request).almacen.lectura() as s:
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
async def ver_traspaso(request: Request, esc_id: int, asesor: AsesorActual,
                       sesion: Sesion) -> Response:
    async with acceso.servicios(request).almacen.lectura() as s:
        esc = await s.get(Escalamiento, esc_id)
        caso = await s.get(Caso, esc.caso_id) if esc and esc.caso_id else None
    if esc is None or not repo.autorizado(asesor, esc.estado_id):
        return _no_encontrado(request, asesor, sesion)
    return await _detalle(request, asesor, sesion, esc, caso)


@router.get("/caso/{folio}")
async def ver_caso(request: Request, folio: str, asesor: AsesorActual,
                   sesion: Sesion) -> Response:
    async with acceso.servicios(request).almacen.lectura() as s:
        caso = await acciones_caso.caso_por_folio(s, folio, asesor)
    if caso is None:
        return _no_encontrado(request, asesor, sesion)
    return await _detalle(request, asesor, sesion, None, caso)


def _volver(esc: Escalamiento | None, caso: Caso | None, aviso: str) -> RedirectResponse:
    destino = f"/panel/caso/{caso.folio}" if caso else f"/panel/traspaso/{esc.id if esc else 0}"
    return RedirectResponse(f"{destino}?aviso={quote(aviso)}", status_code=303)


@router.post("/traspaso/{esc_id}/{accion}")
async def accion_traspaso(request: Request, esc_id: int, accion: str, asesor: AsesorActual,
                          sesion: Sesion, datos: Formulario) -> Response:
    servicios = acceso.servicios(request)
    async with servicios.almacen.escritura() as s:
        esc = await s.get(Escalamiento, esc_id)
        if esc is None or not repo.autorizado(asesor, esc.estado_id):
            return _no_encontrado(request, asesor, sesion)
        caso = await s.get(Caso, esc.caso_id) if esc.caso_id else None
        try:
            aviso = await _hacer(servicios, s, esc, asesor, accion, datos)
        except (traspaso.TraspasoError, acciones_caso.CambioInvalido) as error:
            aviso = str(error)
    return _volver(esc, None if accion == "x" else caso, aviso)


async def _hacer(servicios: ServiciosEscalamiento, s: Any, esc: Escalamiento, asesor: Asesor,
                 accion: str, datos: dict[str, str]) -> str:
    """Toma, responde, cierra o anota el traspaso; el aviso para la página."""
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
async def accion_caso(request: Request, folio: str, accion: str, asesor: AsesorActual,
                      sesion: Sesion, datos: Formulario) -> Response:
    servicios = acceso.servicios(request)
    async with servicios.almacen.escritura() as s:
        caso = await acciones_caso.caso_por_folio(s, folio, asesor)
        if caso is None:
            return _no_encontrado(request, asesor, sesion)
        try:
            aviso = await _hacer_en_caso(servicios, s, caso, asesor, accion, datos)
        except (traspaso.TraspasoError, acciones_caso.CambioInvalido) as error:
            aviso = str(error)
    return _volver(None, caso, aviso)


async def _hacer_en_caso(servicios: ServiciosEscalamiento, s: Any, caso: Caso, asesor: Asesor,
                         accion: str, datos: dict[str, str]) -> str:
    """Cambia el estatus, anota o escribe a la persona del caso; el aviso para la página."""
    if accion == "estatus":
        await acciones_caso.cambiar_estatus(servicios, s, caso, datos.get("estatus", ""),
                                            asesor, datos.get("comentario"))
        return "Estatus actualizado; se avisó a la persona."
    if accion == "nota":
        await acciones_caso.agregar_nota(s, caso, asesor, datos.get("nota", ""))
        return "Nota guardada."
    if accion == "escribir":
        esc = await traspaso.iniciar_por_asesor(servicios, s, caso, asesor)
        await traspaso.responder(servicios, s, esc, asesor, datos.get("texto", ""))
        return "Mensaje enviado."
    return "Acción desconocida."


@router.get("/documento/{doc_id}")
async def documento(request: Request, doc_id: int, asesor: AsesorActual,
                    sesion: Sesion) -> Response:
    servicios = acceso.servicios(request)
    async with servicios.almacen.lectura() as s:
        doc = await s.get(Documento, doc_id)
        caso = await s.get(Caso, doc.caso_id) if doc and doc.caso_id else None
    if doc is None or caso is None or not repo.autorizado(asesor, caso.estado_id):
        return _no_encontrado(request, asesor, sesion)
    contenido = servicios.documentos.leer_si_existe(doc.ruta)
    if contenido is None:  # el registro sigue, pero el archivo ya no está en el disco
        return _no_encontrado(request, asesor, sesion)
    nombre = re.sub(r"[^A-Za-z0-9._-]+", "_", doc.nombre_archivo)[:120] or "documento"
    return Response(contenido, media_type=doc.mime,
                    headers={"Content-Disposition": f'attachment; filename="{nombre}"'})


# --- tablero ---

async def asesor_del_tablero(request: Request, asesor: AsesorActual) -> Asesor:
    """El tablero es para la SRE y las coordinaciones estatales; a los demás, una página 403."""
    if not repo.ve_tablero(asesor):
        raise acceso.AccesoNegado(_pagina(
            request, "error.html", 403, asesor=None, csrf="",
            mensaje="El tablero es para la SRE y las coordinaciones estatales."))
    return asesor


async def lector_del_tablero(identidad: acceso.Identidad) -> Asesor:
    """Gráficas y CSV del tablero: sin sesión o sin permiso, 403 a secas (no son páginas)."""
    if identidad is None or not repo.ve_tablero(identidad[0]):
        raise acceso.AccesoNegado(Response(status_code=403))
    return identidad[0]


DelTablero = Annotated[Asesor, Depends(asesor_del_tablero)]
LectorDelTablero = Annotated[Asesor, Depends(lector_del_tablero)]


async def _tablero(request: Request, asesor: Asesor) -> consultas.Tablero:
    async with acceso.servicios(request).almacen.lectura() as s:
        return await consultas.tablero(s, asesor)


@router.get("/tablero")
async def tablero(request: Request, asesor: DelTablero, sesion: Sesion) -> Response:
    return _pagina(request, "tablero.html", asesor=asesor, csrf=sesion.csrf,
                   t=await _tablero(request, asesor), estatus=list(ESTATUS), ve_tablero=True)


@router.get("/tablero/{grafica}.svg")
async def grafica(request: Request, grafica: str, asesor: LectorDelTablero) -> Response:
    if grafica not in ("estatus", "meses"):
        return Response(status_code=404)
    t = await _tablero(request, asesor)
    if grafica == "estatus":
        claves = [e for e in ESTATUS if t.por_estatus.get(e)]
        svg = graficas.barras("Casos por estatus", [NOMBRES_ESTATUS[e] for e in claves],
                              [t.por_estatus[e] for e in claves])
    else:
        meses = sorted(t.por_mes)
        svg = graficas.barras("Casos por mes", meses, [t.por_mes[m] for m in meses])
    return Response(svg, media_type="image/svg+xml", headers={
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})


@router.get("/tablero.csv")
async def exportar(request: Request, asesor: LectorDelTablero) -> Response:
    async with acceso.servicios(request).almacen.lectura() as s:
        casos = await consultas.casos_visibles(s, asesor, limite=100_000)
    zona = _zona(request)
    cuerpo = graficas.a_csv(
        ["folio", "estado", "municipio", "tipo", "estatus", "ciudad_contraparte",
         "pais_contraparte", "creado_en"],
        ([c.folio, c.estado.nombre, c.municipio.nombre, c.tipo, c.estatus, c.ciudad_contraparte,
          c.pais_contraparte, _fecha(c.creado_en, zona)] for c in casos))
    return Response(cuerpo, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="casos.csv"'})
