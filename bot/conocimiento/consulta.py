"""Decide qué contestar a una pregunta libre con las unidades de respuesta y los artículos.

- Contesta la mejor unidad cuando es claramente la mejor y ofrece una o dos alternativas
  debajo («¿Buscaba otra cosa?»); un menú solo cuando hay un empate de verdad.
- Una pregunta corta que sigue a otra («y el POA q es») se lee con el tema del turno anterior.
- Un mensaje con dos preguntas distintas recibe las dos respuestas.
- Nunca la misma unidad dos veces seguidas.
- Si nada se parece lo bastante: «No tengo información verificada…», qué hay cerca y a quién
  preguntar; nunca una cifra inventada ni un «Sí» de entrada.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from bot.conocimiento.recuperacion import Buscador, Candidato, Objetivo, fichas_palabras
from bot.nucleo.preguntas import partir_preguntas
from bot.texto import normalizar

DecisionUnidad = Literal["respuesta", "opciones", "nada"]

# Umbrales sobre el puntaje combinado (0–1). Elegidos con la validación cruzada de las
# preguntas de ejemplo y las preguntas reales de desarrollo, no pregunta por pregunta.
UMBRAL_RESPUESTA = 0.30
UMBRAL_ALTERNATIVA = 0.55  # una alternativa debe llegar a esta fracción del primero
RAZON_EMPATE = 0.97
DIFERENCIA_EJEMPLO = 0.08  # el segundo, de otro tema, a este porcentaje del primero: menú
COBERTURA_MINIMA = 0.34
# Parecido absoluto (coseno de n-gramas) con el mejor ejemplo de la respuesta: por debajo
# de SIMILITUD_MINIMA no se contesta; por debajo de SIMILITUD_DUDOSA solo si la consulta
# está casi toda cubierta (un mensaje largo y con saludo se parece poco a un ejemplo corto).
SIMILITUD_MINIMA = 0.2
SIMILITUD_DUDOSA = 0.4
COBERTURA_SIN_DUDA = 0.9
BONO_INTENT = 0.08
PESO_TURNO_ANTERIOR = 0.35
MAXIMO_TERMINOS_SEGUIMIENTO = 4
MAXIMO_ALTERNATIVAS = 2
MINIMO_TERMINOS_MENSAJE_LARGO = 12
MINIMO_TERMINOS_CLAUSULAS = 8
"""Una pregunta de al menos tantos términos se prueba también por cláusulas."""
MINIMO_TERMINOS_CLAUSULA = 3
_INICIO_SEGUIMIENTO = re.compile(r"^(y|e|o|entonces|pero|tambien|ademas|y si|y que|y el|y la)\b")


def _terminos(texto: str) -> int:
    return len(fichas_palabras(texto))


def segmentos(texto: str) -> list[str]:
    """Los tramos de un mensaje con contenido: sus preguntas o, si no hay ninguna, sus
    oraciones (la división es la única del proyecto, `partir_preguntas`, contando solo los
    términos que significan algo)."""
    return partir_preguntas(texto, oraciones_si_no_hay=True, contar=_terminos)


@dataclass(frozen=True)
class Turno:
    """Lo que se guarda del turno anterior: qué se contestó y qué se había preguntado."""

    objetivo: str | None
    consulta: str


@dataclass
class Consulta:
    """Lo que se decidió para un mensaje."""

    decision: DecisionUnidad
    candidatos: list[Candidato] = field(default_factory=list)
    respuestas: list[Objetivo] = field(default_factory=list)
    alternativas: list[Objetivo] = field(default_factory=list)
    repetida: Objetivo | None = None

    @property
    def mejor(self) -> Objetivo | None:
        """La (primera) respuesta elegida, si la hay."""
        return self.respuestas[0] if self.respuestas else None


def es_seguimiento(texto: str) -> bool:
    """¿Parece continuación del turno anterior? Corta, o empieza con «y…», «entonces…»."""
    normal = normalizar(texto)
    return bool(_INICIO_SEGUIMIENTO.match(normal)) or (
        len(fichas_palabras(texto)) <= MAXIMO_TERMINOS_SEGUIMIENTO)


def _clave(objetivo: Objetivo) -> str:
    return f"{objetivo.tipo}:{objetivo.id}"


class Consultor:
    """Aplica las reglas de decisión sobre el buscador."""

    def __init__(self, buscador: Buscador) -> None:
        self.buscador = buscador

    def puntuar(self, texto: str, intent: str | None = None, confianza: float = 0.0,
                anterior: Turno | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Puntajes con el bono del intent del NLU y, si es seguimiento, el turno anterior;
        también la cobertura y el parecido con el mejor ejemplo."""
        puntajes, cobertura, ejemplo = self.buscador.senales(texto)
        if anterior and anterior.consulta and es_seguimiento(texto):
            previos, cob_previa = self.buscador.puntajes(f"{texto} {anterior.consulta}")
            puntajes = np.maximum(puntajes, PESO_TURNO_ANTERIOR * previos + 0.65 * puntajes)
            cobertura = np.maximum(cobertura, cob_previa * PESO_TURNO_ANTERIOR)
        if intent and confianza >= 0.4:
            tiene = np.array([intent in o.intents for o in self.buscador.objetivos])
            puntajes = puntajes + BONO_INTENT * confianza * tiene * (puntajes > 0)
        return puntajes, cobertura, ejemplo

    def consultar(self, texto: str, intent: str | None = None, confianza: float = 0.0,
                  anterior: Turno | None = None) -> Consulta:
        """Decide: respuesta (con alternativas), opciones (empate) o nada."""
        puntajes, cobertura, ejemplo = self.puntuar(texto, intent, confianza, anterior)
        candidatos = self.buscador.ordenar(puntajes, cobertura, ejemplo=ejemplo)
        if not candidatos or not self._suficiente(candidatos[0]):
            return self._por_tramos(texto, candidatos)
        if not self._parecido(texto, candidatos[0]):
            return self._por_tramos(texto, candidatos)
        primero = candidatos[0]
        if anterior and anterior.objetivo == _clave(primero.objetivo):
            siguiente = next((c for c in candidatos[1:] if self._suficiente(c)
                              and c.puntaje >= UMBRAL_ALTERNATIVA * primero.puntaje), None)
            if siguiente is None:
                return Consulta("respuesta", candidatos, repetida=primero.objetivo)
            candidatos = [siguiente, *[c for c in candidatos if c is not siguiente]]
            primero = siguiente
        segundo = candidatos[1] if len(candidatos) > 1 else None
        if (segundo is not None and segundo.objetivo.tema != primero.objetivo.tema
                and segundo.puntaje >= RAZON_EMPATE * primero.puntaje
                and not self._mas_cubierto(primero, segundo)):
            return Consulta("opciones", candidatos)
        respuestas = [primero.objetivo]
        otra = self._otra_pregunta(texto, primero.objetivo)
        if otra is not None:
            respuestas.append(otra)
        elegidos = {_clave(o) for o in respuestas}
        alternativas = [c.objetivo for c in candidatos[1:]
                        if _clave(c.objetivo) not in elegidos
                        and c.puntaje >= UMBRAL_ALTERNATIVA * primero.puntaje
                        and (anterior is None or anterior.objetivo != _clave(c.objetivo))]
        return Consulta("respuesta", candidatos, respuestas, alternativas[:MAXIMO_ALTERNATIVAS])

    def _parecido(self, texto: str, candidato: Candidato) -> bool:
        similitud = self.buscador.similitud(texto, candidato.objetivo)
        if similitud < SIMILITUD_MINIMA:
            return False
        return similitud >= SIMILITUD_DUDOSA or candidato.cobertura >= COBERTURA_SIN_DUDA

    def _por_tramos(self, texto: str, candidatos: list[Candidato]) -> Consulta:
        """Un mensaje que en conjunto no se parece a nada: sus preguntas, una a una."""
        tramos = segmentos(texto)
        # Una sola pregunta con contexto alrededor («q es una ciudad hermana? lo vi en un
        # letrero a la entrada del pueblo»): las palabras del contexto diluyen la cobertura,
        # así que la pregunta se busca sola.
        con_contexto = len(tramos) == 1 and _terminos(tramos[0]) < _terminos(texto)
        if (len(tramos) < 2 and not con_contexto
                and len(fichas_palabras(texto)) < MINIMO_TERMINOS_MENSAJE_LARGO):
            return Consulta("nada", candidatos)
        elegidos: list[Candidato] = []
        for tramo in tramos:
            puntajes, cobertura = self.buscador.puntajes(tramo)
            mejores = self.buscador.ordenar(puntajes, cobertura, limite=1)
            if mejores and self._suficiente(mejores[0]) and self._parecido(
                    tramo, mejores[0]) and all(
                    _clave(mejores[0].objetivo) != _clave(e.objetivo) for e in elegidos):
                elegidos.append(mejores[0])
        if not elegidos:
            elegidos = self._por_clausulas(tramos)
        if not elegidos:
            return Consulta("nada", candidatos)
        elegidos.sort(key=lambda c: -c.puntaje)
        return Consulta("respuesta", elegidos + candidatos,
                        [c.objetivo for c in elegidos[:2]])

    def _por_clausulas(self, tramos: list[str]) -> list[Candidato]:
        """Una pregunta larga con su contexto en la misma oración («q onda, soy del área de
        turismo y nos dijeron q pa hermanarnos con una ciudad de Canadá la SRE tiene q dar
        el visto bueno, es cierto…»): la mejor de sus cláusulas (entre comas) que por sí
        sola sea una respuesta clara."""
        mejor: Candidato | None = None
        for tramo in tramos:
            if _terminos(tramo) < MINIMO_TERMINOS_CLAUSULAS:
                continue
            for clausula in re.split(r"[,;:]|\s+y\s+", tramo):
                if _terminos(clausula) < MINIMO_TERMINOS_CLAUSULA:
                    continue
                puntajes, cobertura = self.buscador.puntajes(clausula)
                primeros = self.buscador.ordenar(puntajes, cobertura, limite=1)
                if (primeros and self._suficiente(primeros[0])
                        and self._parecido(clausula, primeros[0])
                        and (mejor is None or primeros[0].puntaje > mejor.puntaje)):
                    mejor = primeros[0]
        return [mejor] if mejor is not None else []

    @staticmethod
    def _suficiente(candidato: Candidato) -> bool:
        return (candidato.puntaje >= UMBRAL_RESPUESTA
                and candidato.cobertura >= COBERTURA_MINIMA)

    @staticmethod
    def _mas_cubierto(primero: Candidato, segundo: Candidato) -> bool:
        """¿Se distinguen por cobertura o por el parecido con su mejor ejemplo? Entonces no
        es un empate de verdad."""
        return (primero.cobertura > segundo.cobertura + 0.1
                or abs(primero.ejemplo - segundo.ejemplo) > DIFERENCIA_EJEMPLO)

    def _otra_pregunta(self, texto: str, primera: Objetivo) -> Objetivo | None:
        """En un mensaje con varias preguntas, la mejor respuesta de otro tramo (si la hay)."""
        tramos = segmentos(texto)
        if len(tramos) < 2:
            return None
        for segmento in tramos:
            puntajes, cobertura = self.buscador.puntajes(segmento)
            candidatos = self.buscador.ordenar(puntajes, cobertura, limite=2)
            if not candidatos:
                continue
            mejor = candidatos[0]
            if (_clave(mejor.objetivo) != _clave(primera)
                    and mejor.objetivo.tipo == "unidad"
                    and mejor.puntaje >= UMBRAL_RESPUESTA + 0.15
                    and mejor.cobertura >= 0.5
                    and mejor.objetivo.tema != primera.tema):
                return mejor.objetivo
        return None
