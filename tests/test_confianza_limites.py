"""Confianza: REST_TOKEN en el canal REST y límites de ritmo (mensajes por minuto de cada
remitente, remitentes nuevos por hora de cada IP) en REST y chat web, por HTTP real.

Lo limitado recibe 429 con Retry-After y no se guarda. La IP es la de la conexión: con
`servir` (FORWARDED_ALLOW_IPS vacío) un X-Forwarded-For inventado no cambia nada."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.config import Ajustes

from conftest import ServidorReal, _base_plantilla
from dobles.aplicacion import app_en_hilo, consultar
from dobles.servidor_hilo import ServidorEnHilo

pytestmark = [pytest.mark.servidor, pytest.mark.lento]  # la aplicación real por HTTP

RUTA = "/webhooks/rest/webhook"
TOKEN = "token-de-prueba-para-integradores-0123456789"


def _entradas(url_bd: str, canal: str = "rest") -> int:
    filas = consultar(url_bd, "SELECT count(*) FROM mensaje WHERE direccion = 'entrada' "
                              "AND canal = ?", canal)
    return int(filas[0][0])


def _limitada(r: httpx.Response, maximo_s: int) -> None:
    assert r.status_code == 429, r.text
    assert 1 <= int(r.headers["retry-after"]) <= maximo_s
    assert "intente de nuevo" in r.json()["error"].lower()


@pytest.fixture
def con_token(ajustes_prueba: Ajustes) -> Iterator[ServidorEnHilo]:
    with app_en_hilo(ajustes_prueba.model_copy(update={"rest_token": TOKEN})) as servidor:
        yield servidor


def test_con_rest_token_sin_bearer_valido_da_401_y_no_guarda(con_token: ServidorEnHilo,
                                                             url_bd: str) -> None:
    cuerpo = {"sender": "integrador-1", "message": "hola"}
    malas = [{}, {"Authorization": "Bearer otro"}, {"Authorization": f"Bearer {TOKEN[:-1]}"},
             {"Authorization": f"Basic {TOKEN}"}, {"Authorization": TOKEN},
             {"Authorization": "Bearer"}]
    for cabeceras in malas:
        r = httpx.post(con_token.url + RUTA, json=cuerpo, headers=cabeceras, timeout=10)
        assert r.status_code == 401, cabeceras
        assert "token" in r.json()["error"] and r.headers["www-authenticate"] == "Bearer"
    assert _entradas(url_bd) == 0
    r = httpx.post(con_token.url + RUTA, json=cuerpo, timeout=10,
                   headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 200 and r.json()[0]["recipient_id"] == "integrador-1"
    assert _entradas(url_bd) == 1
    # El chat web no necesita el token: su identidad es su cookie.
    assert httpx.post(con_token.url + "/chat/mensajes", json={"texto": "hola"},
                      timeout=10).status_code == 200


def test_el_mensaje_61_del_minuto_da_429_y_no_se_guarda(ajustes_prueba: Ajustes,
                                                        url_bd: str) -> None:
    config = ajustes_prueba.model_copy(update={"limite_mensajes_por_minuto": 60})
    with app_en_hilo(config) as app, httpx.Client(base_url=app.url, timeout=30) as cliente:
        for i in range(60):
            r = cliente.post(RUTA, json={"sender": "insistente", "message": "menu",
                                         "message_id": f"m{i}"})
            assert r.status_code == 200, (i, r.text)
        r = cliente.post(RUTA, json={"sender": "insistente", "message": "menu",
                                     "message_id": "m60"})
        _limitada(r, 60)
        # Otro remitente no paga por el primero.
        assert cliente.post(RUTA, json={"sender": "otra", "message": "hola"}).status_code == 200

        # El chat web: lo mismo por identidad (cookie).
        for _ in range(60):
            assert cliente.post("/chat/mensajes", json={"texto": "menu"}).status_code == 200
        _limitada(cliente.post("/chat/mensajes", json={"texto": "menu"}), 60)
    assert _entradas(url_bd) == 61 and _entradas(url_bd, "web") == 60
    assert consultar(url_bd, "SELECT count(*) FROM mensaje WHERE id_externo LIKE '%:m60'") \
        == [(0,)]


def test_remitentes_nuevos_por_ip(ajustes_prueba: Ajustes, url_bd: str) -> None:
    config = ajustes_prueba.model_copy(update={"limite_remitentes_nuevos_por_hora": 30})
    with app_en_hilo(config) as app, httpx.Client(base_url=app.url, timeout=30) as cliente, \
            httpx.Client(base_url=app.url, timeout=30) as navegador:
        assert navegador.post("/chat/mensajes", json={"texto": "hola"}).status_code == 200
        for i in range(29):
            r = cliente.post(RUTA, json={"sender": f"nuevo-{i}", "message": "hola"})
            assert r.status_code == 200, (i, r.text)
        # El 31.º remitente nuevo de esta IP espera (hasta una hora) y no se guarda.
        _limitada(cliente.post(RUTA, json={"sender": "nuevo-29", "message": "hola"}), 3600)
        _limitada(httpx.post(app.url + "/chat/mensajes", json={"texto": "hola"}, timeout=10),
                  3600)
        # Quien ya existe sigue conversando: el límite es para remitentes nuevos.
        assert cliente.post(RUTA, json={"sender": "nuevo-0", "message": "menu"}
                            ).status_code == 200
        assert navegador.post("/chat/mensajes", json={"texto": "menu"}).status_code == 200
    assert consultar(url_bd, "SELECT count(*) FROM usuario WHERE id_externo = 'nuevo-29'") \
        == [(0,)]
    assert consultar(url_bd, "SELECT count(*) FROM usuario") == [(30,)]


def test_con_rest_token_el_integrador_reparte_sus_remitentes(ajustes_prueba: Ajustes) -> None:
    config = ajustes_prueba.model_copy(update={"limite_remitentes_nuevos_por_hora": 3,
                                               "rest_token": TOKEN})
    with app_en_hilo(config) as app, httpx.Client(
            base_url=app.url, timeout=30, headers={"Authorization": f"Bearer {TOKEN}"}) as c:
        for i in range(6):
            assert c.post(RUTA, json={"sender": f"p{i}", "message": "hola"}).status_code == 200


def _servir(tmp_path: Path, nombre: str, **extra: str) -> ServidorReal:
    shutil.copyfile(_base_plantilla(), tmp_path / f"{nombre}.db")
    entorno = {**{k: v for k, v in os.environ.items() if k != "FORWARDED_ALLOW_IPS"},
               "DATABASE_URL": f"sqlite:///{tmp_path / f'{nombre}.db'}",
               "DOCUMENTOS_DIR": str(tmp_path / "docs"), "NLU_URL": "http://127.0.0.1:9",
               "LIMITE_REMITENTES_NUEVOS_POR_HORA": "2", "LIMITE_MENSAJES_POR_MINUTO": "60",
               **extra}
    servidor = ServidorReal(entorno, tmp_path / f"{nombre}.log")
    servidor.iniciar()
    return servidor


def _de(servidor: ServidorReal, remitente: str, ip: str) -> int:
    return httpx.post(servidor.url + RUTA, json={"sender": remitente, "message": "hola"},
                      headers={"X-Forwarded-For": ip}, timeout=10).status_code


@pytest.mark.lento
def test_servir_no_cree_x_forwarded_for_salvo_de_forwarded_allow_ips(tmp_path: Path) -> None:
    servidor = _servir(tmp_path, "sin_proxy")
    try:
        assert [_de(servidor, f"r{i}", f"203.0.113.{i}") for i in range(3)] == [200, 200, 429]
    finally:
        servidor.detener()
    servidor = _servir(tmp_path, "con_proxy", FORWARDED_ALLOW_IPS="127.0.0.1")
    try:
        codigos = [_de(servidor, "a", "203.0.113.1"), _de(servidor, "b", "203.0.113.1"),
                   _de(servidor, "c", "203.0.113.1"), _de(servidor, "d", "203.0.113.2")]
        assert codigos == [200, 200, 429, 200]
    finally:
        servidor.detener()
