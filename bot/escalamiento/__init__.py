"""Escalamiento: traspaso de la conversación a un asesor del estado del usuario, relé entre
canales, SLA, estatus de casos y comandos de asesores en Telegram."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.db.modelos import Caso
    from bot.servicios import Servicios


def conectar(servicios: Servicios) -> None:
    """Registra las rutas del escalamiento en el motor (ver `conexion.conectar`)."""
    from bot.escalamiento.conexion import conectar as _conectar

    _conectar(servicios)


async def notificar_caso_nuevo(servicios: Servicios, sesion: AsyncSession, caso: Caso) -> None:
    """Avisa a los asesores del estado que llegó un caso nuevo (ver `notificaciones`)."""
    from bot.escalamiento.notificaciones import notificar_caso_nuevo as _notificar

    await _notificar(servicios, sesion, caso)
