"""Canal Telegram con python-telegram-bot: sondeo o webhook, botones, documentos y límites."""
