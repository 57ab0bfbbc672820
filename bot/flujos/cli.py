"""Órdenes `hermanamientos flujos validar | diagrama | probar`."""

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.catalogos.busqueda import catalogo as catalogo_inegi
from bot.flujos.cargador import CARPETA_FLUJOS, ErrorFlujo, cargar_flujos
from bot.flujos.catalogo import municipio_a_dict
from bot.flujos.definicion import Flujo
from bot.flujos.diagrama import escribir_diagramas
from bot.flujos.simulador import Simulacion
from bot.flujos.validador import validar_flujos

flujos_app = typer.Typer(
    help="Flujos guiados: revisar, dibujar y probar en la terminal.", no_args_is_help=True
)

Carpeta = Annotated[Path, typer.Option("--carpeta", help="Carpeta con los *.yaml.")]


def _cargar(carpeta: Path) -> dict[str, Flujo]:
    try:
        return cargar_flujos(carpeta)
    except ErrorFlujo as e:
        typer.echo(str(e), err=True)
        raise typer.Exit(1) from e


@flujos_app.command()
def validar(carpeta: Carpeta = CARPETA_FLUJOS) -> None:
    """Revisa todos los flujos; sale con código 1 si encuentra problemas."""
    flujos = _cargar(carpeta)
    problemas = validar_flujos(flujos)
    for problema in problemas:
        typer.echo(f"✗ {problema}", err=True)
    if problemas:
        typer.echo(f"{len(problemas)} problema(s) en los flujos.", err=True)
        raise typer.Exit(1)
    typer.echo(f"✓ {len(flujos)} flujos sin problemas: {', '.join(sorted(flujos))}")


@flujos_app.command()
def diagrama(
    carpeta: Carpeta = CARPETA_FLUJOS,
    salida: Annotated[
        Path | None, typer.Option("--salida", help="Por omisión, <carpeta>/diagramas.")
    ] = None,
) -> None:
    """Escribe un diagrama Mermaid por flujo en flujos/diagramas/<id>.md."""
    flujos = _cargar(carpeta)
    for ruta in escribir_diagramas(flujos, salida or carpeta / "diagramas"):
        typer.echo(f"escrito {ruta}")


def _entrada(linea: str) -> dict[str, Any]:
    if linea.startswith("archivo:"):
        nombre = linea.removeprefix("archivo:").strip() or "documento.pdf"
        return {"archivo": {"nombre": nombre, "mime": "", "tamano": 1024}}
    if linea.startswith("/"):
        return {"payload": linea}
    return {"texto": linea}


@flujos_app.command()
def probar(
    flujo_id: Annotated[str, typer.Argument(help="Id del flujo, p. ej. registro_iniciativa.")],
    carpeta: Carpeta = CARPETA_FLUJOS,
    municipio: Annotated[
        str, typer.Option(help="Clave INEGI del municipio del perfil, p. ej. 19006.")
    ] = "",
) -> None:
    """Conversa con un flujo en la terminal (sin motor ni base de datos).

    Escriba respuestas; «/payload» pulsa un botón; «archivo:acta.pdf» simula un adjunto;
    «atrás», «ayuda» y «cancelar» funcionan como en el chat.
    """
    flujos = _cargar(carpeta)
    if flujo_id not in flujos:
        typer.echo(f"No existe el flujo «{flujo_id}». Hay: {', '.join(sorted(flujos))}", err=True)
        raise typer.Exit(1)
    catalogo = catalogo_inegi()
    contexto: dict[str, Any] = {}
    fila = catalogo.municipio_por_clave(municipio) if municipio else None
    if fila is not None:
        contexto["perfil"] = {
            "nombre": "Usuario de prueba",
            "rol": "funcionario",
            "municipio": municipio_a_dict(fila),
        }
    sim = Simulacion(flujos[flujo_id], contexto, catalogo=catalogo, hoy=dt.date.today())
    _mostrar(sim.iniciar())
    while not sim.terminado:
        linea = typer.prompt("usted", default="", show_default=False).strip()
        comando = linea.lower()
        if comando in ("atras", "atrás"):
            _mostrar(sim.atras())
        elif comando == "ayuda":
            _mostrar(sim.ayuda())
        elif comando == "cancelar":
            _mostrar(sim.cancelar())
        else:
            _mostrar(sim.enviar(**_entrada(linea)))
    for accion in sim.acciones:
        typer.echo(f"[acción] {accion.nombre}")


def _mostrar(respuestas: list[Any]) -> None:
    for r in respuestas:
        typer.echo(f"bot: {r.texto}")
        for b in r.botones:
            typer.echo(f"     [{b.titulo}] → {b.payload}")
