"""Partir un mensaje con varias preguntas en sus preguntas: la única división, que usan la
base de conocimiento (contestar cada tramo) y el escalamiento (una respuesta por pregunta
antes de pensar en un traspaso)."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.texto import normalizar, sin_acentos

MINIMO_PALABRAS = 3
_OTRA_PREGUNTA = re.compile(
    r"\b(?:y\s+)?(?:otra pregunta|otra duda|tambien quisiera saber|tambien quiero saber"
    r"|ademas quisiera saber|ademas quiero saber)\b\s*[:,]?\s*")
_INTERROGATIVAS = re.compile(
    r"^(?:(?:y|e|pero|oiga|oye|disculpe|perdon|entonces|una pregunta|otra cosa)\s+)*"
    r"(que|q|como|cual|cuales|cuanto|cuantos|cuanta|cuantas|donde|cuando|quien|quienes"
    r"|por que|para que|puedo|podemos|se puede|es necesario|hay que|hay|necesito|necesitamos"
    r"|debo|debemos|tengo que|tenemos que|existe|es obligatorio|sirve|aplica)\b")
_PALABRAS_DE_PREGUNTA = frozenset({
    "que", "q", "k", "como", "cual", "cuales", "cuanto", "cuantos", "cuanta", "cuantas", "donde",
    "cuando", "quien", "quienes", "requisitos", "requisito", "informes", "informacion", "info",
    "duda", "dudas", "piden", "necesito", "necesitamos", "saber", "explica", "expliqueme"})
# Fin de oración: «?», «!» o un punto seguido de espacio (no el de «art.7» ni el de un correo).
_FIN_DE_ORACION = re.compile(r"(?<=[?!])|(?<=\.)(?=\s)")


def _palabras(texto: str) -> int:
    return len(normalizar(texto).split())


def es_pregunta(tramo: str) -> bool:
    """¿El tramo pregunta algo? Lleva «?» o «¿», o empieza como pregunta («qué…», «hay…»,
    también tras «y», «pero», «oiga»: «y cómo se forma»). Una sola palabra interrogativa
    («como», «que») no basta: puede ser el comienzo de un dato."""
    if "?" in tramo or "¿" in tramo:
        return True
    normal = normalizar(tramo)
    return " " in normal and bool(_INTERROGATIVAS.search(normal))


def pregunta_algo(texto: str) -> bool:
    """¿El mensaje pregunta o pide información en alguna parte? Más amplio que `es_pregunta`:
    basta una palabra de pregunta en cualquier lugar («…y queremos hermanarnos con Guanajuato,
    que necesito»). «Soy del comité de Mérida» solo se presenta."""
    if "?" in texto or "¿" in texto:
        return True
    return not _PALABRAS_DE_PREGUNTA.isdisjoint(normalizar(texto).split())


def partir_preguntas(texto: str, *, oraciones_si_no_hay: bool = False,
                     contar: Callable[[str], int] = _palabras) -> list[str]:
    """Las preguntas de un mensaje, en orden. Se parte en los signos de interrogación, los
    fines de oración, los saltos de línea y «otra pregunta»; quedan los tramos que son
    preguntas (`es_pregunta`) con al menos `MINIMO_PALABRAS` palabras (las cuenta `contar`:
    la base de conocimiento cuenta solo las que significan algo). Lo que no es pregunta (un
    saludo, una presentación) se omite; con `oraciones_si_no_hay`, si no hay ninguna
    pregunta se devuelven las oraciones con contenido (un mensaje largo sin signos)."""
    marcado = re.sub(r"\?+", "?\n", texto)
    marcado = re.sub(r"¿", "\n¿", marcado)
    tramos: list[str] = []
    for linea in marcado.splitlines():
        for oracion in _FIN_DE_ORACION.split(linea):
            for trozo in _partir_otra(oracion):
                trozo = trozo.strip(" \t-•*·,;:.")
                if trozo and contar(trozo) >= MINIMO_PALABRAS:
                    tramos.append(trozo)
    preguntas = [t for t in tramos if es_pregunta(t)]
    return preguntas if preguntas or not oraciones_si_no_hay else tramos


def _partir_otra(linea: str) -> list[str]:
    """«… y otra pregunta: …» separa dos preguntas en la misma línea (se busca sin acentos,
    que no cambia la longitud, y se corta el original en el mismo lugar)."""
    trozos, inicio = [], 0
    for m in _OTRA_PREGUNTA.finditer(sin_acentos(linea.lower())):
        trozos.append(linea[inicio:m.start()])
        inicio = m.end()
    trozos.append(linea[inicio:])
    return trozos
