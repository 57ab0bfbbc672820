"""Envío por Telegram con el cliente real contra el doble: trozos de 4096, teclado con
payloads largos guardados en el servidor, documentos, emisor y bloqueo (403)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy import select
from telegram import Bot

from bot.canales import payloads
from bot.canales.telegram.canal import CanalTelegram
from bot.canales.telegram.envio import EmisorTelegram
from bot.canales.telegram.mensajero import MensajeroTelegram
from bot.config import AjustesTelegram
from bot.db.modelos import PayloadBoton, Usuario
from bot.nucleo.mensajes import Boton, Canal, DocumentoSaliente, MensajeEntrante, Respuesta
from bot.servicios import Servicios

from dobles.telegram_falso import TelegramFalso

pytestmark = pytest.mark.servidor

CHAT = 4242


@pytest.fixture
def doble() -> Iterator[TelegramFalso]:
    d = TelegramFalso().iniciar()
    yield d
    d.detener()


@pytest.fixture
async def emisor(doble: TelegramFalso, servicios: Servicios) -> AsyncIterator[EmisorTelegram]:
    bot = Bot(doble.token, base_url=doble.url_api)
    async with bot:
        yield EmisorTelegram(bot, servicios.almacen)


async def test_texto_largo_en_trozos_con_teclado_en_el_ultimo(
        emisor: EmisorTelegram, doble: TelegramFalso) -> None:
    texto = "\n\n".join(f"*Requisito {i}.* " + "detalle " * 60 for i in range(20))
    resultado = await emisor.enviar(str(CHAT), [Respuesta(texto, [Boton("Menú", "/menu")])], None)
    assert resultado.estado == "enviado"
    enviados = doble.enviados(CHAT)
    assert len(enviados) == 3
    assert all(len(e.texto) <= 4096 + 200 for e in enviados)  # HTML: las etiquetas no cuentan
    assert [bool(e.botones) for e in enviados] == [False, False, True]
    assert enviados[0].texto.startswith("<b>Requisito 0.</b>")


async def test_payload_largo_viaja_como_clave_y_se_recupera(
        emisor: EmisorTelegram, doble: TelegramFalso, servicios: Servicios) -> None:
    largo = "/iniciar registro_iniciativa municipio=Santa María del Río pais=Países Bajos " * 2
    await emisor.enviar(str(CHAT), [Respuesta("Elija", [Boton("Largo", largo),
                                                        Boton("Corto", "/menu")])], None)
    datos = [b["callback_data"] for b in doble.enviados(CHAT)[0].botones]
    assert datos[1] == "/menu"
    assert datos[0].startswith("~") and len(datos[0].encode()) <= 64
    assert await payloads.expandir(servicios.almacen, datos[0]) == largo
    async with servicios.almacen.lectura() as s:
        assert len((await s.scalars(select(PayloadBoton))).all()) == 1


async def test_documento_generado_se_envia_con_send_document(
        emisor: EmisorTelegram, doble: TelegramFalso) -> None:
    pdf = b"%PDF-1.4 ficha del caso"
    await emisor.enviar(str(CHAT), [Respuesta("Su *ficha*", documento=DocumentoSaliente(
        "ficha_CDMX-2025-0001.pdf", "application/pdf", pdf))], None)
    (envio,) = doble.enviados(CHAT)
    assert envio.metodo == "sendDocument"
    assert envio.archivo is not None and envio.archivo[0] == "ficha_CDMX-2025-0001.pdf"
    assert envio.archivo[2] == pdf and envio.texto == "Su <b>ficha</b>"


async def test_usuario_que_bloqueo_al_bot_queda_marcado(
        emisor: EmisorTelegram, doble: TelegramFalso, servicios: Servicios) -> None:
    await servicios.motor.procesar(MensajeEntrante(Canal.TELEGRAM, str(CHAT), f"{CHAT}:1", "hola"))
    doble.bloquear(CHAT)
    resultado = await emisor.enviar(str(CHAT), [Respuesta("Su asesor le respondió.")], None)
    assert resultado.estado == "bloqueado"
    assert len(doble.de_metodo("sendMessage")) == 1
    async with servicios.almacen.lectura() as s:
        usuario = await s.scalar(select(Usuario).where(Usuario.id_externo == str(CHAT)))
        assert usuario is not None and usuario.bloqueo_canal


async def test_canal_expone_el_bot_y_registra_su_emisor(
        doble: TelegramFalso, servicios: Servicios) -> None:
    config = servicios.ajustes.model_copy(update={"telegram": AjustesTelegram(
        token=doble.token, api_url=doble.url_api, modo="polling")})
    canal = CanalTelegram(servicios, config)
    assert isinstance(servicios.mensajero_asesores, MensajeroTelegram)
    assert servicios.mensajero_asesores.bot is canal.app.bot
    assert isinstance(servicios.emisores.de("telegram"), EmisorTelegram)
