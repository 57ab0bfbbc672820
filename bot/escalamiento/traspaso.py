"""Máquina de estados del traspaso (docs/ARQUITECTURA.md §4): solicitada → tomada → atendida →
cerrada.

Cada transición deja un EventoCaso cuando hay caso. La toma es atómica (el primero gana):
`UPDATE … WHERE estado = 'solicitada'`. Los envíos y avisos salen al confirmar.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.modelos import (
    Asesor,
    Caso,
    Conversacion,
    Escalamiento,
    Estado,
    EventoCaso,
    Usuario,
    ahora,
)
from bot.escalamiento import avisos, relevo, sla
from bot.escalamiento.asesores import NOMBRES_ROL, puede_atender
from bot.escalamiento.diferidos import al_confirmar
from bot.escalamiento.enrutamiento import destinatarios, estado_del_usuario
from bot.escalamiento.horario import cuando, horario_de
from bot.escalamiento.textos import texto
from bot.nucleo.mensajes import Boton, Respuesta

if TYPE_CHECKING:
    from bot.escalamiento.servicios import ServiciosEscalamiento

log = logging.getLogger(__name__)

ABIERTOS = ("solicitada", "tomada", "atendida")
TRANSICIONES: dict[str, frozenset[str]] = {
    "solicitada": frozenset({"tomada", "cerrada"}),
    "tomada": frozenset({"atendida", "cerrada"}),
    "atendida": frozenset({"cerrada"}),
    "cerrada": frozenset(),
}
ESTATUS_CERRADOS = ("registrada", "cancelada", "dictamen_no_favorable")


class TraspasoError(Exception):
    """Una acción sobre el traspaso no procede; el mensaje se puede mostrar al asesor.

    `codigo` la identifica para el panel, que muestra un texto fijo por código (nunca el
    mensaje en la URL)."""

    codigo = "no_procede"

    def __init__(self, mensaje: str, codigo: str | None = None) -> None:
        super().__init__(mensaje)
        if codigo is not None:
            self.codigo = codigo


class NoAutorizado(TraspasoError):
    """El asesor no atiende el estado del traspaso (o no es suyo)."""

    codigo = "no_autorizado"


class TransicionInvalida(TraspasoError):
    """El traspaso no está en un estado que permita esa acción."""

    codigo = "no_abierta"


@dataclass(frozen=True)
class Toma:
    """Resultado de intentar tomar un traspaso."""

    gano: bool
    escalamiento: Escalamiento
    tomado_por: str | None = None


def _utc(momento: dt.datetime | None) -> dt.datetime:
    """El momento en UTC (SQLite guarda la hora sin zona: siempre se guarda en UTC)."""
    return (momento or ahora()).astimezone(dt.timezone.utc)


def actor_de(asesor: Asesor | None) -> str:
    """Quién hizo algo, como se anota en la línea de tiempo."""
    return f"asesor:{asesor.id}" if asesor is not None else "sistema"


async def abierto_de(sesion: AsyncSession, conversacion_id: int) -> Escalamiento | None:
    """El traspaso abierto de la conversación, si hay."""
    return await sesion.scalar(select(Escalamiento).where(
        Escalamiento.conversacion_id == conversacion_id, Escalamiento.estado.in_(ABIERTOS))
        .order_by(Escalamiento.id.desc()).limit(1))


async def caso_abierto(sesion: AsyncSession, usuario_id: int) -> Caso | None:
    """El caso más reciente del usuario que sigue en trámite."""
    return await sesion.scalar(select(Caso).where(
        Caso.usuario_id == usuario_id, Caso.estatus.not_in(ESTATUS_CERRADOS))
        .order_by(Caso.id.desc()).limit(1))


async def _caso_del_folio(sesion: AsyncSession, usuario_id: int, folio: Any) -> Caso | None:
    if not isinstance(folio, str) or not folio.strip():
        return None
    return await sesion.scalar(select(Caso).where(
        Caso.usuario_id == usuario_id, Caso.folio == folio.strip().upper()))


async def caso_de_la_conversacion(sesion: AsyncSession, usuario: Usuario,
                                  conversacion: Conversacion) -> Caso | None:
    """El caso del que trata la conversación ahora, si hay: el que eligió en el flujo en
    curso (seguimiento, documentos, comité…), si no el último que registró en esta
    conversación si sigue en trámite, si no su caso en trámite más reciente. Siempre uno
    suyo."""
    if conversacion.flujo:
        elegido = (conversacion.respuestas or {}).get("caso_elegido")
        caso = await _caso_del_folio(sesion, usuario.id, (
            elegido.get("folio") if isinstance(elegido, dict) else None))
        if caso is not None:
            return caso
    caso = await _caso_del_folio(sesion, usuario.id,
                                 (conversacion.contexto or {}).get("caso_folio"))
    if caso is not None and caso.estatus not in ESTATUS_CERRADOS:
        return caso
    return await caso_abierto(sesion, usuario.id)


async def oficina(sesion: AsyncSession, estado_id: int | None) -> str:
    """«la oficina de enlace de Jalisco» o la coordinación nacional."""
    estado = await sesion.get(Estado, estado_id) if estado_id else None
    if estado is None:
        return "la coordinación nacional del programa (SRE)"
    return f"la oficina estatal de enlace de {estado.nombre}"


def _evento(sesion: AsyncSession, esc: Escalamiento, tipo: str, actor: str,
            descripcion: str = "", **datos: Any) -> None:
    if esc.caso_id is None:
        return
    sesion.add(EventoCaso(caso_id=esc.caso_id, tipo=f"traspaso_{tipo}", descripcion=descripcion,
                          actor=actor, datos={"escalamiento_id": esc.id, **datos}))


def _pasar(esc: Escalamiento, nuevo: str) -> str:
    anterior = esc.estado
    if nuevo not in TRANSICIONES[anterior]:
        raise TransicionInvalida(f"El traspaso está «{anterior}»; no puede pasar a «{nuevo}».",
                                 codigo="no_abierta")
    esc.estado = nuevo
    return anterior


async def solicitar(
    servicios: ServiciosEscalamiento,
    sesion: AsyncSession, usuario: Usuario, conversacion: Conversacion,
    motivo: str, detalle: str | None = None, momento: dt.datetime | None = None,
) -> list[Respuesta]:
    """Abre un traspaso (o recuerda el que ya hay) y devuelve lo que se le dice al usuario."""
    momento = _utc(momento)
    existente = await abierto_de(sesion, conversacion.id)
    if existente is not None:
        conversacion.modo = "humano"
        return [Respuesta(texto("solicitada.txt.j2", ya_existia=True, en_horario=True, oficina="",
                                sla=0, horario="", cuando=""))]
    # El traspaso va a la oficina del estado del caso del que se habla (puede no ser el del
    # perfil: alguien de Jalisco puede registrar una iniciativa de Nuevo León); sin caso, al
    # del perfil. Ese estado decide quién lo ve (`puede_atender`).
    caso = await caso_de_la_conversacion(sesion, usuario, conversacion)
    estado_id = caso.estado_id if caso is not None else await estado_del_usuario(
        sesion, usuario)
    nivel, _personas = await destinatarios(sesion, estado_id)
    esc = Escalamiento(conversacion_id=conversacion.id, caso_id=caso.id if caso else None,
                       estado_id=estado_id, motivo=motivo[:40], detalle=detalle, nivel=nivel,
                       estado="solicitada", solicitado_en=momento)
    sesion.add(esc)
    await sesion.flush()
    conversacion.modo = "humano"
    conversacion.fallos_nlu = 0
    _evento(sesion, esc, "solicitada", f"usuario:{usuario.id}", detalle or motivo, motivo=motivo)
    horario = await horario_de(sesion, estado_id)
    minutos = servicios.ajustes.sla_primera_respuesta_min
    await sla.programar(sesion, esc, horario, minutos, momento)
    al_confirmar(sesion, lambda: avisos.avisar_solicitud(servicios, esc.id))
    log.info("traspaso solicitado", extra={"escalamiento_id": esc.id, "motivo": motivo,
                                           "nivel": nivel})
    aviso = texto("solicitada.txt.j2", ya_existia=False, en_horario=horario.abierto(momento),
                  oficina=await oficina(sesion, estado_id), sla=minutos,
                  horario=horario.describir(),
                  cuando=cuando(horario.siguiente_apertura(momento), horario, momento))
    return [Respuesta(aviso, botones=[Boton("Volver al asistente", "/cancelar")])]


async def tomar(servicios: ServiciosEscalamiento, sesion: AsyncSession, escalamiento_id: int,
                asesor: Asesor, momento: dt.datetime | None = None) -> Toma:
    """Intenta tomar el traspaso. Solo uno gana; los demás reciben quién lo tomó."""
    momento = _utc(momento)
    esc = await sesion.get(Escalamiento, escalamiento_id)
    if esc is None or not puede_atender(asesor, esc.estado_id):
        raise NoAutorizado("No encontré ese traspaso entre los de sus estados.")
    resultado = await sesion.execute(
        update(Escalamiento)
        .where(Escalamiento.id == escalamiento_id, Escalamiento.estado == "solicitada")
        .values(estado="tomada", asesor_id=asesor.id, tomado_en=momento)
        .execution_options(synchronize_session=False))
    await sesion.refresh(esc)
    if getattr(resultado, "rowcount", 0) != 1:
        otro = await sesion.get(Asesor, esc.asesor_id) if esc.asesor_id else None
        return Toma(False, esc, otro.nombre if otro else None)
    _evento(sesion, esc, "tomada", actor_de(asesor), f"Tomado por {asesor.nombre}",
            de="solicitada", a="tomada")
    conversacion = await sesion.get(Conversacion, esc.conversacion_id)
    assert conversacion is not None
    conversacion.modo = "humano"
    usuario = await sesion.get(Usuario, conversacion.usuario_id)
    assert usuario is not None
    lugar = await oficina(sesion, esc.estado_id)
    if asesor.rol == "sre":
        lugar = "la coordinación nacional del programa (SRE)"
    aviso = texto("tomada.txt.j2", asesor=asesor.nombre, oficina=lugar,
                  rol=NOMBRES_ROL.get(asesor.rol, asesor.rol))
    ids = await relevo.guardar_salida(sesion, conversacion, usuario.canal, [Respuesta(aviso)])
    relevo.programar_entrega(servicios, sesion, ids, plantilla="aviso")
    nombre = asesor.nombre
    al_confirmar(sesion, lambda: avisos.editar_avisos(
        servicios, escalamiento_id, "Usted tomó esta conversación.", f"Lo tomó {nombre}.",
        asesor.id))
    log.info("traspaso tomado", extra={"escalamiento_id": esc.id, "asesor_id": asesor.id})
    return Toma(True, esc, asesor.nombre)


def _propio(esc: Escalamiento, asesor: Asesor) -> None:
    if esc.asesor_id != asesor.id:
        raise NoAutorizado("Esta conversación la atiende otra persona; tómela primero.",
                           codigo="ajena")


async def responder(servicios: ServiciosEscalamiento, sesion: AsyncSession, esc: Escalamiento,
                    asesor: Asesor, contenido: str, momento: dt.datetime | None = None) -> int:
    """El asesor escribe al usuario: se guarda y se envía por el canal del usuario."""
    contenido = contenido.strip()[:4000]
    if not puede_atender(asesor, esc.estado_id):
        raise NoAutorizado("No encontré ese traspaso entre los de sus estados.")
    if not contenido:
        raise TraspasoError("El mensaje está vacío.", codigo="mensaje_vacio")
    _propio(esc, asesor)
    if esc.estado == "tomada":
        _pasar(esc, "atendida")
        esc.primera_respuesta_en = _utc(momento)
        _evento(sesion, esc, "atendida", actor_de(asesor), "Primera respuesta enviada",
                de="tomada", a="atendida")
    elif esc.estado != "atendida":
        raise TransicionInvalida("La conversación ya no está abierta.")
    conversacion = await sesion.get(Conversacion, esc.conversacion_id)
    assert conversacion is not None
    usuario = await sesion.get(Usuario, conversacion.usuario_id)
    assert usuario is not None
    ids = await relevo.guardar_salida(sesion, conversacion, usuario.canal, [Respuesta(contenido)],
                                      autor="asesor", asesor_id=asesor.id)
    relevo.programar_entrega(servicios, sesion, ids, plantilla="respuesta_asesor")
    return ids[0]


async def cerrar(
    servicios: ServiciosEscalamiento,
    sesion: AsyncSession, esc: Escalamiento, asesor: Asesor | None,
    nota: str | None = None, por_usuario: bool = False, momento: dt.datetime | None = None,
) -> list[Respuesta]:
    """Cierra el traspaso y devuelve la conversación al asistente con un marcador visible.

    Si lo cierra el usuario, devuelve las respuestas (las guarda el motor); si lo cierra un
    asesor, se guardan y se envían por el canal del usuario.
    """
    if asesor is not None and esc.estado != "solicitada":
        _propio(esc, asesor)
    if asesor is not None and not puede_atender(asesor, esc.estado_id):
        raise NoAutorizado("No encontré ese traspaso entre los de sus estados.")
    anterior = _pasar(esc, "cerrada")
    esc.cerrado_en = _utc(momento)
    esc.nota_cierre = (nota or "").strip()[:2000] or None
    quien = "usuario" if por_usuario else actor_de(asesor)
    _evento(sesion, esc, "cerrada", quien, esc.nota_cierre or "Conversación devuelta al asistente",
            de=anterior, a="cerrada")
    conversacion = await sesion.get(Conversacion, esc.conversacion_id)
    assert conversacion is not None
    conversacion.modo = "bot"
    conversacion.fallos_nlu = 0
    conversacion.fallos_paso = 0
    con_flujo = bool(conversacion.flujo)
    botones = ([Boton("Continuar trámite", "/continuar")] if con_flujo else []) + [
        Boton("Menú", "/menu")]
    esc_id = esc.id
    if anterior == "solicitada":
        al_confirmar(sesion, lambda: avisos.editar_avisos(
            servicios, esc_id, "", "Ya no está en espera (se cerró).", None))
    if por_usuario:
        return [Respuesta(texto("cancelada_usuario.txt.j2"), botones=botones)]
    nombre = asesor.nombre if asesor is not None else "la oficina de enlace"
    marcador = texto("cierre.txt.j2", asesor=nombre, nota=esc.nota_cierre, con_flujo=con_flujo)
    usuario = await sesion.get(Usuario, conversacion.usuario_id)
    assert usuario is not None
    ids = await relevo.guardar_salida(sesion, conversacion, usuario.canal,
                                      [Respuesta(marcador, botones=botones)])
    relevo.programar_entrega(servicios, sesion, ids, plantilla="aviso")
    log.info("traspaso cerrado", extra={"escalamiento_id": esc.id})
    return []


async def iniciar_por_asesor(servicios: ServiciosEscalamiento, sesion: AsyncSession, caso: Caso,
                             asesor: Asesor) -> Escalamiento:
    """Un asesor abre conversación con el usuario de un caso (queda tomada por él)."""
    if not puede_atender(asesor, caso.estado_id) or caso.usuario_id is None:
        raise NoAutorizado("No puede escribir a ese usuario.")
    conversacion = await sesion.scalar(select(Conversacion).where(
        Conversacion.usuario_id == caso.usuario_id))
    if conversacion is None:
        raise TraspasoError("El usuario de este caso no tiene conversación.",
                            codigo="sin_conversacion")
    existente = await abierto_de(sesion, conversacion.id)
    if existente is not None:
        if existente.estado == "solicitada":
            await tomar(servicios, sesion, existente.id, asesor)
        return existente
    momento = ahora()
    esc = Escalamiento(conversacion_id=conversacion.id, caso_id=caso.id, estado_id=caso.estado_id,
                       motivo="asesor", nivel="asesor", estado="solicitada", solicitado_en=momento)
    sesion.add(esc)
    await sesion.flush()
    _evento(sesion, esc, "solicitada", actor_de(asesor), "Iniciado por el asesor", motivo="asesor")
    conversacion.modo = "humano"
    await tomar(servicios, sesion, esc.id, asesor, momento)
    return esc
