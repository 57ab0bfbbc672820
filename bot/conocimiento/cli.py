"""Órdenes `hermanamientos conocimiento validar|evaluar`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.benchmarks_md import escribir_seccion
from bot.config import RAIZ, ajustes
from bot.conocimiento.base import BaseConocimiento
from bot.conocimiento.evaluacion import evaluar as evaluar_base
from bot.conocimiento.evaluacion import leer_conjunto, problemas_del_conjunto
from bot.conocimiento.retroalimentacion import conteo
from bot.conocimiento.validacion import validar as validar_base
from bot.db.sesion import Almacen

DIRECTORIO = RAIZ / "conocimiento"
CLAVE_BENCHMARK = "conocimiento"

conocimiento_app = typer.Typer(help="Base de conocimiento: validar artículos y medir la búsqueda.")


OpcionDirectorio = Annotated[Path, typer.Option(help="Carpeta con los artículos .md.")]


@conocimiento_app.command()
def validar(directorio: OpcionDirectorio = DIRECTORIO) -> None:
    """Revisa front matter, fuentes, ids únicos y que cada pregunta recupere su artículo."""
    cantidad, errores = validar_base(directorio)
    if errores:
        typer.echo(f"La base de conocimiento tiene {len(errores)} problema(s):", err=True)
        for error in errores:
            typer.echo(f"  - {error}", err=True)
        raise typer.Exit(code=1)
    typer.echo(f"Base de conocimiento válida: {cantidad} artículos.")


@conocimiento_app.command()
def evaluar(
    directorio: OpcionDirectorio = DIRECTORIO,
    escribir_benchmarks: Annotated[
        bool,
        typer.Option("--escribir-benchmarks", help="Escribe el resultado en BENCHMARKS.md."),
    ] = False,
) -> None:
    """Exactitud top-1 y top-3 sobre evaluacion.yaml, y p95 del tiempo de respuesta."""
    try:
        base = BaseConocimiento.cargar(directorio)
        conjunto = leer_conjunto(directorio / "evaluacion.yaml")
    except (ValueError, OSError) as exc:
        typer.echo(f"No se pudo cargar la evaluación: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    problemas = problemas_del_conjunto(base, conjunto)
    if problemas:
        typer.echo("El conjunto de evaluación tiene problemas:", err=True)
        for problema in problemas:
            typer.echo(f"  - {problema}", err=True)
        raise typer.Exit(code=1)
    informe = evaluar_base(base, conjunto)
    typer.echo(informe.tabla())
    if informe.fallos:
        typer.echo("\nFallos en top-1:")
        for fallo in informe.fallos:
            typer.echo(f"  - {fallo}")
    if escribir_benchmarks:
        cuerpo = (
            f"`make evaluar-conocimiento` sobre `conocimiento/evaluacion.yaml` "
            f"({len(base.articulos)} artículos).\n\n{informe.tabla()}"
        )
        escribir_seccion(CLAVE_BENCHMARK, "Base de conocimiento: exactitud y latencia", cuerpo)
        typer.echo("\nResultado escrito en BENCHMARKS.md.")


@conocimiento_app.command()
def utilidad() -> None:
    """Cuántas personas dijeron que cada artículo les fue útil (y cuántas que no)."""
    import asyncio


    async def leer() -> dict[str, tuple[int, int]]:
        almacen = Almacen(ajustes().database_url)
        try:
            async with almacen.lectura() as s:
                return await conteo(s)
        finally:
            await almacen.cerrar()

    datos = asyncio.run(leer())
    if not datos:
        typer.echo("Aún no hay opiniones sobre los artículos.")
        return
    typer.echo(f"{'artículo':40} {'útil':>5} {'no útil':>8}")
    for articulo, (si, no) in sorted(datos.items(), key=lambda x: -(x[1][0] + x[1][1])):
        typer.echo(f"{articulo:40} {si:>5} {no:>8}")
