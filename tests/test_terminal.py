"""`hermanamientos chat` leyendo de una tubería, como en un script."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bot.config import RAIZ

pytestmark = [pytest.mark.servidor, pytest.mark.lento]


def test_chat_por_tuberia(url_bd: str, tmp_path: object) -> None:
    entrada = "hola\n1\nayuda\n"
    r = subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat", "--usuario", "script"],
        input=entrada, capture_output=True, text=True, cwd=RAIZ, timeout=120,
        env={**os.environ, "DATABASE_URL": url_bd, "NLU_URL": "http://127.0.0.1:9"},
    )
    assert r.returncode == 0, r.stderr
    assert "> hola" in r.stdout
    assert "Ciudades Hermanas" in r.stdout
    assert "1. " in r.stdout  # botones numerados
    assert "cancelar" in r.stdout  # respuesta a «ayuda»
