#!/usr/bin/env bash
# PostgreSQL de pruebas: lo instala de Debian si falta, crea un clúster desechable y lo
# arranca en un puerto local. Uso:  source scripts/postgres.sh iniciar  |  scripts/postgres.sh detener
# Al iniciar exporta TEST_POSTGRES_URL. Las pruebas corren con fsync=off (más rápido; el
# clúster es desechable); para medir como en producción (benchmarks), PG_PRUEBAS_FSYNC=on con
# otro PG_PRUEBAS_DIR y PG_PRUEBAS_PUERTO.
set -uo pipefail
DATOS="${PG_PRUEBAS_DIR:-/tmp/hermanamientos-pg-$(id -u)}"
PUERTO="${PG_PRUEBAS_PUERTO:-55439}"
FSYNC="${PG_PRUEBAS_FSYNC:-off}"

_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
_como_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_iniciar() {
  local bin
  bin=$(_bin)
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "[postgres] instalando PostgreSQL de Debian"
      apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null || true
      bin=$(_bin)
    fi
  fi
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "[postgres] AVISO: no hay PostgreSQL (apt-get install postgresql); se prueba solo con SQLite"
    return 0
  fi
  if [ ! -f "$DATOS/PG_VERSION" ]; then
    rm -rf "$DATOS"; mkdir -p "$DATOS"
    [ "$(id -u)" = 0 ] && chown postgres "$DATOS"
    _como_postgres "$bin/initdb" -D "$DATOS" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if ! _como_postgres "$bin/pg_ctl" -D "$DATOS" status >/dev/null 2>&1; then
    _como_postgres "$bin/pg_ctl" -D "$DATOS" -w -l "$DATOS/servidor.log" \
      -o "-p $PUERTO -k /tmp -c listen_addresses=127.0.0.1 -c fsync=$FSYNC -c max_connections=200" start >/dev/null
  fi
  "$bin/psql" -h 127.0.0.1 -p "$PUERTO" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='hermanamientos_pruebas'" | grep -q 1 \
    || "$bin/createdb" -h 127.0.0.1 -p "$PUERTO" -U postgres hermanamientos_pruebas
  export TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$PUERTO/hermanamientos_pruebas"
  echo "[postgres] listo en $TEST_POSTGRES_URL"
}

pg_detener() {
  local bin
  bin=$(_bin)
  [ -n "$bin" ] && [ -f "$DATOS/PG_VERSION" ] && _como_postgres "$bin/pg_ctl" -D "$DATOS" -m fast stop >/dev/null 2>&1 || true
}

case "${1:-}" in
  iniciar) pg_iniciar ;;
  detener) pg_detener ;;
esac
