"""La ficha (PDF) y el oficio (DOCX) de un caso como trabajo durable, guardado con el caso.

Quien decide generarlos (el registro del caso, «/documentos») deja una fila `pendiente` en
`trabajo_documentos` en la misma transacción (`pedir`). Tras confirmar, el motor la corre:
`producir` lee el caso y calcula la huella de sus datos; si ya hay una ficha y un oficio con
esa huella en el disco, los reutiliza; si no, los genera en el taller y los escribe. En la
transacción que guarda las respuestas, `terminar` la pasa a `hecho` (una sola vez, aunque dos
procesos la corran). Si el proceso cae en medio, sigue `pendiente`: se retoma al arrancar o
al reintentarse el mismo mensaje (`reanudar`), hasta `MAX_INTENTOS` veces.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.casos.repositorio import caso_por_folio
from bot.db.modelos import (
    TRABAJO_PENDIENTE,
    Caso,
    Conversacion,
    Documento,
    Mensaje,
    TrabajoDocumentos,
    Usuario,
    ahora,
)
from bot.db.sesion import Almacen
from bot.documentos import taller
from bot.documentos.almacen import AlmacenDocumentos, ArchivoGuardado
from bot.documentos.generar import TIPO_GENERADO, DatosCaso, datos_documento, huella
from bot.nucleo.mensajes import Boton, DocumentoSaliente, Respuesta

log = logging.getLogger(__name__)
MIME_PDF = "application/pdf"
MIME_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_INTENTOS = 3
"""Intentos de un trabajo (el primero, al pedirlo); agotados, se le avisa a la persona."""
TEXTO_FICHA = "Le envío la ficha de su caso."
TEXTO_OFICIO = "Y el borrador editable del oficio de solicitud para su oficina estatal."
TEXTO_FALLO = ("No pude preparar la ficha y el oficio del caso {folio}. Pídalos de nuevo en un "
               "momento con «Ficha y oficio»; si el problema sigue, lo comunico con un asesor.")


@dataclass(frozen=True)
class Trabajo:
    """Un trabajo pendiente y a quién responde: el mensaje que lo pidió y su conversación."""

    id: int
    caso_id: int
    folio: str
    mensaje_id: int
    conversacion_id: int
    usuario_id: int
    canal: str
    id_externo: str


@dataclass(frozen=True)
class Archivo:
    """Un documento listo para responder: la respuesta (con su contenido), dónde está en el
    disco y, si se reutiliza, su fila."""

    respuesta: Respuesta
    guardado: ArchivoGuardado
    documento_id: int | None = None


@dataclass(frozen=True)
class Producido:
    """La ficha y el oficio de un trabajo, ya en el disco, con la huella de sus datos."""

    trabajo: Trabajo
    huella: str
    archivos: list[Archivo]


async def pedir(sesion: AsyncSession, caso: Caso, mensaje_id: int) -> TrabajoDocumentos:
    """Deja pendiente la ficha y el oficio del caso, en respuesta al mensaje (uno por
    mensaje). El primer intento corre al confirmarse esta transacción."""
    existente = await sesion.scalar(select(TrabajoDocumentos).where(
        TrabajoDocumentos.mensaje_id == mensaje_id))
    if existente is not None:
        return existente
    trabajo = TrabajoDocumentos(caso_id=caso.id, mensaje_id=mensaje_id, estado="pendiente",
                                intentos=1)
    sesion.add(trabajo)
    await sesion.flush()
    return trabajo


_DE_QUIEN = (
    select(TrabajoDocumentos.id, TrabajoDocumentos.caso_id, Caso.folio, Mensaje.id,
           Conversacion.id, Usuario.id, Usuario.canal, Usuario.id_externo)
    .join(Caso, Caso.id == TrabajoDocumentos.caso_id)
    .join(Mensaje, Mensaje.id == TrabajoDocumentos.mensaje_id)
    .join(Conversacion, Conversacion.id == Mensaje.conversacion_id)
    .join(Usuario, Usuario.id == Conversacion.usuario_id)
)


async def pendientes(sesion: AsyncSession, mensaje_id: int | None = None) -> list[Trabajo]:
    """Los trabajos pendientes (de un mensaje, o todos), del más viejo al más nuevo."""
    ids = select(TrabajoDocumentos.id).where(text(TRABAJO_PENDIENTE))
    if mensaje_id is not None:
        ids = ids.where(TrabajoDocumentos.mensaje_id == mensaje_id)
    filas = (await sesion.execute(_DE_QUIEN.where(TrabajoDocumentos.id.in_(ids))
                                  .order_by(TrabajoDocumentos.id))).all()
    return [Trabajo(*fila) for fila in filas]


async def reanudar(sesion: AsyncSession, trabajo: Trabajo) -> bool:
    """Cuenta un intento más de un trabajo que quedó pendiente. Falso si ya no está
    pendiente o si agotó sus intentos (entonces toca `fallar`)."""
    cuenta = await sesion.execute(
        update(TrabajoDocumentos)
        .where(TrabajoDocumentos.id == trabajo.id, TrabajoDocumentos.estado == "pendiente",
               TrabajoDocumentos.intentos < MAX_INTENTOS)
        .values(intentos=TrabajoDocumentos.intentos + 1)
        .execution_options(synchronize_session=False))
    return getattr(cuenta, "rowcount", 0) == 1


async def producir(almacen: Almacen, documentos: AlmacenDocumentos,
                   trabajo: Trabajo) -> Producido | None:
    """La ficha y el oficio del caso, fuera de toda transacción de escritura: los que ya
    hay con la misma huella (no se escriben otros) o nuevos (taller y disco). None si el
    caso ya no existe."""
    async with almacen.lectura() as s:
        caso = await caso_por_folio(s, trabajo.folio)
        if caso is None:
            return None
        datos = datos_documento(caso)
        su_huella = huella(datos)
        de_antes = _con_huella(caso.documentos, su_huella)
    archivos = (_reutilizar(documentos, de_antes, trabajo.folio)
                or await _generar(documentos, datos, trabajo.folio))
    return Producido(trabajo, su_huella, archivos)


def _con_huella(documentos: list[Documento], buscada: str) -> dict[str, Documento]:
    """El último documento generado de cada tipo (PDF, DOCX) hecho con esos datos."""
    return {d.mime: d for d in sorted(documentos, key=lambda d: d.id)
            if d.tipo == TIPO_GENERADO and d.huella == buscada}


def _reutilizar(documentos: AlmacenDocumentos, de_antes: dict[str, Documento],
                folio: str) -> list[Archivo]:
    """La ficha y el oficio ya generados con los mismos datos, si siguen en el disco."""
    archivos = []
    for mime, texto in ((MIME_PDF, TEXTO_FICHA), (MIME_DOCX, TEXTO_OFICIO)):
        fila = de_antes.get(mime)
        contenido = documentos.leer_si_existe(fila.ruta) if fila is not None else None
        if fila is None or contenido is None:
            return []
        saliente = DocumentoSaliente(_nombre(mime, folio), mime, contenido)
        guardado = ArchivoGuardado(fila.sha256, Path(fila.ruta), fila.tamano)
        archivos.append(Archivo(Respuesta(texto, documento=saliente), guardado, fila.id))
    return archivos


async def _generar(documentos: AlmacenDocumentos, datos: DatosCaso,
                  folio: str) -> list[Archivo]:
    """Genera la ficha y el oficio en el taller y los escribe en el almacén, a la vez."""
    pdf, docx = await taller.generar(datos)
    piezas = ((MIME_PDF, TEXTO_FICHA, pdf), (MIME_DOCX, TEXTO_OFICIO, docx))
    guardados = await asyncio.gather(*(documentos.guardar_sin_bloquear(contenido, mime)
                                       for mime, _, contenido in piezas))
    return [Archivo(Respuesta(texto, documento=DocumentoSaliente(_nombre(mime, folio), mime,
                                                                 contenido)), guardado)
            for (mime, texto, contenido), guardado in zip(piezas, guardados, strict=True)]


def _nombre(mime: str, folio: str) -> str:
    return f"ficha-{folio}.pdf" if mime == MIME_PDF else f"oficio-{folio}.docx"


async def terminar(sesion: AsyncSession, producido: Producido) -> list[int] | None:
    """En la transacción que guarda las respuestas: marca el trabajo `hecho` (solo si seguía
    pendiente) y deja las filas de los documentos nuevos con su huella. Devuelve el id del
    documento de cada archivo, o None si otro proceso ya lo había terminado."""
    trabajo = producido.trabajo
    cuenta = await sesion.execute(
        update(TrabajoDocumentos)
        .where(TrabajoDocumentos.id == trabajo.id, TrabajoDocumentos.estado == "pendiente")
        .values(estado="hecho", huella=producido.huella, terminado_en=ahora())
        .execution_options(synchronize_session=False))
    if getattr(cuenta, "rowcount", 0) != 1:
        return None
    ids = []
    for archivo in producido.archivos:
        if archivo.documento_id is not None:
            ids.append(archivo.documento_id)
            continue
        documento = archivo.respuesta.documento
        assert documento is not None
        fila = Documento(caso_id=trabajo.caso_id, usuario_id=trabajo.usuario_id,
                         tipo=TIPO_GENERADO, nombre_archivo=documento.nombre, mime=documento.mime,
                         tamano=archivo.guardado.tamano, sha256=archivo.guardado.sha256,
                         ruta=str(archivo.guardado.ruta), huella=producido.huella)
        sesion.add(fila)
        await sesion.flush()
        ids.append(fila.id)
    return ids


async def fallar(sesion: AsyncSession, trabajo: Trabajo) -> list[Respuesta]:
    """Da el trabajo por fallido (si seguía pendiente) y devuelve el aviso para la persona."""
    cuenta = await sesion.execute(
        update(TrabajoDocumentos)
        .where(TrabajoDocumentos.id == trabajo.id, TrabajoDocumentos.estado == "pendiente")
        .values(estado="fallido", terminado_en=ahora())
        .execution_options(synchronize_session=False))
    if getattr(cuenta, "rowcount", 0) != 1:
        return []
    log.warning("no se pudieron preparar la ficha y el oficio",
                extra={"trabajo_id": trabajo.id, "caso_id": trabajo.caso_id})
    return [Respuesta(TEXTO_FALLO.format(folio=trabajo.folio),
                      botones=[Boton("Ficha y oficio", f"/documentos {trabajo.folio}"),
                               Boton("Hablar con un asesor", "/asesor")])]
