"""Consentimiento del aviso de privacidad: cuándo y con qué versión lo dio la persona."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.modelos import Usuario, ahora


async def registrar_consentimiento(
    sesion: AsyncSession, usuario: Usuario, version: str, momento: dt.datetime | None = None
) -> None:
    """Guarda la fecha y la versión del aviso que la persona aceptó."""
    usuario.consentimiento_en = momento or ahora()
    usuario.version_aviso = version[:32]
    sesion.add(usuario)
    await sesion.flush()


def retirar_consentimiento(usuario: Usuario) -> None:
    """«No acepto»: sin consentimiento vigente y sin ningún dato del perfil (nombre, rol,
    estado y municipio). Lo de sus casos, si tenía, no se toca: para eso está «borrar mis
    datos»."""
    usuario.consentimiento_en = None
    usuario.version_aviso = None
    usuario.nombre = usuario.rol = None
    usuario.estado_id = usuario.municipio_id = None


def _utc(momento: dt.datetime) -> dt.datetime:
    """SQLite devuelve fechas sin zona (guardadas en UTC)."""
    return momento if momento.tzinfo else momento.replace(tzinfo=dt.timezone.utc)


def tiene_consentimiento(usuario: Usuario, version: str | None = None) -> bool:
    """¿La persona aceptó el aviso (y, si se indica, esa versión) y no pidió borrar sus datos
    después?"""
    if usuario.consentimiento_en is None:
        return False
    if version is not None and usuario.version_aviso != version:
        return False
    if usuario.anonimizado_en is not None:
        return _utc(usuario.consentimiento_en) > _utc(usuario.anonimizado_en)
    return True
