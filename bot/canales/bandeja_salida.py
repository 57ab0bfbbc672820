"""Bandeja de salida de los canales con envío propio (Telegram, WhatsApp).

El motor guarda sus respuestas (`Mensaje` de salida, autor bot, `envio` vacío). El canal las
*reclama* (`envio = pendiente`, en una transacción) y las envía en orden, una conversación a
la vez, marcando cada una `enviado` o `fallido`. Así un update reenviado no vuelve a enviar
nada (sus respuestas ya están reclamadas).

Tras una caída, el `Barrido` (al arrancar el canal y cada `BANDEJA_BARRIDO_S` s) busca a quién
le faltan respuestas de las últimas 24 h y despierta a su trabajador, sin esperar a que la
persona vuelva a escribir. Un reclamo que quedó `pendiente` (el envío se interrumpió) vuelve a
la cola si la respuesta tiene más de 5 min y el reclamo sigue ahí en dos barridos seguidos;
lo nunca reclamado de esa persona espera a que salga lo anterior, para no desordenarse. Es
*al menos una vez*: un mensaje enviado justo antes de la caída (sin alcanzar a marcarse)
puede repetirse, lo que se prefiere a perderlo.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import aliased

from bot.db.modelos import Conversacion, Documento, Mensaje, Usuario, ahora
from bot.db.sesion import Almacen
from bot.documentos.almacen import AlmacenDocumentos
from bot.motor.mensajes import Boton, DocumentoSaliente, Respuesta

log = logging.getLogger(__name__)
VENTANA = dt.timedelta(hours=24)
"""Solo se recuperan respuestas de las últimas 24 h (la ventana de texto libre de WhatsApp)."""
RECLAMO_VENCIDO = dt.timedelta(minutes=5)
"""Un `pendiente` más viejo que esto (por la creación de la respuesta) se da por interrumpido."""


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

    @property
    def en_curso(self) -> frozenset[str]:
        """Usuarios cuyo trabajador está enviando ahora en este proceso."""
        return frozenset(self._tareas)

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


def _respuestas_del_bot(canal: str) -> tuple[ColumnElement[bool], ...]:
    return (Usuario.canal == canal, Mensaje.direccion == "salida", Mensaje.autor == "bot",
            Mensaje.responde_a_id.is_not(None))


async def reclamos_vencidos(almacen: Almacen, canal: str, momento: dt.datetime,
                            vencido: dt.timedelta = RECLAMO_VENCIDO,
                            ventana: dt.timedelta = VENTANA) -> list[tuple[int, str]]:
    """(id, usuario) de las respuestas `pendiente` creadas hace más de `vencido` (y dentro de
    la ventana): su envío pudo quedar interrumpido."""
    async with almacen.lectura() as s:
        filas = (await s.execute(
            select(Mensaje.id, Usuario.id_externo)
            .join(Conversacion, Conversacion.id == Mensaje.conversacion_id)
            .join(Usuario, Usuario.id == Conversacion.usuario_id)
            .where(*_respuestas_del_bot(canal), Mensaje.envio == "pendiente",
                   Mensaje.creado_en < momento - vencido, Mensaje.creado_en >= momento - ventana)
        )).all()
    return [(i, u) for i, u in filas]


async def devolver_a_la_cola(almacen: Almacen, ids: set[int]) -> int:
    """Deja sin reclamar (`envio` vacío) las respuestas que sigan `pendiente`; cuántas."""
    if not ids:
        return 0
    async with almacen.escritura() as s:
        resultado = await s.execute(
            update(Mensaje).where(Mensaje.id.in_(ids), Mensaje.envio == "pendiente")
            .values(envio=None))
    return int(getattr(resultado, "rowcount", 0) or 0)


async def usuarios_por_enviar(almacen: Almacen, canal: str, momento: dt.datetime,
                              ventana: dt.timedelta = VENTANA) -> list[str]:
    """Usuarios no bloqueados, que escribieron dentro de la ventana, con respuestas del bot de
    la ventana aún sin reclamar y ninguna reclamada en vuelo (para no adelantarlas a las que
    se están enviando o volverán a la cola)."""
    desde = momento - ventana
    otra = aliased(Mensaje)
    en_vuelo = select(otra.id).where(
        otra.conversacion_id == Conversacion.id, otra.direccion == "salida",
        otra.autor == "bot", otra.responde_a_id.is_not(None), otra.envio == "pendiente",
        otra.creado_en >= desde).exists()
    async with almacen.lectura() as s:
        return list((await s.scalars(
            select(Usuario.id_externo).distinct()
            .join(Conversacion, Conversacion.usuario_id == Usuario.id)
            .join(Mensaje, Mensaje.conversacion_id == Conversacion.id)
            .where(*_respuestas_del_bot(canal), Mensaje.envio.is_(None),
                   Mensaje.creado_en >= desde, Usuario.ultimo_mensaje_en >= desde,
                   Usuario.bloqueo_canal.is_not(True), ~en_vuelo)
        )).all())


class Barrido:
    """Recupera lo que quedó sin enviar: al arrancar y cada `intervalo` s avisa al repartidor
    de cada usuario con respuestas pendientes.

    Un reclamo `pendiente` vencido vuelve a la cola solo si ya lo estaba en el barrido anterior
    de este proceso y su usuario no tiene aquí un envío en curso: así un reclamo reciente de
    otro proceso (que reclamó respuestas viejas tras un reinicio) no se envía dos veces.
    """

    def __init__(self, almacen: Almacen, canal: str, repartidor: Repartidor,
                 intervalo: float = 60.0, vencido: dt.timedelta = RECLAMO_VENCIDO,
                 ventana: dt.timedelta = VENTANA) -> None:
        self.almacen = almacen
        self.canal = canal
        self.repartidor = repartidor
        self.intervalo = intervalo
        self.vencido = vencido
        self.ventana = ventana
        self._vistos: set[int] = set()
        self._tarea: asyncio.Task[None] | None = None

    async def una_vez(self, momento: dt.datetime | None = None) -> list[str]:
        """Devuelve a la cola los reclamos interrumpidos y avisa; devuelve a quiénes avisó."""
        momento = momento or ahora()
        ocupados = self.repartidor.en_curso
        vencidos = {i for i, u in await reclamos_vencidos(
            self.almacen, self.canal, momento, self.vencido, self.ventana) if u not in ocupados}
        interrumpidos = vencidos & self._vistos
        self._vistos = vencidos - interrumpidos
        devueltos = await devolver_a_la_cola(self.almacen, interrumpidos)
        if devueltos:
            log.warning("reclamos interrumpidos vuelven a la bandeja",
                        extra={"canal": self.canal, "mensajes": devueltos})
        usuarios = await usuarios_por_enviar(self.almacen, self.canal, momento, self.ventana)
        for id_usuario in usuarios:
            self.repartidor.avisar(id_usuario)
        if usuarios:
            log.info("bandeja de salida recuperada",
                     extra={"canal": self.canal, "usuarios": len(usuarios)})
        return usuarios

    def iniciar(self) -> None:
        """Barre ya y luego cada `intervalo` s (si `intervalo` ≤ 0, solo ahora)."""
        if self._tarea is None or self._tarea.done():
            self._tarea = asyncio.create_task(self._bucle())

    async def _bucle(self) -> None:
        while True:
            try:
                await self.una_vez()
            except Exception:
                log.exception("falló el barrido de la bandeja de salida",
                              extra={"canal": self.canal})
            if self.intervalo <= 0:
                return
            await asyncio.sleep(self.intervalo)

    async def detener(self) -> None:
        """Detiene el barrido periódico."""
        if self._tarea is not None:
            self._tarea.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._tarea
            self._tarea = None
