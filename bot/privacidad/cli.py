"""Órdenes de consola de privacidad: `retencion` y `aviso` (el CLI principal las registra)."""

from __future__ import annotations

import asyncio

import typer

from bot.config import ajustes
from bot.db.modelos import Estado
from bot.db.sesion import Almacen
from bot.privacidad.aviso import aviso
from bot.privacidad.retencion import ejecutar_retencion

privacidad_app = typer.Typer(help="Protección de datos: retención y avisos de privacidad.",
                             no_args_is_help=True)


@privacidad_app.command("retencion")
def retencion(
    dias: int = typer.Option(None, "--dias", min=1,
                             help="Días de inactividad (por omisión RETENCION_DIAS)."),
) -> None:
    """Anonimiza las conversaciones inactivas de personas sin casos."""
    config = ajustes()
    plazo = dias or config.retencion_dias

    async def correr() -> int:
        almacen = Almacen(config.database_url)
        try:
            return await ejecutar_retencion(almacen, plazo)
        finally:
            await almacen.cerrar()

    total = asyncio.run(correr())
    typer.echo(f"Conversaciones anonimizadas: {total} (retención de {plazo} días).")


@privacidad_app.command("aviso")
def mostrar_aviso(
    integral: bool = typer.Option(False, "--integral", help="El aviso integral."),
    estado: str = typer.Option(None, help="Código o abreviatura del estado (su aviso propio)."),
) -> None:
    """Muestra el aviso de privacidad (general o el propio de un estado) con su versión."""
    from sqlalchemy import func, or_, select


    config = ajustes()

    async def leer() -> tuple[str, str]:
        almacen = Almacen(config.database_url)
        try:
            async with almacen.lectura() as s:
                estado_id = None
                if estado:
                    clave = estado.strip().upper()
                    estado_id = await s.scalar(select(Estado.id).where(or_(
                        func.upper(Estado.codigo) == clave,
                        func.upper(Estado.abreviatura) == clave)))
                    if estado_id is None:
                        raise typer.BadParameter(f"no conozco el estado «{estado}»")
                return await aviso(s, estado_id, integral, config.retencion_dias)
        finally:
            await almacen.cerrar()

    texto, version = asyncio.run(leer())
    typer.echo(texto)
    typer.echo(f"\n(versión {version})")
