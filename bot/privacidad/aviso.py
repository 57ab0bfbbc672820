"""Avisos de privacidad simplificado e integral: plantillas editables con versión.

El texto general vive en `plantillas/` (Jinja2) y sus datos (responsable, versión) en
`plantillas/datos.yaml`. Si la oficina estatal guardó un aviso propio en
ConfiguracionEstado, ese texto reemplaza al general. El aviso propio es texto llano (no se
interpreta como plantilla); puede traer las dos versiones separadas por una línea `---`:
lo de arriba es el simplificado y lo de abajo el integral. Sin separador, el mismo texto
sirve para ambos.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import ajustes
from bot.db.modelos import ConfiguracionEstado, Estado

PLANTILLAS = Path(__file__).resolve().parent / "plantillas"
SEPARADOR = re.compile(r"^\s*-{3,}\s*$", re.MULTILINE)

Version = str
"""Versión de un aviso (p. ej. «2026-11» o «JAL-2026-01» para el aviso propio de un estado)."""


def _mayuscula_inicial(texto: str) -> str:
    return texto[:1].upper() + texto[1:]


@lru_cache
def _entorno() -> Environment:
    entorno = Environment(
        loader=FileSystemLoader(PLANTILLAS),
        autoescape=False,  # texto neutral: cada canal escapa al renderizar
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    entorno.filters["mayuscula_inicial"] = _mayuscula_inicial
    return entorno


@lru_cache
def datos_aviso() -> dict[str, Any]:
    """Los datos editables del aviso general (versión y responsable)."""
    datos = yaml.safe_load((PLANTILLAS / "datos.yaml").read_text(encoding="utf-8"))
    if not isinstance(datos, dict) or "version" not in datos or "responsable" not in datos:
        raise ValueError("plantillas/datos.yaml debe tener «version» y «responsable»")
    return datos


def version_general() -> Version:
    """La versión vigente del aviso general."""
    return str(datos_aviso()["version"])


def aviso_general(integral: bool, retencion_dias: int | None = None) -> tuple[str, Version]:
    """El aviso general (sin texto propio del estado) y su versión."""
    if retencion_dias is None:
        retencion_dias = ajustes().retencion_dias
    datos = datos_aviso()
    nombre = "aviso_integral" if integral else "aviso_simplificado"
    texto = _entorno().get_template(f"{nombre}.txt.j2").render(
        version=datos["version"], responsable=datos["responsable"],
        retencion_dias=retencion_dias,
    )
    return texto.strip(), version_general()


def partes_aviso_estado(texto: str) -> tuple[str, str]:
    """(simplificado, integral) de un aviso propio de un estado."""
    partes = SEPARADOR.split(texto, maxsplit=1)
    if len(partes) == 2 and partes[0].strip() and partes[1].strip():
        return partes[0].strip(), partes[1].strip()
    return texto.strip(), texto.strip()


async def aviso(
    sesion: AsyncSession, estado_id: int | None, integral: bool,
    retencion_dias: int | None = None,
) -> tuple[str, Version]:
    """El aviso (simplificado o integral) que corresponde al estado, y su versión.

    Usa el texto propio del estado si su ConfiguracionEstado lo tiene; si no, el general.
    La versión del aviso de un estado lleva su abreviatura delante (p. ej. «JAL-2026-01»).
    """
    if estado_id is not None:
        config = await sesion.get(ConfiguracionEstado, estado_id)
        if config is not None and config.aviso_privacidad and config.aviso_privacidad.strip():
            simplificado, completo = partes_aviso_estado(config.aviso_privacidad)
            estado = await sesion.get(Estado, estado_id)
            codigo = estado.abreviatura if estado is not None else str(estado_id)
            propia = config.version_aviso or f"{config.actualizado_en:%Y%m%d}"
            return (completo if integral else simplificado), f"{codigo}-{propia}"[:32]
    return aviso_general(integral, retencion_dias)
