"""Asesores en Telegram (PTB 22 real contra el doble de la Bot API): aviso con botones, toma
atómica con edición de los avisos de los demás, relé con un usuario de WhatsApp, comandos y
autorización por estado."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select
from telegram import Bot, Update
from telegram.ext import Application, ApplicationBuilder

from bot.canales.telegram.asesores import registrar_asesores
from bot.canales.telegram.mensajero import MensajeroTelegram
from bot.db import diferidos
from bot.db.modelos import BloqueoAcceso, Caso, EventoCaso, ahora
from bot.escalamiento.asesores import nuevo_codigo, por_email
from bot.nucleo.mensajes import Canal, MensajeEntrante
from bot.servicios import Servicios

from dobles import escalamiento_datos as datos
from dobles import fabricas_telegram as fab
from dobles.telegram_falso import TelegramFalso

pytestmark = pytest.mark.servidor

ANA, BETO, LEO, EXTRANO = 9001, 9004, 9005, 7777


@pytest.fixture
async def tg(servicios: Servicios) -> AsyncIterator[tuple[TelegramFalso, Application[Any, Any, Any, Any, Any, Any]]]:  # noqa: E501
    doble = TelegramFalso().iniciar()
    bot = Bot(doble.token, base_url=doble.url_api)
    app = ApplicationBuilder().bot(bot).updater(None).build()
    registrar_asesores(app, servicios)
    await app.initialize()
    servicios.mensajero_asesores = MensajeroTelegram(app.bot)
    try:
        yield doble, app
    finally:
        await diferidos.esperar()
        await app.shutdown()
        doble.detener()


async def enviar(app: Any, update: dict[str, Any]) -> None:
    await app.process_update(Update.de_json(update, app.bot))
    await diferidos.esperar()


def ultimo(doble: TelegramFalso, chat: int) -> str:
    enviados = doble.enviados(chat)
    return enviados[-1].texto if enviados else ""


@pytest.mark.lento
async def test_flujo_completo_y_autorizacion(servicios: Servicios, tg: Any) -> None:
    doble, app = tg
    emisor = datos.EmisorGrabador()
    servicios.emisores.registrar("whatsapp", emisor)
    await datos.asesor(servicios, "ana@jal.gob.mx", telegram_id=str(ANA), nombre="Ana")
    await datos.asesor(servicios, "beto@jal.gob.mx", telegram_id=str(BETO), nombre="Beto")
    await datos.asesor(servicios, "leo@nl.gob.mx", estados=("NL",), telegram_id=str(LEO))
    uid = await datos.usuario(servicios, "5213300000009", canal="whatsapp")
    folio = await datos.caso(servicios, uid)
    await servicios.motor.procesar(MensajeEntrante(Canal.WHATSAPP, "5213300000009", "w1",
                                                   texto="asesor"))
    await diferidos.esperar()
    avisos = {c.chat_id: c for c in doble.enviados()}
    assert set(avisos) == {ANA, BETO}
    assert folio in avisos[ANA].texto and "Guadalajara" in avisos[ANA].texto
    assert [b["text"] for b in avisos[ANA].botones] == ["Tomar", "Ver caso"]
    datos_tomar = avisos[ANA].botones[0]["callback_data"]

    # Quien no es asesor no obtiene nada; un asesor de otro estado tampoco.
    await enviar(app, fab.texto(doble, EXTRANO, "/pendientes",
                                entities=[{"type": "bot_command", "offset": 0, "length": 11}]))
    assert "solo para asesores" in ultimo(doble, EXTRANO) and folio not in ultimo(doble, EXTRANO)
    for orden in (f"/caso {folio}", f"/tomar {folio}", f"/estado {folio} en_revision_estatal"):
        largo = len(orden.split()[0])
        await enviar(app, fab.texto(doble, LEO, orden,
                                    entities=[{"type": "bot_command", "offset": 0,
                                               "length": largo}]))
        assert "No encontré ese caso" in ultimo(doble, LEO)
    await enviar(app, fab.texto(doble, LEO, "/pendientes",
                                entities=[{"type": "bot_command", "offset": 0, "length": 11}]))
    assert folio not in ultimo(doble, LEO)
    await enviar(app, fab.callback(doble, LEO, datos_tomar, None))
    assert "No encontré ese caso" in ultimo(doble, LEO)

    # Ana pulsa «Tomar»: gana, y el aviso de Beto se edita con quién lo tomó.
    await enviar(app, fab.callback(doble, ANA, datos_tomar, avisos[ANA].respuesta["result"]))
    assert "Usted atiende esta conversación" in ultimo(doble, ANA)
    ediciones = {c.chat_id: c.texto for c in doble.de_metodo("editMessageText")}
    assert "Lo tomó Ana" in ediciones[BETO] and "Usted tomó" in ediciones[ANA]
    await enviar(app, fab.texto(doble, BETO, f"/tomar {folio}",
                                entities=[{"type": "bot_command", "offset": 0, "length": 6}]))
    assert "ya no está en espera" in ultimo(doble, BETO)
    assert any("Le atiende Ana" in t for t in emisor.textos())

    # Relé: WhatsApp → Telegram y Telegram → WhatsApp; el bot solo acusa recibo.
    acuse = await servicios.motor.procesar(MensajeEntrante(
        Canal.WHATSAPP, "5213300000009", "w2", texto="Hola, ¿qué documentos faltan?"))
    assert [r.texto.split(",")[0] for r in acuse] == ["Le hice llegar su mensaje a Ana"]
    await diferidos.esperar()
    assert "¿qué documentos faltan?" in ultimo(doble, ANA)
    await enviar(app, fab.texto(doble, ANA, "Falta el acta de cabildo."))
    assert "*Ana:* Falta el acta de cabildo." in emisor.textos()

    await enviar(app, fab.texto(doble, ANA, "/nota Llamar el lunes",
                                entities=[{"type": "bot_command", "offset": 0, "length": 5}]))
    await enviar(app, fab.texto(doble, ANA, f"/estado {folio} en_revision_estatal Recibido",
                                entities=[{"type": "bot_command", "offset": 0, "length": 7}]))
    assert "En revisión estatal" in ultimo(doble, ANA)
    await enviar(app, fab.texto(doble, ANA, f"/caso {folio}",
                                entities=[{"type": "bot_command", "offset": 0, "length": 5}]))
    assert "Llamar el lunes" in ultimo(doble, ANA)
    await enviar(app, fab.texto(doble, ANA, "/cerrar Quedó resuelto",
                                entities=[{"type": "bot_command", "offset": 0, "length": 7}]))
    assert "vuelve con el asistente" in ultimo(doble, ANA)
    assert any("Terminó la conversación con Ana" in t and "Quedó resuelto" in t
               for t in emisor.textos())
    async with servicios.almacen.lectura() as s:
        caso = await s.scalar(select(Caso).where(Caso.folio == folio))
        tipos = (await s.scalars(select(EventoCaso.tipo).order_by(EventoCaso.id))).all()
    assert caso is not None and caso.estatus == "en_revision_estatal"
    assert {"nota", "estatus", "traspaso_tomada", "traspaso_atendida",
            "traspaso_cerrada"} <= set(tipos)


async def test_vincular_con_codigo_de_un_solo_uso(servicios: Servicios, tg: Any) -> None:
    doble, app = tg
    await datos.asesor(servicios, "eva@jal.gob.mx", nombre="Eva")
    async with servicios.almacen.escritura() as s:
        eva = await por_email(s, "eva@jal.gob.mx")
        assert eva is not None
        codigo = await nuevo_codigo(s, eva)
    comando = {"entities": [{"type": "bot_command", "offset": 0, "length": 9}]}
    await enviar(app, fab.texto(doble, 5555, "/vincular ZZZZZZZZ", **comando))
    assert "no es válido" in ultimo(doble, 5555)
    await enviar(app, fab.texto(doble, 5555, f"/vincular {codigo}", **comando))
    assert "Eva" in ultimo(doble, 5555)
    await enviar(app, fab.texto(doble, 6666, f"/vincular {codigo}", **comando))
    assert "no es válido" in ultimo(doble, 6666)
    await enviar(app, fab.texto(doble, 5555, "/pendientes",
                                entities=[{"type": "bot_command", "offset": 0, "length": 11}]))
    assert "No hay solicitudes" in ultimo(doble, 5555)


def orden(doble: TelegramFalso, chat: int, texto: str) -> dict[str, Any]:
    """Un comando (la entidad bot_command cubre la primera palabra)."""
    largo = len(texto.split()[0])
    return fab.texto(doble, chat, texto,
                     entities=[{"type": "bot_command", "offset": 0, "length": largo}])


async def test_uso_botones_y_pendientes(servicios: Servicios, tg: Any) -> None:
    doble, app = tg
    servicios.emisores.registrar("whatsapp", datos.EmisorGrabador())
    await datos.asesor(servicios, "ana@jal.gob.mx", telegram_id=str(ANA), nombre="Ana")
    await datos.asesor(servicios, "leo@nl.gob.mx", estados=("NL",), telegram_id=str(LEO))
    uid = await datos.usuario(servicios, "5213300000009", canal="whatsapp")
    folio = await datos.caso(servicios, uid)
    await servicios.motor.procesar(MensajeEntrante(Canal.WHATSAPP, "5213300000009", "w1",
                                                   texto="asesor"))
    await diferidos.esperar()
    aviso = doble.enviados(ANA)[-1]
    ver = aviso.botones[1]["callback_data"]

    # Sin argumentos, a cualquiera se le dice primero cómo se usa el comando.
    for texto, uso in (("/tomar", "/tomar FOLIO"), (f"/estado {folio}", "Uso: /estado FOLIO"),
                       ("/caso", "Uso: /caso FOLIO")):
        await enviar(app, orden(doble, EXTRANO, texto))
        assert uso in ultimo(doble, EXTRANO)

    # «Ver caso»: la ficha para Ana; nada para Leo (otro estado) ni para quien no es asesor.
    # Todo botón se contesta (quita el «cargando»), también el de quien no es asesor.
    await enviar(app, fab.callback(doble, ANA, ver, aviso.respuesta["result"]))
    assert f"Caso {folio}" in ultimo(doble, ANA) and "Puede pasar a" in ultimo(doble, ANA)
    await enviar(app, fab.callback(doble, LEO, ver, None))
    assert "No encontré ese caso" in ultimo(doble, LEO)
    await enviar(app, fab.callback(doble, EXTRANO, ver, None))
    assert "solo para asesores" in ultimo(doble, EXTRANO)
    assert len(doble.de_metodo("answerCallbackQuery")) == 3

    # /pendientes: la solicitud con su botón «Tomar», que funciona como el del aviso.
    await enviar(app, orden(doble, ANA, "/pendientes"))
    pendientes = doble.enviados(ANA)[-1]
    assert "En espera" in pendientes.texto and "espera 0 min" in pendientes.texto
    assert [b["text"] for b in pendientes.botones] == [f"Tomar {folio}"]
    await enviar(app, fab.callback(doble, ANA, pendientes.botones[0]["callback_data"],
                                   pendientes.respuesta["result"]))
    assert "Usted atiende esta conversación" in ultimo(doble, ANA)
    await enviar(app, orden(doble, ANA, "/nota"))
    assert ultimo(doble, ANA) == "La nota está vacía."
    await enviar(app, orden(doble, ANA, "/cerrar"))
    assert f"Cerró {folio}" in ultimo(doble, ANA)
    await enviar(app, orden(doble, ANA, "/cerrar"))
    assert ultimo(doble, ANA) == "No tiene conversaciones abiertas."


async def test_vincular_vence_en_24_horas_y_admite_cinco_intentos(servicios: Servicios,
                                                                 tg: Any) -> None:
    doble, app = tg
    await datos.asesor(servicios, "eva@jal.gob.mx", nombre="Eva")
    async with servicios.almacen.escritura() as s:
        eva = await por_email(s, "eva@jal.gob.mx")
        assert eva is not None
        codigo = await nuevo_codigo(s, eva)
        assert eva.codigo_vinculacion_vence is not None
        vence = eva.codigo_vinculacion_vence
    assert dt.timedelta(hours=23, minutes=59) < vence - ahora() <= dt.timedelta(hours=24)
    # Un código de hace más de 24 h ya no vale (y cuenta como intento fallido).
    async with servicios.almacen.escritura() as s:
        eva = await por_email(s, "eva@jal.gob.mx")
        assert eva is not None
        eva.codigo_vinculacion_vence = ahora() - dt.timedelta(seconds=1)
    await enviar(app, orden(doble, 5555, f"/vincular {codigo}"))
    assert "venció" in ultimo(doble, 5555)
    async with servicios.almacen.escritura() as s:
        eva = await por_email(s, "eva@jal.gob.mx")
        assert eva is not None
        codigo = await nuevo_codigo(s, eva)
    # Quien prueba códigos: cinco intentos fallidos y luego nada, ni con el código bueno.
    for intento in range(4):
        await enviar(app, orden(doble, 5555, f"/vincular ZZZZZ{intento:05d}"))
        assert "no es válido" in ultimo(doble, 5555)
    await enviar(app, orden(doble, 5555, f"/vincular {codigo}"))
    assert "Demasiados intentos" in ultimo(doble, 5555)
    async with servicios.almacen.lectura() as s:
        eva = await por_email(s, "eva@jal.gob.mx")
        assert eva is not None and eva.telegram_id is None
        assert eva.codigo_vinculacion == codigo  # el código sigue para su dueña
    # Otra cuenta (la de Eva) sí lo usa; después de 24 h la primera vuelve a poder probar.
    await enviar(app, orden(doble, 6666, f"/vincular {codigo}"))
    assert "Eva" in ultimo(doble, 6666)
    async with servicios.almacen.escritura() as s:
        for fila in (await s.scalars(select(BloqueoAcceso))).all():
            fila.ultimo = ahora() - dt.timedelta(hours=24, seconds=1)
    await enviar(app, orden(doble, 5555, "/vincular ZZZZZ99999"))
    assert "no es válido" in ultimo(doble, 5555)


async def test_telegram_sigue_el_estado_del_caso(servicios: Servicios, tg: Any) -> None:
    """Perfil de Jalisco, caso de Nuevo León: el aviso va a Nuevo León y Jalisco no lo ve."""
    doble, app = tg
    servicios.emisores.registrar("whatsapp", datos.EmisorGrabador())
    await datos.asesor(servicios, "ana@jal.gob.mx", telegram_id=str(ANA), nombre="Ana")
    await datos.asesor(servicios, "leo@nl.gob.mx", estados=("NL",), telegram_id=str(LEO),
                       nombre="Leo")
    uid = await datos.usuario(servicios, "5213300000010", "JAL", canal="whatsapp")
    folio = await datos.caso(servicios, uid, "NL")
    await servicios.motor.procesar(MensajeEntrante(Canal.WHATSAPP, "5213300000010", "w1",
                                                   texto="asesor"))
    await diferidos.esperar()
    assert {c.chat_id for c in doble.enviados()} == {LEO}
    esc = await datos.traspaso_de(servicios, uid)
    assert esc is not None
    for texto in (f"/caso {folio}", f"/tomar {folio}", f"/tomar T-{esc.id}",
                  f"/estado {folio} en_revision_estatal"):
        await enviar(app, orden(doble, ANA, texto))
        assert "No encontré ese caso" in ultimo(doble, ANA), texto
    await enviar(app, orden(doble, ANA, "/pendientes"))
    assert folio not in ultimo(doble, ANA)
    for datos_boton in (f"esc:t:{esc.id}", f"esc:v:{esc.id}"):
        await enviar(app, fab.callback(doble, ANA, datos_boton, None))
        assert "No encontré ese caso" in ultimo(doble, ANA)
    # Ids que no caben en la base: «no encontrado», nunca un error.
    for texto in ("/tomar 99999999999999999999", "/tomar T-2147483648", "/tomar 0"):
        await enviar(app, orden(doble, LEO, texto))
        assert "No encontré ese caso" in ultimo(doble, LEO), texto
    await enviar(app, fab.callback(doble, LEO, "esc:v:99999999999999999999", None))
    assert "No encontré ese caso" in ultimo(doble, LEO)
    await enviar(app, orden(doble, LEO, f"/tomar {folio}"))
    assert "Usted atiende esta conversación" in ultimo(doble, LEO)
    async with servicios.almacen.lectura() as s:
        caso = await s.scalar(select(Caso).where(Caso.folio == folio))
    assert caso is not None and caso.estatus == "enviada"
