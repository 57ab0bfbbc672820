"""Latencia por paso del motor + base de datos, sin NLU: p50/p95 de cada mensaje de la
conversación completa (bienvenida, preguntas, registro hasta el folio, seguimiento),
recorrida muchas veces con usuarios distintos sobre una SQLite temporal migrada y con
catálogo. Meta (issue 5): p95 ≤ 150 ms por paso.

Uso: .venv/bin/python -m benchmarks.pasos_flujo [--usuarios 100] [--concurrencia 1]
     [--escribir]   (escribe la sección «pasos_flujo» de BENCHMARKS.md)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

from benchmarks.comun import carga_sistema, percentil
from benchmarks.conversaciones import Paso, conversacion_completa
from bot.catalogos.carga import cargar_catalogos
from bot.config import Ajustes
from bot.db.migrar import migrar
from bot.db.sesion import Almacen
from bot.nucleo.mensajes import Canal, MensajeEntrante
from bot.servicios import Servicios, crear_servicios

META_P95_MS = 150.0


async def preparar_base(directorio: Path) -> str:
    """Una SQLite nueva, migrada y con el catálogo INEGI cargado."""
    url = f"sqlite:///{directorio / 'pasos.db'}"
    migrar(url)
    almacen = Almacen(url)
    try:
        async with almacen.escritura() as s:
            await cargar_catalogos(s)
    finally:
        await almacen.cerrar()
    return url


async def recorrer(servicios: Servicios, usuario: str, pasos: list[Paso],
                   tiempos: dict[str, list[float]]) -> None:
    """Una conversación completa; anota el tiempo de cada paso en ms."""
    for n, paso in enumerate(pasos):
        entrante = MensajeEntrante(
            Canal.REST, usuario, f"{usuario}-{n}",
            texto="" if paso.es_boton else paso.mensaje,
            payload=paso.mensaje if paso.es_boton else None,
        )
        inicio = time.perf_counter()
        respuestas = await servicios.motor.procesar(entrante)
        tiempos[paso.etiqueta].append((time.perf_counter() - inicio) * 1000)
        if not respuestas:
            raise RuntimeError(f"sin respuesta en «{paso.etiqueta}» para {usuario}")


@contextlib.asynccontextmanager
async def servicios_temporales(prefijo: str) -> AsyncIterator[Servicios]:
    """Una base SQLite temporal migrada y con catálogo, y los servicios sin NLU sobre ella
    (los cierra al salir)."""
    with tempfile.TemporaryDirectory(prefix=prefijo) as tmp:
        directorio = Path(tmp)
        url = await preparar_base(directorio)
        config = Ajustes(database_url=url, documentos_dir=directorio / "documentos",
                         nlu_url="http://127.0.0.1:9", _env_file=None)  # type: ignore[call-arg]
        servicios = crear_servicios(config, con_nlu=False)
        try:
            yield servicios
        finally:
            await servicios.cerrar()


async def medir(usuarios: int, concurrencia: int) -> tuple[dict[str, list[float]], float]:
    """Recorre la conversación `usuarios` veces; devuelve los tiempos y la duración total."""
    pasos = conversacion_completa()
    tiempos: dict[str, list[float]] = {p.etiqueta: [] for p in pasos}
    async with servicios_temporales("bench-pasos-") as servicios:
        await recorrer(servicios, "calentamiento", pasos, {p.etiqueta: [] for p in pasos})
        cola: asyncio.Queue[int] = asyncio.Queue()
        for i in range(usuarios):
            cola.put_nowait(i)

        async def trabajador() -> None:
            while not cola.empty():
                i = cola.get_nowait()
                await recorrer(servicios, f"bench-{i:05d}", pasos, tiempos)

        inicio = time.perf_counter()
        await asyncio.gather(*(trabajador() for _ in range(concurrencia)))
        total = time.perf_counter() - inicio
    return tiempos, total


def tabla(tiempos: dict[str, list[float]], total_s: float, usuarios: int, concurrencia: int,
          carga_antes: str, carga_despues: str) -> str:
    """Cuerpo Markdown de la sección: resumen y tabla por paso."""
    todos = [t for lista in tiempos.values() for t in lista]
    peor = max(tiempos, key=lambda k: percentil(tiempos[k], 95))
    p95_peor = percentil(tiempos[peor], 95)
    cumple = "sí" if p95_peor <= META_P95_MS else "NO"
    filas = [
        f"Conversación completa ({len(tiempos)} mensajes: bienvenida, 2 preguntas libres, "
        f"registro hasta el folio con ficha PDF y oficio DOCX, seguimiento) recorrida por "
        f"{usuarios} usuarios distintos, {concurrencia} a la vez, directo sobre el motor "
        "(`crear_servicios(ajustes, con_nlu=False)`, sin HTTP) con SQLite temporal migrada y "
        "con catálogo. El texto libre usa el respaldo por palabras clave (sin servidor NLU).",
        "",
        f"Carga del sistema (1/5/15 min) al empezar: {carga_antes}; al terminar: "
        f"{carga_despues}. Comando: `.venv/bin/python -m benchmarks.pasos_flujo "
        f"--usuarios {usuarios} --concurrencia {concurrencia} --escribir`.",
        "",
        f"Meta (issue 5): p95 ≤ {META_P95_MS:.0f} ms en cada paso. Peor p95: "
        f"{p95_peor:.1f} ms («{peor}») → cumple: **{cumple}**.",
        "",
        f"Todos los pasos juntos: {len(todos)} mensajes, p50 {statistics.median(todos):.1f} ms, "
        f"p95 {percentil(todos, 95):.1f} ms, p99 {percentil(todos, 99):.1f} ms; "
        f"{len(todos) / total_s:.0f} mensajes/s.",
        "",
        "| Paso | n | p50 (ms) | p95 (ms) | máx (ms) |",
        "|---|---|---|---|---|",
    ]
    for etiqueta, lista in tiempos.items():
        filas.append(f"| {etiqueta.replace('|', '/')} | {len(lista)} | "
                     f"{statistics.median(lista):.1f} | {percentil(lista, 95):.1f} | "
                     f"{max(lista):.1f} |")
    return "\n".join(filas)


def main() -> None:
    partes = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    partes.add_argument("--usuarios", type=int, default=100)
    partes.add_argument("--concurrencia", type=int, default=1)
    partes.add_argument("--escribir", action="store_true",
                        help="Escribe la sección «pasos_flujo» en BENCHMARKS.md.")
    args = partes.parse_args()
    carga_antes = carga_sistema()
    tiempos, total = asyncio.run(medir(args.usuarios, args.concurrencia))
    cuerpo = tabla(tiempos, total, args.usuarios, args.concurrencia, carga_antes,
                   carga_sistema())
    print(cuerpo)
    if args.escribir:
        from bot.benchmarks_md import escribir_seccion

        escribir_seccion("pasos_flujo", "Latencia por paso del motor y la base (sin NLU)", cuerpo)


if __name__ == "__main__":
    main()
