"""Confianza: endurecimiento HTTP, por HTTP real (uvicorn en un hilo o `servir` en otro
proceso).

- Un cuerpo chunked de 5 MB recibe 413 sin que la aplicación lo lea entero (se cuentan los
  bytes que le llegan).
- Un JSON anidado o demasiado grande da 400 en español (nunca 500) en REST, chat web y los
  dos webhooks (en estos, después de la firma).
- Cabeceras de seguridad en toda respuesta; `/openapi.json` apagado salvo DOCUMENTACION_API.
- Un id entero fuera de rango en la URL da 404, no 500.
- `servir` no arranca fuera de 127.0.0.1 con el token de ejemplo del NLU o del REST.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.app import crear_app
from bot.cli import revisar_exposicion
from bot.config import RAIZ, Ajustes, AjustesTelegram, AjustesWhatsApp
from bot.documentos.enlaces import FirmaEnlaces
from bot.servicios import Servicios

from conftest import puerto_libre
from dobles import escalamiento_datos as datos
from dobles.aplicacion import app_en_hilo, consultar
from dobles.graph_falso import PHONE_ID, SECRETO_APP, TOKEN, VERIFICACION, GraphFalso, firmar
from dobles.servidor_hilo import ServidorEnHilo
from dobles.telegram_falso import TelegramFalso

pytestmark = [pytest.mark.servidor, pytest.mark.lento]  # la aplicación real por HTTP

SECRETO = "secreto-de-prueba-para-firmar-0123456789"
SECRETO_TG = "secreto_de_prueba-confianza-0123456789"
MIB = 1024 * 1024
ANIDADO = b"[" * 5000 + b"]" * 5000  # 10 KB: agota el decodificador de JSON


class ContadorDeBytes:
    """Envuelve la aplicación y cuenta los bytes del cuerpo que de verdad le llegan."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.recibidos = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def recibir() -> Message:
            mensaje = await receive()
            if mensaje["type"] == "http.request":
                self.recibidos += len(mensaje.get("body", b""))
            return mensaje

        await self.app(scope, recibir, send)


@pytest.mark.parametrize("ruta", ["/webhooks/rest/webhook", "/chat/mensajes"])
def test_cuerpo_chunked_de_5_mb_da_413_sin_leerlo_entero(ajustes_prueba: Ajustes,
                                                         ruta: str) -> None:
    contador = ContadorDeBytes(crear_app(ajustes_prueba))
    servidor = ServidorEnHilo(contador)
    servidor.iniciar()
    enviados = 0

    def trozos() -> Iterator[bytes]:  # sin Content-Length: Transfer-Encoding: chunked
        nonlocal enviados
        for _ in range(80):
            enviados += 64 * 1024
            yield b"x" * (64 * 1024)

    try:
        r = httpx.post(servidor.url + ruta, content=trozos(), timeout=30,
                       headers={"content-type": "application/json"})
    finally:
        servidor.detener()
    assert r.status_code == 413 and "demasiado grande" in r.json()["error"]
    assert "content-length" not in r.request.headers
    assert r.request.headers["transfer-encoding"] == "chunked"
    assert enviados == 5 * MIB
    assert contador.recibidos <= MIB + 256 * 1024, contador.recibidos


@pytest.fixture
def canales(ajustes_prueba: Ajustes) -> Iterator[ServidorEnHilo]:
    """La aplicación con Telegram por webhook y WhatsApp (con sus dobles)."""
    telegram, graph = TelegramFalso().iniciar(), GraphFalso().iniciar()
    puerto = puerto_libre()
    config = ajustes_prueba.model_copy(update={
        "telegram": AjustesTelegram(
            token=telegram.token, api_url=telegram.url_api, webhook_secret=SECRETO_TG,
            modo="webhook", webhook_url=f"http://127.0.0.1:{puerto}/telegram/webhook"),
        "whatsapp": AjustesWhatsApp(
            phone_id=PHONE_ID, token=TOKEN, app_secret=SECRETO_APP,
            verify_token=VERIFICACION, api_url=graph.url),
        "panel_secreto": SECRETO})
    try:
        with app_en_hilo(config, puerto) as servidor:
            limite = time.monotonic() + 10
            while not telegram.webhook and time.monotonic() < limite:
                time.sleep(0.02)
            yield servidor
    finally:
        telegram.detener()
        graph.detener()


def _hondo(niveles: int) -> object:
    valor: object = "fondo"
    for _ in range(niveles):
        valor = {"a": [valor]}
    return valor


def test_json_anidado_o_enorme_da_400_en_espanol_nunca_500(
        canales: ServidorEnHilo, url_bd: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR)
    url = canales.url
    json_ct = {"content-type": "application/json"}
    hondo_rest = json.dumps({"sender": "x", "message": "hola", "metadata": _hondo(20)}).encode()
    enorme = json.dumps({"sender": "x", "message": "hola", "texto": "a" * 200_000}).encode()
    for ruta in ("/webhooks/rest/webhook", "/chat/mensajes"):
        for cuerpo, motivo in ((ANIDADO, "anidado"), (hondo_rest, "anidado"),
                               (enorme, "KiB")):
            r = httpx.post(url + ruta, content=cuerpo, headers=json_ct, timeout=10)
            assert r.status_code == 400, (ruta, r.text)
            assert motivo in r.json()["error"]

    # Telegram: sin secreto ni se lee (401); con él, 400.
    ruta_tg = url + "/telegram/webhook"
    assert httpx.post(ruta_tg, content=ANIDADO, timeout=10).status_code == 401
    hondo_tg = json.dumps({"update_id": 7, "message": _hondo(40)}).encode()
    for cuerpo in (ANIDADO, hondo_tg):
        r = httpx.post(ruta_tg, content=cuerpo, timeout=10,
                       headers={"X-Telegram-Bot-Api-Secret-Token": SECRETO_TG, **json_ct})
        assert r.status_code == 400 and "anidado" in r.json()["mensaje"]

    # WhatsApp: sin firma válida, 401/403; firmado, 400.
    ruta_wa = url + "/whatsapp/webhook"
    assert httpx.post(ruta_wa, content=ANIDADO, timeout=10).status_code == 401
    assert httpx.post(ruta_wa, content=ANIDADO, timeout=10,
                      headers={"x-hub-signature-256": firmar(b"otro")}).status_code == 403
    hondo_wa = json.dumps({"object": "whatsapp_business_account", "entry": [_hondo(40)]})
    for cuerpo in (ANIDADO, hondo_wa.encode()):
        r = httpx.post(ruta_wa, content=cuerpo, timeout=10,
                       headers={"x-hub-signature-256": firmar(cuerpo), **json_ct})
        assert r.status_code == 400 and r.json()["error"]

    assert consultar(url_bd, "SELECT count(*) FROM mensaje") == [(0,)]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def _seguras(r: httpx.Response) -> None:
    assert r.headers["x-content-type-options"] == "nosniff", r.url
    assert r.headers["referrer-policy"] == "same-origin", r.url
    assert r.headers["x-frame-options"] == "DENY", r.url
    assert len(r.headers.get_list("content-security-policy")) == 1, r.url
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"], r.url


def test_cabeceras_de_seguridad_en_todas_las_respuestas(canales: ServidorEnHilo,
                                                         url_bd: str, tmp_path: Path) -> None:
    contenido = b"%PDF-1.4 ficha de prueba"
    archivo = tmp_path / "ficha.pdf"
    archivo.write_bytes(contenido)
    sha = hashlib.sha256(contenido).hexdigest()
    consultar(url_bd, "INSERT INTO documento (tipo, nombre_archivo, mime, tamano, sha256, ruta,"
                      " creado_en) VALUES ('generado', 'ficha.pdf', 'application/pdf', ?, ?, ?,"
                      " '2026-01-01 00:00:00')", len(contenido), sha, str(archivo))
    token = FirmaEnlaces(SECRETO).firmar(sha, "ficha.pdf", "application/pdf")

    with httpx.Client(base_url=canales.url, timeout=10) as c:
        pagina = c.get("/")
        documento = c.get(f"/documentos/{token}")
        respuestas = [
            pagina, c.get("/chat/chat.js"), c.get("/chat/chat.css"), documento,
            c.get("/documentos/no-es-una-firma"), c.get("/salud"),
            c.post("/chat/mensajes", json={"texto": "hola"}),
            c.post("/webhooks/rest/webhook", json={"sender": "h", "message": "hola"}),
            c.post("/webhooks/rest/webhook", content=b"x" * (2 * MIB)),
            c.post("/telegram/webhook", json={}), c.post("/whatsapp/webhook", json={}),
            c.get("/whatsapp/webhook"), c.get("/panel/entrar"), c.get("/no-existe"),
        ]
    for r in respuestas:
        _seguras(r)
    assert documento.status_code == 200 and documento.content == contenido
    grande = respuestas[8]  # Content-Length de 2 MiB: se rechaza sin leer nada
    assert grande.status_code == 413 and "demasiado grande" in grande.json()["error"]
    # La página solo carga lo suyo: nada en línea, nada de otro origen, y no se enmarca.
    csp = pagina.headers["content-security-policy"]
    for directiva in ("default-src 'self'", "script-src 'self'", "style-src 'self'",
                      "object-src 'none'", "frame-ancestors 'none'"):
        assert directiva in csp
    assert "unsafe-inline" not in csp
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son\w+=", pagina.text)
    # El panel conserva su propia CSP completa (no se le agrega otra).
    assert "script-src 'self'" in respuestas[-2].headers["content-security-policy"]
    assert respuestas[-1].status_code == 404


def test_openapi_apagado_salvo_que_se_pida(ajustes_prueba: Ajustes) -> None:
    with app_en_hilo(ajustes_prueba) as app:
        for ruta in ("/openapi.json", "/docs", "/redoc"):
            assert httpx.get(app.url + ruta, timeout=10).status_code == 404, ruta
    with app_en_hilo(ajustes_prueba.model_copy(update={"documentacion_api": True})) as app:
        r = httpx.get(app.url + "/openapi.json", timeout=10)
        assert r.status_code == 200 and "/webhooks/rest/webhook" in r.json()["paths"]


async def test_id_fuera_de_rango_en_la_url_da_404(servicios: Servicios,
                                                  ajustes_prueba: Ajustes) -> None:
    await datos.asesor(servicios, "ana@jal.gob.mx")
    with app_en_hilo(ajustes_prueba) as app, httpx.Client(base_url=app.url,
                                                          timeout=10) as panel:
        entrada = panel.get("/panel/entrar")
        csrf = re.search(r'name="csrf" value="([^"]+)"', entrada.text)
        assert csrf
        r = panel.post("/panel/entrar", data={"correo": "ana@jal.gob.mx", "csrf": csrf[1],
                                              "contrasena": datos.CONTRASENA})
        assert r.status_code == 303 and "panel_sesion" in panel.cookies
        for ruta in ("/panel/traspaso/99999999999999999999", "/panel/traspaso/2147483648",
                     "/panel/documento/99999999999999999999", "/panel/traspaso/-1",
                     "/panel/traspaso/-99999999999999999999"):
            assert panel.get(ruta).status_code == 404, ruta
        accion = panel.post("/panel/traspaso/99999999999999999999/tomar",
                            data={"csrf": "x"})
        assert accion.status_code in (400, 404)  # sin CSRF válido, 400 antes de ver el id
        assert panel.get("/panel/traspaso/123").status_code == 404  # en rango, no existe


def _servir(host: str, **entorno: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items()
            if k not in ("NLU_TOKEN", "REST_TOKEN", "HOST")}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "servir", "--sin-nlu", "--host", host,
         "--port", str(puerto_libre())],
        cwd=RAIZ, env={**base, "DATABASE_URL": "sqlite:////nunca/se/crea.db", **entorno},
        capture_output=True, text=True, timeout=60)


def test_servir_se_niega_con_tokens_de_ejemplo_fuera_de_loopback() -> None:
    r = _servir("0.0.0.0", NLU_TOKEN="cambie-este-token-nlu")
    assert r.returncode == 2, r.stderr[-2000:]
    assert "NLU_TOKEN tiene el valor de ejemplo" in r.stderr and "no arranca" in r.stderr
    assert "sin REST_TOKEN" in r.stderr  # y advierte del REST abierto
    r = _servir("0.0.0.0", NLU_TOKEN="un-token-nlu-propio-0123456789", REST_TOKEN="changeme")
    assert r.returncode == 2 and "REST_TOKEN es el de ejemplo" in r.stderr
    assert "NLU_TOKEN" not in r.stderr


def test_revisar_exposicion() -> None:
    ejemplo = Ajustes(_env_file=None)  # type: ignore[call-arg]
    propios = Ajustes(nlu_token="n" * 32, rest_token="r" * 32,
                      _env_file=None)  # type: ignore[call-arg]
    for local in ("127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"):
        assert revisar_exposicion(ejemplo, local) == []
    for publico in ("0.0.0.0", "::", "192.0.2.10", "asistente.gob.mx"):
        assert len(revisar_exposicion(ejemplo, publico)) == 1
        assert revisar_exposicion(propios, publico) == []
    corto = propios.model_copy(update={"rest_token": "corto"})
    assert "REST_TOKEN" in revisar_exposicion(corto, "0.0.0.0")[0]
