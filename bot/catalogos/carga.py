"""Carga idempotente del catálogo INEGI al almacén central."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalogos.datos import leer_catalogo
from bot.db.modelos import Estado, Municipio


@dataclass(frozen=True)
class ResumenCarga:
    """Cuántos registros se agregaron o actualizaron."""

    estados_nuevos: int
    municipios_nuevos: int
    actualizados: int


async def cargar_catalogos(sesion: AsyncSession) -> ResumenCarga:
    """Agrega lo que falta y corrige nombres cambiados; correrlo dos veces no duplica nada."""
    estados, municipios = leer_catalogo()
    existentes_e = {e.clave_inegi: e for e in (await sesion.scalars(select(Estado))).all()}
    nuevos_e = actualizados = 0
    for r in estados:
        fila = existentes_e.get(r.clave_inegi)
        if fila is None:
            fila = Estado(clave_inegi=r.clave_inegi, nombre=r.nombre, abreviatura=r.abreviatura,
                          codigo=r.codigo)
            sesion.add(fila)
            existentes_e[r.clave_inegi] = fila
            nuevos_e += 1
        elif (fila.nombre, fila.abreviatura) != (r.nombre, r.abreviatura):
            fila.nombre, fila.abreviatura = r.nombre, r.abreviatura
            actualizados += 1
    await sesion.flush()
    existentes_m = {m.clave_inegi: m for m in (await sesion.scalars(select(Municipio))).all()}
    nuevos_m = 0
    for m in municipios:
        fila_m = existentes_m.get(m.clave_inegi)
        if fila_m is None:
            sesion.add(Municipio(clave_inegi=m.clave_inegi, nombre=m.nombre, cabecera=m.cabecera,
                                 poblacion=m.poblacion,
                                 estado_id=existentes_e[m.estado_clave].id))
            nuevos_m += 1
        elif fila_m.nombre != m.nombre:
            fila_m.nombre = m.nombre
            actualizados += 1
    return ResumenCarga(nuevos_e, nuevos_m, actualizados)
