"""Acciones de los flujos sobre casos: crear la iniciativa, actualizarla tras el folio, adjuntar
documentos, comité y sus avisos."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from bot.acciones.registro import ServiciosAcciones, accion
from bot.casos.estatus import CERRADOS
from bot.casos.repositorio import (
    ROL_COMITE,
    adjuntar_documento,
    caso_del_usuario,
    caso_visible,
    crear_caso,
    registrar_evento,
)
from bot.db.contexto_conversacion import actualizar_contexto
from bot.db.estados import Audiencia
from bot.db.modelos import Caso, Documento, Municipio
from bot.documentos import trabajos
from bot.escalamiento.notificaciones import (
    notificar_caso_actualizado,
    notificar_caso_nuevo,
    texto_caso_registrado,
)
from bot.nucleo.contexto import Contexto
from bot.nucleo.formato import fecha_larga
from bot.nucleo.mensajes import Boton, Respuesta


def _respuestas(datos: dict[str, Any]) -> dict[str, Any]:
    """Las respuestas del flujo que trae la acción."""
    return dict(datos.get("respuestas") or {})


def _actor(ctx: Contexto) -> str:
    return f"usuario:{ctx.usuario.id}"


async def _documento_recibido(ctx: Contexto, archivo: dict[str, Any] | None) -> Documento | None:
    """El documento que el usuario envió (guardado en la bandeja), solo si es suyo."""
    if not archivo or not archivo.get("ref"):
        return None
    documento = await ctx.sesion.get(Documento, int(archivo["ref"]))
    if documento is None or documento.usuario_id != ctx.usuario.id:
        return None
    return documento


async def documentos_del_caso(ctx: Contexto, caso: Caso) -> None:
    """Pide la ficha del caso (PDF) y el borrador del oficio (DOCX) como respuesta a este
    mensaje: queda un trabajo pendiente en esta misma transacción y el motor lo corre al
    confirmarla (si el proceso cae antes de guardarlos, se retoma al arrancar)."""
    trabajo = await trabajos.pedir(ctx.sesion, caso, ctx.mensaje.id)
    ctx.trabajos.append(trabajo.id)


def _fecha(valor: Any) -> dt.date | None:
    """Una fecha ISO guardada por el flujo (o None si no hay o no se lee)."""
    try:
        return dt.date.fromisoformat(str(valor)) if valor else None
    except ValueError:
        return None


@accion("crear_caso")
async def crear_iniciativa(ctx: Contexto, datos: dict[str, Any], servicios: ServiciosAcciones
                           ) -> list[Respuesta]:
    """Crea el caso con folio a partir de las respuestas del registro y lo notifica."""
    r = _respuestas(datos)
    municipio = await ctx.sesion.scalar(
        select(Municipio).where(Municipio.clave_inegi == (r.get("municipio") or {}).get(
            "clave_inegi")))
    if municipio is None:
        return [Respuesta("No pude identificar el municipio. Escriba «atrás» para corregirlo.")]
    fecha = r.get("fecha_cabildo")
    enlace = r.get("enlace") or {}
    caso = await crear_caso(ctx.sesion, {
        "estado_id": municipio.estado_id, "municipio_id": municipio.id,
        "usuario_id": ctx.usuario.id, "tipo": r.get("tipo") or "hermanamiento",
        "ambito": r.get("ambito") or "internacional",
        "ciudad_contraparte": str(r.get("ciudad") or "")[:160],
        "pais_contraparte": str((r.get("pais") or {}).get("nombre") or "")[:80],
        "areas": list(r.get("areas") or []), "objetivos": r.get("objetivos") or "",
        "antecedentes": r.get("antecedentes"),
        "fecha_cabildo": dt.date.fromisoformat(fecha) if fecha and fecha != "aun_no" else None,
        "fecha_cabildo_prevista": _fecha(r.get("fecha_cabildo_prevista"))
        if fecha == "aun_no" else None,
        "contacto": {k: enlace.get(k) for k in ("nombre", "cargo", "correo", "telefono")},
    }, _actor(ctx))
    for tipo, archivo in (r.get("archivos") or {}).items():
        documento = await _documento_recibido(ctx, archivo)
        if documento is not None:
            await adjuntar_documento(ctx.sesion, caso, documento, tipo, _actor(ctx))
    actualizar_contexto(ctx.conversacion, caso_folio=caso.folio)
    await notificar_caso_nuevo(servicios, ctx.sesion, caso)
    respuestas = [Respuesta(
        await texto_caso_registrado(servicios, ctx.sesion, caso),
        botones=[Boton("Ver seguimiento", "/iniciar seguimiento"),
                 Boton("Subir documento", "/iniciar subir_documento")])]
    await documentos_del_caso(ctx, caso)
    return respuestas


async def _caso_elegido(ctx: Contexto, r: dict[str, Any]) -> Caso | None:
    folio = (r.get("caso_elegido") or {}).get("folio")
    if not folio:
        return None
    return await caso_del_usuario(ctx.sesion, ctx.usuario, folio)


@accion("registrar_documento")
async def registrar_documento(ctx: Contexto, datos: dict[str, Any],
                              servicios: ServiciosAcciones) -> list[Respuesta]:
    """Liga el archivo recibido al caso elegido."""
    r = _respuestas(datos)
    caso = await _caso_elegido(ctx, r)
    documento = await _documento_recibido(ctx, r.get("archivo"))
    if caso is None or documento is None:
        return [Respuesta("No pude guardar el archivo en el caso. Intente de nuevo, por favor.")]
    await adjuntar_documento(ctx.sesion, caso, documento, r.get("tipo_documento") or "otro",
                             _actor(ctx))
    return []


@accion("registrar_comite")
async def registrar_comite(ctx: Contexto, datos: dict[str, Any], servicios: ServiciosAcciones
                           ) -> list[Respuesta]:
    """Guarda los integrantes del comité (nombre y cargo) en el caso elegido: uno propio o,
    si la persona integra el comité, uno abierto de su municipio."""
    r = _respuestas(datos)
    folio = (r.get("caso_elegido") or {}).get("folio")
    caso = await caso_visible(ctx.sesion, ctx.usuario, folio) if folio else None
    integrantes = [{"nombre": str(i.get("nombre", ""))[:120], "cargo": str(i.get("cargo", ""))[:80]}
                   for i in r.get("integrantes") or [] if isinstance(i, dict)]
    if caso is None or not integrantes:
        return [Respuesta("No pude registrar el comité. Intente de nuevo, por favor.")]
    caso.comite = integrantes
    await registrar_evento(ctx.sesion, caso, "comite",
                           f"Se registraron {len(integrantes)} integrantes del comité.",
                           _actor(ctx), audiencia=Audiencia.PERSONA)
    return []


@accion("avisos_comite")
async def avisos_comite(ctx: Contexto, datos: dict[str, Any], servicios: ServiciosAcciones
                        ) -> list[Respuesta]:
    """Quien integra el comité pide (o deja) los avisos de estatus de las iniciativas de su
    municipio; los manda `bot.escalamiento.casos` al cambiar un estatus. A quien no lo integra
    se le dice por qué no (el flujo confirma solo al comité)."""
    quiere = bool(_respuestas(datos).get("recibir_avisos"))
    if quiere and (ctx.usuario.rol != ROL_COMITE or ctx.usuario.municipio_id is None):
        return [Respuesta("Los avisos del comité son para quien lo integra y tiene su "
                          "municipio en su perfil. Puede cambiar su papel desde el menú.",
                          botones=[Boton("Cambiar mi papel", "/iniciar papel")])]
    actualizar_contexto(ctx.conversacion, avisos_comite=quiere)
    return []


CAMPOS_ACTUALIZABLES: dict[str, str] = {
    "fecha_cabildo": "la fecha de Cabildo",
    "correo": "el correo del enlace",
    "telefono": "el teléfono del enlace",
    "enlace": "el enlace municipal",
    "objetivos": "los objetivos",
}
"""Los datos de un caso que la persona puede cambiar después del folio (flujo
actualizar_caso), con su nombre en palabras."""


def _cambiar(caso: Caso, campo: str, valor: dict[str, Any], textos: dict[str, Any]) -> str:
    """Aplica el cambio al caso y devuelve el valor nuevo en palabras."""
    contacto = dict(caso.contacto or {})
    if campo == "fecha_cabildo":
        caso.fecha_cabildo = dt.date.fromisoformat(str(valor["fecha_cabildo"]))
        return fecha_larga(caso.fecha_cabildo)
    if campo == "objetivos":
        caso.objetivos = str(valor["objetivos"])
        return caso.objetivos
    if campo == "enlace":
        contacto.update(nombre=valor.get("nombre"), cargo=valor.get("cargo"))
        nuevo = f"{valor.get('nombre')}, {valor.get('cargo')}"
    else:  # correo o teléfono
        contacto[campo] = valor.get(campo)
        nuevo = str(textos.get(campo) or valor.get(campo))
    caso.contacto = contacto  # un dict nuevo: SQLAlchemy no ve cambios dentro del JSON
    return nuevo


@accion("actualizar_caso")
async def actualizar_caso(ctx: Contexto, datos: dict[str, Any], servicios: ServiciosAcciones
                          ) -> list[Respuesta]:
    """Cambia un dato de un caso propio: queda un evento en su línea de tiempo, se rehacen la
    ficha y el oficio (trabajo durable) y se avisa a la oficina estatal."""
    r = _respuestas(datos)
    caso = await _caso_elegido(ctx, r)
    campo = str(r.get("campo") or "")
    valor = r.get("valor") or {}
    if caso is None or campo not in CAMPOS_ACTUALIZABLES or not isinstance(valor, dict):
        return [Respuesta("No pude actualizar el caso. Intente de nuevo, por favor.")]
    if caso.estatus in CERRADOS:
        return [Respuesta(f"El caso {caso.folio} ya está cerrado; para cambiar algo en él, "
                          "hable con su oficina estatal.",
                          botones=[Boton("Hablar con un asesor", "/asesor")])]
    textos = ((r.get("textos") or {}).get("valor") or {})
    nuevo = _cambiar(caso, campo, valor, textos)
    nombre = CAMPOS_ACTUALIZABLES[campo]
    descripcion = f"Se actualizó {nombre}: {nuevo}."
    await registrar_evento(ctx.sesion, caso, "actualizacion", descripcion[:500], _actor(ctx),
                           datos={"campo": campo}, audiencia=Audiencia.PERSONA)
    avisados = await notificar_caso_actualizado(servicios, ctx.sesion, caso, descripcion)
    await documentos_del_caso(ctx, caso)
    aviso = ("Quedó en la línea de tiempo del caso, que revisa su oficina estatal"
             + ("; además les avisé por Telegram." if avisados else "."))
    return [Respuesta(f"Listo: actualicé {nombre} de {caso.folio}. {aviso} Le envío la ficha "
                      "y el oficio con el cambio.")]
