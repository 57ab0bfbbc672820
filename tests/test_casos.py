"""Casos: folio consecutivo por estado y año, transiciones permitidas y eventos."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import select

from bot.casos.estatus import (
    CERRADOS,
    ESTATUS,
    SOLO_SRE,
    en_palabras,
    puede_pasar,
    transiciones_permitidas,
)
from bot.casos.repositorio import (
    TransicionNoPermitida,
    cambiar_estatus,
    caso_por_folio,
    crear_caso,
    documentos_pendientes,
)
from bot.db.modelos import Estado, Municipio
from bot.servicios import Servicios


async def _datos(servicios: Servicios, clave_mun: str = "19019") -> dict[str, object]:
    async with servicios.almacen.lectura() as s:
        municipio = await s.scalar(select(Municipio).where(Municipio.clave_inegi == clave_mun))
        assert municipio is not None
    return {"estado_id": municipio.estado_id, "municipio_id": municipio.id,
            "ciudad_contraparte": "San Antonio", "pais_contraparte": "Estados Unidos",
            "areas": ["educacion"], "objetivos": "Intercambio académico"}


async def test_folio_con_formato_y_consecutivo(servicios_ambas: Servicios) -> None:
    datos = await _datos(servicios_ambas)
    folios = []
    for _ in range(3):
        async with servicios_ambas.almacen.escritura() as s:
            folios.append((await crear_caso(s, datos, "prueba")).folio)
    anio = dt.datetime.now(dt.timezone.utc).year
    assert folios == [f"CH-{anio}-NL-0001", f"CH-{anio}-NL-0002", f"CH-{anio}-NL-0003"]
    async with servicios_ambas.almacen.escritura() as s:
        otro = await crear_caso(s, await _datos(servicios_ambas, "14039"), "prueba")  # Guadalajara
    assert otro.folio == f"CH-{anio}-JAL-0001"


async def test_folios_concurrentes_no_se_repiten(servicios_ambas: Servicios) -> None:
    datos = await _datos(servicios_ambas)

    async def uno() -> str:
        async with servicios_ambas.almacen.escritura() as s:
            return (await crear_caso(s, datos, "prueba")).folio

    folios = await asyncio.gather(*(uno() for _ in range(10)))
    assert len(set(folios)) == 10


async def test_transiciones_y_eventos(servicios_ambas: Servicios) -> None:
    async with servicios_ambas.almacen.escritura() as s:
        caso = await crear_caso(s, await _datos(servicios_ambas), "usuario:1")
        folio = caso.folio
    async with servicios_ambas.almacen.escritura() as s:
        caso = await caso_por_folio(s, folio.lower())
        assert caso is not None
        with pytest.raises(TransicionNoPermitida):
            await cambiar_estatus(s, caso, "registrada", "asesor:1")
        await cambiar_estatus(s, caso, "en_revision_estatal", "asesor:1", "Recibida")
    async with servicios_ambas.almacen.lectura() as s:
        caso = await caso_por_folio(s, folio)
        assert caso is not None and caso.estatus == "en_revision_estatal"
        assert [e.estatus_nuevo for e in caso.eventos] == ["enviada", "en_revision_estatal"]
        assert documentos_pendientes(caso) == ["acta_cabildo", "proyecto_acuerdo",
                                               "perfil_ciudad", "programa_trabajo"]


def test_nacional_no_pasa_por_la_sre() -> None:
    assert "turnada_sre" in transiciones_permitidas("en_revision_estatal")
    assert "turnada_sre" not in transiciones_permitidas("en_revision_estatal", "nacional")
    assert puede_pasar("en_revision_estatal", "firmada", "nacional")
    assert not puede_pasar("en_revision_estatal", "firmada", "internacional")


def test_cancelar_solo_desde_abiertos() -> None:
    for clave, estatus in ESTATUS.items():
        assert puede_pasar(clave, "cancelada") == estatus.abierto
    assert en_palabras("turnada_sre").nombre == "Turnada a la SRE"


def test_finales_y_solo_sre_salen_del_catalogo() -> None:
    assert set(CERRADOS) == {"dictamen_no_favorable", "registrada", "cancelada"}
    assert all(not transiciones_permitidas(c) for c in CERRADOS)  # no hay a dónde pasar
    de_la_sre = set(SOLO_SRE)
    assert de_la_sre == {"dictamen_favorable", "dictamen_no_favorable", "registrada"}
    assert de_la_sre <= transiciones_permitidas("turnada_sre") | {"registrada"}


async def test_estado_en_catalogo(servicios_ambas: Servicios) -> None:
    async with servicios_ambas.almacen.lectura() as s:
        nl = await s.scalar(select(Estado).where(Estado.clave_inegi == "19"))
    assert nl is not None and nl.abreviatura == "NL"
