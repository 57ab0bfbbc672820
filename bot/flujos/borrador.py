"""El borrador de un trámite: lo que se guarda para que «continuar» lo recupere (tras
descartarlo por error, o al dejarlo en pausa para atender otro trámite) durante
`DIAS_BORRADOR` días. Vive en el contexto de la conversación (clave `borrador`)."""

from __future__ import annotations

import datetime as dt

from bot.db.contexto_conversacion import actualizar_contexto, leer_contexto
from bot.db.modelos import Conversacion
from bot.flujos import EstadoFlujo

DIAS_BORRADOR = 30
"""Días en que «continuar» recupera un trámite descartado o dejado por otro."""
AVISO_BORRADOR = (f"Si fue un error, escriba «continuar» en los próximos {DIAS_BORRADOR} días "
                  "y lo recupero tal como estaba.")


def guardar_borrador(conversacion: Conversacion, estado: EstadoFlujo, ahora: dt.datetime,
                     *, pausado: bool = False) -> None:
    """Guarda un flujo con respuestas para que «continuar» lo recupere (sin la pregunta
    «¿Descarto…?» que quedó a medias). `pausado`: lo dejó para atender otro trámite (al
    terminar ese, se le ofrece volver)."""
    datos = estado.a_json()
    if pausado:
        datos["pausado"] = True
    pendiente = datos.get("pendiente") or {}
    if pendiente.get("tipo") == "descartar":
        previo = pendiente.get("previo")
        datos["pendiente"] = previo if isinstance(previo, dict) else None
    datos["guardado"] = ahora.isoformat()
    actualizar_contexto(conversacion, borrador=datos)


def borrador_vigente(conversacion: Conversacion, ahora: dt.datetime) -> EstadoFlujo | None:
    """El borrador guardado, si tiene menos de `DIAS_BORRADOR` días."""
    datos = leer_contexto(conversacion).borrador
    if not datos:
        return None
    try:
        guardado = dt.datetime.fromisoformat(str(datos.get("guardado")))
        estado = EstadoFlujo.desde_json(datos)
    except (KeyError, TypeError, ValueError):
        return None
    if guardado.tzinfo is None:
        guardado = guardado.replace(tzinfo=ahora.tzinfo)
    if ahora - guardado > dt.timedelta(days=DIAS_BORRADOR):
        return None
    return estado


def borrador_en_pausa(conversacion: Conversacion, ahora: dt.datetime) -> EstadoFlujo | None:
    """El borrador vigente de un trámite que se dejó para atender otro, si lo hay."""
    if not (leer_contexto(conversacion).borrador or {}).get("pausado"):
        return None
    return borrador_vigente(conversacion, ahora)
