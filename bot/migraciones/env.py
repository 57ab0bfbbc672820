"""Entorno de Alembic: migra la base indicada en la configuración (URL síncrona)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from bot.db.modelos import Base

config = context.config
url = config.get_main_option("sqlalchemy.url") or ""
if not url:
    raise RuntimeError("falta sqlalchemy.url en la configuración de Alembic")


def correr_offline() -> None:
    """Genera el SQL sin conectarse."""
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def correr_online() -> None:
    """Aplica las migraciones sobre una conexión real."""
    motor = create_engine(url, poolclass=pool.NullPool)
    with motor.connect() as conexion:
        context.configure(
            connection=conexion,
            target_metadata=Base.metadata,
            render_as_batch=conexion.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    motor.dispose()


if context.is_offline_mode():
    correr_offline()
else:
    correr_online()
