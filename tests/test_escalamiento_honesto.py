"""Traspaso honesto, sobre el motor real: quien pide una persona la obtiene, o la verdad.

- Sin nadie que atienda, no se promete un tiempo: se dice, con el contacto de la oficina.
- La espera no es silencio: el asistente sigue respondiendo y atendiendo trámites; «¿cuánto
  tarda?» da el lugar en la fila y la verdad del horario; se sale con cualquier forma natural.
- Con una persona a cargo, cada mensaje recibe un acuse (completo tras un rato, breve si no),
  y «volver al asistente», «cancelar», «terminar» y «mis datos» siguen funcionando.
- Ofrecer, no empujar: dos «no le entendí» ofrecen un botón; varias preguntas, varias
  respuestas.
- El horario se dice en la hora del estado (Quintana Roo, en la de Cancún) y sin feriados.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from bot.config import Ajustes
from bot.db import diferidos
from bot.db.modelos import Conversacion, Escalamiento, Mensaje, Temporizador, Usuario
from bot.escalamiento import traspaso
from bot.escalamiento.asesores import por_email
from bot.escalamiento.servicios import BotonesAviso
from bot.nucleo.mensajes import Canal, MensajeEntrante, Respuesta
from bot.servicios import Servicios, crear_servicios

from dobles import escalamiento_datos as datos

CDMX = ZoneInfo("America/Mexico_City")
CANCUN = ZoneInfo("America/Cancun")
CUATRO_PREGUNTAS = (
    "Buenas tardes, soy regidora y tengo varias dudas.\n"
    "¿Qué es un hermanamiento? ¿Quién aprueba el acuerdo de hermanamiento en el municipio?\n"
    "¿Cómo se integra el comité de ciudades hermanas? y otra pregunta: qué documentos "
    "necesito para registrar la iniciativa\nGracias de antemano.")


def entrante(usuario: str, texto: str = "", payload: str | None = None) -> MensajeEntrante:
    entrante.n += 1  # type: ignore[attr-defined]
    return MensajeEntrante(Canal.REST, usuario, f"m{entrante.n}",  # type: ignore[attr-defined]
                           texto=texto, payload=payload)


entrante.n = 0  # type: ignore[attr-defined]


@pytest.fixture
async def con_directorio(ajustes_prueba: Ajustes, tmp_path: Path) -> AsyncIterator[Servicios]:
    """Servicios con un directorio de oficinas que sí tiene el contacto de Jalisco."""
    ajustes = ajustes_prueba.model_copy(
        update={"directorio_oficinas": datos.directorio_jalisco(tmp_path)})
    s = crear_servicios(ajustes, con_nlu=False)
    yield s
    await diferidos.esperar()
    await s.cerrar()


async def _solicitar(servicios: Servicios, uid: int, momento: dt.datetime) -> list[Respuesta]:
    async with servicios.almacen.escritura() as s:
        u = await s.get(Usuario, uid)
        c = await s.scalar(select(Conversacion).where(Conversacion.usuario_id == uid))
        assert u is not None and c is not None
        return await traspaso.solicitar(servicios, s, u, c, "solicitud_usuario",
                                        momento=momento)


async def _tomar(servicios: Servicios, uid: int, email: str) -> Escalamiento:
    esc = await datos.traspaso_de(servicios, uid)
    assert esc is not None
    async with servicios.almacen.escritura() as s:
        asesor = await por_email(s, email)
        assert asesor is not None
        assert (await traspaso.tomar(servicios, s, esc.id, asesor)).gano
    return esc


async def test_sin_asesores_no_promete_muestra_el_contacto_y_sigue_atendiendo(
        con_directorio: Servicios) -> None:
    servicios = con_directorio
    uid = await datos.usuario(servicios, "sin-nadie")
    r = await servicios.motor.procesar(entrante("sin-nadie", "asesor"))
    aviso = r[0].texto
    assert "no puedo decirle cuándo le responderán" in aviso
    for promesa in ("le responderán hoy", "le responderán mañana", "a partir de las",
                    "La recibió", "minutos"):
        assert promesa not in aviso
    assert "Dirección de Asuntos Internacionales de Jalisco" in aviso
    assert "33 3030 1234" in aviso and "enlace@jalisco.example" in aviso
    esc = await datos.traspaso_de(servicios, uid)
    assert esc is not None and esc.estado == "solicitada"
    # Una pregunta justo después recibe su respuesta (no un «espere»).
    r = await servicios.motor.procesar(entrante("sin-nadie", "¿Qué es una carta de intención?"))
    assert "carta de intención" in r[0].texto and "Fuente" in r[0].texto
    # «¿Cuánto tarda?» dice la verdad: no hay tiempo que prometer.
    r = await servicios.motor.procesar(entrante("sin-nadie", "cuanto tarda en contestar el asesor"))
    assert "no puedo decirle cuándo" in r[0].texto and "33 3030 1234" in r[0].texto
    assert (await datos.traspaso_de(servicios, uid)).estado == "solicitada"  # type: ignore[union-attr]


async def test_en_espera_ningun_mensaje_queda_sin_respuesta_ni_se_traga_un_tramite(
        servicios: Servicios) -> None:
    await datos.asesor(servicios, "ana@jal.gob.mx")
    uid = await datos.usuario(servicios, "espera")
    async with servicios.almacen.escritura() as s:  # para que el registro no pida el aviso
        u = await s.get(Usuario, uid)
        assert u is not None
        u.consentimiento_en = dt.datetime.now(dt.timezone.utc)
    await servicios.motor.procesar(entrante("espera", "", payload="/asesor"))
    for mensaje in ("hola? hay alguien?", "??", "cuanto tarda en contestar el asesor",
                    "sigo esperando", "zxqv wrtp", "👍", "mis datos", "asesor",
                    "¿Qué es un hermanamiento?"):
        r = await servicios.motor.procesar(entrante("espera", mensaje))
        assert r and all(x.texto or x.documento for x in r), mensaje
    r = await servicios.motor.procesar(entrante("espera", "cuanto tarda en contestar el asesor"))
    assert "sigue en la fila de la oficina estatal de enlace de Jalisco" in r[0].texto
    assert "es la siguiente" in r[0].texto
    # «registrar iniciativa» empieza el trámite; la solicitud sigue en la fila.
    r = await servicios.motor.procesar(entrante("espera", "registrar iniciativa"))
    assert "municipio" in r[-1].texto.lower() or r[-1].botones, r[-1].texto
    conv = await datos.conversacion_de(servicios, uid)
    assert conv.flujo is not None and conv.modo == "bot"
    assert (await datos.traspaso_de(servicios, uid)).estado == "solicitada"  # type: ignore[union-attr]
    # Con un trámite a medias, «cancelar» es del trámite; «volver al asistente» es del traspaso.
    await servicios.motor.procesar(entrante("espera", "cancelar"))
    assert (await datos.traspaso_de(servicios, uid)).estado == "solicitada"  # type: ignore[union-attr]
    r = await servicios.motor.procesar(entrante("espera", "volver al asistente"))
    assert "cancelé su solicitud" in r[0].texto
    assert (await datos.traspaso_de(servicios, uid)).estado == "cerrada"  # type: ignore[union-attr]


async def test_lugar_en_la_fila(servicios: Servicios) -> None:
    await datos.asesor(servicios, "ana@jal.gob.mx")
    for n in range(3):
        await datos.usuario(servicios, f"fila-{n}")
        r = await servicios.motor.procesar(entrante(f"fila-{n}", "asesor"))
    assert "con 2 antes que la suya" in r[0].texto
    r = await servicios.motor.procesar(entrante("fila-2", "¿cuánto falta?"))
    assert "fila de la oficina estatal de enlace de Jalisco, con 2 antes que la suya" in r[0].texto


@pytest.mark.parametrize("salida", ["volver al asistente", "Volver al asistente", "mejor no",
                                    "cancelar", "ya no"])
async def test_volver_al_asistente_en_espera(servicios: Servicios, salida: str) -> None:
    await datos.asesor(servicios, "ana@jal.gob.mx")
    uid = await datos.usuario(servicios, "vuelve")
    await servicios.motor.procesar(entrante("vuelve", "asesor"))
    r = await servicios.motor.procesar(entrante("vuelve", salida))
    assert "cancelé su solicitud" in r[0].texto
    assert (await datos.traspaso_de(servicios, uid)).estado == "cerrada"  # type: ignore[union-attr]
    assert (await datos.conversacion_de(servicios, uid)).modo == "bot"


class MensajeroGrabador:
    """Los avisos a asesores que saldrían por Telegram."""

    def __init__(self) -> None:
        self.enviados: list[tuple[str, str]] = []

    async def enviar(self, chat: str, html: str, botones: BotonesAviso | None = None) -> str:
        self.enviados.append((chat, html))
        return str(len(self.enviados))

    async def editar(self, chat: str, mensaje_id: str, html: str,
                     botones: BotonesAviso | None = None) -> None:
        return None

    async def enviar_documento(self, chat: str, contenido: bytes, nombre: str,
                               pie_html: str) -> str:
        self.enviados.append((chat, pie_html))
        return str(len(self.enviados))


async def test_tomado_cada_mensaje_tiene_acuse_y_se_puede_volver(servicios: Servicios) -> None:
    mensajero = MensajeroGrabador()
    servicios.mensajero_asesores = mensajero
    await datos.asesor(servicios, "ana@jal.gob.mx", telegram_id="9001", nombre="Ana")
    uid = await datos.usuario(servicios, "tomado")
    await servicios.motor.procesar(entrante("tomado", "asesor"))
    await _tomar(servicios, uid, "ana@jal.gob.mx")
    r = await servicios.motor.procesar(entrante("tomado", "hola? hay alguien?"))
    assert r[0].texto.startswith("Le hice llegar su mensaje a Ana, de la oficina estatal de "
                                 "enlace de Jalisco")
    assert "volver al asistente" in r[0].texto
    # Enseguida: acuse breve, nunca silencio.
    for mensaje in ("??", "cuanto tarda en contestar el asesor", "menú", "ya no", "asesor"):
        r = await servicios.motor.procesar(entrante("tomado", mensaje))
        assert [x.texto for x in r] == ["✓ Enviado a Ana."], mensaje
    # Tras un rato sin escribir, otra vez el acuse completo.
    hace = dt.datetime.now(dt.timezone.utc)
    async with servicios.almacen.escritura() as s:
        await s.execute(update(Escalamiento).values(tomado_en=hace - dt.timedelta(minutes=20)))
        await s.execute(update(Mensaje).where(Mensaje.direccion == "entrada").values(
            creado_en=hace - dt.timedelta(minutes=15)))
    r = await servicios.motor.procesar(entrante("tomado", "¿me escucha?"))
    assert r[0].texto.startswith("Le hice llegar su mensaje a Ana")
    # «mis datos» sigue funcionando con una persona a cargo (y no se le reenvía).
    r = await servicios.motor.procesar(entrante("tomado", "mis datos"))
    assert any(x.documento for x in r)
    await diferidos.esperar()
    reenviados = [html for chat, html in mensajero.enviados if chat == "9001"]
    assert not any("mis datos" in html for html in reenviados)
    assert any("hola? hay alguien?" in html for html in reenviados)
    # «volver al asistente», escrito, termina la conversación y avisa a la asesora.
    r = await servicios.motor.procesar(entrante("tomado", "volver al asistente"))
    assert "terminé su conversación con Ana" in r[0].texto
    await diferidos.esperar()
    assert "volvió al asistente" in mensajero.enviados[-1][1]
    esc = await datos.traspaso_de(servicios, uid)
    assert esc is not None and esc.estado == "cerrada"
    assert (await datos.conversacion_de(servicios, uid)).modo == "bot"
    r = await servicios.motor.procesar(entrante("tomado", "menú"))
    assert any(b.payload.startswith("/iniciar") for b in r[0].botones)


@pytest.mark.parametrize("salida", ["cancelar", "terminar", "/cancelar_traspaso"])
async def test_ordenes_de_salir_con_una_persona(servicios: Servicios, salida: str) -> None:
    await datos.asesor(servicios, "ana@jal.gob.mx")
    uid = await datos.usuario(servicios, "sale")
    await servicios.motor.procesar(entrante("sale", "asesor"))
    await _tomar(servicios, uid, "ana@jal.gob.mx")
    if salida.startswith("/"):
        r = await servicios.motor.procesar(entrante("sale", payload=salida))
    else:
        r = await servicios.motor.procesar(entrante("sale", salida))
    assert "terminé su conversación" in r[0].texto
    assert (await datos.traspaso_de(servicios, uid)).estado == "cerrada"  # type: ignore[union-attr]


async def test_quintana_roo_en_hora_de_cancun(servicios: Servicios) -> None:
    await datos.asesor(servicios, "ana@qroo.gob.mx", estados=("QROO",))
    uid = await datos.usuario(servicios, "cancun", "QROO")
    # 17:30 en la Ciudad de México son las 18:30 en Cancún: la oficina ya cerró.
    martes = dt.datetime(2026, 3, 10, 17, 30, tzinfo=CDMX)
    aviso = (await _solicitar(servicios, uid, martes))[0].texto
    assert "fila de la oficina estatal de enlace de Quintana Roo" in aviso
    assert "Atiende de lunes a viernes de 9:00 a 18:00 (hora de Cancún); vuelve a abrir mañana " \
           "a partir de las 9:00" in aviso
    assert "centro de México" not in aviso
    async with servicios.almacen.lectura() as s:  # el SLA también corre en la hora de Cancún
        t = await s.scalar(select(Temporizador))
    assert t is not None
    vence = t.vence_en if t.vence_en.tzinfo else t.vence_en.replace(tzinfo=dt.timezone.utc)
    assert vence == dt.datetime(2026, 3, 11, 9, 30, tzinfo=CANCUN)
    # A las 8:30 de la Ciudad de México ya abrió en Cancún (9:30): el plazo, en su hora.
    async with servicios.almacen.escritura() as s:
        esc = await s.scalar(select(Escalamiento))
        assert esc is not None
        await traspaso.cerrar(servicios, s, esc, None, por_usuario=True)
    temprano = dt.datetime(2026, 3, 11, 8, 30, tzinfo=CDMX)
    aviso = (await _solicitar(servicios, uid, temprano))[0].texto
    assert "vence hoy a las 10:00 (hora de Cancún)" in aviso
    await diferidos.esperar()


async def test_la_espera_dice_el_plazo_y_cuando_ya_paso(servicios: Servicios) -> None:
    await datos.asesor(servicios, "ana@jal.gob.mx")
    uid = await datos.usuario(servicios, "plazo")
    martes = dt.datetime(2026, 3, 10, 11, 0, tzinfo=CDMX)
    await _solicitar(servicios, uid, martes)
    async with servicios.almacen.lectura() as s:
        esc = await s.scalar(select(Escalamiento))
        assert esc is not None
        a_tiempo = await traspaso.texto_espera(servicios, s, esc, martes + dt.timedelta(minutes=10))
        tarde = await traspaso.texto_espera(servicios, s, esc, martes + dt.timedelta(minutes=45))
    assert "es la siguiente" in a_tiempo[0].texto
    assert "vence hoy a las 11:30 (hora del centro de México)" in a_tiempo[0].texto
    assert "Ya pasó el plazo de 30 minutos" in tarde[0].texto
    assert [b.titulo for b in tarde[0].botones] == ["Cancelar solicitud", "Menú"]
    await diferidos.esperar()


async def test_un_feriado_se_dice_y_no_cuenta(servicios: Servicios) -> None:
    await datos.asesor(servicios, "ana@jal.gob.mx")
    uid = await datos.usuario(servicios, "feriado")
    aviso = (await _solicitar(servicios, uid, dt.datetime(2026, 11, 16, 11, 0, tzinfo=CDMX)))
    assert "Hoy es día inhábil (Día de la Revolución)" in aviso[0].texto
    assert "vuelve a abrir mañana a partir de las 9:00" in aviso[0].texto
    await diferidos.esperar()


async def test_un_pulgar_y_signos_no_escalan_ofrecen_un_boton(servicios: Servicios) -> None:
    await datos.asesor(servicios, "ana@jal.gob.mx")
    uid = await datos.usuario(servicios, "pulgar")
    await servicios.motor.procesar(entrante("pulgar", "/menu"))
    await servicios.motor.procesar(entrante("pulgar", "👍"))
    r = await servicios.motor.procesar(entrante("pulgar", "???"))
    assert await datos.traspaso_de(servicios, uid) is None
    assert "Hablar con una persona" in [b.titulo for b in r[0].botones]
    assert "otras palabras" in r[0].texto
    # Sigue intentando: otro «no le entendí» vuelve a ofrecer, sin escalar.
    r = await servicios.motor.procesar(entrante("pulgar", "???"))
    assert await datos.traspaso_de(servicios, uid) is None and r[0].botones


async def test_cuatro_preguntas_reciben_cuatro_respuestas(servicios: Servicios) -> None:
    await datos.asesor(servicios, "ana@jal.gob.mx")
    uid = await datos.usuario(servicios, "preguntona")
    await servicios.motor.procesar(entrante("preguntona", "/menu"))
    r = await servicios.motor.procesar(entrante("preguntona", CUATRO_PREGUNTAS + (
        "\n¿Y puedo hablar con un asesor después?")))  # la quinta: se pide por separado
    numeradas = [x for x in r if x.texto.startswith(("*1.", "*2.", "*3.", "*4."))]
    assert len(numeradas) == 4
    assert all("No encontré" not in x.texto for x in numeradas)
    assert "Me hizo 5 preguntas" in r[-1].texto
    assert await datos.traspaso_de(servicios, uid) is None


async def test_mensaje_largo_que_nombra_al_asesor_no_escala(servicios: Servicios) -> None:
    uid = await datos.usuario(servicios, "largo")
    await servicios.motor.procesar(entrante("largo", "/menu"))
    r = await servicios.motor.procesar(entrante(
        "largo", "¿Qué es un hermanamiento? ¿Cómo se integra el comité de ciudades hermanas? "
        "¿El asesor de la oficina estatal revisa los documentos?"))
    assert len([x for x in r if x.texto.startswith("*")]) == 3
    assert await datos.traspaso_de(servicios, uid) is None


async def test_sin_traspaso_cuanto_tarda_el_asesor_informa_y_ofrece(servicios: Servicios) -> None:
    await datos.asesor(servicios, "ana@jal.gob.mx")
    uid = await datos.usuario(servicios, "curiosa")
    await servicios.motor.procesar(entrante("curiosa", "/menu"))
    r = await servicios.motor.procesar(entrante("curiosa", "cuanto tarda en contestar el asesor"))
    assert "oficina estatal de enlace de Jalisco" in r[0].texto
    assert "Sí, comuníqueme" in [b.titulo for b in r[0].botones]
    assert await datos.traspaso_de(servicios, uid) is None


async def test_sin_asesores_estatales_pasa_a_la_sre_y_lo_dice(con_directorio: Servicios) -> None:
    servicios = con_directorio
    await datos.asesor(servicios, "sre@sre.gob.mx", "sre", ())
    uid = await datos.usuario(servicios, "a-la-sre")
    aviso = (await _solicitar(servicios, uid, dt.datetime(2026, 3, 10, 11, 0, tzinfo=CDMX)))
    texto = aviso[0].texto
    assert "todavía no tiene asesores en este chat" in texto
    assert "coordinación nacional del programa (SRE)" in texto
    assert "33 3030 1234" in texto  # y el contacto de su oficina, que sí existe
    esc = await datos.traspaso_de(servicios, uid)
    assert esc is not None and esc.nivel == "nacional"
