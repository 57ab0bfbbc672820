"""Canal Telegram por webhook: el doble entrega los updates por POST con el secreto, como
Telegram, y reintenta lo que no recibió 200."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import httpx
import pytest

from bot.app import crear_app
from bot.canales.telegram.ajustes import ErrorConfiguracionTelegram
from bot.config import Ajustes, AjustesTelegram
from bot.servicios import Servicios

from dobles import fabricas_telegram as ft
from dobles.aplicacion import app_en_hilo, consultar
from dobles.conversar import ConversadorTelegram
from dobles.servidor_hilo import ServidorEnHilo, puerto_libre
from dobles.telegram_falso import TelegramFalso

pytestmark = [pytest.mark.servidor, pytest.mark.lento]

SECRETO = "secreto_de_prueba-0123456789abcdef"
RUTA = "/telegram/webhook"


@pytest.fixture
def doble() -> Iterator[TelegramFalso]:
    d = TelegramFalso().iniciar()
    yield d
    d.detener()


def _config(ajustes_prueba: Ajustes, doble: TelegramFalso, secreto: str = SECRETO,
            webhook_url: str = "") -> Ajustes:
    """Telegram en modo webhook, apuntado al doble."""
    return ajustes_prueba.model_copy(update={"telegram": AjustesTelegram(
        token=doble.token, api_url=doble.url_api, webhook_secret=secreto, modo="webhook",
        webhook_url=webhook_url, ritmo_chat_s=0.02, global_por_s=500)})


@pytest.fixture
def app(ajustes_prueba: Ajustes, doble: TelegramFalso) -> Iterator[ServidorEnHilo]:
    puerto = puerto_libre()
    config = _config(ajustes_prueba, doble, webhook_url=f"http://127.0.0.1:{puerto}{RUTA}")
    with app_en_hilo(config, puerto) as servidor:
        limite = time.monotonic() + 10
        while not doble.webhook and time.monotonic() < limite:
            time.sleep(0.02)
        yield servidor


async def test_registra_el_webhook_con_secreto_y_conversa(app: ServidorEnHilo,
                                                          doble: TelegramFalso) -> None:
    assert doble.webhook == {"url": app.url + RUTA, "secret_token": SECRETO}
    registro = doble.de_metodo("setWebhook")[0].datos
    assert registro["allowed_updates"] == ["message", "callback_query"]
    ana = ConversadorTelegram(doble, 701)
    respuestas = await ana.escribir("hola")
    assert "Ciudades Hermanas" in ana.textos(respuestas)
    titulo = next(b["text"] for r in respuestas for b in r.botones)
    assert await ana.pulsar(titulo)
    assert {c for _, c in doble.entregas} == {200}
    # El botón se contesta en el cuerpo del 200 del webhook, no con otra llamada.
    (contestado,) = doble.de_metodo("answerCallbackQuery")
    assert contestado.en_respuesta_al_webhook and contestado.codigo == 200
    assert not doble.de_metodo("getUpdates")


async def test_secreto_malo_o_ausente_da_401_y_no_guarda_nada(
        app: ServidorEnHilo, doble: TelegramFalso, url_bd: str) -> None:
    update = ft.texto(doble, 702, "hola")
    async with httpx.AsyncClient(base_url=app.url, timeout=10) as cliente:
        for cabeceras in ({}, {"X-Telegram-Bot-Api-Secret-Token": "otro"},
                          {"X-Telegram-Bot-Api-Secret-Token": SECRETO[:-1]}):
            r = await cliente.post(RUTA, json=update, headers=cabeceras)
            assert r.status_code == 401
    assert consultar(url_bd, "SELECT COUNT(*) FROM mensaje") == [(0,)]
    assert not doble.enviados()


async def test_cuerpos_mal_formados_dan_400(app: ServidorEnHilo) -> None:
    malos = [b"no es json", b"[1]", b'{"update_id": "x"}',
             b'{"update_id": 5, "message": {"sin": "campos"}}',
             b'{"update_id": 6, "callback_query": 3}']
    async with httpx.AsyncClient(base_url=app.url, timeout=10) as cliente:
        for cuerpo in malos:
            r = await cliente.post(RUTA, content=cuerpo, headers={
                "X-Telegram-Bot-Api-Secret-Token": SECRETO, "content-type": "application/json"})
            assert r.status_code == 400, cuerpo


async def test_mil_updates_reenviados_sin_perdidas_ni_duplicados(
        app: ServidorEnHilo, doble: TelegramFalso, url_bd: str) -> None:
    chats = [800 + i for i in range(50)]
    originales = []
    for vuelta in range(10):
        for chat in chats:
            originales.append(ft.texto(doble, chat, "hola" if vuelta == 0 else f"menú {vuelta}"))
    for i, update in enumerate(originales):  # cada update llega dos veces
        doble.publicar(update)
        if i % 3 == 0:
            doble.publicar(update)
    for i, update in enumerate(originales):
        if i % 3 != 0:
            doble.publicar(update)
    limite = time.monotonic() + 120
    while time.monotonic() < limite:
        pendientes = consultar(url_bd, "SELECT COUNT(*) FROM mensaje WHERE direccion = 'salida' "
                                       "AND (envio IS NULL OR envio = 'pendiente')")
        if len(doble.entregas) >= 1000 and pendientes == [(0,)]:
            break
        await asyncio.sleep(0.2)
    assert len(doble.entregas) == 1000 and {c for _, c in doble.entregas} == {200}
    entradas = consultar(url_bd, "SELECT id_externo, procesado_en FROM mensaje "
                                 "WHERE direccion = 'entrada'")
    assert len(entradas) == 500 == len({e[0] for e in entradas})
    assert all(e[1] is not None for e in entradas)
    salidas = dict(consultar(url_bd, """
        SELECT u.id_externo, COUNT(*) FROM mensaje m
        JOIN conversacion c ON c.id = m.conversacion_id JOIN usuario u ON u.id = c.usuario_id
        WHERE m.direccion = 'salida' AND m.envio = 'enviado' GROUP BY u.id_externo"""))
    for chat in chats:
        assert len(doble.enviados(chat)) == salidas[str(chat)], chat


async def test_no_arranca_con_secreto_vacio_o_de_ejemplo(
        ajustes_prueba: Ajustes, servicios: Servicios, doble: TelegramFalso) -> None:
    for secreto in ("", "cambie-este-secreto", "corto"):
        aplicacion = crear_app(_config(ajustes_prueba, doble, secreto), servicios)
        with pytest.raises(ErrorConfiguracionTelegram, match="TELEGRAM_WEBHOOK_SECRET"):
            async with aplicacion.router.lifespan_context(aplicacion):
                pass
    assert not doble.de_metodo("setWebhook")
