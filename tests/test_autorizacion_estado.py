"""Autorización por el estado del caso (no el del perfil de la persona), con una sola regla
(`asesores.puede_atender`) en todo el panel y en Telegram.

- El caso de Jalisco / Nuevo León de punta a punta: una persona con perfil de Jalisco registra
  una iniciativa de Monterrey y pide un asesor; el traspaso es de Nuevo León.
- Un recorrido por **todas** las rutas del panel (sacadas del router que monta `bot.panel`: una
  ruta nueva entra sola) × rol (asesor, coordinación estatal, SRE) × estado propio / ajeno.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import pytest
from fastapi.routing import APIRoute
from sqlalchemy import func, select

from bot.app import crear_app
from bot.db import diferidos
from bot.db.modelos import (
    Caso,
    Conversacion,
    Documento,
    Escalamiento,
    Estado,
    EventoCaso,
    Mensaje,
    NotaAsesor,
    Usuario,
)
from bot.escalamiento import traspaso
from bot.nucleo.mensajes import Canal, MensajeEntrante
from bot.panel.vistas import router
from bot.servicios import Servicios

from conversacion import REGISTRO, Charla
from dobles import escalamiento_datos as datos

PERFIL_JALISCO = ["hola", "/si", "funcionario", "Jalisco", "Guadalajara", "Ana Pérez"]
REGISTRO_MONTERREY = [REGISTRO[0], "/no", "Monterrey", *REGISTRO[2:]]
CORREO_CONTACTO = "ana.perez@sanpedro.gob.mx"


def _app(servicios: Servicios) -> httpx.AsyncClient:
    app = crear_app(servicios.ajustes, servicios)
    app.state.servicios = servicios
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("10.0.0.1", 1234)),
                             base_url="http://panel.prueba")


def _csrf(html: str) -> str:
    encontrado = re.search(r'name="csrf" value="([^"]+)"', html)
    assert encontrado, html[:500]
    return encontrado.group(1)


async def _entrar(cliente: httpx.AsyncClient, correo: str) -> str:
    """Entra y devuelve el token CSRF de la sesión."""
    pagina = await cliente.get("/panel/entrar")
    r = await cliente.post("/panel/entrar", data={
        "correo": correo, "contrasena": datos.CONTRASENA, "csrf": _csrf(pagina.text)})
    assert r.status_code == 303, r.text[:300]
    return _csrf((await cliente.get("/panel")).text)


async def _estado_id(servicios: Servicios, abreviatura: str) -> int:
    async with servicios.almacen.lectura() as s:
        estado = await s.scalar(select(Estado.id).where(Estado.abreviatura == abreviatura))
    assert estado is not None
    return int(estado)


# --- Jalisco / Nuevo León de punta a punta ---

async def test_perfil_de_jalisco_con_iniciativa_de_nuevo_leon(servicios: Servicios) -> None:
    await datos.asesor(servicios, "ana@jal.gob.mx", estados=("JAL",), nombre="Ana Jalisco")
    await datos.asesor(servicios, "leo@nl.gob.mx", estados=("NL",), nombre="Leonor Nuevo León")
    charla = Charla(servicios.motor, "persona-jal")
    for mensaje in PERFIL_JALISCO + REGISTRO_MONTERREY:
        await (charla.di(payload=mensaje) if mensaje.startswith("/") else charla.di(mensaje))
    folio = re.search(r"CH-\d{4}-NL-\d{4}", charla.texto)
    assert folio, charla.texto
    await charla.di("asesor")
    assert "Nuevo León" in charla.texto and "Jalisco" not in charla.texto
    async with servicios.almacen.lectura() as s:
        caso = await s.scalar(select(Caso).where(Caso.folio == folio.group(0)))
        esc = await s.scalar(select(Escalamiento).order_by(Escalamiento.id.desc()).limit(1))
    assert caso is not None and esc is not None
    assert esc.caso_id == caso.id and esc.estado_id == caso.estado_id
    assert esc.estado_id == await _estado_id(servicios, "NL") and esc.nivel == "asesor"
    servicios.emisores.registrar("rest", datos.EmisorGrabador())

    async with _app(servicios) as jalisco, _app(servicios) as nuevo_leon:
        token_jal = await _entrar(jalisco, "ana@jal.gob.mx")
        # Jalisco no ve nada del caso de Nuevo León: ni el traspaso, ni el caso, ni su bandeja.
        for ruta in (f"/panel/traspaso/{esc.id}", f"/panel/caso/{caso.folio}"):
            r = await jalisco.get(ruta)
            assert r.status_code == 404, ruta
            assert CORREO_CONTACTO not in r.text and "1234-5678" not in r.text
        bandeja = (await jalisco.get("/panel")).text
        assert caso.folio not in bandeja and f"/panel/traspaso/{esc.id}" not in bandeja
        for accion in ("tomar", "responder", "nota", "cerrar"):
            r = await jalisco.post(f"/panel/traspaso/{esc.id}/{accion}",
                                   data={"csrf": token_jal, "texto": "Hola", "nota": "x"})
            assert r.status_code == 404, accion
        # Nuevo León lo ve, lo toma y contesta.
        token_nl = await _entrar(nuevo_leon, "leo@nl.gob.mx")
        assert f"/panel/traspaso/{esc.id}" in (await nuevo_leon.get("/panel")).text
        pagina = await nuevo_leon.get(f"/panel/traspaso/{esc.id}")
        assert pagina.status_code == 200 and caso.folio in pagina.text
        assert CORREO_CONTACTO in pagina.text  # lo que la persona escribió, para su oficina
        assert (await nuevo_leon.get(f"/panel/caso/{caso.folio}")).status_code == 200
        r = await nuevo_leon.post(f"/panel/traspaso/{esc.id}/tomar", data={"csrf": token_nl},
                                  follow_redirects=True)
        assert "Usted atiende esta conversación" in r.text
        r = await nuevo_leon.post(f"/panel/traspaso/{esc.id}/responder",
                                  data={"csrf": token_nl, "texto": "Soy Leonor, de Nuevo León."},
                                  follow_redirects=True)
        # Persona de REST: el aviso no dice que ya le llegó.
        assert "Mensaje guardado: la persona lo verá en cuanto abra el chat" in r.text
    await diferidos.esperar()
    async with servicios.almacen.lectura() as s:
        tomado = await s.get(Escalamiento, esc.id)
        escrito = await s.scalar(select(Mensaje.texto).where(Mensaje.autor == "asesor"))
    assert tomado is not None and tomado.estado == "atendida"
    assert escrito == "Soy Leonor, de Nuevo León."


async def test_el_traspaso_toma_el_caso_del_que_se_habla(servicios: Servicios) -> None:
    """El caso elegido en el flujo en curso manda; si no, el último registrado en la
    conversación (si sigue en trámite); si no, el más reciente en trámite; sin caso, el
    estado del perfil."""
    uid = await datos.usuario(servicios, "varios", "JAL")
    folio_jal = await datos.caso(servicios, uid, "JAL")
    folio_nl = await datos.caso(servicios, uid, "NL")
    folio_oax = await datos.caso(servicios, uid, "OAX", estatus="registrada")
    jal, nl = await _estado_id(servicios, "JAL"), await _estado_id(servicios, "NL")

    async def traspaso_con(flujo: str | None, respuestas: dict[str, object],
                           contexto: dict[str, object]) -> tuple[int | None, str | None]:
        async with servicios.almacen.escritura() as s:
            conv = await s.scalar(select(Conversacion).where(Conversacion.usuario_id == uid))
            assert conv is not None
            for abierto in (await s.scalars(select(Escalamiento).where(
                    Escalamiento.conversacion_id == conv.id))).all():
                abierto.estado = "cerrada"
            conv.flujo, conv.respuestas, conv.contexto = flujo, respuestas, contexto
            usuario = await s.get(Usuario, uid)
            assert usuario is not None
            await traspaso.solicitar(servicios, s, usuario, conv, "solicitud_usuario")
            esc = await traspaso.abierto_de(s, conv.id)
            assert esc is not None
            caso = await s.get(Caso, esc.caso_id) if esc.caso_id else None
            return esc.estado_id, caso.folio if caso else None

    elegido = {"caso_elegido": {"folio": folio_jal}}
    assert await traspaso_con("seguimiento", elegido, {"caso_folio": folio_nl}) == (
        jal, folio_jal)
    assert await traspaso_con(None, elegido, {"caso_folio": folio_jal}) == (jal, folio_jal)
    # El último registrado ya no está en trámite: el más reciente en trámite (Nuevo León).
    assert await traspaso_con(None, {}, {"caso_folio": folio_oax}) == (nl, folio_nl)
    # Un folio ajeno en el flujo no cuenta.
    ajeno = await datos.caso(servicios, await datos.usuario(servicios, "otro", "OAX"), "OAX")
    assert await traspaso_con("seguimiento", {"caso_elegido": {"folio": ajeno}}, {}) == (
        nl, folio_nl)
    async with servicios.almacen.escritura() as s:
        for caso in (await s.scalars(select(Caso).where(Caso.usuario_id == uid))).all():
            caso.estatus = "cancelada"
    assert await traspaso_con(None, {}, {}) == (jal, None)  # sin caso en trámite: el perfil


# --- todas las rutas × rol × estado ---

PUBLICAS = {("GET", "/panel/entrar"), ("POST", "/panel/entrar")}
OBJETOS = {"esc_id": "esc", "folio": "folio", "doc_id": "doc"}
"""Parámetros de ruta que señalan algo de un estado (traspaso, caso, documento)."""
FIJOS = {"grafica": "estatus"}
ACCIONES = {
    "/panel/traspaso/{esc_id}/{accion}": ("nota", "tomar", "responder", "cerrar", "otra"),
    "/panel/caso/{folio}/{accion}": ("nota", "estatus", "escribir", "otra"),
}
SIN_OBJETO = {
    ("GET", "/panel"): {"asesor": 200, "coordinador_estatal": 200, "sre": 200},
    ("GET", "/panel/tablero"): {"asesor": 403, "coordinador_estatal": 200, "sre": 200},
    ("GET", "/panel/tablero/{grafica}.svg"): {"asesor": 403, "coordinador_estatal": 200,
                                              "sre": 200},
    ("GET", "/panel/tablero.csv"): {"asesor": 403, "coordinador_estatal": 200, "sre": 200},
    ("POST", "/panel/salir"): {"asesor": 303, "coordinador_estatal": 303, "sre": 303},
}
"""Rutas sin nada de un estado en la URL: lo que devuelven por rol (y que no muestren nada del
estado ajeno)."""
ROLES = {"asesor": ("JAL",), "coordinador_estatal": ("JAL",), "sre": ()}
NO_IDS = ("0", "-1", "2147483648", "99999999999999999999", "abc")


@dataclass
class Datos:
    """Lo de cada estado: ids de la URL y textos que no deben verse desde otro estado."""

    objetos: dict[str, dict[str, str]] = field(default_factory=dict)
    marcas: dict[str, list[str]] = field(default_factory=dict)
    esc_ids: dict[str, int] = field(default_factory=dict)
    caso_ids: dict[str, int] = field(default_factory=dict)


async def _sembrar(servicios: Servicios) -> Datos:
    servicios.emisores.registrar("rest", datos.EmisorGrabador())
    d = Datos()
    for estado, municipio in (("JAL", "Guadalajara"), ("NL", "Monterrey")):
        uid = await datos.usuario(servicios, f"persona-{estado}", estado,
                                  nombre=f"Persona de {estado}")
        folio = await datos.caso(servicios, uid, estado)
        guardado = servicios.documentos.guardar(b"%PDF-1.4 " + estado.encode(),
                                                "application/pdf")
        async with servicios.almacen.escritura() as s:
            caso = await s.scalar(select(Caso).where(Caso.folio == folio))
            assert caso is not None
            doc = Documento(usuario_id=uid, caso_id=caso.id, tipo="acta_cabildo",
                            nombre_archivo=f"acta-{estado}.pdf", mime="application/pdf",
                            tamano=guardado.tamano, sha256=guardado.sha256,
                            ruta=str(guardado.ruta))
            s.add(doc)
            await s.flush()
            doc_id, caso_id = doc.id, caso.id
        await servicios.motor.procesar(MensajeEntrante(Canal.REST, f"persona-{estado}",
                                                       f"m-{estado}", texto="asesor"))
        esc = await datos.traspaso_de(servicios, uid)
        assert esc is not None and esc.caso_id == caso_id
        d.objetos[estado] = {"esc": str(esc.id), "folio": folio, "doc": str(doc_id)}
        d.marcas[estado] = [folio, f"Persona de {estado}", municipio, f"acta-{estado}.pdf",
                            f"/panel/traspaso/{esc.id}\""]
        d.esc_ids[estado], d.caso_ids[estado] = esc.id, caso_id
    for rol, estados in ROLES.items():
        await datos.asesor(servicios, f"{rol}@prueba.gob.mx", rol, estados)
    return d


def _rutas() -> list[tuple[str, str, list[str]]]:
    """(método, ruta, parámetros) de cada ruta del panel; salir al final (cierra la sesión)."""
    rutas = [(metodo, r.path, re.findall(r"\{(\w+)\}", r.path))
             for r in router.routes if isinstance(r, APIRoute) for metodo in sorted(r.methods)
             if (metodo, r.path) not in PUBLICAS]
    return sorted(rutas, key=lambda r: r[1] == "/panel/salir")


def _urls(ruta: str, parametros: list[str], objetos: dict[str, str]) -> list[str]:
    """La ruta con los objetos de un estado (y cada acción, si tiene)."""
    desconocidos = [p for p in parametros if p not in OBJETOS and p not in FIJOS
                    and p != "accion"]
    if desconocidos:
        pytest.fail(f"{ruta}: parámetro nuevo {desconocidos}; diga en OBJETOS o FIJOS de "
                    "qué es, para probar que un estado ajeno no lo alcanza")
    base = ruta
    for p in parametros:
        if p in OBJETOS:
            base = base.replace(f"{{{p}}}", objetos[OBJETOS[p]])
        elif p in FIJOS:
            base = base.replace(f"{{{p}}}", FIJOS[p])
    if "accion" not in parametros:
        return [base]
    if ruta not in ACCIONES:
        pytest.fail(f"{ruta}: ruta de acciones nueva; agregue sus acciones a ACCIONES")
    return [base.replace("{accion}", a) for a in ACCIONES[ruta]]


async def _pedir(cliente: httpx.AsyncClient, metodo: str, url: str, token: str
                 ) -> httpx.Response:
    if metodo == "GET":
        return await cliente.get(url)
    return await cliente.post(url, data={"csrf": token, "nota": "Nota de prueba",
                                         "texto": "Hola", "estatus": "en_revision_estatal"})


async def _sin_cambios(servicios: Servicios, d: Datos, estado: str) -> None:
    """Nada del estado ajeno cambió: traspaso en espera, caso enviado, sin notas."""
    async with servicios.almacen.lectura() as s:
        esc = await s.get(Escalamiento, d.esc_ids[estado])
        caso = await s.get(Caso, d.caso_ids[estado])
        notas = await s.scalar(select(func.count()).select_from(EventoCaso).where(
            EventoCaso.caso_id == d.caso_ids[estado], EventoCaso.tipo == "nota"))
        sueltas = await s.scalar(select(func.count()).select_from(NotaAsesor).where(
            NotaAsesor.escalamiento_id == d.esc_ids[estado]))
        escritos = await s.scalar(select(func.count()).select_from(Mensaje).where(
            Mensaje.conversacion_id == (esc.conversacion_id if esc else -1),
            Mensaje.autor == "asesor"))
    assert esc is not None and esc.estado == "solicitada" and esc.asesor_id is None
    assert caso is not None and caso.estatus == "enviada"
    assert notas == 0 and sueltas == 0 and escritos == 0


@pytest.fixture
async def sembrado(servicios: Servicios) -> AsyncIterator[Datos]:
    yield await _sembrar(servicios)
    await diferidos.esperar()


async def test_cada_ruta_por_rol_y_estado(servicios: Servicios, sembrado: Datos) -> None:
    d = sembrado
    rutas = _rutas()
    assert {r for _, r, _ in rutas} >= {"/panel/traspaso/{esc_id}", "/panel/documento/{doc_id}"}
    for rol in ROLES:  # la SRE al final: para ella los dos estados son suyos (y actúa en ellos)
        propio = "JAL"
        ajenos = [] if rol == "sre" else ["NL"]
        async with _app(servicios) as cliente:
            token = await _entrar(cliente, f"{rol}@prueba.gob.mx")
            for metodo, ruta, parametros in rutas:
                if not any(p in OBJETOS for p in parametros):
                    esperado = SIN_OBJETO.get((metodo, ruta))
                    if esperado is None:
                        pytest.fail(f"{metodo} {ruta}: ruta nueva sin nada de un estado en la "
                                    "URL; agregue a SIN_OBJETO qué devuelve a cada rol")
                    for url in _urls(ruta, parametros, {}):
                        r = await _pedir(cliente, metodo, url, token)
                        assert r.status_code == esperado[rol], (rol, metodo, url)
                        for estado in ajenos:
                            for marca in d.marcas[estado]:
                                assert marca not in r.text, (rol, metodo, url, marca)
                    continue
                for estado in ajenos:
                    for url in _urls(ruta, parametros, d.objetos[estado]):
                        r = await _pedir(cliente, metodo, url, token)
                        assert r.status_code in (403, 404), (rol, metodo, url, r.status_code)
                        for marca in d.marcas[estado]:
                            assert marca not in r.text, (rol, metodo, url, marca)
                for estado in [propio, *(["NL"] if rol == "sre" else [])]:
                    for url in _urls(ruta, parametros, d.objetos[estado]):
                        r = await _pedir(cliente, metodo, url, token)
                        assert r.status_code == (200 if metodo == "GET" else 303), (
                            rol, metodo, url, r.status_code)
                        if metodo == "GET" and "doc_id" not in parametros:
                            assert d.objetos[estado]["folio"] in r.text, (rol, url)
                # Lo que no es un id (o no cabe en la base) es «no encontrado», nunca un error.
                for malo in NO_IDS:
                    basura = {k: malo for k in d.objetos[propio]}
                    for url in _urls(ruta, parametros, basura):
                        r = await _pedir(cliente, metodo, url, token)
                        assert r.status_code == 404, (rol, metodo, url, r.status_code)
                        assert "<html" in r.text.lower()
        if rol != "sre":
            await _sin_cambios(servicios, d, "NL")
