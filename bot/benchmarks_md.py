"""Escribe secciones de BENCHMARKS.md entre marcadores, con fecha y máquina."""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
from pathlib import Path

from bot.config import RAIZ

ARCHIVO = RAIZ / "BENCHMARKS.md"


def maquina() -> str:
    """Descripción corta de la máquina donde se midió."""
    cpu = platform.processor() or platform.machine()
    try:
        for linea in Path("/proc/cpuinfo").read_text().splitlines():
            if linea.startswith("model name"):
                cpu = linea.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memoria = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memoria = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} núcleos ({cpu}){memoria}, Python {platform.python_version()}"


def escribir_seccion(clave: str, titulo: str, cuerpo: str, archivo: Path = ARCHIVO) -> None:
    """Reemplaza (o agrega) la sección `clave` con un encabezado fechado y el cuerpo dado."""
    fecha = dt.date.today().isoformat()
    bloque = (
        f"<!-- inicio:{clave} -->\n## {titulo}\n\n"
        f"Medido el {fecha} en: {maquina()}.\n\n{cuerpo.strip()}\n<!-- fin:{clave} -->"
    )
    texto = archivo.read_text(encoding="utf-8") if archivo.exists() else "# Mediciones\n"
    marca = re.escape(clave)
    patron = re.compile(rf"<!-- inicio:{marca} -->.*?<!-- fin:{marca} -->", re.S)
    if patron.search(texto):
        texto = patron.sub(lambda _: bloque, texto)
    else:
        texto = texto.rstrip() + "\n\n" + bloque + "\n"
    archivo.write_text(texto, encoding="utf-8")
