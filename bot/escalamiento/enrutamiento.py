"""A quién va un traspaso: asesores activos del estado → coordinación estatal → cola
nacional (SRE)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.db.modelos import Asesor, Caso, Municipio, Usuario, asesor_estado

NIVELES = ("asesor", "coordinador", "nacional")
_ROL_DE_NIVEL = {"asesor": "asesor", "coordinador": "coordinador_estatal", "nacional": "sre"}


async def asesores_de_nivel(
    sesion: AsyncSession, estado_id: int | None, nivel: str
) -> list[Asesor]:
    """Asesores activos de ese nivel (los del estado, salvo el nivel nacional)."""
    consulta = select(Asesor).options(selectinload(Asesor.estados)).where(
        Asesor.activo.is_(True), Asesor.rol == _ROL_DE_NIVEL[nivel]).order_by(Asesor.id)
    if nivel != "nacional":
        if estado_id is None:
            return []
        consulta = consulta.join(asesor_estado).where(asesor_estado.c.estado_id == estado_id)
    return list((await sesion.scalars(consulta)).unique().all())


async def destinatarios(
    sesion: AsyncSession, estado_id: int | None, desde: str = "asesor"
) -> tuple[str, list[Asesor]]:
    """El primer nivel con personas activas, desde `desde` hacia arriba, y esas personas."""
    for nivel in NIVELES[NIVELES.index(desde):]:
        personas = await asesores_de_nivel(sesion, estado_id, nivel)
        if personas:
            return nivel, personas
    return "nacional", []


def siguiente_nivel(nivel: str) -> str | None:
    """El nivel de arriba, o None si ya es el nacional."""
    i = NIVELES.index(nivel)
    return NIVELES[i + 1] if i + 1 < len(NIVELES) else None


async def estado_del_usuario(sesion: AsyncSession, usuario: Usuario) -> int | None:
    """El estado del usuario: su perfil, su municipio o su caso más reciente."""
    if usuario.estado_id is not None:
        return usuario.estado_id
    if usuario.municipio_id is not None:
        municipio = await sesion.get(Municipio, usuario.municipio_id)
        if municipio is not None:
            return municipio.estado_id
    return await sesion.scalar(select(Caso.estado_id).where(Caso.usuario_id == usuario.id)
                               .order_by(Caso.id.desc()).limit(1))
