"""Bandeja de salida de los canales con envío propio (Telegram, WhatsApp).

En la bandeja entra todo lo que sale hacia un usuario: las respuestas del motor (`Mensaje` de
salida, autor bot, `responde_a_id` puesto) y los mensajes por iniciativa del asistente que guarda
el relé del escalamiento (asesor, aviso, cambio de estatus; sin `responde_a_id`). Nacen con
`envio` vacío. Quien envía primero los *reclama* (`envio = pendiente`, en una transacción) y
luego los marca `enviado`, `plantilla` o `fallido`; así nada sale dos veces por el camino normal.
El canal reclama en orden, una conversación a la vez. Lo común se ahorra el reclamo: el motor
guarda las respuestas ya reclamadas cuando nada espera antes (`bot.motor.salida`) y se las
pasa al repartidor; los `enviado` se marcan en tandas (`Anotador`).

Una falla pasajera (red, tiempo agotado, 5xx, 429) deja el mensaje `reintentar` con su cuenta
en `extra` (intentos, cuándo toca, partes ya enviadas) y devuelve a la cola los que venían
detrás: nada se adelanta a un mensaje que espera su reintento. La espera se duplica
(`REINTENTO_BASE`: 30 s, 1, 2, 4 min) y al `MAX_INTENTOS`-ésimo fallo queda `fallido`. Un rechazo
definitivo (bloqueo, chat inexistente, ventana de 24 h cerrada, destinatario inválido) queda
`fallido` sin reintentos. Lo de más de 24 h sin enviar queda `vencido`: no se envía tarde.

Tras una caída, el `Barrido` (al arrancar el canal y cada `BANDEJA_BARRIDO_S` s) busca a quién
le falta algo de las últimas 24 h (o le toca un reintento) y despierta a su trabajador, sin
esperar a que la persona vuelva a escribir. Un reclamo que quedó `pendiente` (el envío se
interrumpió) vuelve a la cola si el mensaje tiene más de 5 min y el reclamo sigue ahí en dos
barridos seguidos; lo nunca reclamado de esa persona espera a que salga lo anterior, para no
desordenarse. Es *al menos una vez*: un mensaje enviado justo antes de la caída (sin alcanzar a
marcarse) puede repetirse, lo que se prefiere a perderlo.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import aliased

from bot.db.estados import Direccion, EstadoEnvio
from bot.db.modelos import Conversacion, Mensaje, Usuario, ahora
from bot.db.sesion import Almacen
from bot.documentos.almacen import AlmacenDocumentos
from bot.motor.guardadas import respuesta_guardada
from bot.motor.salida import ENTREGAN_EN_LA_RESPUESTA, Entregar, Reclamo
from bot.nucleo.mensajes import Respuesta

log = logging.getLogger(__name__)
CANALES = frozenset({"telegram", "whatsapp"})
"""Canales con bandeja de salida (envío propio, barrido); los demás no la usan."""
VENTANA = dt.timedelta(hours=24)
"""Solo se envía lo de las últimas 24 h (la ventana de texto libre de WhatsApp)."""
RECLAMO_VENCIDO = dt.timedelta(minutes=5)
"""Un `pendiente` más viejo que esto (por la creación del mensaje) se da por interrumpido."""
MAX_INTENTOS = 5
"""Fallas pasajeras admitidas por mensaje; con la última queda `fallido`."""
REINTENTO_BASE = dt.timedelta(seconds=30)
"""Espera tras la primera falla pasajera; se duplica en cada una."""
ENTREGADO = "Entregado."
EN_ESPERA_DE_ABRIR = "En espera de que la persona abra el chat."
AVISOS_DE_ENTREGA: dict[str, str] = {
    EstadoEnvio.ENVIADO: ENTREGADO,
    EstadoEnvio.EN_RESPUESTA: ENTREGADO,
    EstadoEnvio.PENDIENTE: "Enviándose.",
    EstadoEnvio.REINTENTAR: "Aún sin entregar: hubo una falla pasajera y se reintentará.",
    EstadoEnvio.FALLIDO:
        "No entregado: la plataforma lo rechazó o la persona bloqueó al asistente.",
    EstadoEnvio.BLOQUEADO: "No entregado: la persona bloqueó al asistente.",
    EstadoEnvio.VENCIDO: "No entregado: pasaron más de 24 horas sin poder enviarlo.",
    EstadoEnvio.PLANTILLA:
        "Entregado como plantilla de WhatsApp (fuera de la ventana de 24 horas).",
}
"""Lo que el panel muestra bajo un mensaje de salida según su `envio` (ver `aviso_de_entrega`)."""


def aviso_de_entrega(envio: str | None, canal: str) -> str:
    """Lo que el panel dice de la entrega de un mensaje de salida, sin adelantarse: en REST y
    el chat web (sin emisor) lo `pendiente` espera a que la persona abra el chat o escriba
    (`bot/motor/pendientes.py`); en Telegram y WhatsApp, sin `envio`, espera en la bandeja."""
    if envio == EstadoEnvio.PENDIENTE and canal in ENTREGAN_EN_LA_RESPUESTA:
        return EN_ESPERA_DE_ABRIR
    if envio is None:
        return "En la fila de envío."
    return AVISOS_DE_ENTREGA.get(envio, "")


@dataclass(frozen=True)
class Pendiente:
    """Un mensaje guardado que falta enviar.

    `aviso` es la clave de plantilla de un mensaje por iniciativa del asistente (asesor, aviso,
    cambio de estatus: en WhatsApp, fuera de la ventana de 24 h, sale como plantilla); `None`
    en una respuesta a lo que escribió el usuario. `partes`: llamadas a la plataforma que ya
    salieron en un intento anterior (no se repiten)."""

    mensaje_id: int
    respuesta: Respuesta
    aviso: str | None = None
    partes: int = 0
    ultimo_mensaje_usuario: dt.datetime | None = None


@dataclass
class Avance:
    """Partes (llamadas a la plataforma) de un mensaje ya enviadas, para retomar sin repetir."""

    hechas: int = 0

    async def correr(self, llamadas: Sequence[Callable[[], Awaitable[object]]]) -> None:
        """Hace en orden las llamadas que faltan y cuenta cada una que sale."""
        for i, llamada in enumerate(llamadas):
            if i >= self.hechas:
                await llamada()
                self.hechas = i + 1


def _utc(momento: dt.datetime) -> dt.datetime:
    return momento if momento.tzinfo else momento.replace(tzinfo=dt.timezone.utc)


def _toca(extra: dict[str, Any] | None, momento: dt.datetime) -> bool:
    """¿Ya pasó la espera del reintento?"""
    cuando = (extra or {}).get("reintentar_en")
    return cuando is None or _utc(dt.datetime.fromisoformat(cuando)) <= momento


def _salida(m: type[Mensaje] = Mensaje) -> tuple[ColumnElement[bool], ...]:
    """Mensajes de salida del bot o de un asesor (`m`: la tabla o un alias)."""
    return m.direccion == Direccion.SALIDA, m.autor.in_(("bot", "asesor"))


def _de_la_bandeja(canal: str) -> tuple[ColumnElement[bool], ...]:
    """Mensajes de salida del bot o de un asesor a usuarios del canal."""
    return Usuario.canal == canal, *_salida()


def clave_aviso(fila: Mensaje) -> str | None:
    """La clave de plantilla de un mensaje por iniciativa del asistente (None: respuesta)."""
    if fila.responde_a_id is not None:
        return None
    guardada = (fila.extra or {}).get("plantilla")
    return str(guardada) if guardada else (
        "respuesta_asesor" if fila.autor == "asesor" else "aviso")


async def reclamar(almacen: Almacen, documentos: AlmacenDocumentos, canal: str,
                   id_usuario: str, momento: dt.datetime | None = None) -> list[Pendiente]:
    """Marca como `pendiente` y devuelve, en orden, lo que falta enviar al usuario.

    Lo de más de 24 h queda `vencido` (no se envía tarde). Se detiene ante un reintento cuya
    espera no ha pasado: lo que viene detrás no se le adelanta."""
    momento = momento or ahora()
    vencidos: list[int] = []
    pendientes: list[Pendiente] = []
    async with almacen.escritura() as s:
        filas = (await s.execute(
            select(Mensaje, Usuario.ultimo_mensaje_en)
            .join(Conversacion, Conversacion.id == Mensaje.conversacion_id)
            .join(Usuario, Usuario.id == Conversacion.usuario_id)
            .where(Usuario.canal == canal, Usuario.id_externo == id_usuario, *_salida(),
                   or_(Mensaje.envio.is_(None), Mensaje.envio == EstadoEnvio.REINTENTAR))
            .order_by(Mensaje.id)
            .with_for_update(skip_locked=True, of=Mensaje)
        )).all()
        for fila, ultimo_del_usuario in filas:
            if _utc(fila.creado_en) < momento - VENTANA:
                fila.envio = EstadoEnvio.VENCIDO
                vencidos.append(fila.id)
                continue
            if fila.envio == EstadoEnvio.REINTENTAR and not _toca(fila.extra, momento):
                break
            fila.envio = EstadoEnvio.PENDIENTE
            pendientes.append(Pendiente(
                fila.id, await respuesta_guardada(s, fila, documentos), clave_aviso(fila),
                int((fila.extra or {}).get("partes", 0)), ultimo_del_usuario))
    if vencidos:
        log.warning("mensajes de más de 24 h sin enviar quedan vencidos",
                    extra={"canal": canal, "mensaje_ids": vencidos})
    return pendientes


async def por_enviar(almacen: Almacen, documentos: AlmacenDocumentos, canal: str,
                     id_usuario: str, reclamados: Sequence[Pendiente] = (),
                     revisar: bool = True) -> list[Pendiente]:
    """Lo que toca enviar al usuario, en orden: los ya `reclamados` (por el motor) y, con
    `revisar`, lo que se reclame de su bandeja."""
    pendientes = list(reclamados)
    if revisar:
        pendientes += await reclamar(almacen, documentos, canal, id_usuario)
    return pendientes


async def marcar(almacen: Almacen, ids: list[int], estado: EstadoEnvio) -> None:
    """Anota el resultado del envío (`enviado`, `plantilla`, `fallido`…)."""
    if not ids:
        return
    async with almacen.escritura() as s:
        await s.execute(update(Mensaje).where(Mensaje.id.in_(ids)).values(envio=estado))


async def aplazar(almacen: Almacen, mensaje_id: int, partes: int = 0,
                  momento: dt.datetime | None = None) -> bool:
    """Falla pasajera: deja el mensaje `reintentar` tras una espera creciente, recordando las
    `partes` que ya salieron. Con la falla número `MAX_INTENTOS` queda `fallido` (y se anota
    en la bitácora); entonces devuelve False."""
    momento = momento or ahora()
    async with almacen.escritura() as s:
        fila = await s.get(Mensaje, mensaje_id)
        if fila is None:
            return False
        extra = {k: v for k, v in (fila.extra or {}).items()
                 if k not in ("reintentar_en", "partes")}
        intentos = int(extra.get("intentos", 0)) + 1
        extra["intentos"] = intentos
        queda = intentos < MAX_INTENTOS
        if queda:
            extra["reintentar_en"] = (momento + REINTENTO_BASE * 2 ** (intentos - 1)).isoformat()
            if partes:
                extra["partes"] = partes
        fila.extra = extra
        fila.envio = EstadoEnvio.REINTENTAR if queda else EstadoEnvio.FALLIDO
    if queda:
        log.info("falla pasajera al enviar; se reintentará",
                 extra={"mensaje_id": mensaje_id, "intento": intentos})
    else:
        log.warning("mensaje sin enviar tras agotar los reintentos",
                    extra={"mensaje_id": mensaje_id, "intentos": intentos})
    return queda


async def posponer(almacen: Almacen, mensaje_id: int, siguientes: Iterable[int],
                   partes: int = 0) -> bool:
    """Falla pasajera de un mensaje reclamado: lo aplaza y devuelve a la cola los `siguientes`
    reclamados con él (no se le adelantan). False si ya no se reintentará (quedó `fallido`;
    los siguientes pueden salir)."""
    if not await aplazar(almacen, mensaje_id, partes):
        return False
    await devolver_a_la_cola(almacen, set(siguientes))
    return True


async def posponer_desde(almacen: Almacen, pendientes: Sequence[Pendiente], i: int,
                         partes: int = 0) -> bool:
    """`posponer` para el i-ésimo de una tanda reclamada: los que siguen vuelven a la cola."""
    return await posponer(almacen, pendientes[i].mensaje_id,
                          [p.mensaje_id for p in pendientes[i + 1:]], partes)


async def marcar_bloqueo(almacen: Almacen, canal: str, id_usuario: str, bloqueado: bool) -> None:
    """Anota que el usuario bloqueó al bot (o que volvió a escribir)."""
    async with almacen.escritura() as s:
        await s.execute(
            update(Usuario)
            .where(Usuario.canal == canal, Usuario.id_externo == id_usuario,
                   Usuario.bloqueo_canal != bloqueado)
            .values(bloqueo_canal=bloqueado)
        )


class Anotador:
    """Marca `enviado` lo que ya salió, en tandas: junta lo que sale durante `espera_s` y lo
    marca en una sola transacción (con 150 mensajes/s, una cada 50 ms y no una por mensaje).
    Quien envía no espera a que se confirme: sigue con lo siguiente. Si la base falla, la
    tanda se reintenta en la siguiente vuelta. Tras una caída, lo enviado sin marcar queda
    `pendiente` y el barrido lo reenvía: al menos una vez, como el resto de la bandeja."""

    def __init__(self, almacen: Almacen, espera_s: float = 0.05) -> None:
        self.almacen = almacen
        self.espera_s = espera_s
        self._por_marcar: list[int] = []
        self._tarea: asyncio.Task[None] | None = None

    def enviado(self, mensaje_id: int) -> None:
        """Anota que el mensaje salió; se marca con la próxima tanda."""
        self._por_marcar.append(mensaje_id)
        if self._tarea is None or self._tarea.done():
            self._tarea = asyncio.create_task(self._tandas())

    async def _tandas(self) -> None:
        while self._por_marcar:
            await asyncio.sleep(self.espera_s)
            try:
                await self.vaciar()
            except Exception:
                log.exception("no se pudieron marcar los enviados; se reintenta")

    async def vaciar(self) -> None:
        """Marca ya lo anotado (al cerrar el canal, o desde la tarea de las tandas)."""
        lote, self._por_marcar = self._por_marcar, []
        try:
            await marcar(self.almacen, lote, EstadoEnvio.ENVIADO)
        except BaseException:
            self._por_marcar[:0] = lote  # vuelven al frente para la siguiente tanda
            raise

    async def cerrar(self) -> None:
        """Marca lo que quede y detiene las tandas (si la base falla, lo anota en la
        bitácora: el barrido los reenviará)."""
        if self._tarea is not None:
            self._tarea.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._tarea
        if self._por_marcar:
            try:
                await self.vaciar()
            except Exception:
                log.exception("enviados sin marcar al cerrar",
                              extra={"mensaje_ids": self._por_marcar})


Enviador = Callable[[str, list[Pendiente], bool], Awaitable[None]]
"""Envía lo pendiente de un usuario: primero los ya reclamados que recibe y, si el bool lo
pide, lo que reclame de su bandeja (el canal envía y marca)."""


class Repartidor:
    """Un trabajador por usuario que envía en orden; se despierta con `avisar`."""

    def __init__(self, enviar: Enviador) -> None:
        self._enviar = enviar
        self._tareas: dict[str, asyncio.Task[None]] = {}
        self._colas: dict[str, list[Pendiente]] = {}
        self._revisar: set[str] = set()

    @property
    def en_curso(self) -> frozenset[str]:
        """Usuarios cuyo trabajador está enviando ahora en este proceso."""
        return frozenset(self._tareas)

    def para(self, id_usuario: str) -> Entregar:
        """Lo que el motor llama con cada tanda de respuestas de `id_usuario`
        (`Motor.procesar_y_reclamar`)."""
        def entregar(reclamo: Reclamo) -> None:
            self.avisar(id_usuario, [Pendiente(r.mensaje_id, r.respuesta)
                                     for r in reclamo.reclamadas], reclamo.revisar_bandeja)
        return entregar

    def avisar(self, id_usuario: str, reclamados: Sequence[Pendiente] = (),
               revisar: bool = True) -> None:
        """Hay algo nuevo para `id_usuario`: `reclamados` (ya `pendiente`, en orden) y, con
        `revisar`, lo que haya en su bandeja. Arranca su trabajador o le pide otra vuelta."""
        if reclamados:
            self._colas.setdefault(id_usuario, []).extend(reclamados)
        if revisar:
            self._revisar.add(id_usuario)
        if id_usuario not in self._tareas:
            self._tareas[id_usuario] = asyncio.create_task(self._trabajar(id_usuario))

    async def _trabajar(self, id_usuario: str) -> None:
        try:
            while id_usuario in self._colas or id_usuario in self._revisar:
                reclamados = self._colas.pop(id_usuario, [])
                revisar = id_usuario in self._revisar
                self._revisar.discard(id_usuario)
                try:
                    await self._enviar(id_usuario, reclamados, revisar)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("falló el envío de la bandeja de salida")
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


async def reclamos_vencidos(almacen: Almacen, canal: str, momento: dt.datetime,
                            vencido: dt.timedelta = RECLAMO_VENCIDO,
                            ventana: dt.timedelta = VENTANA) -> list[tuple[int, str]]:
    """(id, usuario) de los mensajes `pendiente` creados hace más de `vencido` (y dentro de
    la ventana): su envío pudo quedar interrumpido."""
    async with almacen.lectura() as s:
        filas = (await s.execute(
            select(Mensaje.id, Usuario.id_externo)
            .join(Conversacion, Conversacion.id == Mensaje.conversacion_id)
            .join(Usuario, Usuario.id == Conversacion.usuario_id)
            .where(*_de_la_bandeja(canal), Mensaje.envio == EstadoEnvio.PENDIENTE,
                   Mensaje.creado_en < momento - vencido, Mensaje.creado_en >= momento - ventana)
        )).all()
    return [(i, u) for i, u in filas]


async def devolver_a_la_cola(almacen: Almacen, ids: set[int]) -> int:
    """Deja sin reclamar (`envio` vacío) los mensajes que sigan `pendiente`; cuántos."""
    if not ids:
        return 0
    async with almacen.escritura() as s:
        resultado = await s.execute(
            update(Mensaje).where(Mensaje.id.in_(ids), Mensaje.envio == EstadoEnvio.PENDIENTE)
            .values(envio=None))
    return int(getattr(resultado, "rowcount", 0) or 0)


async def usuarios_por_enviar(almacen: Almacen, canal: str, momento: dt.datetime,
                              ventana: dt.timedelta = VENTANA) -> list[str]:
    """Usuarios no bloqueados cuyo primer mensaje por enviar de la ventana ya puede salir (sin
    reclamar, o un reintento cuya espera pasó) y sin ninguno reclamado en vuelo (para no
    adelantarlo a los que se están enviando o volverán a la cola). Una respuesta cuenta solo si
    el usuario escribió dentro de la ventana; un mensaje de asesor o aviso, siempre."""
    desde = momento - ventana
    otra = aliased(Mensaje)
    en_vuelo = select(otra.id).where(
        otra.conversacion_id == Conversacion.id, *_salida(otra),
        otra.envio == EstadoEnvio.PENDIENTE, otra.creado_en >= desde).exists()
    async with almacen.lectura() as s:
        filas = (await s.execute(
            select(Usuario.id_externo, Mensaje.envio, Mensaje.extra)
            .join(Conversacion, Conversacion.usuario_id == Usuario.id)
            .join(Mensaje, Mensaje.conversacion_id == Conversacion.id)
            .where(*_de_la_bandeja(canal),
                   or_(Mensaje.envio.is_(None), Mensaje.envio == EstadoEnvio.REINTENTAR),
                   Mensaje.creado_en >= desde, Usuario.bloqueo_canal.is_not(True), ~en_vuelo,
                   or_(Mensaje.responde_a_id.is_(None), Usuario.ultimo_mensaje_en >= desde))
            .order_by(Mensaje.id)
        )).all()
    primero: dict[str, bool] = {}
    for usuario, envio, extra in filas:
        primero.setdefault(usuario, envio is None or _toca(extra, momento))
    return [u for u, toca in primero.items() if toca]


class Barrido:
    """Recupera lo que quedó sin enviar: al arrancar y cada `intervalo` s avisa al repartidor
    de cada usuario con mensajes por enviar (o un reintento que ya toca).

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
