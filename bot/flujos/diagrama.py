"""Diagramas Mermaid de los flujos (flujos/diagramas/<id>.md)."""

from __future__ import annotations

from pathlib import Path

from bot.flujos.definicion import FIN, Flujo, Paso

_FORMAS = {
    "mensaje": ('>"', '"]'),
    "confirmacion": ('{{"', '"}}'),
}


def _escapar(texto: str) -> str:
    return " ".join(texto.replace('"', "#quot;").split())[:90]


def _nodo(paso: Paso) -> str:
    if paso.tipo == "mensaje":
        texto = paso.etiqueta or paso.pregunta
        etiqueta = f"{paso.id}: {_escapar(texto)[:50]}"
    else:
        etiqueta = f"{paso.id}<br/>{paso.tipo}"
        if paso.etiqueta:
            etiqueta = f"{_escapar(paso.etiqueta)}<br/>({paso.tipo})"
    if paso.condicion:
        etiqueta += f"<br/>solo si: {_escapar(paso.condicion)}"
    if paso.accion:
        etiqueta += f"<br/>⚙ {paso.accion}"
    abre, cierra = _FORMAS.get(paso.tipo, ('["', '"]'))
    return f"    {paso.id}{abre}{etiqueta}{cierra}"


def mermaid(flujo: Flujo) -> str:
    """El diagrama `flowchart` de un flujo."""
    lineas = ["flowchart TD", "    inicio((inicio))", "    fin((fin))"]
    lineas.extend(_nodo(p) for p in flujo.pasos)
    lineas.append(f"    inicio --> {flujo.paso_inicial}")
    for paso in flujo.pasos:
        s = paso.siguiente
        if isinstance(s, str):
            lineas.append(f"    {paso.id} --> {s}")
        elif s:
            for rama in s:
                etiqueta = f'|"{_escapar(rama.si)}"|' if rama.si else ""
                lineas.append(f"    {paso.id} -->{etiqueta} {rama.ir}")
            if all(r.si is not None for r in s):
                lineas.append(f"    {paso.id} --> {flujo.de_abajo(paso.id)}")
        else:
            lineas.append(f"    {paso.id} --> {flujo.de_abajo(paso.id)}")
        if paso.condicion:
            lineas.append(f'    {paso.id} -.->|"se salta"| {flujo.de_abajo(paso.id)}')
        for objetivo in paso.corregir:
            lineas.append(f"    {paso.id} -.->|corregir| {objetivo}")
    return "\n".join(lineas).replace(f"--> {FIN}", "--> fin") + "\n"


def documento(flujo: Flujo) -> str:
    """El archivo Markdown completo con el diagrama."""
    return (
        f"# Flujo «{flujo.titulo}» (`{flujo.id}`)\n\n"
        "Generado con `hermanamientos flujos diagrama`; no lo edite a mano: edite "
        f"`flujos/{flujo.id}.yaml` y vuelva a generarlo.\n\n"
        f"{' '.join(flujo.descripcion.split())}\n\n"
        "```mermaid\n"
        f"{mermaid(flujo)}"
        "```\n"
    )


def escribir_diagramas(flujos: dict[str, Flujo], carpeta: Path) -> list[Path]:
    """Escribe un `<id>.md` por flujo; devuelve las rutas escritas."""
    carpeta.mkdir(parents=True, exist_ok=True)
    rutas = []
    for flujo in flujos.values():
        ruta = carpeta / f"{flujo.id}.md"
        ruta.write_text(documento(flujo), encoding="utf-8")
        rutas.append(ruta)
    return rutas
