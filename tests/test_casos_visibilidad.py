"""Lo que la persona ve de la línea de tiempo de su caso: las notas internas, los traspasos,
el SLA y los nombres de los asesores nunca le llegan (seguimiento, ficha PDF, oficio DOCX,
«mis datos», avisos de estatus); lo que es para ella, sí. El escritorio ve todo."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from docx import Document
from pypdf import PdfReader
from sqlalchemy import select
from test_panel import entrar

from bot.app import crear_app
from bot.db import diferidos
from bot.db.modelos import Mensaje, ahora
from bot.escalamiento import casos, sla, traspaso
from bot.escalamiento.asesores import por_id
from bot.servicios import Servicios

from conversacion import Charla, registrar_iniciativa
from dobles import escalamiento_datos as datos

pytestmark = pytest.mark.lento  # generan PDF y DOCX (~3 s cada una, medido)

ASESORA = "Laura Ixchel Zubiría"
NOTA = "Llamó el regidor Tlacaélel: no avisarle todavía de la auditoría."
COMENTARIO = "Revisamos su expediente; falta la constancia de Tepoztlán."
DEL_EQUIPO = ("Tlacaélel", "auditoría", "Zubiría", "Tomado por", "Primera respuesta",
              "Recordatorio de primera respuesta")
"""Textos de la nota, del nombre de la asesora, de la toma, de la primera respuesta y del SLA."""


@dataclass
class Escenario:
    """Un caso de Ana con nota interna, traspaso completo (con SLA vencido) y un cambio de
    estatus con comentario para ella."""

    charla: Charla
    folio: str
    conversacion_id: int


async def _escenario(servicios: Servicios) -> Escenario:
    charla = Charla(servicios.motor)
    folio = await registrar_iniciativa(charla)  # Nuevo León
    asesora_id = await datos.asesor(servicios, "laura@nl.gob.mx", estados=("NL",),
                                     nombre=ASESORA)
    await charla.di("asesor")
    usuario = await datos.usuario_por_externo(servicios, "rest", "ana")
    esc = await datos.traspaso_de(servicios, usuario.id)
    assert esc is not None and esc.caso_id is not None
    await sla.procesar_vencidos(servicios, ahora() + dt.timedelta(days=7))
    async with servicios.almacen.escritura() as s:
        asesora = await por_id(s, asesora_id)
        assert asesora is not None
        await traspaso.tomar(servicios, s, esc.id, asesora)
    async with servicios.almacen.escritura() as s:
        asesora = await por_id(s, asesora_id)
        abierto = await traspaso.abierto_de(s, esc.conversacion_id)
        assert asesora is not None and abierto is not None
        await traspaso.responder(servicios, s, abierto, asesora, "Con gusto la atiendo.")
        await traspaso.cerrar(servicios, s, abierto, asesora, "Gracias por escribir.")
    async with servicios.almacen.escritura() as s:
        asesora = await por_id(s, asesora_id)
        assert asesora is not None
        caso = await casos.caso_por_folio(s, folio, asesora)
        assert caso is not None
        await casos.agregar_nota(s, caso, asesora, NOTA)
        await casos.cambiar_estatus(servicios, s, caso, "en_revision_estatal", asesora,
                                    COMENTARIO)
    await diferidos.esperar()
    return Escenario(charla, folio, esc.conversacion_id)


def _sin_lo_del_equipo(texto: str) -> None:
    for privado in DEL_EQUIPO:
        assert privado not in texto, privado


def _texto_pdf(contenido: bytes) -> str:
    lector = PdfReader(io.BytesIO(contenido))
    return " ".join(" ".join(p.extract_text() for p in lector.pages).split())


def _texto_docx(contenido: bytes) -> str:
    documento = Document(io.BytesIO(contenido))
    return "\n".join(p.text for p in documento.paragraphs)


async def test_seguimiento_muestra_solo_lo_que_es_para_la_persona(servicios: Servicios) -> None:
    e = await _escenario(servicios)
    await e.charla.di(payload="/iniciar seguimiento")
    assert "Iniciativa registrada" in e.charla.texto and COMENTARIO in e.charla.texto
    _sin_lo_del_equipo(e.charla.texto)


async def test_la_ficha_y_el_oficio_no_llevan_lo_del_equipo(servicios: Servicios) -> None:
    e = await _escenario(servicios)
    await e.charla.di(payload=f"/documentos {e.folio}")
    archivos = {r.documento.mime: r.documento.contenido for r in e.charla.ultimas
                if r.documento is not None}
    ficha = _texto_pdf(archivos["application/pdf"])
    assert "Iniciativa registrada" in ficha and "Tepoztlán" in ficha
    _sin_lo_del_equipo(ficha)
    oficio = _texto_docx(archivos[
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"])
    assert e.folio in oficio
    _sin_lo_del_equipo(oficio)


async def test_mis_datos_no_exporta_lo_del_equipo(servicios: Servicios) -> None:
    e = await _escenario(servicios)
    respuestas = await e.charla.di("mis datos")
    archivo = next(r.documento for r in respuestas if r.documento is not None)
    exportado = json.loads(archivo.contenido)
    eventos = [ev["descripcion"] for ev in exportado["casos"][0]["eventos"]]
    assert eventos[0].startswith("Iniciativa registrada") and COMENTARIO in eventos
    _sin_lo_del_equipo(json.dumps(exportado["casos"], ensure_ascii=False))
    assert "Tlacaélel" not in archivo.contenido.decode("utf-8")


async def test_el_aviso_de_estatus_lleva_el_comentario_y_nada_del_equipo(
        servicios: Servicios) -> None:
    e = await _escenario(servicios)
    async with servicios.almacen.lectura() as s:
        avisos = (await s.scalars(select(Mensaje.texto).where(
            Mensaje.conversacion_id == e.conversacion_id, Mensaje.direccion == "salida",
            Mensaje.texto.contains("cambió de estatus")))).all()
    assert len(avisos) == 1 and COMENTARIO in avisos[0] and "En revisión estatal" in avisos[0]
    _sin_lo_del_equipo(avisos[0])


@pytest.fixture
async def panel(servicios: Servicios) -> AsyncIterator[httpx.AsyncClient]:
    app = crear_app(servicios.ajustes, servicios)
    app.state.servicios = servicios
    transporte = httpx.ASGITransport(app=app, client=("10.0.0.1", 1234))
    async with httpx.AsyncClient(transport=transporte, base_url="http://panel.prueba") as c:
        yield c
    await diferidos.esperar()


async def test_el_escritorio_sigue_viendo_todo(servicios: Servicios,
                                              panel: httpx.AsyncClient) -> None:
    e = await _escenario(servicios)
    assert (await entrar(panel, "laura@nl.gob.mx")).status_code == 303
    pagina = (await panel.get(f"/panel/caso/{e.folio}")).text
    # Los pasos del traspaso con su etiqueta del escritorio y quién los dio (la asesora).
    for texto in ("Tlacaélel", "Conversación tomada", "Primera respuesta del asesor",
                  f"<small>{ASESORA}</small>", "Recordatorio de primera respuesta", COMENTARIO):
        assert texto in pagina, texto
