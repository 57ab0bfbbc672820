"""Pedir un flujo con palabras (`pedidos` en su YAML)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.flujos.cargador import cargar_flujos
from bot.flujos.definicion import Flujo
from bot.flujos.pedidos import Pedidos, dichos_del_pedido
from bot.flujos.validador import validar_flujo

RAIZ = Path(__file__).resolve().parents[1]
FLUJOS = cargar_flujos(RAIZ / "flujos")
PEDIDOS = Pedidos(FLUJOS)


@pytest.mark.parametrize(("texto", "flujo", "dice"), [
    ("quiero anotar a los integrantes", "comite", {"opcion": "registrar"}),
    ("¿cómo anoto a los integrantes del comité?", "comite", {"opcion": "registrar"}),
    ("necesito registrar a los miembros", "comite", {"opcion": "registrar"}),
    ("menu del comite", "comite", {}),
    ("me equivoqué de papel", "papel", {}),
    ("quiero cambiar mi rol", "papel", {}),
])
def test_reconoce_el_pedido_y_lo_que_ya_dice(texto: str, flujo: str, dice: dict[str, str]
                                             ) -> None:
    reconocido = PEDIDOS.reconocer(texto)
    assert reconocido is not None
    assert (reconocido.flujo, reconocido.dice) == (flujo, dice)


@pytest.mark.parametrize("texto", [
    "¿los integrantes del comité deben registrarse ante la SRE o basta con el acta de Cabildo?",
    "quien integra el comite",
    "cual es el papel de la oficina estatal",
    "integrantes",
    "",
])
def test_no_es_pedido(texto: str) -> None:
    assert PEDIDOS.reconocer(texto) is None


def test_lo_que_dice_el_pedido_se_toma_con_el_titulo_de_la_opcion() -> None:
    dichos = dichos_del_pedido(FLUJOS["comite"], {"opcion": "registrar"})
    assert dichos == {"opcion": {"valor": "registrar", "texto": "Anotar integrantes",
                                 "confirmado": True}}


def test_el_validador_revisa_lo_que_dice_un_pedido() -> None:
    datos = FLUJOS["comite"].model_dump()
    datos["pedidos"] = [{"frases": ["anotar integrantes"], "dice": {"opcion": "bailar"}},
                        {"frases": ["algo"], "dice": {"inexistente": "x"}}]
    problemas = [p.mensaje for p in validar_flujo(Flujo.model_validate(datos))]
    assert any("opcion=bailar" in m for m in problemas)
    assert any("«inexistente»" in m for m in problemas)
