"""Repositorio de asesores: alta, listado, baja, vinculación con Telegram y autorización."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.db.modelos import Asesor, Estado
from bot.escalamiento.contrasenas import cifrar
from bot.texto import normalizar

ROLES = ("asesor", "coordinador_estatal", "sre")
NOMBRES_ROL = {"asesor": "asesor estatal", "coordinador_estatal": "coordinación estatal",
               "sre": "coordinación nacional (SRE)"}


class DatoInvalido(ValueError):
    """Un dato del alta no es válido (rol, estado, correo repetido…)."""


async def resolver_estados(sesion: AsyncSession, nombres: list[str]) -> list[Estado]:
    """Estados por clave INEGI, abreviatura, código o nombre (sin importar acentos)."""
    todos = (await sesion.scalars(select(Estado))).all()
    encontrados: list[Estado] = []
    for nombre in nombres:
        buscado = normalizar(nombre)
        estado = next((e for e in todos if buscado in {
            e.clave_inegi, normalizar(e.abreviatura), normalizar(e.codigo), normalizar(e.nombre),
        }), None)
        if estado is None:
            raise DatoInvalido(f"No conozco el estado «{nombre}».")
        if estado not in encontrados:
            encontrados.append(estado)
    return encontrados


async def crear_asesor(
    sesion: AsyncSession, *, nombre: str, email: str, rol: str, contrasena: str,
    estados: list[str], telegram_id: str | None = None,
) -> Asesor:
    """Da de alta un asesor (la contraseña se guarda con argon2id)."""
    if rol not in ROLES:
        raise DatoInvalido(f"El rol debe ser uno de: {', '.join(ROLES)}.")
    email = email.strip().lower()
    if "@" not in email:
        raise DatoInvalido("El correo no parece válido.")
    if await sesion.scalar(select(Asesor.id).where(Asesor.email == email)) is not None:
        raise DatoInvalido("Ya existe un asesor con ese correo.")
    lista = await resolver_estados(sesion, estados)
    if rol != "sre" and not lista:
        raise DatoInvalido("Un asesor o coordinador estatal necesita al menos un estado.")
    asesor = Asesor(nombre=nombre.strip(), email=email, rol=rol, password_hash=cifrar(contrasena),
                    telegram_id=telegram_id or None, activo=True, estados=lista)
    sesion.add(asesor)
    await sesion.flush()
    return asesor


async def listar_asesores(sesion: AsyncSession, incluir_inactivos: bool = False) -> list[Asesor]:
    """Asesores con sus estados, por nombre."""
    consulta = select(Asesor).options(selectinload(Asesor.estados)).order_by(Asesor.nombre)
    if not incluir_inactivos:
        consulta = consulta.where(Asesor.activo.is_(True))
    return list((await sesion.scalars(consulta)).all())


async def desactivar(sesion: AsyncSession, email: str) -> Asesor | None:
    """Da de baja (no borra: sus acciones siguen en la línea de tiempo)."""
    asesor = await sesion.scalar(select(Asesor).where(Asesor.email == email.strip().lower()))
    if asesor is not None:
        asesor.activo = False
        asesor.telegram_id = None
        asesor.codigo_vinculacion = None
    return asesor


async def por_id(sesion: AsyncSession, asesor_id: int) -> Asesor | None:
    """Asesor activo por id, con sus estados."""
    return await sesion.scalar(select(Asesor).options(selectinload(Asesor.estados)).where(
        Asesor.id == asesor_id, Asesor.activo.is_(True)))


async def por_email(sesion: AsyncSession, email: str) -> Asesor | None:
    """Asesor activo por correo."""
    return await sesion.scalar(select(Asesor).options(selectinload(Asesor.estados)).where(
        Asesor.email == email.strip().lower(), Asesor.activo.is_(True)))


async def por_telegram(sesion: AsyncSession, telegram_id: int | str) -> Asesor | None:
    """Asesor activo vinculado a esa cuenta de Telegram."""
    return await sesion.scalar(select(Asesor).options(selectinload(Asesor.estados)).where(
        Asesor.telegram_id == str(telegram_id), Asesor.activo.is_(True)))


async def telegram_ids_activos(sesion: AsyncSession) -> set[str]:
    """Cuentas de Telegram de asesores activos."""
    filas = await sesion.scalars(select(Asesor.telegram_id).where(
        Asesor.activo.is_(True), Asesor.telegram_id.is_not(None)))
    return {str(f) for f in filas.all() if f}


async def nuevo_codigo(sesion: AsyncSession, asesor: Asesor) -> str:
    """Código de un solo uso para `/vincular CODIGO` en Telegram."""
    codigo = secrets.token_hex(4).upper()
    asesor.codigo_vinculacion = codigo
    await sesion.flush()
    return codigo


async def vincular(sesion: AsyncSession, codigo: str, telegram_id: int | str) -> Asesor | None:
    """Vincula la cuenta de Telegram con el asesor dueño del código (que se consume)."""
    codigo = codigo.strip().upper()
    if len(codigo) < 6:
        return None
    asesor = await sesion.scalar(select(Asesor).where(
        Asesor.codigo_vinculacion == codigo, Asesor.activo.is_(True)))
    if asesor is None:
        return None
    previo = await sesion.scalar(select(Asesor).where(Asesor.telegram_id == str(telegram_id)))
    if previo is not None and previo.id != asesor.id:
        previo.telegram_id = None
        await sesion.flush()
    asesor.telegram_id = str(telegram_id)
    asesor.codigo_vinculacion = None
    await sesion.flush()
    return asesor


def estados_ids(asesor: Asesor) -> set[int]:
    """Ids de los estados que atiende el asesor."""
    return {e.id for e in asesor.estados}


def ve_todo(asesor: Asesor) -> bool:
    """La SRE ve los casos de todos los estados."""
    return asesor.rol == "sre"


def autorizado(asesor: Asesor, estado_id: int | None) -> bool:
    """¿Puede el asesor ver y actuar sobre algo del estado dado? (sin estado: solo SRE)."""
    if not asesor.activo:
        return False
    if ve_todo(asesor):
        return True
    return estado_id is not None and estado_id in estados_ids(asesor)


def ve_tablero(asesor: Asesor) -> bool:
    """El tablero es para la SRE y las coordinaciones estatales."""
    return asesor.rol in ("sre", "coordinador_estatal")
