"""Fechas, números y teléfonos en español de México (con Babel y phonenumbers).

No importa nada del asistente: quien necesite la hora local pasa su zona horaria.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import phonenumbers
from babel.dates import format_date, format_datetime, format_time, get_day_names
from babel.numbers import format_decimal

LOCALE = "es_MX"
REGION = "MX"
_FECHA_LARGA = "d 'de' MMMM 'de' y"
_DIA_Y_FECHA = "EEEE d 'de' MMMM"
_FECHA_CORTA = "dd/MM/y"
_FECHA_HORA = "d 'de' MMMM 'de' y 'a las' HH:mm"
_FECHA_HORA_CORTA = "dd/MM/y HH:mm"


# ---------------------------------------------------------------- fechas y horas

def en_zona(momento: dt.datetime, zona: str | dt.tzinfo) -> dt.datetime:
    """El momento en la zona `zona` («America/Mexico_City»); uno sin zona se toma como UTC."""
    if momento.tzinfo is None:
        momento = momento.replace(tzinfo=dt.timezone.utc)
    return momento.astimezone(ZoneInfo(zona) if isinstance(zona, str) else zona)


def _dia(valor: dt.date, zona: str | dt.tzinfo | None) -> dt.date:
    if zona is not None and isinstance(valor, dt.datetime):
        return en_zona(valor, zona)
    return valor


def _momento(valor: dt.datetime, zona: str | dt.tzinfo | None) -> dt.datetime:
    return en_zona(valor, zona) if zona is not None else valor


def fecha_larga(fecha: dt.date, zona: str | dt.tzinfo | None = None) -> str:
    """«3 de diciembre de 2026». Un `datetime` se pasa antes a `zona`, si se da."""
    return format_date(_dia(fecha, zona), _FECHA_LARGA, locale=LOCALE)


def fecha_corta(fecha: dt.date, zona: str | dt.tzinfo | None = None) -> str:
    """«03/12/2026»."""
    return format_date(_dia(fecha, zona), _FECHA_CORTA, locale=LOCALE)


def dia_y_fecha(fecha: dt.date, zona: str | dt.tzinfo | None = None) -> str:
    """«jueves 3 de diciembre» (sin año)."""
    return format_date(_dia(fecha, zona), _DIA_Y_FECHA, locale=LOCALE)


def nombre_dia(dia: int) -> str:
    """Nombre del día de la semana, como `date.weekday()`: 0 → «lunes», 6 → «domingo»."""
    return str(get_day_names("wide", locale=LOCALE)[dia])


def hora(valor: dt.time | dt.datetime, zona: str | dt.tzinfo | None = None) -> str:
    """«9:00», «18:30» (24 horas, sin cero a la izquierda)."""
    if isinstance(valor, dt.datetime):
        valor = _momento(valor, zona).time()
    return format_time(valor, "H:mm", locale=LOCALE)


def fecha_hora(momento: dt.datetime, zona: str | dt.tzinfo | None = None) -> str:
    """«7 de marzo de 2026 a las 10:30»."""
    return format_datetime(_momento(momento, zona), _FECHA_HORA, locale=LOCALE)


def fecha_hora_corta(momento: dt.datetime, zona: str | dt.tzinfo | None = None) -> str:
    """«07/03/2026 10:30»."""
    return format_datetime(_momento(momento, zona), _FECHA_HORA_CORTA, locale=LOCALE)


# ---------------------------------------------------------------- números

def numero(n: float) -> str:
    """«1,234», «1,234.5»: separadores de México."""
    return format_decimal(n, locale=LOCALE)


# ---------------------------------------------------------------- teléfonos

def _telefono_mexicano(texto: str) -> phonenumbers.PhoneNumber | None:
    """El número de México que hay en `texto` (con su extensión), si es válido."""
    try:
        numero_tel = phonenumbers.parse(texto, REGION)
    except phonenumbers.NumberParseException:
        return None
    nacional = str(numero_tel.national_number)
    if numero_tel.country_code == 52 and len(nacional) == 11 and nacional.startswith("1"):
        # «+52 1 81…» y «521…»: el 1 de los celulares dejó de marcarse en 2019 (WhatsApp aún
        # lo usa en sus identificadores); el número es el mismo sin él.
        numero_tel.national_number = int(nacional[1:])
    if not phonenumbers.is_valid_number(numero_tel):
        return None
    return numero_tel if phonenumbers.region_code_for_number(numero_tel) == REGION else None


def leer_telefono(texto: str) -> str | None:
    """Teléfono de México para guardar: E.164 y, si la trae, la extensión al estilo RFC 3966
    («+528696968011;ext=12»). None si no es un teléfono válido de México."""
    numero_tel = _telefono_mexicano(texto)
    if numero_tel is None:
        return None
    e164 = phonenumbers.format_number(numero_tel, phonenumbers.PhoneNumberFormat.E164)
    return f"{e164};ext={numero_tel.extension}" if numero_tel.extension else e164


def telefono(valor: str) -> str:
    """Teléfono para leer: «998 881 2800», «869 696 8011 ext. 12». Acepta lo guardado hoy
    («+52…») y antes («8112345678»); lo que no sea un teléfono de México queda tal cual."""
    numero_tel = _telefono_mexicano(valor) if valor else None
    if numero_tel is None:
        return valor
    return phonenumbers.format_number(numero_tel, phonenumbers.PhoneNumberFormat.NATIONAL)
