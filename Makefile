# Asistente de Ciudades Hermanas — órdenes principales.
#   make run    prepara todo (si hace falta) y arranca el asistente en http://127.0.0.1:8000
#   make test   prepara todo (si hace falta) y corre toda la batería de pruebas
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
export RASA_TELEMETRY_ENABLED := false

.PHONY: setup run test modelo evaluar-nlu evaluar-conocimiento lint tipos diagramas limpiar

setup:
	@bash scripts/setup.sh

run: setup
	@$(BIN)/hermanamientos servir --bitacora WARNING

test: setup
	@bash scripts/pruebas.sh

modelo:
	@bash scripts/modelo.sh

evaluar-nlu: setup
	@bash scripts/evaluar_nlu.sh

evaluar-conocimiento: setup
	@$(BIN)/hermanamientos conocimiento evaluar --escribir-benchmarks

lint: setup
	@$(BIN)/ruff check bot tests benchmarks
	@$(BIN)/mypy

diagramas: setup
	@$(BIN)/hermanamientos flujos diagrama

limpiar:
	rm -rf var/setup rasa_modelo/models rasa_modelo/resultados
