"""Las capas de bot/ (contrato de import-linter en pyproject.toml): hoy se cumplen, y un
import que suba de capa, aunque esté dentro de una función, rompe el contrato."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _revisar(raiz: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(raiz / "pyproject.toml")],
        cwd=raiz, capture_output=True, text=True, env={"PYTHONPATH": str(raiz)}, check=False)


def test_las_capas_se_cumplen() -> None:
    resultado = _revisar(RAIZ)
    assert resultado.returncode == 0, resultado.stdout + resultado.stderr
    assert "BROKEN" not in resultado.stdout


def test_un_import_hacia_arriba_dentro_de_una_funcion_rompe_el_contrato(tmp_path: Path) -> None:
    copia = tmp_path / "proyecto"
    shutil.copytree(RAIZ / "bot", copia / "bot",
                    ignore=shutil.ignore_patterns("__pycache__", "*.docx", "*.txt"))
    shutil.copy(RAIZ / "pyproject.toml", copia / "pyproject.toml")
    (copia / "bot" / "nucleo" / "atajo.py").write_text(
        "def servicios():\n    from bot.servicios import Servicios\n\n    return Servicios\n")
    resultado = _revisar(copia)
    assert resultado.returncode != 0
    assert "bot.nucleo.atajo -> bot.servicios" in resultado.stdout
