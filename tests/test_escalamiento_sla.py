"""SLA de primera respuesta: los temporizadores viven en la base y siguen tras un reinicio
(recordatorio → coordinación estatal → cola nacional); una respuesta apaga la cadena."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.canales.telegram.mensajero import MensajeroTelegram
from bot.config import Ajustes
from bot.db import diferidos
from bot.db.modelos import Conversacion, Escalamiento, EventoCaso, Temporizador, Usuario
from bot.escalamiento import sla, traspaso
from bot.escalamiento.asesores import por_id
from bot.escalamiento.horario import Horario, cuando
from bot.servicios import Servicios, crear_servicios

from dobles import escalamiento_datos as datos
from dobles.telegram_falso import TelegramFalso

CDMX = ZoneInfo("America/Mexico_City")  # la de ZONA_HORARIA por omisión
LUNES_10 = dt.datetime(2026, 3, 9, 10, 0, tzinfo=CDMX)


def test_horario_y_apertura_en_palabras() -> None:
    assert Horario("America/Mexico_City").describir() == "de lunes a viernes de 9:00 a 18:00"
    sabados = Horario("America/Mexico_City", dias=(0, 1, 2, 3, 4, 5), inicio=dt.time(8, 30),
                      fin=dt.time(14, 0))
    assert sabados.describir() == "de lunes a sábado de 8:30 a 14:00"
    h = Horario("America/Mexico_City")
    assert cuando(LUNES_10, h, LUNES_10) == "hoy a partir de las 10:00"
    assert cuando(LUNES_10, h, LUNES_10 - dt.timedelta(days=1)) == "mañana a partir de las 10:00"
    miercoles = LUNES_10 + dt.timedelta(days=2, hours=-1)
    assert cuando(miercoles, h, LUNES_10) == "el miércoles 11 de marzo a partir de las 9:00"
    utc = miercoles.astimezone(dt.timezone.utc)  # 15:00 UTC: se dice en la hora de la oficina
    assert cuando(utc, h, LUNES_10) == "el miércoles 11 de marzo a partir de las 9:00"


async def _solicitar(servicios: Servicios, uid: int, momento: dt.datetime) -> int:
    async with servicios.almacen.escritura() as s:
        u = await s.get(Usuario, uid)
        c = await s.scalar(select(Conversacion).where(Conversacion.usuario_id == uid))
        assert u is not None and c is not None
        await traspaso.solicitar(servicios, s, u, c, "solicitud_usuario", momento=momento)
    esc = await datos.traspaso_de(servicios, uid)
    assert esc is not None
    return esc.id


async def _bot(servicios: Servicios, doble: TelegramFalso) -> Any:
    from telegram import Bot

    bot = Bot(doble.token, base_url=doble.url_api)
    await bot.initialize()
    servicios.mensajero_asesores = MensajeroTelegram(bot)
    return bot


@pytest.mark.servidor
@pytest.mark.lento
async def test_sla_sobrevive_reinicio_y_escala(ajustes_prueba: Ajustes) -> None:
    doble = TelegramFalso().iniciar()
    try:
        primero = crear_servicios(ajustes_prueba, con_nlu=False)
        bot1 = await _bot(primero, doble)
        await datos.asesor(primero, "ana@jal.gob.mx", telegram_id="9001")
        await datos.asesor(primero, "coord@jal.gob.mx", "coordinador_estatal", telegram_id="9002")
        await datos.asesor(primero, "sre@sre.gob.mx", "sre", (), telegram_id="9003")
        uid = await datos.usuario(primero, "u-sla")
        await datos.caso(primero, uid)
        esc_id = await _solicitar(primero, uid, LUNES_10)
        await diferidos.esperar()
        assert [c.chat_id for c in doble.enviados()] == [9001]
        await bot1.shutdown()
        await primero.almacen.cerrar()  # «reinicio»: nada queda en memoria

        segundo = crear_servicios(ajustes_prueba, con_nlu=False)
        bot2 = await _bot(segundo, doble)
        assert await sla.procesar_vencidos(segundo, LUNES_10 + dt.timedelta(minutes=20)) == 0
        assert await sla.procesar_vencidos(segundo, LUNES_10 + dt.timedelta(minutes=31)) == 1
        await diferidos.esperar()
        assert [c.chat_id for c in doble.enviados()][-1] == 9001
        assert "Recordatorio" in doble.enviados()[-1].texto
        assert await sla.procesar_vencidos(segundo, LUNES_10 + dt.timedelta(minutes=62)) == 1
        await diferidos.esperar()
        assert doble.enviados()[-1].chat_id == 9002
        assert await sla.procesar_vencidos(segundo, LUNES_10 + dt.timedelta(minutes=93)) == 1
        await diferidos.esperar()
        assert doble.enviados()[-1].chat_id == 9003
        assert await sla.procesar_vencidos(segundo, LUNES_10 + dt.timedelta(hours=5)) == 0
        async with segundo.almacen.lectura() as s:
            esc = await s.get(Escalamiento, esc_id)
            eventos = (await s.scalars(select(EventoCaso.descripcion).where(
                EventoCaso.tipo == "traspaso_sla"))).all()
            pendientes = (await s.scalars(select(Temporizador).where(
                Temporizador.ejecutado_en.is_(None)))).all()
        assert esc is not None and esc.nivel == "nacional"
        assert len(eventos) == 3 and "cola nacional" in eventos[-1]
        assert pendientes == []
        await bot2.shutdown()
        await segundo.cerrar()
    finally:
        doble.detener()


async def test_respuesta_apaga_la_cadena(servicios: Servicios) -> None:
    aid = await datos.asesor(servicios, "ana@jal.gob.mx")
    uid = await datos.usuario(servicios, "u-sla2")
    esc_id = await _solicitar(servicios, uid, LUNES_10)
    async with servicios.almacen.escritura() as s:
        asesora = await por_id(s, aid)
        assert asesora is not None
        await traspaso.tomar(servicios, s, esc_id, asesora, LUNES_10 + dt.timedelta(minutes=5))
        esc = await s.get(Escalamiento, esc_id)
        assert esc is not None
        await traspaso.responder(servicios, s, esc, asesora, "Le atiendo",
                                 LUNES_10 + dt.timedelta(minutes=6))
    assert await sla.procesar_vencidos(servicios, LUNES_10 + dt.timedelta(hours=3)) == 0
    await diferidos.esperar()


async def test_fuera_de_horario_el_plazo_corre_desde_la_apertura(servicios: Servicios) -> None:
    uid = await datos.usuario(servicios, "u-sla3")
    viernes_noche = dt.datetime(2026, 3, 6, 21, 0, tzinfo=CDMX)
    await _solicitar(servicios, uid, viernes_noche)
    async with servicios.almacen.lectura() as s:
        t = await s.scalar(select(Temporizador))
    assert t is not None
    vence = t.vence_en if t.vence_en.tzinfo else t.vence_en.replace(tzinfo=dt.timezone.utc)
    assert vence.astimezone(CDMX) == dt.datetime(2026, 3, 9, 9, 30, tzinfo=CDMX)
    await diferidos.esperar()


async def test_el_horario_por_omision_es_el_de_la_zona_de_los_ajustes(
        ajustes_prueba: Ajustes) -> None:
    """Con ZONA_HORARIA=America/Tijuana la oficina abre a las 9:00 de Tijuana (una hora después
    que en la Ciudad de México el 9 de marzo de 2026, ya con horario de verano allá)."""
    tijuana = ZoneInfo("America/Tijuana")
    servicios = crear_servicios(ajustes_prueba.model_copy(update={"zona_horaria": tijuana.key}),
                                con_nlu=False)
    try:
        uid = await datos.usuario(servicios, "u-sla-tijuana")
        await _solicitar(servicios, uid, dt.datetime(2026, 3, 6, 21, 0, tzinfo=tijuana))
        async with servicios.almacen.lectura() as s:
            t = await s.scalar(select(Temporizador))
        assert t is not None
        vence = t.vence_en if t.vence_en.tzinfo else t.vence_en.replace(tzinfo=dt.timezone.utc)
        assert vence == dt.datetime(2026, 3, 9, 9, 30, tzinfo=tijuana)
        assert vence != dt.datetime(2026, 3, 9, 9, 30, tzinfo=CDMX)
        await diferidos.esperar()
    finally:
        await servicios.cerrar()
