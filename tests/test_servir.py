"""`hermanamientos servir` como lo usa una persona en la terminal: una línea con la dirección
cuando ya atiende y, con Ctrl-C, se detiene en silencio con código 0. Ctrl-C manda SIGINT a
todo el grupo de procesos (también al taller de documentos), así que aquí se manda al grupo."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from bot.config import RAIZ

from conftest import _base_plantilla, puerto_libre

pytestmark = [pytest.mark.servidor, pytest.mark.lento]


def _grupo_vivo(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize("espera_s", [0.0, 3.0], ids=["recien_arrancado", "en_reposo"])
def test_ctrl_c_detiene_en_silencio(tmp_path: Path, espera_s: float) -> None:
    shutil.copyfile(_base_plantilla(), tmp_path / "bd.db")
    puerto = puerto_libre()
    entorno = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'bd.db'}",
               "DOCUMENTOS_DIR": str(tmp_path / "docs"), "NLU_URL": "http://127.0.0.1:9"}
    salida, errores = tmp_path / "salida.txt", tmp_path / "errores.txt"
    with open(salida, "wb") as out, open(errores, "wb") as err:
        proceso = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "servir", "--sin-nlu", "--port", str(puerto),
             "--bitacora", "WARNING"],
            cwd=RAIZ, env=entorno, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
            start_new_session=True,  # su propio grupo, como el de la terminal
        )
    try:
        limite = time.monotonic() + 60
        while "listo" not in salida.read_text() and time.monotonic() < limite:
            assert proceso.poll() is None, errores.read_text()
            time.sleep(0.1)
        assert salida.read_text() == (
            f"Asistente listo en http://127.0.0.1:{puerto} (Ctrl-C para detener)\n")
        assert httpx.get(f"http://127.0.0.1:{puerto}/salud", timeout=5).status_code == 200
        time.sleep(espera_s)  # 0: el taller de documentos aún arranca; 3: ya espera trabajo
        os.killpg(proceso.pid, signal.SIGINT)
        codigo = proceso.wait(timeout=30)
    finally:
        if proceso.poll() is None:
            os.killpg(proceso.pid, signal.SIGKILL)
            proceso.wait()
    assert codigo == 0, errores.read_text()
    assert "Traceback" not in errores.read_text()
    assert "KeyboardInterrupt" not in errores.read_text()
    limite = time.monotonic() + 10  # el taller y el resource_tracker también se van
    while _grupo_vivo(proceso.pid) and time.monotonic() < limite:
        time.sleep(0.1)
    assert not _grupo_vivo(proceso.pid)
