"""Piezas comunes de los benchmarks: percentiles, memoria de procesos, carga del sistema,
puertos libres, bases temporales y los procesos que se arrancan (app, NLU, doble).

Los benchmarks se corren como scripts desde la raíz del proyecto:
`.venv/bin/python -m benchmarks.<nombre>` (vea benchmarks/LEAME.md).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bot.config import RAIZ

RASA = RAIZ / "rasa_modelo" / ".venv" / "bin" / "rasa"
DIR_TESTS = RAIZ / "tests"


def percentil(datos: list[float], p: float) -> float:
    """Percentil por rango más cercano (0 si no hay datos)."""
    if not datos:
        return 0.0
    ordenados = sorted(datos)
    k = max(0, min(len(ordenados) - 1, round(p / 100 * len(ordenados) + 0.5) - 1))
    return ordenados[k]


def carga_sistema() -> str:
    """Promedios de carga de 1, 5 y 15 minutos (como `uptime`)."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


PULSO_VUELTAS = 1_000_000


def pulso_cpu() -> float:
    """Milisegundos de CPU que tarda una cuenta fija de Python (mediana de 3). En esta
    máquina virtual la misma cuenta tarda hasta ~60 % más según el momento: el pulso dice
    si una corrida cayó en una CPU lenta."""
    tiempos = []
    for _ in range(3):
        inicio = time.process_time()
        sum(i * i for i in range(PULSO_VUELTAS))
        tiempos.append(time.process_time() - inicio)
    return 1000 * statistics.median(tiempos)


def puerto_libre() -> int:
    """Un puerto TCP libre en 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _hijos() -> dict[int, list[int]]:
    hijos: dict[int, list[int]] = {}
    for entrada in Path("/proc").iterdir():
        if not entrada.name.isdigit():
            continue
        try:
            campos = (entrada / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        hijos.setdefault(int(campos[1]), []).append(int(entrada.name))
    return hijos


def arbol(pid: int) -> list[int]:
    """El proceso y todos sus descendientes."""
    hijos = _hijos()
    pendientes, vistos = [pid], []
    while pendientes:
        actual = pendientes.pop()
        vistos.append(actual)
        pendientes.extend(hijos.get(actual, []))
    return vistos


def rss_mib(pid: int) -> float:
    """Memoria residente (VmRSS de /proc/<pid>/status) del proceso y sus hijos, en MiB."""
    total = 0
    for p in arbol(pid):
        with contextlib.suppress(OSError, ValueError, IndexError):
            for linea in Path(f"/proc/{p}/status").read_text().splitlines():
                if linea.startswith("VmRSS:"):
                    total += int(linea.split()[1])
                    break
    return total / 1024


def cpu_s(pid: int) -> float:
    """Segundos de CPU (usuario + sistema) del proceso y sus hijos vivos."""
    total = 0
    for p in arbol(pid):
        with contextlib.suppress(OSError, ValueError, IndexError):
            campos = Path(f"/proc/{p}/stat").read_text().rpartition(")")[2].split()
            total += int(campos[11]) + int(campos[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def cpu_sistema_s() -> float:
    """Segundos de CPU ocupada de toda la máquina (todos los núcleos) desde el arranque."""
    campos = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    inactivo = campos[3] + campos[4]  # idle + iowait
    return (sum(campos[:8]) - inactivo) / os.sysconf("SC_CLK_TCK")


def cpu_de_s(nombre: str) -> float:
    """Segundos de CPU de todos los procesos vivos con ese nombre (p. ej. «postgres»)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            texto = stat.read_text()
            if texto[texto.index("(") + 1:texto.rindex(")")] != nombre:
                continue
            campos = texto.rpartition(")")[2].split()
            total += int(campos[11]) + int(campos[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


@dataclass
class FotoCpu:
    """CPU acumulada de la app, del generador de carga, de PostgreSQL y de toda la máquina en
    un instante."""

    app: float
    generador: float
    sistema: float
    postgres: float = 0.0

    @classmethod
    def tomar(cls, pid_app: int) -> FotoCpu:
        return cls(cpu_s(pid_app), time.process_time(), cpu_sistema_s(), cpu_de_s("postgres"))


@dataclass
class Memoria:
    """Muestras de RSS de un proceso (con sus hijos)."""

    pid: int
    muestras: list[float] = field(default_factory=list)

    def medir(self) -> None:
        self.muestras.append(rss_mib(self.pid))

    @property
    def maxima(self) -> float:
        return max(self.muestras, default=0.0)

    @property
    def final(self) -> float:
        return self.muestras[-1] if self.muestras else 0.0


def esperar_http(url: str, proceso: subprocess.Popen[bytes], limite_s: float,
                 bitacora: Path, params: dict[str, str] | None = None) -> None:
    """Espera a que `url` responda 200; falla si el proceso muere o se acaba el tiempo."""
    fin = time.monotonic() + limite_s
    while time.monotonic() < fin:
        if proceso.poll() is not None:
            raise RuntimeError(f"el proceso terminó: {bitacora.read_text()[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, params=params, timeout=2).status_code == 200:
                return
        time.sleep(0.3)
    raise RuntimeError(f"{url} no respondió en {limite_s:.0f} s; vea {bitacora}")


class Proceso:
    """Un proceso hijo en su propio grupo, con bitácora, que se detiene con SIGTERM."""

    def __init__(self, orden: list[str], entorno: dict[str, str], bitacora: Path,
                 cwd: Path = RAIZ) -> None:
        self.bitacora = bitacora
        self._salida = bitacora.open("ab")
        self.popen = subprocess.Popen(  # noqa: S603 - orden fija, sin shell
            orden, cwd=cwd, env=entorno, stdout=self._salida, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def detener(self) -> None:
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()
        self._salida.close()


def entorno_rasa() -> dict[str, str]:
    """Entorno para los procesos de Rasa (sin telemetría)."""
    return {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}


def iniciar_nlu(directorio: Path, modelo: Path | None = None) -> tuple[Proceso, str, str]:
    """Nuestro servidor NLU (`rasa run --enable-api`) en un puerto libre, con token propio.

    Devuelve el proceso, su URL y el token. No toca var/nlu.pid (no es el del asistente).
    """
    from bot.nlu.servidor import modelo_actual

    modelo = modelo or modelo_actual()
    if modelo is None:
        raise RuntimeError("No hay modelo NLU entrenado; corra: bash scripts/modelo.sh")
    puerto, token = puerto_libre(), secrets.token_urlsafe(16)
    url = f"http://127.0.0.1:{puerto}"
    proceso = Proceso(
        [str(RASA), "run", "--enable-api", "-m", str(modelo), "-i", "127.0.0.1",
         "-p", str(puerto), "--auth-token", token],
        entorno_rasa(), directorio / "nlu.log", cwd=RAIZ / "rasa_modelo",
    )
    try:
        esperar_http(f"{url}/status", proceso.popen, 240, proceso.bitacora, {"token": token})
        httpx.post(f"{url}/model/parse", params={"token": token}, json={"text": "hola"},
                   timeout=30)
    except Exception:
        proceso.detener()
        raise
    return proceso, url, token


def iniciar_app(directorio: Path, database_url: str, nlu_url: str = "http://127.0.0.1:9",
                nlu_token: str = "sin-nlu", workers: int = 1,
                extra: dict[str, str] | None = None) -> tuple[Proceso, str]:
    """`hermanamientos servir --sin-nlu` en un puerto libre (el NLU, si hay, ya corre aparte).

    Sin NLU, NLU_URL apunta a un puerto cerrado y el motor usa su respaldo por palabras clave.
    """
    puerto = puerto_libre()
    entorno = {
        **os.environ, "DATABASE_URL": database_url, "DOCUMENTOS_DIR": str(directorio / "docs"),
        "NLU_URL": nlu_url, "NLU_TOKEN": nlu_token, "TELEGRAM_TOKEN": "",
        "WHATSAPP_TOKEN": "", "PANEL_SECRETO": secrets.token_urlsafe(24),
        # Sin caché de análisis: cada texto libre va al NLU (el peor caso; los usuarios simulados
        # repiten los mismos textos y la caché los contestaría casi todos).
        "NLU_CACHE": "0",
        # Sin límites de ritmo: la carga sale de una sola IP con muchos remitentes nuevos.
        "LIMITE_MENSAJES_POR_MINUTO": "0", "LIMITE_REMITENTES_NUEVOS_POR_HORA": "0",
        **(extra or {}),
    }
    orden = [sys.executable, "-m", "bot.cli", "servir", "--sin-nlu", "--port", str(puerto),
             "--workers", str(workers)]
    proceso = Proceso(orden, entorno, directorio / "app.log")
    url = f"http://127.0.0.1:{puerto}"
    try:
        esperar_http(f"{url}/salud", proceso.popen, 120, proceso.bitacora)
    except Exception:
        proceso.detener()
        raise
    return proceso, url


def url_pg_nueva(nombre: str) -> str | None:
    """Una base PostgreSQL vacía `nombre` (recreada) en TEST_POSTGRES_URL, o None si no hay."""
    admin = os.environ.get("TEST_POSTGRES_URL")
    if not admin:
        return None
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from bot.db.sesion import url_sincrona

    motor = create_engine(url_sincrona(admin), isolation_level="AUTOCOMMIT")
    try:
        with motor.connect() as c:
            c.exec_driver_sql(f"DROP DATABASE IF EXISTS {nombre} WITH (FORCE)")
            c.exec_driver_sql(f"CREATE DATABASE {nombre}")
    finally:
        motor.dispose()
    return make_url(admin).set(database=nombre).render_as_string(hide_password=False)


def durabilidad_pg() -> str | None:
    """«fsync=on, synchronous_commit=on, autovacuum_naptime=1min» del PostgreSQL de
    TEST_POSTGRES_URL (o None)."""
    admin = os.environ.get("TEST_POSTGRES_URL")
    if not admin:
        return None
    from sqlalchemy import create_engine, text

    from bot.db.sesion import url_sincrona

    motor = create_engine(url_sincrona(admin))
    try:
        with motor.connect() as c:
            return ", ".join(f"{g}={c.execute(text(f'SHOW {g}')).scalar()}"
                             for g in ("fsync", "synchronous_commit", "autovacuum_naptime"))
    finally:
        motor.dispose()


def paginas_pg(url: str) -> int:
    """Páginas que han leído las consultas de la base de `url` (en caché o del disco), según
    `pg_stat_database`; la diferencia entre dos lecturas dice cuánto trabajó PostgreSQL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    from bot.db.sesion import url_sincrona

    motor = create_engine(url_sincrona(url), poolclass=NullPool)
    try:
        with motor.connect() as c:
            return int(c.execute(text(
                "SELECT blks_hit + blks_read FROM pg_stat_database "
                "WHERE datname = current_database()")).scalar() or 0)
    finally:
        motor.dispose()


HISTORIA_CONVERSACIONES = 2000
"""Conversaciones anteriores con que empieza la base de una corrida con PostgreSQL."""
HISTORIA_MENSAJES = 40
"""Mensajes (la mitad entradas, la mitad respuestas) de cada conversación anterior."""

_SIEMBRA = [
    """INSERT INTO usuario (canal, id_externo, bloqueo_canal, creado_en)
       SELECT :canal, 'historia-' || g, false, now() - interval '30 days'
       FROM generate_series(1, :conversaciones) g""",
    """INSERT INTO conversacion (usuario_id, modo, respuestas, historial, fallos_paso,
                                fallos_nlu, contexto, ultima_actividad)
       SELECT id, 'bot', '{}', '[]', 0, 0, '{}', now() - interval '30 days' FROM usuario
       WHERE id_externo LIKE 'historia-%'""",
    # Como llegan: intercaladas entre conversaciones, ya procesadas y ya entregadas.
    """INSERT INTO mensaje (conversacion_id, direccion, autor, tipo, canal, id_externo, texto,
                           creado_en, procesado_en, envio)
       SELECT c.id, CASE WHEN g % 2 = 0 THEN 'entrada' ELSE 'salida' END,
              CASE WHEN g % 2 = 0 THEN 'usuario' ELSE 'bot' END, 'texto', :canal,
              CASE WHEN g % 2 = 0 THEN 'historia-' || c.id || '-' || g END,
              'Mensaje de una conversación anterior', now() - interval '30 days',
              now() - interval '30 days', CASE WHEN g % 2 = 1 THEN :entregado END
       FROM generate_series(1, :mensajes) g CROSS JOIN conversacion c ORDER BY g, c.id""",
]


def sembrar_historia(url: str, canal: str) -> int:
    """Deja en la base de la corrida las conversaciones de antes, como una base en uso, y la
    analiza (lo que el autovacuum ya habría hecho). Sin esto se mediría el primer minuto de
    una base recién creada: PostgreSQL guarda planes hechos con las tablas casi vacías hasta
    su primer análisis automático, hasta 60 s después. Devuelve los mensajes sembrados."""
    from sqlalchemy import create_engine, text

    from bot.db.sesion import url_sincrona

    valores = {"canal": canal, "conversaciones": HISTORIA_CONVERSACIONES,
               "mensajes": HISTORIA_MENSAJES,
               "entregado": "en_respuesta" if canal == "rest" else "enviado"}
    motor = create_engine(url_sincrona(url))
    try:
        with motor.begin() as c:
            for sentencia in _SIEMBRA:
                c.execute(text(sentencia), valores)
        with motor.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("VACUUM ANALYZE usuario, conversacion, mensaje"))
            return int(c.execute(text("SELECT count(*) FROM mensaje")).scalar_one())
    finally:
        motor.dispose()


def borrar_pg(nombre: str) -> None:
    """Borra la base `nombre` creada por `url_pg_nueva`."""
    admin = os.environ.get("TEST_POSTGRES_URL")
    if not admin:
        return
    from sqlalchemy import create_engine

    from bot.db.sesion import url_sincrona

    motor = create_engine(url_sincrona(admin), isolation_level="AUTOCOMMIT")
    try:
        with motor.connect() as c:
            c.exec_driver_sql(f"DROP DATABASE IF EXISTS {nombre} WITH (FORCE)")
    finally:
        motor.dispose()
