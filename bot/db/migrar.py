"""Migraciones con Alembic, configuradas desde código (sin alembic.ini)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url

from bot.db.sesion import es_sqlite, url_sincrona

DIRECTORIO = Path(__file__).resolve().parent.parent / "migraciones"


def configuracion(url: str) -> Config:
    """Configuración de Alembic para la base `url`."""
    config = Config()
    config.set_main_option("script_location", str(DIRECTORIO))
    config.set_main_option("sqlalchemy.url", url_sincrona(url).replace("%", "%%"))
    return config


def migrar(url: str, revision: str = "head") -> None:
    """Lleva el esquema de la base a `revision` (por omisión, la última)."""
    if es_sqlite(url):
        ruta = make_url(url).database
        if ruta and ruta != ":memory:":
            Path(ruta).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(configuracion(url), revision)


def nueva_revision(url: str, mensaje: str) -> None:
    """Genera una migración comparando los modelos con la base (para desarrolladores)."""
    command.revision(configuracion(url), message=mensaje, autogenerate=True)
