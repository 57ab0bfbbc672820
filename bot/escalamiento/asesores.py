"""Repositorio de asesores: alta, listado, baja, sesiones, vinculación con Telegram y la
regla de autorización.

**La regla** (`puede_atender`): un asesor ve y actúa sobre un traspaso, un caso, sus
documentos y sus notas solo si el estado **del caso** (el del traspaso, que es el de su caso
cuando lo tiene) es uno de los suyos; la SRE, sobre todos. `filtro_estados` es la misma regla
como condición SQL para los listados. Todas las rutas del panel y todos los comandos de
Telegram pasan por aquí.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import and_, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot import limite_acceso
from bot.db.modelos import Asesor, Caso, Escalamiento, Estado, ahora
from bot.escalamiento.contrasenas import cifrar
from bot.texto import normalizar

ROLES = ("asesor", "coordinador_estatal", "sre")
NOMBRES_ROL = {"asesor": "asesor estatal", "coordinador_estatal": "coordinación estatal",
               "sre": "coordinación nacional (SRE)"}


VIGENCIA_CODIGO = dt.timedelta(hours=24)
ID_MAXIMO = 2**31 - 1
"""El id más alto que cabe en las columnas enteras (INTEGER de PostgreSQL)."""


class DatoInvalido(ValueError):
    """Un dato del alta no es válido (rol, estado, correo repetido…)."""


class DemasiadosIntentos(Exception):
    """La cuenta de Telegram ya probó demasiados códigos de vinculación; debe esperar."""


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
    asesor = Asesor(nombre=nombre.strip(), email=email, rol=rol,
                    password_hash=await cifrar(contrasena), telegram_id=telegram_id or None,
                    activo=True, estados=lista)
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
        asesor.codigo_vinculacion_vence = None
        asesor.sesion_version = (asesor.sesion_version or 0) + 1
    return asesor


async def cerrar_sesiones(sesion: AsyncSession, asesor_id: int) -> None:
    """Invalida todas las cookies del panel del asesor (las que llevan la versión anterior)."""
    await sesion.execute(update(Asesor).where(Asesor.id == asesor_id)
                         .values(sesion_version=Asesor.sesion_version + 1)
                         .execution_options(synchronize_session=False))


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


async def nuevo_codigo(sesion: AsyncSession, asesor: Asesor,
                       momento: dt.datetime | None = None) -> str:
    """Código de un solo uso para `/vincular CODIGO` en Telegram; vale `VIGENCIA_CODIGO`
    (24 h). Uno nuevo reemplaza al anterior."""
    codigo = secrets.token_hex(5).upper()
    asesor.codigo_vinculacion = codigo
    asesor.codigo_vinculacion_vence = (momento or ahora()) + VIGENCIA_CODIGO
    await sesion.flush()
    return codigo


def _vigente(asesor: Asesor, momento: dt.datetime) -> bool:
    vence = asesor.codigo_vinculacion_vence
    if vence is None:
        return False
    return (vence if vence.tzinfo else vence.replace(tzinfo=dt.timezone.utc)) > momento


async def vincular(sesion: AsyncSession, codigo: str, telegram_id: int | str,
                   momento: dt.datetime | None = None) -> Asesor | None:
    """Vincula la cuenta de Telegram con el asesor dueño del código (que se consume).

    None si el código no existe, ya se usó o venció. Cada cuenta de Telegram tiene
    `limite_acceso.VINCULACION` (5) intentos fallidos; después, `DemasiadosIntentos` durante
    24 h (el intento rechazado no cuenta). Un acierto borra sus fallos."""
    codigo = codigo.strip().upper()
    if not codigo:
        return None
    momento = momento or ahora()
    clave = limite_acceso.clave_vinculacion(telegram_id)
    await limite_acceso.ordenar(sesion, [clave])
    if await limite_acceso.espera_pendiente(sesion, clave, limite_acceso.VINCULACION, momento):
        raise DemasiadosIntentos
    asesor = None
    if 6 <= len(codigo) <= 32:
        asesor = await sesion.scalar(select(Asesor).where(
            Asesor.codigo_vinculacion == codigo, Asesor.activo.is_(True)))
    if asesor is None or not _vigente(asesor, momento):
        await limite_acceso.contar_fallo(sesion, clave, momento)
        return None
    previo = await sesion.scalar(select(Asesor).where(Asesor.telegram_id == str(telegram_id)))
    if previo is not None and previo.id != asesor.id:
        previo.telegram_id = None
        await sesion.flush()
    asesor.telegram_id = str(telegram_id)
    asesor.codigo_vinculacion = None
    asesor.codigo_vinculacion_vence = None
    await limite_acceso.olvidar_fallos(sesion, clave)
    await sesion.flush()
    return asesor


def estados_ids(asesor: Asesor) -> set[int]:
    """Ids de los estados que atiende el asesor."""
    return {e.id for e in asesor.estados}


def ve_todo(asesor: Asesor) -> bool:
    """La SRE ve los casos de todos los estados."""
    return asesor.rol == "sre"


def puede_atender(asesor: Asesor, estado_id: int | None) -> bool:
    """La regla: ¿puede el asesor ver y actuar sobre algo (traspaso, caso, documento, nota)
    del estado dado? Sin estado, solo la SRE. Un asesor dado de baja, nada."""
    if not asesor.activo:
        return False
    if ve_todo(asesor):
        return True
    return estado_id is not None and estado_id in estados_ids(asesor)


def puede_atender_traspaso(asesor: Asesor, estado_traspaso: int | None,
                           estado_caso: int | None) -> bool:
    """La regla para un traspaso: su estado y, si tiene caso, el del caso. Desde la migración
    0008 son el mismo (el traspaso toma el estado de su caso); si alguna vez no lo fueran,
    se exigen los dos."""
    return puede_atender(asesor, estado_traspaso) and (
        estado_caso is None or puede_atender(asesor, estado_caso))


def filtro_estados(asesor: Asesor, columna: Any) -> Any:
    """La misma regla como condición SQL sobre una columna de estado (para los listados)."""
    if not asesor.activo:
        return columna.in_(set())
    if ve_todo(asesor):
        return true()
    return columna.in_(estados_ids(asesor) or {-1})


def filtro_traspasos(asesor: Asesor) -> Any:
    """`puede_atender_traspaso` como condición SQL sobre `Escalamiento`."""
    return and_(filtro_estados(asesor, Escalamiento.estado_id), or_(
        Escalamiento.caso_id.is_(None),
        Escalamiento.caso_id.in_(select(Caso.id).where(filtro_estados(asesor, Caso.estado_id)))))


def id_valido(valor: str | int | None) -> int | None:
    """Un id escrito por alguien (URL, comando, botón) si es un entero que cabe en la base;
    si no, None (se trata como «no encontrado», nunca como error)."""
    texto = str(valor if valor is not None else "").strip()
    if not (texto.isascii() and texto.isdigit()) or len(texto) > 10:
        return None
    numero = int(texto)
    return numero if 1 <= numero <= ID_MAXIMO else None


def ve_tablero(asesor: Asesor) -> bool:
    """El tablero es para la SRE y las coordinaciones estatales."""
    return asesor.rol in ("sre", "coordinador_estatal")
