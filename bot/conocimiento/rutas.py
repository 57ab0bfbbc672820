"""Rutas del motor para la base de conocimiento: artículos por botón, por intent o por
pregunta libre, «Más detalle» y «¿Le fue útil?»."""

from __future__ import annotations

from typing import Any

from bot.conocimiento import retroalimentacion
from bot.conocimiento.base import BaseConocimiento
from bot.conocimiento.consulta import Consulta, Turno
from bot.conocimiento.modelo import INTENTS_INFORMATIVOS
from bot.db.modelos import Conversacion
from bot.nlu.respaldo import pedido_de_tramite
from bot.nucleo.contexto import Contexto
from bot.nucleo.mensajes import Boton, Respuesta

# Intents que se atienden en otro lado (flujos, privacidad, escalamiento) aunque tengan artículo.
_NO_INFORMATIVOS = {"ayuda"}
# Intents que, si el texto es claramente una pregunta de la base, no impiden contestarla: el
# NLU a veces toma una pregunta larga por charla o fuera de alcance.
_INTENTS_CEDIBLES = {None, "nlu_fallback", "fuera_de_alcance", "informar", "negar", "afirmar",
                     "queja", "corregir", "agradecer", "saludo", "despedida", "menu"}
# La clave del contexto de la conversación donde la base recuerda su último turno.
CLAVE_TURNO = "conocimiento_turno"
PUNTAJE_PARA_CEDER = 0.8
"""Puntaje y cobertura que debe tener la mejor respuesta para contestar aunque el NLU haya
dicho otra cosa (fuera de alcance, charla): «¿cómo saco mi pasaporte?» no debe llevar a una
unidad por la palabra «saco»."""
OBJETIVO_HECHOS = "hechos"
OFERTA_DE_TRAMITE: dict[str, tuple[str, Boton]] = {
    "registrar_iniciativa": (
        "También me dijo que quieren registrar su iniciativa: cuando guste la empezamos aquí, "
        "y lo que ya me contó no se lo vuelvo a preguntar.",
        Boton("Registrar iniciativa", "/iniciar registro_iniciativa")),
    "subir_documento": (
        "Cuando tenga listo el documento que mencionó, envíelo por aquí.",
        Boton("Enviar un documento", "/iniciar subir_documento")),
}
"""Lo que se ofrece al pie de la respuesta cuando el mensaje, además de preguntar, pide un
trámite («…queremos registrar un hermanamiento con San Antonio, q piden?»)."""
CONOCE_PARA_SER_HONESTO = 0.5
"""Si esta parte del mensaje es vocabulario de la base y ninguna respuesta le queda, se dice
con honestidad que no hay información verificada (y a quién preguntar)."""


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
        """Un intent informativo del NLU («¿qué es un hermanamiento?») → su respuesta; otro
        intent que la base puede ceder (fuera de alcance, charla) solo si el texto es
        claramente una pregunta que la base contesta."""
        if ctx.intent in INTENTS_INFORMATIVOS and ctx.intent not in _NO_INFORMATIVOS:
            return self.responder_pregunta(ctx)
        if ctx.intent in _INTENTS_CEDIBLES and ctx.intent is not None and ctx.texto:
            return responder_pregunta(self.base, ctx, solo_si_hay=True,
                                      minimo=PUNTAJE_PARA_CEDER)
        return None

    async def pregunta_libre(self, ctx: Contexto) -> list[Respuesta] | None:
        """Texto que ninguna ruta anterior tomó: si la base tiene algo que ver, responder."""
        if len(ctx.texto) >= 4:
            return self.responder_pregunta(ctx, solo_si_hay=True)
        return None


async def por_boton(base: BaseConocimiento, ctx: Contexto) -> list[Respuesta] | None:
    """Botones: /tema <intent>, /articulo <id>, /articulo_detalle <id>, /util <id> si|no."""
    if (args := _argumentos(ctx.payload, "/tema")) and (art := base.principal_de(args[0])):
        return base.responder_articulo(art.id, canal_admite_enlaces=True)
    if (args := _argumentos(ctx.payload, "/unidad")) and base.unidad(args[0]):
        guardar_turno(ctx.conversacion, Turno(f"unidad:{args[0]}", ""))
        return base.responder_unidad(args[0], canal_admite_enlaces=True)
    if (args := _argumentos(ctx.payload, "/articulo")) and base.articulo(args[0]):
        return base.responder_articulo(args[0], canal_admite_enlaces=True)
    if (args := _argumentos(ctx.payload, "/articulo_detalle")) and base.articulo(args[0]):
        return base.detalle(args[0])
    if ((args := _argumentos(ctx.payload, "/util")) and len(args) == 2
            and (base.articulo(args[0]) or base.unidad(args[0]))):
        util = args[1] == "si"
        await retroalimentacion.registrar(ctx.sesion, args[0], util, ctx.usuario.id)
        if util:
            return [Respuesta("¡Gracias! Me da gusto que le haya servido.")]
        return [Respuesta("Gracias por decírmelo; lo tomaremos en cuenta para mejorar. "
                          "¿Quiere hablar con un asesor de su estado?",
                          botones=[Boton("Hablar con un asesor", "/asesor"),
                                   Boton("Menú", "/menu")])]
    return None


def leer_turno(conversacion: Conversacion) -> Turno | None:
    """El último turno que contestó la base en esta conversación, si lo hay."""
    datos: Any = (conversacion.contexto or {}).get(CLAVE_TURNO)
    if not isinstance(datos, dict):
        return None
    objetivo = datos.get("objetivo")
    consulta = datos.get("consulta")
    return Turno(objetivo if isinstance(objetivo, str) else None,
                 consulta if isinstance(consulta, str) else "")


def guardar_turno(conversacion: Conversacion, turno: Turno | None) -> None:
    """Recuerda (o olvida) el turno en el contexto de la conversación, como clave propia."""
    contexto = dict(conversacion.contexto or {})
    if turno is None:
        contexto.pop(CLAVE_TURNO, None)
    else:
        contexto[CLAVE_TURNO] = {"objetivo": turno.objetivo, "consulta": turno.consulta[:300]}
    conversacion.contexto = contexto


def _texto_recordable(ctx: Contexto) -> str:
    """El texto de la pregunta para leer el seguimiento, solo de quien ya aceptó el aviso:
    antes (el primer mensaje) se recuerda qué se contestó, no lo que escribió, que se
    olvidaría si no acepta."""
    return ctx.texto if ctx.usuario.consentimiento_en is not None else ""


def _turno_de(consulta: Consulta, texto: str) -> Turno:
    mejor = consulta.mejor
    return Turno(f"{mejor.tipo}:{mejor.id}" if mejor else None, texto)


def responder_pregunta(base: BaseConocimiento, ctx: Contexto, solo_si_hay: bool = False,
                       minimo: float = 0.0) -> list[Respuesta] | None:
    """Busca la pregunta del mensaje (con el intent y el turno anterior) y responde.

    Con `solo_si_hay`, devuelve None cuando no hay una respuesta (para que otra ruta
    responda); sin él, contesta con honestidad que no tiene información y a quién preguntar.
    `minimo`: puntaje que debe alcanzar la mejor respuesta (para ceder un intent ajeno).
    """
    if not ctx.texto:
        return None
    analisis = ctx.analisis
    intent = analisis.intent if analisis is not None else None
    confianza = analisis.confianza if analisis is not None else 0.0
    anterior = leer_turno(ctx.conversacion)
    datos = base.responder_hechos(ctx.texto)
    if datos is None and anterior is not None and anterior.objetivo == OBJETIVO_HECHOS:
        datos = base.responder_hechos(f"{ctx.texto} {anterior.consulta}")
    if datos is not None and (not minimo or base.hechos is not None):
        guardar_turno(ctx.conversacion, Turno(OBJETIVO_HECHOS, _texto_recordable(ctx)))
        return datos
    consulta = base.consultar(ctx.texto, intent=intent, confianza_intent=confianza,
                              anterior=anterior)
    if solo_si_hay and consulta.decision == "nada" and (
            base.consultor.buscador.conoce(ctx.texto) < CONOCE_PARA_SER_HONESTO):
        return None  # casi nada del mensaje es del tema: que otra ruta pida otras palabras
    if minimo and (consulta.decision != "respuesta" or not consulta.candidatos
                   or consulta.candidatos[0].puntaje < minimo
                   or consulta.candidatos[0].cobertura < minimo):
        return None
    guardar_turno(ctx.conversacion, _turno_de(consulta, _texto_recordable(ctx)))
    respuestas = base.responder_consulta(consulta, ctx.texto, canal_admite_enlaces=True)
    return respuestas + oferta_de_tramite(ctx)


def oferta_de_tramite(ctx: Contexto) -> list[Respuesta]:
    """Si el mensaje también pide un trámite y no hay uno en curso, ofrecerlo con un botón
    (lo que la persona dijo ya lo guarda la memoria de la conversación). En el primer
    mensaje no: la bienvenida encadena el trámite tras el consentimiento."""
    if ctx.primera_vez or ctx.conversacion.flujo is not None or not ctx.texto:
        return []
    pedido = pedido_de_tramite(ctx.texto)
    if pedido is None or pedido not in OFERTA_DE_TRAMITE:
        return []
    texto, boton = OFERTA_DE_TRAMITE[pedido]
    return [Respuesta(texto, botones=[boton])]
