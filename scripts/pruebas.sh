#!/usr/bin/env bash
# La batería completa: estilo (ruff), tipos (mypy) y pytest. PostgreSQL de pruebas se
# instala (Debian) y arranca aquí; lo demás que las pruebas necesitan (la aplicación, el NLU
# de Rasa, los dobles de Telegram y WhatsApp, Chromium) lo arranca y detiene cada prueba.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false
BIN=.venv/bin

source scripts/postgres.sh iniciar
trap 'bash scripts/postgres.sh detener' EXIT

echo "[pruebas] ruff"
$BIN/ruff check bot tests benchmarks
echo "[pruebas] mypy"
$BIN/mypy
echo "[pruebas] capas (import-linter)"
$BIN/lint-imports --no-cache >/dev/null || $BIN/lint-imports --no-cache
echo "[pruebas] pytest"
$BIN/pytest -q -p no:cacheprovider "$@"
