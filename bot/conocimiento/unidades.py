"""Unidades de respuesta (`conocimiento/unidades/*.yaml`): una familia de preguntas, una
respuesta directa armada con afirmaciones marcadas y con su fuente.

Cada afirmación lleva una marca:

- `ley`: lo que dice una norma (LCT, Constitución, DOF); solo con fuente oficial.
- `oficial`: lo que dice una página oficial (SRE, DOF, congresos); solo con fuente oficial.
- `institucional`: lo que dice la organización de sí misma o un estudio académico.
- `reportado`: un ejemplo reportado por la prensa o leído en una copia no oficial (la frase
  lo dice: «según la prensa…», «consultado en una copia no oficial»).
- `practica`: práctica habitual, no una norma (la frase lo dice: «suele», «en la práctica»…).
- `sin_dato`: lo que las fuentes no dicen («no hay una cifra oficial»), dicho con honestidad.
- `asistente`: lo que el propio asistente ofrece («escriba "mis datos"…»); sin fuente.

La confianza de la unidad no la escribe el editor: sale de sus marcas (`verificado` solo si
todas son de ley u oficiales, con fuente oficial).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

Marca = Literal["ley", "oficial", "institucional", "reportado", "practica", "sin_dato", "asistente"]
Confianza = Literal["verificado", "reportado", "practica_comun"]

MARCAS_OFICIALES: frozenset[str] = frozenset({"ley", "oficial"})


_TITULO = re.compile(r"^¿[A-ZÁÉÍÓÚÑ].*\?$")
"""Una pregunta bien escrita: signos de apertura y cierre, y mayúscula."""

class Cita(BaseModel):
    """Una fuente del registro y el fragmento de sus notas que sostiene la afirmación."""

    model_config = ConfigDict(extra="forbid")

    id: str
    cita: str = Field(min_length=8)


class Afirmacion(BaseModel):
    """Una frase de la respuesta con su marca y sus fuentes."""

    model_config = ConfigDict(extra="forbid")

    di: str = Field(min_length=3)
    marca: Marca
    fuentes: list[Cita] = Field(default_factory=list)


class DatosUnidad(BaseModel):
    """Lo que el editor escribe de una unidad."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=60)
    tema: str = Field(min_length=2)
    articulo: str | None = None
    general: bool = False
    """La unidad que contesta la pregunta general de su artículo (hereda sus preguntas)."""
    hereda: list[str] = Field(default_factory=list)
    """Otros artículos cuya pregunta general también contesta (hereda sus preguntas)."""
    titulo: str | None = Field(default=None, pattern=r"^¿[A-ZÁÉÍÓÚÑ].*\?$")
    """Cómo se ofrece en un botón («¿Buscaba otra cosa?»); sin él, la primera pregunta, que
    entonces debe estar bien escrita."""
    preguntas: list[str] = Field(min_length=4)
    respuesta: list[Afirmacion] = Field(min_length=1, max_length=5)

    @model_validator(mode="after")
    def _con_titulo(self) -> DatosUnidad:
        if self.titulo is None and not _TITULO.match(self.preguntas[0]):
            raise ValueError(
                f"la primera pregunta («{self.preguntas[0]}») no sirve de título de botón: "
                "escriba «titulo: ¿…?» con mayúscula y signos, o ponga primero una pregunta así")
        return self


@dataclass(frozen=True)
class Unidad:
    """Una unidad de respuesta leída de un archivo."""

    datos: DatosUnidad
    ruta: Path

    @property
    def id(self) -> str:
        """Identificador de la unidad."""
        return self.datos.id

    @property
    def tema(self) -> str:
        """Tema (para seguir el hilo de una conversación y agrupar)."""
        return self.datos.tema

    @property
    def preguntas(self) -> list[str]:
        """Preguntas de ejemplo, como las escribe la gente."""
        return self.datos.preguntas

    @property
    def titulo(self) -> str:
        """El título de los botones «¿Buscaba otra cosa?»: `titulo` o la primera pregunta."""
        return self.datos.titulo or self.datos.preguntas[0]

    @property
    def confianza(self) -> Confianza:
        """verificado (todo de ley u oficial), practica_comun (alguna práctica) o reportado."""
        marcas = {a.marca for a in self.datos.respuesta}
        if "practica" in marcas:
            return "practica_comun"
        if marcas <= MARCAS_OFICIALES | {"sin_dato"}:
            return "verificado"
        return "reportado"

    def ids_fuentes(self) -> list[str]:
        """Las fuentes citadas, sin repetir, en el orden en que aparecen."""
        vistos: list[str] = []
        for afirmacion in self.datos.respuesta:
            for cita in afirmacion.fuentes:
                if cita.id not in vistos:
                    vistos.append(cita.id)
        return vistos


def leer_unidades(directorio: Path) -> tuple[list[Unidad], list[str]]:
    """Lee `unidades/*.yaml` (cada archivo, una lista de unidades); unidades y errores."""
    unidades: list[Unidad] = []
    errores: list[str] = []
    for ruta in sorted((directorio / "unidades").glob("*.yaml")):
        try:
            datos = yaml.safe_load(ruta.read_text(encoding="utf-8")) or []
        except yaml.YAMLError as exc:
            errores.append(f"unidades/{ruta.name}: YAML inválido ({exc})")
            continue
        if not isinstance(datos, list):
            errores.append(f"unidades/{ruta.name}: debe ser una lista de unidades")
            continue
        for i, elemento in enumerate(datos, 1):
            try:
                unidades.append(Unidad(DatosUnidad.model_validate(elemento), ruta))
            except ValidationError as exc:
                nombre = elemento.get("id", f"n.º {i}") if isinstance(elemento, dict) else i
                detalle = "; ".join(
                    f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
                errores.append(f"unidades/{ruta.name}: unidad «{nombre}»: {detalle}")
    return unidades, errores
