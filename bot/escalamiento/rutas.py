"""Rutas del motor para el traspaso a una persona (docs/ARQUITECTURA.md §4).

- En espera (`solicitada`) la conversación sigue con el asistente: responde preguntas y
  trámites; la ruta `traspaso` solo atiende salir («volver al asistente», «cancelar», «mejor
  no», el botón) y «¿cuánto tarda?» (lugar en la fila y la verdad del horario).
- Tomado (`tomada`/`atendida`), el asistente calla: reenvía al asesor y acusa recibo (el acuse
  completo tras un rato sin escribir; si no, uno breve), salvo las órdenes de salir. Los
  derechos de la persona («mis datos») van antes en la tabla de rutas y valen siempre.
- Nunca se escala sin que la persona lo pida: tras dos «no le entendí» se OFRECE una persona
  con un botón, y un mensaje con varias preguntas se responde pregunta por pregunta.
- A quien rechazó el consentimiento no se le pasa a la oficina sin preguntarle: `escalar` le
  dice qué se compartiría y espera su «sí» (botones). Si acepta, el traspaso anota cuándo
  (`Escalamiento.compartir_aceptado_en`); si no, se le dice cómo escribir directo a su oficina.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.contexto_conversacion import actualizar_contexto, leer_contexto
from bot.db.diferidos import al_confirmar
from bot.db.estados import Direccion, EstadoTraspaso, ModoConversacion
from bot.db.modelos import Asesor, Escalamiento, Mensaje, ahora
from bot.escalamiento import avisos, traspaso
from bot.escalamiento.disponibilidad import Disponibilidad, disponibilidad
from bot.escalamiento.enrutamiento import estado_del_usuario
from bot.escalamiento.frases import (
    MAXIMO_PARTES,
    PAYLOAD_SALIR,
    pide_salir,
    pide_una_persona,
    pregunta_cuanto_tarda_una_persona,
    pregunta_por_la_espera,
)
from bot.escalamiento.horario import cuando
from bot.escalamiento.textos import texto
from bot.nucleo.comandos import Comando
from bot.nucleo.contexto import Contexto
from bot.nucleo.mensajes import Boton, Respuesta
from bot.nucleo.preguntas import partir_preguntas
from bot.texto import normalizar

if TYPE_CHECKING:
    from bot.escalamiento.servicios import ServiciosEscalamiento

PAYLOADS_ASESOR = frozenset({"/asesor", "/hablar_asesor", "/hablar asesor"})
INTENTS = {"hablar_asesor": "solicitud_usuario", "queja": "queja"}
BOTON_PERSONA = Boton("Hablar con una persona", "/asesor")
LARGO_ENCABEZADO = 120

ResponderPregunta = Callable[[Contexto, bool], list[Respuesta] | None]
"""La base de conocimiento, vista desde aquí: responde `ctx.texto` (con `True`, None si no
tiene nada que ver). La da la composición (`bot.modulos`): el escalamiento no la importa."""

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
    """Las rutas del traspaso, con los servicios que usan y, para responder un mensaje con
    varias preguntas, la base de conocimiento (`responder_pregunta`)."""

    def __init__(self, servicios: ServiciosEscalamiento,
                 responder_pregunta: ResponderPregunta | None = None) -> None:
        self.servicios = servicios
        self.responder_pregunta = responder_pregunta

    async def traspaso(self, ctx: Contexto) -> list[Respuesta] | None:
        """Con un traspaso abierto: salir, «¿cuánto tarda?» y, con una persona a cargo,
        reenviar y acusar recibo."""
        return await traspaso_en_curso(self.servicios, ctx)

    async def varias_preguntas(self, ctx: Contexto) -> list[Respuesta] | None:
        """Un mensaje con varias preguntas: una respuesta por pregunta (hasta cuatro)."""
        if self.responder_pregunta is None:
            return None
        return await varias_preguntas(self.servicios, ctx, self.responder_pregunta)

    async def disparadores(self, ctx: Contexto) -> list[Respuesta] | None:
        """La orden «asesor», el botón, los intents hablar_asesor y queja, o pedirlo con
        palabras («necesito hablar con alguien de la oficina estatal»)."""
        return await disparadores(self.servicios, ctx)

    async def segundo_no_entendi(self, ctx: Contexto) -> list[Respuesta] | None:
        """Justo antes del «no le entendí»: en espera, cómo va; al segundo seguido, ofrecer
        una persona (con un botón; no se escala solo)."""
        return await segundo_no_entendi(self.servicios, ctx)


# --- El traspaso abierto de la conversación ---

async def _abierto(ctx: Contexto) -> Escalamiento | None:
    """El traspaso abierto, sin consultar la base si no hay ninguno: en espera lo recuerda el
    contexto (`acuse_traspaso`); tomado, la conversación está en modo «humano»."""
    conversacion = ctx.conversacion
    marca = leer_contexto(conversacion).acuse_traspaso
    if conversacion.modo == ModoConversacion.HUMANO:
        esc = await traspaso.abierto_de(ctx.sesion, conversacion.id)
        if esc is None:  # quedó en modo humano sin traspaso: vuelve el asistente
            conversacion.modo = ModoConversacion.BOT
        elif esc.estado == EstadoTraspaso.SOLICITADA:  # de una versión anterior: en espera,
            conversacion.modo = ModoConversacion.BOT     # sigue el asistente
            actualizar_contexto(conversacion, acuse_traspaso=esc.id)
            return esc
        if marca is not None:
            actualizar_contexto(conversacion, acuse_traspaso=None)
        return esc
    if marca is None:
        return None
    esc = await ctx.sesion.get(Escalamiento, marca)
    if esc is None or esc.conversacion_id != conversacion.id or esc.estado not in traspaso.ABIERTOS:
        actualizar_contexto(conversacion, acuse_traspaso=None)
        return None
    if esc.estado != EstadoTraspaso.SOLICITADA:  # lo tomaron: la persona está a cargo
        conversacion.modo = ModoConversacion.HUMANO
        actualizar_contexto(conversacion, acuse_traspaso=None)
    return esc


async def traspaso_en_curso(servicios: ServiciosEscalamiento, ctx: Contexto
                            ) -> list[Respuesta] | None:
    """En espera: salir o «¿cuánto tarda?»; lo demás sigue a las otras rutas (el asistente
    sigue atendiendo). Tomado: salir, o reenviar al asesor y acusar recibo. Sin traspaso:
    «¿cuánto tarda el asesor?» recibe la verdad del horario y un botón, no un traspaso."""
    esc = await _abierto(ctx)
    if esc is None:
        if (not ctx.payload and not ctx.conversacion.flujo
                and pregunta_cuanto_tarda_una_persona(ctx.texto)):
            return await _cuanto_tarda_sin_traspaso(servicios, ctx)
        return None
    con_persona = esc.estado != EstadoTraspaso.SOLICITADA
    if pide_salir(ctx.texto, ctx.payload, con_persona=con_persona,
                  con_tramite=bool(ctx.conversacion.flujo)):
        return await traspaso.cerrar(servicios, ctx.sesion, esc, None,
                                     "La persona volvió al asistente", por_usuario=True)
    if con_persona:
        return await _reenviar(servicios, ctx, esc)
    if not ctx.payload and pregunta_por_la_espera(ctx.texto):
        return await traspaso.texto_espera(servicios, ctx.sesion, esc)
    return None


async def _reenviar(servicios: ServiciosEscalamiento, ctx: Contexto, esc: Escalamiento
                    ) -> list[Respuesta]:
    """Lleva el mensaje al asesor y acusa recibo: completo al primer mensaje tras la toma o
    tras `TRASPASO_ACUSE_MIN` minutos sin escribir; si no, uno breve. Nunca en silencio."""
    esc_id, mensaje_id = esc.id, ctx.mensaje.id
    al_confirmar(ctx.sesion, lambda: avisos.reenviar_a_asesor(servicios, esc_id, mensaje_id))
    asesor = await ctx.sesion.get(Asesor, esc.asesor_id) if esc.asesor_id else None
    nombre = asesor.nombre if asesor is not None else "la persona que le atiende"
    completo = await _acuse_completo(ctx.sesion, esc, ctx.mensaje.id,
                                     servicios.ajustes.traspaso_acuse_min)
    if not completo:
        return [Respuesta(texto("acuse.txt.j2", completo=False, asesor=nombre, oficina=""))]
    oficina = (await traspaso.oficina_del_asesor(ctx.sesion, esc, asesor) if asesor is not None
               else await traspaso.oficina(ctx.sesion, esc.estado_id))
    return [Respuesta(texto("acuse.txt.j2", completo=True, asesor=nombre, oficina=oficina),
                      botones=[Boton("Volver al asistente", PAYLOAD_SALIR)])]


def _utc(momento: dt.datetime) -> dt.datetime:
    """SQLite devuelve la hora sin zona (se guarda en UTC)."""
    return momento if momento.tzinfo else momento.replace(tzinfo=dt.timezone.utc)


async def _acuse_completo(sesion: AsyncSession, esc: Escalamiento, mensaje_id: int,
                          minutos: int) -> bool:
    """¿Toca el acuse completo? Sí si es el primer mensaje desde que se tomó el traspaso o si
    el anterior de la persona fue hace más de `minutos`."""
    anterior = await sesion.scalar(select(func.max(Mensaje.creado_en)).where(
        Mensaje.conversacion_id == esc.conversacion_id, Mensaje.direccion == Direccion.ENTRADA,
        Mensaje.id < mensaje_id))
    if anterior is None:
        return True
    umbral = ahora() - dt.timedelta(minutes=minutos)
    if esc.tomado_en is not None:
        umbral = max(umbral, _utc(esc.tomado_en))
    return _utc(anterior) < umbral


async def _disponibilidad(servicios: ServiciosEscalamiento, ctx: Contexto) -> Disponibilidad:
    estado_id = await estado_del_usuario(ctx.sesion, ctx.usuario)
    return await disponibilidad(ctx.sesion, estado_id, servicios.ajustes.zona_horaria, ahora(),
                                servicios.ajustes.directorio_oficinas)


async def _cuanto_tarda_sin_traspaso(servicios: ServiciosEscalamiento, ctx: Contexto
                                     ) -> list[Respuesta]:
    """«¿Cuánto tarda el asesor?» sin haber pedido uno: quién y cuándo, y un botón."""
    d = await _disponibilidad(servicios, ctx)
    minutos = servicios.ajustes.sla_primera_respuesta_min
    plazo = d.horario.sumar_minutos_habiles(d.momento, minutos)
    cuerpo = texto("cuanto_tarda.txt.j2", **d.variables(), sla=minutos,
                   plazo=cuando(plazo, d.horario, d.momento, a_partir=False))
    botones = ([Boton("Sí, comuníqueme", "/asesor")] if d.hay_quien else []) + [
        Boton("Menú", "/menu")]
    return [Respuesta(cuerpo, botones=botones)]


# --- Pedir una persona ---

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
    if ctx.texto and not ctx.payload and pide_una_persona(ctx.texto):
        return await escalar(servicios, ctx, "solicitud_usuario", ctx.texto[:200])
    return None


async def segundo_no_entendi(servicios: ServiciosEscalamiento, ctx: Contexto
                             ) -> list[Respuesta] | None:
    """Justo antes del «no le entendí». En espera: no le entendí, y cómo va su solicitud.
    Al segundo seguido: OFRECER una persona con un botón (si hay quién) y seguir intentando;
    nunca abrir el traspaso solo."""
    esc = await _abierto(ctx)
    if esc is not None and esc.estado == EstadoTraspaso.SOLICITADA:
        ctx.no_entendido = True
        return await traspaso.texto_espera(servicios, ctx.sesion, esc,
                                           plantilla="sin_entender_en_espera.txt.j2")
    if ctx.conversacion.fallos_nlu < 1:
        return None
    ctx.no_entendido = True
    d = await _disponibilidad(servicios, ctx)
    botones = ([BOTON_PERSONA] if d.hay_quien else []) + [Boton("Menú", "/menu")]
    return [Respuesta(texto("ofrecer_persona.txt.j2", **d.variables()), botones=botones)]


# --- Un mensaje con varias preguntas ---

async def varias_preguntas(servicios: ServiciosEscalamiento, ctx: Contexto,
                           responder: ResponderPregunta) -> list[Respuesta] | None:
    """Un mensaje con dos o más preguntas (fuera de un trámite): cada una pasa por la base
    de conocimiento y recibe su respuesta, hasta `MAXIMO_PARTES`, antes de pensar en un
    traspaso. Si alguna queda sin respuesta, se ofrece una persona con un botón."""
    if ctx.payload or ctx.conversacion.flujo or not ctx.texto:
        return None
    partes = partir_preguntas(ctx.texto)
    if len(partes) < 2:
        return None
    respuestas: list[Respuesta] = []
    sin_respuesta: list[int] = []
    for numero, parte in enumerate(partes[:MAXIMO_PARTES], start=1):
        pregunta = parte if len(parte) <= LARGO_ENCABEZADO else parte[:LARGO_ENCABEZADO] + "…"
        encabezado = f"*{numero}. {pregunta}*"
        halladas = responder(dataclasses.replace(ctx, texto=parte, analisis=None), True)
        if not halladas:
            sin_respuesta.append(numero)
            respuestas.append(Respuesta(f"{encabezado}\n\nNo encontré información sobre eso "
                                        "en mi base de conocimiento."))
            continue
        primera = halladas[0]
        respuestas.append(dataclasses.replace(primera, texto=f"{encabezado}\n\n{primera.texto}"))
        respuestas += halladas[1:]
    sobrantes = max(0, len(partes) - MAXIMO_PARTES)
    if sobrantes or sin_respuesta:
        d = await _disponibilidad(servicios, ctx)
        botones = ([BOTON_PERSONA] if sin_respuesta and d.hay_quien else []) + [
            Boton("Menú", "/menu")]
        respuestas.append(Respuesta(texto(
            "varias_preguntas_cierre.txt.j2", sobrantes=sobrantes, maximo=MAXIMO_PARTES,
            sin_respuesta=[str(n) for n in sin_respuesta], hay_quien=d.hay_quien),
            botones=botones))
    return respuestas
