"""Envío de mensajes por iniciativa del asistente (respuesta de un asesor, cambio de estatus).

Las respuestas a un mensaje del usuario viajan en la respuesta del canal; lo que sale sin
que el usuario haya escrito (un asesor contesta, cambia el estatus del caso, un aviso) pasa
por el emisor de su canal. Cada canal registra el suyo al arrancar.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from bot.db.estados import EstadoEnvio
from bot.nucleo.mensajes import Respuesta


@dataclass(frozen=True)
class ResultadoEnvio:
    """Qué pasó con un envío: enviado, enviado como plantilla (WhatsApp > 24 h), por
    reintentar (falla pasajera), fallido o bloqueado (se anota tal cual en `Mensaje.envio`)."""

    estado: EstadoEnvio
    detalle: str = ""


class Emisor(Protocol):
    """Lo que implementa cada canal para enviar por su cuenta."""

    async def enviar(
        self,
        id_usuario: str,
        respuestas: list[Respuesta],
        ultimo_mensaje_usuario: dt.datetime | None,
        plantilla: str | None = None,
    ) -> ResultadoEnvio:
        """Envía al usuario del canal. `plantilla` nombra la plantilla aprobada a usar si la
        ventana de 24 h de WhatsApp está cerrada (otros canales la ignoran)."""
        ...


class RegistroEmisores:
    """Emisores por canal; los canales sin emisor (REST, terminal) guardan el mensaje y el
    usuario lo ve en su siguiente consulta."""

    def __init__(self) -> None:
        self._emisores: dict[str, Emisor] = {}

    def registrar(self, canal: str, emisor: Emisor) -> None:
        """Registra (o reemplaza) el emisor de un canal."""
        self._emisores[canal] = emisor

    def de(self, canal: str) -> Emisor | None:
        """El emisor del canal, si tiene."""
        return self._emisores.get(canal)
