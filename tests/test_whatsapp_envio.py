"""Envío por WhatsApp: botones neutrales → botones, listas o texto numerado; un número
contestado vuelve a su payload; ventana de 24 h con plantillas (pywa real contra el doble)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy import select

from bot.canales.whatsapp.canal import CanalWhatsApp
from bot.canales.whatsapp.envio import EmisorWhatsApp, planear, ventana_abierta
from bot.canales.whatsapp.traduccion import EntradaWhatsApp
from bot.config import AjustesWhatsApp
from bot.db.modelos import Mensaje, ahora
from bot.nucleo.mensajes import Boton, DocumentoSaliente, Respuesta
from bot.servicios import Servicios

from dobles.graph_falso import PHONE_ID, SECRETO_APP, TOKEN, VERIFICACION, GraphFalso

pytestmark = pytest.mark.servidor

WA = "5215522220000"


def _botones(n: int, largo: str = "") -> list[Boton]:
    return [Boton(f"Opción {i}{largo}", f"/op {i}") for i in range(1, n + 1)]


def test_hasta_tres_botones_cortos_son_botones_de_respuesta() -> None:
    (envio,) = planear(Respuesta("¿Continuamos?", _botones(3)))
    assert envio.tipo == "botones" and envio.texto == "¿Continuamos?"


def test_titulos_largos_o_mas_de_tres_son_lista_recortada_a_24() -> None:
    assert planear(Respuesta("Elija", _botones(2, " con un título largo")))[0].tipo == "lista"
    (envio,) = planear(Respuesta("Elija", _botones(10)))
    assert envio.tipo == "lista" and len(envio.botones) == 10


def test_mas_de_diez_opciones_son_texto_numerado() -> None:
    (envio,) = planear(Respuesta("¿De qué estado es?", _botones(12)))
    assert envio.tipo == "texto" and "12. Opción 12" in envio.texto
    assert envio.texto.endswith("Responda con el número de la opción que elija.")


def test_documento_con_leyenda_y_texto_largo_antes() -> None:
    doc = DocumentoSaliente("ficha.pdf", "application/pdf", b"%PDF")
    (envio,) = planear(Respuesta("Su ficha", documento=doc))
    assert envio.tipo == "documento" and envio.texto == "Su ficha"
    plan = planear(Respuesta("x " * 1000, documento=doc))
    assert [e.tipo for e in plan] == ["texto", "documento"] and plan[1].texto == ""


def test_ventana_de_24_horas() -> None:
    momento = dt.datetime(2025, 5, 1, 12, tzinfo=dt.timezone.utc)
    assert ventana_abierta(momento - dt.timedelta(hours=23, minutes=59), momento)
    assert not ventana_abierta(momento - dt.timedelta(hours=24, minutes=1), momento)
    assert ventana_abierta((momento - dt.timedelta(hours=1)).replace(tzinfo=None), momento)
    assert not ventana_abierta(None, momento)


@pytest.fixture
def doble() -> Iterator[GraphFalso]:
    d = GraphFalso().iniciar()
    yield d
    d.detener()


@pytest.fixture
async def canal(doble: GraphFalso, servicios: Servicios) -> AsyncIterator[CanalWhatsApp]:
    config = servicios.ajustes.model_copy(update={"whatsapp": AjustesWhatsApp(
        phone_id=PHONE_ID, token=TOKEN, app_secret=SECRETO_APP, verify_token=VERIFICACION,
        api_url=doble.url, plantilla_aviso="aviso_general",
        plantilla_respuesta_asesor="respuesta_asesor_v2", ritmo_usuario_s=0.01)})
    c = CanalWhatsApp(servicios, config)
    yield c
    await c.detener()


def _entrada(texto: str, wamid: str) -> EntradaWhatsApp:
    return EntradaWhatsApp(wa_id=WA, wamid=wamid, timestamp=int(time.time()), texto=texto)


async def test_un_numero_contestado_se_traduce_al_payload(canal: CanalWhatsApp,
                                                          servicios: Servicios) -> None:
    await canal.atender(_entrada("hola", "wamid.N1"))
    await canal.repartidor.esperar()
    async with servicios.almacen.escritura() as s:
        entrada = await s.scalar(select(Mensaje).where(
            Mensaje.id_externo == canal.seudonimos.mensaje("wamid.N1")))
        assert entrada is not None
        s.add(Mensaje(conversacion_id=entrada.conversacion_id, direccion="salida", autor="bot",
                      canal="whatsapp", texto="¿De qué estado es?", responde_a_id=entrada.id,
                      botones=[{"titulo": b.titulo, "payload": b.payload} for b in _botones(12)],
                      procesado_en=ahora(), envio="enviado"))
    await canal.atender(_entrada("3", "wamid.N2"))
    await canal.atender(_entrada("99", "wamid.N3"))
    async with servicios.almacen.lectura() as s:
        elegido = await s.scalar(select(Mensaje).where(
            Mensaje.id_externo == canal.seudonimos.mensaje("wamid.N2")))
        fuera = await s.scalar(select(Mensaje).where(
            Mensaje.id_externo == canal.seudonimos.mensaje("wamid.N3")))
    assert elegido is not None and elegido.payload == "/op 3" and elegido.texto == "Opción 3"
    assert fuera is not None and fuera.payload is None and fuera.texto == "99"
    await canal.repartidor.esperar()


async def test_dentro_de_la_ventana_se_envia_texto_libre(canal: CanalWhatsApp,
                                                         doble: GraphFalso) -> None:
    emisor = canal.servicios.emisores.de("whatsapp")
    assert isinstance(emisor, EmisorWhatsApp)
    resultado = await emisor.enviar(WA, [Respuesta("Su asesor le respondió: *listo*")],
                                    ahora() - dt.timedelta(hours=2))
    assert resultado.estado == "enviado"
    assert doble.mensajes(WA)[-1].cuerpo["text"]["body"] == "Su asesor le respondió: *listo*"


async def test_fuera_de_la_ventana_se_envia_la_plantilla(canal: CanalWhatsApp,
                                                         doble: GraphFalso) -> None:
    emisor = canal.servicios.emisores.de("whatsapp")
    assert emisor is not None
    viejo = ahora() - dt.timedelta(hours=30)
    resultado = await emisor.enviar(WA, [Respuesta("Su trámite pasó a\n*en revisión*.")], viejo)
    assert (resultado.estado, resultado.detalle) == ("plantilla", "aviso_general")
    plantilla = doble.mensajes(WA, "template")[-1].cuerpo["template"]
    assert plantilla["name"] == "aviso_general" and plantilla["language"] == {"code": "es_MX"}
    assert plantilla["components"][0]["parameters"][0]["text"] == (
        "Su trámite pasó a en revisión.")
    otra = await emisor.enviar(WA, [Respuesta("Hola")], viejo, plantilla="respuesta_asesor")
    assert otra.detalle == "respuesta_asesor_v2"
    assert not doble.mensajes(WA, "text")


async def test_si_meta_dice_que_la_ventana_cerro_usa_la_plantilla(canal: CanalWhatsApp,
                                                                   doble: GraphFalso) -> None:
    emisor = canal.servicios.emisores.de("whatsapp")
    assert emisor is not None
    doble.fallar(veces=1, http=400, codigo=131047)
    resultado = await emisor.enviar(WA, [Respuesta("Hola")], ahora() - dt.timedelta(hours=1))
    assert resultado.estado == "plantilla"


async def test_sin_plantilla_configurada_fuera_de_ventana_falla(
        canal: CanalWhatsApp, doble: GraphFalso) -> None:
    canal.enviador.ajustes = canal.enviador.ajustes.model_copy(update={"plantilla_aviso": ""})
    emisor = canal.servicios.emisores.de("whatsapp")
    assert emisor is not None
    resultado = await emisor.enviar(WA, [Respuesta("Hola")], None)
    assert resultado.estado == "fallido" and "WHATSAPP_PLANTILLA_AVISO" in resultado.detalle
    assert not doble.mensajes(WA)
