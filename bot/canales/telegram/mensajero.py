"""Los avisos a asesores por Telegram: implementa `MensajeroAsesores` del escalamiento."""

from __future__ import annotations

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from bot.escalamiento.servicios import BotonesAviso


def teclado_aviso(botones: BotonesAviso) -> InlineKeyboardMarkup:
    """Botones Tomar / Ver caso del aviso (el callback lo atienden `asesores.py`)."""
    fila = [InlineKeyboardButton("Ver caso", callback_data=f"esc:v:{botones.escalamiento_id}")]
    if botones.con_tomar:
        fila.insert(0, InlineKeyboardButton("Tomar",
                                            callback_data=f"esc:t:{botones.escalamiento_id}"))
    return InlineKeyboardMarkup([fila])


class MensajeroTelegram:
    """Avisos en HTML de Telegram con el `Bot` del canal."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def enviar(self, chat: str, html: str, botones: BotonesAviso | None = None) -> str:
        """Envía un aviso; devuelve el id del mensaje."""
        mensaje = await self.bot.send_message(
            chat_id=int(chat), text=html, parse_mode="HTML",
            reply_markup=teclado_aviso(botones) if botones else None)
        return str(mensaje.message_id)

    async def editar(self, chat: str, mensaje_id: str, html: str,
                     botones: BotonesAviso | None = None) -> None:
        """Reemplaza el texto de un aviso."""
        await self.bot.edit_message_text(
            chat_id=int(chat), message_id=int(mensaje_id), text=html, parse_mode="HTML",
            reply_markup=teclado_aviso(botones) if botones else None)

    async def enviar_documento(self, chat: str, contenido: bytes, nombre: str,
                               pie_html: str) -> str:
        """Envía un archivo con pie; devuelve el id del mensaje."""
        mensaje = await self.bot.send_document(chat_id=int(chat), document=contenido,
                                               filename=nombre, caption=pie_html,
                                               parse_mode="HTML")
        return str(mensaje.message_id)
