"""Artículos de la base de conocimiento: front matter validado con pydantic y cuerpo."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

INTENTS_NLU: tuple[str, ...] = (
    "saludo", "despedida", "agradecer", "afirmar", "negar", "menu", "ayuda",
    "que_es_hermanamiento", "beneficios", "requisitos", "procedimiento", "marco_legal",
    "dictamen_sre", "registro_sre", "comite", "oficina_estatal", "areas_cooperacion",
    "vigencia_renovacion", "hermanamiento_nacional", "ejemplos_hermanamientos",
    "registrar_iniciativa", "continuar_tramite", "estado_tramite", "subir_documento",
    "hablar_asesor", "cancelar", "corregir", "informar", "privacidad", "mis_datos",
    "borrar_mis_datos", "queja", "fuera_de_alcance",
)

INTENTS_INFORMATIVOS: tuple[str, ...] = (
    "que_es_hermanamiento", "beneficios", "requisitos", "procedimiento", "marco_legal",
    "dictamen_sre", "registro_sre", "comite", "oficina_estatal", "areas_cooperacion",
    "vigencia_renovacion", "hermanamiento_nacional", "ejemplos_hermanamientos",
    "privacidad", "ayuda",
)

TITULO_DETALLE = "## Más detalle"
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n(.*)\Z", re.S)


class ErrorArticulo(ValueError):
    """Un archivo de artículo que no se puede leer o no cumple el formato."""


class Fuente(BaseModel):
    """Una fuente citada: título, dirección y fecha de consulta."""

    model_config = ConfigDict(extra="forbid")

    titulo: str = Field(min_length=3)
    url: str = Field(pattern=r"^https?://\S+$")
    consultado: dt.date
    cita: str | None = Field(default=None, min_length=8)
    """Fragmento de las notas de la fuente (conocimiento/fuentes.yaml) que sostiene el artículo."""
    ejemplo: bool = False
    """Fuente de prensa o copia no oficial usada solo como ejemplo «reportado por prensa»."""


class FrontMatter(BaseModel):
    """Los metadatos obligatorios de un artículo."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=40)
    titulo: str = Field(min_length=3, max_length=60)
    resumen: str = Field(min_length=10)
    preguntas: list[str] = Field(min_length=2)
    intents: list[str] = Field(min_length=1)
    principal_de: list[str] = Field(default_factory=list)
    fuentes: list[Fuente] = Field(min_length=1)
    confianza: Literal["verificado", "reportado", "practica_comun"]
    revisado: dt.date

    @field_validator("resumen")
    @classmethod
    def _resumen_corto(cls, valor: str) -> str:
        if valor.strip().count("\n") > 1 or len(valor) > 250:
            raise ValueError("el resumen debe caber en 2 líneas (máximo 250 caracteres)")
        return valor.strip()

    @field_validator("intents", "principal_de")
    @classmethod
    def _intents_conocidos(cls, valor: list[str]) -> list[str]:
        desconocidos = [i for i in valor if i not in INTENTS_NLU]
        if desconocidos:
            raise ValueError(f"intents desconocidos: {', '.join(desconocidos)}")
        return valor

    @model_validator(mode="after")
    def _principal_en_intents(self) -> FrontMatter:
        sobrantes = [i for i in self.principal_de if i not in self.intents]
        if sobrantes:
            raise ValueError(f"principal_de debe estar también en intents: {', '.join(sobrantes)}")
        return self


@dataclass(frozen=True)
class Articulo:
    """Un artículo: metadatos, respuesta corta (primer párrafo) y sección de detalle."""

    meta: FrontMatter
    corta: str
    detalle: str
    ruta: Path

    @property
    def id(self) -> str:
        """Identificador del artículo."""
        return self.meta.id

    @property
    def titulo(self) -> str:
        """Título del artículo."""
        return self.meta.titulo


def _describir(error: ValidationError) -> str:
    partes = []
    for e in error.errors():
        campo = ".".join(str(p) for p in e["loc"]) or "front matter"
        partes.append(f"{campo}: {e['msg']}")
    return "; ".join(partes)


def leer_articulo(ruta: Path) -> Articulo:
    """Lee y valida un archivo Markdown con front matter YAML."""
    texto = ruta.read_text(encoding="utf-8")
    coincidencia = _FRONT_MATTER.match(texto)
    if not coincidencia:
        raise ErrorArticulo(f"{ruta.name}: falta el front matter YAML entre líneas '---'")
    try:
        datos = yaml.safe_load(coincidencia.group(1))
    except yaml.YAMLError as exc:
        raise ErrorArticulo(f"{ruta.name}: YAML inválido ({exc})") from exc
    if not isinstance(datos, dict):
        raise ErrorArticulo(f"{ruta.name}: el front matter debe ser un mapa de campos")
    try:
        meta = FrontMatter.model_validate(datos)
    except ValidationError as exc:
        raise ErrorArticulo(f"{ruta.name}: {_describir(exc)}") from exc
    cuerpo = coincidencia.group(2).strip()
    if TITULO_DETALLE not in cuerpo:
        raise ErrorArticulo(f"{ruta.name}: falta la sección '{TITULO_DETALLE}'")
    corta, detalle = (p.strip() for p in cuerpo.split(TITULO_DETALLE, 1))
    if not corta or "\n\n" in corta:
        raise ErrorArticulo(f"{ruta.name}: la respuesta corta debe ser un solo párrafo")
    if not detalle:
        raise ErrorArticulo(f"{ruta.name}: la sección '{TITULO_DETALLE}' está vacía")
    return Articulo(meta=meta, corta=corta, detalle=detalle, ruta=ruta)


GUIAS = {"LEAME.md", "README.md"}


def leer_directorio(directorio: Path) -> tuple[list[Articulo], list[str]]:
    """Lee todos los artículos de un directorio; devuelve los válidos y los errores.

    Las guías para editores (LEAME.md, README.md) no son artículos.
    """
    articulos: list[Articulo] = []
    errores: list[str] = []
    for ruta in sorted(directorio.glob("*.md")):
        if ruta.name in GUIAS:
            continue
        try:
            articulos.append(leer_articulo(ruta))
        except ErrorArticulo as exc:
            errores.append(str(exc))
    return articulos, errores
