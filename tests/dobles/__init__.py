"""Dobles de prueba de las plataformas (Telegram Bot API, Graph API de WhatsApp) y ayudantes
para conversar con el asistente por cada canal."""
