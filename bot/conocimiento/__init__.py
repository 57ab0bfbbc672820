"""Base de conocimiento: artículos con fuente, búsqueda por intent y BM25, y respuestas."""

from bot.conocimiento.base import (
    ArticuloPuntuado,
    BaseConocimiento,
    Decision,
    ResultadoBusqueda,
)
from bot.conocimiento.modelo import INTENTS_INFORMATIVOS, INTENTS_NLU, Articulo, FrontMatter

__all__ = [
    "INTENTS_INFORMATIVOS",
    "INTENTS_NLU",
    "Articulo",
    "ArticuloPuntuado",
    "BaseConocimiento",
    "Decision",
    "FrontMatter",
    "ResultadoBusqueda",
]
