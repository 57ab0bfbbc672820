"""Intérpretes de respuesta por tipo (bot/flujos/tipos.py, fechas.py, paises.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.flujos.definicion import Opcion, Paso
from bot.flujos.fechas import leer_fecha
from bot.flujos.modelos import Entrada
from bot.flujos.paises import buscar_pais
from bot.flujos.tipos import elegir_opcion, leer, leer_si_no
from bot.nucleo.preguntas import es_pregunta

HOY = dt.date(2026, 3, 10)


def _leer(paso: Paso, texto: str = "", payload: str | None = None, **kw: object):
    return leer(paso, Entrada(texto=texto, payload=payload, **kw),  # type: ignore[arg-type]
                pendiente=None, variables={}, catalogo=None, hoy=HOY)


@pytest.mark.parametrize(
    ("texto", "esperado"),
    [
        ("15 de marzo de 2025", dt.date(2025, 3, 15)),
        ("15/03/2025", dt.date(2025, 3, 15)),
        ("15-3-25", dt.date(2025, 3, 15)),
        ("2025-03-15", dt.date(2025, 3, 15)),
        ("el 1o de febrero del 2026", dt.date(2026, 2, 1)),
        ("primero de enero 2024", dt.date(2024, 1, 1)),
        ("3 dic 2025", dt.date(2025, 12, 3)),
        ("Hoy", HOY),
        ("ayer", dt.date(2026, 3, 9)),
        ("antier", dt.date(2026, 3, 8)),
        ("20 de diciembre", dt.date(2025, 12, 20)),  # sin año y aún no llega: el año pasado
        ("03/25/2025", dt.date(2025, 3, 25)),  # mes/día sin ambigüedad
    ],
)
def test_fechas_en_espanol(texto: str, esperado: dt.date) -> None:
    assert leer_fecha(texto, HOY).fecha == esperado


@pytest.mark.parametrize("texto", ["aún no", "aun no", "Todavía no", "todavia no se aprueba", "no"])
def test_aun_no(texto: str) -> None:
    assert leer_fecha(texto, HOY, permite_aun_no=True).aun_no
    assert leer_fecha(texto, HOY).problema == "aun_no_no_permitido"


def test_fecha_invalida_futura_e_inexistente() -> None:
    assert leer_fecha("mañana por la tarde", HOY).problema == "formato"
    assert leer_fecha("31/02/2025", HOY).problema == "inexistente"
    assert leer_fecha("15/03/2027", HOY, no_futura=True).problema == "futura"
    assert leer_fecha("15/03/2027", HOY).fecha == dt.date(2027, 3, 15)


@pytest.mark.parametrize(
    ("texto", "esperado"),
    [("fue ayer", dt.date(2026, 3, 9)),
     ("sesionamos el 15 de marzo de 2025 en cabildo", dt.date(2025, 3, 15)),
     ("el lunes 2 de marzo", dt.date(2026, 3, 2)),
     ("antes de ayer", dt.date(2026, 3, 8)),
     ("hace 3 días", dt.date(2026, 3, 7)),
     ("15 de setiembre de 2025", dt.date(2025, 9, 15)),
     ("1º de mayo de 2025", dt.date(2025, 5, 1))],
)
def test_fecha_dentro_de_una_frase(texto: str, esperado: dt.date) -> None:
    assert leer_fecha(texto, HOY).fecha == esperado


@pytest.mark.parametrize(
    "texto",
    ["mañana", "la semana pasada", "marzo de 2025", "15", "el 15 de marzo y el 20 de abril",
     "15 de marzo de 2025 a las 10", "quince de marzo", "el otro martes", "x" * 300],
)
def test_lo_que_no_es_un_dia_concreto_no_se_adivina(texto: str) -> None:
    assert leer_fecha(texto, HOY).problema == "formato"


def test_dia_inexistente_escrito_con_palabras() -> None:
    assert leer_fecha("31 de febrero de 2025", HOY).problema == "inexistente"
    assert leer_fecha("30 de febrero", HOY).problema == "inexistente"


def test_aun_no_gana_aunque_la_frase_traiga_una_fecha() -> None:
    leida = leer_fecha("aun no, la sesion es el 15 de enero", HOY, permite_aun_no=True)
    assert leida.aun_no and leida.fecha is None


@pytest.mark.parametrize(
    ("texto", "entendida"),
    [("5 de mayo de 1862", dt.date(1862, 5, 5)), ("09/03/2021", dt.date(2021, 3, 9)),
     ("15/03/2029", dt.date(2029, 3, 15))],
)
def test_fecha_fuera_de_rango(texto: str, entendida: dt.date) -> None:
    leida = leer_fecha(texto, HOY)
    assert (leida.fecha, leida.problema, leida.entendida) == (None, "fuera_de_rango", entendida)


def test_limites_del_rango_se_aceptan() -> None:
    assert leer_fecha("10/03/2021", HOY).fecha == dt.date(2021, 3, 10)  # hace 5 años justos
    assert leer_fecha("10/03/2028", HOY).fecha == dt.date(2028, 3, 10)  # dentro de 2 años


def test_fecha_fuera_de_rango_explica_en_espanol() -> None:
    paso = Paso(id="f", tipo="fecha")
    antigua = _leer(paso, "5 de mayo de 1862")
    assert antigua.valor is None
    assert antigua.error == ("Esa fecha (5 de mayo de 1862) es de hace más de 5 años. "
                             "Revise el año y escríbala de nuevo.")
    lejana = _leer(paso, "15/03/2029").error or ""
    assert "15 de marzo de 2029" in lejana and "más de 2 años" in lejana


@pytest.mark.parametrize("texto", ["si", "Sí", "simón", "claro", "ok", "Sí, claro", "acepto"])
def test_si(texto: str) -> None:
    assert leer_si_no(Entrada(texto=texto)) is True


@pytest.mark.parametrize("texto", ["no", "nel", "No, gracias", "para nada"])
def test_no(texto: str) -> None:
    assert leer_si_no(Entrada(texto=texto)) is False


def test_si_no_dudoso_y_payload() -> None:
    assert leer_si_no(Entrada(texto="quizá")) is None
    assert leer_si_no(Entrada(payload="/si")) is True


@pytest.mark.parametrize(
    "texto", ["8112345678", "+52 81 1234 5678", "52 (81) 1234-5678", "81-1234-5678",
              "+52 1 81 1234 5678", "(81) 12.34.56.78", "5218112345678"]
)
def test_telefono_valido(texto: str) -> None:
    lectura = _leer(Paso(id="t", tipo="telefono"), texto)
    assert lectura.valor == "+528112345678"
    assert lectura.texto == "81 1234 5678"


@pytest.mark.parametrize(
    ("texto", "valor", "legible"),
    [("(869) 696 8011 ext 12", "+528696968011;ext=12", "869 696 8011 ext. 12"),
     ("+52 998 881 2800", "+529988812800", "998 881 2800"),
     ("998-881-2800", "+529988812800", "998 881 2800"),
     ("81 1234 5678 extensión 205", "+528112345678;ext=205", "81 1234 5678 ext. 205")],
)
def test_telefono_con_lada_de_tres_digitos_y_extension(texto: str, valor: str,
                                                       legible: str) -> None:
    lectura = _leer(Paso(id="t", tipo="telefono"), texto)
    assert (lectura.valor, lectura.texto) == (valor, legible)


@pytest.mark.parametrize("texto", ["12345", "811234567", "0112345678", "044 81 1234 5678",
                                   "+1 555 123 4567 8", "+1 210 555 0123", "teléfono"])
def test_telefono_invalido(texto: str) -> None:
    assert "10 dígitos" in (_leer(Paso(id="t", tipo="telefono"), texto).error or "")


def test_correo() -> None:
    paso = Paso(id="c", tipo="correo")
    assert _leer(paso, " Laura.Mendez@Apodaca.gob.mx ").valor == "laura.mendez@apodaca.gob.mx"
    for malo in ["laura@", "laura apodaca.gob.mx", "laura@@x.mx", "a@b", "a..b@x.mx"]:
        assert _leer(paso, malo).error, malo


def test_numero_con_rango() -> None:
    paso = Paso(id="n", tipo="numero", validacion={"min": 1, "max": 10})
    assert _leer(paso, "3").valor == 3
    assert _leer(paso, "tres").valor == 3
    assert _leer(paso, "2.5").valor == 2.5
    assert "entre 1 y 10" in (_leer(paso, "11").error or "")
    assert _leer(paso, "muchos").error


OPCIONES = [
    Opcion(titulo="Funcionario municipal", valor="funcionario"),
    Opcion(titulo="Integrante de comité", valor="comite", sinonimos=["comite"]),
    Opcion(titulo="Ciudadano", valor="ciudadano"),
]


@pytest.mark.parametrize(
    ("texto", "payload", "valor"),
    [
        ("", "/op comite", "comite"),
        ("2", None, "comite"),
        ("la 3", None, "ciudadano"),
        ("funcionario", None, "funcionario"),
        ("Funcionaria municipal", None, "funcionario"),
        ("integrante del comite", None, "comite"),
        ("ciudadno", None, "ciudadano"),
    ],
)
def test_opcion(texto: str, payload: str | None, valor: str) -> None:
    op = elegir_opcion(texto, OPCIONES, payload)
    assert op is not None and op.valor == valor


@pytest.mark.parametrize("texto", ["7", "astronauta", "", "/op inexistente"])
def test_opcion_no_reconocida(texto: str) -> None:
    assert elegir_opcion(texto, OPCIONES) is None


AREAS = Paso(
    id="areas",
    tipo="multiopcion",
    opciones=[
        {"titulo": "Cultura", "valor": "cultura"},
        {"titulo": "Educación", "valor": "educacion"},
        {"titulo": "Turismo", "valor": "turismo"},
        {"titulo": "Ninguna", "valor": "ninguna", "exclusiva": True},
    ],
)


@pytest.mark.parametrize(
    ("texto", "valores"),
    [
        ("1, 3 y educación", ["cultura", "turismo", "educacion"]),
        ("1 2", ["cultura", "educacion"]),
        ("turismo", ["turismo"]),
        ("todas", ["cultura", "educacion", "turismo"]),
        ("cultura; turismo", ["cultura", "turismo"]),
        ("1, 4", ["cultura"]),  # la exclusiva se ignora si hay otras
        ("solo turismo", ["turismo"]),
        ("nomás cultura y turismo", ["cultura", "turismo"]),
        ("ninguna todavía", ["ninguna"]),
    ],
)
def test_multiopcion(texto: str, valores: list[str]) -> None:
    assert _leer(AREAS, texto).valor == valores


def test_multiopcion_con_botones_y_listo() -> None:
    primera = leer(AREAS, Entrada(payload="/op turismo"), pendiente=None, variables={},
                   catalogo=None, hoy=HOY)
    assert primera.pendiente == {"tipo": "seleccion", "seleccion": ["turismo"]}
    assert "/listo" in [b.payload for b in primera.botones]
    final = leer(AREAS, Entrada(payload="/listo"), pendiente=primera.pendiente, variables={},
                 catalogo=None, hoy=HOY)
    assert final.valor == ["turismo"]
    # Lo reconocido se anota y lo demás se nombra (sin pedir números: no se ven en botones).
    parcial = _leer(AREAS, "1, golf")
    assert parcial.pendiente == {"tipo": "seleccion", "seleccion": ["cultura"]}
    assert "No reconocí «golf»" in parcial.aviso and "números" not in parcial.aviso
    assert "No reconocí «golf»" in (_leer(AREAS, "golf").error or "")


@pytest.mark.parametrize(
    ("texto", "codigo"),
    [("EUA", "US"), ("EE.UU.", "US"), ("Estados Unidos", "US"), ("USA", "US"),
     ("Texas", "US"), ("España", "ES"), ("francia", "FR"), ("Corea del Sur", "KR"),
     ("Japon", "JP"), ("México", "MX"), ("Alemnia", "DE")],
)
def test_pais(texto: str, codigo: str) -> None:
    pais = buscar_pais(texto)
    assert pais is not None and pais.codigo == codigo


def test_pais_no_reconocido() -> None:
    assert buscar_pais("Gringolandia") is None
    assert buscar_pais("") is None
    assert _leer(Paso(id="p", tipo="pais"), "Gringolandia").error


def test_archivo() -> None:
    paso = Paso(id="a", tipo="archivo", validacion={"max_mb": 1})
    ok = {"nombre": "acta.pdf", "mime": "application/pdf", "tamano": 2000}
    assert _leer(paso, archivo=ok).valor == ok
    assert _leer(paso, archivo={"nombre": "foto.JPG", "mime": "", "tamano": 10}).error is None
    assert "no se admite" in (_leer(paso, archivo={"nombre": "x.exe", "mime": "",
                                                   "tamano": 10}).error or "")
    assert "MB" in (_leer(paso, archivo={**ok, "tamano": 5 * 1024 * 1024}).error or "")
    assert "adjunto" in (_leer(paso, "aquí va").error or "")


def test_ciudad_y_texto() -> None:
    assert _leer(Paso(id="c", tipo="ciudad"), "San Antonio, Texas.").valor == "San Antonio, Texas"
    assert _leer(Paso(id="c", tipo="ciudad"), "123").error
    paso = Paso(id="t", tipo="texto", validacion={"min_longitud": 10, "mensaje": "Más, por favor."})
    assert _leer(paso, "corto").error == "Más, por favor."


def test_omitir_solo_si_opcional() -> None:
    assert _leer(Paso(id="t", tipo="texto", opcional=True), "omitir").valor is None
    assert _leer(Paso(id="t", tipo="texto", opcional=True), "", payload="/omitir").error is None
    assert _leer(Paso(id="t", tipo="texto"), "", payload="/omitir").error


def test_es_pregunta() -> None:
    assert es_pregunta("¿qué es el POA?")
    assert es_pregunta("que documentos necesito para el cabildo")
    assert not es_pregunta("Impulsar el turismo entre ambas ciudades")
