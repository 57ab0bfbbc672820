"""Lo que espera a una persona de REST o del chat web: canales sin emisor propio.

Lo que sale sin que la persona escriba (la respuesta de un asesor, «Le atiende…», un cambio
de estatus, el marcador de cierre) lo guarda el relé del escalamiento
(`bot/escalamiento/relevo.py`) como `Mensaje` de salida con `envio = pendiente` y sin
`responde_a_id`. En REST y en el chat web nadie puede empujarlo: se entrega al frente de la
siguiente respuesta HTTP de esa persona (y, en el chat web, también por `GET /chat/pendientes`,
que espera a que llegue algo). Reclamarlo lo marca `en_respuesta` en la misma transacción que
lo lee, así que sale una sola vez aunque dos peticiones compitan; si la respuesta no llega a
salir (la base estaba ocupada), `devolver` lo deja pendiente otra vez.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, select, update

from bot.db.estados import Direccion, EstadoEnvio
from bot.db.modelos import Conversacion, Mensaje, Usuario
from bot.db.sesion import Almacen
from bot.documentos.almacen import AlmacenDocumentos
from bot.motor.guardadas import respuesta_guardada
from bot.nucleo.mensajes import Respuesta


@dataclass(frozen=True)
class Pendiente:
    """Un mensaje por iniciativa del asistente que ya se le entrega a la persona."""

    mensaje_id: int
    respuesta: Respuesta


def _consulta(canal: str, id_externo: str, despues: int) -> Select[Mensaje]:
    return (select(Mensaje)
            .join(Conversacion, Conversacion.id == Mensaje.conversacion_id)
            .join(Usuario, Usuario.id == Conversacion.usuario_id)
            .where(Usuario.canal == canal, Usuario.id_externo == id_externo,
                   Mensaje.direccion == Direccion.SALIDA,
                   Mensaje.autor.in_(("bot", "asesor")),
                   Mensaje.responde_a_id.is_(None),
                   Mensaje.envio == EstadoEnvio.PENDIENTE, Mensaje.id > despues)
            .order_by(Mensaje.id))


async def hay_pendientes(almacen: Almacen, canal: str, id_externo: str, despues: int = 0) -> bool:
    """¿Espera algo a la persona? (solo lee: la pregunta barata del sondeo largo)."""
    async with almacen.lectura() as s:
        return await s.scalar(_consulta(canal, id_externo, despues)
                              .with_only_columns(Mensaje.id).limit(1)) is not None


async def reclamar(almacen: Almacen, documentos: AlmacenDocumentos | None, canal: str,
                   id_externo: str, despues: int = 0) -> list[Pendiente]:
    """Marca `en_respuesta` y devuelve, en orden, lo que esperaba a la persona. Casi siempre
    no espera nada: eso se pregunta leyendo, sin abrir una transacción que escribe (en SQLite
    cada una hace fila con las de todos los mensajes)."""
    if not await hay_pendientes(almacen, canal, id_externo, despues):
        return []
    async with almacen.escritura() as s:
        filas = (await s.scalars(
            _consulta(canal, id_externo, despues).with_for_update(skip_locked=True, of=Mensaje)
        )).all()
        pendientes = []
        for fila in filas:
            fila.envio = EstadoEnvio.EN_RESPUESTA
            pendientes.append(Pendiente(fila.id, await respuesta_guardada(s, fila, documentos)))
    return pendientes


async def devolver(almacen: Almacen, ids: list[int]) -> None:
    """La respuesta no salió: lo reclamado vuelve a esperar a la persona."""
    if not ids:
        return
    async with almacen.escritura() as s:
        await s.execute(update(Mensaje).where(
            Mensaje.id.in_(ids), Mensaje.envio == EstadoEnvio.EN_RESPUESTA)
            .values(envio=EstadoEnvio.PENDIENTE))
