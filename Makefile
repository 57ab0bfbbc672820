# Asistente de Ciudades Hermanas — órdenes principales.
#   make run    prepara todo (si hace falta) y arranca el asistente en http://127.0.0.1:8000
#   make test   prepara todo (si hace falta) y corre toda la batería de pruebas
#   make prueba-rapida  solo ruff y las pruebas unitarias (sin servidores ni PostgreSQL)
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
export RASA_TELEMETRY_ENABLED := false

# La capa rápida deja fuera las pruebas marcadas (pyproject.toml, [tool.pytest.ini_options]):
# `servidor` (arrancan la aplicación, un doble, Chromium u otro proceso), `postgres`, `nlu`
# y `lento` (más de ~1 s medido con --durations=0; la regla y las cifras, en pyproject.toml).
# Medido el 2026-12-03 en esta máquina (2 núcleos): la capa rápida, 383 pruebas, 36 s con
# todo (46-83 s con pruebas de otros a la vez); la batería completa, 554 pruebas, de 6 min en
# calma a 11 min con la máquina cargada.
RAPIDA := not lento and not nlu and not servidor and not postgres

.PHONY: setup run test prueba-rapida capturas modelo evaluar-nlu evaluar-conocimiento lint tipos diagramas limpiar

setup:
	@bash scripts/setup.sh

run: setup
	@$(BIN)/hermanamientos servir --bitacora WARNING

test: setup
	@bash scripts/pruebas.sh

prueba-rapida: setup
	@$(BIN)/ruff check bot tests benchmarks
	@$(BIN)/pytest -q -p no:cacheprovider -m "$(RAPIDA)"

# Rehace las capturas del README (docs/capturas/); en `make test` van a var/capturas/.
capturas: setup
	@CAPTURAS_EN_DOCS=1 $(BIN)/pytest -q -p no:cacheprovider -rs \
		tests/test_panel_navegador.py tests/test_chat_web.py

modelo:
	@bash scripts/modelo.sh

evaluar-nlu: setup
	@bash scripts/evaluar_nlu.sh

evaluar-conocimiento: setup
	@$(BIN)/hermanamientos conocimiento evaluar --escribir-benchmarks

lint: setup
	@$(BIN)/ruff check bot tests benchmarks
	@$(BIN)/mypy
	@$(BIN)/lint-imports --no-cache

diagramas: setup
	@$(BIN)/hermanamientos flujos diagrama

limpiar:
	rm -rf var/setup rasa_modelo/models rasa_modelo/resultados
