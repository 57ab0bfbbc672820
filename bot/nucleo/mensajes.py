"""Mensajes neutrales respecto del canal: lo que entra y lo que sale del motor."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Canal(str, Enum):
    """Canales por los que llega un usuario."""

    REST = "rest"
    WEB = "web"
    TERMINAL = "terminal"
    TELEGRAM = "telegram"
    WHATSAPP = "whatsapp"

    @property
    def admite_archivos(self) -> bool:
        """¿La persona puede enviar archivos por este canal? REST (integradores) y la
        terminal solo llevan texto y botones."""
        return self in (Canal.WEB, Canal.TELEGRAM, Canal.WHATSAPP)


@dataclass(frozen=True)
class ArchivoEntrante:
    """Un archivo que envió el usuario, ya descargado por el adaptador del canal."""

    nombre: str
    mime: str
    contenido: bytes


@dataclass(frozen=True)
class MensajeEntrante:
    """Lo que un adaptador de canal entrega al motor.

    `payload` viene cuando el usuario pulsó un botón; `texto` cuando escribió.
    `id_mensaje` es el id del mensaje en la plataforma (para descartar reenvíos);
    `tipo_no_soportado` nombra lo que llegó y no se admite (sticker, nota de voz…).
    """

    canal: Canal
    id_usuario: str
    id_mensaje: str
    texto: str = ""
    payload: str | None = None
    archivo: ArchivoEntrante | None = None
    nombre_usuario: str | None = None
    tipo_no_soportado: str | None = None


@dataclass(frozen=True)
class Boton:
    """Un botón: el título que ve el usuario y el payload que regresa al pulsarlo."""

    titulo: str
    payload: str


@dataclass(frozen=True)
class DocumentoSaliente:
    """Un archivo que el asistente envía (ficha PDF, borrador DOCX…)."""

    nombre: str
    mime: str
    contenido: bytes


@dataclass
class Respuesta:
    """Una respuesta neutral: texto (Markdown mínimo: *negritas*), botones o un documento.

    `enlace` es la URL de la fuente cuando el canal puede mostrarla.
    """

    texto: str = ""
    botones: list[Boton] = field(default_factory=list)
    documento: DocumentoSaliente | None = None
    enlace: str | None = None
