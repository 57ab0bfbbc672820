"""La base de conocimiento a través del motor real (sin NLU): respuestas directas con fuente,
seguimiento del turno anterior, alternativas, nunca la misma unidad dos veces y honestidad."""

from __future__ import annotations

import pytest

from bot.servicios import Servicios

from conversacion import PERFIL, Charla, decir_todo


@pytest.fixture
async def charla(servicios: Servicios) -> Charla:
    return await decir_todo(Charla(servicios.motor), PERFIL)


async def test_respuesta_directa_con_fuente_y_mas_detalle(charla: Charla) -> None:
    await charla.di("el alcalde puede firmar el acuerdo antes del dictamen?")
    texto = charla.ultimas[0].texto
    assert texto.startswith("No se debe firmar antes del dictamen")
    assert "\nFuente: SRE-DGCP" in texto
    assert "Más detalle" in charla.botones
    await charla.pulsa("Más detalle")
    assert "dictamen" in charla.texto.lower() and "Fuentes:" in charla.texto


async def test_sin_dato_no_inventa_ni_dice_si(charla: Charla) -> None:
    await charla.di("cuanto cobra la sre por el dictamen?")
    assert "No tengo información verificada sobre un costo" in charla.texto
    assert "$" not in charla.texto and "pesos" not in charla.texto
    await charla.di("nos podemos hermanar con una ciudad de taiwan?")
    assert charla.ultimas[0].texto.startswith("No tengo información verificada")
    assert "Taiwan" in charla.texto and "caso por caso" in charla.texto


async def test_seguimiento_con_el_tema_anterior(charla: Charla) -> None:
    await charla.di("que es el comite de ciudades hermanas?")
    assert "Comité" in charla.texto
    await charla.di("y cada cuanto se reune?")
    assert charla.ultimas[0].texto.startswith("No hay una cifra oficial de cada cuánto")


async def test_nunca_la_misma_unidad_dos_veces_seguidas(charla: Charla) -> None:
    await charla.di("la ley de tratados sigue vigente?")
    primera = charla.ultimas[0].texto
    await charla.di("la ley de tratados sigue vigente?")
    assert charla.ultimas[0].texto != primera


async def test_alternativas_bajo_la_respuesta(charla: Charla) -> None:
    await charla.di("que hace el comite de ciudades hermanas")
    assert charla.ultimas[0].texto.count("Fuente:") == 1
    alternativas = [r for r in charla.ultimas if r.texto == "¿Buscaba otra cosa?"]
    assert alternativas and 1 <= len(alternativas[0].botones) <= 2
    payload = alternativas[0].botones[0].payload
    assert payload.startswith("/unidad ")
    await charla.di(payload=payload)
    assert "Fuente:" in charla.texto


async def test_lo_que_no_se_parece_a_nada_es_honesto(charla: Charla) -> None:
    await charla.di("el dictamen de la sre se puede impugnar ante un tribunal?")
    assert "No tengo información verificada sobre eso" in charla.texto
    assert "Fuente:" in charla.texto and "Hablar con un asesor" in charla.botones
    await charla.di("receta de enchiladas verdes")
    assert "no le entendí" in charla.texto


async def test_datos_de_hermanamientos_en_el_chat(charla: Charla) -> None:
    await charla.di("mi ciudad, oaxaca, tiene hermanamiento con alguna ciudad de italia?")
    assert charla.ultimas[0].texto.startswith("Sí: Oaxaca de Juárez – Vallagarina")
    assert "Fuente:" in charla.texto
    await charla.di("y con francia?")
    assert "Rueil-Malmaison" in charla.texto


async def test_util_de_una_unidad(charla: Charla) -> None:
    await charla.di("el acta de cabildo tiene que ser certificada?")
    await charla.pulsa("¿Le fue útil? Sí")
    assert "Gracias" in charla.texto
