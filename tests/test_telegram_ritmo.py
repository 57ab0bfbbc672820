"""Ráfaga contra el doble con los límites por omisión: ningún chat recibe dos mensajes a
menos de 1 s y el bot nunca pasa de 30 mensajes en un segundo (marcas del doble)."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Iterator

import pytest

from bot.config import Ajustes, AjustesTelegram

from dobles import fabricas_telegram as ft
from dobles.aplicacion import app_en_hilo, consultar
from dobles.telegram_falso import TelegramFalso

pytestmark = [pytest.mark.servidor, pytest.mark.lento]

POR_CHAT_S = 1.0
GLOBAL_POR_S = 30


@pytest.fixture
def doble() -> Iterator[TelegramFalso]:
    d = TelegramFalso().iniciar()
    yield d
    d.detener()


async def test_rafaga_respeta_limites_por_chat_y_global(
        ajustes_prueba: Ajustes, doble: TelegramFalso, url_bd: str) -> None:
    # Los límites por omisión (1 s por chat, 25 por segundo en total).
    config = ajustes_prueba.model_copy(update={"telegram": AjustesTelegram(
        token=doble.token, api_url=doble.url_api, modo="polling")})
    with app_en_hilo(config):
        for chat in range(900, 940):  # 40 personas saludan a la vez
            doble.publicar(ft.texto(doble, chat, "hola"))
        for chat in (990, 991, 992):  # y tres escriben varias cosas seguidas
            for texto in ("hola", "menú", "ayuda", "menú"):
                doble.publicar(ft.texto(doble, chat, texto))
        limite = time.monotonic() + 90
        while time.monotonic() < limite:
            await asyncio.sleep(0.3)
            faltan = consultar(url_bd, "SELECT COUNT(*) FROM mensaje WHERE direccion = "
                                       "'salida' AND (envio IS NULL OR envio = 'pendiente')")
            procesados = consultar(url_bd, "SELECT COUNT(*) FROM mensaje WHERE direccion = "
                                           "'entrada' AND procesado_en IS NOT NULL")
            if faltan == [(0,)] and procesados == [(52,)]:
                break
    envios = doble.enviados()
    total = consultar(url_bd, "SELECT COUNT(*) FROM mensaje WHERE direccion = 'salida'")
    assert len(envios) == total[0][0] >= 52 * 2 - 40
    por_chat: dict[int | None, list[float]] = defaultdict(list)
    for envio in envios:
        por_chat[envio.chat_id].append(envio.t)
    separaciones = [b - a for marcas in por_chat.values() for a, b in zip(marcas, marcas[1:],
                                                                           strict=False)]
    assert separaciones and min(separaciones) >= POR_CHAT_S * 0.98, min(separaciones)
    marcas = sorted(e.t for e in envios)
    en_un_segundo = max(sum(1 for t in marcas[i:] if t - inicio < 1.0)
                        for i, inicio in enumerate(marcas))
    assert en_un_segundo <= GLOBAL_POR_S, en_un_segundo
