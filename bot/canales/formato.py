"""Renderizado de respuestas neutrales por canal, con plantillas Jinja2.

El texto neutral usa un Markdown mínimo (*negritas*) y puede contener texto que escribió el
usuario. Telegram recibe HTML con todo escapado salvo las negritas; WhatsApp recibe su propio
formato (las *negritas* ya son suyas). Los textos largos se parten en trozos que caben en un
mensaje (4,096 caracteres en ambos), prefiriendo cortar entre párrafos, luego entre líneas y
luego entre palabras.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from jinja2 import DictLoader, Environment, StrictUndefined
from markupsafe import Markup, escape

from bot.nucleo.mensajes import Boton

LIMITE_TELEGRAM = 4096
LIMITE_LEYENDA_TELEGRAM = 1024
LIMITE_WHATSAPP = 4096
LIMITE_CUERPO_INTERACTIVO = 1024

_NEGRITAS = re.compile(r"\*(?=\S)([^*\n]+?)(?<=\S)\*")

_PLANTILLAS = {
    "telegram.html": (
        "{{ cuerpo }}{% if enlace %}\n\n<a href=\"{{ enlace }}\">Ver fuente</a>{% endif %}"
    ),
    "whatsapp.txt": "{{ cuerpo }}{% if enlace %}\n\nFuente: {{ enlace }}{% endif %}",
    "opciones.txt": (
        "{% if cuerpo %}{{ cuerpo }}\n\n{% endif %}"
        "{% for b in botones %}{{ loop.index }}. {{ b.titulo }}\n{% endfor %}"
        "\nResponda con el número de la opción que elija."
    ),
}


@lru_cache
def _entorno(html: bool) -> Environment:
    return Environment(
        loader=DictLoader(_PLANTILLAS), autoescape=html, undefined=StrictUndefined,
        keep_trailing_newline=False,
    )


def html_telegram(texto: str, enlace: str | None = None) -> str:
    """Un trozo de texto neutral como HTML de Telegram: escapado, con <b> para *negritas*."""
    cuerpo = Markup(_NEGRITAS.sub(r"<b>\1</b>", str(escape(texto))))
    return _entorno(True).get_template("telegram.html").render(cuerpo=cuerpo, enlace=enlace)


def texto_plano(texto: str) -> str:
    """El texto sin marcas de formato (para cuando el canal rechaza el formato)."""
    return _NEGRITAS.sub(r"\1", texto)


def texto_whatsapp(texto: str, enlace: str | None = None) -> str:
    """Un trozo de texto neutral con el formato de WhatsApp (y la fuente al final)."""
    return _entorno(False).get_template("whatsapp.txt").render(cuerpo=texto, enlace=enlace)


def opciones_numeradas(texto: str, botones: Sequence[Boton]) -> str:
    """Texto con las opciones numeradas, para cuando no caben como botones o lista."""
    return _entorno(False).get_template("opciones.txt").render(cuerpo=texto, botones=botones)


def partir(texto: str, limite: int) -> list[str]:
    """Parte `texto` en trozos de a lo más `limite` caracteres, sin perder contenido."""
    if limite <= 0:
        raise ValueError("el límite debe ser positivo")
    trozos: list[str] = []
    resto = texto.strip()
    while len(resto) > limite:
        corte = _mejor_corte(resto, limite)
        trozos.append(resto[:corte].rstrip())
        resto = resto[corte:].lstrip()
    if resto or not trozos:
        trozos.append(resto)
    return trozos


def _mejor_corte(texto: str, limite: int) -> int:
    """Posición donde cortar: después de un párrafo, una línea o una palabra; si no, en seco."""
    ventana = texto[:limite + 1]
    for separador in ("\n\n", "\n", " "):
        posicion = ventana.rfind(separador)
        if posicion > limite // 3:
            return posicion + len(separador) if separador != " " else posicion
    return limite


@dataclass(frozen=True)
class PiezaTelegram:
    """Un mensaje de Telegram: su HTML y su versión simple por si el HTML es rechazado."""

    html: str
    plano: str


def piezas_telegram(texto: str, enlace: str | None = None,
                    limite: int = LIMITE_TELEGRAM) -> list[PiezaTelegram]:
    """El texto neutral en mensajes HTML de Telegram; el enlace va en el último."""
    reserva = 20 if enlace else 0
    trozos = partir(texto, limite - reserva)
    piezas = []
    for i, trozo in enumerate(trozos):
        propio = enlace if i == len(trozos) - 1 else None
        plano = texto_plano(trozo) + (f"\n\n{propio}" if propio else "")
        piezas.append(PiezaTelegram(html_telegram(trozo, propio), plano))
    return piezas


def piezas_whatsapp(texto: str, enlace: str | None = None,
                    limite: int = LIMITE_WHATSAPP) -> list[str]:
    """El texto neutral en mensajes de WhatsApp; el enlace va en el último."""
    reserva = len(enlace) + 12 if enlace else 0
    trozos = partir(texto, max(limite - reserva, limite // 2))
    return [texto_whatsapp(t, enlace if i == len(trozos) - 1 else None)
            for i, t in enumerate(trozos)]
