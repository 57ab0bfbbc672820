"""Casos (expedientes de iniciativas): folio, estatus, eventos y consultas."""
