"""Búsqueda: acentos, faltas, intent del NLU y las tres decisiones."""

from __future__ import annotations

import pytest

from bot.config import RAIZ
from bot.conocimiento import INTENTS_INFORMATIVOS, BaseConocimiento
from bot.conocimiento.evaluacion import leer_conjunto
from bot.conocimiento.lugares import sin_lugares


@pytest.fixture(scope="module")
def base() -> BaseConocimiento:
    return BaseConocimiento.cargar(RAIZ / "conocimiento")


@pytest.mark.parametrize(
    ("variantes", "esperado"),
    [
        (
            ["¿Qué documentos necesito?", "que documentos necesito", "qe docs nesesito"],
            "documentos-habituales",
        ),
        (
            ["¿Qué es el dictamen de procedencia?", "que es el dictamen de procedencia",
             "q es el dictamn de prosedencia"],
            "dictamen-procedencia",
        ),
        (
            ["¿Cuánto dura un hermanamiento?", "cuanto dura un hermanamiento",
             "cuanto dura un ermanamiento"],
            "vigencia-renovacion",
        ),
        (
            ["Comité de Ciudades Hermanas: ¿quiénes lo integran?",
             "comite de ciudades hermanas quienes lo integran",
             "comite de ciudades ermanas quienes lo integran"],
            "comite-integracion",
        ),
    ],
)
def test_acentos_y_faltas_dan_el_mismo_articulo(
    base: BaseConocimiento, variantes: list[str], esperado: str
) -> None:
    for texto in variantes:
        resultado = base.buscar(texto)
        assert resultado.mejor is not None and resultado.mejor.id == esperado, texto


def test_pregunta_clara_da_respuesta_directa(base: BaseConocimiento) -> None:
    resultado = base.buscar("por que no basta con la aprobacion del cabildo")
    assert resultado.decision == "respuesta"
    assert resultado.mejor is not None and resultado.mejor.id == "cabildo-no-basta"
    puntajes = [c.puntaje for c in resultado.articulos]
    assert puntajes == sorted(puntajes, reverse=True)


@pytest.mark.parametrize(
    "texto", ["como saco mi pasaporte", "receta de enchiladas", "a que hora abre el banco", ""]
)
def test_fuera_de_tema_no_encuentra_nada(base: BaseConocimiento, texto: str) -> None:
    assert base.buscar(texto).decision == "nada"


def test_baja_confianza_ofrece_opciones(base: BaseConocimiento) -> None:
    resultado = base.buscar("y el comite")
    assert resultado.decision == "opciones"
    ids = [c.articulo.id for c in resultado.articulos[:3]]
    assert len(ids) == 3 and all(i.startswith("comite") for i in ids)


def test_intent_seguro_lleva_al_articulo_principal(base: BaseConocimiento) -> None:
    for intent in INTENTS_INFORMATIVOS:
        principal = base.principal_de(intent)
        assert principal is not None, intent
        resultado = base.buscar("y eso?", intent=intent, confianza_intent=0.95)
        assert resultado.decision == "respuesta", intent
        assert resultado.mejor is not None and resultado.mejor.id == principal.id, intent


def test_intent_debil_no_se_impone(base: BaseConocimiento) -> None:
    resultado = base.buscar("que es el mahaa", intent="privacidad", confianza_intent=0.3)
    assert resultado.mejor is not None and resultado.mejor.id == "modelo-mahaa"


def test_intent_y_texto_se_combinan(base: BaseConocimiento) -> None:
    # El NLU dice «requisitos»; el texto precisa cuál documento.
    resultado = base.buscar(
        "el acta de cabildo tiene que ir certificada", intent="requisitos", confianza_intent=0.8
    )
    assert resultado.mejor is not None and resultado.mejor.id == "acta-cabildo-certificada"


def test_fuera_de_alcance_del_nlu_baja_el_puntaje(base: BaseConocimiento) -> None:
    texto = "cual es la capital de australia"
    sin_intent = base.buscar(texto)
    con_intent = base.buscar(texto, intent="fuera_de_alcance", confianza_intent=0.9)
    assert con_intent.decision == "nada"
    assert sin_intent.articulos[0].puntaje > con_intent.articulos[0].puntaje


def test_evaluacion_propia_cumple_metas(base: BaseConocimiento) -> None:
    from bot.conocimiento.evaluacion import evaluar, problemas_del_conjunto

    conjunto = leer_conjunto(RAIZ / "conocimiento" / "evaluacion.yaml")
    assert len(conjunto.pares) >= 80
    assert problemas_del_conjunto(base, conjunto) == []
    informe = evaluar(base, conjunto)
    assert informe.top1 >= 0.90
    assert informe.top3 >= 0.98


def test_validacion_cruzada_de_las_unidades(base: BaseConocimiento) -> None:
    from bot.conocimiento.evaluacion import validacion_cruzada

    cruzada = validacion_cruzada(base)
    assert cruzada.ejemplos >= 1000
    assert cruzada.exactitud >= 0.80, cruzada.fallos[:20]


@pytest.mark.parametrize("texto", [
    "como saco mi pasaporte", "cual es la capital de australia", "donde pago el predial",
    "necesito visa para ir a estados unidos", "quien gano el partido de ayer",
])
def test_lo_ajeno_no_recibe_una_unidad(base: BaseConocimiento, texto: str) -> None:
    assert base.consultar(texto).decision == "nada"


def test_la_capital_de_un_estado_es_un_lugar_no_un_tema(base: BaseConocimiento) -> None:
    """«Guanajuato capital» es la ciudad: no arrastra la respuesta del estudio que la menciona."""
    assert sin_lugares("queremos hermanarnos con Guanajuato capital, que necesito") == \
        "queremos hermanarnos con que necesito"
    consulta = base.consultar("queremos hermanarnos con Guanajuato capital, que necesito",
                              intent="hermanamiento_nacional", confianza_intent=0.84)
    assert consulta.decision == "respuesta"
    assert consulta.candidatos[0].objetivo.id == "tramite-nacional"
