"""Límite de intentos de acceso al panel, compartido entre procesos.

Los intentos viven en la base (`IntentoAcceso`): en una misma transacción de escritura se
cuentan los del último minuto y se registra el nuevo. En SQLite esa transacción empieza con
BEGIN IMMEDIATE (una a la vez); en PostgreSQL, un candado consultivo por clave ordena a los
procesos. Como en una ventana móvil, un intento rechazado no se registra.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.modelos import IntentoAcceso, ahora
from bot.db.sesion import Almacen

VENTANA = dt.timedelta(minutes=1)
CONSERVAR = dt.timedelta(hours=1)
BORRAR_POR_VEZ = 200
LIMITE_IP = 10
LIMITE_CORREO = 5
_ESPACIO_ACCESO = 0x5041  # «PA»: separa estos candados de los de conversación («CH»)


def claves(ip: str, correo: str) -> dict[str, int]:
    """La clave de cada contador (correo en minúsculas) y su límite por ventana."""
    return {f"ip:{ip}"[:255]: LIMITE_IP,
            f"correo:{correo.strip().lower()}"[:255]: LIMITE_CORREO}


def _candado(clave: str) -> int:
    """Entero de 32 bits con signo, estable entre procesos, para pg_advisory_xact_lock."""
    resumen = hashlib.blake2b(clave.encode(), digest_size=4).digest()
    return int.from_bytes(resumen, "big", signed=True)


async def _purgar(s: AsyncSession, antes_de: dt.datetime) -> None:
    """Borra un lote acotado de intentos viejos; no espera filas que otro ya está borrando."""
    viejos = (select(IntentoAcceso.id).where(IntentoAcceso.momento < antes_de)
              .limit(BORRAR_POR_VEZ).with_for_update(skip_locked=True))
    await s.execute(delete(IntentoAcceso).where(IntentoAcceso.id.in_(viejos)),
                    execution_options={"synchronize_session": False})


async def olvidar_intentos(s: AsyncSession, momento: dt.datetime) -> int:
    """Borra todos los intentos de más de `CONSERVAR` (lo llama la retención diaria, para que
    IPs y correos no se queden si nadie vuelve a entrar). Devuelve cuántos borró."""
    resultado = await s.execute(delete(IntentoAcceso).where(
        IntentoAcceso.momento < momento - CONSERVAR),
        execution_options={"synchronize_session": False})
    return int(getattr(resultado, "rowcount", 0) or 0)


class LimiteAcceso:
    """Intentos de acceso por IP y por correo (ventana móvil de un minuto, en la base)."""

    def __init__(self, almacen: Almacen) -> None:
        self._almacen = almacen

    async def permitir(self, ip: str, correo: str) -> bool:
        """Cuenta un intento; False si la IP o el correo ya llegaron a su límite."""
        momento = ahora()
        limites = claves(ip, correo)
        async with self._almacen.escritura() as s:
            await _purgar(s, momento - CONSERVAR)
            if self._almacen.motor.dialect.name == "postgresql":
                for candado in sorted({_candado(c) for c in limites}):  # orden fijo: sin ciclos
                    await s.execute(text("SELECT pg_advisory_xact_lock(:espacio, :id)"),
                                    {"espacio": _ESPACIO_ACCESO, "id": candado})
            permitido = True
            for clave, limite in limites.items():
                recientes = await s.scalar(
                    select(func.count()).select_from(IntentoAcceso).where(
                        IntentoAcceso.clave == clave, IntentoAcceso.momento > momento - VENTANA))
                if (recientes or 0) < limite:
                    s.add(IntentoAcceso(clave=clave, momento=momento))
                else:
                    permitido = False
        return permitido
