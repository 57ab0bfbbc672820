"""Cómo se dicen las cosas del traspaso: salir de él y preguntar cuánto falta. Todo se
compara sobre `normalizar(texto)` (sin acentos ni signos, en minúsculas). Partir un mensaje
con varias preguntas es `bot.nucleo.preguntas.partir_preguntas`."""

from __future__ import annotations

import re

from bot.nucleo.comandos import Comando, reconocer
from bot.texto import normalizar

PAYLOAD_SALIR = "/cancelar_traspaso"
"""El botón «Cancelar solicitud» / «Volver al asistente» (el «/cancelar» de antes también
vale: quedan botones viejos en los chats)."""
PAYLOADS_SALIR = frozenset({PAYLOAD_SALIR, "/cancelar", "/volver_asistente"})

# Salir del traspaso sin duda posible: valen siempre, aun con un trámite a medias.
_SALIR_EXPLICITO = {
    "volver al asistente", "regresar al asistente", "volver con el asistente",
    "regresar con el asistente", "quiero volver al asistente", "volver al bot", "volver al chat",
    "cancelar solicitud", "cancelar la solicitud", "cancelar mi solicitud", "cancelar traspaso",
    "cancelar asesor", "cancelar el asesor", "ya no quiero asesor", "ya no quiero un asesor",
    "ya no necesito asesor", "ya no necesito un asesor", "ya no necesito al asesor",
    "ya no quiero hablar con nadie", "ya no quiero hablar con una persona",
    "ya no necesito hablar con nadie", "terminar conversacion", "terminar la conversacion",
    "terminar chat", "salir del chat", "seguir con el asistente",
}
# Con una persona a cargo: además, las órdenes cortas de salir (no «ya no»: puede ser la
# respuesta a una pregunta del asesor).
_SALIR_CON_PERSONA = {"cancelar", "cancela", "terminar", "termina", "salir", "finalizar",
                      "cancelar conversacion", "salir de aqui"}
# En espera y sin trámite a medias: también lo que se dice al cambiar de idea.
_SALIR_EN_ESPERA = {"mejor no", "no gracias", "ya no gracias", "ya no es necesario",
                    "ya no hace falta", "ya no lo necesito", "ya se resolvio", "ya lo resolvi",
                    "no ya no", "mejor no gracias", "olvidalo", "ya no"}

# Preguntan por la espera sin duda: «¿hay alguien?», «¿me van a contestar?».
_ESPERA = re.compile(
    r"\b(hay alguien|alguien (ahi|me atiende|me va a|que me)|sigue(n)? ahi|esta(n)? ahi"
    r"|me (van a )?(atender|atienden|contestar|contestan|responder|responden)"
    r"|cuando me (atienden|contestan|responden|van a)|en que lugar (voy|estoy|va)"
    r"|mi (lugar|turno)|cuantos (hay|faltan|van) antes|ya (me )?(van a )?(atienden|atender"
    r"|contestar)|no (me )?contesta(n)?|nadie (me )?(contesta|atiende|responde)"
    r"|sigo esperando|estoy esperando)\b")
# «¿Cuánto tarda?» es de la espera si habla de una persona o es corta (si no, puede ser
# «¿cuánto tarda el trámite?», que contesta la base de conocimiento).
_CUANTO = re.compile(r"\b(cuanto (tarda|tardan|tardara|tardaran|falta|demora|demoran"
                     r"|hay que esperar|tiempo)|tarda(n)? mucho|por que tarda(n)?)\b")
_PERSONA = re.compile(r"\b(asesor\w*|persona|alguien|humano|agente|atend\w*|atiend\w*"
                      r"|contest\w*|respond\w*|respuesta)\b")
_CORTA = 4

# Pedir una persona con sus palabras: «necesito hablar con alguien de la oficina estatal»,
# «comuníqueme con un asesor», «que me atienda una persona». Un verbo de contacto y a quién.
_PIDE_PERSONA = re.compile(
    r"\b(hablar|platicar|comunicar(me|nos)?|comuniqu(e|eme|enme|enos)|contactar(me|nos)?"
    r"|pasar(me|nos)?|pase(me|nos)?|pasa|pasan|conect(ar|arme|eme|enme)|atienda|atiendan|llame|llamen)"
    r"\b(\s+\w+){0,2}?\s+(con\s+)?(alguien|una persona|un humano|un ser humano|un asesor"
    r"|una asesora|algun asesor|alguna asesora|un especialista|la oficina estatal|el enlace"
    r"|su oficina|mi oficina estatal|el encargado|la encargada|personal)\b")
_NO_PIDE = re.compile(r"\b(no (quiero|necesito)|ya no|sin)\b")


def pide_salir(texto: str, payload: str | None, *, con_persona: bool,
               con_tramite: bool) -> bool:
    """¿Pide dejar el traspaso? Con una persona a cargo valen las órdenes cortas; en espera,
    también «mejor no» y las órdenes de cancelar, salvo con un trámite a medias (entonces
    «cancelar» es del trámite y solo cuenta lo inequívoco)."""
    if payload:
        carga = payload.strip().lower()
        if carga in PAYLOADS_SALIR - {"/cancelar"}:
            return True
        return carga == "/cancelar" and (con_persona or not con_tramite)
    forma = normalizar(texto)
    if forma in _SALIR_EXPLICITO:
        return True
    if con_persona:
        return forma in _SALIR_CON_PERSONA
    if con_tramite:
        return False
    return forma in _SALIR_EN_ESPERA or reconocer(texto, None) is Comando.CANCELAR


def pregunta_por_la_espera(texto: str) -> bool:
    """«¿Cuánto tarda?», «hola? hay alguien?», «??»: pregunta por su lugar o por el tiempo."""
    forma = normalizar(texto)
    if not forma:
        return "?" in texto  # solo signos: «??», «¿?»
    if forma in {"hola", "bueno", "oiga", "hey", "alo"}:
        return "?" in texto
    if _ESPERA.search(forma):
        return True
    return bool(_CUANTO.search(forma)) and (
        bool(_PERSONA.search(forma)) or len(forma.split()) <= _CORTA)


def pregunta_cuanto_tarda_una_persona(texto: str) -> bool:
    """Sin traspaso: «¿cuánto tarda en contestar el asesor?» (pregunta; no pide uno)."""
    forma = normalizar(texto)
    return bool(_CUANTO.search(forma) or _ESPERA.search(forma)) and bool(
        re.search(r"\b(asesor\w*|persona|humano|agente)\b", forma))


# --- Un mensaje con varias preguntas ---

MAXIMO_PARTES = 4
"""Cuántas preguntas de un mensaje se contestan una por una (la división es
`bot.nucleo.preguntas.partir_preguntas`, la misma de la base de conocimiento)."""


def pide_una_persona(texto: str) -> bool:
    """¿Pide con sus palabras que lo atienda una persona? («necesito hablar con alguien de
    la oficina estatal», «comuníqueme con un asesor»). No: «ya no quiero hablar con nadie»."""
    normal = normalizar(texto)
    return bool(_PIDE_PERSONA.search(normal)) and not _NO_PIDE.search(normal)
