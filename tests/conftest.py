"""Fixtures compartidas: base de datos real (SQLite en tmp, migrada con Alembic), motor y
servidor HTTP real en un puerto libre."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import BinaryIO, NoReturn

import httpx
import pytest

from bot.app import crear_app
from bot.catalogos.carga import cargar_catalogos
from bot.config import RAIZ, Ajustes
from bot.db import diferidos
from bot.db.migrar import migrar
from bot.documentos.enlaces import FirmaEnlaces
from bot.servicios import Servicios, crear_servicios

from dobles.servidor_hilo import ServidorEnHilo

pytest_plugins = [p for p in ("fixtures_nlu",) if (Path(__file__).parent / f"{p}.py").exists()]

_TMP = Path(os.environ.get("TMPDIR", "/tmp"))
_PLANTILLA_BD = _TMP / f"hermanamientos-plantilla-{os.getpid()}.db"


def _base_plantilla() -> Path:
    """Una base migrada y con catálogo, hecha una vez por sesión de pruebas y copiada."""
    if not _PLANTILLA_BD.exists():
        url = f"sqlite:///{_PLANTILLA_BD}"
        migrar(url)
        import asyncio

        from bot.db.sesion import Almacen

        async def cargar() -> None:
            almacen = Almacen(url)
            async with almacen.escritura() as s:
                await cargar_catalogos(s)
            await almacen.cerrar()

        asyncio.run(cargar())
    return _PLANTILLA_BD


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    for sufijo in ("", "-wal", "-shm"):
        Path(f"{_PLANTILLA_BD}{sufijo}").unlink(missing_ok=True)


@pytest.fixture
def url_bd(tmp_path: Path) -> str:
    """URL de una base SQLite nueva, migrada y con catálogo, propia de la prueba."""
    import shutil

    destino = tmp_path / "prueba.db"
    shutil.copyfile(_base_plantilla(), destino)
    return f"sqlite:///{destino}"


_PLANTILLA_PG = "hermanamientos_plantilla"


def _pg_admin(url: str, sql: str) -> None:
    from sqlalchemy import create_engine

    from bot.db.sesion import url_sincrona

    motor = create_engine(url_sincrona(url), isolation_level="AUTOCOMMIT")
    try:
        with motor.connect() as c:
            c.exec_driver_sql(sql)
    finally:
        motor.dispose()


def _url_pg(nombre: str) -> str:
    from sqlalchemy.engine import make_url

    base = make_url(os.environ["TEST_POSTGRES_URL"])
    return base.set(database=nombre).render_as_string(hide_password=False)


_plantilla_pg_lista = False


def _base_pg(nombre: str) -> str:
    """Una base PostgreSQL nueva, copiada de una plantilla migrada y con catálogo."""
    global _plantilla_pg_lista
    admin = os.environ["TEST_POSTGRES_URL"]
    if not _plantilla_pg_lista:
        _pg_admin(admin, f"DROP DATABASE IF EXISTS {_PLANTILLA_PG} WITH (FORCE)")
        _pg_admin(admin, f"CREATE DATABASE {_PLANTILLA_PG}")
        url = _url_pg(_PLANTILLA_PG)
        migrar(url)
        import asyncio

        from bot.db.sesion import Almacen

        async def cargar() -> None:
            almacen = Almacen(url)
            async with almacen.escritura() as s:
                await cargar_catalogos(s)
            await almacen.cerrar()

        asyncio.run(cargar())
        _plantilla_pg_lista = True
    _pg_admin(admin, f"DROP DATABASE IF EXISTS {nombre} WITH (FORCE)")
    _pg_admin(admin, f"CREATE DATABASE {nombre} TEMPLATE {_PLANTILLA_PG}")
    return _url_pg(nombre)


@pytest.fixture(scope="session")
def crear_base_pg() -> Iterator[Callable[[str], str]]:
    """Crea bases PostgreSQL nuevas por nombre (migradas, con catálogo) y las borra al final."""
    creadas: list[str] = []

    def crear(nombre: str) -> str:
        creadas.append(nombre)
        return _base_pg(nombre)

    yield crear
    for nombre in creadas:
        _pg_admin(os.environ["TEST_POSTGRES_URL"], f"DROP DATABASE IF EXISTS {nombre} WITH (FORCE)")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url_bd_ambas(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """La misma prueba sobre SQLite y sobre PostgreSQL (si hay TEST_POSTGRES_URL)."""
    if request.param == "sqlite":
        import shutil

        destino = tmp_path / "prueba.db"
        shutil.copyfile(_base_plantilla(), destino)
        return f"sqlite:///{destino}"
    if not os.environ.get("TEST_POSTGRES_URL"):
        pytest.skip("sin TEST_POSTGRES_URL")
    return _base_pg(f"prueba_{os.getpid()}")


@pytest.fixture
async def servicios_ambas(url_bd_ambas: str, tmp_path: Path) -> AsyncIterator[Servicios]:
    """Servicios sobre SQLite y sobre PostgreSQL (pruebas del almacén y de concurrencia)."""
    config = Ajustes(database_url=url_bd_ambas, documentos_dir=tmp_path / "documentos",
                     nlu_url="http://127.0.0.1:9", _env_file=None)  # type: ignore[call-arg]
    s = crear_servicios(config, con_nlu=False)
    yield s
    await s.cerrar()


SIN_LIMITES_DE_RITMO = {"limite_mensajes_por_minuto": 0, "limite_remitentes_nuevos_por_hora": 0}
"""Las pruebas comparten una IP (127.0.0.1) y abren muchas conversaciones: los límites de ritmo
se apagan salvo en sus propias pruebas (tests/test_confianza_*.py)."""
ENTORNO_SIN_LIMITES = {k.upper(): str(v) for k, v in SIN_LIMITES_DE_RITMO.items()}


@pytest.fixture
def ajustes_prueba(url_bd: str, tmp_path: Path) -> Ajustes:
    """Ajustes apuntando a la base y al almacén de documentos de la prueba, sin NLU."""
    return Ajustes(
        database_url=url_bd,
        documentos_dir=tmp_path / "documentos",
        nlu_url="http://127.0.0.1:9",  # nada escucha ahí: el motor usa su respaldo
        **SIN_LIMITES_DE_RITMO,
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture
async def servicios(ajustes_prueba: Ajustes) -> AsyncIterator[Servicios]:
    """Servicios completos sobre la base de la prueba (sin servidor NLU)."""
    s = crear_servicios(ajustes_prueba, con_nlu=False)
    yield s
    await s.cerrar()


@pytest.fixture
async def cliente(servicios: Servicios) -> AsyncIterator[httpx.AsyncClient]:
    """La aplicación en el mismo proceso (ASGI), con los servicios de la prueba, vista desde
    una IP de la red local; al salir espera lo diferido (avisos tras confirmar)."""
    app = crear_app(servicios.ajustes, servicios)
    app.state.servicios = servicios
    app.state.firma_enlaces = FirmaEnlaces("secreto-de-prueba")
    transporte = httpx.ASGITransport(app=app, client=("10.0.0.2", 1234))
    async with httpx.AsyncClient(transport=transporte, base_url="http://asistente.prueba") as c:
        yield c
    await diferidos.esperar()


def carpeta_capturas() -> Path:
    """Dónde dejan sus capturas las pruebas en Chromium: var/capturas/ (fuera de git), o
    docs/capturas/ (las del README) con CAPTURAS_EN_DOCS=1, que pone `make capturas`."""
    base = "docs" if os.environ.get("CAPTURAS_EN_DOCS") == "1" else "var"
    carpeta = RAIZ / base / "capturas"
    carpeta.mkdir(parents=True, exist_ok=True)
    return carpeta


def puerto_libre() -> int:
    """Un puerto TCP libre en 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServidorReal:
    """La aplicación corriendo en un proceso aparte con uvicorn, como en producción."""

    def __init__(self, entorno: dict[str, str], bitacora: Path,
                 argumentos: tuple[str, ...] = ()) -> None:
        self.argumentos = argumentos
        self.puerto = puerto_libre()
        self.url = f"http://127.0.0.1:{self.puerto}"
        self.entorno = entorno
        self.bitacora = bitacora
        self.proceso: subprocess.Popen[bytes] | None = None
        self._salida: BinaryIO | None = None

    def iniciar(self) -> None:
        self._salida = open(self.bitacora, "ab")  # noqa: SIM115 — se cierra en detener()
        self.proceso = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "servir", "--sin-nlu", "--port", str(self.puerto),
             *self.argumentos],
            cwd=RAIZ, env={**ENTORNO_SIN_LIMITES, **self.entorno}, stdout=self._salida,
            stderr=self._salida,
        )
        limite = time.monotonic() + 60
        while time.monotonic() < limite:
            if self.proceso.poll() is not None:
                self.detener()
                raise RuntimeError(f"el servidor terminó: {self.bitacora.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/salud", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.detener()
        raise RuntimeError("el servidor no respondió a tiempo")

    def detener(self, senal: int = 15) -> None:
        if self.proceso and self.proceso.poll() is None:
            self.proceso.send_signal(senal)
            try:
                self.proceso.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proceso.kill()
                self.proceso.wait()
        if self._salida is not None:
            self._salida.close()
            self._salida = None


@pytest.fixture(scope="module")
def servidor(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServidorReal]:
    """La aplicación real escuchando en un puerto libre, sobre una base propia del módulo."""
    import shutil

    tmp_path = tmp_path_factory.mktemp("servidor")
    shutil.copyfile(_base_plantilla(), tmp_path / "servidor.db")
    url_bd = f"sqlite:///{tmp_path / 'servidor.db'}"
    entorno = {**os.environ, "DATABASE_URL": url_bd, "DOCUMENTOS_DIR": str(tmp_path / "docs"),
               "NLU_URL": "http://127.0.0.1:9"}
    s = ServidorReal(entorno, tmp_path / "servidor.log")
    s.iniciar()
    yield s
    s.detener()


# --- Marcas de las capas (pyproject.toml): se comprueban, así `make prueba-rapida` no
# arranca servidores por una marca olvidada.

_MARCA_DE_FIXTURE = {"servidor": "servidor", "servidor_nlu": "nlu", "crear_base_pg": "postgres"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Una prueba que pide una fixture de servidor o de PostgreSQL lleva su marca."""
    faltan = [f"{item.nodeid}: falta @pytest.mark.{marca} (usa la fixture {fixture})"
              for item in items for fixture, marca in _MARCA_DE_FIXTURE.items()
              if fixture in getattr(item, "fixturenames", ())
              and item.get_closest_marker(marca) is None]
    if faltan:
        raise pytest.UsageError("\n".join(faltan))


@pytest.fixture(autouse=True)
def _servidores_marcados(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Sin la marca `servidor`, arrancar la aplicación o un doble en un puerto hace fallar la
    prueba con un mensaje que dice qué marca falta."""
    if request.node.get_closest_marker("servidor") is not None:
        return

    def prohibido(*_: object, **__: object) -> NoReturn:
        pytest.fail(f"{request.node.nodeid} arranca un servidor: márquela con "
                    "@pytest.mark.servidor (y con lento si tarda más de ~1 s)", pytrace=False)

    monkeypatch.setattr(ServidorReal, "iniciar", prohibido)
    monkeypatch.setattr(ServidorEnHilo, "iniciar", prohibido)
