"""Canal WhatsApp de punta a punta: el doble de la Graph API entrega webhooks firmados (como
Meta) a la aplicación en un hilo, y el cliente real pywa envía contra el doble."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Iterator

import httpx
import pytest

from bot.app import crear_app
from bot.canales.whatsapp.ajustes import ErrorConfiguracionWhatsApp
from bot.config import Ajustes, AjustesWhatsApp
from bot.privacidad.identificadores import Seudonimos
from bot.servicios import Servicios

from dobles import fabricas_whatsapp as fw
from dobles.aplicacion import app_en_hilo, consultar
from dobles.conversar import ConversadorWhatsApp, esperar_respuestas
from dobles.graph_falso import PHONE_ID, SECRETO_APP, TOKEN, VERIFICACION, GraphFalso, firmar
from dobles.servidor_hilo import ServidorEnHilo

pytestmark = [pytest.mark.servidor, pytest.mark.lento]

RUTA = "/whatsapp/webhook"


@pytest.fixture
def doble() -> Iterator[GraphFalso]:
    d = GraphFalso().iniciar()
    yield d
    d.detener()


def _config(ajustes_prueba: Ajustes, doble: GraphFalso, **cambios: str) -> Ajustes:
    """WhatsApp apuntado al doble, con ritmo rápido y los `cambios` a su sección."""
    campos = {"phone_id": PHONE_ID, "token": TOKEN, "app_secret": SECRETO_APP,
              "verify_token": VERIFICACION, "api_url": doble.url, "ritmo_usuario_s": "0.02",
              **cambios}
    return ajustes_prueba.model_copy(update={"whatsapp": AjustesWhatsApp.model_validate(campos)})


@pytest.fixture
def app(ajustes_prueba: Ajustes, doble: GraphFalso) -> Iterator[ServidorEnHilo]:
    with app_en_hilo(_config(ajustes_prueba, doble)) as servidor:
        doble.webhook_url = servidor.url + RUTA
        yield servidor


async def test_verificacion_del_webhook(app: ServidorEnHilo) -> None:
    async with httpx.AsyncClient(base_url=app.url, timeout=10) as cliente:
        bien = await cliente.get(RUTA, params={"hub.mode": "subscribe", "hub.challenge": "12345",
                                               "hub.verify_token": VERIFICACION})
        assert bien.status_code == 200 and bien.text == "12345"
        for malos in ({"hub.mode": "subscribe", "hub.challenge": "1", "hub.verify_token": "x"},
                      {"hub.mode": "unsubscribe", "hub.challenge": "1",
                       "hub.verify_token": VERIFICACION}, {}):
            assert (await cliente.get(RUTA, params=malos)).status_code == 403


async def test_conversacion_con_botones_y_leido(app: ServidorEnHilo, doble: GraphFalso) -> None:
    beto = ConversadorWhatsApp(doble, "5215511110001")
    respuestas = await beto.escribir("hola")
    assert "Ciudades Hermanas" in beto.textos(respuestas)
    interactivos = [r for r in respuestas if r.tipo == "interactive"]
    assert interactivos, "el saludo ofrece opciones"
    for r in interactivos:
        tipo = r.cuerpo["interactive"]["type"]
        assert len(r.opciones) <= (3 if tipo == "button" else 10)
        assert all(len(t) <= (20 if tipo == "button" else 24) for _, t in r.opciones)
    titulo = interactivos[-1].opciones[0][1]
    despues = await beto.pulsar(titulo)
    assert despues
    assert len(doble.leidos()) == 2, "cada mensaje del usuario se marca como leído"
    assert set(doble.entregas) == {200}


async def test_documento_subido_se_guarda_con_sha256(app: ServidorEnHilo, doble: GraphFalso,
                                                     url_bd: str) -> None:
    contenido = b"%PDF-1.4\nacta de cabildo por whatsapp\n%%EOF"
    beto = ConversadorWhatsApp(doble, "5215511110002")
    await beto.escribir("hola")
    await beto.enviar_documento("acta.pdf", "application/pdf", contenido)
    filas = consultar(url_bd, "SELECT nombre_archivo, mime, sha256 FROM documento")
    assert filas == [("acta.pdf", "application/pdf", hashlib.sha256(contenido).hexdigest())]


async def test_firma_mala_o_ausente_no_guarda_nada(app: ServidorEnHilo, url_bd: str) -> None:
    crudo = json.dumps(fw.texto("5215511110003", "hola")).encode()
    async with httpx.AsyncClient(base_url=app.url, timeout=10) as cliente:
        sin_firma = await cliente.post(RUTA, content=crudo,
                                       headers={"content-type": "application/json"})
        assert sin_firma.status_code == 401
        for firma in (firmar(crudo, "otro-secreto"), firmar(crudo + b" "), "sha256=",
                      "basura"):
            r = await cliente.post(RUTA, content=crudo, headers={
                "content-type": "application/json", "X-Hub-Signature-256": firma})
            assert r.status_code == 403, firma
    assert consultar(url_bd, "SELECT COUNT(*) FROM mensaje") == [(0,)]
    assert consultar(url_bd, "SELECT COUNT(*) FROM usuario") == [(0,)]


async def test_cuerpos_mal_formados_dan_400(app: ServidorEnHilo, url_bd: str) -> None:
    malos: list[bytes] = [
        b"no es json", b"[]", b'{"object": "page"}',
        json.dumps({"object": "whatsapp_business_account", "entry": "x"}).encode(),
        json.dumps({"object": "whatsapp_business_account", "entry": [{"changes": [
            {"field": "messages", "value": {"messages": [{"id": "w1", "type": "text"}]}}]}]}
        ).encode(),
        json.dumps({"object": "whatsapp_business_account", "entry": [{"changes": [
            {"field": "messages", "value": {"messages": [
                {"from": "1", "id": "w2", "type": "text", "text": "no es objeto"}]}}]}]}
        ).encode(),
    ]
    async with httpx.AsyncClient(base_url=app.url, timeout=10) as cliente:
        for crudo in malos:
            r = await cliente.post(RUTA, content=crudo, headers={
                "content-type": "application/json", "X-Hub-Signature-256": firmar(crudo)})
            assert r.status_code == 400, crudo
    assert consultar(url_bd, "SELECT COUNT(*) FROM mensaje") == [(0,)]


async def test_mensaje_reenviado_se_procesa_una_vez_y_estados_se_ignoran(
        app: ServidorEnHilo, doble: GraphFalso, url_bd: str, ajustes_prueba: Ajustes) -> None:
    wa_id = "5215511110004"
    beto = ConversadorWhatsApp(doble, wa_id)
    await beto.escribir("hola")
    cuerpo = fw.texto(wa_id, "menú")
    doble.publicar(cuerpo)
    await esperar_respuestas(lambda: len(doble.mensajes(wa_id)), len(beto.ultimas), 0.5)
    antes = len(doble.mensajes(wa_id))
    doble.publicar(cuerpo)  # Meta lo vuelve a entregar
    doble.publicar(fw.estado("wamid.SALIDA1", wa_id, "read"))
    await asyncio.sleep(1.0)
    assert len(doble.mensajes(wa_id)) == antes
    wamid = cuerpo["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
    llave = Seudonimos(ajustes_prueba.identificadores_secreto).mensaje(wamid)
    assert consultar(url_bd, "SELECT COUNT(*) FROM mensaje WHERE id_externo = ?",
                     llave) == [(1,)]
    assert consultar(url_bd, "SELECT COUNT(*) FROM mensaje WHERE id_externo = ?",
                     wamid) == [(0,)], "el wamid (lleva el número en base64) no se guarda"
    assert set(doble.entregas) == {200}


async def test_tipos_no_soportados_reciben_que_se_admite(
        app: ServidorEnHilo, doble: GraphFalso, url_bd: str) -> None:
    wa_id = "5215511110005"
    beto = ConversadorWhatsApp(doble, wa_id)
    await beto.escribir("hola")
    for tipo in ("sticker", "audio", "location", "reaction", "contacts"):
        antes = len(doble.mensajes(wa_id))
        doble.publicar(fw.no_soportado(wa_id, tipo))
        await esperar_respuestas(lambda: len(doble.mensajes(wa_id)), antes, 0.3)
        assert "documentos" in doble.mensajes(wa_id)[-1].texto, tipo
    tipos = {f[0] for f in consultar(url_bd, "SELECT tipo FROM mensaje WHERE tipo LIKE "
                                             "'no_soportado%'")}
    assert tipos == {f"no_soportado:{t}" for t in ("sticker", "voz", "ubicacion", "reaccion",
                                                    "contacto")}


async def test_limite_de_meta_se_reintenta(app: ServidorEnHilo, doble: GraphFalso,
                                           url_bd: str) -> None:
    beto = ConversadorWhatsApp(doble, "5215511110006")
    doble.fallar(veces=2, http=400, codigo=131056)
    respuestas = await beto.escribir("hola")
    assert respuestas
    assert len([e for e in doble.enviados if e.codigo != 200]) == 2
    assert consultar(url_bd, "SELECT COUNT(*) FROM mensaje WHERE direccion = 'salida' AND "
                             "envio != 'enviado'") == [(0,)]


async def test_no_arranca_sin_secretos_propios(ajustes_prueba: Ajustes, servicios: Servicios,
                                               doble: GraphFalso) -> None:
    for cambios in ({"app_secret": ""}, {"verify_token": "cambie-este-token"}):
        aplicacion = crear_app(_config(ajustes_prueba, doble, **cambios), servicios)
        with pytest.raises(ErrorConfiguracionWhatsApp):
            async with aplicacion.router.lifespan_context(aplicacion):
                pass


async def test_sin_configurar_el_webhook_responde_404(servicios: Servicios,
                                                      ajustes_prueba: Ajustes) -> None:
    aplicacion = crear_app(ajustes_prueba, servicios)
    async with aplicacion.router.lifespan_context(aplicacion):
        transporte = httpx.ASGITransport(app=aplicacion)
        async with httpx.AsyncClient(transport=transporte, base_url="http://x") as cliente:
            assert (await cliente.get(RUTA)).status_code == 404
            assert (await cliente.post(RUTA, content=b"{}")).status_code == 404
            assert (await cliente.post("/telegram/webhook", content=b"{}")).status_code == 404
