"""Un servidor ASGI real (uvicorn) en un hilo propio, en un puerto local libre."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from typing import Any

import uvicorn
import uvloop


def puerto_libre() -> int:
    """Un puerto TCP libre en 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServidorEnHilo:
    """Corre `app` con uvicorn en otro hilo (con su propio bucle de eventos)."""

    def __init__(self, app: Any, puerto: int | None = None) -> None:
        self.puerto = puerto or puerto_libre()
        self.url = f"http://127.0.0.1:{self.puerto}"
        self._servidor = uvicorn.Server(uvicorn.Config(
            app, host="127.0.0.1", port=self.puerto, log_level="warning", access_log=False,
            lifespan="on", ws="none", timeout_graceful_shutdown=2,
        ))
        self._hilo = threading.Thread(target=self._correr, daemon=True)
        self.bucle: asyncio.AbstractEventLoop | None = None

    def _correr(self) -> None:
        self.bucle = uvloop.new_event_loop()  # como la app: el doble gasta menos CPU
        asyncio.set_event_loop(self.bucle)
        try:
            self.bucle.run_until_complete(self._servidor.serve())
        finally:
            self.bucle.close()

    def iniciar(self) -> None:
        self._hilo.start()
        limite = time.monotonic() + 15
        while not self._servidor.started:
            if time.monotonic() > limite or not self._hilo.is_alive():
                raise RuntimeError("el doble no arrancó")
            time.sleep(0.02)

    def detener(self) -> None:
        self._servidor.should_exit = True
        self._hilo.join(timeout=10)
