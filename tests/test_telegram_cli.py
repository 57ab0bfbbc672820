"""Telegram en otro proceso, como en producción: `hermanamientos servir` (sondeo o webhook),
`hermanamientos telegram` y `hermanamientos telegram webhook --url`."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import RAIZ

from conftest import ServidorReal, _base_plantilla
from dobles.conversar import ConversadorTelegram
from dobles.telegram_falso import TelegramFalso

SECRETO = "secreto_de_prueba-0123456789abcdef"
pytestmark = [pytest.mark.servidor, pytest.mark.lento]


@pytest.fixture
def doble() -> Iterator[TelegramFalso]:
    d = TelegramFalso().iniciar()
    yield d
    d.detener()


@pytest.fixture(autouse=True)
def base(tmp_path: Path) -> Path:
    """La base migrada de la prueba (se copia antes: la plantilla se arma con asyncio.run)."""
    destino = tmp_path / "bd.db"
    shutil.copyfile(_base_plantilla(), destino)
    return destino


def _entorno(tmp_path: Path, doble: TelegramFalso, **extra: str) -> dict[str, str]:
    limpio = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WHATSAPP_"))}
    return {**limpio, "DATABASE_URL": f"sqlite:///{tmp_path / 'bd.db'}",
            "DOCUMENTOS_DIR": str(tmp_path / "docs"), "NLU_URL": "http://127.0.0.1:9",
            "TELEGRAM_TOKEN": doble.token, "TELEGRAM_API_URL": doble.url_api,
            "TELEGRAM_RITMO_CHAT_S": "0.05", **extra}


async def test_servir_atiende_telegram_por_sondeo(tmp_path: Path, doble: TelegramFalso) -> None:
    servidor = ServidorReal(_entorno(tmp_path, doble), tmp_path / "servir.log")
    servidor.iniciar()
    try:
        ana = ConversadorTelegram(doble, 1001)
        respuestas = await ana.escribir("hola")
        assert "Ciudades Hermanas" in ana.textos(respuestas)
        titulo = next(b["text"] for r in respuestas for b in r.botones)
        assert await ana.pulsar(titulo)
    finally:
        servidor.detener()
    assert "Traceback" not in (tmp_path / "servir.log").read_text()


async def test_servir_atiende_telegram_por_webhook(tmp_path: Path, doble: TelegramFalso) -> None:
    servidor = ServidorReal({}, tmp_path / "servir.log")
    servidor.entorno = _entorno(
        tmp_path, doble, TELEGRAM_MODO="webhook", TELEGRAM_WEBHOOK_SECRET=SECRETO,
        TELEGRAM_WEBHOOK_URL=f"{servidor.url}/telegram/webhook")
    servidor.iniciar()
    try:
        ana = ConversadorTelegram(doble, 1002)
        respuestas = await ana.escribir("hola")
        assert respuestas and doble.webhook["secret_token"] == SECRETO
        assert not doble.de_metodo("getUpdates")
    finally:
        servidor.detener()


def test_servir_se_niega_a_webhook_sin_secreto(tmp_path: Path, doble: TelegramFalso) -> None:
    servidor = ServidorReal(_entorno(tmp_path, doble, TELEGRAM_MODO="webhook"),
                            tmp_path / "servir.log")
    with pytest.raises(RuntimeError, match="TELEGRAM_WEBHOOK_SECRET"):
        servidor.iniciar()
    servidor.detener()


def _orden(*argumentos: str, entorno: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli", *argumentos], cwd=RAIZ, env=entorno,
                          capture_output=True, text=True, timeout=60, check=False)


def test_orden_telegram_webhook_registra_con_secreto(tmp_path: Path,
                                                     doble: TelegramFalso) -> None:
    entorno = _entorno(tmp_path, doble, TELEGRAM_WEBHOOK_SECRET=SECRETO)
    url = "https://asistente.ejemplo.gob.mx/telegram/webhook"
    r = _orden("telegram", "webhook", "--url", url, entorno=entorno)
    assert r.returncode == 0, r.stderr
    assert doble.webhook == {"url": url, "secret_token": SECRETO}
    r = _orden("telegram", "webhook", "--borrar", entorno=entorno)
    assert r.returncode == 0 and doble.webhook == {}
    sin_secreto = _orden("telegram", "webhook", "--url", url,
                         entorno=_entorno(tmp_path, doble))
    assert sin_secreto.returncode == 2 and "TELEGRAM_WEBHOOK_SECRET" in sin_secreto.stderr


async def test_orden_telegram_atiende_por_sondeo_hasta_ctrl_c(tmp_path: Path,
                                                              doble: TelegramFalso) -> None:
    bitacora = tmp_path / "telegram.log"
    with open(bitacora, "wb") as salida:
        proceso = subprocess.Popen([sys.executable, "-m", "bot.cli", "telegram"], cwd=RAIZ,
                                   env=_entorno(tmp_path, doble), stdout=salida, stderr=salida)
        try:
            ana = ConversadorTelegram(doble, 1003)
            assert await ana.escribir("hola")
        finally:
            proceso.send_signal(signal.SIGINT)
            fin = time.monotonic() + 20
            while proceso.poll() is None and time.monotonic() < fin:
                time.sleep(0.1)
            if proceso.poll() is None:
                proceso.kill()
    assert proceso.returncode == 0, bitacora.read_text()
