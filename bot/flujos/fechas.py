"""Fechas en español como las escribe la gente: «15 de marzo de 2025», «15/03/25», «fue ayer».

Las formas numéricas (15/03/2025, 2025-03-15), las más comunes, se leen aquí mismo; lo demás
lo interpreta dateparser, que se importa la primera vez que hace falta (importarlo y su primera
lectura tardan unos 0.3 s; después, alrededor de 1 ms por lectura).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Literal

from bot.texto import sin_acentos

AUN_NO = "aun_no"
ANIOS_ATRAS = 5
"""Una fecha de hace más de 5 años no es verosímil (p. ej. para una sesión de Cabildo)."""
ANIOS_ADELANTE = 2
"""Ni una de dentro de más de 2 años."""
MAXIMO_CARACTERES = 120
"""Un texto más largo no se le pasa a dateparser: no es una fecha y sería lento."""

_AUN_NO = re.compile(
    r"^(aun|todavia|tampoco)( no\b.*)?$|^no (aun|todavia)\b|^(aun|todavia) no\b|"
    r"^(no|sin) (se ha |ha sido |hemos )?(aprobad[oa]|aprobar|sesionado)\b|^pendiente$|^no$"
)
_NUMERICA = re.compile(r"^(\d{1,2})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{4}|\d{2})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_EQUIVALENCIAS = (  # lo que dateparser no conoce, en la forma que sí
    (re.compile(r"\b(?:antier|antes de ayer)\b"), "anteayer"),
    (re.compile(r"\bprimero\b"), "1"),
    (re.compile(r"\b(\d{1,2})(?:o|ro|°)(?=\s)"), r"\1"),  # «1o de febrero», «1° de mayo»
    (re.compile(r"^el "), ""),
)
_PRIMER_NUMERO = re.compile(r"\b\d{1,2}\b")
_AJUSTES: dict[str, Any] = {
    "DATE_ORDER": "DMY",
    "PREFER_DATES_FROM": "past",  # «20 de diciembre», en marzo: el del año pasado
    "REQUIRE_PARTS": ["day", "month"],  # «marzo de 2025» no es un día
}

Problema = Literal["formato", "inexistente", "futura", "aun_no_no_permitido", "fuera_de_rango"]


@dataclass(frozen=True)
class FechaLeida:
    """Resultado: `fecha` (o `aun_no`) o bien `problema`; `entendida` es la fecha que se
    leyó aunque no valga (con «futura» y «fuera_de_rango»)."""

    fecha: dt.date | None = None
    aun_no: bool = False
    problema: Problema | None = None
    entendida: dt.date | None = None


def _anio(texto: str, hoy: dt.date) -> int:
    n = int(texto)
    if len(texto) == 2:
        siglo = 2000 if n <= (hoy.year % 100) + 1 else 1900
        return siglo + n
    return n


def _construir(anio: int, mes: int, dia: int) -> dt.date | None:
    try:
        return dt.date(anio, mes, dia)
    except ValueError:
        return None


def _limpiar(texto: str) -> str:
    t = sin_acentos(texto.casefold()).strip()
    t = re.sub(r"[¡!¿?]", "", t)
    t = re.sub(r"\s+", " ", t)
    return t.strip(" .,")


def _numerica(t: str, hoy: dt.date) -> tuple[bool, dt.date | None]:
    """Camino rápido para «15/03/2025», «15-3-25» y «2025-03-15»: (¿era numérica?, fecha)."""
    if m := _ISO.match(t):
        return True, _construir(int(m[1]), int(m[2]), int(m[3]))
    if m := _NUMERICA.match(t):
        dia, mes, anio = int(m[1]), int(m[2]), _anio(m[3], hoy)
        if mes > 12 and dia <= 12:  # escrito al estilo de EE. UU. (mes/día): sin ambigüedad
            dia, mes = mes, dia
        return True, _construir(anio, mes, dia)
    return False, None


def _relativa_futura(fragmento: str, fecha: dt.date, hoy: dt.date) -> bool:
    """Las fechas relativas solo cuentan hacia atrás («ayer», «hace 3 días»): «mañana» también
    es «la mañana», y una fecha por venir se pide exacta."""
    return fecha > hoy and not any(c.isdigit() for c in fragmento)


def _con_dateparser(t: str, hoy: dt.date) -> dt.date | None:
    """La fecha según dateparser: el texto entero o, si no, la única fecha de la frase."""
    from dateparser.date import DateDataParser  # se importa al primer uso (~0.2 s)

    ajustes = {**_AJUSTES, "RELATIVE_BASE": dt.datetime.combine(hoy, dt.time())}
    lector = DateDataParser(languages=["es"], settings=ajustes)
    entera = lector.get_date_data(t)
    if entera.date_obj is not None and entera.period == "day":
        fecha: dt.date = entera.date_obj.date()
        return None if _relativa_futura(t, fecha, hoy) else fecha
    return _dentro_de_la_frase(t, hoy, lector, ajustes)


def _dentro_de_la_frase(t: str, hoy: dt.date, lector: Any, ajustes: dict[str, Any]
                        ) -> dt.date | None:
    """«fue ayer», «sesionamos el 15 de marzo de 2025»: solo si hay una sola fecha y es un día."""
    from dateparser.search import search_dates

    halladas = search_dates(t, languages=["es"], settings=ajustes) or []
    if len(halladas) != 1:
        return None  # ninguna, o varias: no se adivina cuál
    fragmento, momento = halladas[0]
    if any(c.isdigit() for c in t.replace(fragmento, " ")):
        return None  # «15 de marzo a las 10»: sobran números, la lectura no es confiable
    sola = lector.get_date_data(fragmento)
    if sola.date_obj is not None and sola.period != "day":
        return None  # «la semana pasada»: no es un día
    fecha: dt.date = momento.date()
    return None if _relativa_futura(fragmento, fecha, hoy) else fecha


def _en_palabras(t: str, hoy: dt.date) -> tuple[bool, dt.date | None]:
    """Con dateparser: (¿se reconoció una fecha, aunque no exista?, fecha)."""
    if len(t) > MAXIMO_CARACTERES:
        return False, None
    for patron, reemplazo in _EQUIVALENCIAS:
        t = patron.sub(reemplazo, t)
    fecha = _con_dateparser(t, hoy)
    if fecha is not None:
        return True, fecha
    return _dia_inexistente(t, hoy), None


def _dia_inexistente(t: str, hoy: dt.date) -> bool:
    """«31 de febrero»: con el día 1 sería una fecha (del 1 al 28 existen en todo mes)."""
    dia = _PRIMER_NUMERO.search(t)
    if dia is None or int(dia[0]) <= 28:
        return False
    return _con_dateparser(f"{t[:dia.start()]}1{t[dia.end():]}", hoy) is not None


def _sumar_anios(fecha: dt.date, anios: int) -> dt.date:
    try:
        return fecha.replace(year=fecha.year + anios)
    except ValueError:  # 29 de febrero
        return fecha.replace(year=fecha.year + anios, day=28)


def leer_fecha(
    texto: str, hoy: dt.date, *, permite_aun_no: bool = False, no_futura: bool = False
) -> FechaLeida:
    """Interpreta una fecha escrita en español, con las reglas del paso: no más de
    `ANIOS_ATRAS` años atrás ni `ANIOS_ADELANTE` adelante (y, con `no_futura`, no después
    de `hoy`)."""
    t = _limpiar(texto)
    if _AUN_NO.search(t):
        return FechaLeida(aun_no=True) if permite_aun_no else FechaLeida(
            problema="aun_no_no_permitido"
        )
    reconocida, fecha = _numerica(t, hoy)
    if not reconocida:
        reconocida, fecha = _en_palabras(t, hoy)
    if not reconocida:
        return FechaLeida(problema="formato")
    if fecha is None:
        return FechaLeida(problema="inexistente")
    if no_futura and fecha > hoy:
        return FechaLeida(problema="futura", entendida=fecha)
    if not _sumar_anios(hoy, -ANIOS_ATRAS) <= fecha <= _sumar_anios(hoy, ANIOS_ADELANTE):
        return FechaLeida(problema="fuera_de_rango", entendida=fecha)
    return FechaLeida(fecha=fecha)


def leer_fecha_prevista(texto: str, hoy: dt.date) -> dt.date | None:
    """La fecha por venir que se menciona en la frase («aún no, la sesión es el 15 de
    enero» → el próximo 15 de enero), dentro de `ANIOS_ADELANTE` años; si no, None."""
    t = _limpiar(texto)
    if len(t) > MAXIMO_CARACTERES or not any(c.isdigit() for c in t):
        return None
    from dateparser.search import search_dates

    ajustes = {**_AJUSTES, "PREFER_DATES_FROM": "future",
               "RELATIVE_BASE": dt.datetime.combine(hoy, dt.time())}
    for patron, reemplazo in _EQUIVALENCIAS[:-1]:
        t = patron.sub(reemplazo, t)
    halladas = search_dates(t, languages=["es"], settings=ajustes) or []
    fechas = [m.date() for f, m in halladas if any(c.isdigit() for c in f)]
    if len(fechas) != 1:
        return None
    fecha = fechas[0]
    if not hoy <= fecha <= _sumar_anios(hoy, ANIOS_ADELANTE):
        return None
    return fecha
