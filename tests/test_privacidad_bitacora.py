"""La bitácora oculta correos, teléfonos y nombres, y deja los ids."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.privacidad.bitacora import FiltroDatosPersonales
from bot.privacidad.enmascarar import enmascarar, enmascarar_valor
from bot.registro import FormatoJSON


@pytest.fixture
def bitacora() -> Iterator[tuple[logging.Logger, io.StringIO, io.StringIO]]:
    """Un logger con dos manejadores filtrados: JSON (el del proyecto) y texto llano."""
    salida_json, salida_texto = io.StringIO(), io.StringIO()
    logger = logging.getLogger("prueba.privacidad")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    for salida, formato in ((salida_json, FormatoJSON()),
                            (salida_texto, logging.Formatter("%(message)s"))):
        manejador = logging.StreamHandler(salida)
        manejador.setFormatter(formato)
        manejador.addFilter(FiltroDatosPersonales())
        logger.addHandler(manejador)
    yield logger, salida_json, salida_texto
    logger.handlers.clear()
    logger.propagate = True


def test_enmascara_mensaje_y_campos_extra(
    bitacora: tuple[logging.Logger, io.StringIO, io.StringIO],
) -> None:
    logger, salida_json, salida_texto = bitacora
    logger.info("contacto %s tel %s nombre=%s", "laura.mendez@zapopan.gob.mx",
                "+52 33 1234 5678", "Laura Méndez",
                extra={"usuario_id": 42, "nombre": "Laura", "detalle": "Me llamo Laura Méndez",
                       "datos": {"telefono": "3312345678", "folio": "CH-2026-JAL-0001"}})
    evento = json.loads(salida_json.getvalue())
    assert evento["evento"] == "contacto [correo] tel [teléfono] nombre=[nombre]"
    assert evento["usuario_id"] == 42 and evento["nombre"] == "[oculto]"
    assert evento["detalle"] == "Me llamo [nombre]"
    assert evento["datos"] == {"telefono": "[oculto]", "folio": "CH-2026-JAL-0001"}
    texto = salida_texto.getvalue()
    assert "laura" not in texto.lower() and "5678" not in texto


def test_enmascara_la_excepcion(bitacora: tuple[logging.Logger, io.StringIO, io.StringIO]) -> None:
    logger, salida_json, salida_texto = bitacora
    try:
        raise ValueError("no se pudo escribir a rosa@ejemplo.mx al 55-1234-5678")
    except ValueError:
        logger.exception("falló el envío", extra={"conversacion_id": 7})
    evento = json.loads(salida_json.getvalue())
    assert evento["conversacion_id"] == 7
    assert "ValueError" in evento["error"] and "[correo]" in evento["error"]
    todo = salida_json.getvalue() + salida_texto.getvalue()
    assert "rosa@" not in todo and "1234" not in todo
    assert "Traceback" in salida_texto.getvalue()


@pytest.mark.parametrize("texto", [
    "mensaje procesado", "2026-11-24 05:52:28 folio CH-2026-NL-0012",
    "id 1234567890123456789", "sha 9f86d081884c7d659a2feaa0c55ad015", "usuario 12 conversación 7",
])
def test_no_toca_ids_fechas_ni_folios(texto: str) -> None:
    assert enmascarar(texto) == texto


@pytest.mark.parametrize(("texto", "esperado"), [
    ("wa 5213312345678", "wa [teléfono]"),
    ("(55) 1234-5678.", "[teléfono]."),
    ("escriba a ana_ruiz+ch@municipio.gob.mx", "escriba a [correo]"),
    ("mi nombre es Rosa Ramírez", "mi nombre es [nombre]"),
    ("name: 'Ana de la O'", "name: [nombre]"),
])
def test_detecta_datos_personales(texto: str, esperado: str) -> None:
    assert enmascarar(texto) == esperado


def test_valores_conocidos_y_estructuras() -> None:
    assert enmascarar("Se habló con Laura Méndez Ruiz.", ["Laura Méndez Ruiz"]) == (
        "Se habló con [nombre].")
    assert enmascarar("Mariana", ["Ana"]) == "Mariana"  # valores cortos o dentro de palabras no
    assert enmascarar_valor({"lista": ["a@b.mx", 3], "contacto": {"x": 1}}) == {
        "lista": ["[correo]", 3], "contacto": "[oculto]"}
