"""Borrar documentos guardados: sus filas, las referencias desde mensajes y, al confirmar la
transacción, sus archivos (los que ningún otro documento usa: el almacén es por contenido).

Sin filas, el enlace firmado de `/documentos/...` (que busca el documento por su sha256) ya
no entrega nada. Lo usan el borrado de datos (bot/privacidad/anonimizar.py) y el vaciado de
lo que manda quien no dio su consentimiento (bot/motor/bandeja.py).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import event, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from bot.db.modelos import Documento, Mensaje

log = logging.getLogger(__name__)


def borrar_archivos_al_confirmar(sesion: AsyncSession, rutas: Iterable[str]) -> None:
    """Borra los archivos del disco cuando la transacción se confirme (no antes: si se
    deshace, los documentos siguen completos)."""
    pendientes = sorted(set(rutas))
    if not pendientes:
        return

    def borrar(_sesion: Session) -> None:
        for ruta in pendientes:
            try:
                Path(ruta).unlink(missing_ok=True)
            except OSError:
                log.warning("no se pudo borrar un documento")

    event.listen(sesion.sync_session, "after_commit", borrar, once=True)


async def quitar(sesion: AsyncSession, documentos: list[Documento]) -> None:
    """Borra los documentos (filas, referencias desde mensajes y, al confirmar, los archivos
    que ningún otro documento usa: el almacén es por contenido)."""
    if not documentos:
        return
    ids = [d.id for d in documentos]
    await sesion.execute(
        update(Mensaje).where(Mensaje.adjunto_id.in_(ids)).values(adjunto_id=None)
        .execution_options(synchronize_session="fetch"))
    rutas = {d.ruta for d in documentos}
    for documento in documentos:
        await sesion.delete(documento)
    await sesion.flush()
    en_uso = set((await sesion.scalars(
        select(Documento.ruta).where(Documento.ruta.in_(rutas)))).all())
    borrar_archivos_al_confirmar(sesion, rutas - en_uso)
