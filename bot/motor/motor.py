"""El motor: guarda el mensaje, lo procesa en orden y devuelve respuestas neutrales.

Camino de un mensaje (docs/ARQUITECTURA.md §3), con el candado de la conversación tomado (en el
proceso y, dentro de cada transacción, en la base):
1. En una transacción que escribe, guarda el mensaje (único por canal + id del canal) y, si
   no hace falta el NLU y nada anterior quedó pendiente, lo decide ahí mismo: recorre las
   rutas (la primera que responde gana), guarda respuestas y estado y lo marca procesado.
2. Si es texto libre que nadie más puede tomar, confirma lo guardado, consulta al NLU fuera
   de la transacción y lo decide en otra. Lo pendiente anterior se decide antes, en orden.
3. El trabajo lento (ficha y oficio) queda pedido en la transacción que lo decide
   (`trabajo_documentos`) y corre tras confirmarla; sus respuestas se guardan aparte, en la
   transacción que lo da por hecho. Si el proceso cae en medio, se retoma al arrancar
   (`reanudar_documentos`) o cuando llega de nuevo el mismo mensaje.

Los canales con bandeja de salida usan `procesar_y_reclamar`: sus respuestas nacen reclamadas
para enviarse (ver `bot.motor.salida`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import bindparam, select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.contexto_conversacion import actualizar_contexto, leer_contexto
from bot.db.estados import Direccion, EstadoEnvio, ModoConversacion, TipoMensaje
from bot.db.modelos import SIN_PROCESAR, Conversacion, Documento, Mensaje, Usuario, ahora
from bot.db.sesion import Almacen
from bot.documentos import trabajos
from bot.documentos.almacen import AlmacenDocumentos, ArchivoGuardado
from bot.motor import pendientes, rutas_basicas
from bot.motor.bandeja import (
    DATO_SENSIBLE,
    NOTA_TEXTO_SENSIBLE,
    Registro,
    registrar_entrante,
    sin_consentimiento,
    vaciar_sin_consentimiento,
)
from bot.motor.cerrojos import (
    CerrojosConversacion,
    candado_en_transaccion,
    clave_conversacion,
)
from bot.motor.guardadas import respuesta_guardada
from bot.motor.salida import (
    ENTREGAN_EN_LA_RESPUESTA,
    Entregar,
    Reclamada,
    Reclamo,
    salida_libre,
)
from bot.nucleo.comandos import reconocer
from bot.nucleo.contexto import Contexto, Ruta
from bot.nucleo.mensajes import Boton, MensajeEntrante, Respuesta
from bot.texto import limpiar_entrada

log = logging.getLogger(__name__)
LARGO_MAXIMO = 4096  # el límite de Telegram; más que eso no es un mensaje de chat
RESPUESTA_DE_DISCULPA = Respuesta(
    "Perdón, tuve un problema al atender su mensaje. Intente de nuevo en un momento, "
    "o, si prefiere, lo comunico con un asesor.",
    botones=[Boton("Hablar con un asesor", "/asesor"), Boton("Menú", "/menu")])

Analizador = Callable[[str], Awaitable[Any | None]]
"""Función que analiza texto libre (NLU con respaldo); devuelve un Analisis o None."""
Aceptador = Callable[[Conversacion, str, str | None], bool]
"""¿Puede el estado actual tomar este texto/payload sin NLU? (p. ej. el paso de un flujo)."""


_PRIMER_PENDIENTE = (
    select(Mensaje, Conversacion, Usuario)
    .join(Conversacion, Conversacion.id == Mensaje.conversacion_id)
    .join(Usuario, Usuario.id == Conversacion.usuario_id)
    .where(Mensaje.conversacion_id == bindparam("conversacion"), text(SIN_PROCESAR))
    .order_by(Mensaje.id).limit(1)
)
_ALGUNO_ANTERIOR = (select(Mensaje.id)
                    .where(Mensaje.conversacion_id == bindparam("conversacion"),
                           Mensaje.id < bindparam("mensaje"))
                    .limit(1))
_RESPUESTAS_DE = (select(Mensaje).where(Mensaje.responde_a_id == bindparam("mensaje"))
                  .order_by(Mensaje.id))


@dataclass(frozen=True)
class Atendido:
    """Lo que sale hacia una persona de un canal sin emisor al atender su mensaje: primero lo
    que la esperaba (reclamado), luego las respuestas a su mensaje."""

    esperaban: list[pendientes.Pendiente]
    respuestas: list[Respuesta]


@dataclass(frozen=True)
class Guardar:
    """Un mensaje entrante que falta guardar (y si se recortó)."""

    entrante: MensajeEntrante
    recortado: bool


@dataclass(frozen=True)
class Destino:
    """A qué mensaje (y de quién) responden las respuestas que se guardan."""

    usuario_id: int
    canal: str
    conversacion_id: int
    mensaje_id: int

    @classmethod
    def de(cls, ctx: Contexto) -> Destino:
        return cls(ctx.usuario.id, ctx.usuario.canal, ctx.conversacion.id, ctx.mensaje.id)

    @classmethod
    def del_trabajo(cls, trabajo: trabajos.Trabajo) -> Destino:
        return cls(trabajo.usuario_id, trabajo.canal, trabajo.conversacion_id,
                   trabajo.mensaje_id)


@dataclass
class Ronda:
    """Lo que decidió una transacción: mensajes decididos y qué falta."""

    hechas: list[tuple[int, list[Respuesta], Contexto]] = field(default_factory=list)
    por_analizar: tuple[int, str] | None = None
    """(mensaje, texto) que necesita el NLU antes de decidirse."""
    seguir: bool = False
    """Quedan mensajes por decidir tras correr el trabajo lento del último."""
    reclamadas: list[tuple[Mensaje, Respuesta]] = field(default_factory=list)
    """Respuestas guardadas ya `pendiente` (con `procesar_y_reclamar`)."""
    sin_reclamar: bool = False
    """¿Se guardó alguna sin reclamar porque algo esperaba antes en la bandeja?"""
    salida_libre: bool | None = None
    """¿Nada espera salir en la bandeja de la conversación? (None: aún no se sabe)."""


class Motor:
    """Procesa mensajes entrantes de cualquier canal con las rutas registradas."""

    def __init__(
        self,
        almacen: Almacen,
        documentos: AlmacenDocumentos,
        analizador: Analizador | None = None,
        confianza_minima: float = 0.55,
        maximo_archivo: int = 10 * 1024 * 1024,
    ) -> None:
        self.almacen = almacen
        self.documentos = documentos
        self.analizador = analizador
        self.confianza_minima = confianza_minima
        self.cerrojos = CerrojosConversacion()
        # Conversaciones procesándose a la vez en este proceso: cada una ocupa una conexión
        # (su unidad de trabajo); se deja holgura en el pool para el panel y las tareas.
        self._en_proceso = asyncio.Semaphore(max(1, almacen.conexiones_maximas - 4))
        self.rutas: list[Ruta] = list(rutas_basicas.RUTAS)
        """Las rutas en el orden en que se prueban (la primera que responde gana). La tabla
        completa la arma `bot.modulos.tabla_de_rutas`; por omisión, solo las de base."""
        self.aceptadores: list[Aceptador] = []
        self.maximo_archivo = maximo_archivo
        self._tareas_al_fondo: set[asyncio.Task[None]] = set()

    # --- API pública ---

    async def procesar(self, entrante: MensajeEntrante) -> list[Respuesta]:
        """Guarda, procesa en orden y devuelve las respuestas a este mensaje.

        Un mensaje repetido (mismo canal e id) no se procesa de nuevo: se devuelven
        las respuestas que ya se habían dado.
        """
        guardar = _a_guardar(entrante)
        clave = clave_conversacion(guardar.entrante.canal.value, guardar.entrante.id_usuario)
        async with self._en_proceso, self.cerrojos.de(clave):
            return await self._atender(clave, guardar)

    async def procesar_entregando(self, entrante: MensajeEntrante) -> Atendido:
        """Para un canal sin emisor (REST, chat web): como `procesar`, y además reclama, en la
        misma transacción que guarda el mensaje, lo que esperaba a la persona (la respuesta de
        un asesor, un aviso: `bot.motor.pendientes`), que va al frente de la respuesta. Si algo
        falla después de reclamarlo, lo reclamado vuelve a esperar."""
        guardar = _a_guardar(entrante)
        clave = clave_conversacion(guardar.entrante.canal.value, guardar.entrante.id_usuario)
        esperaban: list[pendientes.Pendiente] = []
        try:
            async with self._en_proceso, self.cerrojos.de(clave):
                respuestas = await self._atender(clave, guardar, esperaban=esperaban)
        except BaseException:
            if esperaban:
                with contextlib.suppress(Exception):
                    await pendientes.devolver(self.almacen, [p.mensaje_id for p in esperaban])
            raise
        return Atendido(esperaban, respuestas)

    async def procesar_y_reclamar(self, entrante: MensajeEntrante, entregar: Entregar) -> None:
        """Para un canal con bandeja de salida. Vuelve en cuanto el mensaje quedó guardado (lo
        que la plataforma necesita para darlo por recibido) y lo demás sigue al fondo, en
        orden: el NLU, los documentos. Cada tanda de respuestas se le pasa a `entregar` al
        confirmarse; nacen reclamadas si nada anterior espera salir. Si el mensaje no quedó
        guardado, lanza el error (la plataforma reintentará)."""
        guardar = _a_guardar(entrante)
        clave = clave_conversacion(guardar.entrante.canal.value, guardar.entrante.id_usuario)
        guardado: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        tarea = asyncio.create_task(self._al_fondo(clave, guardar, entregar, guardado))
        self._tareas_al_fondo.add(tarea)
        tarea.add_done_callback(self._tareas_al_fondo.discard)
        await guardado

    async def _al_fondo(self, clave: str, guardar: Guardar, entregar: Entregar,
                        guardado: asyncio.Future[None]) -> None:
        def avisar_guardado() -> None:
            if not guardado.done():
                guardado.set_result(None)

        try:
            async with self._en_proceso, self.cerrojos.de(clave):
                await self._atender(clave, guardar, entregar, avisar_guardado)
        except asyncio.CancelledError:
            guardado.cancel()
            raise
        except Exception as error:
            if guardado.done():
                log.exception("falló el proceso de un mensaje ya guardado; se retomará",
                              extra={"canal": guardar.entrante.canal.value})
            else:
                guardado.set_exception(error)

    async def esperar_al_fondo(self, limite: float = 30.0) -> None:
        """Espera lo que sigue procesándose al fondo (al cerrar un canal)."""
        if self._tareas_al_fondo:
            await asyncio.wait(list(self._tareas_al_fondo), timeout=limite)

    async def procesar_pendientes_todas(self) -> int:
        """Procesa lo que quedó en la bandeja (p. ej. tras una caída). Devuelve cuántos."""
        async with self.almacen.lectura() as s:
            filas = (await s.execute(
                select(Usuario.canal, Usuario.id_externo, Conversacion.id)
                .join(Conversacion, Conversacion.usuario_id == Usuario.id)
                .where(Conversacion.id.in_(
                    select(Mensaje.conversacion_id).where(text(SIN_PROCESAR))))
            )).all()
        total = 0
        for canal, id_externo, conversacion_id in filas:
            clave = clave_conversacion(canal, id_externo)
            async with self._en_proceso, self.cerrojos.de(clave):
                _, producidas = await self._procesar_en_orden(
                    clave, conversacion_id=conversacion_id)
                total += len(producidas)
        return total

    async def reanudar_documentos(self) -> int:
        """Corre los trabajos de documentos que quedaron pendientes (el proceso cayó tras
        confirmar, antes de guardarlos). Sus respuestas se guardan como las de siempre, para
        el mensaje que los pidió: en Telegram y WhatsApp, en la bandeja de salida (las envía
        su barrido); en REST, para el reintento del mismo `message_id`. Devuelve cuántos
        trabajos respondieron."""
        async with self.almacen.lectura() as s:
            pendientes = await trabajos.pendientes(s)
        respondidos = 0
        for trabajo in pendientes:
            clave = clave_conversacion(trabajo.canal, trabajo.id_externo)
            async with self._en_proceso, self.cerrojos.de(clave):
                respondidos += bool(await self._reanudar(trabajo))
        return respondidos

    async def respuestas_guardadas(self, mensaje_id: int) -> list[Respuesta]:
        """Las respuestas ya guardadas para un mensaje entrante."""
        async with self.almacen.lectura() as s:
            filas = (await s.scalars(_RESPUESTAS_DE, {"mensaje": mensaje_id})).all()
            return [await respuesta_guardada(s, f, self.documentos) for f in filas]

    # --- interno ---

    async def _atender(self, clave: str, guardar: Guardar, entregar: Entregar | None = None,
                       al_guardar: Callable[[], None] | None = None,
                       esperaban: list[pendientes.Pendiente] | None = None) -> list[Respuesta]:
        """Guarda el mensaje y procesa la conversación hasta él; devuelve sus respuestas (con
        `entregar`, reclamándolas para el canal y sin devolverlas). `al_guardar` se llama en
        cuanto el mensaje quedó confirmado en la base.

        Lo común (un botón o el paso de un flujo, sin nada pendiente antes) se guarda y se
        procesa en una sola transacción. Si hace falta el NLU, el mensaje se confirma antes
        de consultarlo (queda guardado aunque el proceso caiga) y se procesa en otra.
        """
        for intento in range(3):
            try:
                registro, producidas = await self._procesar_en_orden(
                    clave, guardar, entregar=entregar, al_guardar=al_guardar,
                    esperaban=esperaban)
                break
            except IntegrityError:  # otro proceso creó al mismo usuario al mismo tiempo
                if intento == 2:
                    raise
        else:  # pragma: no cover
            raise AssertionError("inalcanzable")
        assert registro is not None  # con `guardar`, siempre queda guardado
        if registro.duplicado:  # sus documentos, si quedaron pendientes (p. ej. tras una caída)
            await self._reanudar_del_mensaje(registro.mensaje_id, entregar)
        if entregar is not None:
            if registro.duplicado:  # sus respuestas, donde hayan quedado
                entregar(Reclamo(revisar_bandeja=True))
            return []
        if registro.mensaje_id in producidas:
            return producidas[registro.mensaje_id]
        return await self.respuestas_guardadas(registro.mensaje_id)

    async def _disculparse(self, clave: str, fallido: int,
                           guardar: tuple[Guardar, Registro] | None
                           ) -> tuple[Registro | None, int]:
        """Una ruta falló (un error nuestro): se deshizo su transacción. En otra se guarda el
        mensaje (`guardar`, si su guardado se deshizo con ella) y el que falló queda procesado
        con una disculpa, para no perderlo ni repetir el error en cada reintento."""
        log.exception("falló una ruta; se responde con una disculpa",
                      extra={"mensaje_id": fallido})
        async with self.almacen.escritura() as s:
            await candado_en_transaccion(s, clave)
            nuevo = None
            if guardar is not None:
                pendiente, deshecho = guardar
                nuevo = await registrar_entrante(s, pendiente.entrante, self.documentos,
                                                 self.maximo_archivo, pendiente.recortado)
                if fallido == deshecho.mensaje_id:  # el id deshecho no vale: el guardado de nuevo
                    fallido = nuevo.mensaje_id
            mensaje = await s.get(Mensaje, fallido)
            if mensaje is not None and mensaje.procesado_en is None:
                s.add(Mensaje(
                    conversacion_id=mensaje.conversacion_id, direccion=Direccion.SALIDA,
                    autor="bot", canal=mensaje.canal, texto=RESPUESTA_DE_DISCULPA.texto,
                    botones=[{"titulo": b.titulo, "payload": b.payload}
                             for b in RESPUESTA_DE_DISCULPA.botones],
                    responde_a_id=mensaje.id, procesado_en=ahora(), tipo=TipoMensaje.TEXTO.value))
                mensaje.procesado_en = ahora()
                mensaje.extra = {**(mensaje.extra or {}), "error": True}
                conversacion = await s.get(Conversacion, mensaje.conversacion_id)
                if conversacion is not None and sin_consentimiento(conversacion):
                    await vaciar_sin_consentimiento(s, mensaje, conversacion)
        return nuevo, fallido

    async def _procesar_en_orden(self, clave: str, guardar: Guardar | None = None,
                                 conversacion_id: int | None = None,
                                 entregar: Entregar | None = None,
                                 al_guardar: Callable[[], None] | None = None,
                                 esperaban: list[pendientes.Pendiente] | None = None
                                 ) -> tuple[Registro | None, dict[int, list[Respuesta]]]:
        """Procesa en orden lo pendiente de una conversación. Con `guardar`, primero guarda
        ese mensaje (en la misma transacción que lo decide, si se puede) y llega hasta él;
        sin él, todo lo pendiente de `conversacion_id` (ya guardado). Con `entregar`, las
        respuestas nacen reclamadas (si se puede) y se le pasan al confirmarse; `al_guardar`
        se llama en cuanto `guardar` quedó confirmado. Con `esperaban`, ahí deja lo que
        esperaba a la persona, reclamado en la transacción que guarda `guardar`."""
        producidas: dict[int, list[Respuesta]] = {}
        analisis: dict[int, Any] = {}
        registro: Registro | None = None
        confirmado = guardar is None  # ¿ya está guardado todo lo que hay que procesar?
        while True:
            en_curso: list[int] = []
            reclamadas_ahora: list[pendientes.Pendiente] = []
            try:
                async with self.almacen.escritura() as s:
                    await candado_en_transaccion(s, clave)
                    inicial = None
                    libre = None
                    if not confirmado:
                        assert guardar is not None
                        registro = await registrar_entrante(
                            s, guardar.entrante, self.documentos, self.maximo_archivo,
                            guardar.recortado, self._se_decide_ya)
                        if not registro.hay_previos:
                            inicial, libre = registro.filas, registro.salida_libre
                        if esperaban is not None and registro.esperan_a_la_persona:
                            reclamadas_ahora = await pendientes.reclamar_en(
                                s, self.documentos, registro.conversacion_id)
                    conversacion = (registro.conversacion_id if registro is not None
                                    else conversacion_id)
                    assert conversacion is not None
                    ronda = await self._ronda(
                        s, conversacion, registro.mensaje_id if registro is not None else None,
                        analisis, inicial, en_curso, reclamar=entregar is not None,
                        salida_libre=libre)
            except (IntegrityError, OperationalError):
                raise  # la base: quien llama reintenta o responde «ocupado»
            except Exception:
                if not en_curso:
                    raise  # falló al guardar, no una ruta
                deshecho = None
                if not confirmado:
                    assert guardar is not None and registro is not None
                    deshecho = (guardar, registro)
                nuevo, fallido = await self._disculparse(clave, en_curso[-1], deshecho)
                registro = nuevo or registro
                producidas[fallido] = [RESPUESTA_DE_DISCULPA]
                if al_guardar is not None:
                    al_guardar()
                if entregar is not None:  # la disculpa queda en la bandeja, sin reclamar
                    entregar(Reclamo(revisar_bandeja=True))
                confirmado = True
                continue
            if esperaban is not None:  # la transacción se confirmó: lo reclamado ya es suyo
                esperaban += reclamadas_ahora
            if not confirmado and al_guardar is not None:
                al_guardar()
            confirmado = True
            if entregar is not None and (ronda.reclamadas or ronda.sin_reclamar):
                entregar(Reclamo([Reclamada(f.id, r) for f, r in ronda.reclamadas],
                                 ronda.sin_reclamar))
            producidas.update(await self._terminar(ronda, entregar))
            if ronda.por_analizar is None and not ronda.seguir:
                return registro, producidas
            if ronda.por_analizar is not None:
                mensaje_id, texto = ronda.por_analizar
                analisis[mensaje_id] = await self._analizar(texto)

    async def _ronda(self, s: AsyncSession, conversacion_id: int, hasta: int | None,
                     analisis: dict[int, Any],
                     inicial: tuple[Mensaje, Conversacion, Usuario] | None,
                     en_curso: list[int], reclamar: bool = False,
                     salida_libre: bool | None = None) -> Ronda:
        """Dentro de la transacción (con el candado tomado): decide, en orden, los mensajes
        pendientes hasta `hasta`. Se detiene antes de uno que necesita el NLU (se consulta
        fuera de la transacción) y después de uno con trabajo lento pendiente. Con `reclamar`,
        sus respuestas nacen reclamadas si nada espera antes en la bandeja."""
        ronda = Ronda(salida_libre=salida_libre)
        while True:
            recien_guardado = inicial is not None
            if inicial is not None:
                mensaje, conversacion, usuario = inicial
                inicial = None
            else:
                fila = (await s.execute(_PRIMER_PENDIENTE, {"conversacion": conversacion_id})
                        ).first()
                if fila is None or (hasta is not None and fila[0].id > hasta):
                    return ronda
                mensaje, conversacion, usuario = fila
            # Al recién guardado ya se le preguntó (`_se_decide_ya` en registrar_entrante): si
            # no nació procesado, necesita el NLU.
            if mensaje.id not in analisis and (
                    mensaje.procesado_en is None if recien_guardado
                    else self._necesita_nlu(conversacion, mensaje)):
                ronda.por_analizar = (mensaje.id, mensaje.texto or "")
                return ronda
            en_curso.append(mensaje.id)  # si una ruta falla, se sabe con cuál
            reclamadas = reclamar and await self._salida_libre(s, ronda, conversacion_id)
            respuestas, ctx, filas = await self._decidir(
                s, mensaje, conversacion, usuario, analisis.get(mensaje.id), reclamadas)
            ronda.hechas.append((mensaje.id, respuestas, ctx))
            if reclamadas:
                ronda.reclamadas += zip(filas, respuestas, strict=True)
            elif reclamar and respuestas:  # algo espera antes: lo de después, tampoco sale
                ronda.sin_reclamar = True
            if mensaje.id == hasta:
                return ronda
            if ctx.trabajos:  # sus documentos salen antes de atender el siguiente mensaje
                ronda.seguir = True
                return ronda

    @staticmethod
    async def _salida_libre(s: AsyncSession, ronda: Ronda, conversacion_id: int) -> bool:
        """¿Pueden nacer reclamadas las respuestas? (se consulta una vez por ronda)."""
        if ronda.salida_libre is None:
            ronda.salida_libre = await salida_libre(s, conversacion_id)
        return ronda.salida_libre

    def _se_decide_ya(self, mensaje: Mensaje, conversacion: Conversacion) -> bool:
        return not self._necesita_nlu(conversacion, mensaje)

    def _necesita_nlu(self, conversacion: Conversacion, mensaje: Mensaje) -> bool:
        texto = mensaje.texto or ""
        return not (
            self.analizador is None
            or mensaje.payload
            or mensaje.tipo != TipoMensaje.TEXTO
            or not texto.strip()
            or conversacion.modo == ModoConversacion.HUMANO
            or reconocer(texto, None) is not None
            or any(acepta(conversacion, texto, None) for acepta in self.aceptadores)
        )

    async def _analizar(self, texto: str) -> Any:
        assert self.analizador is not None
        return await self.analizador(texto)

    async def _terminar(self, ronda: Ronda,
                        entregar: Entregar | None = None) -> dict[int, list[Respuesta]]:
        """Tras confirmar: corre los trabajos de documentos pedidos y guarda lo que produjeron
        (con `entregar`, reclamado si nada espera antes en la bandeja, y se lo pasa)."""
        producidas: dict[int, list[Respuesta]] = {}
        for mensaje_id, respuestas, ctx in ronda.hechas:
            producidas[mensaje_id] = respuestas
            if not ctx.trabajos:
                continue
            async with self.almacen.lectura() as s:
                pedidos = await trabajos.pendientes(s, mensaje_id)
            tardias: list[Respuesta] = []
            for trabajo in pedidos:
                tardias += await self._correr(trabajo, entregar)
            producidas[mensaje_id] = respuestas + tardias
        return producidas

    async def _reanudar_del_mensaje(self, mensaje_id: int, entregar: Entregar | None) -> None:
        """Los trabajos de documentos de un mensaje que quedaron pendientes (un reintento de la
        plataforma o del cliente llegó después de una caída)."""
        async with self.almacen.lectura() as s:
            pendientes = await trabajos.pendientes(s, mensaje_id)
        for trabajo in pendientes:
            await self._reanudar(trabajo, entregar)

    async def _reanudar(self, trabajo: trabajos.Trabajo,
                        entregar: Entregar | None = None) -> list[Respuesta]:
        """Un intento más de un trabajo pendiente; agotados, se le avisa a la persona."""
        async with self.almacen.escritura() as s:
            intentar = await trabajos.reanudar(s, trabajo)
            aviso = [] if intentar else await trabajos.fallar(s, trabajo)
            for respuesta in aviso:
                await self._guardar_respuesta(s, Destino.del_trabajo(trabajo), respuesta)
        if intentar:
            return await self._correr(trabajo, entregar)
        if entregar is not None and aviso:
            entregar(Reclamo(revisar_bandeja=True))
        return aviso

    async def _correr(self, trabajo: trabajos.Trabajo,
                      entregar: Entregar | None = None) -> list[Respuesta]:
        """Produce la ficha y el oficio (fuera de la transacción) y, en una, los da por hechos
        y guarda sus respuestas. Si no se pudieron producir, el aviso para la persona."""
        try:
            producido = await trabajos.producir(self.almacen, self.documentos, trabajo)
        except Exception:
            log.exception("falló la ficha y el oficio", extra={"trabajo_id": trabajo.id})
            producido = None
        destino = Destino.del_trabajo(trabajo)
        async with self.almacen.escritura() as s:
            if producido is None:
                respuestas, documentos = await trabajos.fallar(s, trabajo), None
            else:
                documentos = await trabajos.terminar(s, producido)
                respuestas = [a.respuesta for a in producido.archivos] if documentos else []
            reclamar = (entregar is not None and bool(respuestas)
                        and await salida_libre(s, destino.conversacion_id))
            filas = [await self._guardar_respuesta(
                s, destino, respuesta, reclamada=reclamar,
                documento_id=documentos[i] if documentos else None)
                for i, respuesta in enumerate(respuestas)]
        if entregar is not None and respuestas:
            entregar(Reclamo([Reclamada(f.id, r) for f, r in zip(filas, respuestas, strict=True)]
                             if reclamar else [], revisar_bandeja=not reclamar))
        return respuestas

    async def _decidir(self, s: AsyncSession, mensaje: Mensaje, conversacion: Conversacion,
                       usuario: Usuario, analisis: Any, reclamar: bool = False
                       ) -> tuple[list[Respuesta], Contexto, list[Mensaje]]:
        """Recorre las rutas para un mensaje y guarda sus respuestas (con `reclamar`, ya
        `pendiente`) y el estado; devuelve también las filas guardadas."""
        # El primer mensaje de la conversación: aún no se ha atendido ninguno.
        anteriores = leer_contexto(conversacion).atendida or await s.scalar(
            _ALGUNO_ANTERIOR, {"conversacion": conversacion.id, "mensaje": mensaje.id})
        ctx = Contexto(
            almacen=self.almacen, sesion=s, usuario=usuario, conversacion=conversacion,
            mensaje=mensaje, texto=(mensaje.texto or "").strip(), payload=mensaje.payload,
            comando=reconocer(mensaje.texto, mensaje.payload), analisis=analisis,
            confianza_minima=self.confianza_minima, maximo_archivo=self.maximo_archivo,
            primera_vez=anteriores is None,
        )
        respuestas = await self._recorrer_rutas(ctx)
        if (mensaje.extra or {}).get("recortado"):
            respuestas.insert(0, Respuesta(
                f"Su mensaje era muy largo; tomé los primeros {LARGO_MAXIMO:,} caracteres."))
        if not ctx.no_entendido:
            conversacion.fallos_nlu = 0
        elif not ctx.notas.get("fallo_contado"):
            conversacion.fallos_nlu += 1
        destino = Destino.de(ctx)
        filas = [await self._guardar_respuesta(s, destino, respuesta, reclamada=reclamar)
                 for respuesta in respuestas]
        # Sin consentimiento, del mensaje decidido y de sus respuestas no queda el texto; un
        # dato sensible que una ruta rechazó tampoco se conserva (README, «Privacidad»).
        if sin_consentimiento(conversacion):
            await vaciar_sin_consentimiento(s, mensaje, conversacion, filas)
        elif ctx.notas.get(NOTA_TEXTO_SENSIBLE):
            mensaje.texto, mensaje.payload = DATO_SENSIBLE, None
        if mensaje.procesado_en is None:  # si no nació procesado (ver registrar_entrante)
            mensaje.procesado_en = ahora()
        conversacion.ultima_actividad = ahora()
        # Los botones que se acaban de ofrecer: escribir su título cuenta como pulsarlo.
        ofrecidos = [[b.titulo, b.payload] for r in respuestas for b in r.botones]
        actualizar_contexto(conversacion, atendida=True, botones=ofrecidos or None)
        log.info("mensaje procesado", extra={"mensaje_id": mensaje.id,
                                             "conversacion_id": conversacion.id,
                                             "respuestas": len(respuestas)})
        return respuestas, ctx, filas

    async def _recorrer_rutas(self, ctx: Contexto) -> list[Respuesta]:
        for ruta in self.rutas:
            respuestas = await ruta(ctx)
            if respuestas is not None:
                return respuestas
        return []

    async def _al_disco(self, respuesta: Respuesta) -> ArchivoGuardado | None:
        documento = respuesta.documento
        if documento is None:
            return None
        return await self.documentos.guardar_sin_bloquear(documento.contenido, documento.mime)

    async def _guardar_respuesta(self, s: AsyncSession, destino: Destino,
                                 respuesta: Respuesta, reclamada: bool = False,
                                 documento_id: int | None = None) -> Mensaje:
        """Guarda una respuesta (`reclamada`: ya `pendiente` para el canal que la envía). Su
        documento va a una fila nueva, o a la que se da en `documento_id` (ya guardada)."""
        extra: dict[str, Any] = {}
        if respuesta.enlace:
            extra["enlace"] = respuesta.enlace
        if documento_id is not None:
            extra["documento_id"] = documento_id
        elif respuesta.documento is not None:
            guardado = await self._al_disco(respuesta)
            assert guardado is not None
            documento = Documento(
                usuario_id=destino.usuario_id, tipo="generado",
                nombre_archivo=respuesta.documento.nombre,
                mime=respuesta.documento.mime, tamano=guardado.tamano, sha256=guardado.sha256,
                ruta=str(guardado.ruta),
            )
            s.add(documento)
            await s.flush()
            extra["documento_id"] = documento.id
        fila = Mensaje(
            conversacion_id=destino.conversacion_id, direccion=Direccion.SALIDA, autor="bot",
            canal=destino.canal, texto=respuesta.texto,
            botones=[{"titulo": b.titulo, "payload": b.payload} for b in respuesta.botones] or None,
            extra=extra or None, responde_a_id=destino.mensaje_id, procesado_en=ahora(),
            tipo=(TipoMensaje.DOCUMENTO if respuesta.documento else TipoMensaje.TEXTO).value,
            envio=EstadoEnvio.PENDIENTE if reclamada else (
                EstadoEnvio.EN_RESPUESTA if destino.canal in ENTREGAN_EN_LA_RESPUESTA else None),
        )
        s.add(fila)
        return fila


def _a_guardar(entrante: MensajeEntrante) -> Guardar:
    """El mensaje listo para guardar: valores raros de un adaptador (p. ej. `"text": true`)
    cuentan como vacíos; sin caracteres de control y recortado si es enorme."""
    texto = entrante.texto if isinstance(entrante.texto, str) else ""
    payload = entrante.payload if isinstance(entrante.payload, str) else None
    nombre = entrante.nombre_usuario if isinstance(entrante.nombre_usuario, str) else None
    entrante = replace(entrante, texto=texto, payload=payload, nombre_usuario=nombre)
    return Guardar(_limpiar(entrante), len(entrante.texto) > LARGO_MAXIMO)


def _limpiar(entrante: MensajeEntrante) -> MensajeEntrante:
    """Quita caracteres de control y recorta textos enormes antes de guardar."""
    return replace(
        entrante,
        texto=limpiar_entrada(entrante.texto or "", LARGO_MAXIMO),
        payload=limpiar_entrada(entrante.payload)[:255] if entrante.payload else None,
        nombre_usuario=(limpiar_entrada(entrante.nombre_usuario)[:80] or None
                        if entrante.nombre_usuario else None),
        id_usuario=entrante.id_usuario[:64],
        id_mensaje=entrante.id_mensaje[:128],
    )
