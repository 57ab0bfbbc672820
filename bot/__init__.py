"""Asistente del Programa Mexicano de Ciudades Hermanas."""

__version__ = "0.1.0"
