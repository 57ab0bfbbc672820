"""Efectos que piden los flujos (guardar perfil, crear caso, pasar con un asesor…).

Importar el paquete registra todas las acciones (ver `registro`)."""

from bot.acciones import casos, perfil, traspaso
from bot.acciones.registro import Accion, ServiciosAcciones, acciones, nombres_de_acciones

__all__ = ["Accion", "ServiciosAcciones", "acciones", "casos", "nombres_de_acciones", "perfil",
           "traspaso"]
