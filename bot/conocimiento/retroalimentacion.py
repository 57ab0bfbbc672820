"""Guarda y cuenta las respuestas a «¿Le fue útil?» por artículo."""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.modelos import RetroalimentacionArticulo


async def registrar(
    session: AsyncSession, articulo_id: str, util: bool, usuario_id: int | None
) -> RetroalimentacionArticulo:
    """Agrega una respuesta útil / no útil; el llamador abre la sesión y confirma."""
    registro = RetroalimentacionArticulo(articulo_id=articulo_id, util=util, usuario_id=usuario_id)
    session.add(registro)
    await session.flush()
    return registro


async def conteo(session: AsyncSession) -> dict[str, tuple[int, int]]:
    """Por artículo: (cuántos dijeron que sí le fue útil, cuántos dijeron que no)."""
    si = func.sum(case((RetroalimentacionArticulo.util.is_(True), 1), else_=0))
    no = func.sum(case((RetroalimentacionArticulo.util.is_(False), 1), else_=0))
    consulta = select(RetroalimentacionArticulo.articulo_id, si, no).group_by(
        RetroalimentacionArticulo.articulo_id
    )
    filas = (await session.execute(consulta)).all()
    return {articulo: (int(s or 0), int(n or 0)) for articulo, s, n in filas}
