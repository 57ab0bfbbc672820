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
from typing import Literal

import bm25s
import numpy as np

from bot.conocimiento.analisis import es_vacia, lema, palabras
from bot.conocimiento.lugares import sin_lugares

TipoObjetivo = Literal["unidad", "articulo"]

PESO_EJEMPLO = 0.7
PESOS_VECINOS = (1.0, 0.7, 0.5)
"""Cuánto suma el ejemplo más parecido de cada objetivo, el segundo y el tercero: el más
parecido manda (una pregunta casi igual a un ejemplo gana) y los demás desempatan."""
DESCUENTO_ARTICULO = 0.85
EXPONENTE_COBERTURA = 0.7
NGRAMAS = (3, 4, 5)
# Peso en la cobertura de una palabra que la base no conoce (la de una palabra rara).
PESO_DESCONOCIDO = 3.0


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
    ejemplo: float = 0.0
    """Parecido (0–1) con su pregunta de ejemplo más cercana."""


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
        perfiles = [fichas_palabras(" ".join(o.preguntas)) + fichas_palabras(o.texto)
                     for o in objetivos]
        self._perfiles = _indice(perfiles)
        self._conjuntos = [set(p) for p in perfiles]
        frecuencia = Counter(t for c in self._conjuntos for t in c)
        self._idf = {t: math.log(1 + (self._n - f + 0.5) / (f + 0.5))
                     for t, f in frecuencia.items()}
        self._vocabulario = set(frecuencia)
        objetivos_con: dict[str, list[int]] = {}
        for i, conjunto in enumerate(self._conjuntos):
            for termino in conjunto:
                objetivos_con.setdefault(termino, []).append(i)
        self._objetivos_con = {t: np.array(ids, dtype=np.intp)
                               for t, ids in objetivos_con.items()}
        # Vectores TF-IDF (n-gramas de caracteres) de cada ejemplo, para una similitud
        # absoluta (coseno, 0–1) entre la consulta y los ejemplos de un candidato.
        conteos = [Counter(e) for e in ejemplos]
        df_ejemplos = Counter(t for c in conteos for t in c)
        total = len(conteos)
        self._idf_ejemplos = {t: math.log(total / (1 + f)) + 1 for t, f in df_ejemplos.items()}
        self._idf_ejemplo_nuevo = math.log(total) + 1
        self._vectores = [self._vector(c) for c in conteos]
        ejemplos_de: dict[int, list[int]] = {}
        for n, i in enumerate(dueno):
            ejemplos_de.setdefault(i, []).append(n)
        self._ejemplos_de = {i: np.array(filas, dtype=np.intp)
                             for i, filas in ejemplos_de.items()}
        # Índice invertido de esos vectores (ficha → ejemplos que la tienen y su peso): la
        # similitud suma solo las fichas que comparten, en el orden de la consulta.
        invertido: dict[str, tuple[list[int], list[float]]] = {}
        for n, vector in enumerate(self._vectores):
            for ficha, peso in vector.items():
                filas, pesos = invertido.setdefault(ficha, ([], []))
                filas.append(n)
                pesos.append(peso)
        self._invertido = {ficha: (np.array(filas, dtype=np.intp), np.array(pesos))
                           for ficha, (filas, pesos) in invertido.items()}
        self._posicion = {id(o): i for i, o in enumerate(objetivos)}

    def _vector(self, conteo: Counter[str]) -> dict[str, float]:
        vector = {t: (1 + math.log(n)) * self._idf_ejemplos.get(t, self._idf_ejemplo_nuevo)
                  for t, n in conteo.items()}
        norma = math.sqrt(sum(x * x for x in vector.values()))
        return {t: x / norma for t, x in vector.items()} if norma else vector

    def similitud(self, texto: str, objetivo: Objetivo) -> float:
        """Coseno (0–1) entre la consulta y el ejemplo más parecido de ese objetivo: una
        medida absoluta de «se parece a algo que sé contestar»."""
        consulta = self._vector(Counter(fichas_caracteres(sin_lugares(texto) or texto)))
        indice = self._posicion.get(id(objetivo))
        if indice is None:
            indice = self.objetivos.index(objetivo)
        propias = self._ejemplos_de.get(indice)
        filas: list[np.ndarray] = []
        productos: list[np.ndarray] = []
        for ficha, peso in consulta.items():
            hallada = self._invertido.get(ficha)
            if hallada is not None:
                filas.append(hallada[0])
                productos.append(hallada[1] * peso)
        if propias is None or not filas:
            return 0.0
        sumas = np.bincount(np.concatenate(filas), weights=np.concatenate(productos),
                            minlength=len(self._vectores))
        return max(0.0, float(sumas[propias].max()))

    def conoce(self, texto: str) -> float:
        """Qué parte de las palabras con contenido de la consulta (sin nombres de lugar)
        conoce la base (0–1)."""
        terminos = fichas_palabras(sin_lugares(texto))
        if not terminos:
            return 0.0
        return sum(t in self._vocabulario for t in terminos) / len(terminos)

    def _pesos(self, terminos: list[str]) -> list[tuple[str, float]]:
        return [(t, self._idf.get(t, PESO_DESCONOCIDO)) for t in terminos]

    def puntajes(self, texto: str) -> tuple[np.ndarray, np.ndarray]:
        """Puntaje combinado y cobertura de cada objetivo para la consulta (sin ordenar)."""
        combinado, cobertura, _ = self.senales(texto)
        return combinado, cobertura

    def senales(self, texto: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Puntaje combinado, cobertura y parecido con el mejor ejemplo de cada objetivo."""
        cero = np.zeros(self._n)
        terminos = fichas_palabras(texto)
        caracteres = fichas_caracteres(texto)
        if not terminos or not caracteres:
            return cero, cero, cero
        terminos_cobertura = fichas_palabras(sin_lugares(texto)) or terminos
        por_ejemplo = self._ejemplos.get_scores(caracteres)
        mejor_ejemplo = self._vecinos(por_ejemplo)
        # Las palabras que no son nombres de lugar cuentan doble en el perfil.
        perfil = self._perfiles.get_scores(terminos + terminos_cobertura)
        pesos = self._pesos(terminos_cobertura)
        total = sum(w for _, w in pesos)
        cubierto = np.zeros(self._n)
        for termino, peso in pesos:  # en el orden de la consulta, como una suma por objetivo
            donde = self._objetivos_con.get(termino)
            if donde is not None:
                cubierto[donde] += peso
        cobertura = cubierto / total
        combinado = (PESO_EJEMPLO * _escalar(mejor_ejemplo)
                     + (1 - PESO_EJEMPLO) * _escalar(perfil)) * cobertura ** EXPONENTE_COBERTURA
        descuento = np.array([DESCUENTO_ARTICULO if o.tipo == "articulo" else 1.0
                              for o in self.objetivos])
        return combinado * descuento, cobertura, _escalar(mejor_ejemplo)

    def _vecinos(self, por_ejemplo: np.ndarray) -> np.ndarray:
        """Por objetivo, la suma ponderada de sus ejemplos más parecidos a la consulta."""
        orden = np.lexsort((-por_ejemplo, self._dueno))
        dueno = self._dueno[orden]
        valores = por_ejemplo[orden]
        inicio = np.r_[0, np.flatnonzero(np.diff(dueno)) + 1]
        rango = np.arange(len(dueno)) - np.repeat(inicio, np.diff(np.r_[inicio, len(dueno)]))
        suma = np.zeros(self._n)
        cerca = rango < len(PESOS_VECINOS)
        pesos = np.asarray(PESOS_VECINOS)[rango[cerca]]
        np.add.at(suma, dueno[cerca], valores[cerca] * pesos)
        return suma

    def ordenar(self, puntajes: np.ndarray, cobertura: np.ndarray, limite: int = 6,
                ejemplo: np.ndarray | None = None) -> list[Candidato]:
        """Los mejores candidatos, del mayor al menor puntaje."""
        orden = np.argsort(-puntajes, kind="stable")[:limite]
        return [Candidato(self.objetivos[i], float(puntajes[i]), float(cobertura[i]),
                          float(ejemplo[i]) if ejemplo is not None else 0.0)
                for i in orden if puntajes[i] > 0]
