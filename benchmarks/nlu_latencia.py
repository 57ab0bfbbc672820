"""Latencia de `POST /model/parse` por HTTP: p50/p95 con 1 cliente y con 20 concurrentes.

Uso: .venv/bin/python benchmarks/nlu_latencia.py [--url URL] [--n 200] [--json]
Necesita el servidor NLU en marcha (hermanamientos nlu iniciar). Sin caché del cliente:
mide el servidor, no la caché.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time

import httpx

from bot.config import ajustes

FRASES = [
    "hola buenas tardes",
    "que requisitos piden para hermanarnos con una ciudad de estados unidos",
    "buenas, somos de san pedro garza garcia y queremos hermanarnos con una ciudad de texas",
    "como va mi tramite CH-2026-NL-0007",
    "cuanto tarda el dictamen de la sre",
    "mi correo es enlace@zapopan.gob.mx y mi tel 33 1234 5678",
    "quiero hablar con un asesor",
    "en que areas podemos cooperar, nos interesa turismo y cultura",
]


def _percentil(datos: list[float], p: float) -> float:
    ordenados = sorted(datos)
    k = max(0, min(len(ordenados) - 1, round(p / 100 * len(ordenados)) - 1))
    return ordenados[k]


async def medir(url: str, token: str, n: int, concurrencia: int) -> dict[str, float]:
    """n peticiones repartidas entre `concurrencia` clientes; tiempos en ms."""
    tiempos: list[float] = []
    limites = httpx.Limits(max_connections=concurrencia)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limites) as http:
        await http.post("/model/parse", params={"token": token}, json={"text": "hola"})
        cola: asyncio.Queue[int] = asyncio.Queue()
        for i in range(n):
            cola.put_nowait(i)

        async def trabajador() -> None:
            while not cola.empty():
                i = cola.get_nowait()
                inicio = time.perf_counter()
                resp = await http.post(
                    "/model/parse", params={"token": token}, json={"text": FRASES[i % len(FRASES)]}
                )
                resp.raise_for_status()
                tiempos.append((time.perf_counter() - inicio) * 1000)

        inicio_total = time.perf_counter()
        await asyncio.gather(*(trabajador() for _ in range(concurrencia)))
        total = time.perf_counter() - inicio_total
    return {
        "p50": statistics.median(tiempos),
        "p95": _percentil(tiempos, 95),
        "por_segundo": n / total,
        "n": float(n),
    }


async def principal(url: str, token: str, n: int) -> dict[str, dict[str, float]]:
    return {
        "1 cliente": await medir(url, token, n, 1),
        "20 concurrentes": await medir(url, token, n, 20),
    }


def tabla(resultados: dict[str, dict[str, float]]) -> str:
    """Tabla Markdown de los resultados."""
    filas = ["| Carga | Peticiones | p50 (ms) | p95 (ms) | Análisis/s |", "|---|---|---|---|---|"]
    for nombre, r in resultados.items():
        filas.append(
            f"| {nombre} | {r['n']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} "
            f"| {r['por_segundo']:.0f} |"
        )
    return "\n".join(filas)


def main() -> None:
    conf = ajustes()
    partes = argparse.ArgumentParser(description=__doc__)
    partes.add_argument("--url", default=conf.nlu_url)
    partes.add_argument("--n", type=int, default=200)
    partes.add_argument("--json", action="store_true", help="Imprime JSON en vez de tabla.")
    args = partes.parse_args()
    resultados = asyncio.run(principal(args.url, conf.nlu_token, args.n))
    print(json.dumps(resultados) if args.json else tabla(resultados))


if __name__ == "__main__":
    main()
