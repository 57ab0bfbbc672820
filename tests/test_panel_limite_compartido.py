"""Límites de acceso al panel compartidos entre procesos: dos aplicaciones sobre la misma base
(como dos workers de uvicorn) cuentan juntas; en SQLite y en PostgreSQL.

El bloqueo es por cuenta **e IP**, con espera creciente: quien adivina desde una IP espera cada
vez más, y la asesora entra desde la suya. Además hay un tope por IP (a cualquier cuenta) y uno
por cuenta para dispositivos desconocidos (quien cambia de IP en cada intento)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text, update

from bot.app import crear_app
from bot.config import Ajustes
from bot.db.modelos import BloqueoAcceso, IntentoAcceso, ahora
from bot.limite_acceso import LIMITE_IP, POR_CUENTA, clave_par
from bot.servicios import Servicios, crear_servicios

from dobles import escalamiento_datos as datos

pytestmark = pytest.mark.lento

CORREO = "lim@jal.gob.mx"
EQUIVOCADA = "equivocada-123"


class Proceso:
    """Una aplicación con sus propios servicios (motor y pool), como un worker aparte."""

    def __init__(self, url_bd: str, documentos: Path, ip: str) -> None:
        config = Ajustes(database_url=url_bd, documentos_dir=documentos,
                         nlu_url="http://127.0.0.1:9", _env_file=None)  # type: ignore[call-arg]
        self.servicios: Servicios = crear_servicios(config, con_nlu=False)
        self.app = crear_app(config, self.servicios)
        self.app.state.servicios = self.servicios
        self.cliente = self.desde(ip)

    def desde(self, ip: str) -> httpx.AsyncClient:
        """Un navegador nuevo (sin cookies) que llega desde esa IP."""
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app, client=(ip, 1234)),
                                 base_url="http://panel.prueba")

    async def entrar(self, correo: str = CORREO, contrasena: str = EQUIVOCADA,
                     cliente: httpx.AsyncClient | None = None) -> httpx.Response:
        return await entrar(cliente or self.cliente, correo, contrasena)

    async def cerrar(self) -> None:
        await self.cliente.aclose()
        await self.servicios.cerrar()


async def csrf(cliente: httpx.AsyncClient) -> str:
    """Carga la página de acceso (deja la cookie previa) y devuelve su token."""
    pagina = await cliente.get("/panel/entrar")
    encontrado = re.search(r'name="csrf" value="([^"]+)"', pagina.text)
    assert encontrado, pagina.text[:500]
    return encontrado.group(1)


async def entrar(cliente: httpx.AsyncClient, correo: str = CORREO,
                 contrasena: str = EQUIVOCADA, token: str | None = None) -> httpx.Response:
    return await cliente.post("/panel/entrar", data={
        "correo": correo, "contrasena": contrasena, "csrf": token or await csrf(cliente)})


@pytest.fixture
async def procesos(url_bd_ambas: str, tmp_path: Path) -> AsyncIterator[tuple[Proceso, Proceso]]:
    """Dos procesos; el cliente de cada uno llega desde la misma IP (10.0.0.1)."""
    a = Proceso(url_bd_ambas, tmp_path / "docs", "10.0.0.1")
    b = Proceso(url_bd_ambas, tmp_path / "docs", "10.0.0.1")
    await datos.asesor(a.servicios, CORREO)
    yield a, b
    await a.cerrar()
    await b.cerrar()


async def _bloqueo(servicios: Servicios, clave: str) -> BloqueoAcceso | None:
    async with servicios.almacen.lectura() as s:
        return await s.get(BloqueoAcceso, clave)


async def _atrasar(servicios: Servicios, segundos: float) -> None:
    """Hace como si el último fallo de cada clave hubiera sido `segundos` antes."""
    async with servicios.almacen.escritura() as s:
        for fila in (await s.scalars(select(BloqueoAcceso))).all():
            fila.ultimo = fila.ultimo.replace(tzinfo=fila.ultimo.tzinfo or dt.timezone.utc) - (
                dt.timedelta(seconds=segundos))
        await s.execute(update(IntentoAcceso).values(momento=ahora() - dt.timedelta(
            seconds=max(segundos, 61))))


async def test_dos_procesos_comparten_el_bloqueo_de_cuenta_e_ip(
        procesos: tuple[Proceso, Proceso]) -> None:
    a, b = procesos
    codigos = [(await a.entrar()).status_code for _ in range(3)]
    # El otro proceso, con el correo en mayúsculas: es el mismo contador.
    codigos += [(await b.entrar("LIM@Jal.gob.mx")).status_code for _ in range(3)]
    assert codigos == [401] * 5 + [429]
    rechazo = await a.entrar(contrasena=datos.CONTRASENA)  # ni con la contraseña correcta
    assert rechazo.status_code == 429 and "Espere un minuto" in rechazo.text
    assert rechazo.headers["retry-after"] == "60"
    # Desde otra IP, la asesora entra con su contraseña (y no esperó nada).
    otra = a.desde("10.0.0.99")
    assert (await entrar(otra, contrasena=datos.CONTRASENA)).status_code == 303
    fila = await _bloqueo(a.servicios, clave_par(CORREO, "10.0.0.1"))
    assert fila is not None and fila.fallos == 5  # los rechazados no cuentan
    async with a.servicios.almacen.lectura() as s:
        claves = list((await s.scalars(select(BloqueoAcceso.clave))).all())
        claves += (await s.scalars(select(IntentoAcceso.clave))).all()
    # Ni contraseñas ni correos en la base; las IPs solo en la ventana por IP.
    assert not any(EQUIVOCADA in c or datos.CONTRASENA in c or "lim" in c.lower()
                   for c in claves)
    await otra.aclose()


async def test_la_espera_crece_y_un_acceso_correcto_la_borra(
        procesos: tuple[Proceso, Proceso]) -> None:
    a, b = procesos
    assert [(await a.entrar()).status_code for _ in range(6)] == [401] * 5 + [429]
    await _atrasar(a.servicios, 61)  # pasó el minuto: un intento más
    assert (await b.entrar()).status_code == 401
    segunda = await a.entrar()
    # 120 s desde el bloqueo; en una máquina cargada ya pudo correr un segundo.
    assert segunda.status_code == 429 and int(segunda.headers["retry-after"]) in (119, 120)
    assert "Espere 2 minutos" in segunda.text
    await _atrasar(a.servicios, 61)
    assert (await a.entrar(contrasena=datos.CONTRASENA)).status_code == 429  # aún no
    await _atrasar(a.servicios, 60)
    assert (await a.entrar()).status_code == 401
    tercera = await b.entrar()
    assert tercera.status_code == 429 and tercera.headers["retry-after"] == "240"
    await _atrasar(a.servicios, 241)
    assert (await a.entrar(contrasena=datos.CONTRASENA)).status_code == 303
    assert await _bloqueo(a.servicios, clave_par(CORREO, "10.0.0.1")) is None
    # Tras entrar, vuelve a tener sus cinco intentos.
    assert [(await b.entrar()).status_code for _ in range(6)] == [401] * 5 + [429]


async def test_intentos_simultaneos_no_rebasan_el_limite(procesos: tuple[Proceso, Proceso]
                                                         ) -> None:
    a, b = procesos
    tokens = {a: await csrf(a.cliente), b: await csrf(b.cliente)}
    respuestas = await asyncio.gather(*(entrar(p.cliente, token=tokens[p]) for p in (a, b) * 6))
    codigos = sorted(r.status_code for r in respuestas)
    assert codigos == [401] * 5 + [429] * 7
    fila = await _bloqueo(a.servicios, clave_par(CORREO, "10.0.0.1"))
    assert fila is not None and fila.fallos == 5


async def test_una_ip_no_prueba_muchas_cuentas(procesos: tuple[Proceso, Proceso]) -> None:
    a, b = procesos
    codigos = [(await (a if i % 2 else b).entrar(f"c{i}@jal.gob.mx")).status_code
               for i in range(LIMITE_IP + 1)]
    assert codigos == [401] * LIMITE_IP + [429]
    assert (await a.entrar(contrasena=datos.CONTRASENA)).status_code == 429
    async with a.servicios.almacen.lectura() as s:
        assert await s.scalar(select(func.count()).select_from(IntentoAcceso)) == LIMITE_IP


async def test_quien_cambia_de_ip_topa_con_la_cuenta_pero_no_su_dispositivo(
        procesos: tuple[Proceso, Proceso]) -> None:
    """Aunque cada intento llegue de otra IP (o falsee la suya), la cuenta tiene un tope para
    dispositivos desconocidos; el navegador donde la asesora ya entró no cuenta ahí."""
    a, b = procesos
    suyo = a.desde("10.1.1.1")
    assert (await entrar(suyo, contrasena=datos.CONTRASENA)).status_code == 303
    ips: Callable[[int], str] = lambda i: f"172.16.{i // 200}.{i % 200 + 1}"  # noqa: E731
    codigos = []
    for i in range(POR_CUENTA.libres + 1):
        async with (a if i % 2 else b).desde(ips(i)) as atacante:
            codigos.append((await entrar(atacante)).status_code)
    assert codigos == [401] * POR_CUENTA.libres + [429]
    async with a.desde("192.0.2.7") as nuevo:  # la contraseña correcta, en otro dispositivo
        assert (await entrar(nuevo, contrasena=datos.CONTRASENA)).status_code == 429
    # En su navegador de siempre (la cookie del dispositivo), aun desde otra IP, sí entra.
    async with a.desde("198.51.100.4") as movil:
        movil.cookies.set("panel_dispositivo", suyo.cookies["panel_dispositivo"],
                          domain="panel.prueba", path="/panel")
        assert (await entrar(movil, contrasena=datos.CONTRASENA)).status_code == 303
    # La cookie de un dispositivo vale solo para su cuenta.
    await datos.asesor(a.servicios, "otra@jal.gob.mx")
    async with a.desde("198.51.100.5") as ajeno:
        ajeno.cookies.set("panel_dispositivo", suyo.cookies["panel_dispositivo"],
                          domain="panel.prueba", path="/panel")
        assert (await entrar(ajeno, "otra@jal.gob.mx")).status_code == 401
    await suyo.aclose()


async def test_lo_viejo_se_borra_al_pasar(procesos: tuple[Proceso, Proceso]) -> None:
    a, b = procesos
    momento = ahora()
    async with a.servicios.almacen.escritura() as s:
        s.add_all(IntentoAcceso(clave=f"ip:10.9.9.{i}", momento=momento - dt.timedelta(
            hours=2)) for i in range(30))
    assert (await b.entrar(contrasena=datos.CONTRASENA)).status_code == 303
    async with a.servicios.almacen.lectura() as s:
        quedan = int(await s.scalar(select(func.count()).select_from(IntentoAcceso)) or 0)
    assert quedan == 1  # la IP de este intento


async def test_base_sin_responder_no_da_error_500(procesos: tuple[Proceso, Proceso],
                                                  caplog: pytest.LogCaptureFixture) -> None:
    a, _ = procesos
    token = await csrf(a.cliente)
    async with a.servicios.almacen.escritura() as s:
        await s.execute(text("DROP TABLE intento_acceso"))
    with caplog.at_level(logging.ERROR):
        r = await entrar(a.cliente, token=token)
    assert r.status_code == 503 and "no podemos verificar su acceso" in r.text
    assert CORREO not in caplog.text and "10.0.0.1" not in caplog.text
