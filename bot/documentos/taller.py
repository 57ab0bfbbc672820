"""Taller de documentos: la ficha (PDF) y el oficio (DOCX) se generan en un proceso aparte.

Generarlos es trabajo de CPU en Python puro (fpdf2, docxtpl). En un hilo comparte el GIL con
el bucle que atiende los mensajes y, mientras dura, todos los demás usuarios de ese proceso
esperan; en otro proceso el sistema operativo lo reparte entre los núcleos. El proceso se
crea al primer uso (`spawn`: seguro con hilos y asyncio), uno por proceso de la aplicación.
Si no se puede usar, se genera en un hilo como antes.

Ctrl-C en la terminal manda SIGINT a todo el grupo de procesos, también al taller. El taller
no lo atiende (nace con SIGINT bloqueado y luego lo ignora): la aplicación, al apagarse,
lo detiene en orden con `cerrar()`, sin un `KeyboardInterrupt` a medio camino.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from bot.documentos.generar import DatosCaso, ficha_pdf, oficio_docx

log = logging.getLogger(__name__)
_candado = threading.Lock()
_taller: ProcessPoolExecutor | None = None


def ficha_y_oficio(datos: DatosCaso) -> tuple[bytes, bytes]:
    """Los dos documentos del caso (corre en el proceso del taller)."""
    return ficha_pdf(datos), oficio_docx(datos)


def _listo() -> bool:
    return True


def _vigilar_al_padre(padre: int) -> None:
    """En el proceso del taller: si la aplicación muere (p. ej. `kill -9`), el taller se va
    también en vez de quedar huérfano."""

    def vigilar() -> None:
        while os.getppid() == padre:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=vigilar, name="vigilar-al-padre", daemon=True).start()


def _preparar_proceso(padre: int) -> None:
    """Lo primero en el proceso del taller: ignora SIGINT (nació con él bloqueado, así que un
    Ctrl-C durante el arranque queda pendiente y se descarta aquí) y vigila al padre."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    _vigilar_al_padre(padre)


@contextlib.contextmanager
def _sin_sigint() -> Iterator[None]:
    """SIGINT bloqueado en este hilo mientras se entrega trabajo al taller, que es cuando se
    crea su proceso: el hijo hereda la máscara. Un Ctrl-C que llegue entretanto no se pierde:
    lo atiende otro hilo o este mismo al desbloquearlo. El ejecutor se crea antes, fuera de
    aquí: al crearlo arranca el `resource_tracker` de multiprocessing, que al terminar
    desbloquea SIGINT en el hilo que lo arrancó."""
    previa = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previa)


def _obtener() -> ProcessPoolExecutor:
    global _taller
    with _candado:
        if _taller is None:
            _taller = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                initializer=_preparar_proceso, initargs=(os.getpid(),))
        return _taller


def calentar() -> None:
    """Arranca el proceso del taller sin esperarlo (la primera ficha no paga el arranque)."""
    try:
        ejecutor = _obtener()
        with _sin_sigint():
            ejecutor.submit(_listo)
    except (OSError, RuntimeError) as error:
        log.warning("no se pudo arrancar el taller de documentos: %s", error)


async def generar(datos: DatosCaso) -> tuple[bytes, bytes]:
    """Ficha y oficio del caso, en el proceso del taller (o en un hilo si no se puede)."""
    global _taller
    bucle = asyncio.get_running_loop()
    try:
        ejecutor = _obtener()
        with _sin_sigint():
            futuro = bucle.run_in_executor(ejecutor, ficha_y_oficio, datos)
        return await futuro
    except (BrokenProcessPool, OSError, RuntimeError) as error:
        log.warning("el taller de documentos falló (%s): se generan en un hilo",
                    type(error).__name__)
        with _candado:
            _taller = None  # el siguiente intento arranca otro proceso
        return await asyncio.to_thread(ficha_y_oficio, datos)


def cerrar() -> None:
    """Detiene el proceso del taller (al apagar la aplicación)."""
    global _taller
    with _candado:
        taller, _taller = _taller, None
    if taller is not None:
        taller.shutdown(wait=True, cancel_futures=True)
