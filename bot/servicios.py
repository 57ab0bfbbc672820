"""Arma las piezas del asistente a partir de los ajustes (una vez por proceso)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from bot.canales.emisores import RegistroEmisores
from bot.config import Ajustes
from bot.db.sesion import Almacen
from bot.documentos.almacen import AlmacenDocumentos
from bot.motor.motor import Motor

log = logging.getLogger(__name__)


@dataclass
class Servicios:
    """Las piezas compartidas: almacén, documentos, motor y clientes externos."""

    ajustes: Ajustes
    almacen: Almacen
    documentos: AlmacenDocumentos
    motor: Motor
    nlu: Any | None = None
    emisores: RegistroEmisores = field(default_factory=RegistroEmisores)
    extras: dict[str, Any] = field(default_factory=dict)

    async def cerrar(self) -> None:
        """Cierra conexiones y clientes."""
        if self.nlu is not None and hasattr(self.nlu, "cerrar"):
            await self.nlu.cerrar()
        await self.almacen.cerrar()


def crear_servicios(ajustes: Ajustes, con_nlu: bool = True) -> Servicios:
    """Crea el almacén, el motor y conecta los módulos que estén disponibles."""
    almacen = Almacen(ajustes.database_url)
    documentos = AlmacenDocumentos(ajustes.documentos_dir)
    motor = Motor(almacen, documentos, confianza_minima=ajustes.nlu_confianza_minima)
    motor.maximo_archivo = ajustes.documento_max_bytes
    servicios = Servicios(ajustes=ajustes, almacen=almacen, documentos=documentos, motor=motor)
    from bot import modulos

    modulos.conectar(servicios, con_nlu=con_nlu)
    return servicios
