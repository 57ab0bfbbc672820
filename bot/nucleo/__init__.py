"""El núcleo: lo que todo el asistente puede importar y que no importa nada de las funciones."""
