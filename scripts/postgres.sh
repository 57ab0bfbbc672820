#!/usr/bin/env bash
# PostgreSQL de pruebas: lo instala de Debian si falta, crea un clúster desechable y lo
# arranca en un puerto local. Uso:  source scripts/postgres.sh iniciar  |  scripts/postgres.sh detener
# Al iniciar exporta TEST_POSTGRES_URL.
#
# Cada clon tiene el suyo, así dos clones en la misma máquina no se pisan: los datos viven en
# var/pg-pruebas y el puerto se elige libre al arrancar y se recuerda en var/pg-pruebas.puerto
# (el mismo la próxima vez, si sigue libre); `detener` para el clúster de ese directorio.
# Como root, el clúster corre como el usuario postgres (runuser), que tiene que poder llegar
# hasta var/. Si no puede (p. ej. el clon vive en un home con permisos 700), no se le abren
# permisos a nadie: los datos van a /tmp/hermanamientos-pg-<huella de la ruta del clon>.
# El socket Unix va a /tmp (-k /tmp: ruta corta; el puerto propio lo hace único).
#
# Las pruebas corren con fsync=off (más rápido; el clúster es desechable); para medir como en
# producción (benchmarks), PG_PRUEBAS_FSYNC=on con otro PG_PRUEBAS_DIR y PG_PRUEBAS_PUERTO
# (directorio y puerto fijos; el puerto dado no se cambia).
set -uo pipefail
RAIZ_PG="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FSYNC="${PG_PRUEBAS_FSYNC:-off}"

_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
_como_postgres() {  # desde / : postgres quizá no puede entrar al directorio actual
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

# Directorio de datos: PG_PRUEBAS_DIR; si no, el clúster que este clon ya tenga; si no,
# var/pg-pruebas, o /tmp/… si el usuario postgres no puede llegar a var/.
_dir_datos() {
  if [ -n "${PG_PRUEBAS_DIR:-}" ]; then
    case "$PG_PRUEBAS_DIR" in /*) echo "$PG_PRUEBAS_DIR" ;; *) echo "$PWD/$PG_PRUEBAS_DIR" ;; esac
    return
  fi
  local propio="$RAIZ_PG/var/pg-pruebas"
  local en_tmp
  en_tmp="/tmp/hermanamientos-pg-$(printf '%s' "$RAIZ_PG" | sha256sum | cut -c1-12)"
  if [ -f "$propio/PG_VERSION" ]; then echo "$propio"; return; fi
  if [ -f "$en_tmp/PG_VERSION" ]; then echo "$en_tmp"; return; fi
  mkdir -p "$RAIZ_PG/var"
  if [ "$(id -u)" != 0 ] || runuser -u postgres -- test -x "$RAIZ_PG/var" 2>/dev/null; then
    echo "$propio"
  else
    echo "$en_tmp"
  fi
}

# Un puerto TCP libre en 127.0.0.1: el recordado ($1) si sigue libre; si no, uno nuevo.
_puerto_libre() {
  python3 - "${1:-}" <<'PY'
import socket
import sys

def libre(puerto: int) -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", puerto))
        return int(s.getsockname()[1])

try:
    print(libre(int(sys.argv[1])))
except (ValueError, OSError):
    print(libre(0))
PY
}

pg_iniciar() {
  local bin datos archivo_puerto puerto intento
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
  datos=$(_dir_datos)
  archivo_puerto="${datos%/}.puerto"
  if [ ! -f "$datos/PG_VERSION" ]; then
    rm -rf "$datos"; mkdir -p "$datos"
    [ "$(id -u)" = 0 ] && chown postgres "$datos"
    _como_postgres "$bin/initdb" -D "$datos" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if _como_postgres "$bin/pg_ctl" -D "$datos" status >/dev/null 2>&1; then
    puerto=$(sed -n 4p "$datos/postmaster.pid")  # el del clúster que ya corre
  else
    for intento in 1 2 3; do  # otro proceso puede tomar el puerto elegido antes que PostgreSQL
      puerto="${PG_PRUEBAS_PUERTO:-$(_puerto_libre "$(cat "$archivo_puerto" 2>/dev/null)")}"
      if _como_postgres "$bin/pg_ctl" -D "$datos" -w -l "$datos/servidor.log" \
          -o "-p $puerto -k /tmp -c listen_addresses=127.0.0.1 -c fsync=$FSYNC -c max_connections=200" \
          start >/dev/null; then
        break
      fi
      if [ -n "${PG_PRUEBAS_PUERTO:-}" ] || [ "$intento" = 3 ]; then
        echo "[postgres] no arrancó en el puerto $puerto; vea $datos/servidor.log" >&2
        return 1
      fi
      rm -f "$archivo_puerto"
    done
  fi
  echo "$puerto" > "$archivo_puerto"
  "$bin/psql" -h 127.0.0.1 -p "$puerto" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='hermanamientos_pruebas'" | grep -q 1 \
    || "$bin/createdb" -h 127.0.0.1 -p "$puerto" -U postgres hermanamientos_pruebas
  export TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$puerto/hermanamientos_pruebas"
  echo "[postgres] listo en $TEST_POSTGRES_URL ($datos)"
}

pg_detener() {
  local bin datos
  bin=$(_bin)
  datos=$(_dir_datos)
  [ -n "$bin" ] && [ -f "$datos/PG_VERSION" ] && _como_postgres "$bin/pg_ctl" -D "$datos" -m fast stop >/dev/null 2>&1 || true
}

case "${1:-}" in
  iniciar) pg_iniciar ;;
  detener) pg_detener ;;
esac
