"""Resultado del análisis de un mensaje: intención, confianza y entidades."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Ante dos entidades en el mismo tramo de texto gana la de menor número.
PRIORIDAD: dict[str, int] = {
    "folio": 0, "correo": 1, "fecha": 2, "telefono": 3, "estado": 4, "pais": 5,
    "municipio": 6, "ciudad_extranjera": 7, "area_cooperacion": 8,
}
INTENT_FALLBACK = "nlu_fallback"


@dataclass(frozen=True)
class Entidad:
    """Un dato reconocido en el texto: tipo, valor canónico y posición [inicio, fin)."""

    tipo: str
    valor: str
    inicio: int
    fin: int


@dataclass(frozen=True)
class Analisis:
    """Intención (None si el NLU no está seguro), confianza, entidades y ranking."""

    texto: str
    intent: str | None
    confianza: float
    entidades: list[Entidad] = field(default_factory=list)
    ranking: list[tuple[str, float]] = field(default_factory=list)

    def entidad(self, tipo: str) -> str | None:
        """Valor de la primera entidad del tipo dado, o None."""
        return next((e.valor for e in self.entidades if e.tipo == tipo), None)

    def valores(self, tipo: str) -> list[str]:
        """Todos los valores del tipo dado, en orden de aparición."""
        return [e.valor for e in self.entidades if e.tipo == tipo]


def _prioridad(entidad: Entidad, hay_pais_extranjero: bool) -> int:
    if hay_pais_extranjero and entidad.tipo == "ciudad_extranjera":
        return PRIORIDAD["municipio"] - 1  # "Córdoba, España": la ciudad es extranjera
    return PRIORIDAD.get(entidad.tipo, 99)


def resolver_solapes(entidades: list[Entidad]) -> list[Entidad]:
    """Quita entidades que se enciman: gana el tramo más largo y, si empatan, la prioridad."""
    hay_pais = any(e.tipo == "pais" for e in entidades)
    orden = sorted(
        entidades, key=lambda e: (-(e.fin - e.inicio), _prioridad(e, hay_pais), e.inicio)
    )
    elegidas: list[Entidad] = []
    for candidata in orden:
        if all(candidata.fin <= e.inicio or candidata.inicio >= e.fin for e in elegidas):
            elegidas.append(candidata)
    return sorted(elegidas, key=lambda e: e.inicio)


def desde_rasa(texto: str, datos: dict[str, Any]) -> Analisis:
    """Convierte la respuesta JSON de `POST /model/parse` en un Analisis."""
    intent = datos.get("intent") or {}
    nombre = intent.get("name")
    confianza = float(intent.get("confidence") or 0.0)
    ranking = [
        (str(r["name"]), float(r.get("confidence") or 0.0))
        for r in datos.get("intent_ranking") or []
        if r.get("name") and r.get("name") != INTENT_FALLBACK
    ]
    if nombre == INTENT_FALLBACK:
        nombre = None
        confianza = ranking[0][1] if ranking else 0.0
    entidades = [
        Entidad(str(e["entity"]), str(e.get("value", "")), int(e["start"]), int(e["end"]))
        for e in datos.get("entities") or []
        if "entity" in e and "start" in e and "end" in e
    ]
    return Analisis(texto, nombre, confianza, resolver_solapes(entidades), ranking)
