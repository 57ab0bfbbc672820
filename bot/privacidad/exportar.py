"""«Mis datos»: todo lo que el almacén guarda sobre una persona, en un resumen y en JSON."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.casos.estatus import en_palabras
from bot.casos.visibilidad import eventos_para_persona
from bot.db.modelos import Caso, Conversacion, Documento, Estado, Mensaje, Municipio, Usuario
from bot.nucleo.mensajes import DocumentoSaliente

MIME_JSON = "application/json"


def _fecha(valor: dt.datetime | dt.date | None) -> str | None:
    return valor.isoformat() if valor is not None else None


async def _lugar(sesion: AsyncSession, usuario: Usuario) -> tuple[str | None, str | None]:
    """(estado, municipio) del perfil, por nombre."""
    estado = await sesion.get(Estado, usuario.estado_id) if usuario.estado_id else None
    municipio = await sesion.get(Municipio, usuario.municipio_id) if usuario.municipio_id else None
    return (estado.nombre if estado else None), (municipio.nombre if municipio else None)


def _documento(doc: Documento) -> dict[str, Any]:
    return {"tipo": doc.tipo, "nombre_archivo": doc.nombre_archivo, "mime": doc.mime,
            "tamano": doc.tamano, "sha256": doc.sha256, "creado_en": _fecha(doc.creado_en),
            "caso_id": doc.caso_id}


def _caso(caso: Caso) -> dict[str, Any]:
    return {
        "folio": caso.folio, "tipo": caso.tipo, "ambito": caso.ambito,
        "estatus": caso.estatus, "estatus_texto": en_palabras(caso.estatus).nombre,
        "estado": caso.estado.nombre, "municipio": caso.municipio.nombre,
        "ciudad_contraparte": caso.ciudad_contraparte, "pais_contraparte": caso.pais_contraparte,
        "areas": list(caso.areas or []), "objetivos": caso.objetivos,
        "antecedentes": caso.antecedentes, "fecha_cabildo": _fecha(caso.fecha_cabildo),
        "contacto": caso.contacto, "comite": caso.comite,
        "creado_en": _fecha(caso.creado_en), "actualizado_en": _fecha(caso.actualizado_en),
        "eventos": [{"fecha": _fecha(e.fecha), "tipo": e.tipo, "descripcion": e.descripcion,
                     "estatus_anterior": e.estatus_anterior, "estatus_nuevo": e.estatus_nuevo}
                    for e in eventos_para_persona(caso.eventos)],
    }


async def recopilar(sesion: AsyncSession, usuario: Usuario) -> dict[str, Any]:
    """Lo guardado sobre la persona: perfil, consentimiento, conversación, mensajes, casos y
    documentos (un diccionario listo para JSON). De la línea de tiempo de sus casos, lo que
    es para ella (las notas internas y los traspasos son del equipo)."""
    conversacion = await sesion.scalar(
        select(Conversacion).where(Conversacion.usuario_id == usuario.id))
    mensajes: list[Mensaje] = []
    if conversacion is not None:
        mensajes = list((await sesion.scalars(
            select(Mensaje).where(Mensaje.conversacion_id == conversacion.id)
            .order_by(Mensaje.id))).all())
    casos = list((await sesion.scalars(
        select(Caso).where(Caso.usuario_id == usuario.id).order_by(Caso.id)
        .options(selectinload(Caso.eventos), selectinload(Caso.documentos),
                 selectinload(Caso.estado), selectinload(Caso.municipio)))).all())
    ids_casos = [c.id for c in casos]
    estado, municipio = await _lugar(sesion, usuario)
    documentos = list((await sesion.scalars(
        select(Documento).where(or_(Documento.usuario_id == usuario.id,
                                    Documento.caso_id.in_(ids_casos)))
        .order_by(Documento.id))).all())
    return {
        "generado_en": _fecha(dt.datetime.now(dt.timezone.utc)),
        "perfil": {
            "canal": usuario.canal, "id_en_el_canal": usuario.id_externo,
            "numero_whatsapp": usuario.numero_whatsapp,
            "nombre": usuario.nombre, "rol": usuario.rol,
            "estado": estado, "municipio": municipio,
            "creado_en": _fecha(usuario.creado_en),
            "ultimo_mensaje_en": _fecha(usuario.ultimo_mensaje_en),
            "anonimizado_en": _fecha(usuario.anonimizado_en),
        },
        "consentimiento": {"aceptado_en": _fecha(usuario.consentimiento_en),
                           "version_aviso": usuario.version_aviso},
        "conversacion": None if conversacion is None else {
            "modo": conversacion.modo, "flujo": conversacion.flujo, "paso": conversacion.paso,
            "respuestas_parciales": conversacion.respuestas,
            "ultima_actividad": _fecha(conversacion.ultima_actividad),
        },
        "mensajes": [{"fecha": _fecha(m.creado_en), "direccion": m.direccion, "autor": m.autor,
                      "tipo": m.tipo, "texto": m.texto} for m in mensajes],
        "casos": [_caso(c) for c in casos],
        "documentos": [_documento(d) for d in documentos],
    }


async def contar_mensajes(sesion: AsyncSession, usuario: Usuario) -> int:
    """Cuántos mensajes (de ida y de vuelta) hay en la conversación de la persona."""
    total = await sesion.scalar(
        select(func.count()).select_from(Mensaje).join(
            Conversacion, Conversacion.id == Mensaje.conversacion_id)
        .where(Conversacion.usuario_id == usuario.id))
    return int(total or 0)


def documento_json(datos: dict[str, Any], usuario_id: int) -> DocumentoSaliente:
    """El archivo JSON descargable con lo recopilado."""
    contenido = json.dumps(datos, ensure_ascii=False, indent=2, default=str).encode("utf-8")
    return DocumentoSaliente(f"mis-datos-{usuario_id}.json", MIME_JSON, contenido)
