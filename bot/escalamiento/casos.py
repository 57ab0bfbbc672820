"""Estatus de un caso (docs/ARQUITECTURA.md §4): solo transiciones permitidas, cada una con su
evento y un aviso al usuario en palabras con el siguiente paso; notas internas de asesores."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.casos import repositorio
from bot.casos.estatus import ESTATUS, SOLO_SRE, en_palabras, transiciones_permitidas
from bot.casos.repositorio import ROL_COMITE
from bot.casos.visibilidad import eventos_para_persona
from bot.db.contexto_conversacion import leer_contexto
from bot.db.estados import Audiencia
from bot.db.modelos import (
    Asesor,
    Caso,
    Conversacion,
    Escalamiento,
    EventoCaso,
    NotaAsesor,
    Usuario,
)
from bot.escalamiento import relevo
from bot.escalamiento.asesores import puede_atender
from bot.escalamiento.resumen import NOMBRES_ESTATUS
from bot.escalamiento.textos import texto
from bot.nucleo.mensajes import Respuesta

if TYPE_CHECKING:
    from bot.escalamiento.servicios import ServiciosEscalamiento

class CambioInvalido(ValueError):
    """La transición no está permitida (el mensaje se puede mostrar al asesor; `codigo` la
    identifica para el panel, que muestra un texto fijo por código)."""

    def __init__(self, mensaje: str, codigo: str = "no_procede") -> None:
        super().__init__(mensaje)
        self.codigo = codigo


def siguientes(caso: Caso, asesor: Asesor) -> list[str]:
    """Estatus a los que este asesor puede mover el caso."""
    posibles = transiciones_permitidas(caso.estatus, caso.ambito)
    return [e for e in ESTATUS if e in posibles and (asesor.rol == "sre" or e not in SOLO_SRE)]


async def caso_por_folio(sesion: AsyncSession, folio: str, asesor: Asesor) -> Caso | None:
    """El caso del folio si el asesor lo puede ver (si no, None: no se revela que existe)."""
    caso = await sesion.scalar(select(Caso).options(
        selectinload(Caso.estado), selectinload(Caso.municipio))
        .where(Caso.folio == folio.strip().upper()))
    if caso is None or not puede_atender(asesor, caso.estado_id):
        return None
    return caso


async def cambiar_estatus(servicios: ServiciosEscalamiento,
                          sesion: AsyncSession, caso: Caso, nuevo: str,
                          asesor: Asesor, comentario: str | None = None) -> EventoCaso:
    """Mueve el caso si la transición está permitida; anota el evento y avisa al usuario."""
    if not puede_atender(asesor, caso.estado_id):
        raise CambioInvalido("No encontré ese caso entre los de sus estados.", "no_autorizado")
    nuevo = nuevo.strip().lower()
    if nuevo not in NOMBRES_ESTATUS:
        raise CambioInvalido(f"No conozco el estatus «{nuevo}».", "estatus_desconocido")
    if nuevo not in siguientes(caso, asesor):
        permitidos = ", ".join(siguientes(caso, asesor)) or "ninguno"
        raise CambioInvalido(f"Desde «{caso.estatus}» solo puede pasar a: {permitidos}.",
                             "transicion")
    comentario = (comentario or "").strip()[:1000] or None
    try:
        evento = await repositorio.cambiar_estatus(sesion, caso, nuevo, f"asesor:{asesor.id}",
                                                   comentario or "")
    except repositorio.TransicionNoPermitida as error:
        raise CambioInvalido("Esa transición no está permitida.", "transicion") from error
    evento.datos = {**(evento.datos or {}), "asesor": asesor.nombre}
    await _avisar_usuario(servicios, sesion, caso, evento)
    await sesion.flush()
    return evento


async def _avisar_usuario(servicios: ServiciosEscalamiento,
                          sesion: AsyncSession, caso: Caso, evento: EventoCaso) -> None:
    """Avisa a la persona del cambio de estatus con lo que ella puede ver del evento."""
    visibles = eventos_para_persona([evento])
    if caso.usuario_id is None or not visibles:
        return
    usuario = await sesion.get(Usuario, caso.usuario_id)
    conversacion = await sesion.scalar(select(Conversacion).where(
        Conversacion.usuario_id == caso.usuario_id))
    if usuario is None or conversacion is None or usuario.anonimizado_en is not None:
        return
    visible = visibles[0]
    palabras = en_palabras(visible.estatus_nuevo or caso.estatus)
    aviso = texto("estatus.txt.j2", folio=caso.folio, nombre=palabras.nombre,
                  explicacion=palabras.explicacion, siguiente_paso=palabras.siguiente_paso,
                  comentario=visible.descripcion or None)
    ids = await relevo.guardar_salida(sesion, conversacion, usuario.canal, [Respuesta(aviso)])
    relevo.programar_entrega(servicios, sesion, ids, plantilla="cambio_estatus")
    await _avisar_comite(servicios, sesion, caso, palabras.nombre)


async def _avisar_comite(servicios: ServiciosEscalamiento, sesion: AsyncSession, caso: Caso,
                         nombre_estatus: str) -> None:
    """El cambio de estatus, a quienes integran el comité del municipio y pidieron sus avisos
    (`ContextoConversacion.avisos_comite`): solo folio, contraparte y estatus (sin el
    comentario de la oficina, que es para quien registró el caso)."""
    filas = (await sesion.execute(
        select(Usuario, Conversacion).join(Conversacion, Conversacion.usuario_id == Usuario.id)
        .where(Usuario.rol == ROL_COMITE, Usuario.municipio_id == caso.municipio_id,
               Usuario.anonimizado_en.is_(None), Usuario.consentimiento_en.is_not(None),
               Usuario.id != caso.usuario_id))).all()
    for integrante, conversacion in filas:
        if not leer_contexto(conversacion).avisos_comite:
            continue
        aviso = texto("estatus_comite.txt.j2", folio=caso.folio, ciudad=caso.ciudad_contraparte,
                      nombre=nombre_estatus)
        ids = await relevo.guardar_salida(sesion, conversacion, integrante.canal,
                                          [Respuesta(aviso)])
        relevo.programar_entrega(servicios, sesion, ids, plantilla="cambio_estatus")


async def agregar_nota(sesion: AsyncSession, caso: Caso, asesor: Asesor, nota: str) -> EventoCaso:
    """Nota interna en la línea de tiempo (el usuario no la ve)."""
    if not puede_atender(asesor, caso.estado_id):
        raise CambioInvalido("No encontré ese caso entre los de sus estados.", "no_autorizado")
    nota = nota.strip()[:2000]
    if not nota:
        raise CambioInvalido("La nota está vacía.", "nota_vacia")
    evento = EventoCaso(caso_id=caso.id, tipo="nota", descripcion=nota,
                        actor=f"asesor:{asesor.id}", datos={"asesor": asesor.nombre},
                        audiencia=Audiencia.EQUIPO)
    sesion.add(evento)
    await sesion.flush()
    return evento


async def nota_sin_caso(sesion: AsyncSession, conversacion: Conversacion, asesor: Asesor,
                        nota: str, escalamiento_id: int | None = None) -> None:
    """Nota interna de un traspaso sin caso: queda en la tabla de notas de la conversación."""
    nota = nota.strip()[:2000]
    if not nota:
        raise CambioInvalido("La nota está vacía.", "nota_vacia")
    sesion.add(NotaAsesor(conversacion_id=conversacion.id, escalamiento_id=escalamiento_id,
                          asesor_id=asesor.id, texto=nota))
    await sesion.flush()


async def anotar_traspaso(sesion: AsyncSession, esc: Escalamiento, asesor: Asesor,
                          nota: str) -> None:
    """Nota interna sobre un traspaso: a la línea de tiempo del caso si lo tiene; si no, a
    las notas de la conversación."""
    if not puede_atender(asesor, esc.estado_id):
        raise CambioInvalido("No encontré ese traspaso entre los de sus estados.",
                             "no_autorizado")
    caso = await sesion.get(Caso, esc.caso_id) if esc.caso_id else None
    if caso is not None:
        await agregar_nota(sesion, caso, asesor, nota)
        return
    conversacion = await sesion.get(Conversacion, esc.conversacion_id)
    if conversacion is None:
        raise CambioInvalido("No encontré la conversación de este traspaso.",
                             "sin_conversacion")
    await nota_sin_caso(sesion, conversacion, asesor, nota, escalamiento_id=esc.id)
