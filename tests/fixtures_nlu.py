"""Fixture de sesión `servidor_nlu`: el servidor NLU real de Rasa, arrancado si hace falta.

Se conecta con `pytest_plugins = ["fixtures_nlu"]` (o `-p fixtures_nlu`). Si ya hay un
servidor en NLU_URL lo usa; si no, lo arranca con el modelo entrenado y lo detiene al final.
Sin modelo entrenado o sin Rasa, las pruebas que lo piden se omiten.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.nlu import servidor


@pytest.fixture(scope="session")
def servidor_nlu() -> Iterator[str]:
    """URL de un servidor NLU que responde con modelo cargado."""
    previo = servidor.estado()
    if previo.responde:
        yield previo.url
        return
    if servidor.modelo_actual() is None or not servidor.RASA.exists():
        pytest.skip("No hay modelo NLU entrenado (make modelo)")
    try:
        actual = servidor.iniciar()
    except servidor.ErrorNLU as exc:
        pytest.fail(f"No se pudo arrancar el servidor NLU: {exc}")
    try:
        yield actual.url
    finally:
        servidor.detener()
