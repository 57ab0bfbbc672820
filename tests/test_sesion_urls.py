"""La URL de la base: la misma sirve a la aplicación (asyncpg) y a Alembic (psycopg)."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.db.sesion import Almacen, url_async, url_sincrona


def test_opciones_libpq_se_traducen_para_asyncpg_y_no_para_alembic() -> None:
    url = "postgresql://app:secreto@db.interna:5432/hermanamientos?sslmode=require&connect_timeout=5"
    asincrona = make_url(url_async(url))
    assert asincrona.drivername == "postgresql+asyncpg"
    assert dict(asincrona.query) == {"ssl": "require"}  # el tiempo de espera va aparte
    assert asincrona.password == "secreto"
    sincrona = make_url(url_sincrona(url))
    assert sincrona.drivername == "postgresql+psycopg"
    assert dict(sincrona.query) == {"sslmode": "require", "connect_timeout": "5"}


def test_sqlite_no_cambia_de_opciones() -> None:
    assert url_async("sqlite:///var/x.db") == "sqlite+aiosqlite:///var/x.db"
    assert url_sincrona("sqlite:///var/x.db") == "sqlite:///var/x.db"


@pytest.mark.postgres
async def test_postgresql_con_sslmode_en_la_url_conecta() -> None:
    base = os.environ.get("TEST_POSTGRES_URL")
    if not base:
        pytest.skip("sin TEST_POSTGRES_URL")
    almacen = Almacen(base + "?sslmode=disable&connect_timeout=10")
    try:
        async with almacen.lectura() as s:
            assert (await s.execute(text("SELECT 1"))).scalar() == 1
    finally:
        await almacen.cerrar()
