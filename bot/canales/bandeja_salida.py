"""Bandeja de salida de los canales con envío propio (Telegram, WhatsApp).

El motor guarda sus respuestas (`Mensaje` de salida, autor bot, `envio` vacío). El canal las
*reclama* (`envio = pendiente`, en una transacción) y las envía en orden, una conversación a
la vez, marcando cada una `enviado` o `fallido`. Así un update reenviado no vuelve a enviar
nada (sus respuestas ya están reclamadas) y lo que quedó sin enviar tras una caída sale con
el siguiente mensaje del usuario.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import select, update

from bot.db.modelos import Conversacion, Documento, Mensaje, Usuario
from bot.db.sesion import Almacen
from bot.documentos.almacen import AlmacenDocumentos
from bot.motor.mensajes import Boton, DocumentoSaliente, Respuesta

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pendiente:
    """Una respuesta guardada que falta enviar."""

    mensaje_id: int
    respuesta: Respuesta


async def reclamar(almacen: Almacen, documentos: AlmacenDocumentos, canal: str,
                   id_usuario: str) -> list[Pendiente]:
    """Marca como `pendiente` y devuelve, en orden, las respuestas del bot aún sin enviar."""
    async with almacen.escritura() as s:
        filas = (await s.scalars(
            select(Mensaje)
            .join(Conversacion, Conversacion.id == Mensaje.conversacion_id)
            .join(Usuario, Usuario.id == Conversacion.usuario_id)
            .where(Usuario.canal == canal, Usuario.id_externo == id_usuario,
                   Mensaje.direccion == "salida", Mensaje.autor == "bot",
                   Mensaje.responde_a_id.is_not(None), Mensaje.envio.is_(None))
            .order_by(Mensaje.id)
            .with_for_update(skip_locked=True)
        )).all()
        pendientes = []
        for fila in filas:
            fila.envio = "pendiente"
            documento = None
            doc_id = (fila.extra or {}).get("documento_id")
            if doc_id is not None:
                doc = await s.get(Documento, doc_id)
                if doc is not None:
                    documento = DocumentoSaliente(doc.nombre_archivo, doc.mime,
                                                  documentos.leer(doc.ruta))
            pendientes.append(Pendiente(fila.id, Respuesta(
                texto=fila.texto or "",
                botones=[Boton(b["titulo"], b["payload"]) for b in (fila.botones or [])],
                documento=documento, enlace=(fila.extra or {}).get("enlace"),
            )))
        return pendientes


async def marcar(almacen: Almacen, ids: list[int], estado: str) -> None:
    """Anota el resultado del envío (`enviado`, `fallido`…)."""
    if not ids:
        return
    async with almacen.escritura() as s:
        await s.execute(update(Mensaje).where(Mensaje.id.in_(ids)).values(envio=estado))


async def marcar_bloqueo(almacen: Almacen, canal: str, id_usuario: str, bloqueado: bool) -> None:
    """Anota que el usuario bloqueó al bot (o que volvió a escribir)."""
    async with almacen.escritura() as s:
        await s.execute(
            update(Usuario)
            .where(Usuario.canal == canal, Usuario.id_externo == id_usuario,
                   Usuario.bloqueo_canal != bloqueado)
            .values(bloqueo_canal=bloqueado)
        )


Enviador = Callable[[str], Awaitable[None]]
"""Envía lo pendiente de un usuario (el canal reclama, envía y marca)."""


class Repartidor:
    """Un trabajador por usuario que vacía su bandeja en orden; se despierta con `avisar`."""

    def __init__(self, enviar: Enviador) -> None:
        self._enviar = enviar
        self._tareas: dict[str, asyncio.Task[None]] = {}
        self._otra_vez: set[str] = set()

    def avisar(self, id_usuario: str) -> None:
        """Hay algo nuevo para `id_usuario`: arranca su trabajador o le pide otra vuelta."""
        if id_usuario in self._tareas:
            self._otra_vez.add(id_usuario)
            return
        self._tareas[id_usuario] = asyncio.create_task(self._trabajar(id_usuario))

    async def _trabajar(self, id_usuario: str) -> None:
        try:
            while True:
                self._otra_vez.discard(id_usuario)
                try:
                    await self._enviar(id_usuario)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("falló el envío de la bandeja de salida",
                                  extra={"usuario": id_usuario})
                if id_usuario not in self._otra_vez:
                    return
        finally:
            self._tareas.pop(id_usuario, None)

    @property
    def ocupado(self) -> bool:
        return bool(self._tareas)

    async def esperar(self, limite: float = 30.0) -> bool:
        """Espera a que se vacíen las bandejas en curso (True si terminaron a tiempo)."""
        bucle = asyncio.get_running_loop()
        fin = bucle.time() + limite
        while self._tareas:
            restante = fin - bucle.time()
            if restante <= 0:
                return False
            await asyncio.wait(list(self._tareas.values()), timeout=restante)
        return True

    async def cerrar(self, limite: float = 5.0) -> None:
        """Deja terminar lo que se está enviando (hasta `limite` s) y cancela el resto."""
        await self.esperar(limite)
        for tarea in list(self._tareas.values()):
            tarea.cancel()
        await asyncio.gather(*list(self._tareas.values()), return_exceptions=True)
