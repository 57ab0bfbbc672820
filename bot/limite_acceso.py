"""Límites de acceso del panel y de la vinculación de Telegram, compartidos entre procesos.

Todo vive en la base y se decide en una transacción de escritura (SQLite: BEGIN IMMEDIATE, una
a la vez; PostgreSQL: un candado consultivo por clave, en orden fijo). Dos mecanismos:

- **Ventana móvil por IP** (`IntentoAcceso`, «ip:…»): `LIMITE_IP` intentos por minuto desde
  una IP, a cualquier cuenta (frena a quien prueba muchas cuentas). Un intento rechazado no se
  registra.
- **Fallos seguidos con espera creciente** (`BloqueoAcceso`, una fila por clave, la clave es
  un resumen: no guarda correos ni IPs). Cada `Regla` deja `libres` intentos sin esperar; a
  partir de ahí, entre un intento y el siguiente hay que esperar `espera_base`, luego el doble,
  y así hasta `espera_maxima`. Un intento que se rechaza por esperar no cuenta.

  - `POR_CUENTA_E_IP`: la cuenta desde esa IP (5 libres; 1 min, 2, 4… hasta 1 h). La misma
    cuenta desde otra IP no espera: quien adivina no deja fuera a la asesora.
  - `POR_CUENTA`: la cuenta desde dispositivos que no conoce (20 libres; luego igual). Una IP
    se puede falsear o cambiar; un dispositivo donde la asesora ya entró (cookie firmada del
    panel) no cuenta aquí, así que ella sigue entrando aunque alguien pruebe desde muchas IPs.
  - `VINCULACION`: una cuenta de Telegram que prueba códigos de `/vincular` (5 fallos; luego
    24 h).

  En el panel cada intento cuenta como fallo hasta que la contraseña resulta correcta (así
  los intentos simultáneos no rebasan la regla); un acceso correcto borra sus filas.

Al pasar (y en la retención diaria) se borran los intentos de más de una hora y los fallos sin
movimiento en más de un día.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.modelos import BloqueoAcceso, IntentoAcceso, ahora
from bot.db.sesion import Almacen

VENTANA = dt.timedelta(minutes=1)
CONSERVAR = dt.timedelta(hours=1)
OLVIDAR_FALLOS = dt.timedelta(days=1)
BORRAR_POR_VEZ = 200
LIMITE_IP = 10
_ESPACIO_ACCESO = 0x5041  # «PA»: separa estos candados de los de conversación («CH»)


@dataclass(frozen=True)
class Regla:
    """Cuántos fallos seguidos se permiten sin esperar y cómo crece la espera después."""

    libres: int
    espera_base: dt.timedelta
    espera_maxima: dt.timedelta

    def espera(self, fallos: int) -> dt.timedelta:
        """Lo que hay que esperar tras el último de `fallos` fallos seguidos."""
        if fallos < self.libres:
            return dt.timedelta(0)
        return min(self.espera_base * 2 ** min(fallos - self.libres, 20), self.espera_maxima)


POR_CUENTA_E_IP = Regla(5, dt.timedelta(minutes=1), dt.timedelta(hours=1))
POR_CUENTA = Regla(20, dt.timedelta(minutes=1), dt.timedelta(hours=1))
VINCULACION = Regla(5, dt.timedelta(hours=24), dt.timedelta(hours=24))


def _resumen(*partes: str) -> str:
    return hashlib.blake2b("\x1f".join(partes).encode(), digest_size=16).hexdigest()


def normalizar_correo(correo: str) -> str:
    """El correo como se cuenta: sin espacios y en minúsculas."""
    return correo.strip().lower()


def seudonimo(correo: str) -> str:
    """Un identificador estable de la cuenta que no es el correo (bitácora, cookie del
    dispositivo)."""
    return _resumen("cuenta", normalizar_correo(correo))[:16]


def clave_par(correo: str, ip: str) -> str:
    """Clave de la cuenta desde esa IP."""
    return "par:" + _resumen(normalizar_correo(correo), ip)


def clave_cuenta(correo: str) -> str:
    """Clave de la cuenta desde dispositivos que no conoce."""
    return "cuenta:" + _resumen(normalizar_correo(correo))


def clave_vinculacion(telegram_id: int | str) -> str:
    """Clave de la cuenta de Telegram que prueba códigos de `/vincular`."""
    return "vincular:" + _resumen(str(telegram_id))


def _utc(momento: dt.datetime) -> dt.datetime:
    return momento if momento.tzinfo else momento.replace(tzinfo=dt.timezone.utc)


def _candado(clave: str) -> int:
    """Entero de 32 bits con signo, estable entre procesos, para pg_advisory_xact_lock."""
    resumen = hashlib.blake2b(clave.encode(), digest_size=4).digest()
    return int.from_bytes(resumen, "big", signed=True)


async def ordenar(s: AsyncSession, claves: Iterable[str]) -> None:
    """En PostgreSQL, toma el candado de cada clave (orden fijo: sin ciclos) hasta el final de
    la transacción; en SQLite, BEGIN IMMEDIATE ya las ordena."""
    if (await s.connection()).dialect.name != "postgresql":
        return
    for candado in sorted({_candado(c) for c in claves}):
        await s.execute(text("SELECT pg_advisory_xact_lock(:espacio, :id)"),
                        {"espacio": _ESPACIO_ACCESO, "id": candado})


async def espera_pendiente(s: AsyncSession, clave: str, regla: Regla,
                           momento: dt.datetime) -> dt.timedelta:
    """Cuánto falta para poder intentar de nuevo con esa clave (cero: ya puede). La fila
    queda tomada (FOR UPDATE) hasta el final de la transacción: la purga no la borra a media
    cuenta."""
    fila = await s.get(BloqueoAcceso, clave, with_for_update=True)
    espera = regla.espera(fila.fallos) if fila is not None else dt.timedelta(0)
    if fila is None or not espera:
        return dt.timedelta(0)
    # `momento` se tomó antes de esperar el candado: otro intento pudo anotar uno posterior.
    return max(_utc(fila.ultimo) + espera - momento, dt.timedelta(0))


async def contar_fallo(s: AsyncSession, clave: str, momento: dt.datetime) -> int:
    """Suma un fallo a la clave; devuelve cuántos lleva seguidos."""
    fila = await s.get(BloqueoAcceso, clave, with_for_update=True)
    if fila is None:
        fila = BloqueoAcceso(clave=clave, fallos=0, ultimo=momento)
        s.add(fila)
    fila.fallos += 1
    fila.ultimo = max(_utc(fila.ultimo), momento)
    await s.flush()
    return fila.fallos


async def olvidar_fallos(s: AsyncSession, *claves: str) -> None:
    """Borra los fallos de esas claves (tras un acceso correcto)."""
    await s.execute(delete(BloqueoAcceso).where(BloqueoAcceso.clave.in_(claves)),
                    execution_options={"synchronize_session": False})


async def _purgar(s: AsyncSession, momento: dt.datetime) -> None:
    """Borra un lote acotado de intentos de más de `CONSERVAR` y de fallos sin movimiento en
    más de `OLVIDAR_FALLOS`; no espera filas que otro ya está borrando."""
    viejos = (select(IntentoAcceso.id).where(IntentoAcceso.momento < momento - CONSERVAR)
              .limit(BORRAR_POR_VEZ).with_for_update(skip_locked=True))
    await s.execute(delete(IntentoAcceso).where(IntentoAcceso.id.in_(viejos)),
                    execution_options={"synchronize_session": False})
    olvidados = (select(BloqueoAcceso.clave)
                 .where(BloqueoAcceso.ultimo < momento - OLVIDAR_FALLOS)
                 .limit(BORRAR_POR_VEZ).with_for_update(skip_locked=True))
    await s.execute(delete(BloqueoAcceso).where(BloqueoAcceso.clave.in_(olvidados)),
                    execution_options={"synchronize_session": False})


async def olvidar_intentos(s: AsyncSession, momento: dt.datetime) -> int:
    """Borra los intentos de más de `CONSERVAR` y los fallos sin movimiento en más de
    `OLVIDAR_FALLOS` (lo llama la retención diaria, para que nada se quede si nadie vuelve a
    entrar). Devuelve cuántas filas borró."""
    intentos = await s.execute(delete(IntentoAcceso).where(
        IntentoAcceso.momento < momento - CONSERVAR),
        execution_options={"synchronize_session": False})
    fallos = await s.execute(delete(BloqueoAcceso).where(
        BloqueoAcceso.ultimo < momento - OLVIDAR_FALLOS),
        execution_options={"synchronize_session": False})
    return sum(int(getattr(r, "rowcount", 0) or 0) for r in (intentos, fallos))


@dataclass(frozen=True)
class Decision:
    """Si se deja intentar y, si no, por qué y cuántos segundos faltan."""

    permitido: bool
    motivo: str = ""  # ip | cuenta_ip | cuenta
    espera_s: int = 0


class LimiteAcceso:
    """Los límites del acceso al panel (ventana por IP y fallos con espera creciente)."""

    def __init__(self, almacen: Almacen) -> None:
        self._almacen = almacen

    async def permitir(self, ip: str, correo: str, dispositivo_conocido: bool = False,
                       momento: dt.datetime | None = None) -> Decision:
        """Decide si este intento procede y, si procede, lo cuenta (como fallo hasta que
        `acceso_correcto` lo borre)."""
        momento = momento or ahora()
        clave_ip = f"ip:{ip}"[:255]
        reglas = {clave_par(correo, ip): (POR_CUENTA_E_IP, "cuenta_ip")}
        if not dispositivo_conocido:
            reglas[clave_cuenta(correo)] = (POR_CUENTA, "cuenta")
        async with self._almacen.escritura() as s:
            await _purgar(s, momento)
            await ordenar(s, [clave_ip, *reglas])
            recientes = await s.scalar(
                select(func.count()).select_from(IntentoAcceso).where(
                    IntentoAcceso.clave == clave_ip, IntentoAcceso.momento > momento - VENTANA))
            if (recientes or 0) >= LIMITE_IP:
                return Decision(False, "ip", int(VENTANA.total_seconds()))
            for clave, (regla, motivo) in reglas.items():
                falta = await espera_pendiente(s, clave, regla, momento)
                if falta > dt.timedelta(0):
                    return Decision(False, motivo, max(1, int(falta.total_seconds() + 0.999)))
            s.add(IntentoAcceso(clave=clave_ip, momento=momento))
            for clave in reglas:
                await contar_fallo(s, clave, momento)
        return Decision(True)

    async def acceso_correcto(self, ip: str, correo: str) -> None:
        """La contraseña fue correcta: borra los fallos de la cuenta (desde esta IP y desde
        dispositivos desconocidos)."""
        claves = (clave_par(correo, ip), clave_cuenta(correo))
        async with self._almacen.escritura() as s:
            await ordenar(s, claves)
            await olvidar_fallos(s, *claves)
