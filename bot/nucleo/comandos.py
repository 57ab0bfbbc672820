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


# Acuses: «ok», «gracias», «va»… No piden nada: se contestan en corto y se repite la
# pregunta abierta, en vez de «no le entendí» (o de guardarlos como si fueran un dato).
_AGRADECIMIENTOS = frozenset({
    "gracias", "muchas gracias", "mil gracias", "ok gracias", "va gracias", "sale gracias",
    "perfecto gracias", "de acuerdo gracias", "gracias ok", "muy amable", "se agradece",
    "le agradezco", "te agradezco", "gracias por la informacion", "excelente gracias",
    "ok muchas gracias", "muy bien gracias", "listo gracias", "grax", "gracias muy amable",
})
_ACUSES = _AGRADECIMIENTOS | frozenset({
    "ok", "okay", "okey", "oki", "okas", "ok ok", "va", "vale", "sale", "de acuerdo",
    "entendido", "entiendo", "perfecto", "muy bien", "esta bien", "bien", "excelente",
    "enterado", "enterada", "ya vi", "ah ok", "aja", "orale", "andale",
})


def es_acuse(texto: str | None) -> bool:
    """¿Es solo un acuse («ok», «va», «gracias», «de acuerdo»)?"""
    return bool(texto) and normalizar(texto or "") in _ACUSES


def es_agradecimiento(texto: str | None) -> bool:
    """¿Es un «gracias» (solo o con un acuse)?"""
    return bool(texto) and normalizar(texto or "") in _AGRADECIMIENTOS
