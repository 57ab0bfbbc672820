"""Generación de las tablas de búsqueda (estados, municipios, países, ciudades, áreas)."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.nlu import lookups


def _sinonimos(ruta: Path) -> dict[str, str]:
    datos = yaml.safe_load(ruta.read_text(encoding="utf-8"))["nlu"]
    salida = {}
    for bloque in datos:
        if "synonym" in bloque:
            for linea in bloque["examples"].splitlines():
                salida[linea.strip()[2:].casefold()] = bloque["synonym"]
    return salida


def test_genera_archivos_deterministas(tmp_path: Path) -> None:
    rutas = lookups.generar(tmp_path)
    assert {r.name for r in rutas} == {
        "estado.yml", "municipio.yml", "pais.yml", "ciudad_extranjera.yml", "area_cooperacion.yml"
    }
    antes = {r.name: r.read_text(encoding="utf-8") for r in rutas}
    lookups.generar(tmp_path)
    assert antes == {r.name: r.read_text(encoding="utf-8") for r in rutas}


def test_versionados_al_dia() -> None:
    for ruta in lookups.DIR_SALIDA.glob("*.yml"):
        assert ruta.read_text(encoding="utf-8").startswith("# Generado")
    tablas = {t.entidad for t in (lookups.tabla_estados(), lookups.tabla_paises())}
    assert tablas == {"estado", "pais"}


def test_estados_con_formas_cortas_y_abreviaturas(tmp_path: Path) -> None:
    lookups.generar(tmp_path)
    sin = _sinonimos(tmp_path / "estado.yml")
    assert sin["nl"] == "Nuevo León"
    assert sin["nuevo leon"] == "Nuevo León"
    assert sin["edomex"] == "México"
    assert sin["cdmx"] == "Ciudad de México"
    assert sin["veracruz"] == "Veracruz de Ignacio de la Llave"
    assert sin["coahuila"] == "Coahuila de Zaragoza"
    assert "mexico" not in sin  # "México" a secas es el país


def test_municipios_sin_palabras_comunes() -> None:
    formas = lookups.tabla_municipios().formas
    assert "zapopan" in formas and "san pedro garza garcia" in formas
    for comun in ("progreso", "reforma", "centro", "china", "asientos", "jalisco"):
        assert comun not in formas
    assert len(formas) > 2400


def test_paises_en_espanol_con_alias() -> None:
    tabla = lookups.tabla_paises()
    assert tabla.canonico_de["eua"] == "Estados Unidos"
    assert tabla.canonico_de["españa"] == "España"
    assert tabla.canonico_de["corea del sur"] == "Corea del Sur"
    assert "mexico" not in tabla.canonico_de
    assert "usa" not in tabla.canonico_de  # "usa" es un verbo
