"""Rutas del motor: modo humano (el bot calla y reenvía) y disparadores del traspaso.

A quien rechazó el consentimiento no se le pasa a la oficina sin preguntarle: `escalar` le
dice qué se compartiría y espera su «sí» (botones). Si acepta, el traspaso anota cuándo
(`Escalamiento.compartir_aceptado_en`); si no, se le dice cómo escribir directo a su oficina.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.db.contexto_conversacion import actualizar_contexto, leer_contexto
from bot.db.estados import EstadoTraspaso, ModoConversacion
from bot.db.modelos import ahora
from bot.escalamiento import avisos, traspaso
from bot.escalamiento.diferidos import al_confirmar
from bot.escalamiento.textos import texto
from bot.nucleo.comandos import Comando
from bot.nucleo.contexto import Contexto
from bot.nucleo.mensajes import Boton, Respuesta
from bot.texto import normalizar

if TYPE_CHECKING:
    from bot.escalamiento.servicios import ServiciosEscalamiento

PAYLOADS_ASESOR = frozenset({"/asesor", "/hablar_asesor", "/hablar asesor"})
INTENTS = {"hablar_asesor": "solicitud_usuario", "queja": "queja"}
PAYLOAD_COMPARTIR = "/traspaso_compartir"
PAYLOAD_NO_COMPARTIR = "/traspaso_no_compartir"
DIRECTORIO_OFICINAS = ("https://coordinacionpolitica.sre.gob.mx/index.php/"
                       "participantes-del-programa")
"""Directorio de la SRE con las oficinas estatales de enlace y la coordinación nacional."""
DETALLE_COMPARTIR = ("Sin consentimiento general: aceptó compartir esta conversación solo "
                     "para esta atención. Sus mensajes anteriores no se guardaron.")
_SI = frozenset({"si", "si compartir", "acepto", "de acuerdo", "claro", "ok", "va", "sale",
                 "si por favor", "esta bien", "si acepto", "adelante"})
_NO = frozenset({"no", "no gracias", "no compartir", "no acepto", "prefiero no", "mejor no",
                 "no quiero"})


def _sin_consentimiento(ctx: Contexto) -> bool:
    return leer_contexto(ctx.conversacion).consentimiento_rechazado


def _preguntar_si_comparte(ctx: Contexto, motivo: str) -> list[Respuesta]:
    """Qué se compartiría con la oficina y la pregunta (no se guarda el texto que lo pidió)."""
    actualizar_contexto(ctx.conversacion, traspaso_por_confirmar=motivo[:40])
    return [Respuesta(texto("compartir_pregunta.txt.j2"),
                      botones=[Boton("Sí, compartir", PAYLOAD_COMPARTIR),
                               Boton("No, gracias", PAYLOAD_NO_COMPARTIR)])]


async def escalar(servicios: ServiciosEscalamiento, ctx: Contexto, motivo: str,
                  detalle: str | None = None) -> list[Respuesta]:
    """Abre un traspaso desde cualquier ruta (p. ej. un paso de flujo que requiere a una
    persona) y devuelve el aviso para el usuario. Sin consentimiento, primero pregunta."""
    if _sin_consentimiento(ctx):
        return _preguntar_si_comparte(ctx, motivo)
    return await traspaso.solicitar(servicios, ctx.sesion, ctx.usuario, ctx.conversacion,
                                    motivo, detalle)


async def respuesta_a_compartir(servicios: ServiciosEscalamiento, ctx: Contexto
                                ) -> list[Respuesta] | None:
    """El «sí» o el «no» a compartir la conversación con la oficina (botón o texto mientras
    la pregunta está abierta). Cualquier otra cosa deja la pregunta sin efecto."""
    pendiente = leer_contexto(ctx.conversacion).traspaso_por_confirmar
    payload = (ctx.payload or "").strip()
    forma = "" if payload else normalizar(ctx.texto)
    acepta = payload == PAYLOAD_COMPARTIR or (bool(pendiente) and forma in _SI)
    rechaza = payload == PAYLOAD_NO_COMPARTIR or (bool(pendiente) and forma in _NO)
    if pendiente:
        actualizar_contexto(ctx.conversacion, traspaso_por_confirmar=None)
    if rechaza:
        return [Respuesta(texto("compartir_no.txt.j2", directorio=DIRECTORIO_OFICINAS),
                          botones=[Boton("Menú", "/menu")])]
    if not acepta:
        return None
    sin_consentimiento = _sin_consentimiento(ctx)
    respuestas = await traspaso.solicitar(
        servicios, ctx.sesion, ctx.usuario, ctx.conversacion, pendiente or "solicitud_usuario",
        DETALLE_COMPARTIR if sin_consentimiento else None)
    esc = await traspaso.abierto_de(ctx.sesion, ctx.conversacion.id)
    if sin_consentimiento and esc is not None and esc.compartir_aceptado_en is None:
        esc.compartir_aceptado_en = ahora()
    return respuestas


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
    """La respuesta a «¿compartir con la oficina?», la orden «asesor», el botón, o los
    intents hablar_asesor y queja."""
    respondida = await respuesta_a_compartir(servicios, ctx)
    if respondida is not None:
        return respondida
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
