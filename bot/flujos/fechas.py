"""Fechas en español como las escribe la gente: «15 de marzo de 2025», «15/03/25», «ayer»."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from bot.texto import sin_acentos

AUN_NO = "aun_no"

_MESES = {
    "enero": 1, "ene": 1, "febrero": 2, "feb": 2, "marzo": 3, "mar": 3, "abril": 4, "abr": 4,
    "mayo": 5, "may": 5, "junio": 6, "jun": 6, "julio": 7, "jul": 7, "agosto": 8, "ago": 8,
    "septiembre": 9, "setiembre": 9, "sep": 9, "sept": 9, "octubre": 10, "oct": 10,
    "noviembre": 11, "nov": 11, "diciembre": 12, "dic": 12,
}
_AUN_NO = re.compile(
    r"^(aun|todavia|tampoco)( no\b.*)?$|^no (aun|todavia)\b|^(aun|todavia) no\b|"
    r"^(no|sin) (se ha |ha sido |hemos )?(aprobad[oa]|aprobar|sesionado)\b|^pendiente$|^no$"
)
_NUMERICA = re.compile(r"^(\d{1,2})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{4}|\d{2})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_TEXTUAL = re.compile(
    r"^(?:el )?(?:(?:lunes|martes|miercoles|jueves|viernes|sabado|domingo) )?"
    r"(\d{1,2}|primero)(?:o|ro|°|º)? (?:de )?([a-z]+)\.?(?:,? (?:de |del )?(\d{4}|\d{2}))?$"
)

Problema = Literal["formato", "inexistente", "futura", "aun_no_no_permitido"]


@dataclass(frozen=True)
class FechaLeida:
    """Resultado: `fecha` (o `aun_no`) o bien `problema`."""

    fecha: dt.date | None = None
    aun_no: bool = False
    problema: Problema | None = None


def _anio(texto: str | None, hoy: dt.date) -> int:
    if texto is None:
        return hoy.year
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


def leer_fecha(
    texto: str, hoy: dt.date, *, permite_aun_no: bool = False, no_futura: bool = False
) -> FechaLeida:
    """Interpreta una fecha escrita en español, con las reglas del paso."""
    t = _limpiar(texto)
    if _AUN_NO.search(t):
        return FechaLeida(aun_no=True) if permite_aun_no else FechaLeida(
            problema="aun_no_no_permitido"
        )
    fecha: dt.date | None
    relativas = {"hoy": 0, "ayer": 1, "antier": 2, "anteayer": 2, "antes de ayer": 2}
    if t in relativas:
        fecha = hoy - dt.timedelta(days=relativas[t])
    elif m := _ISO.match(t):
        fecha = _construir(int(m[1]), int(m[2]), int(m[3]))
    elif m := _NUMERICA.match(t):
        dia, mes, anio = int(m[1]), int(m[2]), _anio(m[3], hoy)
        if mes > 12 and dia <= 12:  # escrito al estilo de EE. UU. (mes/día): sin ambigüedad
            dia, mes = mes, dia
        fecha = _construir(anio, mes, dia)
    elif (m := _TEXTUAL.match(t)) and m[2] in _MESES:
        dia = 1 if m[1] == "primero" else int(m[1])
        fecha = _construir(_anio(m[3], hoy), _MESES[m[2]], dia)
        if fecha is not None and m[3] is None and fecha > hoy:
            fecha = _construir(fecha.year - 1, fecha.month, fecha.day)
    else:
        return FechaLeida(problema="formato")
    if fecha is None:
        return FechaLeida(problema="inexistente")
    if no_futura and fecha > hoy:
        return FechaLeida(problema="futura")
    return FechaLeida(fecha=fecha)
