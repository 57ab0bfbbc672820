"""Anonimización de una persona: borra lo que la identifica y conserva el expediente.

Se borra: nombre y perfil del usuario; texto, botones y anexos de los mensajes de su
conversación; respuestas parciales y contexto de la conversación; nombres, correos y
teléfonos del contacto y del comité en sus casos; detalles de sus escalamientos; los
archivos que envió o recibió y que no forman parte de un expediente.
Se conserva: folio, estatus, municipio, contraparte y objetivos del caso, sus eventos (con
los datos personales conocidos ocultos) y los documentos oficiales del expediente.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, null, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from bot.db.contexto_conversacion import ContextoConversacion, guardar_contexto
from bot.db.modelos import (
    Caso,
    Conversacion,
    Documento,
    Escalamiento,
    EventoCaso,
    Mensaje,
    NotaAsesor,
    Usuario,
    ahora,
)
from bot.privacidad.enmascarar import enmascarar, enmascarar_valor

log = logging.getLogger(__name__)

ELIMINADO = "[eliminado]"
CAMPOS_PERSONALES_CONTACTO = frozenset({
    "nombre", "nombre_completo", "correo", "email", "telefono", "teléfono", "celular",
    "whatsapp", "phone",
})
"""Campos de `Caso.contacto` y de cada integrante de `Caso.comite` que se borran."""
PREFIJO_ANONIMO = "anonimo-"


@dataclass(frozen=True)
class ResultadoAnonimizacion:
    """Qué se hizo al anonimizar a una persona."""

    usuario_id: int
    mensajes: int
    casos_conservados: list[str]
    documentos_eliminados: int


def limpiar_personales(valor: Any) -> tuple[Any, list[str]]:
    """Reemplaza los campos personales (a cualquier profundidad) por «[eliminado]».

    Devuelve el valor limpio y los textos que se quitaron (para ocultarlos en otros lados).
    """
    quitados: list[str] = []

    def limpiar(v: Any) -> Any:
        if isinstance(v, dict):
            nuevo: dict[str, Any] = {}
            for clave, dato in v.items():
                if str(clave).lower() in CAMPOS_PERSONALES_CONTACTO and dato not in (None, ""):
                    if isinstance(dato, str):
                        quitados.append(dato)
                    nuevo[clave] = ELIMINADO
                else:
                    nuevo[clave] = limpiar(dato)
            return nuevo
        if isinstance(v, list):
            return [limpiar(x) for x in v]
        return v

    return limpiar(valor), quitados


def _borrar_archivos_al_confirmar(sesion: AsyncSession, rutas: list[str]) -> None:
    """Borra del disco los archivos cuando la transacción se confirme (no antes)."""
    if not rutas:
        return

    def borrar(_sesion: Session) -> None:
        for ruta in rutas:
            try:
                Path(ruta).unlink(missing_ok=True)
            except OSError:
                log.warning("no se pudo borrar un archivo anonimizado")

    event.listen(sesion.sync_session, "after_commit", borrar, once=True)


async def _documentos_sueltos(sesion: AsyncSession, usuario: Usuario) -> int:
    """Borra los documentos de la persona que no están en un expediente (y sus archivos)."""
    sueltos = list((await sesion.scalars(
        select(Documento).where(Documento.usuario_id == usuario.id,
                                Documento.caso_id.is_(None)))).all())
    if not sueltos:
        return 0
    ids = [d.id for d in sueltos]
    await sesion.execute(
        update(Mensaje).where(Mensaje.adjunto_id.in_(ids)).values(adjunto_id=None)
        .execution_options(synchronize_session="fetch"))
    rutas = {d.ruta for d in sueltos}
    for documento in sueltos:
        await sesion.delete(documento)
    await sesion.flush()
    # El almacén es por contenido: solo se borra el archivo que nadie más usa.
    en_uso = set((await sesion.scalars(
        select(Documento.ruta).where(Documento.ruta.in_(rutas)))).all())
    _borrar_archivos_al_confirmar(sesion, sorted(rutas - en_uso))
    return len(sueltos)


async def _casos(sesion: AsyncSession, usuario: Usuario,
                 conocidos: list[str]) -> list[str]:
    casos = list((await sesion.scalars(
        select(Caso).where(Caso.usuario_id == usuario.id).order_by(Caso.id))).all())
    for caso in casos:
        caso.contacto, quitados_contacto = limpiar_personales(dict(caso.contacto or {}))
        caso.comite, quitados_comite = limpiar_personales(list(caso.comite or []))
        conocidos.extend(quitados_contacto + quitados_comite)
    for caso in casos:
        eventos = (await sesion.scalars(
            select(EventoCaso).where(EventoCaso.caso_id == caso.id))).all()
        for evento in eventos:
            descripcion = enmascarar(evento.descripcion or "", conocidos)
            if descripcion != evento.descripcion:
                evento.descripcion = descripcion
            datos = enmascarar_valor(evento.datos or {}, conocidos)
            if datos != evento.datos:
                evento.datos = datos
    return [c.folio for c in casos]


async def anonimizar_usuario(
    sesion: AsyncSession, usuario: Usuario, momento: dt.datetime | None = None,
    olvidar_canal: bool = False,
) -> ResultadoAnonimizacion:
    """Anonimiza a la persona en la sesión dada (el llamador confirma la transacción).

    `olvidar_canal` reemplaza también el id del canal (en WhatsApp, el número): la persona ya
    no recibe avisos y, si vuelve a escribir, llega como usuario nuevo. Úselo cuando no haya
    una respuesta pendiente de entregar (p. ej. en la retención).
    """
    momento = momento or ahora()
    conocidos = [v for v in (usuario.nombre,) if v]
    conversacion = await sesion.scalar(
        select(Conversacion).where(Conversacion.usuario_id == usuario.id))
    folios = await _casos(sesion, usuario, conocidos)
    documentos = await _documentos_sueltos(sesion, usuario)
    mensajes = 0
    if conversacion is not None:
        mensajes = int(await sesion.scalar(
            select(func.count()).select_from(Mensaje)
            .where(Mensaje.conversacion_id == conversacion.id)) or 0)
        await sesion.execute(
            update(Mensaje).where(Mensaje.conversacion_id == conversacion.id)
            .values(texto=ELIMINADO, payload=None, botones=null(), extra=null())
            .execution_options(synchronize_session="fetch"))
        await sesion.execute(
            update(Escalamiento).where(Escalamiento.conversacion_id == conversacion.id,
                                       Escalamiento.detalle.is_not(None))
            .values(detalle=ELIMINADO).execution_options(synchronize_session="fetch"))
        await sesion.execute(
            update(Escalamiento).where(Escalamiento.conversacion_id == conversacion.id,
                                       Escalamiento.nota_cierre.is_not(None))
            .values(nota_cierre=ELIMINADO).execution_options(synchronize_session="fetch"))
        await sesion.execute(
            update(NotaAsesor).where(NotaAsesor.conversacion_id == conversacion.id)
            .values(texto=ELIMINADO).execution_options(synchronize_session="fetch"))
        conversacion.respuestas = {}
        guardar_contexto(conversacion, ContextoConversacion())
        conversacion.historial = []
        conversacion.flujo = None
        conversacion.paso = None
        conversacion.fallos_paso = 0
        conversacion.fallos_nlu = 0
    usuario.nombre = None
    usuario.rol = None
    usuario.estado_id = None
    usuario.municipio_id = None
    usuario.anonimizado_en = momento
    if olvidar_canal and not usuario.id_externo.startswith(PREFIJO_ANONIMO):
        usuario.id_externo = f"{PREFIJO_ANONIMO}{usuario.id}"
    await sesion.flush()
    log.info("usuario anonimizado", extra={"usuario_id": usuario.id, "mensajes": mensajes,
                                           "casos": len(folios), "documentos": documentos})
    return ResultadoAnonimizacion(usuario.id, mensajes, folios, documentos)
