"""Recuperación que aprende de las preguntas de ejemplo: unidades de respuesta y artículos.

Tres señales por candidato (una unidad o un artículo):

1. **Ejemplo más parecido** (vecino más cercano): BM25 sobre las preguntas de ejemplo, con
   trigramas a pentagramas de caracteres de cada palabra (aguantan faltas, acentos y formas
   distintas de la misma raíz) y raíces de palabra. Es lo que «aprende» de los ejemplos: más
   preguntas variadas en una unidad → más formas de llegar a ella.
2. **Perfil de la unidad**: BM25 de palabras sobre todas sus preguntas y su respuesta.
3. **Cobertura**: qué parte del peso (IDF) de la consulta aparece en el candidato; es la
   medida absoluta que separa «sé de esto» de «no tengo nada».

Los artículos compiten con un pequeño descuento: una unidad contesta directo; el artículo
queda para lo que ninguna unidad cubre.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import bm25s
import numpy as np

from bot.conocimiento.analisis import es_vacia, lema, palabras
from bot.nlu.lookups import tabla_ciudades, tabla_estados, tabla_municipios, tabla_paises
from bot.texto import normalizar

TipoObjetivo = Literal["unidad", "articulo"]

PESO_EJEMPLO = 0.6
DESCUENTO_ARTICULO = 0.85
EXPONENTE_COBERTURA = 0.7
NGRAMAS = (3, 4, 5)
# Peso en la cobertura de una palabra que la base no conoce (la de una palabra rara).
PESO_DESCONOCIDO = 3.0
MAXIMO_PALABRAS_LUGAR = 4


@lru_cache(maxsize=1)
def nombres_de_lugares() -> frozenset[str]:
    """Estados, municipios, países y ciudades extranjeras (formas normalizadas): en la
    cobertura no cuentan, para que «somos de San Pedro Garza García» no hunda la pregunta;
    en el puntaje sí (una unidad que habla de Mazatlán gana si preguntan por Mazatlán)."""
    formas: set[str] = set()
    for tabla in (tabla_estados(), tabla_municipios(), tabla_paises(), tabla_ciudades()):
        formas.update(normalizar(f) for f in tabla.formas)
    return frozenset(f for f in formas if f)


def sin_lugares(texto: str) -> str:
    """El texto sin los nombres de lugares que menciona (los más largos primero)."""
    lugares = nombres_de_lugares()
    palabras_texto = normalizar(texto).split()
    resultado: list[str] = []
    i = 0
    while i < len(palabras_texto):
        for largo in range(min(MAXIMO_PALABRAS_LUGAR, len(palabras_texto) - i), 0, -1):
            if " ".join(palabras_texto[i:i + largo]) in lugares:
                i += largo
                break
        else:
            resultado.append(palabras_texto[i])
            i += 1
    return " ".join(resultado)


@dataclass(frozen=True)
class Objetivo:
    """Algo que se puede contestar: una unidad o un artículo, con sus textos para el índice."""

    tipo: TipoObjetivo
    id: str
    tema: str
    preguntas: tuple[str, ...]
    texto: str
    intents: tuple[str, ...] = ()


@dataclass(frozen=True)
class Candidato:
    """Un objetivo y su puntaje combinado para una consulta."""

    objetivo: Objetivo
    puntaje: float
    cobertura: float


def _palabras_con_contenido(texto: str) -> list[str]:
    return [p for p in palabras(texto) if not es_vacia(p)]


def fichas_caracteres(texto: str) -> list[str]:
    """Raíces de palabra más n-gramas de caracteres de cada palabra (con bordes)."""
    fichas: list[str] = []
    for palabra in _palabras_con_contenido(texto):
        raiz = lema(palabra)
        fichas.append("w:" + raiz)
        marcada = f"#{palabra}#"
        for n in NGRAMAS:
            fichas += [marcada[i:i + n] for i in range(len(marcada) - n + 1)]
    return fichas


def fichas_palabras(texto: str) -> list[str]:
    """Raíces de las palabras con contenido."""
    return [lema(p) for p in _palabras_con_contenido(texto)]


def _indice(documentos: list[list[str]]) -> bm25s.BM25:
    indice = bm25s.BM25()
    indice.index([d or ["∅"] for d in documentos], show_progress=False)
    return indice


def _escalar(valores: np.ndarray) -> np.ndarray:
    maximo = float(valores.max()) if len(valores) else 0.0
    return valores / maximo if maximo > 0 else np.zeros_like(valores)


class Buscador:
    """Índices sobre los objetivos; puntúa una consulta contra todos."""

    def __init__(self, objetivos: list[Objetivo]) -> None:
        if not objetivos:
            raise ValueError("no hay nada que buscar")
        self.objetivos = objetivos
        self._n = len(objetivos)
        ejemplos: list[list[str]] = []
        dueno: list[int] = []
        for i, objetivo in enumerate(objetivos):
            for pregunta in objetivo.preguntas:
                ejemplos.append(fichas_caracteres(pregunta))
                dueno.append(i)
        self._ejemplos = _indice(ejemplos)
        self._dueno = np.array(dueno)
        perfiles = [
            fichas_palabras(" ".join(o.preguntas)) * 2 + fichas_palabras(o.texto)
            for o in objetivos
        ]
        self._perfiles = _indice(perfiles)
        self._conjuntos = [set(p) for p in perfiles]
        frecuencia = Counter(t for c in self._conjuntos for t in c)
        self._idf = {t: math.log(1 + (self._n - f + 0.5) / (f + 0.5))
                     for t, f in frecuencia.items()}
        self._vocabulario = set(frecuencia)

    def conoce(self, texto: str) -> float:
        """Qué parte del peso de la consulta está en el vocabulario de la base (0–1)."""
        terminos = fichas_palabras(sin_lugares(texto))
        if not terminos:
            return 0.0
        pesos = self._pesos(terminos)
        total = sum(w for _, w in pesos)
        return sum(w for t, w in pesos if t in self._vocabulario) / total

    def _pesos(self, terminos: list[str]) -> list[tuple[str, float]]:
        return [(t, self._idf.get(t, PESO_DESCONOCIDO)) for t in terminos]

    def puntajes(self, texto: str) -> tuple[np.ndarray, np.ndarray]:
        """Puntaje combinado y cobertura de cada objetivo para la consulta (sin ordenar)."""
        cero = np.zeros(self._n)
        terminos = fichas_palabras(texto)
        caracteres = fichas_caracteres(texto)
        if not terminos or not caracteres:
            return cero, cero
        terminos_cobertura = fichas_palabras(sin_lugares(texto)) or terminos
        por_ejemplo = self._ejemplos.get_scores(caracteres)
        mejor_ejemplo = np.zeros(self._n)
        np.maximum.at(mejor_ejemplo, self._dueno, por_ejemplo)
        # Las palabras que no son nombres de lugar cuentan doble en el perfil.
        perfil = self._perfiles.get_scores(terminos + terminos_cobertura)
        pesos = self._pesos(terminos_cobertura)
        total = sum(w for _, w in pesos)
        cobertura = np.array([sum(w for t, w in pesos if t in c) / total
                              for c in self._conjuntos])
        combinado = (PESO_EJEMPLO * _escalar(mejor_ejemplo)
                     + (1 - PESO_EJEMPLO) * _escalar(perfil)) * cobertura ** EXPONENTE_COBERTURA
        descuento = np.array([DESCUENTO_ARTICULO if o.tipo == "articulo" else 1.0
                              for o in self.objetivos])
        return combinado * descuento, cobertura

    def ordenar(self, puntajes: np.ndarray, cobertura: np.ndarray, limite: int = 6
                ) -> list[Candidato]:
        """Los mejores candidatos, del mayor al menor puntaje."""
        orden = np.argsort(-puntajes, kind="stable")[:limite]
        return [Candidato(self.objetivos[i], float(puntajes[i]), float(cobertura[i]))
                for i in orden if puntajes[i] > 0]
