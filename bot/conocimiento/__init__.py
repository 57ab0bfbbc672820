"""Base de conocimiento: unidades de respuesta, artículos, fuentes y datos (hermanamientos y
cargos); búsqueda y respuestas."""

from bot.conocimiento.base import (
    ArticuloPuntuado,
    BaseConocimiento,
    Decision,
    ResultadoBusqueda,
)
from bot.conocimiento.hechos import Hechos, Hermanamiento, hechos_conocidos
from bot.conocimiento.modelo import INTENTS_INFORMATIVOS, INTENTS_NLU, Articulo, FrontMatter

__all__ = [
    "INTENTS_INFORMATIVOS",
    "INTENTS_NLU",
    "Articulo",
    "ArticuloPuntuado",
    "BaseConocimiento",
    "Decision",
    "FrontMatter",
    "Hechos",
    "Hermanamiento",
    "ResultadoBusqueda",
    "hechos_conocidos",
]
