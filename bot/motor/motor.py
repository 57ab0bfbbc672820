"""El motor: guarda el mensaje, lo procesa en orden y devuelve respuestas neutrales.

Camino de un mensaje (DISEÑO.md §4):
1. `procesar` guarda el mensaje en la bandeja (único por canal + id del canal).
2. Toma el candado de la conversación y procesa, en orden, todo lo pendiente de ella.
3. Para cada mensaje: lee el estado; llama al NLU solo si es texto libre que nadie más
   puede tomar; luego, en una unidad de trabajo que escribe, recorre las rutas (la primera
   que responde gana), guarda respuestas y estado, y marca el mensaje como procesado.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.db.modelos import Conversacion, Documento, Mensaje, Usuario, ahora
from bot.db.sesion import Almacen
from bot.documentos.almacen import AlmacenDocumentos
from bot.motor import rutas_basicas
from bot.motor.bandeja import registrar_entrante
from bot.motor.cerrojos import CerrojosConversacion, candado_entre_procesos
from bot.motor.comandos import reconocer
from bot.motor.contexto import Contexto, Ruta
from bot.motor.mensajes import Boton, DocumentoSaliente, MensajeEntrante, Respuesta
from bot.texto import limpiar_entrada

log = logging.getLogger(__name__)
LARGO_MAXIMO = 4096  # el límite de Telegram; más que eso no es un mensaje de chat

Analizador = Callable[[str], Awaitable[Any | None]]
"""Función que analiza texto libre (NLU con respaldo); devuelve un Analisis o None."""
Aceptador = Callable[[Conversacion, str, str | None], bool]
"""¿Puede el estado actual tomar este texto/payload sin NLU? (p. ej. el paso de un flujo)."""


class Motor:
    """Procesa mensajes entrantes de cualquier canal con las rutas registradas."""

    def __init__(
        self,
        almacen: Almacen,
        documentos: AlmacenDocumentos,
        analizador: Analizador | None = None,
        confianza_minima: float = 0.55,
    ) -> None:
        self.almacen = almacen
        self.documentos = documentos
        self.analizador = analizador
        self.confianza_minima = confianza_minima
        self.cerrojos = CerrojosConversacion()
        # Conversaciones procesándose a la vez en este proceso. Con PostgreSQL cada una ocupa
        # hasta dos conexiones (candado consultivo + unidad de trabajo): se limita a la mitad
        # del pool para que nunca se agote esperando candados de otro proceso.
        self._en_proceso = asyncio.Semaphore(max(1, almacen.conexiones_maximas // 2))
        self.rutas_previas: list[Ruta] = list(rutas_basicas.RUTAS_INICIALES)
        self.rutas: list[Ruta] = []
        self.rutas_finales: list[Ruta] = list(rutas_basicas.RUTAS_FINALES)
        self.aceptadores: list[Aceptador] = []
        self.servicios: dict[str, Any] = {}
        self.maximo_archivo = 10 * 1024 * 1024

    # --- API pública ---

    async def procesar(self, entrante: MensajeEntrante) -> list[Respuesta]:
        """Guarda, procesa en orden y devuelve las respuestas a este mensaje.

        Un mensaje repetido (mismo canal e id) no se procesa de nuevo: se devuelven
        las respuestas que ya se habían dado.
        """
        # Un adaptador pudo dejar pasar un valor raro (p. ej. `"text": true`): cuenta como vacío.
        texto = entrante.texto if isinstance(entrante.texto, str) else ""
        payload = entrante.payload if isinstance(entrante.payload, str) else None
        entrante = replace(entrante, texto=texto, payload=payload)
        recortado = len(entrante.texto) > LARGO_MAXIMO
        entrante = _limpiar(entrante)
        registro = await self._registrar(entrante, recortado)
        async with (
            self._en_proceso,
            self.cerrojos.de(registro.conversacion_id),
            candado_entre_procesos(self.almacen.motor, registro.conversacion_id),
        ):
            producidas = await self._procesar_pendientes(registro.conversacion_id,
                                                         hasta=registro.mensaje_id)
        if registro.mensaje_id in producidas:
            return producidas[registro.mensaje_id]
        return await self.respuestas_guardadas(registro.mensaje_id)

    async def procesar_pendientes_todas(self) -> int:
        """Procesa lo que quedó en la bandeja (p. ej. tras una caída). Devuelve cuántos."""
        async with self.almacen.lectura() as s:
            ids = (await s.scalars(
                select(Mensaje.conversacion_id).where(
                    Mensaje.direccion == "entrada", Mensaje.procesado_en.is_(None)
                ).distinct()
            )).all()
        total = 0
        for conversacion_id in ids:
            async with (
                self.cerrojos.de(conversacion_id),
                candado_entre_procesos(self.almacen.motor, conversacion_id),
            ):
                total += len(await self._procesar_pendientes(conversacion_id))
        return total

    async def respuestas_guardadas(self, mensaje_id: int) -> list[Respuesta]:
        """Las respuestas ya guardadas para un mensaje entrante."""
        async with self.almacen.lectura() as s:
            filas = (await s.scalars(
                select(Mensaje).where(Mensaje.responde_a_id == mensaje_id).order_by(Mensaje.id)
            )).all()
            return [await self._a_respuesta(s, f) for f in filas]

    # --- interno ---

    async def _registrar(self, entrante: MensajeEntrante, recortado: bool) -> Any:
        for intento in range(3):
            try:
                async with self.almacen.escritura() as s:
                    return await registrar_entrante(s, entrante, self.documentos,
                                                    self.maximo_archivo, recortado)
            except IntegrityError:  # otro proceso guardó el mismo id al mismo tiempo
                if intento == 2:
                    raise
        raise AssertionError("inalcanzable")

    async def _procesar_pendientes(self, conversacion_id: int, hasta: int | None = None
                                   ) -> dict[int, list[Respuesta]]:
        """Procesa en orden lo pendiente de la conversación, hasta el mensaje `hasta` (los
        posteriores los procesa quien los recibió; sin `hasta`, todo)."""
        producidas: dict[int, list[Respuesta]] = {}
        while True:
            async with self.almacen.lectura() as s:
                fila = (await s.execute(
                    select(Mensaje, Conversacion)
                    .join(Conversacion, Conversacion.id == Mensaje.conversacion_id)
                    .where(
                        Mensaje.conversacion_id == conversacion_id,
                        Mensaje.direccion == "entrada",
                        Mensaje.procesado_en.is_(None),
                    ).order_by(Mensaje.id).limit(1)
                )).first()
            if fila is None or (hasta is not None and fila[0].id > hasta):
                return producidas
            mensaje, conversacion = fila
            analisis = await self._analizar_si_hace_falta(conversacion, mensaje)
            producidas[mensaje.id] = await self._procesar_uno(mensaje.id, analisis)
            if mensaje.id == hasta:
                return producidas

    async def _analizar_si_hace_falta(self, conversacion: Conversacion, mensaje: Mensaje) -> Any:
        texto = mensaje.texto or ""
        if (
            self.analizador is None
            or mensaje.payload
            or mensaje.tipo != "texto"
            or not texto.strip()
            or conversacion.modo == "humano"
            or reconocer(texto, None) is not None
            or any(acepta(conversacion, texto, None) for acepta in self.aceptadores)
        ):
            return None
        return await self.analizador(texto)

    async def _procesar_uno(self, mensaje_id: int, analisis: Any) -> list[Respuesta]:
        respuestas, ctx = await self._decidir(mensaje_id, analisis)
        if ctx is None or not ctx.despues:
            return respuestas
        tardias: list[Respuesta] = []
        for trabajo in ctx.despues:
            tardias += await trabajo()
        async with self.almacen.escritura() as s:
            conversacion = await s.get(Conversacion, ctx.conversacion.id)
            usuario = await s.get(Usuario, ctx.usuario.id)
            mensaje = await s.get(Mensaje, mensaje_id)
            assert conversacion is not None and usuario is not None and mensaje is not None
            tardio = Contexto(motor=self, sesion=s, usuario=usuario, conversacion=conversacion,
                              mensaje=mensaje, texto="", payload=None, comando=None,
                              analisis=None, notas=ctx.notas)
            for respuesta in tardias:
                await self._guardar_respuesta(tardio, respuesta)
        return respuestas + tardias

    async def _decidir(self, mensaje_id: int, analisis: Any
                       ) -> tuple[list[Respuesta], Contexto | None]:
        async with self.almacen.escritura() as s:
            # Mensaje, conversación y usuario en una sola consulta (se lee por mensaje).
            fila = (await s.execute(
                select(Mensaje, Conversacion, Usuario)
                .join(Conversacion, Conversacion.id == Mensaje.conversacion_id)
                .join(Usuario, Usuario.id == Conversacion.usuario_id)
                .where(Mensaje.id == mensaje_id)
            )).one()
            mensaje, conversacion, usuario = fila
            if mensaje.procesado_en is not None:  # otro proceso se adelantó
                return [], None
            # El primer mensaje de la conversación: aún no se ha atendido ninguno.
            anteriores = (conversacion.contexto or {}).get("atendida") or await s.scalar(
                select(Mensaje.id).where(
                    Mensaje.conversacion_id == conversacion.id, Mensaje.id < mensaje.id,
                ).limit(1)
            )
            ctx = Contexto(
                motor=self, sesion=s, usuario=usuario, conversacion=conversacion,
                mensaje=mensaje, texto=(mensaje.texto or "").strip(), payload=mensaje.payload,
                comando=reconocer(mensaje.texto, mensaje.payload), analisis=analisis,
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
            for respuesta in respuestas:
                await self._guardar_respuesta(ctx, respuesta)
            mensaje.procesado_en = ahora()
            conversacion.ultima_actividad = ahora()
            if not (conversacion.contexto or {}).get("atendida"):
                conversacion.contexto = {**(conversacion.contexto or {}), "atendida": True}
            log.info("mensaje procesado", extra={"mensaje_id": mensaje.id,
                                                 "conversacion_id": conversacion.id,
                                                 "respuestas": len(respuestas)})
            return respuestas, ctx

    async def _recorrer_rutas(self, ctx: Contexto) -> list[Respuesta]:
        for ruta in (*self.rutas_previas, *self.rutas, *self.rutas_finales):
            respuestas = await ruta(ctx)
            if respuestas is not None:
                return respuestas
        return []

    async def _guardar_respuesta(self, ctx: Contexto, respuesta: Respuesta) -> None:
        extra: dict[str, Any] = {}
        if respuesta.enlace:
            extra["enlace"] = respuesta.enlace
        if respuesta.documento is not None:
            guardado = self.documentos.guardar(respuesta.documento.contenido,
                                               respuesta.documento.mime)
            documento = Documento(
                usuario_id=ctx.usuario.id, tipo="generado",
                nombre_archivo=respuesta.documento.nombre,
                mime=respuesta.documento.mime, tamano=guardado.tamano, sha256=guardado.sha256,
                ruta=str(guardado.ruta), caso_id=ctx.notas.get("caso_id"),
            )
            ctx.sesion.add(documento)
            await ctx.sesion.flush()
            extra["documento_id"] = documento.id
        ctx.sesion.add(Mensaje(
            conversacion_id=ctx.conversacion.id, direccion="salida", autor="bot",
            canal=ctx.usuario.canal, texto=respuesta.texto,
            botones=[{"titulo": b.titulo, "payload": b.payload} for b in respuesta.botones] or None,
            extra=extra or None, responde_a_id=ctx.mensaje.id, procesado_en=ahora(),
            tipo="documento" if respuesta.documento else "texto",
        ))

    async def _a_respuesta(self, s: Any, fila: Mensaje) -> Respuesta:
        extra = fila.extra or {}
        documento = None
        if "documento_id" in extra:
            doc = await s.get(Documento, extra["documento_id"])
            if doc is not None:
                documento = DocumentoSaliente(doc.nombre_archivo, doc.mime,
                                              self.documentos.leer(doc.ruta))
        return Respuesta(
            texto=fila.texto,
            botones=[Boton(b["titulo"], b["payload"]) for b in (fila.botones or [])],
            documento=documento,
            enlace=extra.get("enlace"),
        )


def _limpiar(entrante: MensajeEntrante) -> MensajeEntrante:
    """Quita caracteres de control y recorta textos enormes antes de guardar."""
    return replace(
        entrante,
        texto=limpiar_entrada(entrante.texto or "", LARGO_MAXIMO),
        payload=limpiar_entrada(entrante.payload)[:255] if entrante.payload else None,
        id_usuario=entrante.id_usuario[:64],
        id_mensaje=entrante.id_mensaje[:128],
    )
