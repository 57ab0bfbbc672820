"""Órdenes `hermanamientos nlu ...`: iniciar, detener, estado y lookups."""

from __future__ import annotations

import typer

from bot.config import RAIZ
from bot.nlu import lookups, servidor

nlu_app = typer.Typer(help="Servidor de comprensión del lenguaje (Rasa).", no_args_is_help=True)


@nlu_app.command()
def iniciar(espera: float = typer.Option(180.0, help="Segundos máximos de espera.")) -> None:
    """Arranca el servidor NLU en NLU_URL si no responde ya."""
    previo = servidor.estado()
    if previo.responde:
        typer.echo(f"El NLU ya responde en {previo.url}")
        return
    typer.echo("Arrancando el servidor NLU (unos 15-30 s)...")
    try:
        actual = servidor.iniciar(espera_s=espera)
    except servidor.ErrorNLU as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"NLU listo en {actual.url} (pid {actual.pid}, modelo {actual.modelo_cargado})")


@nlu_app.command()
def detener() -> None:
    """Detiene el servidor NLU que se arrancó con `iniciar`."""
    typer.echo("NLU detenido" if servidor.detener() else "No había un servidor NLU nuestro")


@nlu_app.command()
def estado() -> None:
    """Dice si el NLU responde, qué modelo tiene y cuál está disponible."""
    e = servidor.estado()
    typer.echo(f"url: {e.url}")
    typer.echo(f"responde: {'sí' if e.responde else 'no'}")
    typer.echo(f"modelo cargado: {e.modelo_cargado or '-'}")
    typer.echo(f"pid: {e.pid or '-'}")
    typer.echo(f"modelo disponible: {e.modelo_disponible.name if e.modelo_disponible else '-'}")
    if not e.responde:
        raise typer.Exit(1)


@nlu_app.command("lookups")
def generar_lookups() -> None:
    """Regenera rasa_modelo/data/lookups desde el catálogo INEGI y la lista de países."""
    for ruta in lookups.generar():
        typer.echo(str(ruta.relative_to(RAIZ)))
