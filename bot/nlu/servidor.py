"""Arranca, detiene y consulta el servidor NLU (`rasa run --enable-api`) en 127.0.0.1.

El proceso vive en su propio entorno (`rasa_modelo/.venv`), con token de autenticación y
un archivo pid en `var/nlu.pid`. Solo se arranca si hay modelo entrenado y nada responde
ya en `NLU_URL` (así no se duplica un servidor que otro proceso levantó).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from bot.config import RAIZ, Ajustes, ajustes

log = logging.getLogger(__name__)

DIR_MODELO = RAIZ / "rasa_modelo"
RASA = DIR_MODELO / ".venv" / "bin" / "rasa"
ARCHIVO_PID = RAIZ / "var" / "nlu.pid"
ARCHIVO_LOG = RAIZ / "var" / "nlu.log"

# Procesos que arrancó este proceso (pid → Popen), para esperarlos al detenerlos.
_PROPIOS: dict[int, subprocess.Popen[bytes]] = {}


class ErrorNLU(RuntimeError):
    """El servidor NLU no se pudo arrancar."""


@dataclass(frozen=True)
class EstadoServidor:
    """Lo que se sabe del servidor NLU ahora mismo."""

    url: str
    responde: bool
    modelo_cargado: str | None
    pid: int | None
    modelo_disponible: Path | None


def modelo_actual() -> Path | None:
    """El modelo entrenado más reciente en rasa_modelo/models, o None."""
    modelos = sorted((DIR_MODELO / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return modelos[-1] if modelos else None


def _status(url: str, token: str, timeout: float = 1.0) -> dict[str, object] | None:
    try:
        resp = httpx.get(f"{url.rstrip('/')}/status", params={"token": token}, timeout=timeout)
    except httpx.HTTPError:
        return None
    if resp.status_code != 200:
        return {}
    datos = resp.json()
    return datos if isinstance(datos, dict) else {}


def _pid_vivo() -> int | None:
    try:
        pid = int(ARCHIVO_PID.read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def estado(url: str | None = None) -> EstadoServidor:
    """Consulta /status y el archivo pid."""
    conf = ajustes()
    url = url or conf.nlu_url
    datos = _status(url, conf.nlu_token)
    modelo = str(datos.get("model_file") or "") or None if datos is not None else None
    return EstadoServidor(url, datos is not None, modelo, _pid_vivo(), modelo_actual())


def iniciar(espera_s: float = 180.0, url: str | None = None, esperar: bool = True
            ) -> EstadoServidor:
    """Arranca el servidor si hace falta y (si `esperar`) espera a que cargue el modelo."""
    conf = ajustes()
    url = url or conf.nlu_url
    actual = estado(url)
    if actual.responde:
        return actual
    modelo = modelo_actual()
    if modelo is None:
        raise ErrorNLU("No hay modelo NLU entrenado; corra: make modelo")
    if not RASA.exists():
        raise ErrorNLU(f"No está Rasa en {RASA}; corra: make setup")
    partes = urlsplit(url)
    host, puerto = partes.hostname or "127.0.0.1", partes.port or 5005
    ARCHIVO_PID.parent.mkdir(parents=True, exist_ok=True)
    entorno = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}
    orden = [
        str(RASA), "run", "--enable-api", "-m", str(modelo), "-i", host, "-p", str(puerto),
        "--auth-token", conf.nlu_token, "--log-file", str(ARCHIVO_LOG),
    ]
    with ARCHIVO_LOG.open("ab") as salida:
        proceso = subprocess.Popen(  # noqa: S603 - orden fija, sin shell
            orden, cwd=DIR_MODELO, env=entorno, stdout=salida, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
    ARCHIVO_PID.write_text(str(proceso.pid))
    _PROPIOS[proceso.pid] = proceso
    if not esperar:
        return estado(url)
    limite = time.monotonic() + espera_s
    while time.monotonic() < limite:
        if proceso.poll() is not None:
            _PROPIOS.pop(proceso.pid, None)
            ARCHIVO_PID.unlink(missing_ok=True)
            raise ErrorNLU(f"Rasa terminó con código {proceso.returncode}; vea {ARCHIVO_LOG}")
        actual = estado(url)
        if actual.responde and actual.modelo_cargado:
            return actual
        time.sleep(0.5)
    detener()
    raise ErrorNLU(f"El servidor NLU no respondió en {espera_s:.0f} s; vea {ARCHIVO_LOG}")


def iniciar_si_hace_falta(config: Ajustes | None = None) -> Callable[[], None] | None:
    """Para `servir`: arranca el NLU si hay modelo y nada responde; devuelve cómo detenerlo.

    Devuelve None si no se arrancó nada (ya respondía, no hay modelo o falló el arranque:
    el asistente sigue con el respaldo por palabras clave).
    """
    # Con varias réplicas (NLU_URL separado por comas) se arranca localmente solo la primera.
    url = (config or ajustes()).nlu_url.split(",")[0].strip()
    if estado(url).responde:
        log.info("NLU ya responde en %s", url)
        return None
    if modelo_actual() is None or not RASA.exists():
        log.warning("Sin modelo NLU entrenado: se usará el respaldo por palabras clave")
        return None
    try:
        # Sin esperar: la aplicación atiende desde ya (con el respaldo) mientras Rasa carga
        # su modelo (~15-30 s); el cliente lo detecta solo cuando empieza a responder.
        iniciar(url=url, esperar=False)
    except ErrorNLU as exc:
        log.warning("No se pudo arrancar el NLU (%s): se usará el respaldo", exc)
        return None
    log.info("NLU arrancado en %s", url)

    def _detener() -> None:
        detener()

    return _detener


def detener(espera_s: float = 15.0) -> bool:
    """Detiene el servidor que arrancamos (según var/nlu.pid). True si había uno."""
    pid = _pid_vivo()
    if pid is None:
        ARCHIVO_PID.unlink(missing_ok=True)
        return False
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)  # grupo propio: se creó con start_new_session
    limite = time.monotonic() + espera_s
    while time.monotonic() < limite and _pid_vivo() is not None:
        _cosechar(pid)
        time.sleep(0.2)
    if _pid_vivo() is not None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    propio = _PROPIOS.pop(pid, None)
    if propio is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            propio.wait(timeout=5)
    ARCHIVO_PID.unlink(missing_ok=True)
    return True


def _cosechar(pid: int) -> None:
    """Recoge el proceso hijo terminado (si es nuestro) para que no quede zombi."""
    propio = _PROPIOS.get(pid)
    if propio is not None:
        if propio.poll() is not None:
            _PROPIOS.pop(pid, None)
        return
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
