"""La base de conocimiento: carga, búsqueda (intent + BM25), decisión y respuestas."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from bot.conocimiento import render
from bot.conocimiento.indice import IndiceLexico
from bot.conocimiento.modelo import INTENTS_INFORMATIVOS, Articulo, leer_directorio
from bot.nucleo.mensajes import Respuesta

Decision = Literal["respuesta", "opciones", "nada"]

# Umbrales de decisión sobre el puntaje combinado (léxico × cobertura + bono del intent).
# Elegidos sobre conocimiento/evaluacion.yaml: pocas respuestas directas equivocadas (≈ 2 %)
# y las preguntas ajenas al tema terminan en «nada».
UMBRAL_NADA = 0.30
UMBRAL_RESPUESTA = 0.35
RAZON_DUDA = 0.80  # si el 2.º llega a este porcentaje del 1.º, se ofrecen opciones
# Bono del intent del NLU, multiplicado por su confianza.
CONFIANZA_INTENT_MINIMA = 0.40
BONO_PRINCIPAL = 0.60
BONO_RELACIONADO = 0.25
CASTIGO_FUERA_DE_ALCANCE = 0.60
MAXIMO_OPCIONES = 3


@dataclass(frozen=True)
class ArticuloPuntuado:
    """Un artículo candidato y su puntaje combinado."""

    articulo: Articulo
    puntaje: float


@dataclass(frozen=True)
class ResultadoBusqueda:
    """Lo que decidió la búsqueda y los candidatos, del mejor al peor."""

    decision: Decision
    articulos: list[ArticuloPuntuado] = field(default_factory=list)
    consulta: str = ""
    intent: str | None = None

    @property
    def mejor(self) -> Articulo | None:
        """El artículo mejor puntuado, si hay alguno."""
        return self.articulos[0].articulo if self.articulos else None


class BaseConocimiento:
    """Artículos de conocimiento/ con su índice léxico y su mapa intent → artículos."""

    def __init__(self, articulos: list[Articulo]) -> None:
        if not articulos:
            raise ValueError("la base de conocimiento no tiene artículos")
        self.articulos = articulos
        self._por_id = {a.id: a for a in articulos}
        self._indice = IndiceLexico(articulos)
        self._principal: dict[str, int] = {}
        self._relacionados: dict[str, list[int]] = {}
        for i, articulo in enumerate(articulos):
            for intent in articulo.meta.intents:
                self._relacionados.setdefault(intent, []).append(i)
            for intent in articulo.meta.principal_de:
                self._principal.setdefault(intent, i)

    @classmethod
    def cargar(cls, directorio: Path) -> BaseConocimiento:
        """Lee conocimiento/*.md; falla con todos los errores juntos si hay alguno."""
        articulos, errores = leer_directorio(directorio)
        if errores:
            raise ValueError("artículos inválidos:\n" + "\n".join(errores))
        return cls(articulos)

    def articulo(self, articulo_id: str) -> Articulo | None:
        """El artículo con ese id, o None."""
        return self._por_id.get(articulo_id)

    def principal_de(self, intent: str) -> Articulo | None:
        """El artículo principal de un intent informativo, o None."""
        i = self._principal.get(intent)
        return self.articulos[i] if i is not None else None

    def buscar(
        self, texto: str, intent: str | None = None, confianza_intent: float = 0.0
    ) -> ResultadoBusqueda:
        """Combina el intent del NLU (si viene) con el ranking léxico y decide qué responder."""
        lexico = self._indice.puntuar(texto)
        puntajes = lexico.por_articulo * lexico.cobertura
        con_intent = self._aplicar_intent(puntajes, intent, confianza_intent)
        orden = np.argsort(-con_intent, kind="stable")
        candidatos = [
            ArticuloPuntuado(self.articulos[i], round(float(con_intent[i]), 4))
            for i in orden[:MAXIMO_OPCIONES * 2]
            if con_intent[i] > 0
        ]
        decision = self._decidir(candidatos)
        return ResultadoBusqueda(decision, candidatos, texto, intent)

    def _aplicar_intent(
        self, puntajes: np.ndarray, intent: str | None, confianza: float
    ) -> np.ndarray:
        resultado = puntajes.copy()
        if not intent or confianza < CONFIANZA_INTENT_MINIMA:
            return resultado
        if intent == "fuera_de_alcance":
            return resultado * (1 - CASTIGO_FUERA_DE_ALCANCE * confianza)
        for i in self._relacionados.get(intent, []):
            resultado[i] += BONO_RELACIONADO * confianza
        if intent in INTENTS_INFORMATIVOS and intent in self._principal:
            resultado[self._principal[intent]] += (BONO_PRINCIPAL - BONO_RELACIONADO) * confianza
        return resultado

    @staticmethod
    def _decidir(candidatos: list[ArticuloPuntuado]) -> Decision:
        if not candidatos or candidatos[0].puntaje < UMBRAL_NADA:
            return "nada"
        primero = candidatos[0].puntaje
        segundo = candidatos[1].puntaje if len(candidatos) > 1 else 0.0
        if primero < UMBRAL_RESPUESTA:
            return "opciones"
        if segundo > RAZON_DUDA * primero:
            return "opciones"
        return "respuesta"

    def responder(
        self, resultado: ResultadoBusqueda, canal_admite_enlaces: bool
    ) -> list[Respuesta]:
        """Las respuestas del chat para un resultado: corta con fuente, opciones o «no encontré»."""
        if resultado.decision == "respuesta" and resultado.mejor is not None:
            return [render.respuesta_corta(resultado.mejor, canal_admite_enlaces)]
        if resultado.decision == "opciones" and resultado.articulos:
            opciones = [c.articulo for c in resultado.articulos[:MAXIMO_OPCIONES]]
            return [render.respuesta_opciones(opciones)]
        return [render.respuesta_nada()]

    def responder_articulo(self, articulo_id: str, canal_admite_enlaces: bool) -> list[Respuesta]:
        """Respuesta corta de un artículo elegido con un botón (`/articulo <id>`)."""
        articulo = self.articulo(articulo_id)
        if articulo is None:
            return [render.respuesta_nada()]
        return [render.respuesta_corta(articulo, canal_admite_enlaces)]

    def detalle(self, articulo_id: str, canal_admite_enlaces: bool = True) -> list[Respuesta]:
        """La sección «Más detalle» de un artículo (`/articulo_detalle <id>`)."""
        articulo = self.articulo(articulo_id)
        if articulo is None:
            return [render.respuesta_nada()]
        return [render.respuesta_detalle(articulo, canal_admite_enlaces)]
