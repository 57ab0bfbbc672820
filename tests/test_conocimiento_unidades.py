"""Unidades de respuesta: política de fuentes y marcas, y cómo se muestran."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.config import RAIZ
from bot.conocimiento import BaseConocimiento
from bot.conocimiento.fuentes import clase_de_url
from bot.conocimiento.render import AVISO_PRACTICA_UNIDAD, texto_unidad
from bot.conocimiento.validacion import validar_todo
from bot.texto import normalizar

DIRECTORIO = RAIZ / "conocimiento"


@pytest.fixture(scope="module")
def base() -> BaseConocimiento:
    return BaseConocimiento.cargar(DIRECTORIO)


@pytest.fixture
def copia(tmp_path: Path) -> Path:
    destino = tmp_path / "conocimiento"
    shutil.copytree(DIRECTORIO, destino)
    return destino


def _editar(ruta: Path, viejo: str, nuevo: str) -> None:
    texto = ruta.read_text(encoding="utf-8")
    assert viejo in texto
    ruta.write_text(texto.replace(viejo, nuevo, 1), encoding="utf-8")


def test_la_base_real_con_unidades_es_valida() -> None:
    articulos, unidades, errores = validar_todo(DIRECTORIO)
    assert errores == []
    assert articulos >= 40 and unidades >= 50


@pytest.mark.parametrize(("url", "clase"), [
    ("https://coordinacionpolitica.sre.gob.mx/index.php/x", "oficial"),
    ("https://www.dof.gob.mx/nota_detalle.php?codigo=1", "oficial"),
    ("http://diariooficial.gob.mx/nota", "oficial"),
    ("https://www.diputados.gob.mx/LeyesBiblio/ref/lct.htm", "oficial"),
    ("https://vdocumento.com/programa.html", "copia"),
    ("https://www.yumpu.com/es/document/view/1", "copia"),
    ("https://esdocs.com/doc/1", "copia"),
    ("https://studylib.es/doc/1", "copia"),
    ("https://leyco.org/mex/fed/lcid-2011.html", "copia"),
    ("https://www.noroeste.com.mx/mazatlan/x", "prensa"),
    ("https://sistercities.org/about-us/", "institucional"),
    (None, "sin_direccion"),
])
def test_clase_de_la_fuente_por_dominio(url: str | None, clase: str) -> None:
    assert clase_de_url(url) == clase


def test_ninguna_unidad_ni_articulo_verificado_sin_fuente_oficial(base: BaseConocimiento) -> None:
    for unidad in base.unidades:
        if unidad.confianza == "verificado":
            clases = {base.fuentes[i].clase for i in unidad.ids_fuentes()}
            assert "oficial" in clases, unidad.id
    for articulo in base.articulos:
        if articulo.meta.confianza == "verificado":
            assert any(clase_de_url(f.url) == "oficial" for f in articulo.meta.fuentes), (
                articulo.id)
            for fuente in articulo.meta.fuentes:
                assert clase_de_url(fuente.url) == "oficial" or fuente.ejemplo, articulo.id


def test_ninguna_frase_de_ley_sale_sellada_como_practica(base: BaseConocimiento) -> None:
    for unidad in base.unidades:
        for afirmacion in unidad.datos.respuesta:
            if afirmacion.marca in ("ley", "oficial"):
                frase = normalizar(afirmacion.di)
                assert "ojo" not in frase.split() and "practica" not in frase, unidad.id


def test_la_practica_se_avisa_una_vez_y_sin_ojo(base: BaseConocimiento) -> None:
    unidad = base.unidad("tramite-requisitos")
    assert unidad is not None
    texto = texto_unidad(unidad, base.fuentes)
    assert texto.count(AVISO_PRACTICA_UNIDAD) == 1
    assert "Ojo" not in texto
    assert texto.splitlines()[-1].startswith("Fuente: SRE-DGCP")
    ley = base.unidad("ley-tratados-vigente")
    assert ley is not None and AVISO_PRACTICA_UNIDAD not in texto_unidad(ley, base.fuentes)


def test_prensa_y_copias_se_dicen_en_la_fuente(base: BaseConocimiento) -> None:
    unidad = base.unidad("comite-integracion")
    assert unidad is not None
    assert "(nota de prensa)" in texto_unidad(unidad, base.fuentes)


def test_ley_con_fuente_de_prensa_falla(copia: Path) -> None:
    _editar(copia / "unidades" / "ley.yaml",
            '{id: dof-ri-sre-2021, cita: "cita en su artículo 1 la Ley sobre la Celebración de '
            'Tratados"}\n        - {id: dof-ri-sre-2025',
            '{id: cronica-amaie, cita: "Nuevo León asumió la presidencia"}\n'
            '        - {id: dof-ri-sre-2025')
    _, _, errores = validar_todo(copia)
    assert any("ley-tratados-vigente" in e and "sin una fuente oficial" in e for e in errores)


def test_cita_que_no_esta_en_las_notas_falla(copia: Path) -> None:
    _editar(copia / "unidades" / "tramite.yaml", 'cita: "impone dos obligaciones"',
            'cita: "impone tres obligaciones"')
    _, _, errores = validar_todo(copia)
    assert any("impone tres obligaciones" in e and "no aparece" in e for e in errores)


def test_verificado_con_solo_prensa_falla(copia: Path) -> None:
    _editar(copia / "amaie.md", "confianza: reportado", "confianza: verificado")
    _, _, errores = validar_todo(copia)
    assert any("amaie.md" in e and "sin ninguna fuente oficial" in e for e in errores)


def test_practica_sin_decirlo_falla(copia: Path) -> None:
    _editar(copia / "unidades" / "tramite.yaml",
            "Se suele pedir copia certificada", "Se pide copia certificada")
    _, _, errores = validar_todo(copia)
    assert any("tramite-acta-certificada" in e and "debe decir que lo es" in e for e in errores)


def test_practica_como_obligacion_falla(copia: Path) -> None:
    _editar(copia / "unidades" / "tramite.yaml",
            "Se suele pedir copia certificada", "Por lo general la ley exige copia certificada")
    _, _, errores = validar_todo(copia)
    assert any("tramite-acta-certificada" in e and "como ley" in e for e in errores)


def test_los_botones_de_otra_cosa_llevan_preguntas_bien_escritas(base: BaseConocimiento) -> None:
    """«¿Buscaba otra cosa?» ofrece unidades por su título: nunca «amaie» ni una pregunta
    tecleada sin signos."""
    for unidad in base.unidades:
        assert unidad.titulo.startswith("¿") and unidad.titulo.endswith("?"), unidad.id
        assert unidad.titulo[1].isupper(), unidad.id


def test_unidad_sin_titulo_ni_pregunta_bien_escrita_falla(copia: Path) -> None:
    _editar(copia / "unidades" / "actores.yaml", '  titulo: "¿Qué es la AMAIE?"\n', "")
    _, _, errores = validar_todo(copia)
    assert any("«amaie»" in e and "titulo" in e for e in errores)
