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
    medir_latencia_respuestas,
    problemas_del_conjunto,
    validacion_cruzada,
)
from bot.conocimiento.preguntas_reales import ARCHIVO_DEV, evaluar_casos, leer_casos, nlu_responde
from bot.conocimiento.retroalimentacion import conteo
from bot.conocimiento.validacion import cifras_de_politica, validar_todo
from bot.db.sesion import Almacen

DIRECTORIO = RAIZ / "conocimiento"
ARCHIVO_RETENCION = RAIZ / "tests" / "datos" / "preguntas_retencion.yaml"
"""Preguntas nuevas al estilo de las reales, escritas sin ver las respuestas (sesión 8);
`tests/test_conocimiento_retencion.py` exige un mínimo sin NLU."""
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


PUNTO_DE_PARTIDA = (
    "Punto de partida (antes de las unidades de respuesta, 2026-12-03): preguntas reales "
    "13 de 49 (26.5 %) con el servidor NLU y 14 de 49 (28.6 %) sin él; validación cruzada "
    "sobre las preguntas de ejemplo de los artículos 63.4 %; 31 artículos «verificado», "
    "varios solo con prensa o copias. Retención propia (sesión 8), medida antes de sus "
    "arreglos: 53 de 77 con el servidor NLU y 54 de 77 sin él; validación cruzada entonces "
    "84.2 % sobre 1500 preguntas de 72 unidades."
)


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
        typer.Option("--nlu/--sin-nlu", help="Solo con el servidor NLU de NLU_URL o solo con "
                     "el respaldo por palabras clave (por omisión: los dos si el NLU responde)."),
    ] = None,
    sondeo: Annotated[
        bool, typer.Option("--sondeo/--sin-sondeo",
                           help="También conocimiento/preguntas_sondeo.yaml (regresión).")
    ] = True,
    retencion: Annotated[
        bool, typer.Option("--retencion/--sin-retencion",
                           help="También tests/datos/preguntas_retencion.yaml (preguntas "
                           "nuevas que no se ajustaron a las respuestas).")
    ] = True,
) -> None:
    """Preguntas reales por la aplicación real, validación cruzada, evaluacion.yaml, política
    de fuentes y p95 de una respuesta de conocimiento."""
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
    filas = ["| medida | valor | meta |", "|---|---|---|"]
    nombre = ("preguntas reales de desarrollo" if preguntas.name == ARCHIVO_DEV.name
              else f"preguntas de {preguntas.name}")
    filas += _evaluar_preguntas_reales(preguntas, nlu, nombre_conjunto=nombre)
    if retencion and ARCHIVO_RETENCION.exists() and preguntas != ARCHIVO_RETENCION:
        filas += _evaluar_preguntas_reales(ARCHIVO_RETENCION, nlu,
                                           nombre_conjunto="retención propia (sesión 8)")
    archivo_sondeo = directorio / "preguntas_sondeo.yaml"
    if sondeo and archivo_sondeo.exists():
        filas += _evaluar_preguntas_reales(archivo_sondeo, nlu, solo_uno=True,
                                           nombre_conjunto="sondeo propio (regresión)")
    cruzada = validacion_cruzada(base)
    filas.append(f"| validación cruzada, 5 pliegues: {cruzada.ejemplos} preguntas de ejemplo "
                 f"propias de {len(base.unidades)} unidades, exactitud top-1 (y contestadas "
                 f"directo y bien) | {cruzada.exactitud:.1%} ({cruzada.directas:.1%}) | "
                 "≥ 85 % |")
    informe = evaluar_base(base, conjunto)
    filas.append(f"| `conocimiento/evaluacion.yaml`, pregunta → artículo ({informe.total} "
                 f"preguntas, búsqueda de artículos de antes) | top-1 {informe.top1:.1%}, "
                 f"top-3 {informe.top3:.1%} | — |")
    selladas, sin_oficial = cifras_de_politica(directorio)
    filas.append(f"| frases de ley u oficiales selladas como práctica | {selladas} | 0 |")
    filas.append(f"| unidades y artículos «verificado» sin fuente oficial | {sin_oficial} | 0 |")
    todas = [c.q for c in leer_casos(preguntas)] if preguntas.exists() else []
    todas += [q for u in base.unidades for q in u.preguntas[:3]]
    p50, p95 = medir_latencia_respuestas(base, todas)
    filas.append(f"| respuesta de conocimiento sin el viaje al NLU ({len(todas)} preguntas × 3): "
                 f"p50 / p95 | {p50:.2f} ms / {p95:.2f} ms | p95 ≤ 30 ms |")
    tabla = "\n".join(filas)
    typer.echo(f"\n{tabla}\n\n{PUNTO_DE_PARTIDA}")
    if escribir_benchmarks:
        cuerpo = (
            "`make evaluar-conocimiento` (`hermanamientos conocimiento evaluar "
            "--escribir-benchmarks`). Preguntas reales: `../shared/evaluacion/"
            "preguntas_reales_dev.yaml` por la aplicación real (`hermanamientos servir`, canal "
            "REST, SQLite temporal), cada una en una conversación nueva de una funcionaria con "
            "consentimiento y perfil, revisada con las reglas de la cabecera del archivo "
            f"(grupos «debe», frases «no_debe» y la palabra «Fuente»). {len(base.unidades)} "
            f"unidades de respuesta, {len(base.articulos)} artículos y "
            f"{len(base.hechos.hermanamientos) if base.hechos else 0} hermanamientos como "
            f"datos.\n\n{tabla}\n\n{PUNTO_DE_PARTIDA}")
        escribir_seccion(CLAVE_BENCHMARK, "Base de conocimiento: exactitud y latencia", cuerpo)
        typer.echo("\nResultado escrito en BENCHMARKS.md.")


def _evaluar_preguntas_reales(ruta: Path, nlu: bool | None, solo_uno: bool = False,
                              nombre_conjunto: str = "preguntas reales de desarrollo"
                              ) -> list[str]:
    """Corre las preguntas reales por la aplicación real (con el NLU, sin él o las dos;
    `solo_uno`: con el NLU si responde, si no sin él); imprime los fallos y devuelve las filas
    de la tabla (ninguna si no hay archivo)."""
    if not ruta.exists():
        typer.echo(f"Nota: no encontré {ruta}; omito las preguntas reales (una copia nueva "
                   "del proyecto puede no tener ../shared/).")
        return []
    casos = leer_casos(ruta)
    config = ajustes()
    hay_nlu = nlu_responde(config.nlu_url, config.nlu_token)
    if nlu and not hay_nlu:
        typer.echo(f"No responde un servidor NLU en {config.nlu_url}.", err=True)
        raise typer.Exit(code=1)
    modos = [m for m in (True, False) if (nlu is None and (hay_nlu or not m)) or nlu == m]
    if solo_uno:
        modos = modos[:1]
    filas = []
    for con_nlu in modos:
        nombre = "con el servidor NLU" if con_nlu else "sin NLU (respaldo por palabras clave)"
        typer.echo(f"{nombre_conjunto[0].upper()}{nombre_conjunto[1:]}: {len(casos)} casos "
                   f"por la aplicación real, {nombre}…")
        informe = evaluar_casos(casos, config.nlu_url if con_nlu else None)
        for fallo in informe.fallos():
            typer.echo(f"  - {fallo}")
        meta = "≥ 90 %" if ruta.name == ARCHIVO_DEV.name else "—"
        otras = informe.fallos_sin_fuente
        nota = (f"; en {otras} de los fallos contestó otra ruta del motor o un menú"
                if otras else "")
        filas.append(f"| {nombre_conjunto} ({informe.total}), {nombre}: bien y con fuente | "
                     f"{informe.aciertos} de {informe.total} ({informe.tasa:.1%}{nota}) | "
                     f"{meta} |")
    return filas


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
