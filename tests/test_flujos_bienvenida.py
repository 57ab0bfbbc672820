"""Flujo bienvenida: aviso de privacidad, consentimiento, rol, estado, municipio y nombre."""

from __future__ import annotations

import pytest

from bot.catalogos.busqueda import Catalogo
from bot.catalogos.busqueda import catalogo as catalogo_inegi
from bot.flujos.cargador import cargar_flujos
from bot.flujos.definicion import Flujo
from bot.flujos.simulador import Simulacion


@pytest.fixture(scope="module")
def catalogo() -> Catalogo:
    return catalogo_inegi()


@pytest.fixture(scope="module")
def flujo() -> Flujo:
    return cargar_flujos()["bienvenida"]


def test_primer_contacto_completo(flujo: Flujo, catalogo: Catalogo) -> None:
    s = Simulacion(flujo, {"nombre_canal": "Laura"}, catalogo=catalogo)
    s.iniciar()
    assert "Aviso de privacidad simplificado" in s.texto
    assert {"/si", "/no", "/aviso_privacidad"} <= set(s.payloads)
    assert not s.acepta(payload="/aviso_privacidad")  # lo atiende el motor
    assert s.acepta(payload="/si") and s.acepta("acepto")
    s.enviar("Acepto")
    assert [a.nombre for a in s.acciones] == ["guardar_consentimiento"]
    assert s.acciones[0].datos["respuestas"]["consentimiento"] is True
    s.enviar("2")  # integrante de comité
    s.enviar("Nuevo León")
    s.enviar("Guadalupe")  # dentro de Nuevo León no es ambiguo
    assert "¿me dirijo a usted como Laura?" in s.texto
    s.enviar("no")
    s.enviar("Laura Méndez Garza")
    assert s.terminado and s.eventos[-1] == "completado"
    perfil = s.acciones[-1]
    assert perfil.nombre == "guardar_perfil"
    r = perfil.datos["respuestas"]
    assert r["rol"] == "comite" and r["estado"]["clave_inegi"] == "19"
    assert r["municipio"]["clave_inegi"] == "19026" and r["nombre"] == "Laura Méndez Garza"
    # Integrante de comité: su menú es el del comité (no el registro de iniciativas).
    assert "/iniciar comite" in s.payloads and "/iniciar registro_iniciativa" not in s.payloads
    assert "integrante del comité" in s.texto


def test_sin_consentimiento_solo_preguntas_generales(flujo: Flujo) -> None:
    s = Simulacion(flujo, {})
    s.iniciar()
    s.enviar("No acepto")
    assert s.terminado
    assert "no guardaré sus datos personales" in s.texto
    assert "preguntas" in s.texto and "generales" in s.texto
    assert s.acciones[0].nombre == "guardar_consentimiento"
    assert s.acciones[0].datos["respuestas"]["consentimiento"] is False
    assert "guardar_perfil" not in [a.nombre for a in s.acciones]


def test_asesor_estatal_no_da_municipio(flujo: Flujo, catalogo: Catalogo) -> None:
    s = Simulacion(flujo, {}, catalogo=catalogo)
    s.iniciar()
    for texto in ["sí", "asesor estatal", "Zacatecas"]:
        s.enviar(texto)
    assert s.estado is not None and s.estado.paso == "nombre"
    s.enviar("Pedro Ruiz")
    # Las dos vías: el panel de asesores (en /panel/) y los avisos en Telegram con /vincular.
    assert "panel de asesores de su oficina" in s.texto and "/panel/" in s.texto
    assert "/vincular CODIGO" in s.texto and "Telegram" in s.texto
    assert "código de vinculación" in s.texto


def test_estado_desconocido(flujo: Flujo, catalogo: Catalogo) -> None:
    s = Simulacion(flujo, {}, catalogo=catalogo)
    s.iniciar()
    s.enviar("sí")
    s.enviar("1")
    s.enviar("Narnia")
    assert "No reconocí el estado" in s.texto
    s.enviar("nuevo leon")
    assert s.estado is not None and s.estado.paso == "municipio"
    s.enviar("Monterey")  # con error de dedo
    assert s.estado.respuestas["municipio"]["nombre"] == "Monterrey"  # type: ignore[union-attr]


def test_usuario_conocido_ve_sus_casos(flujo: Flujo) -> None:
    contexto = {
        "perfil": {"nombre": "Laura", "rol": "funcionario",
                   "municipio": {"nombre": "Apodaca", "estado_nombre": "Nuevo León"}},
        "casos": [{"folio": "CH-2026-NL-0007", "ciudad_contraparte": "McAllen",
                   "estatus": "enviada", "estatus_texto": "Enviada a su oficina estatal"}],
    }
    s = Simulacion(flujo, contexto)
    s.iniciar()
    assert s.terminado
    assert "Hola de nuevo, Laura (funcionario municipal, Apodaca)" in s.texto
    assert "CH-2026-NL-0007 · McAllen: Enviada a su oficina estatal" in s.texto
    assert not s.acciones


def test_ayuda_y_tres_fallas_en_consentimiento(flujo: Flujo) -> None:
    s = Simulacion(flujo, {})
    s.iniciar()
    s.ayuda()
    assert "preguntas generales" in s.texto and "asesor" in s.texto
    for _ in range(3):
        s.enviar("mmm")
    assert "tres_fallos" in s.eventos
