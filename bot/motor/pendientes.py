"""Lo que espera a una persona de REST o del chat web (canales sin emisor propio) y lo que ya
se le dijo (`historial`, con que el chat web rehace la conversación al recargar).

Lo que sale sin que la persona escriba (la respuesta de un asesor, «Le atiende…», un cambio
de estatus, el marcador de cierre) lo guarda el relé del escalamiento
(`bot/escalamiento/relevo.py`) como `Mensaje` de salida con `envio = pendiente` y sin
`responde_a_id`. En REST y en el chat web nadie puede empujarlo: se entrega al frente de la
siguiente respuesta HTTP de esa persona (y, en el chat web, también por `GET /chat/pendientes`,
que espera a que llegue algo). Reclamarlo lo marca `en_respuesta` en la misma transacción que
lo lee, así que sale una sola vez aunque dos peticiones compitan; si la respuesta no llega a
salir (la base estaba ocupada), `devolver` lo deja pendiente otra vez.

Con un mensaje de la persona, la pregunta «¿algo la espera?» va dentro de la consulta única
con que la bandeja guarda el mensaje (`ESPERA_A_LA_PERSONA`) y lo que espera se reclama en la
misma transacción que decide el mensaje (`reclamar_en`): sin una transacción más por mensaje.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.estados import Direccion, EstadoEnvio, TipoMensaje, leer_tipo
from bot.db.modelos import Conversacion, Mensaje, Usuario
from bot.db.sesion import Almacen
from bot.documentos.almacen import AlmacenDocumentos
from bot.motor.bandeja import RESPUESTA_NO_CONSERVADA, SIN_CONSENTIMIENTO
from bot.motor.guardadas import respuesta_guardada
from bot.nucleo.mensajes import Respuesta


@dataclass(frozen=True)
class Pendiente:
    """Un mensaje por iniciativa del asistente que ya se le entrega a la persona."""

    mensaje_id: int
    respuesta: Respuesta
    autor: str = "bot"
    """Quién lo escribió: «bot» (el asistente) o «asesor»."""


_PENDIENTES = (
    select(Mensaje)
    .join(Conversacion, Conversacion.id == Mensaje.conversacion_id)
    .join(Usuario, Usuario.id == Conversacion.usuario_id)
    .where(Usuario.canal == bindparam("canal"), Usuario.id_externo == bindparam("persona"),
           Mensaje.direccion == Direccion.SALIDA,
           Mensaje.autor.in_(("bot", "asesor")),
           Mensaje.responde_a_id.is_(None),
           Mensaje.envio == EstadoEnvio.PENDIENTE, Mensaje.id > bindparam("despues"))
    .order_by(Mensaje.id))
"""Lo que espera a una persona, en orden. Se arma una vez: armar la consulta en cada mensaje
costaba más que correrla (medido: 2.2 ms contra 0.9 ms por pregunta, en SQLite)."""
_HAY_PENDIENTES = _PENDIENTES.with_only_columns(Mensaje.id).limit(1)
_RECLAMABLES = _PENDIENTES.with_for_update(skip_locked=True, of=Mensaje)

_DE_LA_CONVERSACION = (
    select(Mensaje)
    .where(Mensaje.conversacion_id == bindparam("conversacion"),
           Mensaje.direccion == Direccion.SALIDA, Mensaje.autor.in_(("bot", "asesor")),
           Mensaje.responde_a_id.is_(None), Mensaje.envio == EstadoEnvio.PENDIENTE)
    .order_by(Mensaje.id)
    .with_for_update(skip_locked=True))
ESPERA_A_LA_PERSONA = (
    select(Mensaje.id)
    .where(Mensaje.conversacion_id == Conversacion.id,
           Mensaje.direccion == Direccion.SALIDA, Mensaje.autor.in_(("bot", "asesor")),
           Mensaje.responde_a_id.is_(None), Mensaje.envio == EstadoEnvio.PENDIENTE)
    .limit(1).scalar_subquery())
"""Para consultas sobre `conversacion`: el id de algo que espera a la persona, o NULL."""


def _parametros(canal: str, id_externo: str, despues: int) -> dict[str, object]:
    return {"canal": canal, "persona": id_externo, "despues": despues}


async def hay_pendientes(almacen: Almacen, canal: str, id_externo: str, despues: int = 0) -> bool:
    """¿Espera algo a la persona? (solo lee: la pregunta barata del sondeo largo)."""
    async with almacen.lectura() as s:
        return await s.scalar(_HAY_PENDIENTES, _parametros(canal, id_externo, despues)
                              ) is not None


async def reclamar(almacen: Almacen, documentos: AlmacenDocumentos | None, canal: str,
                   id_externo: str, despues: int = 0) -> list[Pendiente]:
    """Marca `en_respuesta` y devuelve, en orden, lo que esperaba a la persona. Casi siempre
    no espera nada: eso se pregunta leyendo, sin abrir una transacción que escribe (en SQLite
    cada una hace fila con las de todos los mensajes)."""
    if not await hay_pendientes(almacen, canal, id_externo, despues):
        return []
    async with almacen.escritura() as s:
        filas = (await s.scalars(_RECLAMABLES, _parametros(canal, id_externo, despues))).all()
        return await _marcar(s, documentos, filas)


async def reclamar_en(sesion: AsyncSession, documentos: AlmacenDocumentos | None,
                      conversacion_id: int) -> list[Pendiente]:
    """Como `reclamar`, dentro de la transacción de quien llama (la que guarda y decide el
    mensaje de la persona): lo reclamado sale con su respuesta o no sale."""
    filas = (await sesion.scalars(_DE_LA_CONVERSACION, {"conversacion": conversacion_id})).all()
    return await _marcar(sesion, documentos, filas)


async def _marcar(sesion: AsyncSession, documentos: AlmacenDocumentos | None,
                  filas: Sequence[Mensaje]) -> list[Pendiente]:
    pendientes = []
    for fila in filas:
        fila.envio = EstadoEnvio.EN_RESPUESTA
        pendientes.append(Pendiente(fila.id, await respuesta_guardada(sesion, fila, documentos),
                                    fila.autor))
    return pendientes


async def devolver(almacen: Almacen, ids: list[int]) -> None:
    """La respuesta no salió: lo reclamado vuelve a esperar a la persona."""
    if not ids:
        return
    async with almacen.escritura() as s:
        await s.execute(update(Mensaje).where(
            Mensaje.id.in_(ids), Mensaje.envio == EstadoEnvio.EN_RESPUESTA)
            .values(envio=EstadoEnvio.PENDIENTE))


HISTORIAL_MAXIMO = 200
"""Mensajes que se rehacen al recargar el chat web (los más recientes)."""
_ARCHIVO = re.compile(r"^\[archivo: (.+)\]$", re.DOTALL)


@dataclass(frozen=True)
class LineaHistorial:
    """Un mensaje ya dicho en la conversación, como lo ve la persona.

    `autor` es «usuario», «bot» o «asesor». De lo que escribió la persona, `respuesta.texto`
    es lo que se le mostró (el título del botón que pulsó, «📎 nombre» de un archivo) y
    `payload` el del botón. `omitida`: no se conservó porque rechazó el consentimiento."""

    autor: str
    respuesta: Respuesta
    payload: str | None = None
    omitida: bool = False


def _titulo_del_boton(payload: str, previas: list[Mensaje]) -> str:
    """El título del botón con ese payload en la respuesta más reciente que lo ofreció."""
    for fila in reversed(previas):
        for boton in fila.botones or ():
            if boton.get("payload") == payload:
                return str(boton.get("titulo") or payload)
    return payload


async def historial(almacen: Almacen, documentos: AlmacenDocumentos | None, canal: str,
                    id_externo: str, limite: int = HISTORIAL_MAXIMO) -> list[LineaHistorial]:
    """Los últimos `limite` mensajes de la conversación de la persona, en orden: lo que
    escribió y lo que ya se le entregó (lo que aún la espera sale por `reclamar`, no aquí).
    Solo lee."""
    async with almacen.lectura() as s:
        filas = list((await s.scalars(
            select(Mensaje)
            .join(Conversacion, Conversacion.id == Mensaje.conversacion_id)
            .join(Usuario, Usuario.id == Conversacion.usuario_id)
            .where(Usuario.canal == canal, Usuario.id_externo == id_externo,
                   or_(Mensaje.direccion == Direccion.ENTRADA,
                       Mensaje.envio.is_(None), Mensaje.envio != EstadoEnvio.PENDIENTE))
            .order_by(Mensaje.id.desc()).limit(limite))).all())
        filas.reverse()
        lineas: list[LineaHistorial] = []
        for i, fila in enumerate(filas):
            if fila.texto in (SIN_CONSENTIMIENTO, RESPUESTA_NO_CONSERVADA):
                lineas.append(LineaHistorial(fila.autor, Respuesta(""), omitida=True))
            elif fila.direccion == Direccion.SALIDA:
                lineas.append(LineaHistorial(fila.autor,
                                             await respuesta_guardada(s, fila, documentos)))
            else:
                lineas.append(LineaHistorial("usuario", Respuesta(_visible(fila, filas[:i])),
                                             fila.payload))
    return lineas


def _visible(fila: Mensaje, previas: list[Mensaje]) -> str:
    """Lo que la página mostró de un mensaje de la persona."""
    if fila.payload and not fila.texto:
        return _titulo_del_boton(fila.payload, previas)
    tipo, _ = leer_tipo(fila.tipo)
    archivo = _ARCHIVO.match(fila.texto or "")
    if tipo in (TipoMensaje.ARCHIVO, TipoMensaje.ARCHIVO_RECHAZADO) and archivo:
        return f"📎 {archivo.group(1)}"
    return fila.texto or ""
