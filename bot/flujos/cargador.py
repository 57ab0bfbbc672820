"""Carga los flujos de `flujos/*.yaml` con errores claros en español."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.flujos.definicion import Flujo

CARPETA_FLUJOS = Path(__file__).resolve().parents[2] / "flujos"

_MENSAJES = {
    "missing": "falta este dato",
    "extra_forbidden": "campo desconocido (¿está bien escrito?)",
    "string_type": "debe ser texto",
    "list_type": "debe ser una lista",
    "dict_type": "debe ser un diccionario (clave: valor)",
    "bool_parsing": "debe ser verdadero o falso (true/false)",
    "bool_type": "debe ser verdadero o falso (true/false)",
    "int_parsing": "debe ser un número entero",
    "float_parsing": "debe ser un número",
    "string_pattern_mismatch": "solo minúsculas, números y guion bajo (p. ej. fecha_cabildo)",
}


class ErrorFlujo(Exception):
    """Un archivo de flujo no se pudo leer o no es válido."""


def _ruta_legible(loc: tuple[int | str, ...], datos: dict[str, Any]) -> str:
    partes: list[str] = []
    pasos = datos.get("pasos") if isinstance(datos, dict) else None
    for i, parte in enumerate(loc):
        if (
            i > 0
            and loc[i - 1] == "pasos"
            and isinstance(parte, int)
            and isinstance(pasos, list)
            and parte < len(pasos)
            and isinstance(pasos[parte], dict)
        ):
            partes[-1] = f"paso «{pasos[parte].get('id', parte + 1)}»"
        elif isinstance(parte, int):
            partes.append(f"elemento {parte + 1}")
        elif parte not in ("str", "list[Rama]"):
            partes.append(str(parte))
    return " → ".join(partes) or "flujo"


def _explicar(e: ValidationError, datos: dict[str, Any]) -> str:
    lineas = []
    for err in e.errors():
        if err["type"] == "literal_error":
            esperado = err.get("ctx", {}).get("expected", "")
            mensaje = f"valor no permitido; use uno de: {esperado}"
        elif err["type"] == "value_error":
            mensaje = str(err.get("ctx", {}).get("error", err["msg"]))
        else:
            mensaje = _MENSAJES.get(err["type"], err["msg"])
        lineas.append(f"  - {_ruta_legible(tuple(err['loc']), datos)}: {mensaje}")
    return "\n".join(dict.fromkeys(lineas))


def cargar_flujo(ruta: Path) -> Flujo:
    """Lee y valida un archivo YAML de flujo."""
    try:
        datos = yaml.safe_load(ruta.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        marca = getattr(e, "problem_mark", None)
        donde = f" (línea {marca.line + 1}, columna {marca.column + 1})" if marca else ""
        raise ErrorFlujo(f"{ruta.name}: el YAML está mal escrito{donde}: {e}") from e
    except OSError as e:
        raise ErrorFlujo(f"{ruta.name}: no se pudo leer: {e}") from e
    if not isinstance(datos, dict):
        raise ErrorFlujo(f"{ruta.name}: el archivo debe empezar con «id:», «titulo:» y «pasos:»")
    try:
        flujo = Flujo.model_validate(datos)
    except ValidationError as e:
        raise ErrorFlujo(f"{ruta.name}: hay errores:\n{_explicar(e, datos)}") from e
    if flujo.id != ruta.stem:
        raise ErrorFlujo(f"{ruta.name}: el id «{flujo.id}» debe ser igual al nombre del archivo")
    return flujo


def cargar_flujos(carpeta: Path | None = None) -> dict[str, Flujo]:
    """Todos los flujos de la carpeta (`flujos/` por omisión), por id; junta todos los errores."""
    carpeta = carpeta or CARPETA_FLUJOS
    flujos: dict[str, Flujo] = {}
    errores: list[str] = []
    for ruta in sorted(carpeta.glob("*.yaml")):
        try:
            flujo = cargar_flujo(ruta)
        except ErrorFlujo as e:
            errores.append(str(e))
            continue
        flujos[flujo.id] = flujo
    if errores:
        raise ErrorFlujo("\n".join(errores))
    if not flujos:
        raise ErrorFlujo(f"no hay flujos (*.yaml) en {carpeta}")
    return flujos
