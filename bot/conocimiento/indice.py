"""Índice léxico BM25 (bm25s) sobre artículos y sus preguntas, con corrección de faltas."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import bm25s
import numpy as np
from rapidfuzz import fuzz, process

from bot.conocimiento.analisis import ABREVIATURAS, SINONIMOS, es_vacia, lema, palabras
from bot.conocimiento.modelo import Articulo

# Peso de cada campo del artículo (veces que se repite en el documento del índice).
PESO_TITULO = 3
PESO_RESUMEN = 2
PESO_PREGUNTAS = 2
# Mezcla del puntaje por artículo completo y por la pregunta de ejemplo más parecida.
PESO_ARTICULO = 0.5
SIMILITUD_MINIMA_CORRECCION = 86.0
# Frases de recomendación («confírmelo con la oficina estatal…»): se repiten en muchos
# artículos y no dicen de qué trata cada uno, así que no entran al índice.
_RECOMENDACION = re.compile(r"[^.\n]*conf[ií]rm[^.\n]*oficina estatal[^.\n]*\.?", re.I)


@dataclass(frozen=True)
class Puntajes:
    """Puntaje léxico normalizado (0–1, el mejor = 1) por artículo y cobertura de la consulta."""

    por_articulo: np.ndarray
    cobertura: np.ndarray
    terminos: tuple[str, ...]


def _texto_documento(articulo: Articulo) -> str:
    meta = articulo.meta
    partes = [meta.titulo] * PESO_TITULO + [meta.resumen] * PESO_RESUMEN
    partes += meta.preguntas * PESO_PREGUNTAS + [articulo.corta, articulo.detalle]
    return _RECOMENDACION.sub(" ", "\n".join(partes))


def _bm25(documentos: list[list[str]]) -> bm25s.BM25:
    indice = bm25s.BM25()
    indice.index(documentos, show_progress=False)
    return indice


class IndiceLexico:
    """BM25 sobre el texto completo de cada artículo y sobre cada pregunta de ejemplo."""

    def __init__(self, articulos: list[Articulo]) -> None:
        self._n = len(articulos)
        self._vocabulario: set[str] = set()
        docs: list[list[str]] = []
        for articulo in articulos:
            pal = [p for p in palabras(_texto_documento(articulo)) if not es_vacia(p)]
            self._vocabulario.update(pal)
            docs.append([lema(p) for p in pal])
        self._conjuntos = [set(d) for d in docs]
        frecuencia = Counter(t for d in self._conjuntos for t in d)
        self._idf = {t: self._idf_de(f) for t, f in frecuencia.items()}
        self._idf_desconocido = self._idf_de(0)
        self._articulos = _bm25(docs)
        preguntas: list[list[str]] = []
        self._dueno: list[int] = []
        for i, articulo in enumerate(articulos):
            for texto in [articulo.titulo, *articulo.meta.preguntas]:
                preguntas.append([lema(p) for p in palabras(texto) if not es_vacia(p)])
                self._dueno.append(i)
        self._preguntas = _bm25(preguntas)
        self._dueno_arr = np.array(self._dueno)
        self._por_inicial: dict[str, list[str]] = {}
        conocidas = self._vocabulario | set(SINONIMOS) | set(ABREVIATURAS.values())
        for palabra in sorted(conocidas):
            self._por_inicial.setdefault(palabra[0], []).append(palabra)
        self._corregir = lru_cache(maxsize=4096)(self._corregir_sin_cache)

    def _idf_de(self, frecuencia: int) -> float:
        return math.log(1 + (self._n - frecuencia + 0.5) / (frecuencia + 0.5))

    def _corregir_sin_cache(self, palabra: str) -> str:
        if palabra in self._vocabulario or len(palabra) < 5 or palabra.isdigit():
            return palabra
        # Una falta rara vez cambia la primera letra; la excepción común es la «h» muda.
        candidatas = self._por_inicial.get(palabra[0], [])
        if palabra[0] != "h":
            candidatas = candidatas + self._por_inicial.get("h", [])
        parecidas = process.extract(
            palabra, candidatas, scorer=fuzz.ratio, score_cutoff=SIMILITUD_MINIMA_CORRECCION,
            limit=3,
        )
        for candidata, _, _ in parecidas:
            if abs(len(candidata) - len(palabra)) <= 1:  # una falta, no otra palabra
                return SINONIMOS.get(candidata, candidata)
        return palabra

    def terminos(self, texto: str) -> list[str]:
        """Términos de la consulta: sin palabras vacías, con faltas corregidas y lematizados."""
        corregidas = (self._corregir(p) for p in palabras(texto) if not es_vacia(p))
        return [lema(p) for p in corregidas if not es_vacia(p)]

    def puntuar(self, texto: str) -> Puntajes:
        """Puntajes léxicos de todos los artículos para una consulta libre."""
        terminos = self.terminos(texto)
        vacio = np.zeros(self._n)
        if not terminos:
            return Puntajes(vacio, vacio, ())
        completo = self._articulos.get_scores(terminos)
        por_pregunta = self._preguntas.get_scores(terminos)
        mejor_pregunta = np.zeros(self._n)
        np.maximum.at(mejor_pregunta, self._dueno_arr, por_pregunta)
        combinado = PESO_ARTICULO * _escalar(completo) + (1 - PESO_ARTICULO) * _escalar(
            mejor_pregunta
        )
        pesos = [self._idf.get(t, self._idf_desconocido) for t in terminos]
        total = sum(pesos)
        pares = list(zip(terminos, pesos, strict=True))
        cobertura = np.array([sum(w for t, w in pares if t in c) / total for c in self._conjuntos])
        return Puntajes(_escalar(combinado), cobertura, tuple(terminos))


def _escalar(valores: np.ndarray) -> np.ndarray:
    maximo = float(valores.max()) if len(valores) else 0.0
    return valores / maximo if maximo > 0 else np.zeros_like(valores)
