"""El motor: de un mensaje entrante, neutral respecto del canal, a la lista de respuestas."""
