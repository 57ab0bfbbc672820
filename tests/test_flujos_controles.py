"""Controles naturales (botón escrito, sí/no, confirmar) y nombres propios, sin motor."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.flujos import Entrada, EstadoFlujo, cargar_flujos
from bot.flujos import interprete as flujo
from bot.flujos.controles import boton_escrito, es_confirmacion, polaridad
from bot.flujos.nombres import lugar_propio, nombre_propio
from bot.nucleo.comandos import es_acuse, es_agradecimiento
from bot.nucleo.mensajes import Boton

MENU = [Boton("Registrar iniciativa", "/iniciar registro_iniciativa"),
        Boton("Requisitos", "/iniciar requisitos"),
        Boton("Ver mis casos", "/iniciar seguimiento"),
        Boton("Hablar con un asesor", "/asesor")]
HOY = dt.date(2026, 12, 3)


@pytest.mark.parametrize(("texto", "payload"), [
    ("ver mis casos", "/iniciar seguimiento"),
    ("Ver mis casos", "/iniciar seguimiento"),
    ("mis casos", "/iniciar seguimiento"),
    ("quiero ver mis casos por favor", "/iniciar seguimiento"),
    ("requisitos", "/iniciar requisitos"),
    ("los requisitos", "/iniciar requisitos"),
    ("regstrar iniciativa", "/iniciar registro_iniciativa"),
    ("registrar una iniciativa", "/iniciar registro_iniciativa"),
    ("asesor", "/asesor"),
])
def test_boton_escrito(texto: str, payload: str) -> None:
    boton = boton_escrito(texto, MENU)
    assert boton is not None and boton.payload == payload


@pytest.mark.parametrize("texto", [
    "", "1", "2 3", "¿qué requisitos piden para un hermanamiento?", "ver", "casa",
    "quiero registrar mi iniciativa y ver los requisitos del caso", "no", "x" * 80,
])
def test_boton_escrito_no_adivina(texto: str) -> None:
    assert boton_escrito(texto, MENU) is None


def test_boton_escrito_ambiguo_no_elige() -> None:
    botones = [Boton("Acta de Cabildo", "/op acta"), Boton("Acta firmada", "/op firmada")]
    assert boton_escrito("acta", botones) is None
    assert boton_escrito("acta de cabildo", botones) == botones[0]


@pytest.mark.parametrize(("texto", "payload"), [
    ("si borrelos", "/borrar_confirmar"), ("sí, confirmo", "/borrar_confirmar"),
    ("claro que sí", "/borrar_confirmar"), ("no, gracias", "/borrar_cancelar"),
    ("ya todo bien, confirmo", "/borrar_confirmar"),
])
def test_boton_por_polaridad(texto: str, payload: str) -> None:
    botones = [Boton("Confirmar", "/borrar_confirmar"), Boton("Cancelar", "/borrar_cancelar")]
    boton = boton_escrito(texto, botones)
    assert boton is not None and boton.payload == payload


def test_despues_es_el_boton_despues() -> None:
    assert boton_escrito("después", [Boton("Después", "/omitir")]) == Boton("Después", "/omitir")
    tres = [Boton("Continuar después", "/despues"), Boton("Hablar con un asesor", "/asesor")]
    assert boton_escrito("despues", tres) == tres[0]


@pytest.mark.parametrize(("texto", "sentido"), [
    ("sí", True), ("si borrelos", True), ("sí, soy yo", True), ("claro", True), ("ok", True),
    ("no", False), ("no, es otro", False), ("nel", False), ("si pero cambia el correo", None),
    ("tal vez", None), ("", None),
])
def test_polaridad(texto: str, sentido: bool | None) -> None:
    assert polaridad(texto) is sentido


@pytest.mark.parametrize(("texto", "confirma"), [
    ("ya todo bien, confirmo", True), ("sí, confirmo", True), ("correcto", True),
    ("así está bien", True), ("todo en orden, adelante", True), ("la fecha está bien", True),
    ("no está bien", False), ("el correo está mal", False),
    ("correcto pero cambia el cargo", False),
    ("todavía no", False), ("Lyon", False),
])
def test_es_confirmacion(texto: str, confirma: bool) -> None:
    assert es_confirmacion(texto) is confirma


def test_acuses() -> None:
    assert all(es_acuse(t) for t in ("ok", "OK!", "va", "gracias", "Muchas gracias", "sale"))
    assert not any(es_acuse(t) for t in ("", None, "ok quiero registrar", "Lyon", "no"))
    assert es_agradecimiento("gracias") and not es_agradecimiento("ok")


@pytest.mark.parametrize(("texto", "propio"), [
    ("guadalupe ramirez lopez", "Guadalupe Ramírez López"),
    ("JOSE MARIA GONZALEZ", "José María González"),
    ("ana maria de la o", "Ana María de la O"),
    ("jorge canul", "Jorge Canul"),
    ("luis ruiz ortiz", "Luis Ruiz Ortiz"),  # sin acento en su uso oficial
    ("Jose Ramirez", "Jose Ramirez"),  # la persona cuidó la forma: se respeta
    ("  maría   lópez ", "María López"),
])
def test_nombre_propio(texto: str, propio: str) -> None:
    assert nombre_propio(texto) == propio


def test_lugar_propio() -> None:
    assert lugar_propio("san jose, california") == "San José, California"
    assert lugar_propio("los angeles") == "Los Ángeles"
    assert lugar_propio("merida", lambda _: ["Mérida"]) == "Mérida"
    assert lugar_propio("guadalupe", lambda _: ["Guadalupe", "Guadalupe"]) == "Guadalupe"
    assert lugar_propio("San Antonio, TX") == "San Antonio, TX"
    assert lugar_propio("lyon, francia") == "Lyon, Francia"


REGISTRO = cargar_flujos()["registro_iniciativa"]


def _en_resumen() -> EstadoFlujo:
    respuestas = {
        "municipio": {"clave_inegi": "23005", "nombre": "Benito Juárez", "estado_clave": "23",
                      "estado_nombre": "Quintana Roo"},
        "ciudad": "San Antonio", "pais": {"codigo": "US", "nombre": "Estados Unidos"},
        "ambito": "internacional", "tipo": "hermanamiento", "areas": ["cultura"],
        "objetivos": "Intercambio cultural y educativo", "fecha_cabildo": "2025-03-15",
        "documentos_ahora": ["ninguno"],
        "enlace": {"nombre": "Ana Pérez", "cargo": "Directora", "correo": "ana@x.gob.mx",
                   "telefono": "+529981234567"},
        "textos": {"municipio": "Benito Juárez, Quintana Roo"},
    }
    historial = ["municipio", "ciudad", "pais", "tipo", "areas", "objetivos", "antecedentes",
                 "fecha_cabildo", "documentos", "enlace_nombre", "enlace_cargo",
                 "enlace_correo", "enlace_telefono"]
    return EstadoFlujo("registro_iniciativa", "resumen", respuestas, historial)


@pytest.mark.parametrize(("texto", "ruta", "valor"), [
    ("el correo esta mal, es jorge.canul@cancun.gob.mx", "correo", "jorge.canul@cancun.gob.mx"),
    ("jorge.canul@cancun.gob.mx", "correo", "jorge.canul@cancun.gob.mx"),
    ("el teléfono es 998 765 4321", "telefono", "+529987654321"),
    ("mi cel es (998) 765-4321, gracias", "telefono", "+529987654321"),
    ("el cargo no es Directora, es Jefa de Turismo", "cargo", "Jefa de Turismo"),
    ("cambia el cargo a Regidora", "cargo", "Regidora"),
])
def test_correccion_en_linea(texto: str, ruta: str, valor: str) -> None:
    r = flujo.avanzar(REGISTRO, _en_resumen(), Entrada(texto=texto), {}, hoy=HOY)
    assert r.estado is not None and r.estado.paso == "resumen"
    assert r.estado.respuestas["enlace"][ruta] == valor
    assert "Resumen de su iniciativa" in r.respuestas[-1].texto


def test_correccion_de_fecha_y_de_un_dato_sin_valor() -> None:
    r = flujo.avanzar(REGISTRO, _en_resumen(),
                      Entrada(texto="la fecha está mal, fue el 3 de marzo de 2025"), {}, hoy=HOY)
    assert r.estado is not None and r.estado.respuestas["fecha_cabildo"] == "2025-03-03"
    r = flujo.avanzar(REGISTRO, _en_resumen(), Entrada(texto="el correo está mal"), {}, hoy=HOY)
    assert r.estado is not None and r.estado.paso == "enlace_correo"
    assert r.estado.regreso == "resumen"


def test_cancelar_pregunta_y_cuenta_las_respuestas() -> None:
    r = flujo.cancelar(REGISTRO, _en_resumen(), {}, hoy=HOY)
    assert r.estado is not None and r.evento is None
    assert "Tiene 13 respuestas guardadas" in r.respuestas[0].texto
    seguir = flujo.avanzar(REGISTRO, r.estado, Entrada(payload="/no_descartar"), {}, hoy=HOY)
    assert seguir.estado is not None and seguir.estado.pendiente is None
    assert seguir.estado.paso == "resumen" and seguir.evento is None
    fin = flujo.avanzar(REGISTRO, r.estado, Entrada(texto="sí, descártalo"), {}, hoy=HOY)
    assert fin.estado is None and fin.evento == "cancelado"


def test_avance_dice_lo_que_hay_y_lo_que_falta() -> None:
    estado = EstadoFlujo("registro_iniciativa", "objetivos", {"ciudad": "Lyon"},
                         ["municipio", "ciudad", "pais", "tipo", "areas"])
    texto = flujo.avance(REGISTRO, estado, {}, hoy=HOY)
    assert texto.startswith("Ya tengo: municipio, ciudad contraparte, país y otros 2 datos.")
    assert "Faltan: objetivos, antecedentes" in texto


def test_acuse_en_un_paso_de_texto_repite_la_pregunta() -> None:
    estado = EstadoFlujo("registro_iniciativa", "ciudad", {}, ["municipio"])
    r = flujo.avanzar(REGISTRO, estado, Entrada(texto="ok"), {}, hoy=HOY)
    assert r.estado is not None and r.estado.paso == "ciudad"
    assert "ciudad" not in r.estado.respuestas
    assert r.respuestas[0].texto.startswith("De acuerdo. ¿Con qué ciudad")


def test_el_borrador_vale_30_dias() -> None:
    from zoneinfo import ZoneInfo

    from bot.db.modelos import Conversacion
    from bot.flujos.borrador import DIAS_BORRADOR, borrador_vigente, guardar_borrador

    conversacion = Conversacion(contexto={})
    ahora = dt.datetime(2026, 12, 3, 10, 0, tzinfo=ZoneInfo("America/Mexico_City"))
    estado = _en_resumen()
    estado.pendiente = {"tipo": "descartar", "previo": None}
    guardar_borrador(conversacion, estado, ahora)
    recuperado = borrador_vigente(conversacion, ahora + dt.timedelta(days=DIAS_BORRADOR - 1))
    assert recuperado is not None and recuperado.paso == "resumen"
    assert recuperado.pendiente is None  # sin la pregunta «¿Descarto…?» a medias
    assert recuperado.respuestas["enlace"]["correo"] == "ana@x.gob.mx"
    assert borrador_vigente(conversacion, ahora + dt.timedelta(days=DIAS_BORRADOR + 1)) is None
