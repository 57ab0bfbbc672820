"""`hermanamientos asesores agregar|listar|desactivar|codigo` (la registra bot/cli.py)."""

from __future__ import annotations

import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import ajustes
from bot.db.sesion import Almacen
from bot.escalamiento import asesores as repo
from bot.escalamiento.contrasenas import ContrasenaDebil

asesores_app = typer.Typer(help="Asesores estatales, coordinaciones y SRE.", no_args_is_help=True)
T = TypeVar("T")


def _con_sesion(trabajo: Callable[[AsyncSession], Awaitable[T]]) -> T:
    async def correr() -> T:
        almacen = Almacen(ajustes().database_url)
        try:
            async with almacen.escritura() as s:
                return await trabajo(s)
        finally:
            await almacen.cerrar()

    return asyncio.run(correr())


def _contrasena(desde_stdin: bool) -> str:
    if desde_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    primera = getpass.getpass("Contraseña: ")
    if primera != getpass.getpass("Repítala: "):
        raise typer.BadParameter("Las contraseñas no coinciden.")
    return primera


@asesores_app.command("agregar")
def agregar(
    nombre: str = typer.Option(..., help="Nombre completo."),
    email: str = typer.Option(..., help="Correo (usuario del panel)."),
    rol: str = typer.Option("asesor", help="asesor | coordinador_estatal | sre"),
    estado: Annotated[list[str] | None, typer.Option(
        "--estado", "-e", help="Estado que atiende (clave, abreviatura o nombre); repetible.",
    )] = None,
    telegram_id: str | None = typer.Option(None, help="Id numérico de Telegram (opcional)."),
    stdin: bool = typer.Option(False, "--stdin", help="Leer la contraseña de la entrada estándar."),
) -> None:
    """Da de alta un asesor. La contraseña se pide sin eco (o se lee de stdin con --stdin)."""
    contrasena = _contrasena(stdin)

    async def trabajo(s: AsyncSession) -> str:
        asesor = await repo.crear_asesor(s, nombre=nombre, email=email, rol=rol,
                                         contrasena=contrasena, estados=estado or [],
                                         telegram_id=telegram_id)
        codigo = await repo.nuevo_codigo(s, asesor)
        return (f"Asesor {asesor.id} dado de alta. Código para Telegram (vale 24 horas): "
                f"/vincular {codigo}")

    try:
        typer.echo(_con_sesion(trabajo))
    except (repo.DatoInvalido, ContrasenaDebil) as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from error


@asesores_app.command("listar")
def listar(todos: bool = typer.Option(False, "--todos", help="Incluir dados de baja.")) -> None:
    """Lista asesores con rol, estados y si tienen Telegram vinculado."""

    async def trabajo(s: AsyncSession) -> list[str]:
        return [f"{a.id}\t{a.nombre}\t{a.email}\t{a.rol}\t"
                f"{','.join(e.abreviatura for e in a.estados) or '-'}\t"
                f"{'telegram' if a.telegram_id else '-'}\t{'activo' if a.activo else 'baja'}"
                for a in await repo.listar_asesores(s, incluir_inactivos=todos)]

    filas = _con_sesion(trabajo)
    typer.echo("\n".join(filas) if filas else "No hay asesores.")


@asesores_app.command("desactivar")
def desactivar(email: str = typer.Argument(..., help="Correo del asesor.")) -> None:
    """Da de baja a un asesor (ya no entra al panel ni recibe avisos)."""

    async def trabajo(s: AsyncSession) -> bool:
        return await repo.desactivar(s, email) is not None

    if not _con_sesion(trabajo):
        typer.echo("No encontré ese correo.", err=True)
        raise typer.Exit(1)
    typer.echo("Asesor dado de baja.")


@asesores_app.command("codigo")
def codigo(email: str = typer.Argument(..., help="Correo del asesor.")) -> None:
    """Genera un código nuevo de un solo uso para `/vincular` en Telegram (vale 24 horas;
    reemplaza al anterior)."""

    async def trabajo(s: AsyncSession) -> str | None:
        asesor = await repo.por_email(s, email)
        return None if asesor is None else await repo.nuevo_codigo(s, asesor)

    valor = _con_sesion(trabajo)
    if valor is None:
        typer.echo("No encontré ese correo.", err=True)
        raise typer.Exit(1)
    typer.echo(f"/vincular {valor}  (vale 24 horas)")
