"""Aviso a la oficina estatal de un caso nuevo o actualizado y la confirmación que ve la persona
(los llaman los flujos de registro y de actualización)."""

from __future__ import annotations

import html
import logging
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.diferidos import al_confirmar
from bot.db.modelos import Caso, Estado, Municipio, ahora
from bot.escalamiento import avisos
from bot.escalamiento.disponibilidad import disponibilidad
from bot.escalamiento.enrutamiento import destinatarios
from bot.escalamiento.textos import texto

if TYPE_CHECKING:
    from bot.escalamiento.servicios import ServiciosEscalamiento

log = logging.getLogger(__name__)


async def notificar_caso_nuevo(servicios: ServiciosEscalamiento,
                               sesion: AsyncSession, caso: Caso) -> None:
    """Tras confirmar, avisa por Telegram a los asesores del estado (o a quien siga en la
    cadena) que se registró el caso, con botón «Ver caso». Sin Telegram no hace nada."""
    if servicios.mensajero_asesores is None:
        return
    _nivel, personas = await destinatarios(sesion, caso.estado_id)
    estado = await sesion.get(Estado, caso.estado_id)
    municipio = await sesion.get(Municipio, caso.municipio_id)
    cuerpo = (f"<b>Caso nuevo {html.escape(caso.folio)}</b>\n"
              f"{html.escape(municipio.nombre if municipio else '')}, "
              f"{html.escape(estado.nombre if estado else '')}\n"
              f"{html.escape(caso.tipo.replace('_', ' '))} con "
              f"{html.escape(caso.ciudad_contraparte)}, {html.escape(caso.pais_contraparte)}\n"
              f"Use /caso {html.escape(caso.folio)} para verlo.")
    ids = [p.id for p in personas if p.telegram_id]

    async def enviar() -> None:
        for asesor_id in ids:
            await avisos.enviar_a_asesor(servicios, asesor_id, cuerpo)

    al_confirmar(sesion, enviar)
    log.info("caso nuevo notificado", extra={"caso_id": caso.id, "asesores": len(ids)})


async def notificar_caso_actualizado(servicios: ServiciosEscalamiento, sesion: AsyncSession,
                                     caso: Caso, cambio: str) -> int:
    """Tras confirmar, avisa por Telegram a los asesores del estado (o a quien siga en la
    cadena) que la persona cambió un dato del caso; devuelve a cuántos. El cambio queda
    además como evento del caso, que el panel muestra."""
    if servicios.mensajero_asesores is None:
        return 0
    _nivel, personas = await destinatarios(sesion, caso.estado_id)
    cuerpo = (f"<b>Caso actualizado {html.escape(caso.folio)}</b>\n{html.escape(cambio)}\n"
              f"Use /caso {html.escape(caso.folio)} para verlo.")
    ids = [p.id for p in personas if p.telegram_id]

    async def enviar() -> None:
        for asesor_id in ids:
            await avisos.enviar_a_asesor(servicios, asesor_id, cuerpo)

    if ids:
        al_confirmar(sesion, enviar)
    log.info("caso actualizado notificado", extra={"caso_id": caso.id, "asesores": len(ids)})
    return len(ids)


async def texto_caso_registrado(servicios: ServiciosEscalamiento, sesion: AsyncSession,
                                caso: Caso) -> str:
    """La confirmación de un caso nuevo, con lo que de verdad pasó: quedó registrado y lo ve
    la oficina del estado, o está en la cola nacional (SRE) porque el estado no tiene asesores
    en el asistente, o nadie lo revisa aún (con el contacto de la oficina, si se conoce)."""
    d = await disponibilidad(sesion, caso.estado_id, servicios.ajustes.zona_horaria, ahora(),
                             servicios.ajustes.directorio_oficinas)
    return texto("caso_registrado.txt.j2", folio=caso.folio, **d.variables())
