"""Estructuras que entran y salen del intérprete de flujos (todas serializables a JSON)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.nucleo.mensajes import Respuesta


@dataclass
class EstadoFlujo:
    """Dónde va el usuario dentro de un flujo; el motor lo guarda tras cada paso.

    `pendiente` guarda lo que se está resolviendo en el paso (candidatos de municipio,
    selección de varias opciones, confirmación de un dato prellenado, corrección);
    `regreso` es el paso de resumen al que se vuelve tras corregir un dato.
    """

    flujo: str
    paso: str
    respuestas: dict[str, Any] = field(default_factory=dict)
    historial: list[str] = field(default_factory=list)
    fallos: int = 0
    pendiente: dict[str, Any] | None = None
    regreso: str | None = None

    def a_json(self) -> dict[str, Any]:
        """Copia a fondo en tipos JSON."""
        return {"flujo": self.flujo, "paso": self.paso, "respuestas": copia_json(self.respuestas),
                "historial": list(self.historial), "fallos": self.fallos,
                "pendiente": copia_json(self.pendiente), "regreso": self.regreso}

    @classmethod
    def desde_json(cls, datos: dict[str, Any]) -> EstadoFlujo:
        """Reconstruye el estado desde `a_json` (ignora claves desconocidas)."""
        return cls(
            flujo=str(datos["flujo"]),
            paso=str(datos["paso"]),
            respuestas=copia_json(dict(datos.get("respuestas") or {})),
            historial=list(datos.get("historial") or []),
            fallos=int(datos.get("fallos") or 0),
            pendiente=copia_json(datos.get("pendiente")),
            regreso=datos.get("regreso"),
        )

    def copia(self) -> EstadoFlujo:
        """Una copia a fondo (el intérprete trabaja sobre ella)."""
        return EstadoFlujo(self.flujo, self.paso, copia_json(self.respuestas),
                           list(self.historial), self.fallos, copia_json(self.pendiente),
                           self.regreso)


_HOJAS = frozenset({str, int, float, bool, type(None)})
"""Los valores que se copian tal cual sin llamar a `copia_json` (la mayoría)."""


def copia_json(valor: Any) -> Any:
    """Copia a fondo datos tipo JSON (diccionarios, listas y valores inmutables): lo mismo
    que `copy.deepcopy` para estos datos, varias veces más rápido (corre varias veces en
    cada paso: las hojas no pasan por otra llamada)."""
    if isinstance(valor, dict):
        return {k: v if type(v) in _HOJAS else copia_json(v) for k, v in valor.items()}
    if isinstance(valor, list):
        return [v if type(v) in _HOJAS else copia_json(v) for v in valor]
    if isinstance(valor, tuple):
        return tuple(v if type(v) in _HOJAS else copia_json(v) for v in valor)
    return valor


@dataclass(frozen=True)
class Entrada:
    """Lo que mandó el usuario: texto, payload de un botón o un archivo.

    `archivo` trae al menos `nombre`, `mime` y `tamano` (bytes); el motor puede añadir
    una referencia propia (p. ej. `ref`) que se guarda tal cual en las respuestas.
    """

    texto: str = ""
    payload: str | None = None
    archivo: dict[str, Any] | None = None


@dataclass(frozen=True)
class Accion:
    """Un efecto que el motor debe ejecutar (crear_caso, guardar_perfil, escalar…)."""

    nombre: str
    datos: dict[str, Any]


@dataclass
class Resultado:
    """Lo que devuelve cada función del intérprete. `estado=None` = el flujo terminó.

    Eventos: `completado`, `cancelado`, `tres_fallos`, `error_flujo` o None.
    """

    estado: EstadoFlujo | None
    respuestas: list[Respuesta] = field(default_factory=list)
    acciones: list[Accion] = field(default_factory=list)
    evento: str | None = None
