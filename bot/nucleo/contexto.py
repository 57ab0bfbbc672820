"""Lo que una ruta del motor ve de un mensaje mientras lo procesa."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.modelos import Conversacion, Mensaje, Usuario
from bot.db.sesion import Almacen
from bot.nucleo.comandos import Comando
from bot.nucleo.mensajes import Respuesta


@dataclass
class Contexto:
    """Un mensaje en proceso: la sesión abierta (unidad de trabajo), quién, qué y el análisis.

    `almacen` sirve a lo que necesite su propia sesión."""

    almacen: Almacen
    sesion: AsyncSession
    usuario: Usuario
    conversacion: Conversacion
    mensaje: Mensaje
    texto: str
    payload: str | None
    comando: Comando | None
    analisis: Any | None  # bot.nlu.analisis.Analisis
    confianza_minima: float = 0.55
    maximo_archivo: int = 10 * 1024 * 1024
    primera_vez: bool = False
    no_entendido: bool = False
    notas: dict[str, Any] = field(default_factory=dict)
    trabajos: list[int] = field(default_factory=list)
    """Trabajos de documentos (`trabajo_documentos`) pedidos en esta transacción: el motor
    los corre tras confirmarla, fuera del candado de escritura, y guarda sus respuestas
    aparte."""

    @property
    def canal(self) -> str:
        """Canal del usuario (rest, terminal, telegram, whatsapp)."""
        return self.usuario.canal

    @property
    def intent(self) -> str | None:
        """El intent del análisis, si lo hubo y supera la confianza mínima."""
        if self.analisis is None or self.analisis.intent is None:
            return None
        if self.analisis.confianza < self.confianza_minima:
            return None
        return str(self.analisis.intent)


Ruta = Callable[[Contexto], Awaitable[list[Respuesta] | None]]
"""Una ruta atiende el mensaje (devuelve respuestas) o lo deja pasar (None)."""
