"""CPU por transacción de los controladores async de PostgreSQL, como los usa la aplicación.

La unidad es la de un mensaje común del motor: BEGIN, el candado consultivo, cuatro lecturas
de una fila por clave, una inserción y COMMIT, en serie, con uvloop. Se mide con psycopg 3 y
con asyncpg, de tres maneras: la sesión del ORM de SQLAlchemy (como el motor), SQLAlchemy
Core y el controlador solo. Sirve para decidir el controlador de la aplicación y para ver
cuánto pesa la capa de SQLAlchemy frente al controlador.

Uso (con TEST_POSTGRES_URL, p. ej. tras `source scripts/postgres.sh iniciar`):
    .venv/bin/python -m benchmarks.controlador_pg [--transacciones 5000] [--rondas 3] [--escribir]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

import uvloop
from sqlalchemy import Column, Integer, MetaData, String, Table, bindparam, func, insert, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from benchmarks import comun

_TABLA = Table("bench_controlador", MetaData(), Column("id", Integer, primary_key=True),
               Column("texto", String(50)))
_LEER = select(_TABLA).where(_TABLA.c.id == bindparam("i"))
_CANDADO = select(func.pg_advisory_xact_lock(bindparam("k")))
_INSERTAR = insert(_TABLA)
Unidad = Callable[[int], Awaitable[None]]


def _url(base: str, controlador: str) -> str:
    return make_url(base).set(drivername=f"postgresql+{controlador}").render_as_string(
        hide_password=False)


async def _con_orm(motor: AsyncEngine) -> Unidad:
    sesiones = async_sessionmaker(motor)

    async def unidad(i: int) -> None:
        async with sesiones() as s, s.begin():
            await s.execute(_CANDADO, {"k": i})
            for _ in range(4):
                (await s.execute(_LEER, {"i": i})).first()
            await s.execute(_INSERTAR, {"texto": "x"})
    return unidad


async def _con_core(motor: AsyncEngine) -> Unidad:
    async def unidad(i: int) -> None:
        async with motor.begin() as c:
            await c.execute(_CANDADO, {"k": i})
            for _ in range(4):
                (await c.execute(_LEER, {"i": i})).first()
            await c.execute(_INSERTAR, {"texto": "x"})
    return unidad


async def _solo_controlador(base: str, controlador: str) -> tuple[Unidad, Callable[[], Any]]:
    url = make_url(base).set(drivername="postgresql").render_as_string(hide_password=False)
    if controlador == "asyncpg":
        import asyncpg

        conexion = await asyncpg.connect(url)

        async def unidad_asyncpg(i: int) -> None:
            async with conexion.transaction():
                await conexion.fetchval("SELECT pg_advisory_xact_lock($1)", i)
                for _ in range(4):
                    await conexion.fetchrow(
                        "SELECT id, texto FROM bench_controlador WHERE id = $1", i)
                await conexion.execute("INSERT INTO bench_controlador (texto) VALUES ($1)", "x")
        return unidad_asyncpg, conexion.close
    import psycopg

    aconexion = await psycopg.AsyncConnection.connect(url, prepare_threshold=0)

    async def unidad_psycopg(i: int) -> None:
        async with aconexion.transaction():
            await aconexion.execute("SELECT pg_advisory_xact_lock(%s)", (i,))
            for _ in range(4):
                await (await aconexion.execute(
                    "SELECT id, texto FROM bench_controlador WHERE id = %s", (i,))).fetchone()
            await aconexion.execute("INSERT INTO bench_controlador (texto) VALUES (%s)", ("x",))
    return unidad_psycopg, aconexion.close


async def _medir(unidad: Unidad, transacciones: int) -> float:
    """ms de CPU de este proceso por transacción (tras 200 de calentamiento)."""
    for i in range(200):
        await unidad(i)
    inicio = time.process_time()
    for i in range(transacciones):
        await unidad(i)
    return (time.process_time() - inicio) * 1000 / transacciones


async def medir(base: str, transacciones: int, rondas: int) -> dict[tuple[str, str], list[float]]:
    """{(controlador, capa): [ms de CPU por transacción, una por ronda]}."""
    resultados: dict[tuple[str, str], list[float]] = {}
    preparar = create_async_engine(_url(base, "asyncpg"))
    async with preparar.begin() as c:
        await c.run_sync(_TABLA.metadata.drop_all)
        await c.run_sync(_TABLA.metadata.create_all)
    await preparar.dispose()
    for _ in range(rondas):  # alternados, para que el ruido de la máquina se reparta
        for controlador in ("psycopg", "asyncpg"):
            motor = create_async_engine(_url(base, controlador), pool_size=2)
            for capa, hacer in (("ORM (sesión)", _con_orm), ("Core", _con_core)):
                ms = await _medir(await hacer(motor), transacciones)
                resultados.setdefault((controlador, capa), []).append(ms)
            await motor.dispose()
            unidad, cerrar = await _solo_controlador(base, controlador)
            resultados.setdefault((controlador, "solo el controlador"), []).append(
                await _medir(unidad, transacciones))
            await cerrar()
    return resultados


def tabla(resultados: dict[tuple[str, str], list[float]], transacciones: int, rondas: int,
          carga_antes: str, carga_despues: str) -> str:
    """Cuerpo Markdown de la sección."""
    filas = [
        "CPU del proceso cliente por transacción (BEGIN, `pg_advisory_xact_lock`, 4 lecturas "
        "por clave, 1 inserción, COMMIT), en serie, con uvloop, contra el PostgreSQL de "
        f"`TEST_POSTGRES_URL` en la misma máquina. {transacciones} transacciones por medición, "
        f"{rondas} rondas alternando controladores; se muestra la mediana de las rondas.",
        "",
        f"Carga del sistema (1/5/15 min) al empezar: {carga_antes}; al terminar: "
        f"{carga_despues}. Comando: `.venv/bin/python -m benchmarks.controlador_pg "
        f"--transacciones {transacciones} --rondas {rondas} --escribir`.",
        "",
        "| capa | psycopg 3 (ms) | asyncpg (ms) | asyncpg / psycopg |",
        "|---|---|---|---|",
    ]
    for capa in ("ORM (sesión)", "Core", "solo el controlador"):
        ps = statistics.median(resultados[("psycopg", capa)])
        ap = statistics.median(resultados[("asyncpg", capa)])
        filas.append(f"| {capa} | {ps:.2f} | {ap:.2f} | {ap / ps:.2f} |")
    return "\n".join(filas)


def main() -> None:
    partes = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    partes.add_argument("--transacciones", type=int, default=5000)
    partes.add_argument("--rondas", type=int, default=3)
    partes.add_argument("--escribir", action="store_true",
                        help="Escribe la sección «controlador_pg» en BENCHMARKS.md.")
    args = partes.parse_args()
    base = comun.url_pg_nueva("bench_controlador")
    if base is None:
        raise SystemExit("Sin TEST_POSTGRES_URL: source scripts/postgres.sh iniciar")
    carga_antes = comun.carga_sistema()
    try:
        resultados = uvloop.run(medir(base, args.transacciones, args.rondas))
    finally:
        comun.borrar_pg("bench_controlador")
    cuerpo = tabla(resultados, args.transacciones, args.rondas, carga_antes,
                   comun.carga_sistema())
    print(cuerpo)
    if args.escribir:
        from bot.benchmarks_md import escribir_seccion

        escribir_seccion("controlador_pg", "Controlador de PostgreSQL: CPU por transacción",
                         cuerpo)


if __name__ == "__main__":
    main()
