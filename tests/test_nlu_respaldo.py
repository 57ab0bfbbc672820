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
