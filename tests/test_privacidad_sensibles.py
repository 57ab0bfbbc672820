"""El léxico de datos sensibles (bot/privacidad/datos/sensibles.yaml): qué reconoce, qué no,
y la frase con que se le explica a la persona."""

from __future__ import annotations

import pytest

from bot.privacidad.sensibles import categorias, detectar, detectar_en_nuevos


def test_el_lexico_tiene_las_cinco_categorias_con_su_aviso() -> None:
    nombres = [c.nombre for c in categorias()]
    assert nombres == ["salud", "religion", "politica", "vida_sexual", "origen_etnico"]
    for categoria in categorias():
        assert categoria.aviso.startswith("No guardo ") and categoria.aviso.endswith(".")
        assert "trámite" in categoria.aviso


@pytest.mark.parametrize(("texto", "categoria"), [
    ("Tengo DIABETES", "salud"),
    ("Ana Pérez, estoy embarazada", "salud"),
    ("mi hijo tiene una discapacidad", "salud"),
    ("Soy católico practicante", "religion"),
    ("somos evangélicos", None),  # el plural no está en el léxico: es una red pequeña
    ("Cuál es su religión", "religion"),
    ("milito en el partido desde 2010", "politica"),
    ("Soy militante", "politica"),
    ("Soy indígena mixteco", "origen_etnico"),
    ("mi orientación sexual", "vida_sexual"),
])
def test_reconoce_cada_categoria(texto: str, categoria: str | None) -> None:
    encontrado = detectar(texto)
    assert (encontrado.categoria if encontrado else None) == categoria


@pytest.mark.parametrize("texto", [
    "Laura Méndez Garza",
    "Intercambio académico, cultural y de buenas prácticas de gobierno",
    "Un partido de fútbol amistoso entre las dos ciudades",
    "Convenio con la Universidad Católica de Lovaina",
    "Programa de prevención de la diabetes en escuelas",
    "Inclusión de personas con discapacidad en el transporte",
    "El cabildo votó por unanimidad",
    "repartidor de la zona centro",
])
def test_no_confunde_lo_que_no_habla_de_la_persona(texto: str) -> None:
    assert detectar(texto) is None


def test_solo_cuenta_lo_que_una_respuesta_agrega() -> None:
    antes = {"objetivos": "Programa de salud", "nombre": "Ana"}
    assert detectar_en_nuevos(antes, {**antes, "cargo": "Regidora"}) is None
    nuevo = detectar_en_nuevos(antes, {**antes, "integrantes": [{"nombre": "Soy católica"}]})
    assert nuevo is not None and nuevo.categoria == "religion"
