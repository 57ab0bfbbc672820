"""Convierte resultados de búsqueda en respuestas neutrales con plantillas Jinja2."""

from __future__ import annotations

import re
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.conocimiento.modelo import Articulo
from bot.nucleo.formato import fecha_larga
from bot.nucleo.mensajes import Boton, Respuesta

PLANTILLAS = Path(__file__).parent / "plantillas"
MAXIMO_CORTA = 700
AVISO_PRACTICA = (
    "Ojo: esto es práctica común, no una regla escrita en la ley. "
    "Le recomendamos confirmarlo con la oficina estatal de enlace."
)
_NEGRITA_DOBLE = re.compile(r"\*\*(.+?)\*\*")


def _marcado(texto: str) -> str:
    """Markdown del artículo → Markdown mínimo del motor (*negritas*)."""
    return _NEGRITA_DOBLE.sub(r"*\1*", texto)


_entorno = Environment(
    loader=FileSystemLoader(PLANTILLAS),
    autoescape=False,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=StrictUndefined,
)
_entorno.filters["marcado"] = _marcado
_entorno.filters["fecha"] = fecha_larga


def _plantilla(nombre: str, **contexto: object) -> str:
    return _entorno.get_template(nombre).render(**contexto).strip()


def botones_utilidad(articulo_id: str) -> list[Boton]:
    """Los botones «¿Le fue útil?» Sí / No de un artículo."""
    return [
        Boton("¿Le fue útil? Sí", f"/util {articulo_id} si"),
        Boton("No", f"/util {articulo_id} no"),
    ]


def texto_corto(articulo: Articulo) -> str:
    """El texto de la respuesta corta tal como se muestra en el chat."""
    return _plantilla(
        "respuesta.txt.j2",
        articulo=articulo,
        fuente=articulo.meta.fuentes[0],
        aviso_practica=AVISO_PRACTICA,
    )


def respuesta_corta(articulo: Articulo, canal_admite_enlaces: bool) -> Respuesta:
    """Respuesta corta con su fuente y los botones «Más detalle» y «¿Le fue útil?»."""
    botones = [Boton("Más detalle", f"/articulo_detalle {articulo.id}")]
    botones += botones_utilidad(articulo.id)
    enlace = articulo.meta.fuentes[0].url if canal_admite_enlaces else None
    return Respuesta(texto=texto_corto(articulo), botones=botones, enlace=enlace)


def respuesta_detalle(articulo: Articulo, canal_admite_enlaces: bool) -> Respuesta:
    """La sección «Más detalle» con todas las fuentes."""
    texto = _plantilla("detalle.txt.j2", articulo=articulo, enlaces=canal_admite_enlaces)
    enlace = articulo.meta.fuentes[0].url if canal_admite_enlaces else None
    botones = [*botones_utilidad(articulo.id), Boton("Menú", "/menu")]
    return Respuesta(texto=texto, botones=botones, enlace=enlace)


def respuesta_opciones(articulos: list[Articulo]) -> Respuesta:
    """Pregunta cuál de los artículos buscaba, con un botón por artículo."""
    botones = [Boton(a.titulo, f"/articulo {a.id}") for a in articulos]
    return Respuesta(texto=_plantilla("opciones.txt.j2"), botones=botones)


def respuesta_nada() -> Respuesta:
    """No hubo artículo adecuado: ofrece el menú o un asesor."""
    botones = [Boton("Menú", "/menu"), Boton("Hablar con un asesor", "/asesor")]
    return Respuesta(texto=_plantilla("nada.txt.j2"), botones=botones)
