"""Lo que el escalamiento necesita del resto del asistente, declarado aquí (la composición,
`bot.servicios.Servicios`, lo cumple) y el aviso a asesores que implementa un canal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.config import Ajustes
from bot.db.sesion import Almacen
from bot.documentos.almacen import AlmacenDocumentos
from bot.nucleo.emisores import RegistroEmisores


@dataclass(frozen=True)
class BotonesAviso:
    """Los botones de un aviso de traspaso: «Ver caso» y, si sigue en espera, «Tomar»."""

    escalamiento_id: int
    con_tomar: bool


class MensajeroAsesores(Protocol):
    """Cómo llega un aviso a la cuenta de un asesor (hoy, Telegram: lo implementa ese canal).

    `chat` es la cuenta del asesor en el canal; los textos vienen en HTML sencillo (<b>, <i>)
    con todo dato del usuario escapado. Cada envío devuelve el id del mensaje en el canal."""

    async def enviar(self, chat: str, html: str, botones: BotonesAviso | None = None) -> str:
        """Envía un aviso."""
        ...

    async def editar(self, chat: str, mensaje_id: str, html: str,
                     botones: BotonesAviso | None = None) -> None:
        """Reemplaza el texto de un aviso ya enviado."""
        ...

    async def enviar_documento(self, chat: str, contenido: bytes, nombre: str,
                               pie_html: str) -> str:
        """Envía un archivo con un pie de texto."""
        ...


class ServiciosEscalamiento(Protocol):
    """Las piezas compartidas que usa el escalamiento."""

    ajustes: Ajustes
    almacen: Almacen
    documentos: AlmacenDocumentos
    emisores: RegistroEmisores
    mensajero_asesores: MensajeroAsesores | None
