#!/usr/bin/env bash
# La batería completa: estilo (ruff), tipos (mypy) y pytest (que arranca y detiene por sí
# mismo los servidores que necesita: la aplicación, el NLU de Rasa, los dobles de Telegram
# y WhatsApp, Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false
BIN=.venv/bin

echo "[pruebas] ruff"
$BIN/ruff check bot tests benchmarks
echo "[pruebas] mypy"
$BIN/mypy
echo "[pruebas] pytest"
$BIN/pytest -q "$@"
