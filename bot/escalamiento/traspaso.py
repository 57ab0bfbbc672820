"""Máquina de estados del traspaso (docs/ARQUITECTURA.md §4): solicitada → tomada → atendida →
cerrada (`EstadoTraspaso`).

Cada transición deja un EventoCaso cuando hay caso. La toma es atómica (el primero gana):
`UPDATE … WHERE estado = 'solicitada'`. Los envíos y avisos salen al confirmar.

Antes de prometer nada se mira quién puede atender (`disponibilidad`). En espera, la
conversación sigue con el asistente (modo «bot»; el contexto recuerda el traspaso en
`acuse_traspaso`); al tomarla un asesor pasa a modo «humano» y el bot solo acusa recibo.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.casos.estatus import CERRADOS
from bot.db.contexto_conversacion import actualizar_contexto, leer_contexto
from bot.db.diferidos import al_confirmar
from bot.db.estados import TRASPASOS_ABIERTOS, Audiencia, EstadoTraspaso, ModoConversacion
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
from bot.escalamiento.disponibilidad import NACIONAL, disponibilidad, lugar_en_fila
from bot.escalamiento.enrutamiento import estado_del_usuario
from bot.escalamiento.frases import PAYLOAD_SALIR
from bot.escalamiento.horario import cuando
from bot.escalamiento.resumen import nombre_usuario, referencia
from bot.escalamiento.textos import texto
from bot.nucleo.mensajes import Boton, Respuesta

if TYPE_CHECKING:
    from bot.escalamiento.servicios import ServiciosEscalamiento

log = logging.getLogger(__name__)

ABIERTOS = TRASPASOS_ABIERTOS
TRANSICIONES: dict[EstadoTraspaso, frozenset[EstadoTraspaso]] = {
    EstadoTraspaso.SOLICITADA: frozenset({EstadoTraspaso.TOMADA, EstadoTraspaso.CERRADA}),
    EstadoTraspaso.TOMADA: frozenset({EstadoTraspaso.ATENDIDA, EstadoTraspaso.CERRADA}),
    EstadoTraspaso.ATENDIDA: frozenset({EstadoTraspaso.CERRADA}),
    EstadoTraspaso.CERRADA: frozenset(),
}


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
        Caso.usuario_id == usuario_id, Caso.estatus.not_in(CERRADOS))
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
    caso = await _caso_del_folio(sesion, usuario.id, leer_contexto(conversacion).caso_folio)
    if caso is not None and caso.estatus not in CERRADOS:
        return caso
    return await caso_abierto(sesion, usuario.id)


async def oficina(sesion: AsyncSession, estado_id: int | None) -> str:
    """«la oficina de enlace de Jalisco» o la coordinación nacional."""
    estado = await sesion.get(Estado, estado_id) if estado_id else None
    if estado is None:
        return NACIONAL
    return f"la oficina estatal de enlace de {estado.nombre}"


async def oficina_del_asesor(sesion: AsyncSession, esc: Escalamiento, asesor: Asesor) -> str:
    """De dónde es quien atiende: la oficina del estado o, si es de la SRE, la nacional."""
    if asesor.rol == "sre":
        return NACIONAL
    return await oficina(sesion, esc.estado_id)


def _evento(sesion: AsyncSession, esc: Escalamiento, tipo: EstadoTraspaso, actor: str,
            descripcion: str = "", **datos: Any) -> None:
    """Anota el paso del traspaso en la línea de tiempo del caso: solo la ve el equipo (lleva
    nombres de asesores; la persona ya lo vivió en su conversación)."""
    if esc.caso_id is None:
        return
    sesion.add(EventoCaso(caso_id=esc.caso_id, tipo=f"traspaso_{tipo}", descripcion=descripcion,
                          actor=actor, datos={"escalamiento_id": esc.id, **datos},
                          audiencia=Audiencia.EQUIPO))


def _pasar(esc: Escalamiento, nuevo: EstadoTraspaso) -> EstadoTraspaso:
    anterior = esc.estado
    if nuevo not in TRANSICIONES[anterior]:
        raise TransicionInvalida(f"El traspaso está «{anterior}»; no puede pasar a «{nuevo}».",
                                 codigo="no_abierta")
    esc.estado = nuevo
    return anterior


def _botones_espera() -> list[Boton]:
    return [Boton("Cancelar solicitud", PAYLOAD_SALIR), Boton("Menú", "/menu")]


async def _variables_espera(servicios: ServiciosEscalamiento, sesion: AsyncSession,
                            esc: Escalamiento, momento: dt.datetime) -> dict[str, Any]:
    """Quién la atendería ahora, su lugar en la fila y el plazo, para las plantillas."""
    d = await disponibilidad(sesion, esc.estado_id, servicios.ajustes.zona_horaria, momento,
                             servicios.ajustes.directorio_oficinas, desde=esc.nivel)
    minutos = servicios.ajustes.sla_primera_respuesta_min
    plazo = d.horario.sumar_minutos_habiles(_utc(esc.solicitado_en), minutos)
    return {**d.variables(), "lugar": await lugar_en_fila(sesion, esc), "sla": minutos,
            "plazo": cuando(plazo, d.horario, momento, a_partir=False),
            "vencido": plazo <= momento}


async def texto_espera(servicios: ServiciosEscalamiento, sesion: AsyncSession,
                       esc: Escalamiento, momento: dt.datetime | None = None,
                       plantilla: str = "espera.txt.j2") -> list[Respuesta]:
    """Cómo va la espera: lugar en la fila y la verdad del horario (o que no hay nadie)."""
    variables = await _variables_espera(servicios, sesion, esc, _utc(momento))
    return [Respuesta(texto(plantilla, **variables), botones=_botones_espera())]


async def solicitar(
    servicios: ServiciosEscalamiento,
    sesion: AsyncSession, usuario: Usuario, conversacion: Conversacion,
    motivo: str, detalle: str | None = None, momento: dt.datetime | None = None,
) -> list[Respuesta]:
    """Abre un traspaso (o recuerda el que ya hay) y le dice a la persona la verdad: quién lo
    verá y cuándo, en la hora de su estado, o que ahora no hay nadie (con el contacto público
    de su oficina, si se conoce).

    En espera, la conversación sigue con el asistente (modo «bot»): responde preguntas y
    trámites mientras tanto. Pasa a modo «humano» cuando un asesor la toma."""
    momento = _utc(momento)
    existente = await abierto_de(sesion, conversacion.id)
    if existente is not None:
        if existente.estado != EstadoTraspaso.SOLICITADA:  # ya la atiende alguien
            conversacion.modo = ModoConversacion.HUMANO
            atiende = await sesion.get(Asesor, existente.asesor_id) if existente.asesor_id else None
            if atiende is not None:
                return [Respuesta(texto("tomada.txt.j2", asesor=atiende.nombre,
                                        oficina=await oficina_del_asesor(sesion, existente,
                                                                         atiende)))]
            return [Respuesta(texto("acuse.txt.j2", completo=False,
                                    asesor="la persona que le atiende", oficina=""))]
        conversacion.modo = ModoConversacion.BOT
        actualizar_contexto(conversacion, acuse_traspaso=existente.id)
        return await texto_espera(servicios, sesion, existente, momento)
    # El traspaso va a la oficina del estado del caso del que se habla (puede no ser el del
    # perfil: alguien de Jalisco puede registrar una iniciativa de Nuevo León); sin caso, al
    # del perfil. Ese estado decide quién lo ve (`puede_atender`).
    caso = await caso_de_la_conversacion(sesion, usuario, conversacion)
    estado_id = caso.estado_id if caso is not None else await estado_del_usuario(
        sesion, usuario)
    d = await disponibilidad(sesion, estado_id, servicios.ajustes.zona_horaria, momento,
                             servicios.ajustes.directorio_oficinas)
    esc = Escalamiento(conversacion_id=conversacion.id, caso_id=caso.id if caso else None,
                       estado_id=estado_id, motivo=motivo[:40], detalle=detalle, nivel=d.nivel,
                       estado=EstadoTraspaso.SOLICITADA, solicitado_en=momento)
    sesion.add(esc)
    await sesion.flush()
    conversacion.modo = ModoConversacion.BOT
    conversacion.fallos_nlu = 0
    actualizar_contexto(conversacion, acuse_traspaso=esc.id)
    _evento(sesion, esc, EstadoTraspaso.SOLICITADA, f"usuario:{usuario.id}", detalle or motivo,
            motivo=motivo)
    minutos = servicios.ajustes.sla_primera_respuesta_min
    await sla.programar(sesion, esc, d.horario, minutos, momento)
    al_confirmar(sesion, lambda: avisos.avisar_solicitud(servicios, esc.id))
    log.info("traspaso solicitado", extra={"escalamiento_id": esc.id, "motivo": motivo,
                                           "nivel": d.nivel, "personas": d.personas,
                                           "en_horario": d.abierto})
    variables = await _variables_espera(servicios, sesion, esc, momento)
    return [Respuesta(texto("solicitada.txt.j2", **variables), botones=_botones_espera())]


async def tomar(servicios: ServiciosEscalamiento, sesion: AsyncSession, escalamiento_id: int,
                asesor: Asesor, momento: dt.datetime | None = None) -> Toma:
    """Intenta tomar el traspaso. Solo uno gana; los demás reciben quién lo tomó."""
    momento = _utc(momento)
    esc = await sesion.get(Escalamiento, escalamiento_id)
    if esc is None or not puede_atender(asesor, esc.estado_id):
        raise NoAutorizado("No encontré ese traspaso entre los de sus estados.")
    resultado = await sesion.execute(
        update(Escalamiento)
        .where(Escalamiento.id == escalamiento_id,
               Escalamiento.estado == EstadoTraspaso.SOLICITADA)
        .values(estado=EstadoTraspaso.TOMADA, asesor_id=asesor.id, tomado_en=momento)
        .execution_options(synchronize_session=False))
    await sesion.refresh(esc)
    if getattr(resultado, "rowcount", 0) != 1:
        otro = await sesion.get(Asesor, esc.asesor_id) if esc.asesor_id else None
        return Toma(False, esc, otro.nombre if otro else None)
    _evento(sesion, esc, EstadoTraspaso.TOMADA, actor_de(asesor), f"Tomado por {asesor.nombre}",
            de=EstadoTraspaso.SOLICITADA, a=EstadoTraspaso.TOMADA)
    conversacion = await sesion.get(Conversacion, esc.conversacion_id)
    assert conversacion is not None
    conversacion.modo = ModoConversacion.HUMANO
    usuario = await sesion.get(Usuario, conversacion.usuario_id)
    assert usuario is not None
    lugar = await oficina_del_asesor(sesion, esc, asesor)
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
    if esc.estado == EstadoTraspaso.TOMADA:
        _pasar(esc, EstadoTraspaso.ATENDIDA)
        esc.primera_respuesta_en = _utc(momento)
        _evento(sesion, esc, EstadoTraspaso.ATENDIDA, actor_de(asesor),
                "Primera respuesta enviada", de=EstadoTraspaso.TOMADA, a=EstadoTraspaso.ATENDIDA)
    elif esc.estado != EstadoTraspaso.ATENDIDA:
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
    if asesor is not None and esc.estado != EstadoTraspaso.SOLICITADA:
        _propio(esc, asesor)
    if asesor is not None and not puede_atender(asesor, esc.estado_id):
        raise NoAutorizado("No encontré ese traspaso entre los de sus estados.")
    anterior = _pasar(esc, EstadoTraspaso.CERRADA)
    esc.cerrado_en = _utc(momento)
    esc.nota_cierre = (nota or "").strip()[:2000] or None
    quien = "usuario" if por_usuario else actor_de(asesor)
    _evento(sesion, esc, EstadoTraspaso.CERRADA, quien,
            esc.nota_cierre or "Conversación devuelta al asistente",
            de=anterior, a=EstadoTraspaso.CERRADA)
    conversacion = await sesion.get(Conversacion, esc.conversacion_id)
    assert conversacion is not None
    conversacion.modo = ModoConversacion.BOT
    conversacion.fallos_nlu = 0
    conversacion.fallos_paso = 0
    con_flujo = bool(conversacion.flujo)
    botones = ([Boton("Continuar trámite", "/continuar")] if con_flujo else []) + [
        Boton("Menú", "/menu")]
    esc_id = esc.id
    if anterior == EstadoTraspaso.SOLICITADA:
        al_confirmar(sesion, lambda: avisos.editar_avisos(
            servicios, esc_id, "", "Ya no está en espera (se cerró).", None))
    if por_usuario:  # dentro del motor, con el candado de la conversación
        actualizar_contexto(conversacion, acuse_traspaso=None)
        con_persona = anterior != EstadoTraspaso.SOLICITADA and esc.asesor_id is not None
        atendia = await sesion.get(Asesor, esc.asesor_id) if con_persona else None
        if atendia is not None:
            await _avisar_salida(servicios, sesion, esc, conversacion, atendia.id)
        return [Respuesta(texto("cancelada_usuario.txt.j2", con_persona=atendia is not None,
                                asesor=atendia.nombre if atendia else ""), botones=botones)]
    nombre = asesor.nombre if asesor is not None else "la oficina de enlace"
    marcador = texto("cierre.txt.j2", asesor=nombre, nota=esc.nota_cierre, con_flujo=con_flujo)
    usuario = await sesion.get(Usuario, conversacion.usuario_id)
    assert usuario is not None
    ids = await relevo.guardar_salida(sesion, conversacion, usuario.canal,
                                      [Respuesta(marcador, botones=botones)])
    relevo.programar_entrega(servicios, sesion, ids, plantilla="aviso")
    log.info("traspaso cerrado", extra={"escalamiento_id": esc.id})
    return []


async def _avisar_salida(servicios: ServiciosEscalamiento, sesion: AsyncSession,
                         esc: Escalamiento, conversacion: Conversacion, asesor_id: int) -> None:
    """Le dice al asesor que atendía que la persona volvió al asistente."""
    usuario = await sesion.get(Usuario, conversacion.usuario_id)
    caso = await sesion.get(Caso, esc.caso_id) if esc.caso_id else None
    cuerpo = texto("salida_usuario.html.j2",
                   usuario=nombre_usuario(usuario) if usuario else "La persona",
                   referencia=referencia(esc, caso))
    al_confirmar(sesion, lambda: avisos.enviar_a_asesor(servicios, asesor_id, cuerpo))


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
        if existente.estado == EstadoTraspaso.SOLICITADA:
            await tomar(servicios, sesion, existente.id, asesor)
        return existente
    momento = ahora()
    esc = Escalamiento(conversacion_id=conversacion.id, caso_id=caso.id, estado_id=caso.estado_id,
                       motivo="asesor", nivel="asesor", estado=EstadoTraspaso.SOLICITADA,
                       solicitado_en=momento)
    sesion.add(esc)
    await sesion.flush()
    _evento(sesion, esc, EstadoTraspaso.SOLICITADA, actor_de(asesor), "Iniciado por el asesor",
            motivo="asesor")
    conversacion.modo = ModoConversacion.HUMANO
    await tomar(servicios, sesion, esc.id, asesor, momento)
    return esc
