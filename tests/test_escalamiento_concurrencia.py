"""Toma atómica: con varios asesores pulsando «Tomar» a la vez, gana exactamente uno."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from bot.db import diferidos
from bot.db.modelos import Escalamiento, EventoCaso
from bot.escalamiento import traspaso
from bot.escalamiento.asesores import por_id
from bot.nucleo.mensajes import Canal, MensajeEntrante
from bot.servicios import Servicios

from dobles import escalamiento_datos as datos

pytestmark = pytest.mark.lento


async def test_toma_concurrente_gana_uno(servicios: Servicios) -> None:
    ids = [await datos.asesor(servicios, f"a{i}@jal.gob.mx") for i in range(8)]
    uid = await datos.usuario(servicios, "u-c")
    await datos.caso(servicios, uid)
    await servicios.motor.procesar(MensajeEntrante(Canal.REST, "u-c", "m1", texto="asesor"))
    esc = await datos.traspaso_de(servicios, uid)
    assert esc is not None

    async def intentar(asesor_id: int) -> traspaso.Toma:
        async with servicios.almacen.escritura() as s:
            asesor = await por_id(s, asesor_id)
            assert asesor is not None
            return await traspaso.tomar(servicios, s, esc.id, asesor)

    tomas = await asyncio.gather(*(intentar(i) for i in ids))
    await diferidos.esperar()
    ganadores = [t for t in tomas if t.gano]
    assert len(ganadores) == 1
    perdedores = [t for t in tomas if not t.gano]
    assert all(t.tomado_por == ganadores[0].tomado_por for t in perdedores)
    async with servicios.almacen.lectura() as s:
        final = await s.get(Escalamiento, esc.id)
        tomadas = await s.scalar(select(func.count()).select_from(EventoCaso).where(
            EventoCaso.tipo == "traspaso_tomada"))
    assert final is not None and final.estado == "tomada"
    assert tomadas == 1
