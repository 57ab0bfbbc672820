"""La acción de los pasos que necesitan a una persona: abre un traspaso a un asesor."""

from __future__ import annotations

from typing import Any

from bot.acciones.registro import ServiciosAcciones, accion
from bot.escalamiento.rutas import escalar as abrir_traspaso
from bot.nucleo.contexto import Contexto
from bot.nucleo.mensajes import Respuesta


@accion("escalar")
async def escalar(ctx: Contexto, datos: dict[str, Any], servicios: ServiciosAcciones
                  ) -> list[Respuesta]:
    """Abre el traspaso con el flujo y el paso como detalle."""
    detalle = f"{datos.get('flujo')}/{datos.get('paso')}"
    return await abrir_traspaso(servicios, ctx, "flujo", detalle)
