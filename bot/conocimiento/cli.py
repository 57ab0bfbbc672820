"""Órdenes `hermanamientos conocimiento validar|evaluar`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.benchmarks_md import escribir_seccion
from bot.config import RAIZ, ajustes
from bot.conocimiento.base import BaseConocimiento
from bot.conocimiento.evaluacion import evaluar as evaluar_base
from bot.conocimiento.evaluacion import (
    leer_conjunto,
    problemas_del_conjunto,
    validacion_cruzada,
    validacion_cruzada_articulos,
)
from bot.conocimiento.preguntas_reales import ARCHIVO_DEV, evaluar_casos, leer_casos, nlu_responde
from bot.conocimiento.retroalimentacion import conteo
from bot.conocimiento.validacion import validar_todo
from bot.db.sesion import Almacen

DIRECTORIO = RAIZ / "conocimiento"
CLAVE_BENCHMARK = "conocimiento"

conocimiento_app = typer.Typer(help="Base de conocimiento: validar artículos y medir la búsqueda.")


OpcionDirectorio = Annotated[Path, typer.Option(help="Carpeta con los artículos .md.")]


@conocimiento_app.command()
def validar(directorio: OpcionDirectorio = DIRECTORIO) -> None:
    """Revisa front matter, fuentes, ids únicos y que cada pregunta recupere su artículo."""
    cantidad, unidades, errores = validar_todo(directorio)
    if errores:
        typer.echo(f"La base de conocimiento tiene {len(errores)} problema(s):", err=True)
        for error in errores:
            typer.echo(f"  - {error}", err=True)
        raise typer.Exit(code=1)
    typer.echo(f"Base de conocimiento válida: {cantidad} artículos y {unidades} unidades de "
               "respuesta.")


@conocimiento_app.command()
def evaluar(
    directorio: OpcionDirectorio = DIRECTORIO,
    escribir_benchmarks: Annotated[
        bool,
        typer.Option("--escribir-benchmarks", help="Escribe el resultado en BENCHMARKS.md."),
    ] = False,
    preguntas: Annotated[
        Path, typer.Option(help="Preguntas reales (YAML con `casos`); se omiten si no existe.")
    ] = ARCHIVO_DEV,
    nlu: Annotated[
        bool | None,
        typer.Option("--nlu/--sin-nlu", help="Con el servidor NLU de NLU_URL o con el respaldo "
                     "por palabras clave (por omisión: el NLU si responde)."),
    ] = None,
) -> None:
    """Preguntas reales por la aplicación real, validación cruzada, evaluacion.yaml y p95."""
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
    partes: list[str] = []
    real = _evaluar_preguntas_reales(preguntas, nlu)
    if real is not None:
        partes.append(real)
    cruzada, ejemplos, _ = validacion_cruzada(base)
    partes.append(f"Validación cruzada (5 pliegues) sobre las {ejemplos} preguntas de ejemplo "
                  f"propias de las {len(base.unidades)} unidades: exactitud top-1 "
                  f"**{cruzada:.1%}** (meta ≥ 85 %). Antes de las unidades, sobre las preguntas "
                  f"de los artículos: {validacion_cruzada_articulos(base)[0]:.1%}.")
    informe = evaluar_base(base, conjunto)
    partes.append(f"`conocimiento/evaluacion.yaml` (pregunta → artículo esperado, "
                  f"{len(base.articulos)} artículos):\n\n{informe.tabla()}")
    typer.echo("\n\n".join(partes))
    if informe.fallos:
        typer.echo("\nFallos en top-1 de evaluacion.yaml:")
        for fallo in informe.fallos:
            typer.echo(f"  - {fallo}")
    if escribir_benchmarks:
        cuerpo = "`make evaluar-conocimiento`.\n\n" + "\n\n".join(partes)
        escribir_seccion(CLAVE_BENCHMARK, "Base de conocimiento: exactitud y latencia", cuerpo)
        typer.echo("\nResultado escrito en BENCHMARKS.md.")


def _evaluar_preguntas_reales(ruta: Path, nlu: bool | None) -> str | None:
    """Corre las preguntas reales por la aplicación real; imprime los fallos y devuelve el
    resumen (None si no hay archivo)."""
    if not ruta.exists():
        typer.echo(f"Nota: no encontré {ruta}; omito las preguntas reales (una copia nueva "
                   "del proyecto puede no tener ../shared/).")
        return None
    casos = leer_casos(ruta)
    config = ajustes()
    hay_nlu = nlu_responde(config.nlu_url, config.nlu_token)
    if nlu and not hay_nlu:
        typer.echo(f"No responde un servidor NLU en {config.nlu_url}.", err=True)
        raise typer.Exit(code=1)
    usar_nlu = hay_nlu if nlu is None else nlu
    typer.echo(f"Preguntas reales: {len(casos)} casos por la aplicación real "
               f"({'con el servidor NLU' if usar_nlu else 'con el respaldo sin NLU'})…")
    informe = evaluar_casos(casos, config.nlu_url if usar_nlu else None)
    if informe.fallos():
        typer.echo(f"Fallos ({informe.total - informe.aciertos}):")
        for fallo in informe.fallos():
            typer.echo(f"  - {fallo}")
    modo = "servidor NLU" if informe.con_nlu else "respaldo por palabras clave, sin NLU"
    return (f"Preguntas reales (`{ruta.name}`, aplicación real por REST, {modo}; cada "
            f"pregunta en una conversación nueva de una funcionaria con consentimiento y "
            f"perfil): **{informe.aciertos} de {informe.total} bien y con fuente "
            f"({informe.tasa:.1%})** (meta ≥ 90 %).")


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
