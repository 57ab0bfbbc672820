"""Piso de calidad: exactitud de intención ≥ 0.90 en el conjunto reservado (servidor real)."""

from __future__ import annotations

import asyncio

import pytest
from test_nlu_datos import prueba, quitar_anotaciones

from bot.nlu.cliente import ClienteNLU

PISO = 0.90


@pytest.mark.nlu
@pytest.mark.lento
async def test_exactitud_en_conjunto_reservado(servidor_nlu: str) -> None:
    cliente = ClienteNLU(url=servidor_nlu, timeout_s=10, max_cache=0)
    casos = [(i, quitar_anotaciones(e)[0]) for i, ejs in prueba().items() for e in ejs]
    limite = asyncio.Semaphore(4)

    async def uno(texto: str) -> str | None:
        async with limite:
            analisis = await cliente.analizar(texto)
        return analisis.intent if analisis else None

    predichos = await asyncio.gather(*(uno(t) for _, t in casos))
    await cliente.cerrar()
    errores = [(i, p, t) for (i, t), p in zip(casos, predichos, strict=True) if p != i]
    exactitud = 1 - len(errores) / len(casos)
    assert exactitud >= PISO, f"exactitud {exactitud:.3f}; errores: {errores[:15]}"
