"""Filtro de bitácora que oculta datos personales que se hayan colado en un evento.

La bitácora debe llevar ids, no nombres ni teléfonos. Este filtro es la red de seguridad:
enmascara correos, teléfonos y nombres rotulados en el mensaje, en los campos `extra` y en
el texto de la excepción. Instálelo en el manejador (no en un logger) para que cubra los
eventos de todos los módulos:

    manejador.addFilter(FiltroDatosPersonales())

El texto de la excepción enmascarado queda en `record.exc_text` (que usa
`logging.Formatter`) y en `record.error` si ese campo no existía (lo toma un formateador
JSON que vuelca los campos `extra`); `record.exc_info` se vacía para que nadie vuelva a
formatear la excepción original.
"""

from __future__ import annotations

import logging
import traceback

from bot.privacidad.enmascarar import enmascarar, enmascarar_valor

_CAMPOS_ESTANDAR = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class FiltroDatosPersonales(logging.Filter):
    """Enmascara datos personales en cada evento; nunca descarta eventos."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            mensaje = record.getMessage()
        except Exception:  # noqa: BLE001 — un formato roto no debe tumbar la bitácora
            mensaje = str(record.msg)
        record.msg = enmascarar(mensaje)
        record.args = None
        for clave, valor in list(vars(record).items()):
            if clave not in _CAMPOS_ESTANDAR:
                setattr(record, clave, enmascarar_valor({clave: valor})[clave])
        if record.exc_info and record.exc_info[0] is not None:
            texto = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            record.exc_text = enmascarar(texto)
            record.exc_info = None
            if not hasattr(record, "error"):
                record.error = record.exc_text
        elif record.exc_text:
            record.exc_text = enmascarar(record.exc_text)
        if record.stack_info:
            record.stack_info = enmascarar(record.stack_info)
        return True
