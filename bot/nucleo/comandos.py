"""Órdenes globales que valen en cualquier momento: menú, ayuda, cancelar, atrás, asesor."""

from __future__ import annotations

from enum import Enum

from bot.texto import normalizar


class Comando(str, Enum):
    """Las órdenes globales."""

    MENU = "menu"
    AYUDA = "ayuda"
    CANCELAR = "cancelar"
    ATRAS = "atras"
    ASESOR = "asesor"
    CONTINUAR = "continuar"
    DESPUES = "despues"


_FORMAS: dict[Comando, set[str]] = {
    Comando.MENU: {"menu", "menú", "inicio", "start", "menu principal", "ver menu", "ir al menu",
                   "volver al menu", "regresar al menu", "opciones", "mostrar menu"},
    Comando.AYUDA: {"ayuda", "help", "ayudame", "ayuda por favor", "necesito ayuda", "auxilio"},
    Comando.CANCELAR: {"cancelar", "cancela", "cancelalo", "salir", "terminar", "detener",
                       "ya no", "olvidalo", "dejalo asi"},
    Comando.ATRAS: {"atras", "regresar", "volver", "paso anterior", "anterior", "ir atras"},
    Comando.ASESOR: {"asesor", "hablar con un asesor", "hablar con asesor", "quiero un asesor",
                     "humano", "con una persona", "persona", "agente", "operador"},
    Comando.CONTINUAR: {"continuar", "seguir", "retomar", "continuar tramite", "reanudar"},
    Comando.DESPUES: {"despues", "continuar despues", "luego", "mas tarde"},
}
_POR_FORMA = {normalizar(f): c for c, formas in _FORMAS.items() for f in formas}


def reconocer(texto: str | None, payload: str | None) -> Comando | None:
    """La orden global que expresa el mensaje, o None. Acepta «/menu» y «menú» por igual."""
    for candidato in (payload, texto):
        if not candidato:
            continue
        forma = normalizar(candidato.lstrip("/"))
        if forma in _POR_FORMA:
            return _POR_FORMA[forma]
    return None
