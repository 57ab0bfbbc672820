"""Propiedad de los webhooks: ningún cuerpo, por raro que sea, produce un 500. Con firma o
secreto válidos, un cuerpo que no es un mensaje da 400 y uno válido da 200."""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.config import Ajustes, AjustesTelegram, AjustesWhatsApp

from dobles import fabricas_telegram as ft
from dobles import fabricas_whatsapp as fw
from dobles.aplicacion import app_en_hilo
from dobles.graph_falso import PHONE_ID, SECRETO_APP, TOKEN, VERIFICACION, GraphFalso, firmar
from dobles.servidor_hilo import ServidorEnHilo, puerto_libre
from dobles.telegram_falso import TelegramFalso

pytestmark = [pytest.mark.servidor, pytest.mark.lento]

SECRETO_TG = "secreto_de_prueba-propiedades-0123456789"
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-2**40, 2**40) | st.floats(allow_nan=False)
    | st.text(max_size=40),
    lambda hijos: st.lists(hijos, max_size=4) | st.dictionaries(st.text(max_size=12), hijos,
                                                                max_size=4),
    max_leaves=20,
)
AJUSTES = settings(max_examples=60, deadline=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture])


def _mutar(base: dict[str, Any], ruta: list[int], valor: Any) -> dict[str, Any]:
    """Reemplaza un valor anidado de `base` (elegido por `ruta`) por `valor`."""
    copia = copy.deepcopy(base)
    nodo: Any = copia
    for indice in ruta:
        claves = list(nodo) if isinstance(nodo, dict) else list(range(len(nodo)))
        if not claves:
            break
        clave = claves[indice % len(claves)]
        if isinstance(nodo[clave], (dict, list)) and nodo[clave]:
            nodo = nodo[clave]
        else:
            nodo[clave] = valor
            return copia
    return copia


@pytest.fixture
def telegram(ajustes_prueba: Ajustes) -> Iterator[tuple[ServidorEnHilo, TelegramFalso]]:
    doble = TelegramFalso().iniciar()
    puerto = puerto_libre()
    config = ajustes_prueba.model_copy(update={"telegram": AjustesTelegram(
        token=doble.token, api_url=doble.url_api, webhook_secret=SECRETO_TG, modo="webhook",
        webhook_url=f"http://127.0.0.1:{puerto}/telegram/webhook", ritmo_chat_s=0.01,
        global_por_s=1000)})
    with app_en_hilo(config, puerto) as servidor:
        limite = time.monotonic() + 10
        while not doble.webhook and time.monotonic() < limite:
            time.sleep(0.02)
        yield servidor, doble
    doble.detener()


@AJUSTES
@given(cuerpo=JSON, ruta=st.lists(st.integers(0, 50), max_size=5), valor=JSON,
       mutar=st.booleans())
@example(cuerpo=None, ruta=[1, 43, 2], valor=True, mutar=True)  # "first_name": true
def test_webhook_de_telegram_nunca_da_500(
    telegram: tuple[ServidorEnHilo, TelegramFalso], cuerpo: Any, ruta: list[int], valor: Any,
    mutar: bool,
) -> None:
    servidor, doble = telegram
    if mutar:
        cuerpo = _mutar(ft.texto(doble, 9100 + len(ruta), "hola"), ruta, valor)
    r = httpx.post(servidor.url + "/telegram/webhook", content=json.dumps(cuerpo),
                   headers={"x-telegram-bot-api-secret-token": SECRETO_TG,
                            "content-type": "application/json"}, timeout=30)
    assert r.status_code in (200, 400), (r.status_code, cuerpo)


@pytest.fixture
def whatsapp(ajustes_prueba: Ajustes) -> Iterator[ServidorEnHilo]:
    doble = GraphFalso().iniciar()
    config = ajustes_prueba.model_copy(update={"whatsapp": AjustesWhatsApp(
        phone_id=PHONE_ID, token=TOKEN, app_secret=SECRETO_APP, verify_token=VERIFICACION,
        api_url=doble.url, ritmo_usuario_s=0.01)})
    with app_en_hilo(config) as servidor:
        yield servidor
    doble.detener()


@AJUSTES
@given(cuerpo=JSON, ruta=st.lists(st.integers(0, 50), max_size=6), valor=JSON,
       mutar=st.booleans())
def test_webhook_de_whatsapp_nunca_da_500(
    whatsapp: ServidorEnHilo, cuerpo: Any, ruta: list[int], valor: Any, mutar: bool,
) -> None:
    if mutar:
        cuerpo = _mutar(fw.texto("5215500000000", "hola"), ruta, valor)
    crudo = json.dumps(cuerpo).encode()
    r = httpx.post(whatsapp.url + "/whatsapp/webhook", content=crudo,
                   headers={"x-hub-signature-256": firmar(crudo),
                            "content-type": "application/json"}, timeout=30)
    assert r.status_code in (200, 400), (r.status_code, cuerpo)


@AJUSTES
@given(cuerpo=st.binary(max_size=300) | JSON.map(lambda v: json.dumps(v).encode()))
def test_canal_rest_nunca_da_500(whatsapp: ServidorEnHilo, cuerpo: bytes) -> None:
    r = httpx.post(whatsapp.url + "/webhooks/rest/webhook", content=cuerpo,
                   headers={"content-type": "application/json"}, timeout=30)
    assert r.status_code in (200, 400), (r.status_code, cuerpo)
