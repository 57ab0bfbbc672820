"""Hechos como datos: hermanamientos conocidos y actores, consultables y en el chat."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.config import RAIZ
from bot.conocimiento import BaseConocimiento
from bot.conocimiento.hechos import Hechos, leer_hechos
from bot.texto import normalizar

HOY = dt.date(2026, 12, 3)


@pytest.fixture(scope="module")
def hechos() -> Hechos:
    datos, errores = leer_hechos(RAIZ / "conocimiento")
    assert errores == [] and datos is not None
    return datos


@pytest.fixture(scope="module")
def base() -> BaseConocimiento:
    return BaseConocimiento.cargar(RAIZ / "conocimiento")


def test_consulta_por_municipio_estado_y_pais(hechos: Hechos) -> None:
    oaxaca = {h.ciudad for h in hechos.buscar(municipio="oaxaca")}
    assert {"Palo Alto", "Vallagarina", "Rueil-Malmaison"} <= oaxaca
    assert [h.ciudad for h in hechos.buscar(municipio="Oaxaca de Juárez", pais="Italia")] == [
        "Vallagarina"]
    assert {h.municipio for h in hechos.buscar(estado="Guanajuato")} == {"Irapuato"}
    assert hechos.buscar(pais="Japón") == []


def test_par_en_cualquier_orden_y_con_alias(hechos: Hechos) -> None:
    par = hechos.par("San Cristóbal", "Popayán")
    assert par is not None and par.anio == 2016 and par.pais == "Colombia"
    assert hechos.par("Popayán", "san cristobal de las casas") is par
    assert hechos.par("Monterrey", "Popayán") is None


def test_consulta_reutilizable_desde_otro_codigo() -> None:
    from bot.conocimiento import hechos_conocidos

    datos = hechos_conocidos(RAIZ / "conocimiento")
    assert datos is not None and hechos_conocidos(RAIZ / "conocimiento") is datos
    par = datos.par("Monterrey", "San Antonio")
    assert par is not None and par.anio == 1953


def test_el_actor_depende_de_la_fecha(hechos: Hechos) -> None:
    antes, vigente = hechos.actor("amaie", dt.date(2025, 6, 1))
    assert antes is not None and antes.quien == "Querétaro" and vigente
    ahora, vigente = hechos.actor("amaie", HOY)
    assert ahora is not None and ahora.quien == "Nuevo León" and vigente
    despues, vigente = hechos.actor("amaie", dt.date(2030, 1, 1))
    assert despues is not None and despues.quien == "Nuevo León" and not vigente


@pytest.mark.parametrize(("pregunta", "debe"), [
    ("¿qué ciudades hermanas tiene Oaxaca?", ["palo alto", "vallagarina"]),
    ("oaxaca tiene alguna con italia?", ["si:", "vallagarina"]),
    ("¿cuántos hermanamientos tiene Guanajuato?", ["22", "registrados ante la sre"]),
    ("¿San Cristóbal ya está hermanada con Popayán?", ["si:", "2016"]),
    ("con q ciudades se hermano la paz bcs", ["alamos", "marsella", "eilat"]),
    ("hay hermanamientos con ciudades de cuba?", ["marianao"]),
    ("quien es el titular de la dgcp", ["pedro matar", "2025"]),
    ("la amaie la sigue presidiendo queretaro?", ["no, ya no", "nuevo leon"]),
])
def test_preguntas_de_datos_en_el_chat(hechos: Hechos, pregunta: str, debe: list[str]) -> None:
    respuesta = hechos.responder(pregunta, HOY)
    assert respuesta is not None and respuesta.fuentes, pregunta
    texto = normalizar(respuesta.texto).replace("si ", "si: ", 1) if respuesta.texto.startswith(
        "Sí:") else normalizar(respuesta.texto)
    for frase in debe:
        assert normalizar(frase) in texto or frase in texto, (pregunta, respuesta.texto)


def test_sin_dato_no_inventa(hechos: Hechos) -> None:
    respuesta = hechos.responder("oaxaca tiene hermanamiento con alguna ciudad de japon?", HOY)
    assert respuesta is not None
    assert "no aparece" in respuesta.texto and "SRE" in respuesta.texto


@pytest.mark.parametrize("pregunta", [
    "queremos registrar un hermanamiento con San Antonio, Texas, q piden?",
    "que documentos necesito para hermanar mi municipio",
])
def test_no_se_mete_con_preguntas_de_tramite(hechos: Hechos, pregunta: str) -> None:
    assert hechos.responder(pregunta, HOY) is None


def test_la_respuesta_del_chat_cita_la_fuente(base: BaseConocimiento) -> None:
    respuestas = base.responder_hechos("san cristobal de las casas tiene hermanamiento con "
                                       "alguna ciudad de colombia?", HOY)
    assert respuestas is not None
    (respuesta,) = respuestas
    assert "Popayán" in respuesta.texto
    assert "Fuente: La Frailesca al Día" in respuesta.texto
    assert "nota de prensa" in respuesta.texto
