"""SLA de primera respuesta con temporizadores en la base (sobreviven reinicios).

Al vencer, por escalones: 0 → recordatorio al asignado (o a quienes recibieron el aviso);
1 → coordinación estatal; 2 → cola nacional (SRE). Una respuesta del asesor o el cierre
apagan la cadena. Cada temporizador se reclama con un UPDATE condicional, así que varios
procesos no lo ejecutan dos veces. La tarea periódica la arranca el ciclo de vida de la app.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.diferidos import al_confirmar, esperar
from bot.db.estados import Audiencia, EstadoTraspaso
from bot.db.modelos import Caso, Escalamiento, EventoCaso, Temporizador, ahora
from bot.escalamiento import avisos
from bot.escalamiento.enrutamiento import asesores_de_nivel
from bot.escalamiento.horario import Horario, horario_del_nivel

if TYPE_CHECKING:
    from bot.escalamiento.servicios import ServiciosEscalamiento

log = logging.getLogger(__name__)
TIPO = "sla_primera_respuesta"
ULTIMO_ESCALON = 2


async def programar(sesion: AsyncSession, esc: Escalamiento, horario: Horario, minutos: int,
                    desde: dt.datetime, escalon: int = 0) -> Temporizador:
    """Agenda el siguiente vencimiento contando solo horas de oficina."""
    temporizador = Temporizador(tipo=TIPO, escalamiento_id=esc.id, nivel=escalon,
                                vence_en=horario.sumar_minutos_habiles(desde, minutos),
                                datos={"minutos": minutos})
    sesion.add(temporizador)
    await sesion.flush()
    return temporizador


async def procesar_vencidos(servicios: ServiciosEscalamiento,
                            momento: dt.datetime | None = None) -> int:
    """Ejecuta los temporizadores vencidos; devuelve cuántos actuaron."""
    momento = (momento or ahora()).astimezone(dt.timezone.utc)
    async with servicios.almacen.lectura() as s:
        ids = (await s.scalars(select(Temporizador.id).where(
            Temporizador.tipo == TIPO, Temporizador.ejecutado_en.is_(None),
            Temporizador.vence_en <= momento).order_by(Temporizador.vence_en).limit(200))).all()
    actuaron = 0
    for temporizador_id in ids:
        async with servicios.almacen.escritura() as s:
            if await _ejecutar(servicios, s, temporizador_id, momento):
                actuaron += 1
    return actuaron


async def _ejecutar(servicios: ServiciosEscalamiento, s: AsyncSession, temporizador_id: int,
                    momento: dt.datetime) -> bool:
    reclamo = await s.execute(update(Temporizador).where(
        Temporizador.id == temporizador_id, Temporizador.ejecutado_en.is_(None))
        .values(ejecutado_en=momento).execution_options(synchronize_session=False))
    if getattr(reclamo, "rowcount", 0) != 1:
        return False
    temporizador = await s.get(Temporizador, temporizador_id)
    assert temporizador is not None
    esc = await s.get(Escalamiento, temporizador.escalamiento_id)
    if esc is None or esc.estado in (EstadoTraspaso.ATENDIDA, EstadoTraspaso.CERRADA):
        return False
    escalon = temporizador.nivel
    esc_id = esc.id
    if escalon == 0:
        if esc.estado == EstadoTraspaso.TOMADA and esc.asesor_id is not None:
            asignado = esc.asesor_id
            cuerpo = await avisos.texto_aviso(s, esc, "recordatorio",
                                              "Responda aquí o en el panel.")
            al_confirmar(s, lambda: avisos.enviar_a_asesor(servicios, asignado, cuerpo))
        else:
            nivel = esc.nivel
            al_confirmar(s, lambda: avisos.avisar_solicitud(servicios, esc_id, nivel,
                                                            "recordatorio"))
        descripcion = "Recordatorio de primera respuesta"
    else:
        destino = "coordinador" if escalon == 1 else "nacional"
        if destino == "coordinador" and not await asesores_de_nivel(s, esc.estado_id, destino):
            destino = "nacional"
        if destino == "nacional":
            escalon = ULTIMO_ESCALON
        esc.nivel = destino
        al_confirmar(s, lambda: avisos.avisar_solicitud(servicios, esc_id, destino,
                                                        "recordatorio"))
        descripcion = ("Sin respuesta a tiempo: se avisó a la coordinación estatal"
                       if destino == "coordinador"
                       else "Sin respuesta a tiempo: pasó a la cola nacional (SRE)")
    if esc.caso_id is not None and await s.get(Caso, esc.caso_id) is not None:
        s.add(EventoCaso(caso_id=esc.caso_id, tipo="traspaso_sla", descripcion=descripcion,
                         actor="sistema", datos={"escalamiento_id": esc.id, "escalon": escalon},
                         audiencia=Audiencia.EQUIPO))
    if escalon < ULTIMO_ESCALON:
        horario = await horario_del_nivel(s, esc.estado_id, esc.nivel,
                                          servicios.ajustes.zona_horaria)
        minutos = int((temporizador.datos or {}).get("minutos") or
                      servicios.ajustes.sla_primera_respuesta_min)
        await programar(s, esc, horario, minutos, momento, escalon + 1)
    log.info("sla vencido", extra={"escalamiento_id": esc.id, "escalon": escalon})
    return True


async def bucle(servicios: ServiciosEscalamiento, intervalo: float = 30.0) -> None:
    """Revisa los temporizadores cada `intervalo` s."""
    while True:
        try:
            await procesar_vencidos(servicios)
        except Exception:
            log.exception("revisión de SLA falló")
        await asyncio.sleep(intervalo)


def iniciar_tarea(servicios: ServiciosEscalamiento, intervalo: float = 30.0) -> asyncio.Task[None]:
    """Arranca la tarea periódica (la llama el ciclo de vida de la aplicación)."""
    return asyncio.get_running_loop().create_task(bucle(servicios, intervalo))


async def detener_tarea(tarea: asyncio.Task[None]) -> None:
    """Detiene la tarea periódica y espera los avisos en curso."""
    tarea.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await tarea
    await esperar()
