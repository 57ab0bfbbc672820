"""Guarda y recupera el estado del flujo en la conversación, y arma el contexto del flujo."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from bot.casos.estatus import en_palabras
from bot.casos.repositorio import casos_visibles
from bot.casos.visibilidad import eventos_para_persona
from bot.db.contexto_conversacion import guardar_contexto, leer_contexto
from bot.db.modelos import Caso, Conversacion, Estado, Municipio, Usuario
from bot.flujos import EstadoFlujo

T = TypeVar("T", Estado, Municipio)


def leer(conversacion: Conversacion) -> EstadoFlujo | None:
    """El flujo activo de la conversación, o None."""
    if not conversacion.flujo or not conversacion.paso:
        return None
    extra = leer_contexto(conversacion)
    return EstadoFlujo(
        flujo=conversacion.flujo, paso=conversacion.paso,
        respuestas=dict(conversacion.respuestas or {}),
        historial=list(conversacion.historial or []), fallos=conversacion.fallos_paso,
        pendiente=extra.pendiente, regreso=extra.regreso,
    )


def guardar(conversacion: Conversacion, estado: EstadoFlujo | None) -> None:
    """Guarda el estado (None: no hay flujo activo). Asigna objetos nuevos para que
    SQLAlchemy detecte el cambio en las columnas JSON."""
    if estado is None:
        conversacion.flujo = conversacion.paso = None
        conversacion.respuestas, conversacion.historial = {}, []
        conversacion.fallos_paso = 0
        guardar_contexto(conversacion, leer_contexto(conversacion).con(pendiente=None,
                                                                       regreso=None))
    else:
        datos = estado.a_json()
        conversacion.flujo, conversacion.paso = estado.flujo, estado.paso
        conversacion.respuestas = datos["respuestas"]
        conversacion.historial = datos["historial"]
        conversacion.fallos_paso = estado.fallos
        guardar_contexto(conversacion, leer_contexto(conversacion).con(
            pendiente=datos["pendiente"], regreso=datos["regreso"]))


def caso_a_dict(caso: Caso) -> dict[str, Any]:
    """Un caso como lo leen las plantillas de los flujos (lo ve la persona: su línea de
    tiempo, solo con los eventos que son para ella)."""
    return {
        "folio": caso.folio, "estatus": caso.estatus,
        "estatus_texto": en_palabras(caso.estatus).nombre, "ambito": caso.ambito,
        "tipo": caso.tipo, "ciudad_contraparte": caso.ciudad_contraparte,
        "pais_contraparte": caso.pais_contraparte,
        "fecha_cabildo": caso.fecha_cabildo.isoformat() if caso.fecha_cabildo else None,
        "documentos": sorted({d.tipo for d in caso.documentos}),
        "eventos": [{"fecha": e.fecha.date().isoformat(), "descripcion": e.descripcion
                     or en_palabras(e.estatus_nuevo or "").nombre}
                    for e in eventos_para_persona(caso.eventos)],
        "municipio": caso.municipio.nombre if caso.municipio else None,
    }


# El catálogo no cambia mientras corre el proceso: sus filas se leen una vez por base e id.
_CATALOGO: dict[tuple[type[Any], str, int], Any] = {}


async def _del_catalogo(sesion: AsyncSession, modelo: type[T], fila_id: int | None) -> T | None:
    """Un Estado o Municipio por id, leído de la base la primera vez y luego de memoria."""
    if fila_id is None:
        return None
    clave = (modelo, str(sesion.get_bind().engine.url), fila_id)
    if clave not in _CATALOGO:
        fila = await sesion.get(modelo, fila_id)
        if fila is None:
            return None
        sesion.expunge(fila)
        _CATALOGO[clave] = fila
    fila_guardada: T = _CATALOGO[clave]
    return fila_guardada


async def perfil(sesion: AsyncSession, usuario: Usuario) -> dict[str, Any]:
    """El perfil del usuario en el formato de los flujos (estado y municipio como dicts)."""
    estado = await _del_catalogo(sesion, Estado, usuario.estado_id)
    municipio = await _del_catalogo(sesion, Municipio, usuario.municipio_id)
    if municipio is not None and estado is None:
        estado = await _del_catalogo(sesion, Estado, municipio.estado_id)
    return {
        "nombre": usuario.nombre if usuario.anonimizado_en is None else None,
        "rol": usuario.rol,
        "estado": {"clave_inegi": estado.clave_inegi, "nombre": estado.nombre,
                   "codigo": estado.codigo, "abreviatura": estado.abreviatura}
        if estado else None,
        "municipio": {"clave_inegi": municipio.clave_inegi, "nombre": municipio.nombre,
                      "estado_clave": estado.clave_inegi if estado else None,
                      "estado_nombre": estado.nombre if estado else None}
        if municipio else None,
    }


async def contexto(sesion: AsyncSession, usuario: Usuario, conversacion: Conversacion,
                   claves: Iterable[str] | None = None) -> dict[str, Any]:
    """Contexto de los flujos: perfil, casos (abiertos primero), caso en curso, nombre_canal
    y `canal` (la terminal numera los botones: solo ahí se sugiere escribir el número).

    Con `claves` (lo que declara el flujo en `contexto:`) solo se consulta lo que hace falta:
    los casos, con su línea de tiempo y documentos, son la parte cara.
    """
    extra = leer_contexto(conversacion)
    if claves is not None and not {"casos", "caso"} & set(claves):
        return {"perfil": await perfil(sesion, usuario), "casos": [], "caso": None,
                "nombre_canal": extra.nombre_canal, "detectado": extra.detectado,
                "canal": usuario.canal}
    casos = await casos_visibles(sesion, usuario)
    abiertos = [c for c in casos if en_palabras(c.estatus).abierto]
    dicts = [caso_a_dict(c) for c in abiertos + [c for c in casos if c not in abiertos]]
    caso = next((d for d in dicts if d["folio"] == extra.caso_folio), None)
    return {
        "perfil": await perfil(sesion, usuario),
        "casos": dicts,
        "caso": caso,
        "nombre_canal": extra.nombre_canal,
        "detectado": extra.detectado,
        "canal": usuario.canal,
    }
