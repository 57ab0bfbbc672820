"""Consultas del panel, siempre limitadas a los estados del asesor (SRE: todos) con la misma
regla que el resto (`asesores.filtro_estados`)."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.casos.estatus import ESTATUS
from bot.db.estados import TRASPASOS_CON_ASESOR, EstadoTraspaso
from bot.db.modelos import (
    Asesor,
    Caso,
    Conversacion,
    Escalamiento,
    Estado,
    Mensaje,
    NotaAsesor,
    Usuario,
)
from bot.escalamiento.asesores import filtro_estados as filtro_estado
from bot.escalamiento.asesores import filtro_traspasos
from bot.escalamiento.traspaso import ABIERTOS


@dataclass
class FilaTraspaso:
    """Un traspaso en la bandeja."""

    escalamiento: Escalamiento
    usuario: Usuario
    caso: Caso | None
    estado: str


async def traspasos(sesion: AsyncSession, asesor: Asesor, estados: tuple[str, ...],
                    solo_mios: bool = False) -> list[FilaTraspaso]:
    """Traspasos visibles en esos estados del traspaso."""
    consulta = (select(Escalamiento, Usuario, Caso, Estado.nombre)
                .join(Conversacion, Conversacion.id == Escalamiento.conversacion_id)
                .join(Usuario, Usuario.id == Conversacion.usuario_id)
                .outerjoin(Caso, Caso.id == Escalamiento.caso_id)
                .outerjoin(Estado, Estado.id == Escalamiento.estado_id)
                .where(Escalamiento.estado.in_(estados), filtro_traspasos(asesor))
                .order_by(Escalamiento.solicitado_en).limit(200))
    if solo_mios:
        consulta = consulta.where(Escalamiento.asesor_id == asesor.id)
    filas = (await sesion.execute(consulta)).all()
    return [FilaTraspaso(e, u, c, n or "Nacional") for e, u, c, n in filas]


async def casos_visibles(sesion: AsyncSession, asesor: Asesor, limite: int = 100) -> list[Caso]:
    """Casos de sus estados, los más recientes primero."""
    return list((await sesion.scalars(
        select(Caso).options(selectinload(Caso.estado), selectinload(Caso.municipio))
        .where(filtro_estado(asesor, Caso.estado_id)).order_by(Caso.id.desc()).limit(limite)
    )).all())


async def transcripcion(sesion: AsyncSession, conversacion_id: int,
                        limite: int = 300) -> list[tuple[Mensaje, str | None]]:
    """Mensajes de la conversación (con el nombre del asesor, si lo escribió uno)."""
    filas = (await sesion.execute(
        select(Mensaje, Asesor.nombre).outerjoin(Asesor, Asesor.id == Mensaje.asesor_id)
        .where(Mensaje.conversacion_id == conversacion_id)
        .order_by(Mensaje.id.desc()).limit(limite))).all()
    return [(m, n) for m, n in reversed(filas)]


async def nombres_de_asesores(sesion: AsyncSession, actores: list[str]) -> dict[int, str]:
    """El nombre de cada asesor que aparece como «asesor:ID» en esos actores."""
    ids = {int(a.split(":", 1)[1]) for a in actores
           if a.startswith("asesor:") and a.split(":", 1)[1].isdigit()}
    if not ids:
        return {}
    return {i: n for i, n in (await sesion.execute(
        select(Asesor.id, Asesor.nombre).where(Asesor.id.in_(ids)))).all()}


async def traspaso_abierto_de_usuario(sesion: AsyncSession, usuario_id: int
                                      ) -> Escalamiento | None:
    """El traspaso abierto de la conversación del usuario, si hay."""
    return await sesion.scalar(
        select(Escalamiento).join(Conversacion, Conversacion.id == Escalamiento.conversacion_id)
        .where(Conversacion.usuario_id == usuario_id, Escalamiento.estado.in_(ABIERTOS))
        .order_by(Escalamiento.id.desc()).limit(1))


async def notas_visibles(sesion: AsyncSession, asesor: Asesor, conversacion_id: int
                         ) -> list[NotaAsesor]:
    """Notas de la conversación sobre traspasos que el asesor puede atender."""
    return list((await sesion.scalars(
        select(NotaAsesor).outerjoin(Escalamiento, Escalamiento.id == NotaAsesor.escalamiento_id)
        .where(NotaAsesor.conversacion_id == conversacion_id,
               filtro_estado(asesor, Escalamiento.estado_id))
        .options(selectinload(NotaAsesor.asesor)).order_by(NotaAsesor.id))).all())


@dataclass
class Tablero:
    """Cifras del tablero."""

    por_estado: dict[str, Counter[str]] = field(default_factory=dict)
    por_estatus: Counter[str] = field(default_factory=Counter)
    por_mes: Counter[str] = field(default_factory=Counter)
    en_espera: int = 0
    abiertos: int = 0
    mediana_primera_respuesta_min: float | None = None
    total_casos: int = 0

    def serie_estatus(self) -> list[tuple[str, int]]:
        """Cada estatus, en el orden del trámite, con su conteo (0 si no hay)."""
        return [(clave, self.por_estatus.get(clave, 0)) for clave in ESTATUS]

    def serie_meses(self) -> list[tuple[str, int]]:
        """Cada mes («2026-03») del primero al último con casos, sin huecos (0 si no hay)."""
        if not self.por_mes:
            return []
        claves = sorted(self.por_mes)
        anio, mes = (int(x) for x in claves[0].split("-"))
        serie = []
        while (clave := f"{anio:04d}-{mes:02d}") <= claves[-1]:
            serie.append((clave, self.por_mes.get(clave, 0)))
            anio, mes = (anio + 1, 1) if mes == 12 else (anio, mes + 1)
        return serie


async def tablero(sesion: AsyncSession, asesor: Asesor) -> Tablero:
    """Conteos por estado y estatus, traspasos en espera, mediana de primera respuesta y
    casos por mes, sobre los estados visibles."""
    t = Tablero()
    filas = (await sesion.execute(
        select(Estado.nombre, Caso.estatus, Caso.creado_en)
        .join(Estado, Estado.id == Caso.estado_id)
        .where(filtro_estado(asesor, Caso.estado_id)))).all()
    for estado, estatus, creado in filas:
        t.por_estado.setdefault(estado, Counter())[estatus] += 1
        t.por_estatus[estatus] += 1
        t.por_mes[f"{creado:%Y-%m}"] += 1
        t.total_casos += 1
    t.por_estado = dict(sorted(t.por_estado.items()))
    traspasos_filas = (await sesion.execute(
        select(Escalamiento.estado, Escalamiento.solicitado_en, Escalamiento.primera_respuesta_en)
        .where(filtro_traspasos(asesor)))).all()
    tiempos = []
    for estado, solicitado, primera in traspasos_filas:
        t.en_espera += estado == EstadoTraspaso.SOLICITADA
        t.abiertos += estado in TRASPASOS_CON_ASESOR
        if primera is not None and solicitado is not None:
            tiempos.append((_utc(primera) - _utc(solicitado)).total_seconds() / 60)
    if tiempos:
        t.mediana_primera_respuesta_min = round(statistics.median(tiempos), 1)
    return t


def _utc(momento: Any) -> Any:
    import datetime as dt

    return momento if momento.tzinfo else momento.replace(tzinfo=dt.timezone.utc)
