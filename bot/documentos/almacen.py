"""Almacén de archivos en disco, direccionado por contenido (sha256)."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

TIPOS_ADMITIDOS = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "image/jpeg": ".jpg",
    "image/png": ".png",
}

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ArchivoGuardado:
    """Un archivo ya escrito en el almacén."""

    sha256: str
    ruta: Path
    tamano: int


SIN_ARCHIVO = ("(El archivo ya no está disponible. Puede pedirlo de nuevo desde el menú "
               "o con un asesor.)")
"""Lo que se agrega al texto de un mensaje cuyo documento ya no está en el disco."""


class AlmacenDocumentos:
    """Guarda bytes bajo `raiz/ab/abcdef…ext`; el mismo contenido se guarda una sola vez."""

    def __init__(self, raiz: Path) -> None:
        self.raiz = raiz

    def guardar(self, contenido: bytes, mime: str) -> ArchivoGuardado:
        """Escribe el archivo de forma atómica (temporal + rename) y lo sincroniza a disco."""
        sha = hashlib.sha256(contenido).hexdigest()
        ruta = self.raiz / sha[:2] / (sha + TIPOS_ADMITIDOS.get(mime, ".bin"))
        if not ruta.exists():
            ruta.parent.mkdir(parents=True, exist_ok=True)
            temporal = ruta.with_suffix(ruta.suffix + ".tmp")
            with open(temporal, "wb") as f:
                f.write(contenido)
                f.flush()
                os.fsync(f.fileno())
            os.replace(temporal, ruta)
        return ArchivoGuardado(sha, ruta, len(contenido))

    async def guardar_sin_bloquear(self, contenido: bytes, mime: str) -> ArchivoGuardado:
        """`guardar` en un hilo: la escritura y su `fsync` (milisegundos, a veces decenas con
        el disco ocupado) no detienen el bucle que atiende a los demás usuarios."""
        return await asyncio.to_thread(self.guardar, contenido, mime)

    def leer(self, ruta: str | Path) -> bytes:
        """El contenido de un archivo guardado."""
        return Path(ruta).read_bytes()

    def leer_si_existe(self, ruta: str | Path) -> bytes | None:
        """El contenido, o None si el archivo ya no está (p. ej. se borró del disco)."""
        try:
            return Path(ruta).read_bytes()
        except FileNotFoundError:
            log.warning("falta en el disco un documento guardado")
            return None
