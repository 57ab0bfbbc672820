"""Pedir un flujo con palabras: «quiero anotar a los integrantes del comité», «cambiar mi
papel». Cada flujo declara sus `pedidos` (frases y lo que ya dicen, en su YAML); aquí se
decide si un mensaje es uno de ellos. Una frase vale si el mensaje trae todas sus palabras
con contenido (la raíz basta: «anoto», «anotemos» ~ «anotar»); una pregunta larga no es un
pedido (la contesta la base de conocimiento).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.flujos.definicion import Flujo
from bot.nucleo.preguntas import es_pregunta
from bot.texto import normalizar

MAXIMO_PALABRAS_PEDIDO = 14
MAXIMO_PALABRAS_PREGUNTA = 8
"""«¿cómo anoto a los integrantes?» es pedirlo; «¿los integrantes del comité deben
registrarse ante la SRE o basta con el acta de Cabildo?» es una pregunta."""
_VACIAS = frozenset({"a", "al", "el", "la", "los", "las", "de", "del", "mi", "mis", "su",
                     "sus", "un", "una", "en", "y", "o", "por", "para", "que", "con"})
MINIMO_RAIZ = 4
MINIMO_LETRAS = 3
"""Palabras más cortas («me», «le») no cuentan: no distinguen un pedido de otro."""


def _raiz(palabra: str) -> str:
    """La palabra sin sus últimas dos letras (nunca menos de `MINIMO_RAIZ`): «anotar» →
    «anot», «integrantes» → «integrant»."""
    return palabra[:max(MINIMO_RAIZ, len(palabra) - 2)]


@dataclass(frozen=True)
class PedidoReconocido:
    """El flujo pedido y las respuestas que el pedido ya trae."""

    flujo: str
    dice: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Frase:
    flujo: str
    raices: tuple[str, ...]
    dice: dict[str, str]


class Pedidos:
    """Las frases de todos los flujos, preparadas una vez."""

    def __init__(self, flujos: dict[str, Flujo]) -> None:
        self._frases = [
            _Frase(flujo.id, tuple(_raiz(p) for p in normalizar(frase).split()
                                   if p not in _VACIAS and len(p) >= MINIMO_LETRAS), pedido.dice)
            for flujo in flujos.values() for pedido in flujo.pedidos for frase in pedido.frases]
        self._frases.sort(key=lambda f: -len(f.raices))  # la frase más completa gana

    def reconocer(self, texto: str) -> PedidoReconocido | None:
        """El pedido que el mensaje hace, o None."""
        if not self._frases or not texto:
            return None
        palabras = normalizar(texto).split()
        if not palabras or len(palabras) > MAXIMO_PALABRAS_PEDIDO:
            return None
        if es_pregunta(texto) and len(palabras) > MAXIMO_PALABRAS_PREGUNTA:
            return None
        for frase in self._frases:
            if frase.raices and all(any(p.startswith(r) for p in palabras)
                                    for r in frase.raices):
                return PedidoReconocido(frase.flujo, dict(frase.dice))
        return None


def dichos_del_pedido(flujo: Flujo, dice: dict[str, str]) -> dict[str, Any]:
    """Las respuestas del pedido como «dichos» confirmados: su paso las toma sin preguntar
    (con el título de la opción para el historial)."""
    dichos: dict[str, Any] = {}
    for campo, valor in dice.items():
        paso = next((p for p in flujo.pasos if p.campo == campo), None)
        titulo = next((o.titulo for o in paso.opciones if o.valor == valor), valor) \
            if paso is not None else valor
        dichos[campo] = {"valor": valor, "texto": titulo, "confirmado": True}
    return dichos
