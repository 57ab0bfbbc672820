#!/usr/bin/env bash
# Prepara todo lo que el proyecto necesita, desde cero y de forma idempotente:
#   .venv              entorno de la aplicación (python3 >= 3.10 más nuevo de la máquina)
#   rasa_modelo/.venv  entorno de Rasa 3.6.21 (Python 3.10)
#   chromium           navegador de Debian para las pruebas del panel
#   modelo NLU         entrenado solo si cambiaron los datos (make modelo)
# Cada paso guarda una huella (hash de sus entradas) y se salta si no cambió.
set -euo pipefail
cd "$(dirname "$0")/.."
RAIZ=$(pwd)
ESTADO="$RAIZ/var/setup"
mkdir -p "$ESTADO"

info() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }
falla() { printf '\033[1;31m[setup] %s\033[0m\n' "$*" >&2; exit 1; }

huella() { cat "$@" 2>/dev/null | sha256sum | cut -c1-16; }

version_ok() {  # $1 = intérprete, $2 = mínimo "3.10", $3 = máximo opcional "3.10"
  "$1" - "$2" "${3:-}" <<'PY' 2>/dev/null
import sys
mn = tuple(int(x) for x in sys.argv[1].split("."))
mx = tuple(int(x) for x in sys.argv[2].split(".")) if sys.argv[2] else (99, 99)
sys.exit(0 if mn <= sys.version_info[:2] <= mx else 1)
PY
}

# pip de esta máquina avisa de índices locales inexistentes en cada paquete: se filtra ese
# ruido, sin perder el código de salida de pip. setuptools, al instalar el proyecto en modo
# editable, emite un aviso solo informativo («Editable installation.»: cuidado con carpetas
# que se llamen como el paquete) que pip muestra en ~10 líneas; se ignora solo ese mensaje.
# Los demás avisos de la construcción se ven (el de la licencia se corrigió en pyproject.toml).
pip_silencioso() {
  local salida codigo=0
  salida=$(PYTHONWARNINGS="ignore:Editable installation" "$@" 2>&1) || codigo=$?
  printf '%s\n' "$salida" | grep -v -e "is neither a file nor a directory" -e '^$' || true
  return "$codigo"
}

raiz_pyenv() { command -v pyenv >/dev/null 2>&1 && pyenv root 2>/dev/null || echo "$HOME/.pyenv"; }

# --- Python de la aplicación: python3 del PATH si es >= 3.10; si no, el más nuevo de pyenv.
buscar_python_app() {
  if [ -n "${PYTHON_APP:-}" ]; then echo "$PYTHON_APP"; return; fi
  local candidato
  for candidato in python3 python3.13 python3.12 python3.11 python3.10; do
    if command -v "$candidato" >/dev/null 2>&1 && version_ok "$candidato" 3.10; then
      command -v "$candidato"; return
    fi
  done
  for candidato in $(ls -d "$(raiz_pyenv)"/versions/3.1[0-9]* 2>/dev/null | sort -V -r); do
    if version_ok "$candidato/bin/python3" 3.10; then echo "$candidato/bin/python3"; return; fi
  done
  return 1
}

# --- Python 3.10 para Rasa: en el PATH (si funciona) o bajo pyenv.
buscar_python_rasa() {
  if [ -n "${PYTHON_RASA:-}" ]; then echo "$PYTHON_RASA"; return; fi
  if command -v python3.10 >/dev/null 2>&1 && version_ok python3.10 3.10 3.10; then
    command -v python3.10; return
  fi
  local candidato
  for candidato in $(ls -d "$(raiz_pyenv)"/versions/3.10.* 2>/dev/null | sort -V -r); do
    if version_ok "$candidato/bin/python3.10" 3.10 3.10; then echo "$candidato/bin/python3.10"; return; fi
  done
  return 1
}

# 1. Entorno de la aplicación
H_APP=$(huella pyproject.toml requirements.lock)
if [ ! -x .venv/bin/hermanamientos ] || [ "$(cat "$ESTADO/app" 2>/dev/null)" != "$H_APP" ]; then
  PY=$(buscar_python_app) || falla "No se encontró Python >= 3.10. Instale python3.11 (apt-get install python3 python3-venv) o una versión con pyenv."
  info "Entorno de la aplicación con $($PY --version) en .venv"
  [ -x .venv/bin/python ] || "$PY" -m venv .venv
  pip_silencioso .venv/bin/python -m pip install -q --upgrade pip
  pip_silencioso .venv/bin/python -m pip install -q -c requirements.lock -e '.[dev]'
  echo "$H_APP" > "$ESTADO/app"
else
  info "Entorno de la aplicación al día"
fi

# 2. Entorno de Rasa
H_RASA=$(huella rasa_modelo/requirements.txt rasa_modelo/constraints.txt)
if [ ! -x rasa_modelo/.venv/bin/rasa ] || [ "$(cat "$ESTADO/rasa" 2>/dev/null)" != "$H_RASA" ]; then
  PY10=$(buscar_python_rasa) || falla "Rasa 3.6 necesita Python 3.10 y no se encontró. Instálelo (por ejemplo: pyenv install 3.10.13, o apt-get install python3.10 python3.10-venv) o indique su ruta en PYTHON_RASA."
  info "Entorno de Rasa 3.6.21 con $($PY10 --version) en rasa_modelo/.venv (unos 90 s la primera vez)"
  [ -x rasa_modelo/.venv/bin/python ] || "$PY10" -m venv rasa_modelo/.venv
  pip_silencioso rasa_modelo/.venv/bin/python -m pip install -q --upgrade "pip<25"
  pip_silencioso rasa_modelo/.venv/bin/python -m pip install -q -r rasa_modelo/requirements.txt \
    -c rasa_modelo/constraints.txt
  echo "$H_RASA" > "$ESTADO/rasa"
else
  info "Entorno de Rasa al día"
fi

# 3. Chromium de Debian (pruebas del panel con Playwright)
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    info "Instalando chromium de Debian para las pruebas del panel"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    info "AVISO: falta /usr/bin/chromium (apt-get install chromium); las pruebas del panel se omitirán"
  fi
fi

# 4. Modelo NLU (solo si cambiaron los datos de entrenamiento)
if [ -f rasa_modelo/config.yml ]; then
  bash scripts/modelo.sh
fi
info "Listo"
