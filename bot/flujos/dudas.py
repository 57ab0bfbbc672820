"""Dudas sobre la pregunta abierta misma: «¿cuál me conviene?», «¿qué pongo?», «no sé cuál»,
«¿a qué se refiere?». No son una pregunta para la base de conocimiento ni una respuesta: se
contestan con la ayuda del paso (su `ayuda` en el YAML, o qué se espera según su tipo).
"""

from __future__ import annotations

import re

from bot.texto import normalizar

MAXIMO_PALABRAS = 8
_DUDA = re.compile(
    r"^(y |pero |oiga |disculpe |perdon )?("
    r"(cual|que|cuales) (me conviene|conviene|elijo|escojo|pongo|le pongo|marco|aplica"
    r"|me toca|me corresponde|es el mio|es la mia|seria|sera|debo (elegir|escoger|poner))"
    r"|(no se|no estoy segur[oa] de) (cual|que|cuales|si)"
    r"|no se$|ni idea|no entiendo( la pregunta)?$|no le entiendo$|que significa( eso)?"
    r"|que quiere decir( eso)?|a que se refiere|que es eso|que diferencia hay"
    r"|cual es la diferencia|que (son|es) (esas|estas|las) opciones"
    r")\b")


def es_duda_del_paso(texto: str) -> bool:
    """¿Pregunta por la pregunta misma (qué elegir, qué significa), en pocas palabras?"""
    normal = normalizar(texto)
    return bool(normal) and len(normal.split()) <= MAXIMO_PALABRAS and bool(_DUDA.match(normal))
