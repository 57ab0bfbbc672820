"""Rutas del motor: modo humano (el bot calla y reenvía) y disparadores del traspaso."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.escalamiento import avisos, traspaso
from bot.escalamiento.diferidos import al_confirmar
from bot.escalamiento.textos import texto
from bot.motor.comandos import Comando
from bot.motor.contexto import Contexto
from bot.motor.mensajes import Respuesta

if TYPE_CHECKING:
    from bot.servicios import Servicios

CLAVE_SERVICIOS = "escalamiento.servicios"
PAYLOADS_ASESOR = frozenset({"/asesor", "/hablar_asesor", "/hablar asesor"})
INTENTS = {"hablar_asesor": "solicitud_usuario", "queja": "queja"}


def servicios_de(ctx: Contexto) -> Servicios:
    """Los servicios completos (los guarda `conectar` en `motor.servicios`)."""
    return ctx.motor.servicios[CLAVE_SERVICIOS]


async def escalar(ctx: Contexto, motivo: str, detalle: str | None = None) -> list[Respuesta]:
    """Abre un traspaso desde cualquier ruta (p. ej. el intérprete de flujos: «tres fallos»
    o un paso que requiere a una persona) y devuelve el aviso para el usuario."""
    return await traspaso.solicitar(servicios_de(ctx), ctx.sesion, ctx.usuario, ctx.conversacion,
                                    motivo, detalle)


async def modo_humano(ctx: Contexto) -> list[Respuesta] | None:
    """Con una persona a cargo, el bot calla y reenvía; en espera, el usuario puede cancelar."""
    if ctx.conversacion.modo != "humano":
        return None
    esc = await traspaso.abierto_de(ctx.sesion, ctx.conversacion.id)
    if esc is None:  # quedó en modo humano sin traspaso: vuelve el asistente
        ctx.conversacion.modo = "bot"
        return None
    servicios = servicios_de(ctx)
    if esc.estado == "solicitada":
        if ctx.comando in (Comando.CANCELAR, Comando.MENU):
            return await traspaso.cerrar(servicios, ctx.sesion, esc, None,
                                         "Cancelada por el usuario", por_usuario=True)
        contexto = dict(ctx.conversacion.contexto or {})
        if contexto.get("acuse_traspaso") == esc.id:
            return []
        contexto["acuse_traspaso"] = esc.id
        ctx.conversacion.contexto = contexto
        return [Respuesta(texto("espera.txt.j2"))]
    esc_id, mensaje_id = esc.id, ctx.mensaje.id
    al_confirmar(ctx.sesion, lambda: avisos.reenviar_a_asesor(servicios, esc_id, mensaje_id))
    return []


async def disparadores(ctx: Contexto) -> list[Respuesta] | None:
    """La orden «asesor», el botón, o los intents hablar_asesor y queja."""
    if ctx.comando is Comando.ASESOR or (ctx.payload or "").strip().lower() in PAYLOADS_ASESOR:
        # Tras tres respuestas no válidas en un paso, el flujo ofrece el asesor: ese es el motivo.
        contexto = dict(ctx.conversacion.contexto or {})
        sugerido = contexto.pop("motivo_escalamiento", None)
        ctx.conversacion.contexto = contexto
        if sugerido == "tres_fallos":
            detalle = f"{ctx.conversacion.flujo}/{ctx.conversacion.paso}"
            return await escalar(ctx, "validacion", detalle)
        return await escalar(ctx, "solicitud_usuario")
    if ctx.intent in INTENTS:
        return await escalar(ctx, INTENTS[ctx.intent], ctx.texto[:200] or None)
    return None


async def segundo_no_entendi(ctx: Contexto) -> list[Respuesta] | None:
    """Justo antes del «no le entendí»: si ya falló una vez, pasa a una persona."""
    if ctx.conversacion.fallos_nlu >= 1 and ctx.texto:
        return await escalar(ctx, "no_entendi", ctx.texto[:200])
    return None
