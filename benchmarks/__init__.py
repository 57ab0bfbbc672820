"""Benchmarks del asistente (scripts; los resultados van a BENCHMARKS.md)."""
