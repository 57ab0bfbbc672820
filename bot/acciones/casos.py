"""Acciones de los flujos sobre casos: crear la iniciativa, adjuntar documentos, comité."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from bot.acciones.registro import ServiciosAcciones, accion
from bot.casos.repositorio import (
    adjuntar_documento,
    caso_del_usuario,
    crear_caso,
    registrar_evento,
)
from bot.db.contexto_conversacion import actualizar_contexto
from bot.db.estados import Audiencia
from bot.db.modelos import Caso, Documento, Municipio
from bot.documentos import trabajos
from bot.escalamiento.notificaciones import notificar_caso_nuevo, texto_caso_registrado
from bot.nucleo.contexto import Contexto
from bot.nucleo.mensajes import Boton, Respuesta


def _respuestas(datos: dict[str, Any]) -> dict[str, Any]:
    """Las respuestas del flujo que trae la acción."""
    return dict(datos.get("respuestas") or {})


def _actor(ctx: Contexto) -> str:
    return f"usuario:{ctx.usuario.id}"


async def _documento_recibido(ctx: Contexto, archivo: dict[str, Any] | None) -> Documento | None:
    """El documento que el usuario envió (guardado en la bandeja), solo si es suyo."""
    if not archivo or not archivo.get("ref"):
        return None
    documento = await ctx.sesion.get(Documento, int(archivo["ref"]))
    if documento is None or documento.usuario_id != ctx.usuario.id:
        return None
    return documento


async def documentos_del_caso(ctx: Contexto, caso: Caso) -> None:
    """Pide la ficha del caso (PDF) y el borrador del oficio (DOCX) como respuesta a este
    mensaje: queda un trabajo pendiente en esta misma transacción y el motor lo corre al
    confirmarla (si el proceso cae antes de guardarlos, se retoma al arrancar)."""
    trabajo = await trabajos.pedir(ctx.sesion, caso, ctx.mensaje.id)
    ctx.trabajos.append(trabajo.id)


def _fecha(valor: Any) -> dt.date | None:
    """Una fecha ISO guardada por el flujo (o None si no hay o no se lee)."""
    try:
        return dt.date.fromisoformat(str(valor)) if valor else None
    except ValueError:
        return None


@accion("crear_caso")
async def crear_iniciativa(ctx: Contexto, datos: dict[str, Any], servicios: ServiciosAcciones
                           ) -> list[Respuesta]:
    """Crea el caso con folio a partir de las respuestas del registro y lo notifica."""
    r = _respuestas(datos)
    municipio = await ctx.sesion.scalar(
        select(Municipio).where(Municipio.clave_inegi == (r.get("municipio") or {}).get(
            "clave_inegi")))
    if municipio is None:
        return [Respuesta("No pude identificar el municipio. Escriba «atrás» para corregirlo.")]
    fecha = r.get("fecha_cabildo")
    enlace = r.get("enlace") or {}
    caso = await crear_caso(ctx.sesion, {
        "estado_id": municipio.estado_id, "municipio_id": municipio.id,
        "usuario_id": ctx.usuario.id, "tipo": r.get("tipo") or "hermanamiento",
        "ambito": r.get("ambito") or "internacional",
        "ciudad_contraparte": str(r.get("ciudad") or "")[:160],
        "pais_contraparte": str((r.get("pais") or {}).get("nombre") or "")[:80],
        "areas": list(r.get("areas") or []), "objetivos": r.get("objetivos") or "",
        "antecedentes": r.get("antecedentes"),
        "fecha_cabildo": dt.date.fromisoformat(fecha) if fecha and fecha != "aun_no" else None,
        "fecha_cabildo_prevista": _fecha(r.get("fecha_cabildo_prevista"))
        if fecha == "aun_no" else None,
        "contacto": {k: enlace.get(k) for k in ("nombre", "cargo", "correo", "telefono")},
    }, _actor(ctx))
    for tipo, archivo in (r.get("archivos") or {}).items():
        documento = await _documento_recibido(ctx, archivo)
        if documento is not None:
            await adjuntar_documento(ctx.sesion, caso, documento, tipo, _actor(ctx))
    actualizar_contexto(ctx.conversacion, caso_folio=caso.folio)
    await notificar_caso_nuevo(servicios, ctx.sesion, caso)
    respuestas = [Respuesta(
        await texto_caso_registrado(servicios, ctx.sesion, caso),
        botones=[Boton("Ver seguimiento", "/iniciar seguimiento"),
                 Boton("Subir documento", "/iniciar subir_documento")])]
    await documentos_del_caso(ctx, caso)
    return respuestas


async def _caso_elegido(ctx: Contexto, r: dict[str, Any]) -> Caso | None:
    folio = (r.get("caso_elegido") or {}).get("folio")
    if not folio:
        return None
    return await caso_del_usuario(ctx.sesion, ctx.usuario, folio)


@accion("registrar_documento")
async def registrar_documento(ctx: Contexto, datos: dict[str, Any],
                              servicios: ServiciosAcciones) -> list[Respuesta]:
    """Liga el archivo recibido al caso elegido."""
    r = _respuestas(datos)
    caso = await _caso_elegido(ctx, r)
    documento = await _documento_recibido(ctx, r.get("archivo"))
    if caso is None or documento is None:
        return [Respuesta("No pude guardar el archivo en el caso. Intente de nuevo, por favor.")]
    await adjuntar_documento(ctx.sesion, caso, documento, r.get("tipo_documento") or "otro",
                             _actor(ctx))
    return []


@accion("registrar_comite")
async def registrar_comite(ctx: Contexto, datos: dict[str, Any], servicios: ServiciosAcciones
                           ) -> list[Respuesta]:
    """Guarda los integrantes del comité (nombre y cargo) en el caso elegido."""
    r = _respuestas(datos)
    caso = await _caso_elegido(ctx, r)
    integrantes = [{"nombre": str(i.get("nombre", ""))[:120], "cargo": str(i.get("cargo", ""))[:80]}
                   for i in r.get("integrantes") or [] if isinstance(i, dict)]
    if caso is None or not integrantes:
        return [Respuesta("No pude registrar el comité. Intente de nuevo, por favor.")]
    caso.comite = integrantes
    await registrar_evento(ctx.sesion, caso, "comite",
                           f"Se registraron {len(integrantes)} integrantes del comité.",
                           _actor(ctx), audiencia=Audiencia.PERSONA)
    return []
