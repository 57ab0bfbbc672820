"""Panel de asesores: acceso, sesión firmada, CSRF, límite de intentos, cabeceras,
autorización por estado, acciones sobre traspasos y casos, tablero y exportación."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi.routing import APIRoute
from sqlalchemy import select

from bot.app import crear_app
from bot.db import diferidos
from bot.db.modelos import Caso, Escalamiento, EventoCaso, Mensaje
from bot.documentos.enlaces import FirmaEnlaces
from bot.escalamiento.asesores import desactivar
from bot.nucleo.mensajes import Canal, MensajeEntrante
from bot.panel.vistas import router
from bot.servicios import Servicios

from dobles import escalamiento_datos as datos

pytestmark = pytest.mark.lento


@pytest.fixture
async def cliente(servicios: Servicios) -> AsyncIterator[httpx.AsyncClient]:
    app = crear_app(servicios.ajustes, servicios)
    app.state.servicios = servicios
    app.state.firma_enlaces = FirmaEnlaces("secreto-de-prueba")  # lo pone el arranque
    transporte = httpx.ASGITransport(app=app, client=("10.0.0.1", 1234))
    async with httpx.AsyncClient(transport=transporte, base_url="http://panel.prueba") as c:
        yield c
    await diferidos.esperar()


def _csrf(html: str) -> str:
    encontrado = re.search(r'name="csrf" value="([^"]+)"', html)
    assert encontrado, html[:500]
    return encontrado.group(1)


async def entrar(cliente: httpx.AsyncClient, correo: str,
                 contrasena: str = datos.CONTRASENA) -> httpx.Response:
    pagina = await cliente.get("/panel/entrar")
    return await cliente.post("/panel/entrar", data={
        "correo": correo, "contrasena": contrasena, "csrf": _csrf(pagina.text)})


async def _escenario(servicios: Servicios) -> dict[str, object]:
    """Una persona de Jalisco por WhatsApp con caso y traspaso; otra de Nuevo León por REST."""
    emisor = datos.EmisorGrabador()
    servicios.emisores.registrar("whatsapp", emisor)
    await datos.asesor(servicios, "ana@jal.gob.mx", nombre="Ana Pérez")
    await datos.asesor(servicios, "sre@sre.gob.mx", "sre", ())
    await datos.asesor(servicios, "leo@nl.gob.mx", estados=("NL",))
    jal = await datos.usuario(servicios, "5213300000001", canal="whatsapp",
                              nombre="<script>alert(1)</script>")
    nl = await datos.usuario(servicios, "rest-nl", "NL")
    folio_jal = await datos.caso(servicios, jal)
    folio_nl = await datos.caso(servicios, nl, "NL")
    await servicios.motor.procesar(MensajeEntrante(Canal.WHATSAPP, "5213300000001", "w1",
                                                   texto="asesor"))
    await servicios.motor.procesar(MensajeEntrante(Canal.WHATSAPP, "5213300000001", "w0",
                                                   texto="<script>alert(1)</script>"))
    await servicios.motor.procesar(MensajeEntrante(Canal.REST, "rest-nl", "r1", texto="asesor"))
    esc_jal = await datos.traspaso_de(servicios, jal)
    esc_nl = await datos.traspaso_de(servicios, nl)
    assert esc_jal is not None and esc_nl is not None
    return {"emisor": emisor, "folio_jal": folio_jal, "folio_nl": folio_nl,
            "esc_jal": esc_jal.id, "esc_nl": esc_nl.id}


async def test_acceso_sesion_y_cabeceras(servicios: Servicios, cliente: httpx.AsyncClient
                                         ) -> None:
    await datos.asesor(servicios, "ana@jal.gob.mx")
    r = await cliente.get("/panel")
    assert r.status_code == 303 and r.headers["location"] == "/panel/entrar"
    mala = await entrar(cliente, "ana@jal.gob.mx", "otra-contrasena")
    assert mala.status_code == 401 and "incorrectos" in mala.text
    sin_csrf = await cliente.post("/panel/entrar", data={"correo": "ana@jal.gob.mx",
                                                         "contrasena": datos.CONTRASENA})
    assert sin_csrf.status_code == 400
    r = await entrar(cliente, "ana@jal.gob.mx")
    assert r.status_code == 303
    galleta = r.headers["set-cookie"].lower()
    assert "httponly" in galleta and "samesite=strict" in galleta and "path=/panel" in galleta
    assert "max-age=28800" in galleta
    bandeja = await cliente.get("/panel")
    assert bandeja.status_code == 200 and "Bandeja" in bandeja.text
    csp = bandeja.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert bandeja.headers["x-content-type-options"] == "nosniff"
    # Una cookie alterada no vale.
    valor = cliente.cookies.get("panel_sesion")
    assert valor
    cliente.cookies.set("panel_sesion", valor[:-2] + "xx", domain="panel.prueba", path="/panel")
    assert (await cliente.get("/panel")).status_code == 303
    # Cerrar sesión exige CSRF y borra la cookie.
    await entrar(cliente, "ana@jal.gob.mx")
    assert (await cliente.post("/panel/salir", data={"csrf": "falso"})).status_code == 400
    token = _csrf((await cliente.get("/panel")).text)
    salida = await cliente.post("/panel/salir", data={"csrf": token})
    assert salida.status_code == 303 and (await cliente.get("/panel")).status_code == 303


async def test_limite_de_intentos(servicios: Servicios, cliente: httpx.AsyncClient) -> None:
    await datos.asesor(servicios, "lim@jal.gob.mx")
    codigos = [(await entrar(cliente, "lim@jal.gob.mx", "equivocada-123")).status_code
               for _ in range(6)]
    assert codigos[:5] == [401] * 5 and codigos[5] == 429
    assert (await entrar(cliente, "lim@jal.gob.mx")).status_code == 429


async def test_autorizacion_por_estado(servicios: Servicios, cliente: httpx.AsyncClient) -> None:
    e = await _escenario(servicios)
    await entrar(cliente, "ana@jal.gob.mx")
    bandeja = (await cliente.get("/panel")).text
    assert str(e["folio_jal"]) in bandeja and str(e["folio_nl"]) not in bandeja
    assert (await cliente.get(f"/panel/caso/{e['folio_nl']}")).status_code == 404
    assert (await cliente.get(f"/panel/traspaso/{e['esc_nl']}")).status_code == 404
    token = _csrf(bandeja)
    r = await cliente.post(f"/panel/traspaso/{e['esc_nl']}/tomar", data={"csrf": token})
    assert r.status_code == 404
    r = await cliente.post(f"/panel/caso/{e['folio_nl']}/estatus",
                           data={"csrf": token, "estatus": "en_revision_estatal"})
    assert r.status_code == 404
    assert (await cliente.get("/panel/tablero")).status_code == 403
    async with servicios.almacen.lectura() as s:
        esc = await s.get(Escalamiento, e["esc_nl"])
        caso = await s.scalar(select(Caso).where(Caso.folio == e["folio_nl"]))
    assert esc is not None and esc.estado == "solicitada"
    assert caso is not None and caso.estatus == "enviada"


async def test_tomar_responder_estatus_y_cerrar_entre_canales(
    servicios: Servicios, cliente: httpx.AsyncClient,
) -> None:
    e = await _escenario(servicios)
    emisor = e["emisor"]
    assert isinstance(emisor, datos.EmisorGrabador)
    await entrar(cliente, "ana@jal.gob.mx")
    pagina = await cliente.get(f"/panel/traspaso/{e['esc_jal']}")
    assert "Intercambio &lt;b&gt;académico&lt;/b&gt;" in pagina.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pagina.text
    assert "<script>alert(1)" not in pagina.text
    token = _csrf(pagina.text)
    r = await cliente.post(f"/panel/traspaso/{e['esc_jal']}/tomar", data={"csrf": token},
                           follow_redirects=True)
    assert "Usted atiende" in r.text
    r = await cliente.post(f"/panel/traspaso/{e['esc_jal']}/responder",
                           data={"csrf": token, "texto": "Hola, soy Ana. ¿En qué le ayudo?"},
                           follow_redirects=True)
    assert "Mensaje enviado" in r.text
    await diferidos.esperar()
    textos = emisor.textos()
    assert any("Le atiende Ana Pérez" in t for t in textos)
    assert "*Ana Pérez:* Hola, soy Ana. ¿En qué le ayudo?" in textos
    # La persona contesta por WhatsApp: el bot solo acusa recibo y el mensaje aparece en el
    # panel.
    acuse = await servicios.motor.procesar(MensajeEntrante(
        Canal.WHATSAPP, "5213300000001", "w2", texto="Necesito saber qué sigue"))
    assert [r.texto.split(",")[0] for r in acuse] == ["Le hice llegar su mensaje a Ana Pérez"]
    pagina = await cliente.get(f"/panel/caso/{e['folio_jal']}")
    assert "Necesito saber qué sigue" in pagina.text
    r = await cliente.post(f"/panel/caso/{e['folio_jal']}/estatus", data={
        "csrf": token, "estatus": "en_revision_estatal", "comentario": "Revisamos el acta"},
        follow_redirects=True)
    assert "Estatus actualizado" in r.text and "En revisión estatal" in r.text
    r = await cliente.post(f"/panel/caso/{e['folio_jal']}/estatus", data={
        "csrf": token, "estatus": "registrada"}, follow_redirects=True)
    assert "solo puede pasar a" in r.text
    r = await cliente.post(f"/panel/traspaso/{e['esc_jal']}/cerrar",
                           data={"csrf": token, "nota": "Quedó atendido"}, follow_redirects=True)
    assert "Conversación cerrada" in r.text
    await diferidos.esperar()
    assert any("Terminó la conversación con Ana Pérez" in t for t in emisor.textos())
    assert [p for _, _, p in emisor.enviados][-1] == "aviso"


async def test_la_conversacion_muestra_lo_que_no_se_entrego(
        servicios: Servicios, cliente: httpx.AsyncClient) -> None:
    e = await _escenario(servicios)
    async with servicios.almacen.escritura() as s:
        esc = await s.get(Escalamiento, e["esc_jal"])
        assert esc is not None
        salidas = (await s.scalars(
            select(Mensaje).where(Mensaje.conversacion_id == esc.conversacion_id,
                                  Mensaje.direccion == "salida").order_by(Mensaje.id))).all()
        assert len(salidas) >= 2
        salidas[0].envio, salidas[1].envio = "fallido", "reintentar"
    await entrar(cliente, "ana@jal.gob.mx")
    pagina = (await cliente.get(f"/panel/traspaso/{e['esc_jal']}")).text
    assert pagina.count("No entregado: la plataforma lo rechazó") == 1
    assert pagina.count("Aún sin entregar") == 1
    assert "vencido" not in pagina


async def test_tablero_csv_y_graficas(servicios: Servicios, cliente: httpx.AsyncClient) -> None:
    e = await _escenario(servicios)
    await entrar(cliente, "sre@sre.gob.mx")
    tablero = await cliente.get("/panel/tablero")
    assert tablero.status_code == 200
    assert "Jalisco" in tablero.text and "Nuevo León" in tablero.text
    assert re.search(r'id="en-espera">2<', tablero.text)
    svg = await cliente.get("/panel/tablero/estatus.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert b"<script" not in svg.content.lower() or b"kozea" not in svg.content
    csv = await cliente.get("/panel/tablero.csv")
    assert csv.status_code == 200 and str(e["folio_nl"]) in csv.text
    assert csv.text.startswith("\ufefffolio,estado")


async def test_documento_del_caso_y_archivo_que_falta(servicios: Servicios,
                                                      cliente: httpx.AsyncClient) -> None:
    from bot.db.modelos import Documento

    e = await _escenario(servicios)
    guardado = servicios.documentos.guardar(b"%PDF-1.4 acta", "application/pdf")
    async with servicios.almacen.escritura() as s:
        caso = await s.scalar(select(Caso).where(Caso.folio == e["folio_jal"]))
        assert caso is not None
        doc = Documento(usuario_id=caso.usuario_id, caso_id=caso.id, tipo="acta_cabildo",
                        nombre_archivo="acta.pdf", mime="application/pdf",
                        tamano=guardado.tamano, sha256=guardado.sha256, ruta=str(guardado.ruta))
        s.add(doc)
        await s.flush()
        doc_id = doc.id
    await entrar(cliente, "ana@jal.gob.mx")
    r = await cliente.get(f"/panel/documento/{doc_id}")
    assert r.status_code == 200 and r.content == b"%PDF-1.4 acta"
    guardado.ruta.unlink()
    r = await cliente.get(f"/panel/documento/{doc_id}")
    assert r.status_code == 404 and "<html" in r.text.lower()


def _rutas_del_panel(metodo: str) -> list[str]:
    """Las rutas del panel con ese método, salvo la de acceso, con «1» en cada parámetro
    (sacadas del router que monta `bot.panel`: una ruta nueva entra sola en las pruebas)."""
    rutas = [r.path for r in router.routes if isinstance(r, APIRoute) and metodo in r.methods]
    return [re.sub(r"\{\w+\}", "1", r) for r in rutas if r != "/panel/entrar"]


async def test_sin_sesion_a_entrar_y_recursos_del_tablero_403(
        servicios: Servicios, cliente: httpx.AsyncClient) -> None:
    await _escenario(servicios)
    for metodo in ("GET", "POST"):
        for ruta in _rutas_del_panel(metodo):
            r = await cliente.request(metodo, ruta, data={"csrf": "x"} if metodo == "POST"
                                      else None)
            if ruta in ("/panel/tablero/1.svg", "/panel/tablero.csv"):
                assert r.status_code == 403, ruta
            else:
                assert r.status_code == 303 and r.headers["location"] == "/panel/entrar", ruta
            assert r.headers["x-frame-options"] == "DENY" and "content-security-policy" in r.headers
    # Una sesión de un asesor dado de baja tampoco vale.
    await entrar(cliente, "leo@nl.gob.mx")
    async with servicios.almacen.escritura() as s:
        await desactivar(s, "leo@nl.gob.mx")
    r = await cliente.get("/panel")
    assert r.status_code == 303 and r.headers["location"] == "/panel/entrar"


async def test_todo_envio_del_panel_exige_el_csrf_de_la_sesion(
        servicios: Servicios, cliente: httpx.AsyncClient) -> None:
    e = await _escenario(servicios)
    await entrar(cliente, "ana@jal.gob.mx")
    rutas = _rutas_del_panel("POST") + [f"/panel/traspaso/{e['esc_jal']}/tomar",
                                        f"/panel/caso/{e['folio_jal']}/nota"]
    for ruta in rutas:
        for datos_envio in ({}, {"csrf": "falso", "nota": "x"}):
            r = await cliente.post(ruta, data=datos_envio)
            assert r.status_code == 400 and "no válida" in r.text, ruta
            assert r.headers["x-frame-options"] == "DENY"
    assert (await cliente.get("/panel")).status_code == 200  # /salir no cerró la sesión
    async with servicios.almacen.lectura() as s:
        esc = await s.get(Escalamiento, e["esc_jal"])
        notas = (await s.scalars(select(EventoCaso).where(EventoCaso.tipo == "nota"))).all()
    assert esc is not None and esc.estado == "solicitada" and not notas


async def test_tablero_solo_para_coordinaciones(servicios: Servicios,
                                                cliente: httpx.AsyncClient) -> None:
    await _escenario(servicios)
    await entrar(cliente, "ana@jal.gob.mx")
    r = await cliente.get("/panel/tablero")
    assert r.status_code == 403 and "es para la SRE y las coordinaciones" in r.text
    for recurso in ("/panel/tablero/estatus.svg", "/panel/tablero.csv"):
        r = await cliente.get(recurso)
        assert r.status_code == 403 and r.content == b""


async def test_fechas_en_la_zona_de_los_ajustes(servicios: Servicios,
                                                cliente: httpx.AsyncClient) -> None:
    e = await _escenario(servicios)
    servicios.ajustes = servicios.ajustes.model_copy(update={"zona_horaria": "Asia/Tokyo"})
    async with servicios.almacen.lectura() as s:
        caso = await s.scalar(select(Caso).where(Caso.folio == e["folio_jal"]))
    assert caso is not None
    creado = caso.creado_en.replace(tzinfo=caso.creado_en.tzinfo or dt.timezone.utc)
    en_tokio = creado.astimezone(ZoneInfo("Asia/Tokyo"))
    meses = ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"]
    await entrar(cliente, "sre@sre.gob.mx")
    # En la página, en español («3 dic 2026, 21:29»); en el CSV, día/mes/año.
    assert (f"{en_tokio.day} {meses[en_tokio.month - 1]} {en_tokio.year}, "
            f"{en_tokio:%H:%M}") in (await cliente.get(f"/panel/caso/{e['folio_jal']}")).text
    assert f"{en_tokio:%d/%m/%Y %H:%M}" in (await cliente.get("/panel/tablero.csv")).text


async def test_el_panel_dice_la_verdad_de_la_entrega_en_rest(
        servicios: Servicios, cliente: httpx.AsyncClient) -> None:
    """REST no tiene emisor: lo que escribe el asesor queda «en espera de que la persona abra
    el chat» (el aviso no dice que ya se avisó) y pasa a «Entregado» cuando la persona escribe
    y lo recibe al frente de su respuesta."""
    e = await _escenario(servicios)
    await entrar(cliente, "leo@nl.gob.mx")
    pagina = await cliente.get(f"/panel/traspaso/{e['esc_nl']}")
    token = _csrf(pagina.text)
    await cliente.post(f"/panel/traspaso/{e['esc_nl']}/tomar", data={"csrf": token})
    r = await cliente.post(f"/panel/traspaso/{e['esc_nl']}/responder",
                           data={"csrf": token, "texto": "Hola, soy Leo."},
                           follow_redirects=True)
    assert "la persona lo verá en cuanto abra el chat" in r.text
    assert "Mensaje enviado" not in r.text and "se avisó" not in r.text
    assert "En espera de que la persona abra el chat." in r.text
    r = await cliente.post(f"/panel/caso/{e['folio_nl']}/estatus", data={
        "csrf": token, "estatus": "en_revision_estatal"}, follow_redirects=True)
    assert "la persona verá el aviso en cuanto abra el chat" in r.text
    await diferidos.esperar()
    # La persona escribe por REST: recibe lo pendiente al frente y el panel lo ve entregado.
    rest = await cliente.post("/webhooks/rest/webhook",
                              json={"sender": "rest-nl", "message": "hola"})
    assert any("Hola, soy Leo." in x["text"] for x in rest.json())
    pagina = (await cliente.get(f"/panel/traspaso/{e['esc_nl']}")).text
    assert "En espera de que la persona abra el chat." not in pagina
    assert "Entregado." in pagina
