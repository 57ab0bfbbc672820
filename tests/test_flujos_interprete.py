"""Mecánica del intérprete con un flujo pequeño escrito aquí (bot/flujos/interprete.py)."""

from __future__ import annotations

import json

import pytest
import yaml

from bot.flujos import interprete
from bot.flujos.definicion import Flujo
from bot.flujos.modelos import Entrada, EstadoFlujo
from bot.flujos.simulador import Simulacion

FLUJO = yaml.safe_load(
    """
id: prueba
titulo: Prueba
contexto: [perfil]
pasos:
  - id: hola
    tipo: mensaje
    pregunta: "Hola {{ perfil.nombre or 'visitante' }}."
  - id: edad
    tipo: numero
    etiqueta: edad
    campo: edad
    pregunta: "¿Cuántos años tiene?"
    validacion: {min: 18, max: 120}
    recordatorio: "Me decía su edad."
  - id: menor
    tipo: mensaje
    condicion: "edad < 18"
    pregunta: "Nunca debería verse."
  - id: color
    tipo: opcion
    etiqueta: color
    campo: color
    pregunta: "¿Color favorito?"
    opciones:
      - {titulo: Rojo, valor: rojo}
      - {titulo: Verde, valor: verde}
    asignar:
      calido: "color == 'rojo'"
  - id: correo
    tipo: correo
    etiqueta: correo
    campo: contacto.correo
    pregunta: "¿Correo?"
    prellenar: {desde: perfil.correo, modo: saltar}
  - id: resumen
    tipo: confirmacion
    accion: crear_caso
    pregunta: "Edad {{ edad }}, {{ textos.color }}, {{ contacto.correo }}. ¿Confirma?"
"""
)


@pytest.fixture
def flujo() -> Flujo:
    return Flujo.model_validate(FLUJO)


def test_mensajes_saltos_condiciones_y_prellenar(flujo: Flujo) -> None:
    s = Simulacion(flujo, {"perfil": {"nombre": "Ana", "correo": "ana@x.mx"}})
    s.iniciar()
    assert s.texto == "Hola Ana.\n¿Cuántos años tiene?"
    s.enviar("40")
    s.enviar("rojo")
    assert s.estado is not None and s.estado.paso == "resumen"  # correo prellenado y saltado
    assert "Edad 40, Rojo, ana@x.mx" in s.texto
    assert s.estado.respuestas["calido"] is True
    assert "Nunca" not in s.texto


def test_error_no_repite_la_pregunta_y_tres_fallos(flujo: Flujo) -> None:
    s = Simulacion(flujo, {})
    s.iniciar()
    s.enviar("muchos")
    assert "¿Cuántos años" not in s.texto and "número" in s.texto
    s.enviar("5")
    assert "entre 18 y 120" in s.texto
    assert s.eventos == []
    s.enviar("")
    assert s.eventos == ["tres_fallos"]
    assert [b.payload for b in s.ultimas[-1].botones] == ["/despues", "/asesor"]
    s.enviar("20")
    assert s.estado is not None and s.estado.fallos == 0 and s.estado.paso == "color"


def test_estado_es_json_y_la_funcion_es_pura(flujo: Flujo) -> None:
    inicio = interprete.iniciar(flujo, {})
    assert inicio.estado is not None
    guardado = json.dumps(inicio.estado.a_json())
    antes = EstadoFlujo.desde_json(json.loads(guardado))
    r = interprete.avanzar(flujo, antes, Entrada(texto="30"), {})
    assert antes.paso == "edad" and antes.respuestas == {}  # no se modificó la entrada
    assert r.estado is not None and r.estado.respuestas["edad"] == 30
    # «reiniciar»: el mismo estado, otro proceso, mismo resultado
    otra = interprete.avanzar(flujo, EstadoFlujo.desde_json(json.loads(guardado)),
                              Entrada(texto="30"), {})
    assert otra.estado == r.estado


def test_atras_ayuda_recordatorio_y_cancelar(flujo: Flujo) -> None:
    s = Simulacion(flujo, {})
    s.iniciar()
    s.atras()
    assert "primera pregunta" in s.texto
    s.enviar("30")
    s.ayuda()
    assert "escriba la opción" in s.texto and "atrás" in s.texto
    assert "número" not in s.texto  # fuera de la terminal los botones no llevan número
    terminal = Simulacion(flujo, {"canal": "terminal"})
    terminal.iniciar()
    terminal.enviar("30")
    terminal.ayuda()
    assert "número de la opción" in terminal.texto
    assert s.estado is not None and s.estado.paso == "color"
    s.atras()
    assert s.estado is not None and s.estado.paso == "edad"
    assert s.recordatorio()[0].texto == "Sigamos. Me decía su edad."
    s.cancelar()  # tras «atrás» no queda ninguna respuesta: no hay nada que confirmar
    assert s.terminado and s.eventos == ["cancelado"] and "Prueba" in s.texto


def test_acepta_decide_si_hace_falta_el_nlu(flujo: Flujo) -> None:
    s = Simulacion(flujo, {})
    s.iniciar()
    assert s.acepta("25")
    assert not s.acepta("¿para qué quieren mi edad?")
    assert not s.acepta(payload="/menu")
    s.enviar("25")
    assert s.acepta(payload="/op verde") and s.acepta("verde") and s.acepta("2")
    assert not s.acepta("¿cuál me recomienda?")


def test_resumen_corregir_y_confirmar(flujo: Flujo) -> None:
    s = Simulacion(flujo, {})
    s.iniciar()
    for texto in ["30", "verde", "yo@x.mx"]:
        s.enviar(texto)
    s.enviar("quién sabe")
    assert "«confirmar»" in s.texto
    s.enviar("no")
    assert {"/corregir edad", "/corregir color", "/corregir correo"} == {
        p for p in s.payloads
    }
    s.enviar("color")
    assert s.estado is not None and s.estado.paso == "color"
    s.enviar("rojo")
    assert s.estado is not None and s.estado.paso == "resumen" and "Rojo" in s.texto
    s.enviar("sí")
    assert s.terminado and s.acciones[-1].nombre == "crear_caso"
    assert s.acciones[-1].datos["respuestas"]["contacto"]["correo"] == "yo@x.mx"


def test_paso_que_ya_no_existe_reinicia_con_lo_guardado(flujo: Flujo) -> None:
    viejo = EstadoFlujo(flujo="prueba", paso="borrado", respuestas={"edad": 33})
    r = interprete.avanzar(flujo, viejo, Entrada(texto="hola"), {})
    assert r.estado is not None and r.estado.paso == "edad"
    assert "se actualizó" in r.respuestas[0].texto


def test_estado_de_otro_flujo_es_error_de_programacion(flujo: Flujo) -> None:
    with pytest.raises(ValueError, match="otro"):
        interprete.avanzar(flujo, EstadoFlujo(flujo="otro", paso="x"), Entrada(texto="1"))
