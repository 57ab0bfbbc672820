"""Propiedad: ninguna entrada, en ningún paso de ningún flujo, rompe el intérprete
ni deja al usuario sin respuesta."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.catalogos.busqueda import catalogo as catalogo_inegi
from bot.flujos import interprete
from bot.flujos.cargador import cargar_flujos
from bot.flujos.modelos import Entrada, EstadoFlujo

FLUJOS = cargar_flujos()
CATALOGO = catalogo_inegi()
HOY = dt.date(2026, 3, 10)
CASO = {"folio": "CH-2026-NL-0007", "estatus": "enviada", "ciudad_contraparte": "McAllen",
        "documentos": ["acta_cabildo"], "eventos": [{"fecha": "2026-01-10", "descripcion": "x"}]}
CONTEXTOS: list[dict[str, Any]] = [
    {},
    {"casos": [CASO], "nombre_canal": "Ana"},
    {"perfil": {"nombre": "Ana", "rol": "funcionario",
                "municipio": {"clave_inegi": "19006", "nombre": "Apodaca",
                              "estado_clave": "19", "estado_nombre": "Nuevo León"}},
     "casos": [CASO, {**CASO, "folio": "CH-2026-NL-0008"}]},
]
PALABRAS = ["sí", "no", "1", "2, 3", "todas", "listo", "omitir", "aún no", "hoy", "15/03/2025",
            "Guadalupe", "Apodaca", "Nuevo León", "EUA", "México", "confirmar", "corregir",
            "corregir correo", "a@b.mx", "8112345678", "¿qué es el POA?", "0007", "", " ",
            "ninguno", "McAllen, Texas", "Ana López Pérez", "cancelar", "💥", "\x00", "{{ 7*7 }}"]
PAYLOADS = ["/si", "/no", "/omitir", "/listo", "/confirmar", "/corregir", "/corregir objetivos",
            "/aun_no", "/op cultura", "/op ninguno", "/op 1", "/mun 19026", "/mun 99999",
            "/caso CH-2026-NL-0007", "/caso X", "/asesor", "/despues", "/nada"]
ARCHIVOS = [None, {"nombre": "a.pdf", "mime": "application/pdf", "tamano": 10},
            {"nombre": "a.exe", "mime": "", "tamano": 10}, {"nombre": "", "tamano": -1}, {}]

entradas = st.builds(
    Entrada,
    texto=st.one_of(st.sampled_from(PALABRAS), st.text(max_size=80)),
    payload=st.one_of(st.none(), st.sampled_from(PAYLOADS), st.text(max_size=20)),
    archivo=st.sampled_from(ARCHIVOS),
)
operaciones = st.sampled_from(["avanzar"] * 8 + ["atras", "ayuda", "recordatorio"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    flujo_id=st.sampled_from(sorted(FLUJOS)),
    contexto=st.sampled_from(CONTEXTOS),
    pasos=st.lists(st.tuples(operaciones, entradas), min_size=1, max_size=25),
)
def test_ninguna_entrada_rompe_ni_deja_sin_respuesta(
    flujo_id: str, contexto: dict[str, Any], pasos: list[tuple[str, Entrada]]
) -> None:
    flujo = FLUJOS[flujo_id]
    r = interprete.iniciar(flujo, contexto, catalogo=CATALOGO, hoy=HOY)
    assert r.respuestas and any(x.texto for x in r.respuestas)
    estado = r.estado
    for operacion, entrada in pasos:
        if estado is None:
            break
        estado = EstadoFlujo.desde_json(json.loads(json.dumps(estado.a_json())))
        if operacion == "recordatorio":
            assert interprete.recordatorio(flujo, estado, contexto)
            continue
        if operacion == "atras":
            r = interprete.atras(flujo, estado, contexto, catalogo=CATALOGO, hoy=HOY)
        elif operacion == "ayuda":
            r = interprete.ayuda(flujo, estado, contexto)
        else:
            interprete.acepta(flujo, estado, entrada, contexto, catalogo=CATALOGO, hoy=HOY)
            r = interprete.avanzar(flujo, estado, entrada, contexto, catalogo=CATALOGO, hoy=HOY)
        assert r.respuestas, (flujo_id, estado.paso, entrada)
        assert all(r2.texto.strip() or r2.botones for r2 in r.respuestas)
        assert any(r2.texto.strip() for r2 in r.respuestas)
        for respuesta in r.respuestas:
            assert all(len(b.payload.encode()) <= 64 for b in respuesta.botones)
        estado = r.estado
        if estado is not None:
            assert flujo.tiene(estado.paso)
            json.dumps(estado.a_json())
