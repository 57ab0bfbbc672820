"""Operaciones sobre casos. El llamador abre la sesión y la transacción."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.casos.estatus import CERRADOS, puede_pasar
from bot.db.estados import Audiencia
from bot.db.modelos import (
    Caso,
    Documento,
    Estado,
    EventoCaso,
    SecuenciaFolio,
    Usuario,
)

TIPOS_DOCUMENTO: dict[str, str] = {
    "acta_cabildo": "Acta de Cabildo certificada",
    "proyecto_acuerdo": "Proyecto de acuerdo bilingüe",
    "perfil_ciudad": "Perfil de la ciudad contraparte",
    "programa_trabajo": "Programa de trabajo (POA)",
    "carta_intencion": "Carta de intención",
    "oficio_solicitud": "Oficio de solicitud",
    "acuerdo_firmado": "Acuerdo firmado",
    "otro": "Otro documento",
}


def nombre_documento(tipo: str, ambito: str | None = None) -> str:
    """Cómo se nombra un tipo de documento; el proyecto de acuerdo es bilingüe solo con una
    contraparte extranjera."""
    if tipo == "proyecto_acuerdo" and ambito == "nacional":
        return "Proyecto de acuerdo"
    return TIPOS_DOCUMENTO.get(tipo, tipo)
DOCUMENTOS_HABITUALES = ("acta_cabildo", "proyecto_acuerdo", "perfil_ciudad", "programa_trabajo")


class TransicionNoPermitida(ValueError):
    """El cambio de estatus no está entre los permitidos."""


def _dialecto(sesion: AsyncSession) -> str:
    return sesion.get_bind().dialect.name


async def siguiente_folio(sesion: AsyncSession, estado: Estado, anio: int) -> str:
    """Folio CH-<año>-<abreviatura del estado>-<consecutivo de 4 dígitos> (atómico)."""
    insertar = postgresql.insert if _dialecto(sesion) == "postgresql" else sqlite.insert
    sentencia = (
        insertar(SecuenciaFolio)
        .values(estado_id=estado.id, anio=anio, ultimo=1)
        .on_conflict_do_update(
            index_elements=[SecuenciaFolio.estado_id, SecuenciaFolio.anio],
            set_={"ultimo": SecuenciaFolio.ultimo + 1},
        )
        .returning(SecuenciaFolio.ultimo)
    )
    nuevo = int((await sesion.execute(sentencia)).scalar_one())
    return f"CH-{anio}-{estado.abreviatura}-{nuevo:04d}"


async def registrar_evento(
    sesion: AsyncSession, caso: Caso, tipo: str, descripcion: str, actor: str,
    estatus_anterior: str | None = None, estatus_nuevo: str | None = None,
    datos: dict[str, Any] | None = None, audiencia: Audiencia = Audiencia.EQUIPO,
) -> EventoCaso:
    """Agrega un evento a la línea de tiempo del caso. Por omisión solo lo ve el equipo; lo
    que la persona debe ver se registra con `audiencia=Audiencia.PERSONA`."""
    evento = EventoCaso(caso_id=caso.id, tipo=tipo, descripcion=descripcion, actor=actor,
                        estatus_anterior=estatus_anterior, estatus_nuevo=estatus_nuevo,
                        datos=datos or {}, audiencia=audiencia)
    sesion.add(evento)
    await sesion.flush()
    return evento


async def crear_caso(sesion: AsyncSession, datos: dict[str, Any], actor: str) -> Caso:
    """Crea el caso en estatus «enviada» con su folio y su primer evento.

    `datos`: estado_id, municipio_id, usuario_id, tipo, ambito, ciudad_contraparte,
    pais_contraparte, areas, objetivos, antecedentes, fecha_cabildo, fecha_cabildo_prevista,
    contacto.
    """
    estado = await sesion.get(Estado, datos["estado_id"])
    if estado is None:
        raise ValueError("estado desconocido")
    anio = dt.datetime.now(dt.timezone.utc).year
    caso = Caso(
        folio=await siguiente_folio(sesion, estado, anio), estatus="enviada",
        tipo=datos.get("tipo", "hermanamiento"), ambito=datos.get("ambito", "internacional"),
        usuario_id=datos.get("usuario_id"), estado_id=estado.id,
        municipio_id=datos["municipio_id"], ciudad_contraparte=datos["ciudad_contraparte"],
        pais_contraparte=datos["pais_contraparte"], areas=list(datos.get("areas") or []),
        objetivos=datos.get("objetivos") or "", antecedentes=datos.get("antecedentes"),
        fecha_cabildo=datos.get("fecha_cabildo"),
        fecha_cabildo_prevista=datos.get("fecha_cabildo_prevista"),
        contacto=dict(datos.get("contacto") or {}),
    )
    sesion.add(caso)
    await sesion.flush()
    await registrar_evento(sesion, caso, "creado", "Iniciativa registrada y enviada a la "
                           "oficina estatal de enlace.", actor, None, "enviada",
                           audiencia=Audiencia.PERSONA)
    return caso


async def cambiar_estatus(
    sesion: AsyncSession, caso: Caso, nuevo: str, actor: str, comentario: str = ""
) -> EventoCaso:
    """Cambia el estatus si la transición está permitida y deja el evento (la persona lo ve,
    con el comentario)."""
    if not puede_pasar(caso.estatus, nuevo, caso.ambito):
        raise TransicionNoPermitida(f"{caso.estatus} → {nuevo}")
    anterior = caso.estatus
    caso.estatus = nuevo
    return await registrar_evento(sesion, caso, "estatus", comentario, actor, anterior, nuevo,
                                  audiencia=Audiencia.PERSONA)


async def caso_por_folio(sesion: AsyncSession, folio: str) -> Caso | None:
    """El caso con ese folio (sin importar mayúsculas), con eventos y documentos."""
    return await sesion.scalar(
        select(Caso).where(Caso.folio == folio.strip().upper())
        .options(selectinload(Caso.eventos), selectinload(Caso.documentos),
                 selectinload(Caso.municipio), selectinload(Caso.estado))
    )


async def caso_del_usuario(sesion: AsyncSession, usuario: Usuario, folio: str) -> Caso | None:
    """El caso con ese folio, solo si es del usuario (nunca el de otra persona)."""
    return await sesion.scalar(
        select(Caso).where(Caso.folio == folio.strip().upper(), Caso.usuario_id == usuario.id)
    )


_CASO_COMPLETO = (selectinload(Caso.documentos), selectinload(Caso.municipio),
                  selectinload(Caso.eventos), selectinload(Caso.estado))
# Se arman una vez (los flujos con `casos` los piden en cada mensaje, y armar la consulta
# con sus opciones cuesta más que correrla).
_CASOS_DEL_USUARIO = (select(Caso).where(Caso.usuario_id == bindparam("usuario"))
                      .order_by(Caso.id.desc()).options(*_CASO_COMPLETO))
_ABIERTOS_DEL_MUNICIPIO = (select(Caso).where(Caso.municipio_id == bindparam("municipio"),
                                              Caso.estatus.not_in(sorted(CERRADOS)))
                           .order_by(Caso.id.desc()).options(*_CASO_COMPLETO))


async def casos_de_usuario(sesion: AsyncSession, usuario_id: int) -> list[Caso]:
    """Los casos que registró el usuario, el más reciente primero."""
    return list((await sesion.scalars(_CASOS_DEL_USUARIO, {"usuario": usuario_id})).all())


ROL_COMITE = "comite"
"""El papel de quien integra el Comité de Ciudades Hermanas de su municipio."""


def _del_comite(usuario: Usuario) -> bool:
    return usuario.rol == ROL_COMITE and usuario.municipio_id is not None


async def casos_visibles(sesion: AsyncSession, usuario: Usuario) -> list[Caso]:
    """Los casos que la persona puede consultar: los suyos y, si integra el comité de su
    municipio, los abiertos de ese municipio (el comité da seguimiento al programa)."""
    propios = await casos_de_usuario(sesion, usuario.id)
    if not _del_comite(usuario):
        return propios
    del_municipio = (await sesion.scalars(_ABIERTOS_DEL_MUNICIPIO,
                                          {"municipio": usuario.municipio_id})).all()
    ids = {c.id for c in propios}
    return propios + [c for c in del_municipio if c.id not in ids]


async def caso_visible(sesion: AsyncSession, usuario: Usuario, folio: str) -> Caso | None:
    """El caso del folio si es del usuario o, para el comité, un caso abierto de su municipio
    (para anotar a sus integrantes); nunca el de otro municipio."""
    caso = await sesion.scalar(select(Caso).where(Caso.folio == folio.strip().upper()))
    if caso is None:
        return None
    if caso.usuario_id == usuario.id:
        return caso
    if _del_comite(usuario) and caso.municipio_id == usuario.municipio_id \
            and caso.estatus not in CERRADOS:
        return caso
    return None


def documentos_pendientes(caso: Caso) -> list[str]:
    """Tipos habituales que el caso aún no tiene (práctica común, no requisito de ley)."""
    tiene = {d.tipo for d in caso.documentos}
    return [t for t in DOCUMENTOS_HABITUALES if t not in tiene]


async def adjuntar_documento(
    sesion: AsyncSession, caso: Caso, documento: Documento, tipo: str, actor: str
) -> None:
    """Liga un documento recibido al caso, con su tipo, y deja el evento."""
    documento.caso_id = caso.id
    documento.tipo = tipo
    await registrar_evento(sesion, caso, "documento",
                           f"Se recibió: {TIPOS_DOCUMENTO.get(tipo, tipo)} "
                           f"({documento.nombre_archivo}).", actor,
                           datos={"documento_id": documento.id, "sha256": documento.sha256},
                           audiencia=Audiencia.PERSONA)
