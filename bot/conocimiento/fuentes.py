"""Registro de fuentes (`conocimiento/fuentes.yaml`) y política de fuentes.

La clase de una fuente sale del dominio de su dirección, no de lo que diga el editor:

- **oficial**: gobiernos y diarios oficiales (dof.gob.mx, sre.gob.mx y sus subdominios,
  diputados.gob.mx, senado.gob.mx, cualquier *.gob.mx, periódicos oficiales de estados y
  municipios, gobiernos extranjeros *.gov). Lo único que permite marcar algo «verificado».
- **institucional**: la organización que habla de sí misma o una publicación académica
  (Sister Cities International, la Fundación Konrad Adenauer, una revista con DOI, una
  universidad que reproduce un decreto).
- **prensa**: notas periodísticas.
- **copia**: sitios para compartir documentos (vdocumento, yumpu, esdocs, studylib, scribd,
  issuu, leyco.org…): aunque copien un documento oficial, no son la fuente oficial.
- **sin_direccion**: notas de investigación sin dirección pública.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.texto import normalizar

ClaseFuente = Literal["oficial", "institucional", "prensa", "copia", "sin_direccion"]

DOMINIOS_OFICIALES: tuple[str, ...] = (
    "dof.gob.mx", "diariooficial.gob.mx", "sre.gob.mx", "diputados.gob.mx", "senado.gob.mx",
    "gob.mx", "scjn.gob.mx", "periodicooficial.jalisco.gob.mx", "rentonwa.gov",
    "redwoodcity.org", "westvalleycity.municipal.codes", "dallas-ecodev.org",
    "infodf.org.mx",
)
"""Dominios (y sus subdominios) de gobiernos, congresos y diarios oficiales; todo *.gob.mx
y *.gov también cuenta. Los de ciudades de EE. UU. publican sus propios acuerdos."""

DOMINIOS_COPIA: tuple[str, ...] = (
    "vdocumento.com", "yumpu.com", "esdocs.com", "studylib.es", "scribd.com", "issuu.com",
    "leyco.org", "buenastareas.com", "docplayer.es", "cupdf.com", "studenta.com",
    "aprenderly.com", "documentop.com", "lena.mx", "juristas.mx", "justia.com",
)
"""Sitios que alojan copias de documentos de terceros: nunca son la fuente oficial."""

DOMINIOS_INSTITUCIONALES: tuple[str, ...] = (
    "sistercities.org", "kas.de", "proyectoallas.net", "doi.org", "udg.mx", "cgcid.org",
    # cityofscandia.com aloja guías de Sister Cities International: son documentos de SCI.
    "unam.mx", "cityofscandia.com",
    "protocolo.org", "iapp.org",
)
"""Organizaciones que hablan de sí mismas, órganos garantes, universidades y revistas."""


def _del_dominio(anfitrion: str, dominios: tuple[str, ...]) -> bool:
    return any(anfitrion == d or anfitrion.endswith("." + d) for d in dominios)


def clase_de_url(url: str | None) -> ClaseFuente:
    """La clase de una fuente según el dominio de su dirección."""
    if not url:
        return "sin_direccion"
    anfitrion = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    if _del_dominio(anfitrion, DOMINIOS_COPIA):
        return "copia"
    if (_del_dominio(anfitrion, DOMINIOS_OFICIALES) or anfitrion.endswith(".gob.mx")
            or anfitrion.endswith(".gov")):
        return "oficial"
    if _del_dominio(anfitrion, DOMINIOS_INSTITUCIONALES):
        return "institucional"
    return "prensa"


class FuenteRegistrada(BaseModel):
    """Una fuente del registro: título, dirección, consulta y lo que se leyó en ella."""

    model_config = ConfigDict(extra="forbid")

    titulo: str = Field(min_length=3)
    url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    consultado: dt.date | None = None
    notas: list[str] = Field(min_length=1)

    @property
    def clase(self) -> ClaseFuente:
        """oficial, institucional, prensa, copia o sin_direccion (por el dominio)."""
        return clase_de_url(self.url)

    def contiene(self, cita: str) -> bool:
        """True si la cita aparece tal cual (sin importar acentos ni signos) en las notas."""
        buscada = normalizar(cita)
        return bool(buscada) and any(buscada in normalizar(n) for n in self.notas)


class ErrorFuentes(ValueError):
    """El registro de fuentes no se puede leer."""


def leer_fuentes(ruta: Path) -> dict[str, FuenteRegistrada]:
    """Lee `fuentes.yaml` (id → fuente); un archivo ausente es un registro vacío."""
    if not ruta.exists():
        return {}
    try:
        datos = yaml.safe_load(ruta.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ErrorFuentes(f"{ruta.name}: YAML inválido ({exc})") from exc
    if not isinstance(datos, dict):
        raise ErrorFuentes(f"{ruta.name}: debe ser un mapa id → fuente")
    fuentes: dict[str, FuenteRegistrada] = {}
    errores = []
    for clave, valor in datos.items():
        try:
            fuentes[str(clave)] = FuenteRegistrada.model_validate(valor)
        except ValidationError as exc:
            errores.append(f"{ruta.name}: fuente «{clave}»: {exc.errors()[0]['msg']}")
    if errores:
        raise ErrorFuentes("\n".join(errores))
    return fuentes
