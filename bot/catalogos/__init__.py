"""Catálogo INEGI de estados y municipios: carga al almacén y búsqueda tolerante."""
