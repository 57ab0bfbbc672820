"""Adaptadores de canal: traducen entre cada plataforma y los mensajes neutrales del motor."""
