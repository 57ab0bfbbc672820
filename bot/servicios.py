"""La raíz de composición: arma las piezas del asistente a partir de los ajustes (una vez por
proceso). Nada del asistente importa este módulo; solo `app`, `cli` y las pruebas."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.config import Ajustes
from bot.db.sesion import Almacen
from bot.documentos.almacen import AlmacenDocumentos
from bot.escalamiento.servicios import MensajeroAsesores
from bot.modulos import armar_motor
from bot.motor.motor import Motor
from bot.nlu.replicas import GrupoNLU
from bot.nucleo.emisores import RegistroEmisores


@dataclass
class Servicios:
    """Las piezas compartidas. Cumple los protocolos que declaran quienes las usan
    (`ServiciosEscalamiento`, `ServiciosAcciones`, `ServiciosCanal`)."""

    ajustes: Ajustes
    almacen: Almacen
    documentos: AlmacenDocumentos
    motor: Motor
    nlu: GrupoNLU | None = None
    emisores: RegistroEmisores = field(default_factory=RegistroEmisores)
    """El emisor de cada canal que puede escribir sin que le escriban (lo registra el canal)."""
    mensajero_asesores: MensajeroAsesores | None = None
    """Los avisos a asesores (lo pone el canal de Telegram al arrancar)."""

    async def cerrar(self) -> None:
        """Cierra conexiones y clientes."""
        if self.nlu is not None:
            await self.nlu.cerrar()
        await self.almacen.cerrar()


def crear_servicios(ajustes: Ajustes, con_nlu: bool = True) -> Servicios:
    """Crea el almacén, el cliente NLU y el motor con su tabla de rutas."""
    almacen = Almacen(ajustes.database_url)
    documentos = AlmacenDocumentos(ajustes.documentos_dir)
    nlu = (GrupoNLU(ajustes.nlu_url, token=ajustes.nlu_token, timeout_s=ajustes.nlu_timeout_s,
                    max_cache=ajustes.nlu_cache) if con_nlu else None)
    motor = Motor(almacen, documentos, confianza_minima=ajustes.nlu_confianza_minima,
                  maximo_archivo=ajustes.documento_max_bytes)
    servicios = Servicios(ajustes=ajustes, almacen=almacen, documentos=documentos, motor=motor,
                          nlu=nlu)
    armar_motor(motor, servicios, nlu)
    return servicios
