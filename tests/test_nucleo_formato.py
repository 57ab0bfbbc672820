"""Fechas, números y teléfonos en español de México (bot/nucleo/formato.py)."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.nucleo import formato
from bot.nucleo.formato import (
    dia_y_fecha,
    en_zona,
    fecha_corta,
    fecha_hora,
    fecha_hora_corta,
    fecha_larga,
    hora,
    leer_telefono,
    nombre_dia,
    numero,
    telefono,
)

CDMX = "America/Mexico_City"
RAIZ = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------- fechas

@pytest.mark.parametrize(
    ("fecha", "esperado"),
    [(dt.date(2026, 12, 3), "3 de diciembre de 2026"),
     (dt.date(2026, 1, 1), "1 de enero de 2026"),
     (dt.date(2025, 9, 15), "15 de septiembre de 2025"),
     (dt.datetime(2026, 3, 7, 23, 59), "7 de marzo de 2026")],
)
def test_fecha_larga(fecha: dt.date, esperado: str) -> None:
    assert fecha_larga(fecha) == esperado


def test_los_doce_meses_en_minusculas() -> None:
    meses = [fecha_larga(dt.date(2026, m, 1)).split(" de ")[1] for m in range(1, 13)]
    assert meses == ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
                     "septiembre", "octubre", "noviembre", "diciembre"]


def test_la_zona_cambia_el_dia() -> None:
    # 02:00 UTC del 8 de marzo son las 20:00 del 7 en el centro de México.
    momento = dt.datetime(2026, 3, 8, 2, 0, tzinfo=dt.timezone.utc)
    assert fecha_larga(momento, CDMX) == "7 de marzo de 2026"
    assert fecha_larga(momento) == "8 de marzo de 2026"
    assert fecha_larga(dt.datetime(2026, 3, 8, 2, 0), CDMX) == "7 de marzo de 2026"  # sin zona: UTC


def test_en_zona() -> None:
    sin_zona = en_zona(dt.datetime(2026, 3, 8, 2, 0), CDMX)
    assert sin_zona == dt.datetime(2026, 3, 7, 20, 0, tzinfo=ZoneInfo(CDMX))
    assert en_zona(sin_zona, ZoneInfo("UTC")).hour == 2


def test_fecha_corta_y_con_hora() -> None:
    momento = dt.datetime(2026, 3, 7, 15, 5, tzinfo=dt.timezone.utc)
    assert fecha_corta(dt.date(2026, 3, 7)) == "07/03/2026"
    assert fecha_hora(momento, CDMX) == "7 de marzo de 2026 a las 09:05"
    assert fecha_hora_corta(momento, CDMX) == "07/03/2026 09:05"


def test_dias_de_la_semana() -> None:
    assert [nombre_dia(d) for d in range(7)] == [
        "lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"]
    assert dia_y_fecha(dt.date(2026, 3, 9)) == "lunes 9 de marzo"
    assert dia_y_fecha(dt.date(2026, 3, 4)) == "miércoles 4 de marzo"


def test_hora_sin_cero_a_la_izquierda() -> None:
    assert hora(dt.time(9, 0)) == "9:00"
    assert hora(dt.time(18, 30)) == "18:30"
    assert hora(dt.time(0, 5)) == "0:05"
    assert hora(dt.datetime(2026, 3, 7, 15, 5, tzinfo=dt.timezone.utc), CDMX) == "9:05"


# ---------------------------------------------------------------- números

@pytest.mark.parametrize(
    ("n", "esperado"),
    [(3, "3"), (1234, "1,234"), (1234567.5, "1,234,567.5"), (-2500, "-2,500"), (0.25, "0.25")],
)
def test_numero_con_separadores_de_mexico(n: float, esperado: str) -> None:
    assert numero(n) == esperado


# ---------------------------------------------------------------- teléfonos

@pytest.mark.parametrize(
    ("texto", "guardado", "legible"),
    [("(869) 696 8011 ext 12", "+528696968011;ext=12", "869 696 8011 ext. 12"),
     ("+52 998 881 2800", "+529988812800", "998 881 2800"),
     ("998-881-2800", "+529988812800", "998 881 2800"),
     ("81 1234 5678", "+528112345678", "81 1234 5678"),
     ("55.1234.5678 x 3", "+525512345678;ext=3", "55 1234 5678 ext. 3"),
     ("+52 1 33 1234 5678", "+523312345678", "33 1234 5678"),  # el 1 de celular ya no va
     ("5213312345678", "+523312345678", "33 1234 5678")],  # como lo manda WhatsApp
)
def test_leer_y_mostrar_telefono(texto: str, guardado: str, legible: str) -> None:
    assert leer_telefono(texto) == guardado
    assert telefono(guardado) == legible
    assert telefono(texto) == legible


@pytest.mark.parametrize(
    "texto",
    ["", "12345", "811234567", "81 1234 56789", "0112345678", "1234567890", "01 55 1234 5678",
     "044 55 1234 5678", "+1 210 555 0123", "+34 912 345 678", "no tengo", "81-1234-567a"],
)
def test_telefono_invalido_o_de_otro_pais(texto: str) -> None:
    assert leer_telefono(texto) is None


def test_mostrar_lo_guardado_antes_y_lo_que_no_es_telefono() -> None:
    assert telefono("8112345678") == "81 1234 5678"  # como se guardaba antes de E.164
    assert telefono("9988812800") == "998 881 2800"
    assert telefono("[eliminado]") == "[eliminado]"  # caso anonimizado
    assert telefono("") == ""
    assert telefono("+1 210 555 0123") == "+1 210 555 0123"


# ---------------------------------------------------------------- un solo lugar

def test_el_nucleo_no_importa_nada_del_asistente() -> None:
    arbol = ast.parse((RAIZ / "bot" / "nucleo" / "formato.py").read_text(encoding="utf-8"))
    modulos = {n.module for n in ast.walk(arbol) if isinstance(n, ast.ImportFrom)}
    modulos |= {a.name for n in ast.walk(arbol) if isinstance(n, ast.Import) for a in n.names}
    assert not {m for m in modulos if m and (m == "bot" or m.startswith("bot."))}
    assert formato.LOCALE == "es_MX"


def test_no_quedan_listas_de_meses_escritas_a_mano() -> None:
    sospechosos = [p.relative_to(RAIZ).as_posix() for p in (RAIZ / "bot").rglob("*.py")
                   if '"febrero"' in p.read_text(encoding="utf-8")]
    assert sospechosos == []
