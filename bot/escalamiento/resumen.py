"""Resumen de un traspaso para el asesor: quién, de dónde, por qué, qué datos y lo último
que se dijo."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.casos.estatus import ESTATUS
from bot.db.estados import EstadoTraspaso
from bot.db.modelos import Caso, Conversacion, Escalamiento, Estado, Mensaje, Municipio, Usuario

MOTIVOS = {
    "solicitud_usuario": "la persona pidió hablar con alguien",
    "no_entendi": "el asistente no le entendió dos veces seguidas",
    "validacion": "tres intentos fallidos en un mismo paso",
    "queja": "queja",
    "flujo": "un paso del trámite requiere a una persona",
    "asesor": "un asesor inició la conversación",
}
NOMBRES_ESTATUS = {clave: e.nombre for clave, e in ESTATUS.items()}
NOMBRES_TRASPASO: dict[str, str] = {
    EstadoTraspaso.SOLICITADA: "En espera", EstadoTraspaso.TOMADA: "Tomada",
    EstadoTraspaso.ATENDIDA: "Atendida", EstadoTraspaso.CERRADA: "Cerrada"}


def referencia(escalamiento: Escalamiento, caso: Caso | None) -> str:
    """Cómo se nombra un traspaso: el folio de su caso o «T-<id>»."""
    return caso.folio if caso is not None else f"T-{escalamiento.id}"


def nombre_usuario(usuario: Usuario) -> str:
    """Nombre visible del usuario (o su canal e id si no dio nombre)."""
    return usuario.nombre or f"Usuario {usuario.id}"


async def ultimos_mensajes(
    sesion: AsyncSession, conversacion_id: int, cuantos: int = 5
) -> list[dict[str, str]]:
    """Los últimos mensajes de la conversación, del más viejo al más nuevo."""
    filas = (await sesion.scalars(select(Mensaje).where(Mensaje.conversacion_id == conversacion_id)
                                  .order_by(Mensaje.id.desc()).limit(cuantos))).all()
    quien = {"usuario": "Usuario", "bot": "Asistente", "asesor": "Asesor"}
    return [{"quien": quien.get(m.autor, m.autor), "texto": (m.texto or "")[:300]}
            for m in reversed(filas)]


async def datos_resumen(sesion: AsyncSession, escalamiento: Escalamiento) -> dict[str, Any]:
    """Los datos para la plantilla `aviso_asesor.html.j2` (sin escapar: la plantilla escapa)."""
    conversacion = await sesion.get(Conversacion, escalamiento.conversacion_id)
    assert conversacion is not None
    usuario = await sesion.get(Usuario, conversacion.usuario_id)
    assert usuario is not None
    caso = await sesion.get(Caso, escalamiento.caso_id) if escalamiento.caso_id else None
    municipio = await sesion.get(Municipio, usuario.municipio_id) if usuario.municipio_id else None
    estado = await sesion.get(Estado, escalamiento.estado_id) if escalamiento.estado_id else None
    lugar = ", ".join(x for x in (municipio.nombre if municipio else None,
                                  estado.nombre if estado else None) if x) or "sin dato"
    datos = [(str(k), _corto(v)) for k, v in (conversacion.respuestas or {}).items()
             if not str(k).startswith("_")][:12]
    return {
        "referencia": referencia(escalamiento, caso),
        "motivo": MOTIVOS.get(escalamiento.motivo, escalamiento.motivo),
        "detalle": escalamiento.detalle,
        "usuario": nombre_usuario(usuario),
        "canal": usuario.canal.capitalize(),
        "rol": (usuario.rol or "sin dato").replace("_", " "),
        "municipio": lugar,
        "caso": {"folio": caso.folio, "estatus": NOMBRES_ESTATUS.get(caso.estatus, caso.estatus),
                 "contraparte": f"{caso.ciudad_contraparte}, {caso.pais_contraparte}"}
        if caso else None,
        "datos": datos,
        "mensajes": await ultimos_mensajes(sesion, conversacion.id),
    }


def _corto(valor: Any) -> str:
    if isinstance(valor, dict):
        valor = valor.get("nombre") or valor.get("titulo") or valor
    if isinstance(valor, list):
        valor = ", ".join(str(v) for v in valor)
    texto = str(valor)
    return texto if len(texto) <= 120 else texto[:117] + "…"
