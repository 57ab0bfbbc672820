"""CPU y sentencias SQL por mensaje del motor, en serie y sin NLU: para comparar dos versiones
del código en la misma máquina cargada (el reloj de pared es ruidoso; la CPU del proceso y el
número de sentencias, mucho menos).

Recorre la conversación de `benchmarks/conversaciones.py` con usuarios distintos, uno a la
vez, sobre una SQLite temporal migrada y con catálogo (como `pasos_flujo`). Imprime, por
paso y en total, la CPU del proceso (ms) y las sentencias SQL por mensaje; el paso que
genera la ficha y el oficio se muestra aparte y no entra en el total.

Uso: .venv/bin/python -m benchmarks.perfil_motor [--usuarios 30] [--perfil archivo.pstats]
     [--json archivo.json]
Para comparar con otra versión: PYTHONPATH=/ruta/a/la/otra python -m benchmarks.perfil_motor
(cada versión con su propia conversación de prueba). Con --perfil guarda un cProfile con
reloj de CPU de los mensajes medidos (`python -m pstats archivo.pstats`).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import statistics
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event

from benchmarks.conversaciones import Paso, conversacion_completa
from benchmarks.pasos_flujo import servicios_temporales
from bot.nucleo.mensajes import Canal, MensajeEntrante
from bot.servicios import Servicios

PASO_DOCUMENTOS = "confirmar"
"""El paso que genera la ficha y el oficio (su CPU es del generador, no del motor)."""


async def recorrer(servicios: Servicios, usuario: str, pasos: list[Paso],
                   cpu: dict[str, list[float]], sql: dict[str, list[int]],
                   contador: list[int], perfil: cProfile.Profile | None) -> None:
    """Una conversación completa; anota CPU (ms) y sentencias de cada paso."""
    for n, paso in enumerate(pasos):
        entrante = MensajeEntrante(
            Canal.REST, usuario, f"{usuario}-{n}",
            texto="" if paso.es_boton else paso.mensaje,
            payload=paso.mensaje if paso.es_boton else None,
        )
        medir_perfil = perfil is not None and PASO_DOCUMENTOS not in paso.etiqueta
        antes_sql = contador[0]
        inicio = time.process_time()
        if medir_perfil:
            assert perfil is not None
            perfil.enable()
        respuestas = await servicios.motor.procesar(entrante)
        if medir_perfil:
            assert perfil is not None
            perfil.disable()
        cpu[paso.etiqueta].append((time.process_time() - inicio) * 1000)
        sql[paso.etiqueta].append(contador[0] - antes_sql)
        if not respuestas:
            raise RuntimeError(f"sin respuesta en «{paso.etiqueta}» para {usuario}")


async def calentar(servicios: Servicios, pasos: list[Paso], contador: list[int]) -> None:
    """Tres conversaciones sin medir: cachés, plantillas y catálogos (en su propia función,
    para separarlas en un perfil de muestreo como el de py-spy)."""
    for i in range(3):
        await recorrer(servicios, f"calentamiento-{i}", pasos, {p.etiqueta: [] for p in pasos},
                       {p.etiqueta: [] for p in pasos}, contador, None)


async def medir(usuarios: int, perfil: cProfile.Profile | None
                ) -> tuple[dict[str, list[float]], dict[str, list[int]]]:
    pasos = conversacion_completa()
    cpu: dict[str, list[float]] = {p.etiqueta: [] for p in pasos}
    sql: dict[str, list[int]] = {p.etiqueta: [] for p in pasos}
    contador = [0]
    async with servicios_temporales("bench-perfil-") as servicios:
        @event.listens_for(servicios.almacen.motor.sync_engine, "before_cursor_execute")
        def _contar(*_: Any) -> None:
            contador[0] += 1

        await calentar(servicios, pasos, contador)
        for i in range(usuarios):
            await recorrer(servicios, f"bench-{i:05d}", pasos, cpu, sql, contador, perfil)
    return cpu, sql


def main() -> None:
    partes = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    partes.add_argument("--usuarios", type=int, default=30)
    partes.add_argument("--perfil", type=Path, default=None)
    partes.add_argument("--json", type=Path, default=None)
    args = partes.parse_args()
    perfil = cProfile.Profile(time.process_time) if args.perfil else None
    cpu, sql = asyncio.run(medir(args.usuarios, perfil))
    if perfil is not None:
        perfil.dump_stats(args.perfil)
    print(f"{'paso':<60} {'CPU p50 (ms)':>12} {'media':>8} {'SQL':>5}")
    for etiqueta in cpu:
        print(f"{etiqueta[:60]:<60} {statistics.median(cpu[etiqueta]):>12.2f} "
              f"{statistics.fmean(cpu[etiqueta]):>8.2f} {statistics.fmean(sql[etiqueta]):>5.1f}")
    medidos = [e for e in cpu if PASO_DOCUMENTOS not in e]
    cpu_total = sum(sum(cpu[e]) for e in medidos) / sum(len(cpu[e]) for e in medidos)
    sql_total = sum(sum(sql[e]) for e in medidos) / sum(len(sql[e]) for e in medidos)
    medianas = statistics.fmean(statistics.median(cpu[e]) for e in medidos)
    minimos = statistics.fmean(min(cpu[e]) for e in medidos)
    print(f"\nSin el paso de documentos ({len(medidos)} pasos × {args.usuarios} usuarios), por "
          f"mensaje: CPU media {cpu_total:.2f} ms, mediana {medianas:.2f} ms, mínima "
          f"{minimos:.2f} ms (la menos ruidosa con la máquina cargada); "
          f"{sql_total:.2f} sentencias SQL.")
    if args.json:
        args.json.write_text(json.dumps({"cpu": cpu, "sql_por_paso": sql, "cpu_ms": cpu_total,
                                         "sql": sql_total}), encoding="utf-8")


if __name__ == "__main__":
    main()
