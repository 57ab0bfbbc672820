"""Rutas del motor: modo humano (el bot calla y reenvía) y disparadores del traspaso."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.db.contexto_conversacion import actualizar_contexto, leer_contexto
from bot.db.estados import EstadoTraspaso, ModoConversacion
from bot.escalamiento import avisos, traspaso
from bot.escalamiento.diferidos import al_confirmar
from bot.escalamiento.textos import texto
from bot.nucleo.comandos import Comando
from bot.nucleo.contexto import Contexto
from bot.nucleo.mensajes import Respuesta

if TYPE_CHECKING:
    from bot.escalamiento.servicios import ServiciosEscalamiento

PAYLOADS_ASESOR = frozenset({"/asesor", "/hablar_asesor", "/hablar asesor"})
INTENTS = {"hablar_asesor": "solicitud_usuario", "queja": "queja"}


async def escalar(servicios: ServiciosEscalamiento, ctx: Contexto, motivo: str,
                  detalle: str | None = None) -> list[Respuesta]:
    """Abre un traspaso desde cualquier ruta (p. ej. un paso de flujo que requiere a una
    persona) y devuelve el aviso para el usuario."""
    return await traspaso.solicitar(servicios, ctx.sesion, ctx.usuario, ctx.conversacion,
                                    motivo, detalle)


class RutasEscalamiento:
    """Las rutas del traspaso, con los servicios que usan."""

    def __init__(self, servicios: ServiciosEscalamiento) -> None:
        self.servicios = servicios

    async def modo_humano(self, ctx: Contexto) -> list[Respuesta] | None:
        """Con una persona a cargo, el bot calla y reenvía; en espera, se puede cancelar."""
        return await modo_humano(self.servicios, ctx)

    async def disparadores(self, ctx: Contexto) -> list[Respuesta] | None:
        """La orden «asesor», el botón, o los intents hablar_asesor y queja."""
        return await disparadores(self.servicios, ctx)

    async def segundo_no_entendi(self, ctx: Contexto) -> list[Respuesta] | None:
        """Justo antes del «no le entendí»: si ya falló una vez, pasa a una persona."""
        return await segundo_no_entendi(self.servicios, ctx)


async def modo_humano(servicios: ServiciosEscalamiento, ctx: Contexto
                      ) -> list[Respuesta] | None:
    """Con una persona a cargo, el bot calla y reenvía; en espera, el usuario puede cancelar."""
    if ctx.conversacion.modo != ModoConversacion.HUMANO:
        return None
    esc = await traspaso.abierto_de(ctx.sesion, ctx.conversacion.id)
    if esc is None:  # quedó en modo humano sin traspaso: vuelve el asistente
        ctx.conversacion.modo = ModoConversacion.BOT
        return None
    if esc.estado == EstadoTraspaso.SOLICITADA:
        if ctx.comando in (Comando.CANCELAR, Comando.MENU):
            return await traspaso.cerrar(servicios, ctx.sesion, esc, None,
                                         "Cancelada por el usuario", por_usuario=True)
        if leer_contexto(ctx.conversacion).acuse_traspaso == esc.id:
            return []
        actualizar_contexto(ctx.conversacion, acuse_traspaso=esc.id)
        return [Respuesta(texto("espera.txt.j2"))]
    esc_id, mensaje_id = esc.id, ctx.mensaje.id
    al_confirmar(ctx.sesion, lambda: avisos.reenviar_a_asesor(servicios, esc_id, mensaje_id))
    return []


async def disparadores(servicios: ServiciosEscalamiento, ctx: Contexto
                       ) -> list[Respuesta] | None:
    """La orden «asesor», el botón, o los intents hablar_asesor y queja."""
    if ctx.comando is Comando.ASESOR or (ctx.payload or "").strip().lower() in PAYLOADS_ASESOR:
        # Tras tres respuestas no válidas en un paso, el flujo ofrece el asesor: ese es el motivo.
        sugerido = leer_contexto(ctx.conversacion).motivo_escalamiento
        actualizar_contexto(ctx.conversacion, motivo_escalamiento=None)
        if sugerido == "tres_fallos":
            detalle = f"{ctx.conversacion.flujo}/{ctx.conversacion.paso}"
            return await escalar(servicios, ctx, "validacion", detalle)
        return await escalar(servicios, ctx, "solicitud_usuario")
    if ctx.intent in INTENTS:
        return await escalar(servicios, ctx, INTENTS[ctx.intent], ctx.texto[:200] or None)
    return None


async def segundo_no_entendi(servicios: ServiciosEscalamiento, ctx: Contexto
                             ) -> list[Respuesta] | None:
    """Justo antes del «no le entendí»: si ya falló una vez, pasa a una persona."""
    if ctx.conversacion.fallos_nlu >= 1 and ctx.texto:
        return await escalar(servicios, ctx, "no_entendi", ctx.texto[:200])
    return None
