#!/usr/bin/env bash
# Evalúa el modelo NLU: conjunto reservado, validación cruzada de 5 pliegues y latencia HTTP.
# Informes en rasa_modelo/resultados/ (no versionado); resumen en BENCHMARKS.md.
#   PLIEGUES=0 bash scripts/evaluar_nlu.sh   se salta la validación cruzada (5 entrenamientos)
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false
M=rasa_modelo
R=$M/resultados
PLIEGUES=${PLIEGUES:-5}
info() { printf '\033[1;34m[evaluar-nlu]\033[0m %s\n' "$*"; }

bash scripts/modelo.sh
MODELO=$(ls -t "$M"/models/*.tar.gz | head -1)
rm -rf "$R" && mkdir -p "$R"

filtro() { grep -v -E 'Warning|warn|declare_namespace|pkg_resources|import |^\s*$|Base: Decl' || true; }

info "Conjunto reservado (tests/prueba_nlu.yml) con $(basename "$MODELO")"
(cd "$M" && .venv/bin/rasa test nlu --nlu tests/prueba_nlu.yml -m "../$MODELO" \
  --out resultados/reservado 2>&1) | filtro | grep -i -E ' accuracy| f1-score|error' || true

if [ "$PLIEGUES" -gt 1 ]; then
  info "Validación cruzada de $PLIEGUES pliegues sobre data/ (entrena $PLIEGUES modelos; varios minutos)"
  (cd "$M" && .venv/bin/rasa test nlu --nlu data --config config.yml --cross-validation \
    --folds "$PLIEGUES" --out resultados/validacion_cruzada 2>&1) \
    | filtro | grep -i -E 'test (accuracy|f1)|error' | tail -8 || true
fi

info "Latencia de POST /model/parse por HTTP"
ARRANCADO=0
if ! .venv/bin/python -c "from bot.nlu import servidor; raise SystemExit(0 if servidor.estado().responde else 1)"; then
  .venv/bin/python -c "from bot.nlu import servidor; servidor.iniciar()"
  ARRANCADO=1
fi
.venv/bin/python benchmarks/nlu_latencia.py --n 300 --json > "$R/latencia.json" || true
[ "$ARRANCADO" = 1 ] && .venv/bin/python -c "from bot.nlu import servidor; servidor.detener()"

info "Resumen en BENCHMARKS.md"
.venv/bin/python - "$R" "$PLIEGUES" <<'PY'
import json, sys
from pathlib import Path
from bot.benchmarks_md import escribir_seccion
from benchmarks.nlu_latencia import tabla

r, pliegues = Path(sys.argv[1]), int(sys.argv[2])

def leer(ruta: Path) -> dict:
    return json.loads(ruta.read_text()) if ruta.exists() else {}

def fila(nombre: str, carpeta: Path) -> str:
    intents = leer(carpeta / "intent_report.json")
    ent = leer(carpeta / "RegexEntityExtractor_report.json")
    f1 = lambda d, k: f"{d[k]['f1-score']:.3f}" if k in d else "-"
    exact = f"{intents['accuracy']:.3f}" if "accuracy" in intents else "-"
    return (f"| {nombre} | {exact} | {f1(intents, 'macro avg')} | {f1(ent, 'estado')} "
            f"| {f1(ent, 'municipio')} | {f1(ent, 'pais')} | {f1(ent, 'micro avg')} |")

seg = Path("var/setup/modelo_segundos")
lineas = [
    "Modelo: `rasa_modelo/config.yml` (DIET + tablas/regex). Metas: exactitud y macro-F1 ≥ 0.95,",
    "F1 de entidades ≥ 0.95 (estado, municipio, país), p95 ≤ 25 ms con 1 cliente,",
    "entrenamiento desde cero ≤ 5 min.",
    "",
    "| Conjunto | Exactitud | Macro-F1 intención | F1 estado | F1 municipio | F1 país | F1 entidades (micro) |",
    "|---|---|---|---|---|---|---|",
    fila("Reservado (`rasa_modelo/tests/`)", r / "reservado"),
]
if pliegues > 1:
    lineas.append(fila(f"Validación cruzada, {pliegues} pliegues", r / "validacion_cruzada"))
if seg.exists():
    lineas += ["", f"Entrenamiento desde cero (`make modelo`): {seg.read_text().strip()} s."]
lat = leer(r / "latencia.json")
if lat:
    lineas += ["", "Latencia de `POST /model/parse` por HTTP (servidor Rasa local):", "", tabla(lat)]
lineas += ["", "Informes completos y matriz de confusión: `rasa_modelo/resultados/` (no versionado)."]
escribir_seccion("nlu", "Comprensión del lenguaje (NLU)", "\n".join(lineas))
print("\n".join(lineas))
PY
