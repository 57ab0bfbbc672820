"""Documentos: almacén de archivos recibidos y generación de la ficha y el oficio."""
