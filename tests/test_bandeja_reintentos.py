"""Reintentos de la bandeja de salida: una falla pasajera (5xx, red, 429) se reintenta con espera
creciente y el mensaje llega una vez y en orden; un rechazo definitivo no se reintenta; los
mensajes de asesores y avisos que una caída dejó sin enviar los envía el barrido; lo de más de
24 h no se envía cuando la persona vuelve a escribir.

La lógica de la base corre en SQLite y PostgreSQL; los canales, con el cliente real
python-telegram-bot contra el doble de la Bot API y el cliente real pywa contra el de la Graph
API."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from pywa_async.errors import WhatsAppError
from sqlalchemy import select
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.canales.telegram import envio as envio_tg
from bot.canales.telegram.canal import CanalTelegram
from bot.canales.whatsapp import envio as envio_wa
from bot.canales.whatsapp.canal import CanalWhatsApp, iniciar_si_esta_configurado
from bot.canales.whatsapp.traduccion import EntradaWhatsApp
from bot.config import AjustesTelegram, AjustesWhatsApp
from bot.db import diferidos
from bot.db.modelos import Conversacion, Mensaje, Usuario, ahora
from bot.escalamiento import relevo
from bot.motor import bandeja_salida
from bot.motor.bandeja_salida import Barrido, Pendiente, Repartidor, aplazar, posponer, reclamar
from bot.nucleo.mensajes import Respuesta
from bot.privacidad.identificadores import Seudonimos
from bot.servicios import Servicios

from dobles import escalamiento_datos as datos
from dobles import fabricas_telegram as ft
from dobles.espera import esperar
from dobles.graph_falso import PHONE_ID, SECRETO_APP, TOKEN, VERIFICACION, GraphFalso
from dobles.telegram_falso import TelegramFalso

BARRIDO_S = 0.2
HACE_10_MIN = dt.timedelta(minutes=10)
HACE_25_H = dt.timedelta(hours=25)
HACE_30_H = dt.timedelta(hours=30)


# --- datos ---


def llave(servicios: Servicios, canal: str, id_usuario: str) -> str:
    """El id guardado del usuario: en WhatsApp, el HMAC de su número (como lo guarda el canal)."""
    if canal != "whatsapp":
        return id_usuario
    return Seudonimos(servicios.ajustes.identificadores_secreto).usuario(id_usuario)


async def conversacion_de(servicios: Servicios, canal: str, id_usuario: str,
                          escribio_hace: dt.timedelta = dt.timedelta(0)) -> int:
    """El id de la conversación del usuario (lo crea la primera vez) y cuándo escribió."""
    numero = id_usuario if canal == "whatsapp" else None
    id_usuario = llave(servicios, canal, id_usuario)
    async with servicios.almacen.escritura() as s:
        usuario = await s.scalar(select(Usuario).where(Usuario.canal == canal,
                                                       Usuario.id_externo == id_usuario))
        if usuario is None:
            usuario = Usuario(canal=canal, id_externo=id_usuario, numero_whatsapp=numero)
            s.add(usuario)
            await s.flush()
            s.add(Conversacion(usuario_id=usuario.id, respuestas={}, historial=[], contexto={}))
            await s.flush()
        usuario.ultimo_mensaje_en = ahora() - escribio_hace
        conversacion = await s.scalar(select(Conversacion).where(
            Conversacion.usuario_id == usuario.id))
        assert conversacion is not None
        return conversacion.id


async def respuestas(servicios: Servicios, canal: str, id_usuario: str, textos: list[str], *,
                     envio: str | None = None, hace: dt.timedelta = dt.timedelta(0)) -> list[int]:
    """Un mensaje del usuario de hace `hace` y las respuestas del bot que quedaron guardadas."""
    conversacion_id = await conversacion_de(servicios, canal, id_usuario, hace)
    momento = ahora() - hace
    async with servicios.almacen.escritura() as s:
        entrada = Mensaje(conversacion_id=conversacion_id, direccion="entrada", autor="usuario",
                          canal=canal, id_externo=f"{id_usuario}:{time.monotonic_ns()}",
                          texto="¿Cuál es mi folio?", creado_en=momento, procesado_en=momento)
        s.add(entrada)
        await s.flush()
        filas = [Mensaje(conversacion_id=conversacion_id, direccion="salida", autor="bot",
                         canal=canal, texto=t, responde_a_id=entrada.id, creado_en=momento,
                         procesado_en=momento, envio=envio) for t in textos]
        s.add_all(filas)
        await s.flush()
        return [f.id for f in filas]


async def mensaje_de_asesor(servicios: Servicios, canal: str, id_usuario: str, texto: str, *,
                            asesor_id: int | None = None, envio: str | None = None,
                            hace: dt.timedelta = dt.timedelta(0),
                            plantilla: str | None = None) -> int:
    """Un mensaje del relé (asesor o aviso) como lo dejó una caída."""
    async with servicios.almacen.escritura() as s:
        conversacion = await s.scalar(select(Conversacion).join(Usuario).where(
            Usuario.canal == canal, Usuario.id_externo == llave(servicios, canal, id_usuario)))
        assert conversacion is not None
        fila = Mensaje(conversacion_id=conversacion.id, direccion="salida",
                       autor="asesor" if asesor_id else "bot", canal=canal, texto=texto,
                       asesor_id=asesor_id, creado_en=ahora() - hace, envio=envio,
                       extra={"plantilla": plantilla} if plantilla else None)
        s.add(fila)
        await s.flush()
        return fila.id


async def filas(servicios: Servicios, ids: list[int]) -> list[Mensaje]:
    async with servicios.almacen.lectura() as s:
        return list((await s.scalars(
            select(Mensaje).where(Mensaje.id.in_(ids)).order_by(Mensaje.id))).all())


async def estados(servicios: Servicios, ids: list[int]) -> list[str | None]:
    return [f.envio for f in await filas(servicios, ids)]


def todos(servicios: Servicios, ids: list[int], estado: str) -> Callable[[], Any]:
    return lambda: _iguales(estados(servicios, ids), [estado] * len(ids))


async def _iguales(valor: Awaitable[object], esperado: object) -> object:
    """`esperado` si el valor lo es; si no, el valor (para decir en qué quedó)."""
    obtenido = await valor
    return True if obtenido == esperado else _NoIgual(obtenido)


class _NoIgual:
    def __init__(self, valor: object) -> None:
        self.valor = valor

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return repr(self.valor)


@pytest.fixture
def reintento_rapido(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bandeja_salida, "REINTENTO_BASE", dt.timedelta(seconds=0.3))


# --- la bandeja sola, sobre SQLite y PostgreSQL ---


async def test_aplazar_espera_cada_vez_mas_y_agota_en_fallido(servicios_ambas: Servicios) -> None:
    servicios = servicios_ambas
    (ident,) = await respuestas(servicios, "telegram", "31", ["Su folio es JAL-2026-0001."],
                                envio="pendiente")
    momento = ahora()
    esperas = []
    for intento in range(1, bandeja_salida.MAX_INTENTOS):
        assert await aplazar(servicios.almacen, ident, partes=1, momento=momento)
        (fila,) = await filas(servicios, [ident])
        assert fila.envio == "reintentar" and fila.extra is not None
        assert fila.extra["intentos"] == intento and fila.extra["partes"] == 1
        esperas.append(dt.datetime.fromisoformat(fila.extra["reintentar_en"]) - momento)
    assert esperas == [bandeja_salida.REINTENTO_BASE * 2 ** n for n in range(4)]
    assert not await aplazar(servicios.almacen, ident, momento=momento)
    (fila,) = await filas(servicios, [ident])
    assert fila.envio == "fallido" and fila.extra == {"intentos": bandeja_salida.MAX_INTENTOS}


async def test_nada_se_adelanta_a_un_reintento_en_espera(servicios_ambas: Servicios) -> None:
    servicios = servicios_ambas
    documentos = servicios.documentos
    primera, segunda = await respuestas(servicios, "telegram", "32",
                                        ["Primera respuesta.", "Segunda respuesta."])
    reclamadas = await reclamar(servicios.almacen, documentos, "telegram", "32")
    assert [p.mensaje_id for p in reclamadas] == [primera, segunda]
    assert await posponer(servicios.almacen, primera, [segunda])
    assert await estados(servicios, [primera, segunda]) == ["reintentar", None]
    # La persona vuelve a escribir: su nueva respuesta tampoco se adelanta.
    (tercera,) = await respuestas(servicios, "telegram", "32", ["Tercera respuesta."])
    assert await reclamar(servicios.almacen, documentos, "telegram", "32") == []
    repartidor = Repartidor(lambda *_: asyncio.sleep(0))
    barrido = Barrido(servicios.almacen, "telegram", repartidor)
    assert await barrido.una_vez() == []
    # Pasada la espera, salen las tres en orden.
    despues = ahora() + bandeja_salida.REINTENTO_BASE * 2
    assert await barrido.una_vez(despues) == ["32"]
    await repartidor.esperar()
    reclamadas = await reclamar(servicios.almacen, documentos, "telegram", "32", despues)
    assert [p.mensaje_id for p in reclamadas] == [primera, segunda, tercera]
    assert await estados(servicios, [primera, segunda, tercera]) == ["pendiente"] * 3


async def test_lo_de_mas_de_24_h_queda_vencido(servicios_ambas: Servicios) -> None:
    servicios = servicios_ambas
    viejas = await respuestas(servicios, "whatsapp", "5213300000033", ["Vieja."], hace=HACE_25_H)
    aplazada = await respuestas(servicios, "whatsapp", "5213300000033", ["Aplazada."],
                                envio="reintentar", hace=HACE_25_H)
    nuevas = await respuestas(servicios, "whatsapp", "5213300000033", ["Nueva."])
    reclamadas = await reclamar(servicios.almacen, servicios.documentos, "whatsapp",
                                llave(servicios, "whatsapp", "5213300000033"))
    assert [p.mensaje_id for p in reclamadas] == nuevas
    assert await estados(servicios, viejas + aplazada) == ["vencido", "vencido"]


async def test_el_barrido_recupera_mensajes_de_asesor_y_avisos(
        servicios_ambas: Servicios) -> None:
    servicios = servicios_ambas
    asesora = await datos.asesor(servicios, "ana@jal.gob.mx", nombre="Ana")
    # Escribió hace 30 h: un mensaje del asesor se recupera igual (en WhatsApp, con plantilla).
    await conversacion_de(servicios, "telegram", "34", HACE_30_H)
    interrumpido = await mensaje_de_asesor(servicios, "telegram", "34", "Le atiendo.",
                                           asesor_id=asesora, envio="pendiente", hace=HACE_10_MIN)
    await conversacion_de(servicios, "telegram", "35", HACE_30_H)
    nunca_enviado = await mensaje_de_asesor(servicios, "telegram", "35", "Su caso cambió.")
    avisados: list[str] = []

    async def enviar(id_usuario: str, reclamados: list[Pendiente], revisar: bool) -> None:
        avisados.append(id_usuario)

    repartidor = Repartidor(enviar)
    barrido = Barrido(servicios.almacen, "telegram", repartidor)
    assert await barrido.una_vez() == ["35"]
    assert sorted(await barrido.una_vez()) == ["34", "35"]
    await repartidor.esperar()
    assert set(avisados) == {"34", "35"}
    assert await estados(servicios, [interrumpido, nunca_enviado]) == [None, None]
    reclamadas = await reclamar(servicios.almacen, servicios.documentos, "telegram", "34")
    assert [(p.respuesta.texto, p.aviso) for p in reclamadas] == [
        ("*Ana:* Le atiendo.", "respuesta_asesor")]


# --- clasificación de fallas ---


def test_fallas_pasajeras_de_telegram() -> None:
    assert envio_tg.transitoria(TimedOut())
    assert envio_tg.transitoria(NetworkError("Bad Gateway"))
    assert envio_tg.transitoria(RetryAfter(5))
    assert not envio_tg.transitoria(BadRequest("Chat not found"))
    assert not envio_tg.transitoria(Forbidden("Forbidden: bot was blocked by the user"))


def meta(http: int, codigo: int) -> WhatsAppError:
    """El error que pywa lanza ante esa respuesta de la Graph API."""
    error = {"code": codigo, "message": f"(#{codigo}) error de prueba"}
    return WhatsAppError.from_dict(error, response=httpx.Response(http, json={"error": error}))


def test_fallas_pasajeras_de_whatsapp() -> None:
    assert envio_wa.transitoria(httpx.ConnectError("sin red"))
    assert envio_wa.transitoria(httpx.ReadTimeout("lento"))
    assert envio_wa.transitoria(meta(503, 503))  # sin JSON, pywa toma el código HTTP
    assert envio_wa.transitoria(meta(400, 130429))
    assert envio_wa.transitoria(meta(500, 131000))
    assert not envio_wa.transitoria(meta(400, 131026))  # destinatario no disponible
    assert not envio_wa.transitoria(meta(400, 131047))  # ventana de 24 h cerrada
    assert not envio_wa.transitoria(meta(400, 100))
    assert not envio_wa.transitoria(envio_wa.SinPlantilla("sin plantilla"))


# --- Telegram ---


@pytest.fixture
def doble_tg() -> Iterator[TelegramFalso]:
    d = TelegramFalso().iniciar()
    yield d
    d.detener()


@asynccontextmanager
async def canal_telegram(servicios: Servicios,
                         doble: TelegramFalso) -> AsyncIterator[CanalTelegram]:
    """El canal por sondeo, con su barrido cada BARRIDO_S s."""
    config = servicios.ajustes.model_copy(update={"bandeja_barrido_s": BARRIDO_S,
                                                  "telegram": AjustesTelegram(
        token=doble.token, api_url=doble.url_api, modo="polling", webhook_url="",
        ritmo_chat_s=0.01, global_por_s=200)})
    canal = CanalTelegram(servicios, config)
    await canal.iniciar()
    try:
        yield canal
    finally:
        await canal.detener()


@pytest.fixture
async def canal_tg(servicios: Servicios, doble_tg: TelegramFalso) -> AsyncIterator[CanalTelegram]:
    async with canal_telegram(servicios, doble_tg) as canal:
        yield canal


def textos_tg(doble: TelegramFalso, chat: int) -> list[str]:
    return [c.texto for c in doble.enviados(chat)]


def rechazos_tg(doble: TelegramFalso, chat: int) -> int:
    return sum(1 for c in doble.de_metodo("sendMessage") if c.chat_id == chat and c.codigo != 200)


@pytest.mark.servidor
@pytest.mark.lento
@pytest.mark.usefixtures("reintento_rapido", "canal_tg")
async def test_telegram_falla_pasajera_llega_una_vez_y_en_orden(
        servicios: Servicios, doble_tg: TelegramFalso) -> None:
    textos = ["Su iniciativa quedó registrada.", "El folio es JAL-2026-0041.",
              "Le avisaremos cuando la oficina estatal la revise."]
    doble_tg.fallar("sendMessage", veces=2, codigo=500)
    ids = await respuestas(servicios, "telegram", "1301", textos)
    await esperar(todos(servicios, ids, "enviado"))
    await asyncio.sleep(BARRIDO_S * 4)  # más barridos: nada se repite
    assert textos_tg(doble_tg, 1301) == textos
    assert rechazos_tg(doble_tg, 1301) == 2
    primera = (await filas(servicios, ids))[0]
    assert primera.extra is not None and primera.extra["intentos"] == 2


@pytest.mark.servidor
@pytest.mark.lento
@pytest.mark.usefixtures("reintento_rapido", "canal_tg")
async def test_telegram_respuesta_en_trozos_no_repite_el_que_ya_salio(
        servicios: Servicios, doble_tg: TelegramFalso) -> None:
    parrafos = [f"Requisito {n}: " + "copia certificada del acta de cabildo. " * 30
                for n in range(1, 6)]
    doble_tg.fallar("sendMessage", veces=1, codigo=502, despues=1)  # cae el segundo trozo
    (larga,) = await respuestas(servicios, "telegram", "1311", ["\n\n".join(parrafos)])
    await esperar(todos(servicios, [larga], "enviado"))
    await asyncio.sleep(BARRIDO_S * 3)
    trozos = textos_tg(doble_tg, 1311)
    assert len(trozos) == 2 and len(set(trozos)) == 2
    assert trozos[0].startswith("Requisito 1") and "Requisito 5" in trozos[1]
    assert rechazos_tg(doble_tg, 1311) == 1
    (fila,) = await filas(servicios, [larga])
    assert fila.extra is not None and (fila.extra["intentos"], fila.extra["partes"]) == (1, 1)


@pytest.mark.servidor
@pytest.mark.lento
@pytest.mark.usefixtures("canal_tg")
async def test_telegram_rechazo_definitivo_no_se_reintenta(
        servicios: Servicios, doble_tg: TelegramFalso) -> None:
    doble_tg.fallar("sendMessage", veces=1, codigo=400)  # chat not found
    ids = await respuestas(servicios, "telegram", "1302", ["Primera.", "Segunda."])
    await esperar(lambda: _iguales(estados(servicios, ids), ["fallido", "enviado"]))
    doble_tg.bloquear(1303)
    bloqueadas = await respuestas(servicios, "telegram", "1303", ["Una.", "Otra."])
    await esperar(todos(servicios, bloqueadas, "fallido"))
    await asyncio.sleep(BARRIDO_S * 4)
    assert textos_tg(doble_tg, 1302) == ["Segunda."]
    assert rechazos_tg(doble_tg, 1302) == 1
    assert rechazos_tg(doble_tg, 1303) == 1
    async with servicios.almacen.lectura() as s:
        assert await s.scalar(select(Usuario.bloqueo_canal).where(Usuario.id_externo == "1303"))


@pytest.mark.servidor
@pytest.mark.lento
@pytest.mark.usefixtures("canal_tg")
async def test_telegram_agota_los_reintentos_y_sigue_con_lo_demas(
        servicios: Servicios, doble_tg: TelegramFalso, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(bandeja_salida, "REINTENTO_BASE", dt.timedelta(seconds=0.05))
    caplog.set_level(logging.INFO, logger="bot.canales")
    doble_tg.fallar("sendMessage", veces=bandeja_salida.MAX_INTENTOS, codigo=502)
    perdida, siguiente = await respuestas(servicios, "telegram", "1304",
                                          ["No llegará.", "Esta sí."])
    await esperar(lambda: _iguales(estados(servicios, [perdida, siguiente]),
                                   ["fallido", "enviado"]))
    await asyncio.sleep(BARRIDO_S * 4)
    assert textos_tg(doble_tg, 1304) == ["Esta sí."]
    assert rechazos_tg(doble_tg, 1304) == bandeja_salida.MAX_INTENTOS
    agotado = [r for r in caplog.records if "agotar" in r.getMessage()]
    assert [getattr(r, "mensaje_id", None) for r in agotado] == [perdida]


@pytest.mark.servidor
@pytest.mark.lento
async def test_telegram_mensajes_de_asesor_que_una_caida_dejo_los_envia_el_barrido(
        servicios: Servicios, doble_tg: TelegramFalso) -> None:
    """Uno quedó `pendiente` (cayó a media entrega) y otro sin reclamar (cayó antes)."""
    asesora = await datos.asesor(servicios, "ana@jal.gob.mx", nombre="Ana")
    await conversacion_de(servicios, "telegram", "1305", HACE_30_H)
    interrumpido = await mensaje_de_asesor(servicios, "telegram", "1305", "Le atiendo.",
                                           asesor_id=asesora, envio="pendiente", hace=HACE_10_MIN)
    await conversacion_de(servicios, "telegram", "1306")
    sin_entregar = await mensaje_de_asesor(servicios, "telegram", "1306",
                                           "Su iniciativa pasó a revisión estatal.",
                                           plantilla="cambio_estatus")
    async with canal_telegram(servicios, doble_tg):
        await esperar(todos(servicios, [interrumpido, sin_entregar], "enviado"))
        await asyncio.sleep(BARRIDO_S * 4)
    assert textos_tg(doble_tg, 1305) == ["<b>Ana:</b> Le atiendo."]
    assert textos_tg(doble_tg, 1306) == ["Su iniciativa pasó a revisión estatal."]


async def _relevar(servicios: Servicios, id_usuario: str, texto: str,
                   plantilla: str = "respuesta_asesor") -> int:
    async with servicios.almacen.escritura() as s:
        conversacion = await s.scalar(select(Conversacion).join(Usuario).where(
            Usuario.id_externo == id_usuario))
        assert conversacion is not None
        ids = await relevo.guardar_salida(s, conversacion, "telegram", [Respuesta(texto)])
        relevo.programar_entrega(servicios, s, ids, plantilla=plantilla)
    return ids[0]


@pytest.mark.servidor
@pytest.mark.lento
async def test_telegram_el_rele_con_el_barrido_en_marcha_envia_una_vez(
        servicios: Servicios, doble_tg: TelegramFalso, canal_tg: CanalTelegram) -> None:
    await conversacion_de(servicios, "telegram", "1307")
    textos = [f"Aviso {n}: su expediente avanzó." for n in range(8)]
    ids = []
    for texto in textos:
        ids.append(await _relevar(servicios, "1307", texto, plantilla="aviso"))
        await asyncio.sleep(BARRIDO_S / 3)
    await diferidos.esperar()
    await esperar(todos(servicios, ids, "enviado"))
    await asyncio.sleep(BARRIDO_S * 4)
    assert textos_tg(doble_tg, 1307) == textos
    assert [f.extra for f in await filas(servicios, ids)] == [{"plantilla": "aviso"}] * len(ids)


@pytest.mark.servidor
@pytest.mark.lento
@pytest.mark.usefixtures("reintento_rapido")
async def test_telegram_el_rele_con_falla_pasajera_lo_termina_el_barrido(
        servicios: Servicios, doble_tg: TelegramFalso, canal_tg: CanalTelegram) -> None:
    await conversacion_de(servicios, "telegram", "1308")
    doble_tg.fallar("sendMessage", veces=1, codigo=503)
    ident = await _relevar(servicios, "1308", "Buenos días, le atiendo.")
    await diferidos.esperar()
    await esperar(todos(servicios, [ident], "enviado"))
    await asyncio.sleep(BARRIDO_S * 4)
    assert textos_tg(doble_tg, 1308) == ["Buenos días, le atiendo."]
    assert rechazos_tg(doble_tg, 1308) == 1
    (fila,) = await filas(servicios, [ident])
    assert fila.extra is not None and fila.extra["intentos"] == 1


@pytest.mark.servidor
@pytest.mark.lento
@pytest.mark.usefixtures("canal_tg")
async def test_telegram_el_rele_no_se_adelanta_a_un_reintento(
        servicios: Servicios, doble_tg: TelegramFalso, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bandeja_salida, "REINTENTO_BASE", dt.timedelta(seconds=2))
    doble_tg.fallar("sendMessage", veces=1, codigo=500)
    (respuesta,) = await respuestas(servicios, "telegram", "1310", ["Su folio es JAL-2026-0050."])
    await esperar(todos(servicios, [respuesta], "reintentar"))
    asesor = await _relevar(servicios, "1310", "Buenos días, reviso su folio.")
    await diferidos.esperar()
    assert textos_tg(doble_tg, 1310) == []  # el asesor espera a la respuesta anterior
    await esperar(todos(servicios, [respuesta, asesor], "enviado"))
    await asyncio.sleep(BARRIDO_S * 3)
    assert textos_tg(doble_tg, 1310) == ["Su folio es JAL-2026-0050.",
                                         "Buenos días, reviso su folio."]


@pytest.mark.servidor
@pytest.mark.lento
async def test_telegram_respuesta_de_mas_de_24_h_no_se_envia_al_volver_a_escribir(
        servicios: Servicios, doble_tg: TelegramFalso, canal_tg: CanalTelegram) -> None:
    viejas = await respuestas(servicios, "telegram", "1309", ["Respuesta de ayer."],
                              hace=HACE_25_H)
    doble_tg.publicar(ft.texto(doble_tg, 1309, "hola"))
    await esperar(lambda: textos_tg(doble_tg, 1309))
    await esperar(todos(servicios, viejas, "vencido"))
    await asyncio.sleep(BARRIDO_S * 3)
    assert "Respuesta de ayer." not in textos_tg(doble_tg, 1309)
    assert any("Ciudades Hermanas" in t for t in textos_tg(doble_tg, 1309))


# --- WhatsApp ---

WA = "5213313000001"


@pytest.fixture
def doble_wa() -> Iterator[GraphFalso]:
    d = GraphFalso().iniciar()
    yield d
    d.detener()


@asynccontextmanager
async def canal_whatsapp(servicios: Servicios, doble: GraphFalso,
                         **plantillas: str) -> AsyncIterator[CanalWhatsApp]:
    """El canal con su barrido cada BARRIDO_S s (se arranca tras preparar la prueba) y las
    `plantillas` dadas (plantilla_aviso=…)."""
    config = servicios.ajustes.model_copy(update={"bandeja_barrido_s": BARRIDO_S,
                                                  "whatsapp": AjustesWhatsApp(
        phone_id=PHONE_ID, token=TOKEN, app_secret=SECRETO_APP, verify_token=VERIFICACION,
        api_url=doble.url, ritmo_usuario_s=0.01, **plantillas)})
    canal = await iniciar_si_esta_configurado(servicios, config)
    assert canal is not None
    try:
        yield canal
    finally:
        await canal.detener()


def textos_wa(doble: GraphFalso, wa_id: str = WA) -> list[str]:
    return [e.texto for e in doble.mensajes(wa_id)]


def rechazos_wa(doble: GraphFalso) -> int:
    return sum(1 for e in doble.enviados if e.codigo != 200)


def escribe(texto: str) -> EntradaWhatsApp:
    return EntradaWhatsApp(wa_id=WA, wamid=f"wamid.{time.monotonic_ns()}",
                           timestamp=int(time.time()), texto=texto)


@pytest.mark.servidor
@pytest.mark.lento
async def test_whatsapp_lo_nuevo_espera_al_reintento_y_todo_llega_en_orden(
        servicios: Servicios, doble_wa: GraphFalso, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bandeja_salida, "REINTENTO_BASE", dt.timedelta(seconds=3))
    doble_wa.fallar(veces=1, http=503, codigo=2)  # servicio no disponible: sin reintento en línea
    (primera,) = await respuestas(servicios, "whatsapp", WA, ["Su folio es JAL-2026-0007."])
    async with canal_whatsapp(servicios, doble_wa) as canal:
        await esperar(todos(servicios, [primera], "reintentar"))
        await canal.atender(escribe("hola"))  # escribe otra vez mientras espera el reintento
        await canal.repartidor.esperar()
        assert textos_wa(doble_wa) == []
        await esperar(todos(servicios, [primera], "enviado"))
        await esperar(lambda: _nada_sin_enviar(servicios))
        await asyncio.sleep(BARRIDO_S * 4)
    enviados = textos_wa(doble_wa)
    assert enviados[0] == "Su folio es JAL-2026-0007."
    assert len(enviados) > 1 and "Ciudades Hermanas" in enviados[1]
    cuerpos = [str(e.cuerpo) for e in doble_wa.mensajes(WA)]
    assert len(cuerpos) == len(set(cuerpos)), "nada se envió dos veces"
    assert rechazos_wa(doble_wa) == 1


async def _nada_sin_enviar(servicios: Servicios) -> bool:
    async with servicios.almacen.lectura() as s:
        return not (await s.scalars(select(Mensaje.id).where(
            Mensaje.direccion == "salida", Mensaje.canal == "whatsapp",
            Mensaje.envio.is_(None) | Mensaje.envio.in_(["pendiente", "reintentar"])))).all()


@pytest.mark.servidor
@pytest.mark.lento
async def test_whatsapp_destinatario_invalido_es_definitivo_y_la_bitacora_no_lleva_el_numero(
        servicios: Servicios, doble_wa: GraphFalso, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(bandeja_salida, "REINTENTO_BASE", dt.timedelta(seconds=0.05))
    caplog.set_level(logging.INFO, logger="bot.canales")
    doble_wa.fallar(veces=1, http=400, codigo=131026)  # destinatario no disponible
    (invalida,) = await respuestas(servicios, "whatsapp", WA, ["No se puede entregar."])
    otro = "5213313000002"
    async with canal_whatsapp(servicios, doble_wa):
        await esperar(todos(servicios, [invalida], "fallido"))
        doble_wa.fallar(veces=bandeja_salida.MAX_INTENTOS, http=500, codigo=131000)
        (agotada,) = await respuestas(servicios, "whatsapp", otro, ["Tampoco."])
        await esperar(todos(servicios, [agotada], "fallido"))
        await asyncio.sleep(BARRIDO_S * 4)
    assert rechazos_wa(doble_wa) == 1 + bandeja_salida.MAX_INTENTOS
    assert doble_wa.mensajes() == []
    for registro in caplog.records:
        if registro.name.startswith("bot.canales"):
            assert WA not in str(registro.__dict__) and otro not in str(registro.__dict__)
    assert any(getattr(r, "mensaje_id", None) == agotada for r in caplog.records)


@pytest.mark.servidor
@pytest.mark.lento
async def test_whatsapp_aviso_interrumpido_fuera_de_la_ventana_sale_como_plantilla(
        servicios: Servicios, doble_wa: GraphFalso) -> None:
    await conversacion_de(servicios, "whatsapp", WA, HACE_30_H)
    aviso = await mensaje_de_asesor(servicios, "whatsapp", WA,
                                    "Su iniciativa JAL-2026-0007 pasó a revisión estatal.",
                                    envio="pendiente", hace=HACE_10_MIN,
                                    plantilla="cambio_estatus")
    async with canal_whatsapp(servicios, doble_wa, plantilla_aviso="aviso_general",
                              plantilla_cambio_estatus="cambio_de_estatus_v1"):
        await esperar(todos(servicios, [aviso], "plantilla"))
        await asyncio.sleep(BARRIDO_S * 4)
    (enviado,) = doble_wa.mensajes(WA)
    assert enviado.tipo == "template"
    assert enviado.cuerpo["template"]["name"] == "cambio_de_estatus_v1"


@pytest.mark.servidor
@pytest.mark.lento
async def test_whatsapp_respuesta_de_mas_de_24_h_no_se_envia_al_volver_a_escribir(
        servicios: Servicios, doble_wa: GraphFalso) -> None:
    viejas = await respuestas(servicios, "whatsapp", WA, ["Respuesta de ayer."], hace=HACE_25_H)
    async with canal_whatsapp(servicios, doble_wa) as canal:
        await canal.atender(escribe("hola"))
        await canal.repartidor.esperar()
        await asyncio.sleep(BARRIDO_S * 3)
    assert await estados(servicios, viejas) == ["vencido"]
    enviados = textos_wa(doble_wa)
    assert enviados and "Respuesta de ayer." not in enviados
    assert "Ciudades Hermanas" in enviados[0]
