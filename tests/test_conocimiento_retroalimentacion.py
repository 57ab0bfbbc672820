"""«¿Le fue útil?»: se guarda y se cuenta por artículo en una base SQLite real."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from bot.conocimiento.retroalimentacion import conteo, registrar
from bot.db.modelos import Base, Usuario


@pytest.fixture
async def sesiones(tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    motor = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'retro.db'}")
    async with motor.begin() as conexion:
        await conexion.run_sync(Base.metadata.create_all)
    yield async_sessionmaker(motor, expire_on_commit=False)
    await motor.dispose()


async def test_registrar_y_contar(sesiones: async_sessionmaker[AsyncSession]) -> None:
    async with sesiones() as session:
        usuario = Usuario(canal="telegram", id_externo="123")
        session.add(usuario)
        await session.flush()
        await registrar(session, "marco-legal", True, usuario.id)
        await registrar(session, "marco-legal", True, None)
        await registrar(session, "marco-legal", False, usuario.id)
        await registrar(session, "dictamen-procedencia", False, None)
        await session.commit()

    async with sesiones() as session:
        assert await conteo(session) == {
            "marco-legal": (2, 1),
            "dictamen-procedencia": (0, 1),
        }


async def test_conteo_vacio(sesiones: async_sessionmaker[AsyncSession]) -> None:
    async with sesiones() as session:
        assert await conteo(session) == {}


async def test_boton_util_se_guarda_y_se_cuenta(servicios: object) -> None:
    from bot.conocimiento.retroalimentacion import conteo
    from bot.servicios import Servicios

    from conversacion import Charla

    assert isinstance(servicios, Servicios)
    charla = Charla(servicios.motor)
    await charla.di(payload="/menu")
    await charla.di(payload="/tema dictamen_sre")
    await charla.pulsa("Sí")
    assert "Gracias" in charla.texto
    await charla.di(payload="/tema dictamen_sre")
    await charla.pulsa("No")
    assert "asesor" in charla.texto
    async with servicios.almacen.lectura() as s:
        assert await conteo(s) == {"dictamen-procedencia": (1, 1)}
