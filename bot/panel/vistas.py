"""Páginas del escritorio de asesores bajo /panel: acceso, bandeja, caso/traspaso y tablero.

Quién entra lo deciden las dependencias de `acceso`: cada ruta recibe ya al asesor
(`AsesorActual`), su sesión (`Sesion`, con el token CSRF de los formularios) y, en los envíos,
el formulario con el CSRF ya revisado (`Formulario`). Qué ve lo decide una sola regla,
`repo.puede_atender` (el estado del caso, no el del perfil de la persona): lo que no pasa la
regla se ve igual que lo que no existe (404). Los avisos de la URL son códigos con texto fijo
(`paginas.AVISOS`)."""

from __future__ import annotations

import logging
import re
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload

from bot.casos.estatus import ESTATUS
from bot.db.estados import TRASPASOS_CON_ASESOR, EstadoTraspaso
from bot.db.modelos import (
    Asesor,
    Caso,
    Conversacion,
    Documento,
    Escalamiento,
    Usuario,
)
from bot.escalamiento import asesores as repo
from bot.escalamiento import casos as acciones_caso
from bot.escalamiento import traspaso
from bot.escalamiento.contrasenas import verificar
from bot.escalamiento.servicios import ServiciosEscalamiento
from bot.limite_acceso import LimiteAcceso, normalizar_correo, seudonimo
from bot.motor.salida import ENTREGAN_EN_LA_RESPUESTA
from bot.panel import acceso, consultas, etiquetas, graficas, paginas, seguridad
from bot.panel.acceso import AsesorActual, Formulario, IdRuta, Sesion
from bot.panel.paginas import pagina as _pagina

log = logging.getLogger(__name__)

router = APIRouter(prefix="/panel", route_class=acceso.RutaPanel, include_in_schema=False)


def _no_encontrado(request: Request, asesor: Asesor, sesion: seguridad.SesionPanel
                   ) -> HTMLResponse:
    return paginas.no_encontrada(request, asesor, sesion.csrf)


# --- acceso ---

@router.get("/entrar")
async def entrar(request: Request, error: str | None = None) -> Response:
    token = secrets.token_urlsafe(24)
    respuesta = _pagina(request, "entrar.html", csrf=token,
                        error=paginas.error_de_entrada(error), asesor=None)
    seguridad.poner_cookie(request, respuesta, seguridad.COOKIE_PREVIA,
                           seguridad.firmar(acceso.secreto(request), {"c": token}), 1800)
    return respuesta


def _anotar_fallo(cuenta: str, ip: str, motivo: str, asesor_id: int | None = None) -> None:
    """Bitácora de un acceso fallido o rechazado: la cuenta (seudónimo estable del correo y,
    si existe, el id del asesor), la IP y el motivo. Nunca la contraseña."""
    log.warning("acceso al panel fallido", extra={
        "cuenta": cuenta, "asesor_id": asesor_id, "ip": ip, "motivo": motivo})


def _base_caida(request: Request, token: str, error: SQLAlchemyError, correo: str
                ) -> Response:
    # Sin el texto del error: lleva los parámetros de la consulta (correo, IP).
    log.error("la base no respondió al entrar al panel", extra={"error": type(error).__name__})
    caida = _pagina(request, "entrar.html", 503, csrf=token, asesor=None, correo=correo,
                    error=paginas.ERRORES_ENTRAR["base"])
    caida.headers["Retry-After"] = "60"
    return caida


@router.post("/entrar")
async def entrar_post(request: Request) -> Response:
    """Correo y contraseña, con el CSRF de la cookie previa (aún no hay sesión).

    Antes de calcular nada se piden los límites (`LimiteAcceso`: por IP, por cuenta e IP con
    espera creciente, y por cuenta desde dispositivos desconocidos); la contraseña se
    verifica fuera del bucle de eventos."""
    formulario = await request.form()
    correo = normalizar_correo(str(formulario.get("correo") or ""))[:200]
    contrasena = str(formulario.get("contrasena") or "")[:200]
    secreto = acceso.secreto(request)
    previa = seguridad.leer(secreto, request.cookies.get(seguridad.COOKIE_PREVIA), 1800)
    if not previa or not seguridad.csrf_valido(str(previa.get("c")),
                                               str(formulario.get("csrf") or "")):
        return _pagina(request, "entrar.html", 400, csrf="", asesor=None, correo=correo,
                       error=paginas.ERRORES_ENTRAR["caducada"])
    token = str(previa["c"])
    ip = seguridad.ip_cliente(request)
    cuenta = seudonimo(correo)
    conocido = seguridad.dispositivo_conocido(request, secreto, cuenta)
    almacen = acceso.servicios(request).almacen
    limite = LimiteAcceso(almacen)
    try:
        decision = await limite.permitir(ip, correo, conocido)
        if not decision.permitido:
            _anotar_fallo(cuenta, ip, f"espera_{decision.motivo}")
            rechazo = _pagina(request, "entrar.html", 429, csrf=token, asesor=None,
                              correo=correo, error=paginas.demasiados_intentos(decision.espera_s))
            rechazo.headers["Retry-After"] = str(decision.espera_s)
            return rechazo
        async with almacen.lectura() as s:
            asesor = await repo.por_email(s, correo)
    except SQLAlchemyError as error:
        return _base_caida(request, token, error, correo)
    if not await verificar(asesor.password_hash if asesor else None, contrasena) or (
            asesor is None):
        _anotar_fallo(cuenta, ip, "contrasena", asesor.id if asesor else None)
        return _pagina(request, "entrar.html", 401, csrf=token, asesor=None, correo=correo,
                       invalido=True, error=paginas.ERRORES_ENTRAR["incorrectos"])
    try:
        await limite.acceso_correcto(ip, correo)
    except SQLAlchemyError as error:
        return _base_caida(request, token, error, correo)
    return _sesion_nueva(request, asesor, cuenta)


def _sesion_nueva(request: Request, asesor: Asesor, cuenta: str) -> Response:
    """A la bandeja, con la cookie de sesión (su token CSRF y la versión de sesión del
    asesor) en lugar de la previa, y la cookie que recuerda este dispositivo."""
    respuesta = RedirectResponse("/panel", status_code=303)
    secreto = acceso.secreto(request)
    seguridad.poner_cookie(request, respuesta, seguridad.COOKIE_SESION,
                           seguridad.valor_sesion(secreto, asesor.id, asesor.sesion_version))
    seguridad.poner_cookie(request, respuesta, seguridad.COOKIE_DISPOSITIVO,
                           seguridad.valor_dispositivo(secreto, cuenta),
                           seguridad.DURACION_DISPOSITIVO_S)
    respuesta.delete_cookie(seguridad.COOKIE_PREVIA, path="/panel")
    log.info("acceso al panel", extra={"asesor_id": asesor.id})
    return respuesta


@router.post("/salir")
async def salir(request: Request, sesion: Sesion, _datos: Formulario) -> Response:
    """Cierra la sesión en el servidor: sube la versión de sesión del asesor, así esta cookie
    (y cualquier copia, en cualquier dispositivo) deja de valer."""
    async with acceso.servicios(request).almacen.escritura() as s:
        await repo.cerrar_sesiones(s, sesion.asesor_id)
    respuesta = acceso.a_entrar()
    respuesta.delete_cookie(seguridad.COOKIE_SESION, path="/panel")
    log.info("salida del panel", extra={"asesor_id": sesion.asesor_id})
    return respuesta


# --- bandeja ---

@router.get("")
async def bandeja(request: Request, asesor: AsesorActual, sesion: Sesion) -> Response:
    async with acceso.servicios(request).almacen.lectura() as s:
        espera = await consultas.traspasos(s, asesor, (EstadoTraspaso.SOLICITADA,))
        mios = await consultas.traspasos(s, asesor, TRASPASOS_CON_ASESOR, solo_mios=True)
        casos = await consultas.casos_visibles(s, asesor)
    return _pagina(request, "bandeja.html", asesor=asesor, csrf=sesion.csrf, espera=espera,
                   mios=mios, casos=casos, ve_tablero=repo.ve_tablero(asesor))


# --- detalle de traspaso y de caso ---

async def _detalle(request: Request, asesor: Asesor, sesion: seguridad.SesionPanel,
                   esc: Escalamiento | None, caso: Caso | None) -> Response:
    """La página de un traspaso o de un caso (ya autorizados). De la conversación de la
    persona solo se muestra el traspaso abierto y las notas de traspasos que el asesor puede
    atender."""
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
            if esc is not None and not repo.puede_atender(asesor, esc.estado_id):
                esc = None
        usuario = await s.get(Usuario, usuario_id) if usuario_id else None
        mensajes = await consultas.transcripcion(s, conversacion.id) if conversacion else []
        tomado_por = await s.get(Asesor, esc.asesor_id) if esc and esc.asesor_id else None
        notas = [{"asesor": n.asesor.nombre, "texto": n.texto, "en": n.creado_en}
                 for n in await consultas.notas_visibles(s, asesor, conversacion.id)
                 ] if conversacion else []
        asesores = await consultas.nombres_de_asesores(
            s, [ev.actor for ev in caso.eventos] if caso is not None else [])
    es_mio = esc is not None and esc.asesor_id == asesor.id and esc.estado in TRASPASOS_CON_ASESOR
    return _pagina(
        request, "detalle.html", asesor=asesor, csrf=sesion.csrf, esc=esc, caso=caso,
        usuario=usuario, lineas=etiquetas.lineas(mensajes, usuario.nombre if usuario else None),
        tomado_por=tomado_por, es_mio=es_mio, asesores=asesores,
        siguientes=acciones_caso.siguientes(caso, asesor) if caso else [],
        notas=notas, aviso=paginas.aviso(request.query_params.get("aviso")), estatus=ESTATUS)


async def _traspaso_visible(s: Any, asesor: Asesor, esc_id: int
                            ) -> tuple[Escalamiento, Caso | None] | None:
    """El traspaso y su caso si el asesor los puede atender; si no (o no existe), None."""
    esc = await s.get(Escalamiento, esc_id)
    if esc is None:
        return None
    caso = await s.get(Caso, esc.caso_id) if esc.caso_id else None
    if not repo.puede_atender_traspaso(asesor, esc.estado_id,
                                       caso.estado_id if caso is not None else None):
        return None
    return esc, caso


@router.get("/traspaso/{esc_id}")
async def ver_traspaso(request: Request, esc_id: IdRuta, asesor: AsesorActual,
                       sesion: Sesion) -> Response:
    async with acceso.servicios(request).almacen.lectura() as s:
        visible = await _traspaso_visible(s, asesor, esc_id)
    if visible is None:
        return _no_encontrado(request, asesor, sesion)
    return await _detalle(request, asesor, sesion, *visible)


@router.get("/caso/{folio}")
async def ver_caso(request: Request, folio: str, asesor: AsesorActual,
                   sesion: Sesion) -> Response:
    async with acceso.servicios(request).almacen.lectura() as s:
        caso = await acciones_caso.caso_por_folio(s, folio, asesor)
    if caso is None:
        return _no_encontrado(request, asesor, sesion)
    return await _detalle(request, asesor, sesion, None, caso)


def _volver(esc: Escalamiento, caso: Caso | None, codigo: str) -> RedirectResponse:
    """De vuelta a la página, con el código del aviso (el texto lo pone `paginas.AVISOS`)."""
    destino = f"/panel/caso/{caso.folio}" if caso else f"/panel/traspaso/{esc.id}"
    return RedirectResponse(f"{destino}?aviso={codigo}", status_code=303)


@router.post("/traspaso/{esc_id}/{accion}")
async def accion_traspaso(request: Request, esc_id: IdRuta, accion: str, asesor: AsesorActual,
                          sesion: Sesion, datos: Formulario) -> Response:
    servicios = acceso.servicios(request)
    async with servicios.almacen.escritura() as s:
        visible = await _traspaso_visible(s, asesor, esc_id)
        if visible is None:
            return _no_encontrado(request, asesor, sesion)
        esc, caso = visible
        try:
            codigo = await _hacer(servicios, s, esc, asesor, accion, datos)
        except (traspaso.TraspasoError, acciones_caso.CambioInvalido) as error:
            codigo = error.codigo
    return _volver(esc, caso, codigo)


async def _hacer(servicios: ServiciosEscalamiento, s: Any, esc: Escalamiento, asesor: Asesor,
                 accion: str, datos: dict[str, str]) -> str:
    """Toma, responde, cierra o anota el traspaso; el código del aviso para la página."""
    if accion == "tomar":
        toma = await traspaso.tomar(servicios, s, esc.id, asesor)
        return "tomada" if toma.gano else "adelanto"
    if accion == "responder":
        await traspaso.responder(servicios, s, esc, asesor, datos.get("texto", ""))
        conversacion = await s.get(Conversacion, esc.conversacion_id)
        return await _aviso_de_envio(s, "enviado", conversacion.usuario_id if conversacion
                                     else None)
    if accion == "cerrar":
        await traspaso.cerrar(servicios, s, esc, asesor, datos.get("nota") or None)
        return "cerrada"
    if accion == "nota":
        await acciones_caso.anotar_traspaso(s, esc, asesor, datos.get("nota", ""))
        return "nota"
    return "accion_desconocida"


@router.post("/caso/{folio}/{accion}")
async def accion_caso(request: Request, folio: str, accion: str, asesor: AsesorActual,
                      sesion: Sesion, datos: Formulario) -> Response:
    servicios = acceso.servicios(request)
    async with servicios.almacen.escritura() as s:
        caso = await acciones_caso.caso_por_folio(s, folio, asesor)
        if caso is None:
            return _no_encontrado(request, asesor, sesion)
        try:
            codigo = await _hacer_en_caso(servicios, s, caso, asesor, accion, datos)
        except (traspaso.TraspasoError, acciones_caso.CambioInvalido) as error:
            codigo = error.codigo
    return RedirectResponse(f"/panel/caso/{caso.folio}?aviso={codigo}", status_code=303)


async def _hacer_en_caso(servicios: ServiciosEscalamiento, s: Any, caso: Caso, asesor: Asesor,
                         accion: str, datos: dict[str, str]) -> str:
    """Cambia el estatus, anota o escribe a la persona del caso; el código del aviso."""
    if accion == "estatus":
        await acciones_caso.cambiar_estatus(servicios, s, caso, datos.get("estatus", ""),
                                            asesor, datos.get("comentario"))
        return await _aviso_de_envio(s, "estatus", caso.usuario_id)
    if accion == "nota":
        await acciones_caso.agregar_nota(s, caso, asesor, datos.get("nota", ""))
        return "nota"
    if accion == "escribir":
        esc = await traspaso.iniciar_por_asesor(servicios, s, caso, asesor)
        await traspaso.responder(servicios, s, esc, asesor, datos.get("texto", ""))
        return await _aviso_de_envio(s, "enviado", caso.usuario_id)
    return "accion_desconocida"


async def _aviso_de_envio(s: Any, codigo: str, usuario_id: int | None) -> str:
    """El aviso tras escribirle a la persona, sin adelantarse: en REST y el chat web (sin
    emisor) el mensaje espera a que la persona abra el chat (`codigo` + «_en_espera»)."""
    canal = await s.scalar(select(Usuario.canal).where(Usuario.id == usuario_id)) \
        if usuario_id is not None else None
    return f"{codigo}_en_espera" if canal in ENTREGAN_EN_LA_RESPUESTA else codigo


@router.get("/documento/{doc_id}")
async def documento(request: Request, doc_id: IdRuta, asesor: AsesorActual,
                    sesion: Sesion) -> Response:
    servicios = acceso.servicios(request)
    async with servicios.almacen.lectura() as s:
        doc = await s.get(Documento, doc_id)
        caso = await s.get(Caso, doc.caso_id) if doc and doc.caso_id else None
    if doc is None or caso is None or not repo.puede_atender(asesor, caso.estado_id):
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
            request, "error.html", 403, asesor=None, csrf="", titulo="Sin acceso al tablero",
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
        serie = [(etiquetas.estatus(e), n) for e, n in t.serie_estatus() if n]
        svg = graficas.barras("Casos por estatus", [e for e, _ in serie], [n for _, n in serie])
    else:
        serie = [(etiquetas.mes(m), n) for m, n in t.serie_meses()]
        svg = graficas.barras("Casos por mes", [m for m, _ in serie], [n for _, n in serie])
    return Response(svg, media_type="image/svg+xml", headers={
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})


@router.get("/tablero.csv")
async def exportar(request: Request, asesor: LectorDelTablero) -> Response:
    async with acceso.servicios(request).almacen.lectura() as s:
        casos = await consultas.casos_visibles(s, asesor, limite=100_000)
    zona = paginas.zona(request)
    cuerpo = graficas.a_csv(
        ["folio", "estado", "municipio", "tipo", "estatus", "ciudad_contraparte",
         "pais_contraparte", "creado_en"],
        ([c.folio, c.estado.nombre, c.municipio.nombre, etiquetas.tipo_caso(c.tipo),
          etiquetas.estatus(c.estatus), c.ciudad_contraparte,
          c.pais_contraparte, paginas.fecha(c.creado_en, zona)] for c in casos))
    return Response(cuerpo, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="casos.csv"'})
