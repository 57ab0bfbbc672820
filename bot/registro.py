"""Bitácora estructurada (una línea JSON por evento), sin datos personales: solo ids."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

from bot.privacidad.bitacora import FiltroDatosPersonales

_CAMPOS_ESTANDAR = set(vars(logging.makeLogRecord({})))


class FormatoJSON(logging.Formatter):
    """Da formato JSON con los campos `extra` del evento."""

    def format(self, record: logging.LogRecord) -> str:
        datos: dict[str, Any] = {
            "t": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "nivel": record.levelname.lower(),
            "origen": record.name,
            "evento": record.getMessage(),
        }
        datos.update({k: v for k, v in vars(record).items() if k not in _CAMPOS_ESTANDAR})
        if record.exc_info:
            datos["error"] = self.formatException(record.exc_info)
        return json.dumps(datos, ensure_ascii=False, default=str)


def configurar(nivel: str = "INFO") -> None:
    """Bitácora a stderr en JSON; silencia el detalle de bibliotecas ruidosas."""
    manejador = logging.StreamHandler(sys.stderr)
    manejador.setFormatter(FormatoJSON())
    manejador.addFilter(FiltroDatosPersonales())
    raiz = logging.getLogger()
    raiz.handlers[:] = [manejador]
    raiz.setLevel(nivel)
    ruidosos = ("httpx", "httpcore", "telegram", "aiosqlite", "apscheduler", "bm25s", "fontTools")
    for ruidoso in ruidosos:
        logging.getLogger(ruidoso).setLevel(logging.WARNING)
