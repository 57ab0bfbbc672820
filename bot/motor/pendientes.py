"""Lo que espera a una persona de REST o del chat web (canales sin emisor propio). Lo que ya
se le dijo, con que el chat web rehace la conversación al recargar, está en
`bot.motor.historial`.

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

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.estados import EstadoEnvio
from bot.db.modelos import ESPERAN_A_LA_PERSONA, Conversacion, Mensaje, Usuario
from bot.db.sesion import Almacen
from bot.documentos.almacen import AlmacenDocumentos
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
           text(ESPERAN_A_LA_PERSONA), Mensaje.autor.in_(("bot", "asesor")),
           Mensaje.id > bindparam("despues"))
    .order_by(Mensaje.id))
"""Lo que espera a una persona, en orden. Se arma una vez: armar la consulta en cada mensaje
costaba más que correrla (medido: 2.2 ms contra 0.9 ms por pregunta, en SQLite)."""
_HAY_PENDIENTES = _PENDIENTES.with_only_columns(Mensaje.id).limit(1)
_RECLAMABLES = _PENDIENTES.with_for_update(skip_locked=True, of=Mensaje)

_DE_LA_CONVERSACION = (
    select(Mensaje)
    .where(Mensaje.conversacion_id == bindparam("conversacion"),
           text(ESPERAN_A_LA_PERSONA), Mensaje.autor.in_(("bot", "asesor")))
    .order_by(Mensaje.id)
    .with_for_update(skip_locked=True))
ESPERA_A_LA_PERSONA = (
    select(Mensaje.id)
    .where(Mensaje.conversacion_id == Conversacion.id,
           text(ESPERAN_A_LA_PERSONA), Mensaje.autor.in_(("bot", "asesor")))
    .limit(1).scalar_subquery())
"""Para consultas sobre `conversacion`: el id de algo que espera a la persona, o NULL. El
filtro va como texto literal para que SQLite y PostgreSQL usen su índice parcial."""


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


