"""Varias réplicas del NLU: si una está caída se usa otra; sin ninguna, el respaldo."""

from __future__ import annotations

import pytest

from bot.nlu.replicas import GrupoNLU


@pytest.mark.nlu
async def test_replica_caida_se_salta(servidor_nlu: str) -> None:
    from bot.config import ajustes

    grupo = GrupoNLU(f"http://127.0.0.1:9, {servidor_nlu}", ajustes().nlu_token, 2.0)
    try:
        resultados = [await grupo.analizar(f"que requisitos piden {i}") for i in range(4)]
        assert all(r is not None and r.intent == "requisitos" for r in resultados)
        assert grupo.estado == "ok"
        assert grupo.clientes[0].estado == "degradado"
    finally:
        await grupo.cerrar()


async def test_todas_caidas_devuelve_none_y_degradado() -> None:
    grupo = GrupoNLU("http://127.0.0.1:9,http://127.0.0.1:10", "x", 0.3)
    try:
        assert await grupo.analizar("hola") is None
        assert grupo.estado == "degradado"
        assert await grupo.comprobar() == "degradado"
    finally:
        await grupo.cerrar()
