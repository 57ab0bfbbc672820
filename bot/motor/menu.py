"""El menú principal como botones neutrales."""

from __future__ import annotations

from bot.motor.textos import texto
from bot.nucleo.mensajes import Boton, Respuesta

OPCIONES_MENU: tuple[Boton, ...] = (
    Boton("¿Qué es un hermanamiento?", "/tema que_es_hermanamiento"),
    Boton("Requisitos", "/iniciar requisitos"),
    Boton("Registrar iniciativa", "/iniciar registro_iniciativa"),
    Boton("Seguimiento", "/iniciar seguimiento"),
    Boton("Comité ciudadano", "/iniciar comite"),
    Boton("Hablar con un asesor", "/asesor"),
)


def respuesta_menu(encabezado: str | None = None) -> Respuesta:
    """El menú principal, con un encabezado opcional antes de la invitación."""
    cuerpo = texto("menu")
    return Respuesta(texto=f"{encabezado}\n\n{cuerpo}" if encabezado else cuerpo,
                     botones=list(OPCIONES_MENU))
