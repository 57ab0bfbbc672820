"""La ficha y el oficio como trabajo durable: sobreviven a una caída tras «confirmar» (se
retoman al arrancar o al reintentarse el mensaje) y no se escriben de nuevo si el caso no
cambió."""

from __future__ import annotations

import asyncio
import io
import time
from pathlib import Path

import httpx
import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from bot.componentes import documentos_pendientes
from bot.config import Ajustes
from bot.db import diferidos
from bot.db.modelos import Documento, Mensaje, TrabajoDocumentos
from bot.documentos import taller
from bot.escalamiento import casos
from bot.escalamiento.asesores import por_id
from bot.motor import bandeja_salida
from bot.nucleo.mensajes import Canal, MensajeEntrante, Respuesta
from bot.servicios import Servicios, crear_servicios

from conversacion import PERFIL, REGISTRO, Charla, registrar_iniciativa
from dobles import escalamiento_datos as datos
from dobles.aplicacion import app_en_hilo, consultar

pytestmark = pytest.mark.lento  # generan PDF y DOCX (~3 s cada una, medido)

MIMES = ["application/pdf",
         "application/vnd.openxmlformats-officedocument.wordprocessingml.document"]


def _archivos(raiz: Path) -> list[Path]:
    """Las fichas y los oficios escritos en el almacén de documentos."""
    return sorted(p for p in raiz.rglob("*") if p.suffix in (".pdf", ".docx"))


def _adjuntos(respuestas: list[Respuesta]) -> list[str]:
    return [r.documento.mime for r in respuestas if r.documento is not None]


async def _generados(servicios: Servicios) -> int:
    async with servicios.almacen.lectura() as s:
        return int(await s.scalar(select(func.count()).select_from(Documento)
                                  .where(Documento.tipo == "generado")) or 0)


# ------------------------------------------------------------------ sin regenerar de más

async def test_cinco_pedidos_sin_cambios_no_escriben_archivos_nuevos(
        servicios: Servicios, ajustes_prueba: Ajustes) -> None:
    ana = Charla(servicios.motor)
    folio = await registrar_iniciativa(ana)  # al registrarse: la ficha y el oficio
    primeros = {r.documento.mime: r.documento.contenido for r in ana.ultimas if r.documento}
    for _ in range(5):
        await ana.di(payload=f"/documentos {folio}")
        assert _adjuntos(ana.ultimas) == MIMES
        assert {r.documento.mime: r.documento.contenido for r in ana.ultimas
                if r.documento} == primeros
    assert len(_archivos(ajustes_prueba.documentos_dir)) == 2
    assert await _generados(servicios) == 2


async def test_una_nota_interna_no_cambia_los_documentos_pero_el_estatus_si(
        servicios: Servicios, ajustes_prueba: Ajustes) -> None:
    ana = Charla(servicios.motor)
    folio = await registrar_iniciativa(ana)
    asesora_id = await datos.asesor(servicios, "laura@nl.gob.mx", estados=("NL",))
    async with servicios.almacen.escritura() as s:
        asesora = await por_id(s, asesora_id)
        assert asesora is not None
        caso = await casos.caso_por_folio(s, folio, asesora)
        assert caso is not None
        await casos.agregar_nota(s, caso, asesora, "Revisar el acta con el síndico.")
    await ana.di(payload=f"/documentos {folio}")
    antes = _archivos(ajustes_prueba.documentos_dir)
    assert len(antes) == 2
    async with servicios.almacen.escritura() as s:
        asesora = await por_id(s, asesora_id)
        assert asesora is not None
        caso = await casos.caso_por_folio(s, folio, asesora)
        assert caso is not None
        await casos.cambiar_estatus(servicios, s, caso, "en_revision_estatal", asesora)
    await diferidos.esperar()
    await ana.di(payload=f"/documentos {folio}")
    assert _adjuntos(ana.ultimas) == MIMES
    ficha = next(r.documento.contenido for r in ana.ultimas if r.documento)
    assert "En revisión estatal" in " ".join(
        PdfReader(io.BytesIO(ficha)).pages[0].extract_text().split())
    nuevos = set(_archivos(ajustes_prueba.documentos_dir)) - set(antes)
    assert ".pdf" in {p.suffix for p in nuevos}  # el oficio no lleva el estatus: puede ser igual
    assert await _generados(servicios) == 4


# ------------------------------------------------------------------ una caída tras confirmar

def _taller_ocupado(segundos: float) -> None:
    """Ocupa el proceso del taller (un solo trabajador): la ficha que se pida después espera,
    y en esa espera «cae» el proceso."""
    taller.calentar()
    taller._obtener().submit(time.sleep, segundos)


async def _cae_tras_confirmar(servicios: Servicios, charla: Charla, id_mensaje: str) -> None:
    """Recorre el registro y manda «confirmar»; en cuanto la decisión quedó confirmada en la
    base (el trabajo de documentos ya existe) y mientras se generan, el proceso se cae: se
    cancela su tarea, sin que nada más corra. Queda lo que deja un `kill -9` en ese momento."""
    for mensaje in PERFIL + REGISTRO[:-1]:
        await (charla.di(payload=mensaje) if mensaje.startswith("/") else charla.di(mensaje))
    _taller_ocupado(1.5)
    tarea = asyncio.create_task(servicios.motor.procesar(MensajeEntrante(
        charla.canal, charla.usuario, id_mensaje, texto=REGISTRO[-1])))
    while await _trabajos(servicios) == []:
        assert not tarea.done(), "los documentos no debían salir con el taller ocupado"
        await asyncio.sleep(0.01)
    tarea.cancel()
    await asyncio.gather(tarea, return_exceptions=True)
    assert await _trabajos(servicios) == ["pendiente"]
    assert await _generados(servicios) == 0


async def _trabajos(servicios: Servicios) -> list[str]:
    async with servicios.almacen.lectura() as s:
        return list((await s.scalars(select(TrabajoDocumentos.estado))).all())


@pytest.mark.servidor
@pytest.mark.lento
async def test_tras_una_caida_el_arranque_genera_y_el_reintento_los_devuelve(
        servicios: Servicios, ajustes_prueba: Ajustes) -> None:
    ana = Charla(servicios.motor)
    await _cae_tras_confirmar(servicios, ana, "ana:confirmar")  # REST: «remitente:message_id»
    await servicios.cerrar()
    with app_en_hilo(ajustes_prueba) as app:  # arranca: retoma los documentos pendientes
        assert consultar(ajustes_prueba.database_url,
                         "SELECT estado FROM trabajo_documentos") == [("hecho",)]
        reintento = httpx.post(app.url + "/webhooks/rest/webhook", timeout=30, json={
            "sender": "ana", "message": "confirmar", "message_id": "confirmar"}).json()
        assert "quedó registrada con el folio" in " ".join(e["text"] for e in reintento)
        adjuntos = [e["attachment"] for e in reintento if "attachment" in e]
        assert [a["mime"] for a in adjuntos] == MIMES
        ficha = httpx.get(app.url + adjuntos[0]["url"], timeout=10)
        assert ficha.status_code == 200 and ficha.content.startswith(b"%PDF")
    assert len(_archivos(ajustes_prueba.documentos_dir)) == 2


async def test_el_reintento_del_mensaje_retoma_los_documentos_sin_reiniciar(
        servicios: Servicios) -> None:
    ana = Charla(servicios.motor)
    await _cae_tras_confirmar(servicios, ana, "ana:confirmar")
    reintento = await servicios.motor.procesar(MensajeEntrante(
        Canal.REST, "ana", "ana:confirmar", texto="confirmar"))
    assert _adjuntos(reintento) == MIMES
    otra_vez = await servicios.motor.procesar(MensajeEntrante(
        Canal.REST, "ana", "ana:confirmar", texto="confirmar"))
    assert _adjuntos(otra_vez) == MIMES and await _generados(servicios) == 2
    assert await _trabajos(servicios) == ["hecho"]


async def test_en_telegram_los_documentos_retomados_esperan_en_la_bandeja_de_salida(
        servicios: Servicios, ajustes_prueba: Ajustes) -> None:
    ana = Charla(servicios.motor, "7001", Canal.TELEGRAM)
    await _cae_tras_confirmar(servicios, ana, "7001-confirmar")
    await servicios.cerrar()
    nuevos = crear_servicios(ajustes_prueba, con_nlu=False)  # otro proceso, al arrancar
    try:
        await documentos_pendientes(nuevos).iniciar()
        async with nuevos.almacen.lectura() as s:
            confirmar = await s.scalar(select(Mensaje.id).where(
                Mensaje.id_externo == "7001-confirmar"))
            documentos = (await s.scalars(select(Mensaje).where(
                Mensaje.responde_a_id == confirmar, Mensaje.tipo == "documento"))).all()
        assert [m.envio for m in documentos] == [None, None]  # en la bandeja, sin reclamar
        salen = await bandeja_salida.reclamar(nuevos.almacen, nuevos.documentos, "telegram",
                                              "7001")
        adjuntos = [p.respuesta.documento for p in salen if p.respuesta.documento]
        assert [d.mime for d in adjuntos] == MIMES and all(d.contenido for d in adjuntos)
    finally:
        await nuevos.cerrar()
