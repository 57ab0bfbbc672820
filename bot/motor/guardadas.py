"""Un mensaje de salida ya guardado, de vuelta como respuesta neutral: lo usan el motor
(reenvíos de la plataforma) y la bandeja de salida (envíos pendientes)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.modelos import Asesor, Documento, Mensaje
from bot.documentos.almacen import SIN_ARCHIVO, AlmacenDocumentos
from bot.nucleo.mensajes import Boton, DocumentoSaliente, Respuesta


async def respuesta_guardada(s: AsyncSession, fila: Mensaje,
                             documentos: AlmacenDocumentos | None = None) -> Respuesta:
    """La respuesta neutral de un mensaje guardado (con su documento y, si la escribió un
    asesor, su nombre al frente)."""
    extra = fila.extra or {}
    texto = fila.texto or ""
    if fila.autor == "asesor" and fila.asesor_id:
        asesor = await s.get(Asesor, fila.asesor_id)
        texto = f"*{asesor.nombre if asesor else 'Asesor'}:* {texto}"
    documento = None
    doc_id = extra.get("documento_id")
    if doc_id is not None and documentos is not None:
        doc = await s.get(Documento, doc_id)
        contenido = documentos.leer_si_existe(doc.ruta) if doc is not None else None
        if doc is not None and contenido is not None:
            documento = DocumentoSaliente(doc.nombre_archivo, doc.mime, contenido)
        else:
            texto = f"{texto}\n{SIN_ARCHIVO}".strip()
    return Respuesta(texto=texto,
                     botones=[Boton(b["titulo"], b["payload"]) for b in (fila.botones or [])],
                     documento=documento, enlace=extra.get("enlace"))
