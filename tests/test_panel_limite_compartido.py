"""Límite de intentos de acceso al panel compartido entre procesos: dos aplicaciones sobre la
misma base (como dos workers de uvicorn) cuentan juntas; en SQLite y en PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text

from bot.app import crear_app
from bot.config import Ajustes
from bot.db.modelos import IntentoAcceso, ahora
from bot.servicios import Servicios, crear_servicios

from dobles import escalamiento_datos as datos

pytestmark = pytest.mark.lento

CORREO = "lim@jal.gob.mx"
DEMASIADOS = "Demasiados intentos. Espere un minuto e intente de nuevo."
EQUIVOCADA = "equivocada-123"


class Proceso:
    """Una aplicación con sus propios servicios (motor y pool), como un worker aparte."""

    def __init__(self, url_bd: str, documentos: Path, ip: str) -> None:
        config = Ajustes(database_url=url_bd, documentos_dir=documentos,
                         nlu_url="http://127.0.0.1:9", _env_file=None)  # type: ignore[call-arg]
        self.servicios: Servicios = crear_servicios(config, con_nlu=False)
        app = crear_app(config, self.servicios)
        app.state.servicios = self.servicios
        self.cliente = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=(ip, 1234)),
            base_url="http://panel.prueba")

    async def csrf(self) -> str:
        """Carga la página de acceso (deja la cookie previa) y devuelve su token."""
        pagina = await self.cliente.get("/panel/entrar")
        encontrado = re.search(r'name="csrf" value="([^"]+)"', pagina.text)
        assert encontrado, pagina.text[:500]
        return encontrado.group(1)

    async def entrar(self, correo: str = CORREO, contrasena: str = EQUIVOCADA,
                     token: str | None = None) -> httpx.Response:
        return await self.cliente.post("/panel/entrar", data={
            "correo": correo, "contrasena": contrasena, "csrf": token or await self.csrf()})

    async def cerrar(self) -> None:
        await self.cliente.aclose()
        await self.servicios.cerrar()


@pytest.fixture
async def procesos(url_bd_ambas: str, tmp_path: Path) -> AsyncIterator[tuple[Proceso, Proceso]]:
    a = Proceso(url_bd_ambas, tmp_path / "docs", "10.0.0.1")
    b = Proceso(url_bd_ambas, tmp_path / "docs", "10.0.0.2")
    await datos.asesor(a.servicios, CORREO)
    yield a, b
    await a.cerrar()
    await b.cerrar()


async def _intentos(servicios: Servicios, clave: str) -> int:
    async with servicios.almacen.lectura() as s:
        return int(await s.scalar(select(func.count()).select_from(IntentoAcceso)
                                  .where(IntentoAcceso.clave == clave)) or 0)


async def test_dos_procesos_comparten_el_limite(procesos: tuple[Proceso, Proceso]) -> None:
    a, b = procesos
    codigos = [(await a.entrar()).status_code for _ in range(3)]
    # El otro proceso, con otra IP y el correo en mayúsculas: es el mismo contador.
    codigos += [(await b.entrar("LIM@Jal.gob.mx")).status_code for _ in range(3)]
    assert codigos == [401] * 5 + [429]
    rechazo = await a.entrar(contrasena=datos.CONTRASENA)  # ni con la contraseña correcta
    assert rechazo.status_code == 429 and DEMASIADOS in rechazo.text
    assert await _intentos(a.servicios, f"correo:{CORREO}") == 5  # los rechazados no cuentan
    assert await _intentos(a.servicios, "ip:10.0.0.1") == 4
    async with a.servicios.almacen.lectura() as s:
        claves = (await s.scalars(select(IntentoAcceso.clave))).all()
    assert not any(EQUIVOCADA in c or datos.CONTRASENA in c for c in claves)


async def test_intentos_fuera_de_la_ventana_no_cuentan(procesos: tuple[Proceso, Proceso]
                                                       ) -> None:
    a, b = procesos
    momento = ahora()
    async with a.servicios.almacen.escritura() as s:
        s.add_all(IntentoAcceso(clave=f"correo:{CORREO}", momento=momento - dt.timedelta(
            seconds=61)) for _ in range(5))
        s.add_all(IntentoAcceso(clave=f"correo:viejo{i}@x.mx", momento=momento - dt.timedelta(
            hours=2)) for i in range(30))
    assert (await b.entrar(contrasena=datos.CONTRASENA)).status_code == 303
    # Lo de hace más de una hora se borró al pasar; lo del minuto anterior sigue ahí.
    async with a.servicios.almacen.lectura() as s:
        quedan = int(await s.scalar(select(func.count()).select_from(IntentoAcceso)) or 0)
    assert quedan == 5 + 2  # los cinco de hace 61 s, y el correo y la IP de este intento
    codigos = [(await a.entrar()).status_code for _ in range(5)]
    assert codigos == [401] * 4 + [429]
    # Un minuto después el correo vuelve a poder intentar.
    async with a.servicios.almacen.escritura() as s:
        await s.execute(text("UPDATE intento_acceso SET momento = :m"),
                        {"m": ahora() - dt.timedelta(seconds=61)})
    assert (await b.entrar(contrasena=datos.CONTRASENA)).status_code == 303


async def test_intentos_simultaneos_no_rebasan_el_limite(procesos: tuple[Proceso, Proceso]
                                                         ) -> None:
    a, b = procesos
    tokens = {a: await a.csrf(), b: await b.csrf()}
    respuestas = await asyncio.gather(*(p.entrar(token=tokens[p]) for p in (a, b) * 6))
    codigos = sorted(r.status_code for r in respuestas)
    assert codigos == [401] * 5 + [429] * 7
    assert await _intentos(a.servicios, f"correo:{CORREO}") == 5


async def test_base_sin_responder_no_da_error_500(procesos: tuple[Proceso, Proceso],
                                                  caplog: pytest.LogCaptureFixture) -> None:
    a, _ = procesos
    token = await a.csrf()
    async with a.servicios.almacen.escritura() as s:
        await s.execute(text("DROP TABLE intento_acceso"))
    with caplog.at_level(logging.ERROR):
        r = await a.entrar(token=token)
    assert r.status_code == 503 and "no podemos verificar su acceso" in r.text
    assert CORREO not in caplog.text and "10.0.0.1" not in caplog.text
