"""El taller de documentos: genera en otro proceso y no queda huérfano si la app muere."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_documentos_generados import _datos

from bot.documentos import taller

pytestmark = [pytest.mark.servidor, pytest.mark.lento]

RAIZ = Path(__file__).resolve().parent.parent


async def test_genera_ficha_y_oficio_en_otro_proceso() -> None:
    pdf, docx = await taller.generar(_datos())
    assert pdf.startswith(b"%PDF") and docx.startswith(b"PK")
    taller.cerrar()


def _hijos(pid: int) -> list[int]:
    ruta = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(x) for x in ruta.read_text().split()] if ruta.exists() else []


def _vive(pid: int) -> bool:
    try:
        estado = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return estado != "Z"


def test_el_taller_no_queda_huerfano_tras_kill_9() -> None:
    codigo = ("from bot.documentos import taller; import time, sys; taller.calentar(); "
              "time.sleep(3); print('listo', flush=True); time.sleep(120)")
    with subprocess.Popen([sys.executable, "-c", codigo], cwd=RAIZ, stdout=subprocess.PIPE,
                          env={**os.environ, "PYTHONPATH": str(RAIZ)}) as app:
        try:
            assert app.stdout is not None and app.stdout.readline().strip() == b"listo"
            talleres = [h for h in _hijos(app.pid) if "resource_tracker" not in
                        Path(f"/proc/{h}/cmdline").read_text()]
            assert talleres, "el taller no arrancó"
            os.kill(app.pid, signal.SIGKILL)
            app.wait(10)
            limite = time.monotonic() + 10
            while any(_vive(h) for h in talleres) and time.monotonic() < limite:
                time.sleep(0.2)
            assert not any(_vive(h) for h in talleres)
        finally:
            if app.poll() is None:
                app.kill()
