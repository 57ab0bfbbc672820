"""Un `kill -9` con respuestas guardadas sin enviar no las pierde: al reiniciar, el barrido de la
bandeja de salida las envía, en orden y una vez, sin que la persona vuelva a escribir.

El servidor real (`hermanamientos servir`, otro proceso) atiende Telegram por sondeo o
WhatsApp por webhook contra los dobles. La plataforma rechaza los envíos (429) mientras la
persona escribe dos veces: la primera respuesta queda reclamada (`pendiente`, el envío a medias)
y las de la segunda nacen reclamadas y esperan en la fila del repartidor detrás de ella.
Entonces se mata el proceso y, «diez minutos después», se arranca otro."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import signal
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import ServidorReal, _base_plantilla
from dobles import fabricas_telegram as ft
from dobles import fabricas_whatsapp as fw
from dobles.graph_falso import PHONE_ID, SECRETO_APP, TOKEN, VERIFICACION, GraphFalso
from dobles.telegram_falso import TelegramFalso

pytestmark = [pytest.mark.servidor, pytest.mark.lento]
CHAT = 1201
WA = "5213312000001"
FORMATO = "%Y-%m-%d %H:%M:%S.%f"


@pytest.fixture
def bd(tmp_path: Path) -> Path:
    destino = tmp_path / "bd.db"
    shutil.copyfile(_base_plantilla(), destino)
    return destino


def _entorno(tmp_path: Path, bd: Path, **extra: str) -> dict[str, str]:
    limpio = {k: v for k, v in os.environ.items()
              if not k.startswith(("TELEGRAM_", "WHATSAPP_", "BANDEJA_"))}
    return {**limpio, "DATABASE_URL": f"sqlite:///{bd}", "DOCUMENTOS_DIR": str(tmp_path / "docs"),
            "NLU_URL": "http://127.0.0.1:9", "BANDEJA_BARRIDO_S": "0.3", **extra}


def _consultar(bd: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(bd, timeout=15) as c:
        return list(c.execute(sql).fetchall())


def _salidas(bd: Path) -> list[tuple[object, ...]]:
    """(texto, envio) de las respuestas del bot, en orden."""
    return _consultar(bd, "SELECT texto, envio FROM mensaje WHERE direccion = 'salida' "
                          "ORDER BY id")


async def _esperar(condicion: Callable[[], bool], limite: float = 30.0) -> None:
    fin = time.monotonic() + limite
    while time.monotonic() < fin:
        if condicion():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("no ocurrió a tiempo")


def _diez_minutos_despues(bd: Path) -> None:
    """Corre el reloj: todo lo guardado pasa a tener diez minutos más."""
    with sqlite3.connect(bd, timeout=15) as c:
        for tabla, columna in (("mensaje", "creado_en"), ("usuario", "ultimo_mensaje_en")):
            for ident, valor in c.execute(f"SELECT id, {columna} FROM {tabla} "
                                          f"WHERE {columna} IS NOT NULL").fetchall():
                antes = dt.datetime.fromisoformat(valor) - dt.timedelta(minutes=10)
                c.execute(f"UPDATE {tabla} SET {columna} = ? WHERE id = ?",
                          (antes.strftime(FORMATO), ident))


async def _caida_a_medio_envio(servidor: ServidorReal, bd: Path, escribir: Callable[[str], None],
                               rechazados: Callable[[], int]) -> None:
    """Dos mensajes con la plataforma rechazando envíos; luego `kill -9`."""
    servidor.iniciar()
    try:
        escribir("hola")
        await _esperar(lambda: rechazados() > 0)  # la primera respuesta está a medio enviar
        escribir("menú")
        await _esperar(lambda: _consultar(bd, "SELECT count(*) FROM mensaje WHERE direccion = "
                                              "'entrada' AND procesado_en IS NOT NULL")[0][0] == 2)
    finally:
        servidor.detener(signal.SIGKILL)
    estados = [envio for _, envio in _salidas(bd)]
    assert len(estados) >= 2 and set(estados) == {"pendiente"}, estados


@pytest.fixture
def doble_tg() -> Iterator[TelegramFalso]:
    d = TelegramFalso().iniciar()
    yield d
    d.detener()


async def test_telegram_kill_9_con_respuestas_sin_enviar(tmp_path: Path, bd: Path,
                                                         doble_tg: TelegramFalso) -> None:
    entorno = _entorno(tmp_path, bd, TELEGRAM_TOKEN=doble_tg.token,
                       TELEGRAM_API_URL=doble_tg.url_api, TELEGRAM_RITMO_CHAT_S="0.05")
    doble_tg.limitar("sendMessage", veces=1000, retry_after=30)
    await _caida_a_medio_envio(
        ServidorReal(entorno, tmp_path / "uno.log"), bd,
        lambda texto: doble_tg.publicar(ft.texto(doble_tg, CHAT, texto)),
        lambda: sum(1 for c in doble_tg.de_metodo("sendMessage") if c.codigo == 429))
    assert doble_tg.enviados(CHAT) == []
    doble_tg.fallas.clear()  # la plataforma vuelve a aceptar envíos
    _diez_minutos_despues(bd)

    segundo = ServidorReal(entorno, tmp_path / "dos.log")
    segundo.iniciar()
    try:
        await _esperar(lambda: all(envio == "enviado" for _, envio in _salidas(bd)))
        await asyncio.sleep(1.5)  # varios barridos más: nada se repite
    finally:
        segundo.detener()
    textos = [e.texto for e in doble_tg.enviados(CHAT)]
    assert len(textos) == len(_salidas(bd)) == 3
    assert "Ciudades Hermanas" in textos[0] and "Aviso de privacidad" in textos[1]
    assert "Elija una opción" in textos[2]
    assert "Traceback" not in (tmp_path / "dos.log").read_text()


@pytest.fixture
def doble_wa() -> Iterator[GraphFalso]:
    d = GraphFalso().iniciar()
    yield d
    d.detener()


async def test_whatsapp_kill_9_con_respuestas_sin_enviar(tmp_path: Path, bd: Path,
                                                         doble_wa: GraphFalso) -> None:
    entorno = _entorno(tmp_path, bd, WHATSAPP_PHONE_ID=PHONE_ID, WHATSAPP_TOKEN=TOKEN,
                       WHATSAPP_APP_SECRET=SECRETO_APP, WHATSAPP_VERIFY_TOKEN=VERIFICACION,
                       WHATSAPP_API_URL=doble_wa.url, WHATSAPP_RITMO_USUARIO_S="0.02")
    primero = ServidorReal(entorno, tmp_path / "uno.log")
    doble_wa.webhook_url = f"{primero.url}/whatsapp/webhook"
    doble_wa.fallar(veces=1000)  # 429 de Meta: el enviador reintenta con espera creciente
    await _caida_a_medio_envio(
        primero, bd, lambda texto: doble_wa.publicar(fw.texto(WA, texto)),
        lambda: sum(1 for e in doble_wa.enviados if e.codigo == 429))
    assert doble_wa.mensajes(WA) == []
    doble_wa.fallas.clear()
    _diez_minutos_despues(bd)

    segundo = ServidorReal(entorno, tmp_path / "dos.log")
    doble_wa.webhook_url = f"{segundo.url}/whatsapp/webhook"
    segundo.iniciar()
    try:
        await _esperar(lambda: all(envio == "enviado" for _, envio in _salidas(bd)))
        await asyncio.sleep(1.5)
    finally:
        segundo.detener()
    enviados = doble_wa.mensajes(WA)
    cuerpos = [str(e.cuerpo) for e in enviados]
    assert len(cuerpos) == len(set(cuerpos)), "nada se envió dos veces"
    assert "Ciudades Hermanas" in enviados[0].texto
    assert "Elija una opción" in enviados[-1].texto
    assert "Traceback" not in (tmp_path / "dos.log").read_text()
