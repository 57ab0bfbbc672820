"""Con PostgreSQL y 2 procesos uvicorn, una conversación se procesa en orden y una sola vez."""

from __future__ import annotations

import concurrent.futures
import itertools
import os
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from bot.db.sesion import url_sincrona

from conftest import ServidorReal, _base_pg

pytestmark = [
    pytest.mark.servidor,
    pytest.mark.lento,
    pytest.mark.postgres,
    pytest.mark.skipif(not os.environ.get("TEST_POSTGRES_URL"), reason="sin TEST_POSTGRES_URL"),
]


@pytest.fixture
def dos_procesos(tmp_path: Path) -> Iterator[tuple[ServidorReal, str]]:
    url = _base_pg(f"varios_{os.getpid()}")
    entorno = {**os.environ, "DATABASE_URL": url, "NLU_URL": "http://127.0.0.1:9",
               "DOCUMENTOS_DIR": str(tmp_path / "docs")}
    servidor = ServidorReal(entorno, tmp_path / "servidor.log", ("--workers", "2"))
    servidor.iniciar()
    yield servidor, url
    servidor.detener()


# Un botón se guarda y decide en una sola transacción; el texto libre pasa por el NLU (aquí
# su respaldo) entre confirmar lo guardado y decidir, y otro proceso puede tomarlo entonces.
@pytest.mark.parametrize("mensaje", ["/menu", "que requisitos piden"])
def test_orden_y_una_vez_con_dos_procesos(dos_procesos: tuple[ServidorReal, str],
                                          mensaje: str) -> None:
    servidor, url = dos_procesos
    total = 120

    tiempos: dict[str, tuple[float, float]] = {}

    def enviar(i: int) -> int:
        # Cada mensaje se entrega dos veces (como un reintento de la plataforma).
        cuerpo = {"sender": "misma-persona", "message": mensaje, "message_id": f"m{i}"}
        inicio = time.time()
        codigo = httpx.post(f"{servidor.url}/webhooks/rest/webhook", json=cuerpo,
                            timeout=60).status_code
        previo = tiempos.get(f"m{i}", (inicio, time.time()))
        tiempos[f"m{i}"] = (min(previo[0], inicio), time.time())
        return codigo

    with concurrent.futures.ThreadPoolExecutor(32) as grupo:
        codigos = list(grupo.map(enviar, [i for i in range(total) for _ in range(2)]))
    assert set(codigos) == {200}

    motor = create_engine(url_sincrona(url))
    with motor.connect() as c:
        entradas = c.execute(text(
            "SELECT id, id_externo, procesado_en FROM mensaje WHERE direccion='entrada' "
            "ORDER BY id")).all()
        salidas = c.execute(text(
            "SELECT responde_a_id FROM mensaje WHERE direccion='salida' ORDER BY id")).all()
    motor.dispose()
    assert len(entradas) == total  # sin duplicados
    assert all(e.procesado_en is not None for e in entradas)  # nada perdido
    ids = [e.id for e in entradas]
    # En orden: si un mensaje llegó después de que otro ya tenía respuesta, se procesó
    # después. (Dos que llegan a la vez no tienen un orden definido entre sí.)
    procesado = {e.id_externo.removeprefix("misma-persona:"): e.procesado_en for e in entradas}
    for a, (_, fin_a) in tiempos.items():
        for b, (inicio_b, _) in tiempos.items():
            if fin_a < inicio_b:
                assert procesado[a] < procesado[b], (a, b)
    ids = [e.id for e in sorted(entradas, key=lambda e: (e.procesado_en, e.id))]
    # …y las respuestas se guardaron en ese mismo orden, una sola tanda contigua por mensaje,
    # y ninguna se duplicó: la misma pregunta repetida puede contestarse distinto (la base
    # de conocimiento no repite la misma unidad dos veces seguidas), pero una tanda repetida
    # al menos doblaría su tamaño.
    tandas = [(clave, len(list(grupo)))
              for clave, grupo in itertools.groupby(s.responde_a_id for s in salidas)]
    assert [clave for clave, _ in tandas] == ids
    tamanos = [n for _, n in tandas[1:]]
    assert max(tamanos) < 2 * min(tamanos)
