"""El escritorio habla español: cada valor guardado se muestra con su etiqueta
(`bot/panel/etiquetas.py`), los botones pulsados con su título y las fechas como «3 dic 2026,
10:15»; ninguna página deja ver un valor crudo («medio_ambiente», «usuario:1», una fecha ISO,
«(rest)»)."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import select

from bot.casos.estatus import ESTATUS
from bot.casos.repositorio import TIPOS_DOCUMENTO
from bot.db import diferidos
from bot.db.estados import Direccion, EstadoTraspaso, TipoMensaje, tipo_mensaje
from bot.db.modelos import Caso, Conversacion, Escalamiento, EventoCaso, Mensaje
from bot.nucleo.mensajes import Canal, MensajeEntrante
from bot.panel import etiquetas
from bot.servicios import Servicios

from dobles import escalamiento_datos as datos
from dobles.texto_visible import texto_visible, valores_crudos


def test_cada_estado_y_enumeracion_tiene_su_etiqueta() -> None:
    for estado in EstadoTraspaso:
        assert estado.value in etiquetas.ESTADOS_CONVERSACION
        assert "_" not in etiquetas.estado_conversacion(estado.value)
    # En femenino: es «la conversación» (en espera, tomada, atendida, cerrada).
    assert [etiquetas.estado_conversacion(e) for e in EstadoTraspaso] == [
        "En espera", "Tomada", "Atendida", "Cerrada"]
    for canal in Canal:
        assert canal.value in etiquetas.CANALES
    for clave in ESTATUS:
        assert etiquetas.estatus(clave) == ESTATUS[clave].nombre
    for tipo in (*TIPOS_DOCUMENTO, "generado", "sin_clasificar"):
        assert "_" not in etiquetas.tipo_documento(tipo)
    for tipo in ("creado", "estatus", "documento", "comite", "nota", "traspaso_sla",
                 *(f"traspaso_{e}" for e in EstadoTraspaso)):
        assert tipo in etiquetas.EVENTOS


def test_las_opciones_se_nombran_como_en_los_flujos() -> None:
    assert etiquetas.tipo_caso("acuerdo_amistad") == "Acuerdo de amistad"
    assert etiquetas.tipo_caso("cooperacion") == "Cooperación específica"
    assert etiquetas.areas(["medio_ambiente", "desarrollo_urbano", "educacion"]) == (
        "Medio ambiente, Desarrollo urbano, Educación")
    assert etiquetas.rol_persona("funcionario") == "Funcionario municipal"
    assert etiquetas.tipo_documento("acta_cabildo") == "Acta de Cabildo certificada"
    # Lo que ninguna tabla conoce se dice legible, nunca con guiones bajos.
    assert etiquetas.areas(["algo_nuevo"]) == "Algo nuevo"
    assert etiquetas.areas([]) == "—"
    assert etiquetas.motivo("solicitud_usuario") == "La persona pidió hablar con alguien"
    assert etiquetas.canal("rest") == "Integración REST"
    assert etiquetas.canal("whatsapp") == "WhatsApp"


def test_actores_y_descripciones() -> None:
    asesores = {3: "Laura Méndez"}
    assert etiquetas.actor("usuario:1", asesores, "Regidora Ana") == "Regidora Ana"
    assert etiquetas.actor("usuario:1", asesores, None) == "La persona"
    assert etiquetas.actor("usuario", asesores, "") == "La persona"
    assert etiquetas.actor("asesor:3", asesores) == "Laura Méndez"
    assert etiquetas.actor("asesor:9", asesores) == "Un asesor"
    assert etiquetas.actor("sistema") == "El asistente"
    assert etiquetas.descripcion_evento("traspaso_solicitada", "solicitud_usuario") == (
        "La persona pidió hablar con alguien")
    assert etiquetas.descripcion_evento("traspaso_tomada", "Tomado por Laura") == ""
    assert etiquetas.descripcion_evento("nota", "Llamar el lunes") == "Llamar el lunes"
    assert etiquetas.persona(None) == etiquetas.persona("  ") == "Persona sin nombre"


def test_fechas_en_espanol() -> None:
    cdmx = ZoneInfo("America/Mexico_City")
    momento = dt.datetime(2026, 12, 3, 16, 15, tzinfo=dt.timezone.utc)
    assert etiquetas.fecha_hora(momento, cdmx) == "3 dic 2026, 10:15"
    assert etiquetas.fecha_hora(momento.replace(tzinfo=None), cdmx) == "3 dic 2026, 10:15"
    assert etiquetas.fecha_hora(None, cdmx) == "—"
    assert etiquetas.fecha(dt.date(2026, 3, 7)) == "7 mar 2026"
    assert etiquetas.mes("2026-01") == "ene 2026"
    assert etiquetas.iso_hora(momento, cdmx) == "2026-12-03T10:15-06:00"


def _msj(direccion: Direccion, texto: str = "", payload: str | None = None,
         botones: list[dict[str, str]] | None = None, autor: str = "usuario",
         tipo: str = TipoMensaje.TEXTO.value) -> Mensaje:
    return Mensaje(direccion=direccion, texto=texto, payload=payload, botones=botones,
                   autor=autor, tipo=tipo, canal="web")


def test_los_botones_pulsados_se_ven_con_su_titulo() -> None:
    salida, entrada = Direccion.SALIDA, Direccion.ENTRADA
    lineas = etiquetas.lineas([
        (_msj(salida, "¿Qué desea?", autor="bot", botones=[
            {"titulo": "Requisitos", "payload": "/iniciar requisitos"},
            {"titulo": "Hablar con una persona", "payload": "/asesor"}]), None),
        (_msj(entrada, "", "/iniciar requisitos"), None),
        (_msj(salida, "Claro.", autor="asesor"), "Laura Méndez"),
        (_msj(entrada, "", "/desconocido"), None),
        (_msj(entrada, "Sí, acepto", "/otro"), None),
        (_msj(entrada, "[sticker]", tipo=tipo_mensaje(TipoMensaje.NO_SOPORTADO, "sticker")),
         None),
        (_msj(entrada, "[archivo: acta.pdf]", tipo=TipoMensaje.ARCHIVO.value), None),
    ], "Regidora Ana")
    assert [(linea.quien, linea.texto) for linea in lineas] == [
        ("Asistente", "¿Qué desea?"),
        ("Regidora Ana", "Pulsó «Requisitos»"),
        ("Laura Méndez", "Claro."),
        ("Regidora Ana", "Pulsó un botón"),
        ("Regidora Ana", "Pulsó «Sí, acepto»"),
        ("Regidora Ana", "Envió una calcomanía"),
        ("Regidora Ana", "Envió el archivo «acta.pdf»"),
    ]
    assert lineas[1].boton == "Requisitos" and lineas[0].boton is None


def test_el_detector_de_valores_crudos_los_ve() -> None:
    assert valores_crudos("Áreas: medio_ambiente · 2026-12-03 · usuario:1 · Ana (rest)")
    assert not valores_crudos("Áreas: Medio ambiente · 3 dic 2026, 10:15 · Ana (Chat web) "
                              "· CH-2026-JAL-0001 · coordinacion@jalisco.gob.mx")




@pytest.mark.lento
async def test_ninguna_pagina_muestra_valores_crudos(servicios: Servicios,
                                                     cliente: httpx.AsyncClient) -> None:
    """Un caso con todo lo que antes salía crudo (tipo, áreas, fecha de cabildo, eventos de
    traspaso, notas, la persona sin nombre, un botón pulsado) en la bandeja, el caso, la
    conversación y el tablero."""
    await datos.asesor(servicios, "sre@sre.gob.mx", "sre", ())
    uid = await datos.usuario(servicios, "rest-1", nombre="")
    folio = await datos.caso(servicios, uid)
    async with servicios.almacen.escritura() as s:
        caso = await s.scalar(select(Caso).where(Caso.folio == folio))
        assert caso is not None
        caso.tipo, caso.areas = "acuerdo_amistad", ["medio_ambiente", "desarrollo_urbano"]
        caso.fecha_cabildo = dt.date(2026, 11, 20)
        s.add(EventoCaso(caso_id=caso.id, tipo="traspaso_sla", descripcion="Sin respuesta",
                         actor="sistema"))
    await servicios.motor.procesar(MensajeEntrante(Canal.REST, "rest-1", "r0", texto="hola"))
    async with servicios.almacen.lectura() as s:
        ofrecido = await s.scalar(select(Mensaje).where(Mensaje.botones.is_not(None))
                                  .order_by(Mensaje.id.desc()).limit(1))
    assert ofrecido is not None and ofrecido.botones
    await servicios.motor.procesar(MensajeEntrante(
        Canal.REST, "rest-1", "r1", payload=ofrecido.botones[0]["payload"]))
    await servicios.motor.procesar(MensajeEntrante(Canal.REST, "rest-1", "r2", texto="asesor"))
    otro = await datos.usuario(servicios, "rest-2", nombre="Enlace")
    await servicios.motor.procesar(MensajeEntrante(Canal.REST, "rest-2", "q0", texto="asesor"))
    await diferidos.esperar()
    async with servicios.almacen.lectura() as s:
        sin_caso = await s.scalar(select(Escalamiento).join(
            Conversacion, Conversacion.id == Escalamiento.conversacion_id)
            .where(Conversacion.usuario_id == otro))
    assert sin_caso is not None
    pagina = await cliente.get("/panel/entrar")
    token = re.search(r'name="csrf" value="([^"]+)"', pagina.text)
    assert token
    await cliente.post("/panel/entrar", data={"correo": "sre@sre.gob.mx",
                                              "contrasena": datos.CONTRASENA,
                                              "csrf": token.group(1)})
    bandeja = await cliente.get("/panel")
    csrf = re.search(r'name="csrf" value="([^"]+)"', bandeja.text)
    assert csrf
    esc = await datos.traspaso_de(servicios, uid)
    assert esc is not None
    await cliente.post(f"/panel/traspaso/{esc.id}/tomar", data={"csrf": csrf.group(1)})
    await cliente.post(f"/panel/traspaso/{sin_caso.id}/nota",
                       data={"csrf": csrf.group(1), "nota": "Llamar el lunes"})
    paginas = {}
    for ruta in ("/panel", f"/panel/caso/{folio}", f"/panel/traspaso/{sin_caso.id}",
                 "/panel/tablero", "/panel/caso/NO-EXISTE"):
        r = await cliente.get(ruta)
        assert r.status_code in (200, 404), ruta
        paginas[ruta] = texto_visible(r.text)
        assert not valores_crudos(paginas[ruta]), (ruta, valores_crudos(paginas[ruta]))
    caso_txt = paginas[f"/panel/caso/{folio}"]
    for esperado in ("Acuerdo de amistad (internacional)", "Medio ambiente, Desarrollo urbano",
                     "20 nov 2026", "Persona sin nombre", "Integración REST",
                     "Conversación tomada", "Aviso de plazo de respuesta", "El asistente",
                     "Pulsó «"):
        assert esperado in caso_txt, esperado
    assert "Llamar el lunes" in paginas[f"/panel/traspaso/{sin_caso.id}"]
