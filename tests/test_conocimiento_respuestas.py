"""Respuestas renderizadas: corta con fuente, botones, detalle, opciones y «no encontré»."""

from __future__ import annotations

import pytest

from bot.config import RAIZ
from bot.conocimiento import BaseConocimiento
from bot.conocimiento.render import AVISO_PRACTICA, MAXIMO_CORTA
from bot.nucleo.formato import fecha_larga


@pytest.fixture(scope="module")
def base() -> BaseConocimiento:
    return BaseConocimiento.cargar(RAIZ / "conocimiento")


def test_respuesta_corta_con_fuente_y_botones(base: BaseConocimiento) -> None:
    resultado = base.buscar("que es el dictamen de procedencia de la sre")
    assert resultado.decision == "respuesta"
    (respuesta,) = base.responder(resultado, canal_admite_enlaces=True)
    articulo = base.articulo("dictamen-procedencia")
    assert articulo is not None
    assert len(respuesta.texto) <= MAXIMO_CORTA
    assert respuesta.texto.splitlines()[-1] == f"Fuente: {articulo.meta.fuentes[0].titulo}"
    assert respuesta.enlace == articulo.meta.fuentes[0].url
    assert [(b.titulo, b.payload) for b in respuesta.botones] == [
        ("Más detalle", "/articulo_detalle dictamen-procedencia"),
        ("¿Le fue útil? Sí", "/util dictamen-procedencia si"),
        ("No", "/util dictamen-procedencia no"),
    ]


def test_sin_enlaces_no_hay_url(base: BaseConocimiento) -> None:
    (respuesta,) = base.responder(base.buscar("que es el mahaa"), canal_admite_enlaces=False)
    assert respuesta.enlace is None
    assert "http" not in respuesta.texto


def test_todas_las_respuestas_cortas_caben(base: BaseConocimiento) -> None:
    for articulo in base.articulos:
        (respuesta,) = base.responder_articulo(articulo.id, canal_admite_enlaces=True)
        assert len(respuesta.texto) <= MAXIMO_CORTA, articulo.id
        assert "Fuente: " in respuesta.texto
        assert "**" not in respuesta.texto


def test_practica_comun_lleva_aviso_en_el_chat(base: BaseConocimiento) -> None:
    for articulo in base.articulos:
        (respuesta,) = base.responder_articulo(articulo.id, canal_admite_enlaces=True)
        assert (AVISO_PRACTICA in respuesta.texto) == (
            articulo.meta.confianza == "practica_comun"
        ), articulo.id


def test_detalle_cita_todas_las_fuentes(base: BaseConocimiento) -> None:
    articulo = base.articulo("vigencia-renovacion")
    assert articulo is not None
    (respuesta,) = base.detalle("vigencia-renovacion")
    for fuente in articulo.meta.fuentes:
        assert fuente.titulo in respuesta.texto
        assert fuente.url in respuesta.texto
    assert "/util vigencia-renovacion si" in [b.payload for b in respuesta.botones]
    (sin_enlaces,) = base.detalle("vigencia-renovacion", canal_admite_enlaces=False)
    assert "http" not in sin_enlaces.texto


def test_detalle_pone_las_fechas_en_palabras(base: BaseConocimiento) -> None:
    articulo = base.articulo("vigencia-renovacion")
    assert articulo is not None
    (respuesta,) = base.detalle("vigencia-renovacion")
    fuente = articulo.meta.fuentes[0]
    assert f"(consultada el {fecha_larga(fuente.consultado)})" in respuesta.texto
    assert "(consultada el 24 de noviembre de 2026)" in respuesta.texto
    assert f"Revisado el {fecha_larga(articulo.meta.revisado)}." in respuesta.texto


def test_opciones_son_tres_botones_de_articulo(base: BaseConocimiento) -> None:
    resultado = base.buscar("y el comite")
    assert resultado.decision == "opciones"
    (respuesta,) = base.responder(resultado, canal_admite_enlaces=True)
    assert len(respuesta.botones) == 3
    for boton, candidato in zip(respuesta.botones, resultado.articulos, strict=False):
        assert boton.payload == f"/articulo {candidato.articulo.id}"
        assert boton.titulo == candidato.articulo.titulo


def test_nada_ofrece_menu_y_asesor(base: BaseConocimiento) -> None:
    (respuesta,) = base.responder(base.buscar("receta de enchiladas"), canal_admite_enlaces=True)
    assert "No encontré" in respuesta.texto
    assert [b.payload for b in respuesta.botones] == ["/menu", "/asesor"]


def test_articulo_inexistente(base: BaseConocimiento) -> None:
    assert base.articulo("no-existe") is None
    (respuesta,) = base.detalle("no-existe")
    assert "No encontré" in respuesta.texto
