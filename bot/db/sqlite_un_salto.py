"""SQLite async con un solo viaje al hilo de la conexión por sentencia.

aiosqlite corre cada conexión en su propio hilo, y el adaptador de SQLAlchemy viaja a ese hilo
(y de vuelta, despertando al bucle de eventos) para crear el cursor, ejecutar, leer las filas
y cerrar el cursor: 3 o 4 viajes por sentencia. Cada viaje cuesta más CPU que la sentencia
misma (medido: ~25 µs por viaje vacío contra ~1 µs de un `SELECT 1` en sqlite3). Este cursor
hace todo eso en un solo viaje y guarda lo que SQLAlchemy lee después (filas, descripción,
filas afectadas, último id), como el cursor del adaptador original guarda las filas.

Se usa pasando `DBAPI` como `module=` a `create_async_engine` (`bot.db.sesion.crear_motor`):
el dialecto sigue siendo `sqlite+aiosqlite` de SQLAlchemy. Depende de dos piezas internas de
aiosqlite que el propio dialecto de SQLAlchemy usa (`Connection._execute` y `_conn`).
"""

from __future__ import annotations

import collections
import sqlite3
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

Resultado = tuple[Any, list[Any] | None, int, int | None]
"""(descripción, filas o None, filas afectadas, último id insertado)."""


def _en_el_hilo(conexion: sqlite3.Connection, sentencia: str, parametros: Any,
                muchos: bool) -> Resultado:
    """Corre en el hilo de la conexión: ejecuta, lee todo y cierra el cursor."""
    cursor = conexion.cursor()
    try:
        if muchos:
            cursor.executemany(sentencia, parametros)
        elif parametros is None:
            cursor.execute(sentencia)
        else:
            cursor.execute(sentencia, parametros)
        descripcion = cursor.description
        filas = cursor.fetchall() if descripcion else None
        return descripcion, filas, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class CursorUnSalto(AsyncAdapt_aiosqlite_cursor):
    """Cursor del lado de SQLAlchemy: cada `execute` es un solo viaje al hilo de aiosqlite."""

    __slots__ = ("_descripcion", "_afectadas", "_ultimo_id")

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        # Sin cursor de aiosqlite (crearlo ya era un viaje): se crea y se cierra en el hilo.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._descripcion: Any = None
        self._afectadas = -1
        self._ultimo_id: int | None = None

    async def _correr(self, sentencia: str, parametros: Any, muchos: bool) -> Resultado:
        conexion: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        async with self._adapt_connection._execute_mutex:
            resultado: Resultado = await conexion._execute(
                _en_el_hilo, conexion._conn, sentencia, parametros, muchos)
            return resultado

    def _ejecutar(self, sentencia: str, parametros: Any, muchos: bool) -> None:
        conexion: ConexionUnSalto = self._adapt_connection  # type: ignore[assignment]
        conexion._sin_transaccion = False
        try:
            descripcion, filas, afectadas, ultimo_id = await_(
                self._correr(sentencia, parametros, muchos))
        except Exception as error:
            self._adapt_connection._handle_exception(error)
        self._descripcion = descripcion
        self._rows = collections.deque(filas) if filas is not None else collections.deque()
        self._afectadas = afectadas
        self._ultimo_id = ultimo_id

    def execute(self, operation: Any, parameters: Any = None) -> None:
        self._ejecutar(operation, parameters, False)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> None:
        self._ejecutar(operation, seq_of_parameters, True)

    @property
    def description(self) -> Any:
        return self._descripcion

    @property
    def rowcount(self) -> int:
        return self._afectadas

    @property
    def lastrowid(self) -> Any:
        return self._ultimo_id

    @property
    def arraysize(self) -> int:
        return 1

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        pass

    async def _async_soft_close(self) -> None:
        return None  # el cursor de sqlite3 ya se cerró en el hilo

    def close(self) -> None:
        self._rows.clear()

    def nextset(self) -> None:
        return None


class ConexionUnSalto(AsyncAdapt_aiosqlite_connection):
    """La conexión adaptada de SQLAlchemy, con el cursor de un solo viaje.

    Al devolverse al pool, SQLAlchemy la deshace (`rollback`) aunque la transacción ya se haya
    confirmado: si desde el último COMMIT o ROLLBACK logrado no corrió ninguna sentencia, no
    hay transacción abierta (la conexión está en modo autocommit y el BEGIN lo emite
    SQLAlchemy) y ese ROLLBACK no haría nada, así que se omite el viaje."""

    __slots__ = ("_sin_transaccion",)
    _cursor_cls = CursorUnSalto  # type: ignore[assignment]  # una subclase; mypy no la acepta

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self._sin_transaccion = False

    def commit(self) -> None:
        super().commit()
        self._sin_transaccion = True

    def rollback(self) -> None:
        if self._sin_transaccion:
            return
        super().rollback()
        self._sin_transaccion = True


class DbapiUnSalto(AsyncAdapt_aiosqlite_dbapi):
    """El «módulo DBAPI» que recibe el dialecto `sqlite+aiosqlite`."""

    def connect(self, *arg: Any, **kw: Any) -> ConexionUnSalto:
        adaptada = super().connect(*arg, **kw)
        return ConexionUnSalto(self, adaptada._connection)


DBAPI = DbapiUnSalto(aiosqlite, sqlite3)
