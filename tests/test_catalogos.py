"""Buscador del catálogo INEGI: como escribe la gente."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.catalogos.busqueda import catalogo
from bot.catalogos.carga import cargar_catalogos
from bot.db.modelos import Estado, Municipio
from bot.servicios import Servicios


@pytest.mark.parametrize(
    ("texto", "esperado"),
    [
        ("Monterrey", "Monterrey, Nuevo León"),
        ("monterrey", "Monterrey, Nuevo León"),
        ("san pedro garza garcia", "San Pedro Garza García, Nuevo León"),
        ("SAN PEDRO GARZA GARCÍA", "San Pedro Garza García, Nuevo León"),
        ("queretaro", "Querétaro, Querétaro"),
        ("merida", "Mérida, Yucatán"),
        ("Coyoacan", "Coyoacán, Ciudad de México"),
        ("cancun", "Benito Juárez, Quintana Roo"),
        ("ciudad juarez", "Juárez, Chihuahua"),
        ("Ecatepec", "Ecatepec de Morelos, Estado de México"),
    ],
)
def test_sin_acentos_y_en_cualquier_caso(texto: str, esperado: str) -> None:
    encontrados = catalogo().buscar_municipio(texto)
    assert [m.etiqueta for m in encontrados][:1] == [esperado]


@pytest.mark.parametrize(
    ("texto", "esperado"),
    [
        ("benito juarez qroo", "Benito Juárez, Quintana Roo"),
        ("Benito Juárez, Q. Roo", "Benito Juárez, Quintana Roo"),
        ("guadalupe NL", "Guadalupe, Nuevo León"),
        ("guadalupe zacatecas", "Guadalupe, Zacatecas"),
        ("toluca edomex", "Toluca, Estado de México"),
        ("Toluca, Estado de México", "Toluca, Estado de México"),
        ("coyoacan cdmx", "Coyoacán, Ciudad de México"),
        ("la paz bcs", "La Paz, Baja California Sur"),
        ("soledad de graciano sanchez slp", "Soledad de Graciano Sánchez, San Luis Potosí"),
        ("celaya gto", "Celaya, Guanajuato"),
        ("zapopan jal", "Zapopan, Jalisco"),
        ("xalapa veracruz", "Xalapa, Veracruz"),
        ("saltillo coahuila", "Saltillo, Coahuila"),
        ("uruapan michoacan", "Uruapan, Michoacán"),
    ],
)
def test_con_estado_abreviado_o_corto(texto: str, esperado: str) -> None:
    assert [m.etiqueta for m in catalogo().buscar_municipio(texto)] == [esperado]


@pytest.mark.parametrize(
    ("texto", "esperado"),
    [
        ("monterey", "Monterrey, Nuevo León"),
        ("guadalajra", "Guadalajara, Jalisco"),
        ("hermosiyo", "Hermosillo, Sonora"),
        ("oaxaca de juares", "Oaxaca de Juárez, Oaxaca"),
        ("chihuaua", "Chihuahua, Chihuahua"),
    ],
)
def test_errores_de_dedo(texto: str, esperado: str) -> None:
    assert catalogo().buscar_municipio(texto)[0].etiqueta == esperado


def test_nombre_repetido_devuelve_todos_para_preguntar() -> None:
    encontrados = catalogo().buscar_municipio("Benito Juárez")
    estados = {m.estado_nombre for m in encontrados}
    assert len(encontrados) == 7
    assert {"Quintana Roo", "Ciudad de México", "Zacatecas"} <= estados


def test_el_estado_desambigua() -> None:
    encontrados = catalogo().buscar_municipio("Benito Juárez", estado_clave="23")
    assert [m.clave_inegi for m in encontrados] == ["23005"]


def test_lo_que_no_existe_no_se_inventa() -> None:
    assert catalogo().buscar_municipio("Springfield") == []
    assert catalogo().buscar_municipio("") == []
    assert catalogo().buscar_municipio("xx") == []


@pytest.mark.parametrize(
    ("texto", "clave"),
    [("NL", "19"), ("Nuevo Leon", "19"), ("edomex", "15"), ("Estado de México", "15"),
     ("CDMX", "09"), ("df", "09"), ("BCS", "03"), ("SLP", "24"), ("QRoo", "23"), ("Gto", "11"),
     ("Jal", "14"), ("Veracruz", "30"), ("Coahuila", "05"), ("Michoacán", "16"),
     ("michoacan", "16"), ("yucatan", "31"), ("tamaulipaz", "28")],
)
def test_estados_como_los_escribe_la_gente(texto: str, clave: str) -> None:
    estado = catalogo().buscar_estado(texto)
    assert estado is not None and estado.clave_inegi == clave


def test_estado_desconocido() -> None:
    assert catalogo().buscar_estado("Texas") is None
    assert catalogo().buscar_estado("") is None


def test_catalogo_completo() -> None:
    assert len(catalogo().estados) == 32


async def test_carga_idempotente(servicios: Servicios) -> None:
    async with servicios.almacen.escritura() as s:
        resumen = await cargar_catalogos(s)
    assert (resumen.estados_nuevos, resumen.municipios_nuevos) == (0, 0)
    async with servicios.almacen.lectura() as s:
        assert await s.scalar(select(func.count()).select_from(Estado)) == 32
        assert await s.scalar(select(func.count()).select_from(Municipio)) == 2478
