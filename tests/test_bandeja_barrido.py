"""Barrido de la bandeja de salida: tras un reinicio, las respuestas guardadas sin enviar salen
solas (una vez), sin que la persona vuelva a escribir. Reclamos `pendiente` viejos se reenvían;
los recientes, los de más de 24 h y los de usuarios que bloquearon al bot, no.

Con el cliente real python-telegram-bot contra el doble de la Bot API y el cliente real pywa
contra el doble de la Graph API."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Iterator
from typing import Literal

import pytest
from sqlalchemy import select

from bot.canales.telegram.canal import CanalTelegram
from bot.canales.whatsapp.canal import iniciar_si_esta_configurado
from bot.config import Ajustes, AjustesTelegram, AjustesWhatsApp
from bot.db.modelos import Conversacion, Mensaje, Usuario, ahora
from bot.motor.bandeja_salida import Barrido, Pendiente, Repartidor
from bot.nucleo.mensajes import Canal, MensajeEntrante
from bot.servicios import Servicios

from dobles.aplicacion import app_en_hilo, consultar
from dobles.espera import esperar
from dobles.graph_falso import PHONE_ID, SECRETO_APP, TOKEN, VERIFICACION, GraphFalso
from dobles.telegram_falso import TelegramFalso

BARRIDO_S = 0.2
SECRETO = "secreto_de_prueba-0123456789abcdef"
HACE_10_MIN = dt.timedelta(minutes=10)
HACE_25_H = dt.timedelta(hours=25)


async def sembrar(servicios: Servicios, canal: str, id_usuario: str, textos: list[str], *,
                  envio: str | None = None, hace: dt.timedelta = dt.timedelta(0),
                  bloqueado: bool = False) -> list[int]:
    """Un mensaje del usuario de hace `hace` y las respuestas del bot que quedaron guardadas
    (crea al usuario la primera vez)."""
    momento = ahora() - hace
    async with servicios.almacen.escritura() as s:
        usuario = await s.scalar(select(Usuario).where(Usuario.canal == canal,
                                                       Usuario.id_externo == id_usuario))
        if usuario is None:
            usuario = Usuario(canal=canal, id_externo=id_usuario, bloqueo_canal=bloqueado,
                              creado_en=momento)
            s.add(usuario)
            await s.flush()
            s.add(Conversacion(usuario_id=usuario.id, respuestas={}, historial=[], contexto={}))
            await s.flush()
        usuario.ultimo_mensaje_en = momento
        conversacion = await s.scalar(select(Conversacion).where(
            Conversacion.usuario_id == usuario.id))
        assert conversacion is not None
        entrada = Mensaje(conversacion_id=conversacion.id, direccion="entrada", autor="usuario",
                          canal=canal, id_externo=f"{id_usuario}:{len(textos)}:{momento}",
                          texto="¿Cuál es mi folio?", creado_en=momento, procesado_en=momento)
        s.add(entrada)
        await s.flush()
        salidas = [Mensaje(conversacion_id=conversacion.id, direccion="salida", autor="bot",
                           canal=canal, texto=t, responde_a_id=entrada.id, creado_en=momento,
                           procesado_en=momento, envio=envio) for t in textos]
        s.add_all(salidas)
        await s.flush()
        return [m.id for m in salidas]


async def estados(servicios: Servicios, ids: list[int]) -> list[str | None]:
    async with servicios.almacen.lectura() as s:
        return list((await s.scalars(
            select(Mensaje.envio).where(Mensaje.id.in_(ids)).order_by(Mensaje.id))).all())


async def comprobar_envios(servicios: Servicios, escenario: Escenario,
                           textos: Callable[[str], list[str]]) -> None:
    """Lo que deja el barrido en los cinco usuarios sembrados: Ana y Beto reciben lo suyo una
    vez; Caro (reclamo reciente), Dani (más de 24 h) y Eli (bloqueado) no reciben nada."""
    assert textos(escenario.ana) == textos_de(1, "Ana")
    assert textos(escenario.beto) == textos_de(2, "Beto")
    for quien in (escenario.caro, escenario.dani, escenario.eli):
        assert textos(quien) == []
    assert await estados(servicios, escenario.filas[escenario.caro]) == ["pendiente"] * 2
    assert await estados(servicios, escenario.filas[escenario.dani]) == [None, None]



def textos_de(n: int, quien: str) -> list[str]:
    return [f"{quien}: su iniciativa quedó registrada con el folio JAL-2026-{n:04d}.",
            f"{quien}: le avisaremos cuando la oficina estatal la revise."]


class Escenario:
    """Cinco personas del mismo canal, cada una en una situación tras la caída."""

    def __init__(self, canal: str, ids: list[str]) -> None:
        self.canal = canal
        self.ana, self.beto, self.caro, self.dani, self.eli = ids
        self.filas: dict[str, list[int]] = {}

    async def sembrar(self, servicios: Servicios) -> None:
        self.filas = {
            # guardadas y nunca reclamadas (el proceso murió antes de avisar al repartidor)
            self.ana: await sembrar(servicios, self.canal, self.ana, textos_de(1, "Ana")),
            # reclamadas hace rato: el envío se interrumpió
            self.beto: await sembrar(servicios, self.canal, self.beto, textos_de(2, "Beto"),
                                     envio="pendiente", hace=HACE_10_MIN),
            # reclamadas recién: otro proceso las está enviando
            self.caro: await sembrar(servicios, self.canal, self.caro, textos_de(3, "Caro"),
                                     envio="pendiente"),
            # de hace más de 24 h: fuera de la ventana
            self.dani: await sembrar(servicios, self.canal, self.dani, textos_de(4, "Dani"),
                                     hace=HACE_25_H),
            # bloqueó al bot
            self.eli: await sembrar(servicios, self.canal, self.eli, textos_de(5, "Eli"),
                                    bloqueado=True),
        }


# --- el barrido solo, sobre SQLite y PostgreSQL ---


async def test_barrido_elige_a_quien_avisar_y_devuelve_reclamos_interrumpidos(
        servicios_ambas: Servicios) -> None:
    servicios = servicios_ambas
    escenario = Escenario("telegram", ["11", "12", "13", "14", "15"])
    await escenario.sembrar(servicios)
    await sembrar(servicios, "whatsapp", "5213300000011", textos_de(6, "Otro canal"))
    llamados: list[str] = []

    async def enviar(id_usuario: str, reclamados: list[Pendiente], revisar: bool) -> None:
        llamados.append(id_usuario)

    repartidor = Repartidor(enviar)
    barrido = Barrido(servicios.almacen, "telegram", repartidor)
    assert await barrido.una_vez() == [escenario.ana]
    # Primera vez que ve el reclamo viejo de Beto: aún no lo toca (puede ser de otro proceso).
    assert await estados(servicios, escenario.filas[escenario.beto]) == ["pendiente"] * 2
    assert sorted(await barrido.una_vez()) == [escenario.ana, escenario.beto]
    assert await estados(servicios, escenario.filas[escenario.beto]) == [None, None]
    await repartidor.esperar()
    assert set(llamados) == {escenario.ana, escenario.beto}
    assert await estados(servicios, escenario.filas[escenario.caro]) == ["pendiente"] * 2
    assert await estados(servicios, escenario.filas[escenario.dani]) == [None, None]
    assert await estados(servicios, escenario.filas[escenario.eli]) == [None, None]


async def test_no_devuelve_lo_que_este_proceso_esta_enviando(servicios_ambas: Servicios) -> None:
    servicios = servicios_ambas
    filas = await sembrar(servicios, "telegram", "21", textos_de(7, "Ana"), envio="pendiente",
                          hace=HACE_10_MIN)
    suelta = asyncio.Event()

    async def enviar(id_usuario: str, reclamados: list[Pendiente], revisar: bool) -> None:
        await suelta.wait()  # un envío largo (p. ej. un 429 con retry_after grande)

    repartidor = Repartidor(enviar)
    repartidor.avisar("21")
    barrido = Barrido(servicios.almacen, "telegram", repartidor)
    for _ in range(3):
        await barrido.una_vez()
    assert await estados(servicios, filas) == ["pendiente"] * 2
    suelta.set()
    await repartidor.esperar()
    await barrido.una_vez()
    await barrido.una_vez()
    assert await estados(servicios, filas) == [None, None]


# --- Telegram: el canal arranca y envía lo que quedó ---


@pytest.fixture
def doble_tg() -> Iterator[TelegramFalso]:
    d = TelegramFalso().iniciar()
    yield d
    d.detener()


async def arrancar_telegram(servicios: Servicios, doble: TelegramFalso,
                            modo: Literal["polling", "webhook"]) -> CanalTelegram:
    config = servicios.ajustes.model_copy(update={"bandeja_barrido_s": BARRIDO_S,
                                                  "telegram": AjustesTelegram(
        token=doble.token, api_url=doble.url_api, webhook_secret=SECRETO, modo=modo,
        webhook_url="", ritmo_chat_s=0.01, global_por_s=200)})
    canal = CanalTelegram(servicios, config)
    await canal.iniciar()
    return canal


@pytest.mark.servidor
@pytest.mark.lento
@pytest.mark.parametrize("modo", ["polling", "webhook"])
async def test_telegram_al_arrancar_envia_lo_que_quedo_una_vez(
        servicios: Servicios, doble_tg: TelegramFalso,
        modo: Literal["polling", "webhook"]) -> None:
    escenario = Escenario("telegram", ["801", "802", "803", "804", "805"])
    await escenario.sembrar(servicios)
    canal = await arrancar_telegram(servicios, doble_tg, modo)
    try:
        async def listos() -> bool:
            return (await estados(servicios, escenario.filas[escenario.ana]
                                  + escenario.filas[escenario.beto])) == ["enviado"] * 4
        await esperar(listos)
        await asyncio.sleep(BARRIDO_S * 5)  # más barridos: nada se repite
    finally:
        await canal.detener()

    def textos(chat: str) -> list[str]:
        return [e.texto for e in doble_tg.enviados(int(chat))]

    await comprobar_envios(servicios, escenario, textos)
    assert await estados(servicios, escenario.filas[escenario.eli]) == [None, None]
    if modo == "webhook":
        assert not doble_tg.de_metodo("getUpdates")


@pytest.mark.servidor
@pytest.mark.lento
async def test_telegram_lo_interrumpido_sale_antes_que_lo_nunca_reclamado(
        servicios: Servicios, doble_tg: TelegramFalso) -> None:
    primero = await sembrar(servicios, "telegram", "851", textos_de(8, "Ana"),
                            envio="pendiente", hace=HACE_10_MIN)
    despues = await sembrar(servicios, "telegram", "851", ["Ana: ¿algo más en que le ayude?"],
                            hace=dt.timedelta(minutes=9))
    canal = await arrancar_telegram(servicios, doble_tg, "polling")
    try:
        async def listos() -> bool:
            return (await estados(servicios, primero + despues)) == ["enviado"] * 3
        await esperar(listos)
        await asyncio.sleep(BARRIDO_S * 3)
    finally:
        await canal.detener()
    assert [e.texto for e in doble_tg.enviados(851)] == [
        *textos_de(8, "Ana"), "Ana: ¿algo más en que le ayude?"]


@pytest.mark.servidor
@pytest.mark.lento
async def test_telegram_respuestas_del_motor_con_el_canal_apagado(
        servicios: Servicios, ajustes_prueba: Ajustes, doble_tg: TelegramFalso,
        url_bd: str) -> None:
    """La aplicación real (lifespan) arranca y envía lo que el motor guardó mientras no corría."""
    await servicios.motor.procesar(MensajeEntrante(Canal.TELEGRAM, "901", "901:1", "hola"))
    guardadas = consultar(url_bd, "SELECT COUNT(*) FROM mensaje WHERE direccion = 'salida' "
                                  "AND envio IS NULL")[0][0]
    assert guardadas >= 2
    config = ajustes_prueba.model_copy(update={"bandeja_barrido_s": BARRIDO_S,
                                               "telegram": AjustesTelegram(
        token=doble_tg.token, api_url=doble_tg.url_api, modo="polling", ritmo_chat_s=0.05)})
    with app_en_hilo(config):
        await esperar(lambda: consultar(
            url_bd, "SELECT COUNT(*) FROM mensaje WHERE direccion = 'salida' "
                    "AND envio = 'enviado'") == [(guardadas,)])
        await asyncio.sleep(BARRIDO_S * 5)
    enviados = doble_tg.enviados(901)
    assert len(enviados) == guardadas
    assert "Ciudades Hermanas" in enviados[0].texto


# --- WhatsApp ---


@pytest.fixture
def doble_wa() -> Iterator[GraphFalso]:
    d = GraphFalso().iniciar()
    yield d
    d.detener()


def config_whatsapp(base: Ajustes, doble: GraphFalso) -> Ajustes:
    """Con el canal WhatsApp apuntado al doble y ritmo rápido."""
    return base.model_copy(update={"bandeja_barrido_s": BARRIDO_S, "whatsapp": AjustesWhatsApp(
        phone_id=PHONE_ID, token=TOKEN, app_secret=SECRETO_APP, verify_token=VERIFICACION,
        api_url=doble.url, ritmo_usuario_s=0.01)})


@pytest.mark.servidor
@pytest.mark.lento
async def test_whatsapp_al_arrancar_envia_lo_que_quedo_una_vez(
        servicios: Servicios, doble_wa: GraphFalso) -> None:
    escenario = Escenario("whatsapp", [f"52133100000{n}" for n in range(10, 15)])
    await escenario.sembrar(servicios)
    canal = await iniciar_si_esta_configurado(servicios,
                                              config_whatsapp(servicios.ajustes, doble_wa))
    assert canal is not None
    try:
        async def listos() -> bool:
            return (await estados(servicios, escenario.filas[escenario.ana]
                                  + escenario.filas[escenario.beto])) == ["enviado"] * 4
        await esperar(listos)
        await asyncio.sleep(BARRIDO_S * 5)
    finally:
        await canal.detener()

    def textos(wa_id: str) -> list[str]:
        return [e.texto for e in doble_wa.mensajes(wa_id)]

    await comprobar_envios(servicios, escenario, textos)


@pytest.mark.servidor
@pytest.mark.lento
async def test_whatsapp_respuestas_del_motor_con_el_canal_apagado(
        servicios: Servicios, ajustes_prueba: Ajustes, doble_wa: GraphFalso,
        url_bd: str) -> None:
    await servicios.motor.procesar(MensajeEntrante(Canal.WHATSAPP, "5213310000099",
                                                   "wamid.APAGADO1", "hola"))
    guardadas = consultar(url_bd, "SELECT COUNT(*) FROM mensaje WHERE direccion = 'salida' "
                                  "AND envio IS NULL")[0][0]
    assert guardadas >= 2
    with app_en_hilo(config_whatsapp(ajustes_prueba, doble_wa)):
        await esperar(lambda: consultar(
            url_bd, "SELECT COUNT(*) FROM mensaje WHERE direccion = 'salida' "
                    "AND envio = 'enviado'") == [(guardadas,)])
        await asyncio.sleep(BARRIDO_S * 5)
    enviados = doble_wa.mensajes("5213310000099")
    assert enviados and "Ciudades Hermanas" in enviados[0].texto
    cuerpos = [str(e.cuerpo) for e in enviados]
    assert len(cuerpos) == len(set(cuerpos)), "nada se envió dos veces"
