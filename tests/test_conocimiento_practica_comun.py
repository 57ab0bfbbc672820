"""Ningún hecho sin verificar ([NV] en hechos.md) se presenta como ley."""

from __future__ import annotations

import pytest

from bot.config import RAIZ
from bot.conocimiento import BaseConocimiento
from bot.conocimiento.validacion import redaccion_de_ley, tiene_recomendacion
from bot.texto import normalizar

# Afirmaciones que en hechos.md son práctica común o inferencia: solo pueden aparecer en
# artículos marcados practica_comun (o negadas explícitamente en uno verificado).
AFIRMACIONES_NV = ("30 dias", "20 dias habiles", "acuerdos interinstitucionales rai", "honorific")


@pytest.fixture(scope="module")
def base() -> BaseConocimiento:
    return BaseConocimiento.cargar(RAIZ / "conocimiento")


def test_hay_articulos_de_ambos_tipos(base: BaseConocimiento) -> None:
    tipos = {a.meta.confianza for a in base.articulos}
    assert tipos == {"verificado", "reportado", "practica_comun"}


def test_practica_comun_recomienda_confirmar_con_la_oficina_estatal(
    base: BaseConocimiento,
) -> None:
    for articulo in base.articulos:
        if articulo.meta.confianza == "practica_comun":
            assert tiene_recomendacion(articulo), articulo.id


def test_practica_comun_no_se_redacta_como_obligacion(base: BaseConocimiento) -> None:
    for articulo in base.articulos:
        if articulo.meta.confianza == "practica_comun":
            assert redaccion_de_ley(articulo) == [], articulo.id


def test_afirmaciones_sin_verificar_solo_en_practica_comun(base: BaseConocimiento) -> None:
    for articulo in base.articulos:
        texto = normalizar(f"{articulo.corta} {articulo.detalle}")
        for afirmacion in AFIRMACIONES_NV:
            if afirmacion in texto:
                assert articulo.meta.confianza == "practica_comun", (articulo.id, afirmacion)


def test_documentos_habituales_aclara_que_no_hay_lista_oficial(base: BaseConocimiento) -> None:
    articulo = base.articulo("documentos-habituales")
    assert articulo is not None and articulo.meta.confianza == "practica_comun"
    assert "no hay una lista oficial" in normalizar(articulo.corta)
