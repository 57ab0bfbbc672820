"""El chat web (página, JavaScript, identidad por cookie) y las protecciones HTTP de los canales
que reciben JSON."""
