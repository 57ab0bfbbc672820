"""Canal Telegram por sondeo, de punta a punta: el cliente real python-telegram-bot habla con
el doble de la Bot API (TELEGRAM_API_URL) y la aplicación corre con uvicorn en un hilo."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterator

import pytest

from bot.config import Ajustes, AjustesTelegram

from dobles import fabricas_telegram as ft
from dobles.aplicacion import app_en_hilo, consultar
from dobles.conversar import ConversadorTelegram, esperar_respuestas
from dobles.servidor_hilo import ServidorEnHilo
from dobles.telegram_falso import TelegramFalso

pytestmark = [pytest.mark.servidor, pytest.mark.lento]


@pytest.fixture
def doble() -> Iterator[TelegramFalso]:
    d = TelegramFalso().iniciar()
    yield d
    d.detener()


@pytest.fixture
def config(ajustes_prueba: Ajustes, doble: TelegramFalso) -> Ajustes:
    return ajustes_prueba.model_copy(update={"telegram": AjustesTelegram(
        token=doble.token, api_url=doble.url_api, modo="polling", ritmo_chat_s=0.05,
        global_por_s=200)})


@pytest.fixture
def app(config: Ajustes) -> Iterator[ServidorEnHilo]:
    with app_en_hilo(config) as servidor:
        yield servidor


async def test_conversacion_con_botones_por_sondeo(app: ServidorEnHilo,
                                                   doble: TelegramFalso) -> None:
    ana = ConversadorTelegram(doble, 501)
    respuestas = await ana.escribir("hola")
    assert "Ciudades Hermanas" in ana.textos(respuestas)
    assert all(r.datos["parse_mode"] == "HTML" for r in respuestas)
    con_botones = [r for r in respuestas if r.botones]
    assert con_botones, "el saludo ofrece botones"
    boton = con_botones[-1].botones[0]
    assert len(boton["callback_data"].encode()) <= 64
    despues = await ana.pulsar(boton["text"])
    assert despues and despues[0].texto
    contestado = doble.de_metodo("answerCallbackQuery")
    assert len(contestado) == 1 and contestado[0].codigo == 200
    retirado = doble.de_metodo("editMessageReplyMarkup")
    assert retirado and retirado[0].datos["message_id"] == con_botones[-1].respuesta[
        "result"]["message_id"]
    assert doble.de_metodo("deleteWebhook"), "el sondeo empieza quitando el webhook"


async def test_documento_subido_queda_en_el_almacen_con_sha256(
        app: ServidorEnHilo, doble: TelegramFalso, url_bd: str) -> None:
    contenido = b"%PDF-1.4\nacta de cabildo de prueba\n%%EOF"
    ana = ConversadorTelegram(doble, 502)
    await ana.escribir("hola")
    await ana.enviar_documento("acta_cabildo.pdf", "application/pdf", contenido)
    assert doble.de_metodo("getFile")
    filas = consultar(url_bd, "SELECT nombre_archivo, mime, tamano, sha256 FROM documento "
                              "WHERE tipo = 'sin_clasificar'")
    assert filas == [("acta_cabildo.pdf", "application/pdf", len(contenido),
                      hashlib.sha256(contenido).hexdigest())]
    entrada = consultar(url_bd, "SELECT tipo, id_externo FROM mensaje WHERE adjunto_id IS NOT "
                                "NULL")
    assert entrada[0][0] == "archivo" and entrada[0][1].startswith("502:")


async def test_update_reenviado_se_procesa_una_vez(app: ServidorEnHilo, doble: TelegramFalso,
                                                   url_bd: str) -> None:
    ana = ConversadorTelegram(doble, 503)
    await ana.escribir("hola")
    antes = len(doble.enviados(503))
    original = ft.texto(doble, 503, "menú")
    doble.publicar(original)
    await esperar_respuestas(lambda: len(doble.enviados(503)), antes, 0.5)
    enviados = len(doble.enviados(503))
    # Telegram lo vuelve a entregar (nuevo update_id, mismo mensaje) y otro igual al original
    copia = {**original, "update_id": doble.nuevo_update_id()}
    doble.publicar(copia)
    await asyncio.sleep(1.0)
    assert len(doble.enviados(503)) == enviados, "un reenvío no produce respuestas nuevas"
    mensaje_id = original["message"]["message_id"]
    filas = consultar(url_bd, "SELECT COUNT(*) FROM mensaje WHERE id_externo = ?",
                      f"503:{mensaje_id}")
    assert filas == [(1,)]


async def test_message_id_repetido_en_otro_chat_no_es_reenvio(
        app: ServidorEnHilo, doble: TelegramFalso, url_bd: str) -> None:
    doble.publicar(ft.mensaje(doble, 601, message_id=7, text="hola"))
    doble.publicar(ft.mensaje(doble, 602, message_id=7, text="hola"))
    await esperar_respuestas(lambda: len(doble.enviados(602)), 0, 0.4)
    await esperar_respuestas(lambda: len(doble.enviados(601)), 0, 0.1)
    filas = consultar(url_bd, "SELECT id_externo FROM mensaje WHERE direccion = 'entrada' "
                              "ORDER BY id_externo")
    assert filas == [("601:7",), ("602:7",)]


async def test_sticker_y_nota_de_voz_reciben_que_se_admite(
        app: ServidorEnHilo, doble: TelegramFalso, url_bd: str) -> None:
    ana = ConversadorTelegram(doble, 504)
    await ana.escribir("hola")
    for update in (ft.sticker(doble, 504), ft.voz(doble, 504)):
        antes = len(doble.enviados(504))
        doble.publicar(update)
        await esperar_respuestas(lambda: len(doble.enviados(504)), antes, 0.4)
        assert "documentos" in doble.enviados(504)[-1].texto
    tipos = {f[0] for f in consultar(url_bd, "SELECT tipo FROM mensaje WHERE tipo LIKE "
                                             "'no_soportado%'")}
    assert tipos == {"no_soportado:sticker", "no_soportado:voz"}


async def test_un_429_se_reintenta_despues_de_retry_after(
        app: ServidorEnHilo, doble: TelegramFalso, url_bd: str) -> None:
    ana = ConversadorTelegram(doble, 505)
    await ana.escribir("hola")
    doble.limitar("sendMessage", veces=1, retry_after=1)
    await ana.escribir("menú")
    intentos = [c for c in doble.de_metodo("sendMessage") if c.chat_id == 505]
    rechazado = next(i for i, c in enumerate(intentos) if c.codigo == 429)
    reintento = intentos[rechazado + 1]
    assert reintento.codigo == 200 and reintento.t - intentos[rechazado].t >= 1.0
    assert reintento.datos == intentos[rechazado].datos, "reintenta el mismo mensaje"
    pendientes = consultar(url_bd, "SELECT COUNT(*) FROM mensaje WHERE direccion = 'salida' "
                                   "AND (envio IS NULL OR envio != 'enviado')")
    assert pendientes == [(0,)]


async def test_un_403_marca_al_usuario_y_no_se_reintenta(
        app: ServidorEnHilo, doble: TelegramFalso, url_bd: str) -> None:
    ana = ConversadorTelegram(doble, 506)
    await ana.escribir("hola")
    doble.bloquear(506)
    doble.publicar(ft.texto(doble, 506, "menú"))
    for _ in range(100):
        if consultar(url_bd, "SELECT bloqueo_canal FROM usuario WHERE id_externo = '506'") == [
                (1,)]:
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("el usuario no quedó marcado")
    await asyncio.sleep(0.5)
    rechazados = [c for c in doble.de_metodo("sendMessage") if c.codigo == 403]
    assert len(rechazados) == 1, "un 403 no se reintenta"
    estados = consultar(url_bd, "SELECT DISTINCT m.envio FROM mensaje m JOIN conversacion c ON "
                                "c.id = m.conversacion_id JOIN usuario u ON u.id = c.usuario_id "
                                "WHERE u.id_externo = '506' AND m.direccion = 'salida'")
    assert set(estados) == {("enviado",), ("fallido",)}
    # Vuelve a escribir: ya no cuenta como bloqueado y su respuesta sale.
    doble.desbloquear(506)
    respuestas = await ana.escribir("menú")
    assert respuestas
    assert consultar(url_bd, "SELECT bloqueo_canal FROM usuario WHERE id_externo = '506'") == [
        (0,)]
