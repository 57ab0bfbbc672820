"""La aplicación real (crear_app) corriendo con uvicorn en un hilo, y lecturas directas de su
base SQLite para revisar qué quedó guardado."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.engine import make_url

from bot.app import crear_app
from bot.config import Ajustes

from dobles.servidor_hilo import ServidorEnHilo


@contextmanager
def app_en_hilo(config: Ajustes, puerto: int | None = None) -> Iterator[ServidorEnHilo]:
    """Arranca la aplicación (con su lifespan: canales incluidos) y la detiene al salir."""
    servidor = ServidorEnHilo(crear_app(config), puerto)
    servidor.iniciar()
    try:
        yield servidor
    finally:
        servidor.detener()


def consultar(url_bd: str, sql: str, *parametros: Any) -> list[tuple[Any, ...]]:
    """Filas de una consulta a la base SQLite de la prueba."""
    ruta = make_url(url_bd).database
    assert ruta
    with sqlite3.connect(ruta, timeout=15) as conexion:
        return list(conexion.execute(sql, parametros).fetchall())
