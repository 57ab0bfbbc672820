#!/usr/bin/env bash
# Entrena el modelo NLU de Rasa solo si cambiaron sus datos (config, dominio, data/**).
# Antes regenera las tablas de búsqueda (data/lookups/) desde el catálogo INEGI.
#   FORZAR=1 bash scripts/modelo.sh   entrena aunque nada haya cambiado
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false
M=rasa_modelo
ESTADO=var/setup
mkdir -p "$ESTADO"

info() { printf '\033[1;34m[modelo]\033[0m %s\n' "$*"; }
falla() { printf '\033[1;31m[modelo] %s\033[0m\n' "$*" >&2; exit 1; }

[ -x "$M/.venv/bin/rasa" ] || falla "Falta Rasa en $M/.venv; corra primero: make setup"
[ -x .venv/bin/python ] || falla "Falta el entorno de la aplicación (.venv); corra: make setup"

# 1. Tablas de búsqueda (solo reescribe los archivos que cambian).
.venv/bin/python -m bot.nlu.lookups >/dev/null

# 2. Huella de todo lo que entra al entrenamiento (contenido y nombres de archivo).
huella() {
  (cd "$M" && find config.yml domain.yml data -type f -name '*.yml' | LC_ALL=C sort \
    | while read -r f; do printf '%s\n' "$f"; sha256sum "$f"; done) | sha256sum | cut -c1-16
}
H=$(huella)
ULTIMO=$(ls -t "$M"/models/*.tar.gz 2>/dev/null | head -1 || true)
if [ -z "${FORZAR:-}" ] && [ -n "$ULTIMO" ] && [ "$(cat "$ESTADO/modelo" 2>/dev/null)" = "$H" ]; then
  info "Modelo NLU al día ($(basename "$ULTIMO"))"
  exit 0
fi

info "Entrenando el modelo NLU (unos 2-4 minutos en 2 núcleos; el avance se ve abajo)"
INICIO=$(date +%s)
set +o pipefail  # el filtro de avance no debe decidir el resultado: lo decide el archivo
(cd "$M" && .venv/bin/rasa train nlu --config config.yml --domain domain.yml --nlu data \
    --out models --fixed-model-name "nlu-$H" 2>&1) \
  | stdbuf -o0 tr '\r' '\n' \
  | awk '/Epochs:/ { printf "\r  %s", substr($0, 1, 110); fflush(); next }
         /Starting to train component|Your Rasa model|Error|error:/ {
           sub(/^.*INFO +[a-z._]+ +- /, ""); print "\n  " $0; fflush() }'
set -o pipefail
echo
[ -f "$M/models/nlu-$H.tar.gz" ] || falla "El entrenamiento no produjo $M/models/nlu-$H.tar.gz"
# Conserva solo el modelo nuevo.
find "$M/models" -name '*.tar.gz' ! -name "nlu-$H.tar.gz" -delete
echo "$H" > "$ESTADO/modelo"
echo "$(( $(date +%s) - INICIO ))" > "$ESTADO/modelo_segundos"
info "Modelo listo en $(( $(date +%s) - INICIO )) s: $M/models/nlu-$H.tar.gz"
