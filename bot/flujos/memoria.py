"""La memoria de la conversación: lo que la persona dijo, para no volver a preguntárselo.

Fuera de un trámite, lo que trae cada mensaje (`leer_menciones`) se junta en
`ContextoConversacion.memoria`. Al empezar un trámite, lo que sus pasos guardan pasa a sus
`dichos` (`sembrar`): el paso lo confirma en una línea en vez de preguntarlo. Dentro de un
trámite, lo que una respuesta trae para pasos que aún no llegan también queda dicho
(`anotar`). Funciones puras sobre diccionarios; el motor las guarda.
"""

from __future__ import annotations

from typing import Any

from bot.flujos.definicion import Flujo
from bot.flujos.menciones import Menciones
from bot.flujos.modelos import EstadoFlujo


def recordar(memoria: dict[str, Any] | None, menciones: Menciones) -> dict[str, Any]:
    """La memoria con lo nuevo (lo último que se dijo gana)."""
    return {**(memoria or {}), **menciones.a_memoria()}


def _pasos_que_guardan(flujo: Flujo) -> dict[str, str]:
    """Campo → id del primer paso que lo pregunta."""
    campos: dict[str, str] = {}
    for paso in flujo.pasos:
        if paso.espera_respuesta and paso.campo and paso.tipo != "confirmacion":
            campos.setdefault(paso.campo, paso.id)
    return campos


def sembrar(flujo: Flujo, memoria: dict[str, Any] | None
            ) -> tuple[dict[str, Any], dict[str, Any]]:
    """(dichos para el flujo, lo que queda en la memoria). Lo que el flujo pregunta se lleva
    a sus `dichos`, sin confirmar; lo demás se queda para otro trámite."""
    campos = _pasos_que_guardan(flujo)
    dichos: dict[str, Any] = {}
    resto: dict[str, Any] = {}
    for campo, dato in (memoria or {}).items():
        if campo in campos and isinstance(dato, dict) and "valor" in dato:
            dichos[campo] = {**dato, "confirmado": False}
        else:
            resto[campo] = dato
    return dichos, resto


def anotar(flujo: Flujo, estado: EstadoFlujo, menciones: Menciones) -> EstadoFlujo:
    """Lo que trae la respuesta para pasos que aún no llegan (no el que se está
    contestando), como `dichos` sin confirmar. Devuelve el estado (copia) con ellos."""
    nuevos = menciones.a_memoria()
    if not nuevos or not flujo.tiene(estado.paso):
        return estado
    actual = flujo.paso(estado.paso)
    indice = flujo.pasos.index(actual)
    despues = {p.campo for p in flujo.pasos[indice + 1:]
               if p.campo and p.espera_respuesta and p.id not in estado.historial}
    despues.discard(actual.campo)
    if actual.tipo == "ciudad":
        despues.discard("pais")  # lo toma la ciudad («San Antonio, Texas»), confirmado
    if actual.tipo == "estado":
        despues.discard("municipio")
    elegidos = {c: d for c, d in nuevos.items() if c in despues}
    if not elegidos:
        return estado
    copia = estado.copia()
    dichos = copia.respuestas.setdefault("dichos", {})
    for campo, dato in elegidos.items():
        dichos.setdefault(campo, {**dato, "confirmado": False})
    return copia
