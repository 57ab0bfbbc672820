"""Cómo viene dicho un mensaje, más allá de lo que pide: en inglés, o con frustración («no me
entiende», «ya le dije», «qué lento»).

**Idioma.** No hay en el entorno una biblioteca de detección de idioma, y las que existen
fallan con mensajes de chat cortos. El servicio solo distingue español de inglés, así que
basta un criterio sencillo sobre palabras funcionales (artículos, pronombres, auxiliares,
preposiciones), que casi nunca son nombres propios: un mensaje es inglés si tiene al menos
`MINIMO_PALABRAS` palabras, al menos `MINIMO_FUNCIONALES` funcionales que solo son inglesas
(«no», «me», «a» valen en los dos idiomas y no cuentan) y más del doble de inglesas que de
españolas. Así «San Antonio», «The Woodlands, Texas» o «John Smith» no cuentan
como inglés y «sorry, my spanish is not good» sí.
"""

from __future__ import annotations

import re
from enum import StrEnum

from bot.texto import normalizar

MINIMO_PALABRAS = 3
MINIMO_FUNCIONALES = 2
_INGLES = frozenset("""
    the a an is are am was were be been do does did don't dont doesn't can can't cannot could
    would should will i i'm im you your my me we our they their it it's its this that these
    what how where when why who which please sorry hello hi hey thanks thank english speak
    not no yes of to in on for with and or but from about have has had any some there here
    want need help understand know
""".split())  # noqa: SIM905
_ESPANOL = frozenset("""
    el la los las un una unos unas es son soy está esta estoy está están fue ser de del al a
    en con por para que qué como cómo donde dónde cuando cuándo quien quién y o pero no si sí
    mi mis su sus tu yo usted nosotros le lo les me nos se hay tengo tiene quiero necesito
    hola gracias favor buenas buenos días dias tardes noches ya también muy
""".split())  # noqa: SIM905
_SOLO_INGLES = _INGLES - _ESPANOL  # «no», «me», «a» valen en los dos: no cuentan
_SOLO_ESPANOL = _ESPANOL - _INGLES
_PALABRA = re.compile(r"[a-záéíóúüñ']+")


def es_ingles(texto: str) -> bool:
    """¿El mensaje está escrito en inglés? (criterio del docstring del módulo)."""
    palabras = _PALABRA.findall(texto.casefold())
    if len(palabras) < MINIMO_PALABRAS:
        return False
    ingles = sum(p in _SOLO_INGLES for p in palabras)
    espanol = sum(p in _SOLO_ESPANOL for p in palabras)
    return ingles >= MINIMO_FUNCIONALES and ingles > espanol * 2


class Frustracion(StrEnum):
    """Qué molesta a la persona."""

    NO_ENTIENDE = "no_entiende"
    """«no me entiende», «no sirve»: el asistente no la está ayudando."""
    REPETIDO = "repetido"
    """«ya le dije»: se le preguntó algo que siente que ya dijo."""
    LENTO = "lento"
    """«qué lento»: la espera o el trámite se le hacen largos."""


_FRUSTRACION: tuple[tuple[Frustracion, re.Pattern[str]], ...] = (
    (Frustracion.REPETIDO, re.compile(
        r"\b(ya (se )?(le|te|lo|les) (dije|habia dicho|escribi|conteste|respondi|puse)"
        r"|ya (lo )?dije|se lo acabo de decir|te lo acabo de decir|otra vez lo mismo"
        r"|ya conteste( eso)?|me (lo )?vuelve a preguntar|por que me lo vuelve a preguntar"
        r"|ya lo habia dicho)\b")),
    (Frustracion.NO_ENTIENDE, re.compile(
        r"\b(no (me )?(entiende|entiendes|entendio|entendiste|comprende|comprendes)"
        r"|no sirve( para nada)?|no funciona|no me ayuda|no me esta ayudando|que mal servicio"
        r"|pesimo|que desesperante|me desespera|estoy (harto|harta)|que fastidio"
        r"|no es lo que (pregunte|pedi)|eso no (fue lo que )?(pregunte|pedi))\b")),
    (Frustracion.LENTO, re.compile(
        r"\b(que lento|muy lento|super lento|bien lento|que lenta|tan lento|es lentisimo"
        r"|tarda(s)? (mucho|demasiado)|se tarda (mucho|demasiado)"
        r"|cuanto tarda(s)? en contestar)\b")),
)
_RELLENO = frozenset("""
    ay ash uf uff oiga oye pues bueno ya que eh ah hey neta la verdad asistente bot joven
    señor senor señorita senorita amigo por favor favor de verdad en serio eso este esto esta
    cosa chat aqui
""".split())  # noqa: SIM905


def frustracion(texto: str) -> Frustracion | None:
    """Si el mensaje es solo frustración (sin otro dato: «ya le dije, cartagena de indias» es
    una respuesta, no una queja), cuál; si no, None."""
    forma = normalizar(texto)
    for clase, patron in _FRUSTRACION:
        if not patron.search(forma):
            continue
        resto = [p for p in patron.sub(" ", forma).split() if p not in _RELLENO]
        return clase if not resto else None
    return None
