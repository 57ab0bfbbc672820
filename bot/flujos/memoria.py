"""La memoria de la conversación: lo que la persona dijo, para no volver a preguntárselo.

Fuera de un trámite, lo que trae cada mensaje (`leer_menciones`) se junta en
`ContextoConversacion.memoria`. Al empezar un trámite, lo que sus pasos guardan pasa a sus
`dichos` (`sembrar`): el paso lo confirma en una línea en vez de preguntarlo. Dentro de un
trámite, lo que una respuesta trae para pasos que aún no llegan también queda dicho
(`anotar`). Funciones puras sobre diccionarios; el motor las guarda.
"""

from __future__ import annotations

import re
from typing import Any

from bot.flujos.definicion import Flujo, Paso
from bot.flujos.menciones import Menciones
from bot.flujos.modelos import Entrada, EstadoFlujo
from bot.flujos.tipos import es_omitir
from bot.texto import normalizar

# Qué paso toma un dato dicho, si no es el del campo de su mismo nombre: por el campo
# (quien dará seguimiento va al nombre del enlace) o por el tipo del paso (un correo, un
# teléfono).
_POR_CAMPO = {"enlace": "enlace.nombre"}
_POR_TIPO = {"correo": "correo", "telefono": "telefono"}
# Lo que no se confunde (un correo, un teléfono, la fecha del Cabildo dicha con «sesión» o
# «Cabildo»): dicho dentro del trámite, se anota sin preguntarlo y se avisa («Anoto…»). Lo
# demás (lugares, nombres) se confirma en una línea al llegar a su paso.
_SIN_CONFIRMAR = frozenset({"correo", "telefono", "fecha_cabildo"})
_CLAUSULAS = re.compile(r"[,;.]")
_NIEGA = re.compile(r"(no|aun no|todavia no|ninguno|ninguna|nada)\b")


def recordar(memoria: dict[str, Any] | None, menciones: Menciones) -> dict[str, Any]:
    """La memoria con lo nuevo (lo último que se dijo gana)."""
    return {**(memoria or {}), **menciones.a_memoria()}


def _toma(paso: Paso, dato: str) -> bool:
    """¿Este paso pregunta por el dato dicho (`dato`: un campo de `Menciones`)?"""
    if not (paso.espera_respuesta and paso.campo) or paso.tipo == "confirmacion":
        return False
    return paso.campo in (dato, _POR_CAMPO.get(dato)) or paso.tipo == _POR_TIPO.get(dato)


def paso_para(pasos: list[Paso], dato: str) -> Paso | None:
    """El primero de `pasos` que pregunta por el dato dicho."""
    return next((p for p in pasos if _toma(p, dato)), None)


def sembrar(flujo: Flujo, memoria: dict[str, Any] | None
            ) -> tuple[dict[str, Any], dict[str, Any]]:
    """(dichos para el flujo, lo que queda en la memoria). Lo que el flujo pregunta se lleva
    a sus `dichos` (por el campo del paso que lo pide), sin confirmar; lo demás se queda
    para otro trámite."""
    dichos: dict[str, Any] = {}
    resto: dict[str, Any] = {}
    for nombre, dato in (memoria or {}).items():
        paso = paso_para(flujo.pasos, nombre)
        if paso is not None and paso.campo and isinstance(dato, dict) and "valor" in dato:
            dichos.setdefault(paso.campo, {**dato, "confirmado": False})
        else:
            resto[nombre] = dato
    return dichos, resto


def anotar(flujo: Flujo, estado: EstadoFlujo, menciones: Menciones) -> EstadoFlujo:
    """Lo que trae la respuesta para pasos que aún no llegan (no el que se está
    contestando ni lo que este toma de paso, sus `tambien`): queda en `dichos`, para el paso
    que lo pide. Lo que no se confunde (`_SIN_CONFIRMAR`) se anota sin preguntar; lo demás
    se confirma al llegar. Devuelve el estado (copia) con ellos."""
    nuevos = menciones.a_memoria()
    if not nuevos or not flujo.tiene(estado.paso):
        return estado
    actual = flujo.paso(estado.paso)
    indice = flujo.pasos.index(actual)
    pendientes = [p for p in flujo.pasos[indice + 1:] if p.id not in estado.historial]
    propios = {actual.campo, *actual.tambien.values()}
    if actual.tipo == "ciudad":
        propios.add("pais")  # lo toma la ciudad («San Antonio, Texas»), confirmado
    if actual.tipo == "estado":
        propios.add("municipio")
    elegidos: dict[str, dict[str, Any]] = {}
    for nombre, dato in nuevos.items():
        paso = paso_para(pendientes, nombre)
        if paso is None or not paso.campo or paso.campo in propios or _toma(actual, nombre):
            continue
        seguro = nombre in _SIN_CONFIRMAR
        elegidos.setdefault(paso.campo, {**dato, "confirmado": seguro, "avisar": seguro})
    if not elegidos:
        return estado
    copia = estado.copia()
    dichos = copia.respuestas.setdefault("dichos", {})
    for campo, dato in elegidos.items():
        dichos.setdefault(campo, dato)
    return copia


def respuesta_propia(flujo: Flujo, estado: EstadoFlujo, anotado: EstadoFlujo,
                     entrada: Entrada) -> Entrada:
    """Lo que responde al paso en curso cuando el mensaje trajo datos para otros: a un paso
    opcional, «aún no, la sesión es el 15 de enero» responde «aún no» (lo omite) y la fecha
    queda para su paso; sin datos para otros pasos, el mensaje entero."""
    if anotado is estado or not entrada.texto or not flujo.tiene(estado.paso):
        return entrada
    paso = flujo.paso(estado.paso)
    primera = _CLAUSULAS.split(entrada.texto, maxsplit=1)[0].strip()
    if not paso.opcional or primera == entrada.texto.strip():
        return entrada
    if es_omitir(Entrada(texto=primera)) or _NIEGA.match(normalizar(primera)):
        return Entrada(payload="/omitir")  # «todavía no sesiona el Cabildo, será el 15…»
    return entrada
