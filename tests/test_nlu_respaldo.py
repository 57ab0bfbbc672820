"""Respaldo por palabras clave cuando el NLU no responde."""

from __future__ import annotations

import pytest

from bot.nlu.respaldo import analizar_respaldo

CASOS = [
    ("Hola, buenos días", "saludo"),
    ("buenas tardes", "saludo"),
    ("adiós", "despedida"),
    ("muchas gracias!", "agradecer"),
    ("sí", "afirmar"),
    ("ok", "afirmar"),
    ("no", "negar"),
    ("nel", "negar"),
    ("menú", "menu"),
    ("ayuda", "ayuda"),
    ("no entiendo", "ayuda"),
    ("quiero hablar con un asesor", "hablar_asesor"),
    ("pásame con un humano xfa", "hablar_asesor"),
    ("cancelar", "cancelar"),
    ("ya no quiero seguir", "cancelar"),
    ("quiero registrar una iniciativa de hermanamiento", "registrar_iniciativa"),
    ("iniciar trámite", "registrar_iniciativa"),
    ("cómo va mi trámite", "estado_tramite"),
    ("ch-2026-nl-0007", "estado_tramite"),
    ("continuar mi solicitud", "continuar_tramite"),
    ("quiero subir un documento", "subir_documento"),
    ("adjuntar el acta de cabildo", "subir_documento"),
    ("aviso de privacidad", "privacidad"),
    ("qué datos tienen de mí", "mis_datos"),
    ("borren mis datos", "borrar_mis_datos"),
    ("quiero poner una queja", "queja"),
    ("me equivoqué", "corregir"),
]


@pytest.mark.parametrize(("texto", "intent"), CASOS)
def test_reconoce_peticiones_claras(texto: str, intent: str) -> None:
    analisis = analizar_respaldo(texto)
    assert analisis is not None and analisis.intent == intent


@pytest.mark.parametrize(
    "texto", ["", "¿en qué consiste el dictamen de procedencia?", "la ley de tratados"]
)
def test_devuelve_none_si_no_es_claro(texto: str) -> None:
    assert analizar_respaldo(texto) is None


def test_saca_folio_correo_y_telefono() -> None:
    analisis = analizar_respaldo("cómo va el ch-2026-nl-0007? escribo de ana@sre.gob.mx 5512345678")
    assert analisis is not None
    assert analisis.entidad("folio") == "CH-2026-NL-0007"
    assert analisis.entidad("correo") == "ana@sre.gob.mx"
    assert analisis.entidad("telefono") == "5512345678"


@pytest.mark.parametrize("texto", [
    "Buenas noches. Me acaban de nombrar representante ciudadano en el Comité de Ciudades "
    "Hermanas de Mazatlán y quisiera entender cómo funciona.",
    "buen dia, el ayuntamiento de tepic quiere hermanarse con una ciudad de china, hay algun "
    "impedimento?",
    "gracias, y cuanto tarda la sre en contestar?",
])
def test_una_cortesia_al_frente_no_se_come_el_mensaje(texto: str) -> None:
    analisis = analizar_respaldo(texto)
    assert analisis is None or analisis.intent not in {"saludo", "agradecer", "despedida"}


@pytest.mark.parametrize(("texto", "intent"), [
    ("buenas tardes", "saludo"),
    ("hola buenos dias, que tal", "saludo"),
    ("muchas gracias por todo, muy amable", "agradecer"),
])
def test_la_cortesia_sola_sigue_siendo_cortesia(texto: str, intent: str) -> None:
    analisis = analizar_respaldo(texto)
    assert analisis is not None and analisis.intent == intent


@pytest.mark.parametrize("texto", [
    "hay algun costo por registrar el hermanamiento?",
    "el inai sigue existiendo? si no me borran mis datos a quien me quejo",
    "el comite puede proponer que se termine un hermanamiento que ya no funciona?",
    "como se registra una iniciativa de hermanamiento?",
])
def test_una_pregunta_que_menciona_una_accion_va_a_la_base(texto: str) -> None:
    """La acción solo se menciona: la contesta la base de conocimiento, no se dispara."""
    assert analizar_respaldo(texto) is None


@pytest.mark.parametrize(("texto", "intent"), [
    ("quiero registrar un hermanamiento", "registrar_iniciativa"),
    ("quiero borrar mis datos, como le hago?", "borrar_mis_datos"),
    ("borrar mis datos", "borrar_mis_datos"),
    ("registrar iniciativa?", "registrar_iniciativa"),
    ("¿puedo hablar con un asesor?", "hablar_asesor"),
])
def test_una_peticion_sigue_siendo_peticion(texto: str, intent: str) -> None:
    analisis = analizar_respaldo(texto)
    assert analisis is not None and analisis.intent == intent
