"""Diagramas Mermaid de los flujos (flujos/diagramas/<id>.md)."""

from __future__ import annotations

import re
from pathlib import Path

from bot.flujos.definicion import FIN, Flujo, Paso

_FORMAS = {
    "mensaje": ('>"', '"]'),
    "confirmacion": ('{{"', '"}}'),
}


_BLOQUE = re.compile(r"\{%.*?%\}", re.S)
_VARIABLE = re.compile(r"\{\{\s*(.*?)\s*\}\}", re.S)


def _escapar(texto: str) -> str:
    """Texto seguro para una etiqueta Mermaid (sin marcas Jinja ni comillas)."""
    texto = _VARIABLE.sub(r"‹\1›", _BLOQUE.sub("", texto))
    return " ".join(texto.replace('"', "#quot;").split())[:90]


def _id(paso_id: str) -> str:
    return "FIN" if paso_id == FIN else paso_id


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


def _flecha(origen: str, destino: str, etiqueta: str = "", punteada: bool = False) -> str:
    flecha = "-.->" if punteada else "-->"
    texto = f'|"{_escapar(etiqueta)}"|' if etiqueta else ""
    return f"    {origen} {flecha}{texto} {_id(destino)}"


def mermaid(flujo: Flujo) -> str:
    """El diagrama `flowchart` de un flujo."""
    lineas = ["flowchart TD", "    INICIO((inicio))", "    FIN((fin))"]
    lineas.extend(_nodo(p) for p in flujo.pasos)
    lineas.append(_flecha("INICIO", flujo.paso_inicial))
    for paso in flujo.pasos:
        s = paso.siguiente
        abajo = flujo.de_abajo(paso.id)
        if isinstance(s, str):
            lineas.append(_flecha(paso.id, s))
        elif s:
            lineas.extend(_flecha(paso.id, rama.ir, rama.si or "") for rama in s)
            if all(r.si is not None for r in s):
                lineas.append(_flecha(paso.id, abajo))
        else:
            lineas.append(_flecha(paso.id, abajo))
        if paso.condicion:
            lineas.append(_flecha(paso.id, abajo, "se salta", punteada=True))
        lineas.extend(_flecha(paso.id, o, "corregir", punteada=True) for o in paso.corregir)
    return "\n".join(lineas) + "\n"


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
