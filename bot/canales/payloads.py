"""Payloads de botones que no caben en la plataforma (Telegram: 64 bytes de callback_data;
WhatsApp: 200 caracteres en filas de lista): se guardan del lado del servidor en
`PayloadBoton` y viaja solo una clave corta «~…»."""

from __future__ import annotations

import hashlib
import weakref

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.db.modelos import PayloadBoton
from bot.db.sesion import Almacen

PREFIJO = "~"


_GUARDADAS: weakref.WeakKeyDictionary[Almacen, set[str]] = weakref.WeakKeyDictionary()
"""Por almacén, las claves que este proceso ya guardó: no hace falta otra transacción."""


def clave_de(payload: str) -> str:
    """La clave estable de un payload (20 hex del sha256)."""
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:20]


def cabe(payload: str, limite_bytes: int) -> bool:
    """¿Puede viajar tal cual? (y no se confunde con una clave)."""
    return len(payload.encode("utf-8")) <= limite_bytes and not payload.startswith(PREFIJO)


async def comprimir(almacen: Almacen, payloads: list[str], limite_bytes: int) -> list[str]:
    """Los datos a enviar por cada payload: el mismo si cabe, o `~clave` guardada."""
    largos = {clave_de(p): p for p in payloads if not cabe(p, limite_bytes)}
    guardadas = _GUARDADAS.setdefault(almacen, set())
    for clave, payload in largos.items():
        if clave in guardadas:  # ya está en la base (las claves no cambian ni se borran)
            continue
        try:
            async with almacen.escritura() as s:
                if await s.get(PayloadBoton, clave) is None:
                    s.add(PayloadBoton(clave=clave, payload=payload))
        except IntegrityError:  # otro proceso la guardó al mismo tiempo: es la misma
            pass
        if len(guardadas) >= 10_000:
            guardadas.clear()
        guardadas.add(clave)
    return [p if cabe(p, limite_bytes) else PREFIJO + clave_de(p) for p in payloads]


async def expandir(almacen: Almacen, dato: str) -> str | None:
    """El payload original de lo que regresó la plataforma (None si la clave no existe)."""
    if not dato.startswith(PREFIJO):
        return dato
    async with almacen.lectura() as s:
        return await s.scalar(
            select(PayloadBoton.payload).where(PayloadBoton.clave == dato[len(PREFIJO):])
        )
