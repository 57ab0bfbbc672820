"""Comprensión del lenguaje: cliente del servidor NLU de Rasa, respaldo y utilidades."""

from bot.nlu.analisis import Analisis, Entidad
from bot.nlu.cliente import ClienteNLU

__all__ = ["Analisis", "ClienteNLU", "Entidad"]
