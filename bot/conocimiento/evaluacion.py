"""Evaluación propia: exactitud top-1/top-3 sobre evaluacion.yaml y latencia de respuesta."""

from __future__ import annotations

import statistics
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml
from pydantic import BaseModel, Field

from bot.conocimiento.base import BaseConocimiento
from bot.conocimiento.consulta import Consultor
from bot.conocimiento.recuperacion import Buscador
from bot.texto import normalizar


class Par(BaseModel):
    """Una pregunta de evaluación y el artículo que debe recuperar."""

    pregunta: str = Field(min_length=2)
    articulo: str


class ConjuntoEvaluacion(BaseModel):
    """El contenido de evaluacion.yaml."""

    pares: list[Par] = Field(min_length=1)
    fuera_de_tema: list[str] = Field(default_factory=list)


@dataclass
class Informe:
    """Resultados de una evaluación."""

    total: int
    top1: float
    top3: float
    decisiones: Counter[str]
    fuera_de_tema_nada: int
    fuera_de_tema_total: int
    p50_ms: float
    p95_ms: float
    fallos: list[str] = field(default_factory=list)

    def tabla(self) -> str:
        """Resumen en Markdown para la terminal y BENCHMARKS.md."""
        d = self.decisiones
        return "\n".join(
            [
                "| medida | valor | meta |",
                "|---|---|---|",
                f"| preguntas evaluadas | {self.total} | ≥ 80 |",
                f"| exactitud top-1 | {self.top1:.1%} | ≥ 90 % |",
                f"| exactitud top-3 | {self.top3:.1%} | ≥ 98 % |",
                f"| decisiones (respuesta / opciones / nada) | {d['respuesta']} / "
                f"{d['opciones']} / {d['nada']} | — |",
                f"| fuera de tema que dan «nada» | {self.fuera_de_tema_nada} de "
                f"{self.fuera_de_tema_total} | — |",
                f"| tiempo de respuesta p50, sin NLU | {self.p50_ms:.2f} ms | — |",
                f"| tiempo de respuesta p95, sin NLU | {self.p95_ms:.2f} ms | ≤ 30 ms |",
            ]
        )


def leer_conjunto(ruta: Path) -> ConjuntoEvaluacion:
    """Lee y valida evaluacion.yaml."""
    return ConjuntoEvaluacion.model_validate(yaml.safe_load(ruta.read_text(encoding="utf-8")))


def problemas_del_conjunto(base: BaseConocimiento, conjunto: ConjuntoEvaluacion) -> list[str]:
    """Pares que apuntan a artículos inexistentes o que repiten preguntas de ejemplo."""
    ejemplos = {normalizar(q) for a in base.articulos for q in a.meta.preguntas}
    problemas = []
    for par in conjunto.pares:
        if base.articulo(par.articulo) is None:
            problemas.append(f"«{par.pregunta}» apunta a un artículo que no existe: {par.articulo}")
        if normalizar(par.pregunta) in ejemplos:
            problemas.append(f"«{par.pregunta}» es una pregunta de ejemplo de un artículo")
    return problemas


def medir_latencia(
    base: BaseConocimiento, preguntas: list[str], repeticiones: int = 5
) -> tuple[float, float]:
    """p50 y p95 (ms) de buscar + responder, sin NLU, sobre las preguntas dadas."""
    tiempos: list[float] = []
    for _ in range(repeticiones):
        for pregunta in preguntas:
            inicio = time.perf_counter()
            base.responder(base.buscar(pregunta), canal_admite_enlaces=True)
            tiempos.append((time.perf_counter() - inicio) * 1000)
    cuantiles = statistics.quantiles(tiempos, n=100)
    return statistics.median(tiempos), cuantiles[94]


def evaluar(base: BaseConocimiento, conjunto: ConjuntoEvaluacion) -> Informe:
    """Exactitud top-1/top-3, decisiones, preguntas fuera de tema y latencia."""
    aciertos1 = aciertos3 = 0
    decisiones: Counter[str] = Counter()
    fallos: list[str] = []
    for par in conjunto.pares:
        resultado = base.buscar(par.pregunta)
        ids = [c.articulo.id for c in resultado.articulos]
        decisiones[resultado.decision] += 1
        aciertos1 += ids[:1] == [par.articulo]
        aciertos3 += par.articulo in ids[:3]
        if ids[:1] != [par.articulo]:
            fallos.append(f"«{par.pregunta}»: esperado {par.articulo}, obtenido {ids[:3]}")
    nada = sum(base.buscar(q).decision == "nada" for q in conjunto.fuera_de_tema)
    todas = [p.pregunta for p in conjunto.pares] + conjunto.fuera_de_tema
    p50, p95 = medir_latencia(base, todas)
    total = len(conjunto.pares)
    return Informe(
        total=total,
        top1=aciertos1 / total,
        top3=aciertos3 / total,
        decisiones=decisiones,
        fuera_de_tema_nada=nada,
        fuera_de_tema_total=len(conjunto.fuera_de_tema),
        p50_ms=p50,
        p95_ms=p95,
        fallos=fallos,
    )


def pliegues(cantidad: int, k: int) -> list[int]:
    """A qué pliegue (0…k−1) va cada ejemplo: repartidos en orden, reproducible."""
    return [i % k for i in range(cantidad)]


def validacion_cruzada_articulos(base: BaseConocimiento, k: int = 5) -> tuple[float, int]:
    """Exactitud top-1 con k pliegues sobre las preguntas de ejemplo de los artículos.

    Cada pliegue se aparta del índice (el artículo conserva su texto y las demás preguntas)
    y sus preguntas deben recuperar su propio artículo."""
    ejemplos = [(a.id, q) for a in base.articulos for q in a.meta.preguntas]
    asignacion = pliegues(len(ejemplos), k)
    aciertos = 0
    for pliegue in range(k):
        fuera = {ejemplos[i] for i, p in enumerate(asignacion) if p == pliegue}
        articulos = []
        for a in base.articulos:
            quedan = [q for q in a.meta.preguntas if (a.id, q) not in fuera]
            meta = a.meta.model_copy(update={"preguntas": quedan})
            articulos.append(type(a)(meta=meta, corta=a.corta, detalle=a.detalle, ruta=a.ruta))
        entrenada = BaseConocimiento(articulos)
        for articulo_id, pregunta in fuera:
            mejor = entrenada.buscar(pregunta).mejor
            aciertos += mejor is not None and mejor.id == articulo_id
    return aciertos / len(ejemplos), len(ejemplos)


@dataclass
class Cruzada:
    """Resultado de la validación cruzada."""

    exactitud: float
    """Top-1 del buscador: la unidad mejor puntuada es la de la pregunta apartada."""
    directas: float
    """Además el asistente la contesta directo (no «no tengo información» ni menú)."""
    ejemplos: int
    fallos: list[str]


def validacion_cruzada(base: BaseConocimiento, k: int = 5) -> Cruzada:
    """Exactitud top-1 con k pliegues sobre las preguntas de ejemplo de unidades y artículos.

    En cada pliegue se entrena el buscador sin esas preguntas (cada objetivo conserva su
    respuesta y el resto de sus ejemplos) y cada pregunta apartada debe llevar a su propio
    objetivo. Una pregunta de un artículo también acierta si lleva a una unidad que amplía
    ese artículo (y al revés): son la misma familia."""
    objetivos = base.consultor.buscador.objetivos
    propias = {u.id: {normalizar(q) for q in u.preguntas} for u in base.unidades}
    # Se evalúan las preguntas propias de cada unidad (las heredadas de su artículo y las de
    # los artículos sin unidad solo entrenan).
    ejemplos = [(i, q) for i, o in enumerate(objetivos) for q in o.preguntas
                if o.tipo == "unidad" and normalizar(q) in propias.get(o.id, set())]
    asignacion = pliegues(len(ejemplos), k)
    familia = {o.id: o.tema for o in objetivos}
    aciertos = directas = 0
    fallos: list[str] = []
    for pliegue in range(k):
        fuera = {ejemplos[n] for n, p in enumerate(asignacion) if p == pliegue}
        entrenados = [
            replace(o, preguntas=tuple(q for q in o.preguntas if (i, q) not in fuera))
            for i, o in enumerate(objetivos)]
        consultor = Consultor(Buscador(entrenados))
        for i, pregunta in fuera:
            esperado = objetivos[i]
            consulta = consultor.consultar(pregunta)
            mejor = consulta.mejor or (consulta.candidatos[0].objetivo
                                      if consulta.candidatos else None)
            bien = mejor is not None and (
                mejor.id == esperado.id or (
                    familia.get(mejor.id) == esperado.tema
                    and "articulo" in (mejor.tipo, esperado.tipo)
                    and (base.unidad(mejor.id) or base.unidad(esperado.id)) is not None
                    and _amplia(base, mejor.id, esperado.id)))
            aciertos += bien
            directas += bien and consulta.decision == "respuesta"
            if not bien:
                fallos.append(f"«{pregunta}» ({esperado.id}) → "
                              f"{mejor.id if mejor else 'nada'}")
    total = len(ejemplos)
    return Cruzada(aciertos / total, directas / total, total, fallos)


def _amplia(base: BaseConocimiento, uno: str, otro: str) -> bool:
    """¿Una de las dos es una unidad cuyo «Más detalle» es la otra (un artículo)?"""
    for a, b in ((uno, otro), (otro, uno)):
        unidad = base.unidad(a)
        if unidad is not None and unidad.datos.articulo == b:
            return True
    return False


def medir_latencia_respuestas(base: BaseConocimiento, preguntas: list[str],
                              repeticiones: int = 3) -> tuple[float, float]:
    """p50 y p95 (ms) de una respuesta de conocimiento completa, sin el viaje al NLU:
    datos (lugares, pares, cargos), unidades y artículos, y el armado de las respuestas."""
    tiempos: list[float] = []
    for _ in range(repeticiones):
        for pregunta in preguntas:
            inicio = time.perf_counter()
            if base.responder_hechos(pregunta) is None:
                base.responder_consulta(base.consultar(pregunta), pregunta)
            tiempos.append((time.perf_counter() - inicio) * 1000)
    cuantiles = statistics.quantiles(tiempos, n=100)
    return statistics.median(tiempos), cuantiles[94]
