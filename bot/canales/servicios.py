"""Lo que un canal necesita de la composición (`bot.servicios.Servicios` lo cumple): el motor
y lo que usan los comandos de asesores del escalamiento."""

from __future__ import annotations

from typing import Protocol

from bot.escalamiento.servicios import ServiciosEscalamiento
from bot.motor.motor import Motor


class ServiciosCanal(ServiciosEscalamiento, Protocol):
    """Las piezas compartidas que usa un canal."""

    motor: Motor
