"""El cursor de SQLite de un solo viaje (bot/db/sqlite_un_salto.py) da a SQLAlchemy lo mismo
que el cursor del adaptador original: filas, filas afectadas, último id, RETURNING, varias
filas a la vez y los errores de la base como errores de SQLAlchemy."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import insert, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError

from bot.db.migrar import migrar
from bot.db.modelos import Usuario
from bot.db.sesion import Almacen
from bot.db.sqlite_un_salto import CursorUnSalto


@pytest.fixture
async def almacen(tmp_path: Path) -> Almacen:
    url = f"sqlite:///{tmp_path / 'un_salto.db'}"
    migrar(url)
    almacen = Almacen(url)
    yield almacen
    await almacen.cerrar()


async def test_usa_el_cursor_de_un_viaje(almacen: Almacen) -> None:
    async with almacen.lectura() as s:
        conexion = await s.connection()
        crudo = await conexion.get_raw_connection()
        assert isinstance(crudo.dbapi_connection.cursor(), CursorUnSalto)


async def test_filas_afectadas_ultimo_id_y_returning(almacen: Almacen) -> None:
    async with almacen.escritura() as s:
        ids = (await s.scalars(insert(Usuario).returning(Usuario.id), [
            {"canal": "rest", "id_externo": f"u{i}"} for i in range(3)])).all()
        assert len(ids) == 3 and len(set(ids)) == 3
        s.add(Usuario(canal="rest", id_externo="solo"))
        await s.flush()
        await s.execute(text("CREATE TEMP TABLE prueba (id INTEGER PRIMARY KEY, v TEXT)"))
        await s.execute(text("INSERT INTO prueba (id, v) VALUES (41, 'a')"))
        resultado = await s.execute(text("INSERT INTO prueba (v) VALUES ('b')"))
        assert resultado.lastrowid == 42
        cambiadas = await s.execute(update(Usuario).where(Usuario.id.in_(ids[:2]))
                                    .values(nombre="Ana"))
        assert cambiadas.rowcount == 2
        ninguna = await s.execute(update(Usuario).where(Usuario.id == -1).values(nombre="x"))
        assert ninguna.rowcount == 0
    async with almacen.lectura() as s:
        nombres = (await s.execute(select(Usuario.id_externo, Usuario.nombre)
                                   .order_by(Usuario.id))).all()
        assert [tuple(f) for f in nombres] == [("u0", "Ana"), ("u1", "Ana"), ("u2", None),
                                               ("solo", None)]
        assert (await s.execute(select(Usuario).where(Usuario.id == -1))).first() is None
        # Varias lecturas seguidas de resultados parciales no se mezclan.
        uno = await s.execute(select(Usuario.id).order_by(Usuario.id))
        otro = await s.execute(select(Usuario.id_externo).order_by(Usuario.id.desc()))
        assert uno.fetchone() == (ids[0],)
        assert otro.fetchmany(2) == [("solo",), ("u2",)]
        assert [f[0] for f in uno.fetchall()] == [ids[1], ids[2], ids[2] + 1]


async def test_errores_de_la_base_como_errores_de_sqlalchemy(almacen: Almacen) -> None:
    async with almacen.escritura() as s:
        s.add(Usuario(canal="rest", id_externo="repetido"))
    with pytest.raises(IntegrityError):
        async with almacen.escritura() as s:
            s.add(Usuario(canal="rest", id_externo="repetido"))
            await s.flush()
    with pytest.raises(OperationalError):
        async with almacen.lectura() as s:
            await s.execute(text("SELECT * FROM tabla_que_no_existe"))
    async with almacen.lectura() as s:  # la conexión sigue sirviendo
        assert await s.scalar(select(Usuario.id_externo)) == "repetido"


async def test_lo_deshecho_no_queda_y_lo_confirmado_si(almacen: Almacen) -> None:
    """El ROLLBACK que se omite es solo el de una conexión sin sentencias desde su COMMIT."""
    with pytest.raises(RuntimeError):
        async with almacen.escritura() as s:
            s.add(Usuario(canal="rest", id_externo="deshecho"))
            await s.flush()
            raise RuntimeError("falla a media transacción")
    async with almacen.escritura() as s:
        s.add(Usuario(canal="rest", id_externo="confirmado"))
    for _ in range(2):  # la conexión vuelve al pool y se reutiliza
        async with almacen.lectura() as s:
            assert list((await s.scalars(select(Usuario.id_externo))).all()) == ["confirmado"]
