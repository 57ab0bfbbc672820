"""Textos del traspaso: plantillas Jinja2 de bot/escalamiento/plantillas (editables sin
programar). Las `.txt.j2` son texto neutral; las `.html.j2` son HTML de Telegram (escapado)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

DIRECTORIO = Path(__file__).resolve().parent / "plantillas"


@lru_cache
def _entorno() -> Environment:
    return Environment(
        loader=FileSystemLoader(DIRECTORIO),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )


def texto(plantilla: str, **variables: Any) -> str:
    """Renderiza `plantilla` (con extensión) y recorta espacios."""
    return _entorno().get_template(plantilla).render(**variables).strip()
