"""Rutas del motor para la base de conocimiento: artículos por botón, por intent o por
pregunta libre, «Más detalle» y «¿Le fue útil?»."""

from __future__ import annotations

from bot.conocimiento import retroalimentacion
from bot.conocimiento.base import BaseConocimiento
from bot.conocimiento.modelo import INTENTS_INFORMATIVOS
from bot.nucleo.contexto import Contexto
from bot.nucleo.mensajes import Boton, Respuesta

# Intents que se atienden en otro lado (flujos, privacidad, escalamiento) aunque tengan artículo.
_NO_INFORMATIVOS = {"ayuda"}


def _argumentos(payload: str | None, orden: str) -> list[str] | None:
    if not payload or not payload.startswith(orden + " "):
        return None
    return payload[len(orden) + 1:].split()


class RutasConocimiento:
    """Las rutas de la base de conocimiento, con la base que consultan."""

    def __init__(self, base: BaseConocimiento) -> None:
        self.base = base

    async def por_boton(self, ctx: Contexto) -> list[Respuesta] | None:
        """Botones: /tema <intent>, /articulo <id>, /articulo_detalle <id>, /util <id> si|no."""
        return await por_boton(self.base, ctx)

    def responder_pregunta(self, ctx: Contexto, solo_si_hay: bool = False
                           ) -> list[Respuesta] | None:
        """Ver `responder_pregunta`."""
        return responder_pregunta(self.base, ctx, solo_si_hay)

    async def por_intent(self, ctx: Contexto) -> list[Respuesta] | None:
        """Un intent informativo del NLU («¿qué es un hermanamiento?») → el artículo."""
        if ctx.intent in INTENTS_INFORMATIVOS and ctx.intent not in _NO_INFORMATIVOS:
            return self.responder_pregunta(ctx)
        return None

    async def pregunta_libre(self, ctx: Contexto) -> list[Respuesta] | None:
        """Texto sin intent claro: si la base tiene algo que ver, responder u ofrecer opciones."""
        if ctx.intent in (None, "nlu_fallback") and len(ctx.texto) >= 4:
            return self.responder_pregunta(ctx, solo_si_hay=True)
        return None


async def por_boton(base: BaseConocimiento, ctx: Contexto) -> list[Respuesta] | None:
    """Botones: /tema <intent>, /articulo <id>, /articulo_detalle <id>, /util <id> si|no."""
    if (args := _argumentos(ctx.payload, "/tema")) and (art := base.principal_de(args[0])):
        return base.responder_articulo(art.id, canal_admite_enlaces=True)
    if (args := _argumentos(ctx.payload, "/articulo")) and base.articulo(args[0]):
        return base.responder_articulo(args[0], canal_admite_enlaces=True)
    if (args := _argumentos(ctx.payload, "/articulo_detalle")) and base.articulo(args[0]):
        return base.detalle(args[0])
    if (args := _argumentos(ctx.payload, "/util")) and len(args) == 2 and base.articulo(args[0]):
        util = args[1] == "si"
        await retroalimentacion.registrar(ctx.sesion, args[0], util, ctx.usuario.id)
        if util:
            return [Respuesta("¡Gracias! Me da gusto que le haya servido.")]
        return [Respuesta("Gracias por decírmelo; lo tomaremos en cuenta para mejorar. "
                          "¿Quiere hablar con un asesor de su estado?",
                          botones=[Boton("Hablar con un asesor", "/asesor"),
                                   Boton("Menú", "/menu")])]
    return None


def responder_pregunta(base: BaseConocimiento, ctx: Contexto, solo_si_hay: bool = False
                       ) -> list[Respuesta] | None:
    """Busca la pregunta del mensaje en la base (con el intent, si lo hay) y responde.

    Con `solo_si_hay`, devuelve None cuando la búsqueda no encuentra nada (para que otra
    ruta responda); sin él, contesta «no encontré» con salidas.
    """
    if not ctx.texto:
        return None
    analisis = ctx.analisis
    intent = analisis.intent if analisis is not None else None
    confianza = analisis.confianza if analisis is not None else 0.0
    resultado = base.buscar(ctx.texto, intent=intent, confianza_intent=confianza)
    if solo_si_hay and resultado.decision == "nada":
        return None
    return base.responder(resultado, canal_admite_enlaces=True)

