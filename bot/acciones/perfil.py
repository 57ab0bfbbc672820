"""Acciones de la bienvenida: consentimiento y perfil del usuario."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.acciones.registro import ServiciosAcciones, accion
from bot.db.contexto_conversacion import actualizar_contexto
from bot.db.modelos import Estado, Municipio
from bot.motor.bandeja import vaciar_conversacion
from bot.nucleo.contexto import Contexto
from bot.nucleo.mensajes import Respuesta
from bot.privacidad.aviso import aviso
from bot.privacidad.consentimiento import registrar_consentimiento, retirar_consentimiento


@accion("guardar_consentimiento")
async def guardar_consentimiento(ctx: Contexto, datos: dict[str, Any],
                                 servicios: ServiciosAcciones) -> list[Respuesta]:
    """Guarda la aceptación del aviso (fecha y versión); sin ella no se guarda el perfil.

    «No acepto»: no queda ningún dato del perfil y lo ya guardado de la conversación se vacía
    como se vaciará cada mensaje siguiente al decidirlo (`bot.motor.bandeja`)."""
    respuestas = datos.get("respuestas") or {}
    if respuestas.get("consentimiento"):
        _, version = await aviso(ctx.sesion, ctx.usuario.estado_id, integral=False)
        await registrar_consentimiento(ctx.sesion, ctx.usuario, str(version))
        actualizar_contexto(ctx.conversacion, consentimiento_rechazado=False)
    else:
        retirar_consentimiento(ctx.usuario)
        actualizar_contexto(ctx.conversacion, consentimiento_rechazado=True, despues=None)
        await vaciar_conversacion(ctx.sesion, ctx.conversacion, antes_de=ctx.mensaje.id)
    return []


@accion("guardar_perfil")
async def guardar_perfil(ctx: Contexto, datos: dict[str, Any], servicios: ServiciosAcciones
                         ) -> list[Respuesta]:
    """Rol, estado, municipio y nombre del usuario (solo con consentimiento)."""
    respuestas = datos.get("respuestas") or {}
    if ctx.usuario.consentimiento_en is None:
        return []
    usuario = ctx.usuario
    usuario.rol = respuestas.get("rol") or usuario.rol
    usuario.nombre = (respuestas.get("nombre") or usuario.nombre or "")[:120] or None
    estado = respuestas.get("estado") or {}
    municipio = respuestas.get("municipio") or {}
    if municipio.get("clave_inegi"):
        fila = await ctx.sesion.scalar(
            select(Municipio).where(Municipio.clave_inegi == municipio["clave_inegi"]))
        if fila is not None:
            usuario.municipio_id, usuario.estado_id = fila.id, fila.estado_id
    elif estado.get("clave_inegi"):
        fila_e = await ctx.sesion.scalar(
            select(Estado).where(Estado.clave_inegi == estado["clave_inegi"]))
        if fila_e is not None:
            usuario.estado_id, usuario.municipio_id = fila_e.id, None
    return []
