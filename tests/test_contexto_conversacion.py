"""`Conversacion.contexto` con tipos: un solo lector y un solo escritor, tolerantes con filas
viejas (claves ausentes, desconocidas o de otro tipo) y con las mismas claves JSON."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from sqlalchemy import select

from bot.db.contexto_conversacion import (
    _CAMPOS,
    ContextoConversacion,
    actualizar_contexto,
    guardar_contexto,
    leer_contexto,
)
from bot.db.modelos import Conversacion, Usuario
from bot.db.sesion import Almacen


def _conversacion(contexto: Any) -> Conversacion:
    return Conversacion(usuario_id=1, respuestas={}, historial=[], contexto=contexto)


def test_cada_campo_tiene_sus_tipos() -> None:
    campos = {f.name for f in dataclasses.fields(ContextoConversacion)} - {"otras"}
    assert set(_CAMPOS) == campos


@pytest.mark.parametrize("guardado", [None, {}])
def test_fila_vacia_da_los_valores_por_omision(guardado: Any) -> None:
    contexto = leer_contexto(_conversacion(guardado))
    assert contexto == ContextoConversacion()
    assert contexto.atendida is False and contexto.consentimiento_rechazado is False
    assert contexto.caso_folio is None and contexto.pendiente is None
    assert contexto.a_json() == {}


def test_lee_las_claves_de_siempre() -> None:
    guardado = {
        "atendida": True, "nombre_canal": "Ana", "caso_folio": "JAL-2026-0001",
        "detectado": {"estado": {"nombre": "Jalisco"}, "municipio": None},
        "despues": "registro_iniciativa", "consentimiento_rechazado": True,
        "motivo_escalamiento": "tres_fallos", "acuse_traspaso": 7,
        "pendiente": {"tipo": "seleccion", "seleccion": ["cultura"]}, "regreso": "resumen",
        "privacidad_borrado_solicitado": "2026-11-25T10:00:00+00:00",
    }
    contexto = leer_contexto(_conversacion(guardado))
    assert contexto.atendida is True
    assert contexto.nombre_canal == "Ana"
    assert contexto.caso_folio == "JAL-2026-0001"
    assert contexto.detectado == {"estado": {"nombre": "Jalisco"}, "municipio": None}
    assert contexto.despues == "registro_iniciativa"
    assert contexto.consentimiento_rechazado is True
    assert contexto.motivo_escalamiento == "tres_fallos"
    assert contexto.acuse_traspaso == 7
    assert contexto.pendiente == {"tipo": "seleccion", "seleccion": ["cultura"]}
    assert contexto.regreso == "resumen"
    assert contexto.privacidad_borrado_solicitado == "2026-11-25T10:00:00+00:00"
    assert contexto.otras == {}
    assert contexto.a_json() == guardado  # mismas claves, mismos valores


def test_claves_desconocidas_se_conservan_al_guardar() -> None:
    conversacion = _conversacion({"caso_folio": "NL-1", "clave_de_otra_version": [1, 2],
                                  "ultimo_tema": "cabildo"})
    contexto = leer_contexto(conversacion)
    assert contexto.caso_folio == "NL-1"
    assert contexto.otras == {"clave_de_otra_version": [1, 2], "ultimo_tema": "cabildo"}
    actualizar_contexto(conversacion, atendida=True)
    assert conversacion.contexto == {"caso_folio": "NL-1", "atendida": True,
                                     "clave_de_otra_version": [1, 2], "ultimo_tema": "cabildo"}


def test_un_valor_de_otro_tipo_no_se_lee_pero_se_conserva() -> None:
    conversacion = _conversacion({"acuse_traspaso": "7", "atendida": 1, "caso_folio": 12,
                                  "detectado": "Jalisco", "pendiente": None})
    contexto = leer_contexto(conversacion)
    assert contexto.acuse_traspaso is None
    assert contexto.atendida is False  # 1 no es un booleano
    assert contexto.caso_folio is None and contexto.detectado is None
    assert contexto.otras == {"acuse_traspaso": "7", "atendida": 1, "caso_folio": 12,
                              "detectado": "Jalisco"}
    assert contexto.a_json() == {"acuse_traspaso": "7", "atendida": 1, "caso_folio": 12,
                                 "detectado": "Jalisco"}  # el null explícito no se guarda
    # Escribir la clave reemplaza el valor raro.
    actualizar_contexto(conversacion, acuse_traspaso=9, atendida=True)
    assert conversacion.contexto == {"acuse_traspaso": 9, "atendida": True, "caso_folio": 12,
                                     "detectado": "Jalisco"}


def test_un_booleano_no_cuenta_como_entero() -> None:
    assert leer_contexto(_conversacion({"acuse_traspaso": True})).acuse_traspaso is None


def test_none_y_false_quitan_la_clave() -> None:
    conversacion = _conversacion({"despues": "comite", "consentimiento_rechazado": True,
                                  "motivo_escalamiento": "tres_fallos"})
    nuevo = actualizar_contexto(conversacion, despues=None, consentimiento_rechazado=False,
                                motivo_escalamiento=None)
    assert conversacion.contexto == {}
    assert nuevo == ContextoConversacion()
    conversacion = _conversacion({"consentimiento_rechazado": True})
    assert actualizar_contexto(conversacion, consentimiento_rechazado=None
                               ).consentimiento_rechazado is False
    assert conversacion.contexto == {}


def test_una_clave_desconocida_al_escribir_es_un_error() -> None:
    conversacion = _conversacion({})
    with pytest.raises(TypeError, match="caso_folo"):
        actualizar_contexto(conversacion, caso_folo="JAL-1")
    assert conversacion.contexto == {}


def test_el_escritor_asigna_un_dict_nuevo() -> None:
    original = {"caso_folio": "JAL-1"}
    conversacion = _conversacion(original)
    actualizar_contexto(conversacion, nombre_canal="Ana")
    assert conversacion.contexto is not original
    assert original == {"caso_folio": "JAL-1"}  # el dict anterior no se toca
    guardar_contexto(conversacion, ContextoConversacion())
    assert conversacion.contexto == {}


def test_sin_cambios_no_reasigna() -> None:
    original = {"atendida": True}
    conversacion = _conversacion(original)
    actualizar_contexto(conversacion, atendida=True)
    assert conversacion.contexto is original


async def test_el_cambio_llega_a_la_base(url_bd: str) -> None:
    """SQLAlchemy no ve cambios dentro de un dict JSON: el escritor asigna uno nuevo."""
    almacen = Almacen(url_bd)
    try:
        async with almacen.escritura() as s:
            usuario = Usuario(canal="rest", id_externo="contexto-1")
            s.add(usuario)
            await s.flush()
            s.add(Conversacion(usuario_id=usuario.id, respuestas={}, historial=[],
                               contexto={"clave_vieja": 1}))
        async with almacen.escritura() as s:
            conversacion = await s.scalar(select(Conversacion))
            assert conversacion is not None
            actualizar_contexto(conversacion, caso_folio="JAL-2026-0001", atendida=True)
        async with almacen.lectura() as s:
            conversacion = await s.scalar(select(Conversacion))
            assert conversacion is not None
            assert conversacion.contexto == {"caso_folio": "JAL-2026-0001", "atendida": True,
                                             "clave_vieja": 1}
            assert leer_contexto(conversacion).caso_folio == "JAL-2026-0001"
    finally:
        await almacen.cerrar()
