"""Conexión al almacén: motor async de SQLAlchemy y fábricas de sesión.

SQLite (por omisión) va en modo WAL; las unidades de trabajo que escriben piden el
candado de escritura al empezar (BEGIN IMMEDIATE) para no chocar al subir de lectura a
escritura. PostgreSQL usa asyncpg en la aplicación (gasta menos CPU por sentencia que
psycopg asíncrono; medido en BENCHMARKS.md) y psycopg 3 en lo síncrono (Alembic).
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.db import sqlite_un_salto

POOL_POSTGRES = 20
ESPERA_SQLITE_S = 15.0
"""Lo mismo que `busy_timeout` de SQLite (15 000 ms)."""


def url_async(url: str) -> str:
    """La URL con el controlador async: sqlite+aiosqlite o postgresql+asyncpg."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        return u.set(drivername="sqlite+aiosqlite").render_as_string(hide_password=False)
    if u.get_backend_name() == "postgresql":
        # La misma URL sirve a Alembic (psycopg): `sslmode` de libpq es `ssl` en asyncpg y
        # `connect_timeout` pasa aparte, como número (ver `crear_motor`).
        consulta = {k: v for k, v in u.query.items() if k != "connect_timeout"}
        if "sslmode" in consulta:
            consulta["ssl"] = consulta.pop("sslmode")
        return (u.set(drivername="postgresql+asyncpg", query=consulta)
                .render_as_string(hide_password=False))
    return url


def url_sincrona(url: str) -> str:
    """La URL con el controlador síncrono (para Alembic): sqlite o postgresql+psycopg."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        return u.set(drivername="sqlite").render_as_string(hide_password=False)
    if u.get_backend_name() == "postgresql":
        return u.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return url


def es_sqlite(url: str) -> bool:
    """¿La URL apunta a SQLite?"""
    return make_url(url).get_backend_name() == "sqlite"


def _preparar_sqlite(motor: AsyncEngine) -> None:
    @event.listens_for(motor.sync_engine, "connect")
    def _al_conectar(conexion_dbapi: Any, _registro: Any) -> None:
        conexion_dbapi.isolation_level = None  # SQLAlchemy emite BEGIN (abajo)
        cursor = conexion_dbapi.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA secure_delete=ON")  # lo anonimizado no queda en páginas libres
        cursor.close()

    @event.listens_for(motor.sync_engine, "begin")
    def _al_empezar(conexion: Any) -> None:
        inmediato = conexion.get_execution_options().get("escritura", False)
        conexion.exec_driver_sql("BEGIN IMMEDIATE" if inmediato else "BEGIN")


def crear_motor(url: str, **opciones: Any) -> AsyncEngine:
    """Motor async para la URL dada (sqlite:///… o postgresql://…)."""
    if es_sqlite(url):
        ruta = make_url(url).database
        if ruta and ruta != ":memory:":
            from pathlib import Path

            Path(ruta).parent.mkdir(parents=True, exist_ok=True)
        opciones.setdefault("connect_args", {"timeout": 15})
        # Un viaje al hilo de aiosqlite por sentencia, no 3 o 4 (`bot/db/sqlite_un_salto.py`).
        opciones.setdefault("module", sqlite_un_salto.DBAPI)
        motor = create_async_engine(url_async(url), **opciones)
        _preparar_sqlite(motor)
        return motor
    opciones.setdefault("pool_size", POOL_POSTGRES)
    opciones.setdefault("max_overflow", 0)
    # Sin «pre-ping» (una ida y vuelta más por transacción): si PostgreSQL se reinicia, la
    # primera operación de cada conexión vieja falla (REST responde 503 y las plataformas
    # reintentan; nada se pierde) y SQLAlchemy invalida el pool; las siguientes reconectan.
    opciones.setdefault("pool_pre_ping", False)
    espera = make_url(url).query.get("connect_timeout")
    if isinstance(espera, str):
        with contextlib.suppress(ValueError):  # uno mal escrito se ignora, como sin él
            opciones.setdefault("connect_args", {"timeout": float(espera)})
    return create_async_engine(url_async(url), **opciones)


async def _turno(fila: asyncio.Lock) -> bool:
    """Espera su turno en la fila de escrituras; si tarda más que el `busy_timeout` (p. ej.
    una escritura anidada), sigue sin él y decide el candado de SQLite."""
    try:
        # `asyncio.timeout` y no `wait_for`: este no crea una tarea por cada transacción.
        async with asyncio.timeout(ESPERA_SQLITE_S):
            await fila.acquire()
    except TimeoutError:
        return False
    return True


class Almacen:
    """El almacén central: un motor y dos fábricas de sesión (lectura y escritura)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.motor = crear_motor(url)
        self.sqlite = es_sqlite(url)
        # Cuántos mensajes atiende el motor a la vez (menos 4). Con PostgreSQL, el tamaño del
        # pool; con SQLite, lo mismo: las escrituras hacen fila de todos modos y con más en
        # curso a la vez solo crece la cola larga (medido en BENCHMARKS.md, sección carga).
        self.conexiones_maximas = POOL_POSTGRES
        # Una fila por bucle de eventos (un asyncio.Lock no se comparte entre bucles).
        self._filas_sqlite: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop,
                                                      asyncio.Lock] = weakref.WeakKeyDictionary()
        self._lectura = async_sessionmaker(self.motor, expire_on_commit=False)
        self._escritura = async_sessionmaker(
            self.motor.execution_options(escritura=True), expire_on_commit=False
        )

    @asynccontextmanager
    async def escritura(self) -> AsyncIterator[AsyncSession]:
        """Una unidad de trabajo que escribe: confirma al salir, deshace si hay error.

        Con SQLite, las escrituras de este proceso hacen fila (en orden de llegada) antes de
        pedir el candado de la base: si compitieran por él, el manejador de SQLite las hace
        dormir hasta 100 ms por intento y algunas esperan mucho más que otras."""
        if not self.sqlite:
            async with self._escritura() as sesion, sesion.begin():
                yield sesion
            return
        bucle = asyncio.get_running_loop()
        fila = self._filas_sqlite.get(bucle)
        if fila is None:
            fila = self._filas_sqlite[bucle] = asyncio.Lock()
        turno = await _turno(fila)
        try:
            async with self._escritura() as sesion, sesion.begin():
                yield sesion
        finally:
            if turno:
                fila.release()

    @asynccontextmanager
    async def lectura(self) -> AsyncIterator[AsyncSession]:
        """Una unidad de trabajo de solo lectura."""
        async with self._lectura() as sesion, sesion.begin():
            yield sesion

    async def cerrar(self) -> None:
        """Libera las conexiones."""
        await self.motor.dispose()
