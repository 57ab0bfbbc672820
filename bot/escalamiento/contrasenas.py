"""Contraseñas de asesores: hash argon2id (argon2-cffi) y verificación en tiempo parejo.

argon2 gasta a propósito decenas de milisegundos de CPU (y 64 MiB) por cálculo. Por eso
nunca corre en el bucle de eventos: `cifrar` y `verificar` lo mandan a un grupo de
`HILOS` hilos propio del proceso (argon2-cffi suelta el GIL mientras calcula). Cuarenta
intentos de acceso a la vez hacen fila ahí, sin detener los mensajes del chat, y no ocupan
más de `HILOS` núcleos ni más memoria que esos `HILOS` cálculos.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

HILOS = 2
_HASHER = PasswordHasher()
_HASH_FALSO = _HASHER.hash("contrasena-que-nadie-usa")
_HILOS = ThreadPoolExecutor(max_workers=HILOS, thread_name_prefix="argon2")
MINIMO = 10


class ContrasenaDebil(ValueError):
    """La contraseña no cumple el largo mínimo."""


def _cifrar(contrasena: str) -> str:
    return _HASHER.hash(contrasena)


def _verificar(hash_guardado: str | None, contrasena: str) -> bool:
    try:
        return _HASHER.verify(hash_guardado or _HASH_FALSO, contrasena) and bool(hash_guardado)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def cifrar(contrasena: str) -> str:
    """El hash argon2id de la contraseña (exige al menos `MINIMO` caracteres), calculado fuera
    del bucle de eventos."""
    if len(contrasena) < MINIMO:
        raise ContrasenaDebil(f"La contraseña debe tener al menos {MINIMO} caracteres.")
    return await asyncio.get_running_loop().run_in_executor(_HILOS, _cifrar, contrasena)


async def verificar(hash_guardado: str | None, contrasena: str) -> bool:
    """¿Coincide la contraseña? Sin hash se compara contra uno falso para no delatar cuentas.
    Se calcula fuera del bucle de eventos."""
    return await asyncio.get_running_loop().run_in_executor(
        _HILOS, _verificar, hash_guardado, contrasena)
