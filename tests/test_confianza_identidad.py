"""Confianza: la identidad del chat web la da el servidor (cookie firmada), nunca la página.

Todo por HTTP real (uvicorn en un hilo) con un tarro de cookies por «navegador»: dos personas
nunca ven los datos de la otra, una cookie ausente, copiada sin firma, alterada o vencida da
una identidad nueva (nunca la de otro) y «Cerrar sesión» olvida la identidad."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from bot.canales.web.identidad import COOKIE, SAL, VIGENCIA_S, secreto_compartido
from bot.config import RAIZ, Ajustes

from conversacion import PERFIL
from dobles.aplicacion import app_en_hilo, consultar
from dobles.servidor_hilo import ServidorEnHilo

pytestmark = [pytest.mark.servidor, pytest.mark.lento]  # la aplicación real por HTTP

SECRETO = "secreto-de-prueba-para-las-cookies-0123456789"
RUTA = "/chat/mensajes"


@pytest.fixture
def app(ajustes_prueba: Ajustes) -> Iterator[ServidorEnHilo]:
    config = ajustes_prueba.model_copy(update={"panel_secreto": SECRETO})
    with app_en_hilo(config) as servidor:
        yield servidor


def _cuerpo(mensaje: str) -> dict[str, str]:
    return {"payload": mensaje} if mensaje.startswith("/") else {"texto": mensaje}


def charlar(navegador: httpx.Client, *mensajes: str) -> list[dict[str, Any]]:
    """Escribe cada mensaje como lo hace la página; devuelve la última tanda de respuestas."""
    ultima: list[dict[str, Any]] = []
    for mensaje in mensajes:
        r = navegador.post(RUTA, json=_cuerpo(mensaje))
        assert r.status_code == 200, r.text
        ultima = r.json()
    return ultima


def texto(respuestas: list[dict[str, Any]]) -> str:
    return "\n".join(str(e.get("text", "")) for e in respuestas)


def ids_web(url_bd: str) -> list[str]:
    return [fila[0] for fila in consultar(
        url_bd, "SELECT id_externo FROM usuario WHERE canal = 'web' ORDER BY id")]


def test_dos_navegadores_nunca_ven_los_datos_del_otro(app: ServidorEnHilo, url_bd: str) -> None:
    with httpx.Client(base_url=app.url, timeout=30) as ana, \
            httpx.Client(base_url=app.url, timeout=30) as beto:
        charlar(ana, *PERFIL)
        assert "Ana Pérez" in texto(charlar(ana, "mis datos"))
        charlar(beto, *PERFIL[:-1], "Beto Ruiz")
        de_beto = texto(charlar(beto, "mis datos"))
        assert "Beto Ruiz" in de_beto and "Ana Pérez" not in de_beto
        assert ana.cookies[COOKIE] != beto.cookies[COOKIE]

        # El cuerpo no elige a nadie: un «sender» o un id en el JSON no cuentan.
        id_ana = ids_web(url_bd)[0]
        r = beto.post(RUTA, json={"texto": "mis datos", "sender": id_ana,
                                  "id_usuario": id_ana, "recipient_id": id_ana})
        assert r.status_code == 200 and "Ana Pérez" not in texto(r.json())
        assert all("recipient_id" not in e for e in r.json())  # el id no sale de la cookie

        # Borrar sus datos solo borra los suyos.
        charlar(beto, "borrar mis datos", "confirmar")
        assert "Ana Pérez" in texto(charlar(ana, "mis datos"))

    ids = ids_web(url_bd)
    assert len(ids) == 2 and all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)
    # Lo web se guarda en su canal: nada de esto quedó como remitente REST.
    assert consultar(url_bd, "SELECT count(*) FROM usuario WHERE canal = 'rest'") == [(0,)]


class _FirmaDeHaceUnMes(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - VIGENCIA_S - 3600


@pytest.mark.parametrize("falsa", ["ausente", "id_sin_firma", "firma_alterada", "otra_clave",
                                   "vencida"])
def test_cookie_falsa_o_ausente_da_identidad_nueva_nunca_la_de_otro(
        app: ServidorEnHilo, url_bd: str, falsa: str) -> None:
    with httpx.Client(base_url=app.url, timeout=30) as ana:
        charlar(ana, *PERFIL)
        legitima = ana.cookies[COOKIE]
    (id_ana,) = ids_web(url_bd)
    valor = {
        "ausente": None,
        "id_sin_firma": id_ana,
        "firma_alterada": legitima[:-2] + ("AA" if not legitima.endswith("AA") else "BB"),
        "otra_clave": URLSafeTimedSerializer("otra-clave", salt=SAL).dumps(id_ana),
        "vencida": URLSafeTimedSerializer(SECRETO, salt=SAL,
                                          signer=_FirmaDeHaceUnMes).dumps(id_ana),
    }[falsa]
    with httpx.Client(base_url=app.url, timeout=30) as intruso:
        if valor is not None:
            intruso.cookies.set(COOKIE, valor, path="/chat")
        r = intruso.post(RUTA, json={"texto": "mis datos"})
        assert r.status_code == 200
        assert "Ana Pérez" not in texto(r.json())
        nueva = r.cookies.get(COOKIE)
        assert nueva and nueva not in (legitima, valor)
    ids = ids_web(url_bd)
    assert len(ids) == 2 and ids[0] == id_ana and ids[1] != id_ana
    # La cookie legítima sigue siendo de Ana.
    with httpx.Client(base_url=app.url, timeout=30) as ana:
        ana.cookies.set(COOKIE, legitima, path="/chat")
        assert "Ana Pérez" in texto(charlar(ana, "mis datos"))


def _set_cookie(r: httpx.Response) -> str:
    (linea,) = [v for v in r.headers.get_list("set-cookie") if v.startswith(COOKIE + "=")]
    return linea.lower()


def test_la_cookie_es_httponly_lax_con_vencimiento_y_se_renueva(app: ServidorEnHilo) -> None:
    with httpx.Client(base_url=app.url, timeout=30) as navegador:
        primera = navegador.post(RUTA, json={"texto": "hola"})
        cookie = _set_cookie(primera)
        for atributo in ("httponly", "samesite=lax", "path=/chat", f"max-age={VIGENCIA_S}"):
            assert atributo in cookie, cookie
        assert "secure" not in cookie  # en HTTP simple también funciona
        # Cada mensaje la renueva otros 30 días (vencimiento deslizante), con la misma identidad.
        segunda = navegador.post(RUTA, json={"payload": "/si"})
        assert f"max-age={VIGENCIA_S}" in _set_cookie(segunda)
        # Detrás de un proxy de confianza que dice HTTPS, la cookie es Secure.
        https = navegador.post(RUTA, json={"texto": "menu"},
                               headers={"X-Forwarded-Proto": "https"})
        assert "secure" in _set_cookie(https)


def test_cerrar_sesion_olvida_la_identidad(app: ServidorEnHilo, url_bd: str) -> None:
    with httpx.Client(base_url=app.url, timeout=30) as navegador:
        charlar(navegador, *PERFIL)
        antes = navegador.cookies[COOKIE]
        salida = navegador.post("/chat/salir")
        assert salida.status_code == 200
        borrado = _set_cookie(salida)
        assert "max-age=0" in borrado and "path=/chat" in borrado
        assert COOKIE not in navegador.cookies
        # La siguiente persona en esta computadora empieza de cero (aviso de privacidad).
        nueva = charlar(navegador, "hola")
        assert navegador.cookies[COOKIE] != antes
        assert "Acepto" in [b["title"] for e in nueva for b in e.get("buttons", [])]
        assert "Ana Pérez" not in texto(charlar(navegador, "mis datos"))
    assert len(ids_web(url_bd)) == 2


def test_la_pagina_no_elige_ni_guarda_ningun_id() -> None:
    guion = (RAIZ / "bot" / "canales" / "web" / "chat.js").read_text()
    for prohibido in ("localStorage.", "crypto.", "sender", "/webhooks/rest/webhook"):
        assert prohibido not in guion
    assert "/chat/mensajes" in guion and "/chat/salir" in guion


def test_mensaje_mal_formado_da_400_sin_identidad(app: ServidorEnHilo) -> None:
    with httpx.Client(base_url=app.url, timeout=30) as navegador:
        for cuerpo in (b"no es json", b"[1]", b'{"texto": 5}', b'{"texto": "   "}', b"{}"):
            r = navegador.post(RUTA, content=cuerpo,
                               headers={"content-type": "application/json"})
            assert r.status_code == 400 and r.json()["error"], cuerpo
            assert COOKIE not in r.headers.get("set-cookie", "")


def test_el_secreto_local_es_uno_aunque_arranquen_varios_procesos(tmp_path: Path) -> None:
    archivo = tmp_path / "var" / "secreto_chat"
    orden = ("from pathlib import Path; from bot.canales.web.identidad import secreto_compartido;"
             f" print(secreto_compartido('', Path({str(archivo)!r})))")
    procesos = [subprocess.Popen([sys.executable, "-c", orden], cwd=RAIZ, text=True,
                                 stdout=subprocess.PIPE) for _ in range(6)]
    secretos = {p.communicate(timeout=60)[0].strip() for p in procesos}
    assert len(secretos) == 1 and len(secretos.pop()) == 64
    assert archivo.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in archivo.parent.iterdir()] == ["secreto_chat"]  # sin temporales
    assert secreto_compartido("el-de-PANEL_SECRETO", archivo) == "el-de-PANEL_SECRETO"
