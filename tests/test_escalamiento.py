"""Escalamiento: disparadores, enrutamiento por estado, máquina de estados del traspaso,
modo humano (el bot calla), marcador de regreso, horario de oficina y estatus de casos."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.db import diferidos
from bot.db.modelos import Escalamiento, EventoCaso, Mensaje
from bot.escalamiento import traspaso
from bot.escalamiento.asesores import por_id
from bot.escalamiento.casos import CambioInvalido, cambiar_estatus, caso_por_folio
from bot.escalamiento.enrutamiento import destinatarios
from bot.escalamiento.frases import pide_una_persona
from bot.nucleo.mensajes import Canal, MensajeEntrante
from bot.servicios import Servicios

from dobles import escalamiento_datos as datos

CDMX = ZoneInfo("America/Mexico_City")  # la de ZONA_HORARIA por omisión


def entrante(usuario: str, texto: str, n: str, payload: str | None = None,
             canal: Canal = Canal.REST) -> MensajeEntrante:
    return MensajeEntrante(canal, usuario, n, texto=texto, payload=payload)


async def test_enrutamiento_estado_coordinador_nacional(servicios: Servicios) -> None:
    sre = await datos.asesor(servicios, "sre@sre.gob.mx", "sre", ())
    coord = await datos.asesor(servicios, "coord@jal.gob.mx", "coordinador_estatal", ("JAL",))
    uid = await datos.usuario(servicios, "u-jal", "JAL")
    async with servicios.almacen.lectura() as s:
        from bot.db.modelos import Usuario

        u = await s.get(Usuario, uid)
        assert u is not None
        nivel, personas = await destinatarios(s, u.estado_id)
        assert (nivel, [p.id for p in personas]) == ("coordinador", [coord])
    asesora = await datos.asesor(servicios, "ana@jal.gob.mx", "asesor", ("JAL",))
    oax = await datos.usuario(servicios, "u-oax", "OAX")
    async with servicios.almacen.lectura() as s:
        nivel, personas = await destinatarios(s, u.estado_id)
        assert (nivel, [p.id for p in personas]) == ("asesor", [asesora])
        u2 = await s.get(Usuario, oax)
        assert u2 is not None
        nivel, personas = await destinatarios(s, u2.estado_id)
        assert (nivel, [p.id for p in personas]) == ("nacional", [sre])
        assert (await destinatarios(s, None))[0] == "nacional"


async def test_orden_asesor_abre_traspaso_y_con_persona_el_bot_solo_acusa(
        servicios: Servicios) -> None:
    await datos.asesor(servicios, "ana@jal.gob.mx")
    uid = await datos.usuario(servicios, "u1")
    folio = await datos.caso(servicios, uid)
    r = await servicios.motor.procesar(entrante("u1", "asesor", "m1"))
    assert "Jalisco" in r[0].texto and r[0].botones[0].payload == "/cancelar_traspaso"
    esc = await datos.traspaso_de(servicios, uid)
    assert esc is not None and esc.estado == "solicitada" and esc.motivo == "solicitud_usuario"
    assert esc.nivel == "asesor" and esc.caso_id is not None
    # En espera la conversación sigue con el asistente, y nada queda sin respuesta.
    assert (await datos.conversacion_de(servicios, uid)).modo == "bot"
    assert "sigue en la fila" in (await servicios.motor.procesar(
        entrante("u1", "¿sigue ahí?", "m2")))[0].texto
    assert "sigue en la fila" in (await servicios.motor.procesar(
        entrante("u1", "hola?", "m3")))[0].texto
    # Lo toma una asesora; el usuario escribe y el bot solo acusa recibo (no muestra el menú).
    async with servicios.almacen.escritura() as s:
        asesora = await datos_asesor(s, "ana@jal.gob.mx")
        toma = await traspaso.tomar(servicios, s, esc.id, asesora)
    assert toma.gano
    r = await servicios.motor.procesar(entrante("u1", "menú", "m4"))
    assert len(r) == 1 and "Le hice llegar su mensaje a Ana" in r[0].texto and not any(
        b.payload == "/menu" for b in r[0].botones)
    assert (await datos.conversacion_de(servicios, uid)).modo == "humano"
    async with servicios.almacen.escritura() as s:
        e = await s.get(Escalamiento, esc.id)
        assert e is not None
        await traspaso.responder(servicios, s, e, asesora, "Buenos días, le atiendo.")
    async with servicios.almacen.escritura() as s:
        e = await s.get(Escalamiento, esc.id)
        assert e is not None and e.estado == "atendida" and e.primera_respuesta_en
        await traspaso.cerrar(servicios, s, e, asesora, "Se resolvió su duda")
    await diferidos.esperar()
    async with servicios.almacen.lectura() as s:
        salidas = (await s.scalars(select(Mensaje).where(
            Mensaje.direccion == "salida", Mensaje.responde_a_id.is_(None)).order_by(Mensaje.id)
        )).all()
        eventos = (await s.scalars(select(EventoCaso.tipo).where(
            EventoCaso.tipo.like("traspaso_%")).order_by(EventoCaso.id))).all()
    textos = [m.texto for m in salidas]
    assert "Le atiende Ana" in textos[0]
    assert salidas[1].autor == "asesor" and textos[1] == "Buenos días, le atiendo."
    assert "Terminó la conversación con Ana" in textos[2] and "Se resolvió" in textos[2]
    assert "asistente automático" in textos[2]
    assert salidas[0].envio == "pendiente"  # REST no tiene emisor: el usuario lo consulta
    assert eventos == ["traspaso_solicitada", "traspaso_tomada", "traspaso_atendida",
                       "traspaso_cerrada"]
    # De vuelta con el bot: el menú responde otra vez.
    assert (await datos.conversacion_de(servicios, uid)).modo == "bot"
    assert (await servicios.motor.procesar(entrante("u1", "menú", "m5")))[0].botones
    assert folio


async def datos_asesor(s: object, email: str) -> object:
    from bot.escalamiento.asesores import por_email

    a = await por_email(s, email)  # type: ignore[arg-type]
    assert a is not None
    return a


async def test_boton_y_cancelar_en_espera(servicios: Servicios) -> None:
    uid = await datos.usuario(servicios, "u2", None)
    await servicios.motor.procesar(entrante("u2", "", "m1", payload="/hablar_asesor"))
    esc = await datos.traspaso_de(servicios, uid)
    assert esc is not None and esc.nivel == "nacional" and esc.estado_id is None
    r = await servicios.motor.procesar(entrante("u2", "cancelar", "m2"))
    assert "cancelé" in r[0].texto
    esc = await datos.traspaso_de(servicios, uid)
    assert esc is not None and esc.estado == "cerrada"
    assert (await datos.conversacion_de(servicios, uid)).modo == "bot"


async def test_dos_no_entendi_seguidos_ofrecen_una_persona_sin_escalar(
        servicios: Servicios) -> None:
    await datos.asesor(servicios, "ana@jal.gob.mx")
    await datos.usuario(servicios, "u3")
    await servicios.motor.procesar(entrante("u3", "/menu", "m1"))  # sin flujo de bienvenida activo
    uid = (await datos.usuario_por_externo(servicios, "rest", "u3")).id
    for i, texto in enumerate(("zxqv wrtp", "qqxz vvbn", "pppq zzzk")):
        r = await servicios.motor.procesar(entrante("u3", texto, f"n{i}"))
    assert await datos.traspaso_de(servicios, uid) is None
    assert "otras palabras" in r[0].texto and "le comunico con una persona" in r[0].texto
    assert [b.payload for b in r[0].botones] == ["/asesor", "/menu"]


async def test_fuera_de_horario_dice_cuando(servicios: Servicios) -> None:
    await datos.asesor(servicios, "ana@jal.gob.mx")
    uid = await datos.usuario(servicios, "u4")
    sabado = dt.datetime(2026, 3, 7, 12, 0, tzinfo=CDMX)
    async with servicios.almacen.escritura() as s:
        from bot.db.modelos import Conversacion, Usuario

        u = await s.get(Usuario, uid)
        c = await s.scalar(select(Conversacion).where(Conversacion.usuario_id == uid))
        assert u is not None and c is not None
        r = await traspaso.solicitar(servicios, s, u, c, "solicitud_usuario", momento=sabado)
    assert "lunes a viernes de 9:00 a 18:00 (hora del centro de México)" in r[0].texto
    assert "el lunes 9 de marzo a partir de las 9:00" in r[0].texto
    martes = dt.datetime(2026, 3, 10, 11, 0, tzinfo=CDMX)
    async with servicios.almacen.escritura() as s:
        e = await s.scalar(select(Escalamiento))
        assert e is not None
        await traspaso.cerrar(servicios, s, e, None, por_usuario=True)
        u = await s.get(Usuario, uid)
        c = await s.scalar(select(Conversacion).where(Conversacion.usuario_id == uid))
        assert u is not None and c is not None
        r = await traspaso.solicitar(servicios, s, u, c, "queja", momento=martes)
    assert "vence hoy a las 11:30 (hora del centro de México)" in r[0].texto
    await diferidos.esperar()


async def test_estatus_solo_transiciones_permitidas_y_avisa(servicios: Servicios) -> None:
    emisor = datos.EmisorGrabador()
    servicios.emisores.registrar("whatsapp", emisor)
    uid = await datos.usuario(servicios, "5213312345678", canal="whatsapp")
    folio = await datos.caso(servicios, uid)
    aid = await datos.asesor(servicios, "ana@jal.gob.mx")
    async with servicios.almacen.escritura() as s:
        asesora = await por_id(s, aid)
        assert asesora is not None
        caso = await caso_por_folio(s, folio, asesora)
        assert caso is not None
        with pytest.raises(CambioInvalido):
            await cambiar_estatus(servicios, s, caso, "registrada", asesora)
        with pytest.raises(CambioInvalido):  # el dictamen es de la SRE
            caso.estatus = "turnada_sre"
            await cambiar_estatus(servicios, s, caso, "dictamen_favorable", asesora)
        caso.estatus = "enviada"
        await cambiar_estatus(servicios, s, caso, "en_revision_estatal", asesora, "Todo en orden")
    await diferidos.esperar()
    assert emisor.enviados[0][2] == "cambio_estatus"
    aviso = emisor.textos()[0]
    assert folio in aviso and "En revisión estatal" in aviso and "Siguiente paso" in aviso
    assert "Todo en orden" in aviso


@pytest.mark.parametrize("texto", [
    "necesito hablar con alguien de la oficina estatal",
    "comuníqueme con un asesor por favor",
    "quiero que me atienda una persona",
])
async def test_pedir_una_persona_con_sus_palabras_abre_el_traspaso(
        servicios: Servicios, texto: str) -> None:
    await datos.asesor(servicios, "ana@jal.gob.mx")
    uid = await datos.usuario(servicios, "u1")
    r = await servicios.motor.procesar(entrante("u1", texto, "m1"))
    assert r[0].botones[0].payload == "/cancelar_traspaso"
    esc = await datos.traspaso_de(servicios, uid)
    assert esc is not None and esc.motivo == "solicitud_usuario"


@pytest.mark.parametrize(("texto", "pide"), [
    ("me pasa con alguien por favor", True),
    ("¿puedo hablar con la oficina estatal?", True),
    ("ya no quiero hablar con nadie", False),
    ("¿qué hace la oficina estatal?", False),
    ("¿el asesor puede hablar con la SRE?", False),
    ("hay que hablar con el cabildo sobre el acuerdo", False),
])
def test_pide_una_persona(texto: str, pide: bool) -> None:
    assert pide_una_persona(texto) is pide
