"""Efectos que piden los flujos (guardar perfil, crear caso…), ejecutados por el motor."""
