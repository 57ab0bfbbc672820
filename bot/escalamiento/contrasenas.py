"""Contraseñas de asesores: hash argon2id (argon2-cffi) y verificación en tiempo parejo."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_HASHER = PasswordHasher()
_HASH_FALSO = _HASHER.hash("contrasena-que-nadie-usa")
MINIMO = 10


class ContrasenaDebil(ValueError):
    """La contraseña no cumple el largo mínimo."""


def cifrar(contrasena: str) -> str:
    """El hash argon2id de la contraseña (exige al menos `MINIMO` caracteres)."""
    if len(contrasena) < MINIMO:
        raise ContrasenaDebil(f"La contraseña debe tener al menos {MINIMO} caracteres.")
    return _HASHER.hash(contrasena)


def verificar(hash_guardado: str | None, contrasena: str) -> bool:
    """¿Coincide la contraseña? Sin hash se compara contra uno falso para no delatar cuentas."""
    try:
        return _HASHER.verify(hash_guardado or _HASH_FALSO, contrasena) and bool(hash_guardado)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
