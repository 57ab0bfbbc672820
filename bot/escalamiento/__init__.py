"""Escalamiento: traspaso de la conversación a un asesor del estado del usuario, relé entre
canales, SLA y estatus de casos. Los comandos de asesores en Telegram viven en el canal
(`bot.canales.telegram.asesores`)."""
