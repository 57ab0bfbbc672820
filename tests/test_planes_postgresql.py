"""Las consultas de cada mensaje leen pocas páginas aunque las estadísticas sean viejas.

En una base nueva que recibe muchos mensajes, PostgreSQL planea con estadísticas tomadas
cuando `mensaje` era mucho más chica, o sin ninguna. Así, en los benchmarks, «¿queda algo sin
procesar?» llegó a recorrer la llave primaria entera o la tabla (2.5 ms y ~240 páginas por
mensaje, en vez de ~0.1 ms) y «¿algo espera salir?» a leer la bandeja entera en una tabla hash
(~3000 páginas). Aquí se reproduce: la tabla se analiza nunca, con una conversación o con 40,
crece a 400 conversaciones y 20 000 mensajes sin volver a analizar, y cada consulta de la ruta
caliente debe leer unas pocas páginas. Las salidas quedan por enviar (Telegram caído: la
bandeja llena), el peor caso para la pregunta por la bandeja.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql import Executable

from bot.db.sesion import url_sincrona
from bot.motor.bandeja import _USUARIO_CONVERSACION_Y_PENDIENTES
from bot.motor.motor import _ALGUNO_ANTERIOR, _PRIMER_PENDIENTE

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not os.environ.get("TEST_POSTGRES_URL"), reason="sin TEST_POSTGRES_URL"),
]

_SERIE = "generate_series(CAST(:desde AS integer), CAST(:hasta AS integer))"
_CONVERSACIONES = f"""
INSERT INTO usuario (canal, id_externo, bloqueo_canal, creado_en)
  SELECT 'telegram', 'u' || g, false, now() FROM {_SERIE} g;
INSERT INTO conversacion (usuario_id, modo, respuestas, historial, fallos_paso, fallos_nlu,
                          contexto, ultima_actividad)
  SELECT id, 'bot', '{{}}', '[]', 0, 0, '{{}}', now() FROM usuario
  WHERE id_externo IN (SELECT 'u' || g FROM {_SERIE} g);
"""
# Entradas ya procesadas y salidas por enviar, intercaladas entre conversaciones como llegan.
_MENSAJES = f"""
INSERT INTO mensaje (conversacion_id, direccion, autor, tipo, canal, id_externo, texto,
                     creado_en, procesado_en, envio)
  SELECT c.id, CASE WHEN g % 2 = 0 THEN 'entrada' ELSE 'salida' END,
         CASE WHEN g % 2 = 0 THEN 'usuario' ELSE 'bot' END, 'texto', 'telegram',
         CASE WHEN g % 2 = 0 THEN 'm' || c.id || '-' || g END, repeat('texto ', 20), now(),
         CASE WHEN g % 2 = 0 THEN now() END, NULL
  FROM generate_series(1, 50) g
  JOIN conversacion c ON c.usuario_id IN (
    SELECT id FROM usuario WHERE id_externo IN (
      SELECT 'u' || n FROM {_SERIE} n))
  ORDER BY g, c.id;
"""


def _correr(motor: Engine, sql: str, **parametros: int) -> None:
    with motor.begin() as c:
        for sentencia in filter(str.strip, sql.split(";")):
            c.execute(text(sentencia), parametros)


@pytest.fixture(scope="module", params=[0, 1, 40], ids=lambda n: f"analizada_con_{n}")
def base_con_estadisticas_viejas(request: pytest.FixtureRequest,
                                 crear_base_pg: Callable[[str], str]) -> Iterator[Engine]:
    """Analizada (o no, con 0) con `request.param` conversaciones; luego 400 sin analizar."""
    analizadas: int = request.param
    motor = create_engine(url_sincrona(crear_base_pg(f"planes_{analizadas}_{os.getpid()}")))
    with motor.begin() as c:
        for tabla in ("usuario", "conversacion", "mensaje"):
            c.execute(text(f"ALTER TABLE {tabla} SET (autovacuum_enabled = off)"))
    if analizadas:
        _correr(motor, _CONVERSACIONES + _MENSAJES, desde=1, hasta=analizadas)
        with motor.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("ANALYZE usuario, conversacion, mensaje"))
    _correr(motor, _CONVERSACIONES + _MENSAJES, desde=analizadas + 1, hasta=400)
    yield motor
    motor.dispose()


def _paginas(motor: Engine, consulta: Executable, **parametros: Any) -> int:
    """Páginas que lee la consulta (con sus valores), según EXPLAIN (ANALYZE, BUFFERS)."""
    sql = consulta.params(**parametros).compile(  # type: ignore[attr-defined]
        dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    with motor.connect() as c:
        plan = c.execute(text(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}")).scalar_one()
    raiz = plan[0]["Plan"]
    return int(raiz["Shared Hit Blocks"] + raiz["Shared Read Blocks"])


def test_la_tabla_crecio_sin_analizar(base_con_estadisticas_viejas: Engine) -> None:
    with base_con_estadisticas_viejas.connect() as c:
        filas = c.execute(text("SELECT count(*) FROM mensaje")).scalar_one()
        analizadas = c.execute(text(
            "SELECT reltuples FROM pg_class WHERE relname = 'mensaje'")).scalar_one()
    assert filas == 20_000 and analizadas < 2_100  # el planificador no ve las 20 000


def test_registrar_un_mensaje_lee_pocas_paginas(base_con_estadisticas_viejas: Engine) -> None:
    paginas = _paginas(base_con_estadisticas_viejas, _USUARIO_CONVERSACION_Y_PENDIENTES,
                       canal="telegram", id_usuario="u250", id_mensaje="nuevo-1")
    assert paginas < 40, paginas


def test_el_primer_pendiente_lee_pocas_paginas(base_con_estadisticas_viejas: Engine) -> None:
    with base_con_estadisticas_viejas.connect() as c:
        conversacion = c.execute(text(
            "SELECT c.id FROM conversacion c JOIN usuario u ON u.id = c.usuario_id "
            "WHERE u.id_externo = 'u250'")).scalar_one()
    assert _paginas(base_con_estadisticas_viejas, _PRIMER_PENDIENTE,
                    conversacion=conversacion) < 20


def test_la_primera_vez_de_una_conversacion_lee_pocas_paginas(
        base_con_estadisticas_viejas: Engine) -> None:
    with base_con_estadisticas_viejas.connect() as c:
        conversacion, ultimo = c.execute(text(
            "SELECT max(conversacion_id), max(id) FROM mensaje")).one()
    # Una conversación nueva: nada antes de su primer mensaje (el peor caso para un recorrido).
    assert _paginas(base_con_estadisticas_viejas, _ALGUNO_ANTERIOR,
                    conversacion=conversacion + 1, mensaje=ultimo + 1) < 20


def test_las_conversaciones_crecen_con_la_tabla(base_con_estadisticas_viejas: Engine) -> None:
    with base_con_estadisticas_viejas.connect() as c:
        opciones = c.execute(text(
            "SELECT array_to_string(attoptions, ',') FROM pg_attribute "
            "WHERE attrelid = 'mensaje'::regclass AND attname = 'conversacion_id'")).scalar_one()
    assert opciones == "n_distinct=-0.02"
