"""Canal WhatsApp Cloud API con pywa (async): webhook firmado, botones y listas, documentos,
marcar como leído y la ventana de 24 h (fuera de ella, plantillas aprobadas)."""
