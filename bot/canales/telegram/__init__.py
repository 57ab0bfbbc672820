"""Canal Telegram con python-telegram-bot: sondeo o webhook, botones, documentos y límites."""

import os

# PTB 22 avisa (PTBDeprecationWarning) que los plazos como `retry_after` serán timedelta;
# se adopta ya ese comportamiento para no depender del aviso.
os.environ.setdefault("PTB_TIMEDELTA", "true")
