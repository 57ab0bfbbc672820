"""Textos del asistente: plantillas Jinja2 de bot/motor/plantillas (editables sin programar)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

DIRECTORIO = Path(__file__).resolve().parent / "plantillas"


@lru_cache
def _entorno() -> Environment:
    return Environment(
        loader=FileSystemLoader(DIRECTORIO),
        autoescape=False,  # texto neutral: cada canal escapa al renderizar
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


def texto(plantilla: str, **variables: Any) -> str:
    """Renderiza la plantilla `plantilla`.j2 con las variables dadas."""
    return _entorno().get_template(f"{plantilla}.j2").render(**variables).strip()
