"""Búsqueda de estados y municipios como los escribe la gente.

Tolera mayúsculas, falta de acentos, abreviaturas de estado (NL, Edomex, CDMX, QRoo…),
nombres cortos (Veracruz, Coahuila), el nombre de la cabecera (Cancún → Benito Juárez)
y errores de dedo (rapidfuzz). Si el nombre existe en varios estados devuelve todos,
para que quien llama pregunte cuál.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from bot.catalogos.datos import RegistroEstado, RegistroMunicipio, leer_catalogo
from bot.texto import normalizar

# Formas en que la gente nombra los estados, además del nombre oficial y su abreviatura.
_ALIAS_ESTADOS: dict[str, tuple[str, ...]] = {
    "01": ("ags", "aguas"),
    "02": ("bc", "baja", "bcn", "baja california norte"),
    "03": ("bcs", "baja sur"),
    "04": ("camp",),
    "05": ("coah", "coahuila"),
    "06": ("col",),
    "07": ("chis",),
    "08": ("chih",),
    "09": ("cdmx", "df", "d f", "distrito federal", "ciudad de mexico", "cd de mexico", "cd mx"),
    "10": ("dgo",),
    "11": ("gto",),
    "12": ("gro",),
    "13": ("hgo",),
    "14": ("jal",),
    "15": ("edomex", "edo mex", "edo de mexico", "estado de mexico", "mex", "mexico"),
    "16": ("mich", "michoacan"),
    "17": ("mor",),
    "18": ("nay",),
    "19": ("nl", "n l", "nuevo leon"),
    "20": ("oax",),
    "21": ("pue",),
    "22": ("qro", "qto"),
    "23": ("qroo", "q roo", "quintana roo"),
    "24": ("slp", "s l p", "san luis"),
    "25": ("sin",),
    "26": ("son",),
    "27": ("tab",),
    "28": ("tamps", "tamp"),
    "29": ("tlax",),
    "30": ("ver", "veracruz", "vera cruz"),
    "31": ("yuc",),
    "32": ("zac",),
}
# Ciudades conocidas por un nombre que no es el del municipio ni el de la cabecera.
_ALIAS_MUNICIPIOS: dict[str, str] = {
    "ciudad juarez": "08037",
    "cd juarez": "08037",
    "juarez chihuahua": "08037",
    "san pedro garza garcia": "19019",
    "san pedro nl": "19019",
    "playa del carmen": "23008",
    "los cabos": "03008",
    "cabo san lucas": "03008",
    "puerto vallarta": "14067",
    "ciudad victoria": "28041",
    "cd victoria": "28041",
    "ciudad obregon": "26018",
    "cd obregon": "26018",
    "tuxtla": "07101",
    "neza": "15058",
}
_UMBRAL_DIFUSO = 86.0
_SEPARADORES = re.compile(
    r"\s*(?:,|;|\ben el estado de\b|\bestado de\b|\bedo de\b|\ben\b|\bde\b)\s*"
)


def forma_fonetica(texto: str) -> str:
    """Junta lo que suena igual en español: ll/y, v/b, z/s, ce/se, qu/k, h muda."""
    texto = re.sub(r"(?<!c)h", "", texto)
    for antes, despues in (("ll", "y"), ("v", "b"), ("z", "s"), ("ce", "se"), ("ci", "si"),
                           ("qu", "k"), ("rr", "r")):
        texto = texto.replace(antes, despues)
    return texto


@dataclass(frozen=True)
class EstadoEncontrado:
    """Un estado reconocido en el texto."""

    clave_inegi: str
    nombre: str
    codigo: str
    abreviatura: str

    @property
    def nombre_corto(self) -> str:
        """El nombre como lo dice la gente: «Veracruz», «Estado de México»."""
        return nombre_corto_estado(self.nombre)


@dataclass(frozen=True)
class MunicipioEncontrado:
    """Un municipio candidato con su estado y qué tan seguro es (0–100)."""

    clave_inegi: str
    nombre: str
    estado_clave: str
    estado_nombre: str
    estado_abreviatura: str
    puntaje: float

    @property
    def etiqueta(self) -> str:
        """«Benito Juárez, Quintana Roo»: para botones y confirmaciones."""
        return f"{self.nombre}, {nombre_corto_estado(self.estado_nombre)}"


def nombre_corto_estado(nombre_oficial: str) -> str:
    """«Coahuila de Zaragoza» → «Coahuila»; «México» → «Estado de México»."""
    if nombre_oficial == "México":
        return "Estado de México"
    return re.sub(r" de (Zaragoza|Ocampo|Ignacio de la Llave)$", "", nombre_oficial)


class Catalogo:
    """Índices en memoria del catálogo INEGI (se construyen una vez por proceso)."""

    def __init__(
        self, estados: tuple[RegistroEstado, ...], municipios: tuple[RegistroMunicipio, ...]
    ) -> None:
        self._estados = {e.clave_inegi: e for e in estados}
        self._municipios = {m.clave_inegi: m for m in municipios}
        self._alias_estado: dict[str, str] = {}
        for e in estados:
            oficial = normalizar(e.nombre)
            corto = re.sub(r"\s+de (zaragoza|ocampo|ignacio de la llave)$", "", oficial)
            for forma in (oficial, corto, normalizar(e.abreviatura), e.codigo.lower()):
                self._alias_estado.setdefault(forma, e.clave_inegi)
            for forma in _ALIAS_ESTADOS.get(e.clave_inegi, ()):
                self._alias_estado[forma] = e.clave_inegi
        # "mexico" solo es el Estado de México cuando se nombra como estado.
        self._formas_estado = sorted(self._alias_estado, key=len, reverse=True)
        self._por_nombre: dict[str, list[str]] = {}
        self._por_alias: dict[str, list[str]] = {}
        for m in municipios:
            self._por_nombre.setdefault(normalizar(m.nombre), []).append(m.clave_inegi)
            if m.cabecera:
                self._por_alias.setdefault(normalizar(m.cabecera), []).append(m.clave_inegi)
        for forma, clave in _ALIAS_MUNICIPIOS.items():
            self._por_alias.setdefault(forma, []).append(clave)
        self._foneticos: dict[str, list[str]] = {}
        for nombre in dict.fromkeys([*self._por_nombre, *self._por_alias]):
            self._foneticos.setdefault(forma_fonetica(nombre), []).append(nombre)
        self._nombres = list(self._foneticos)
        self._nombres_ordenados = sorted(self._por_nombre)  # para buscar por prefijo

    @property
    def estados(self) -> list[EstadoEncontrado]:
        """Los 32 estados, en orden de clave INEGI."""
        return [self._estado(c) for c in sorted(self._estados)]

    def estado_por_clave(self, clave: str) -> EstadoEncontrado | None:
        """El estado con esa clave INEGI de dos dígitos."""
        return self._estado(clave) if clave in self._estados else None

    def municipio_por_clave(self, clave: str) -> MunicipioEncontrado | None:
        """El municipio con esa clave INEGI de cinco dígitos."""
        return self._municipio(clave, 100.0) if clave in self._municipios else None

    def buscar_estado(self, texto: str) -> EstadoEncontrado | None:
        """El estado que nombra el texto completo (abreviatura, nombre corto o con errores)."""
        forma = normalizar(texto)
        if forma not in self._alias_estado:
            forma = re.sub(r"^(el )?(estado|edo) de ", "", forma)
        if not forma:
            return None
        if forma in self._alias_estado:
            return self._estado(self._alias_estado[forma])
        if len(forma) < 5:
            return None
        mejor = process.extractOne(forma, self._formas_estado, scorer=fuzz.ratio, score_cutoff=84)
        return self._estado(self._alias_estado[mejor[0]]) if mejor else None

    def estado_exacto(self, texto: str) -> EstadoEncontrado | None:
        """El estado cuyo nombre, nombre corto o abreviatura es exactamente el texto (sin
        aproximar: para buscar lugares dentro de una oración)."""
        clave = self._alias_estado.get(normalizar(texto))
        return self._estado(clave) if clave else None

    def municipios_exactos(self, texto: str) -> list[MunicipioEncontrado]:
        """Los municipios cuyo nombre (o cabecera, o nombre común) es exactamente el texto,
        sin aproximar ni tomar prefijos: para buscar lugares dentro de una oración."""
        forma = normalizar(texto)
        claves = self._por_nombre.get(forma) or self._por_alias.get(forma) or []
        return self._exactos(claves, None)

    def buscar_municipio(
        self, texto: str, estado_clave: str | None = None, limite: int = 8
    ) -> list[MunicipioEncontrado]:
        """Municipios que coinciden con el texto, los mejores primero.

        Lista vacía: no existe. Varios con el mismo puntaje: el nombre es ambiguo.
        El texto puede traer el estado («guadalupe zacatecas», «Benito Juárez, QRoo»).
        """
        forma = normalizar(texto)
        if not forma:
            return []
        nombre, estado_texto = self._separar_estado(forma)
        estado_clave = estado_texto or estado_clave
        for candidato in dict.fromkeys((forma, nombre)):
            exactos = self._exactos(self._por_nombre.get(candidato, []), estado_clave)
            exactos = exactos or self._exactos(self._por_alias.get(candidato, []), estado_clave)
            # «Tlalnepantla» también puede ser «Tlalnepantla de Baz»; pero si ya hay varios
            # con el nombre exacto («Guadalupe»), esos son los candidatos.
            prefijo = self._por_prefijo(candidato, estado_clave) if len(exactos) <= 1 else []
            vistos = {m.clave_inegi for m in exactos}
            juntos = exactos + [m for m in prefijo if m.clave_inegi not in vistos]
            if juntos:
                return juntos[:limite]
        return self._difusos(nombre, estado_clave, limite)

    # --- interno ---

    def _separar_estado(self, forma: str) -> tuple[str, str | None]:
        """Quita un estado nombrado al final: «san pedro nl» → («san pedro», "19")."""
        for alias in self._formas_estado:
            if forma.endswith(" " + alias) and len(forma) > len(alias) + 2:
                resto = forma[: -len(alias)].strip()
                resto = _SEPARADORES.sub(" ", " " + resto + " ").strip() or resto
                resto = re.sub(r"\s+(de|en)$", "", resto).strip()
                if resto:
                    return resto, self._alias_estado[alias]
        return forma, None

    def _por_prefijo(self, forma: str, estado_clave: str | None) -> list[MunicipioEncontrado]:
        """«ecatepec» → «Ecatepec de Morelos»; los más poblados primero."""
        prefijo = forma + " "
        desde = bisect.bisect_left(self._nombres_ordenados, prefijo)
        hasta = bisect.bisect_left(self._nombres_ordenados, prefijo + "\uffff", desde)
        claves = [c for n in self._nombres_ordenados[desde:hasta] for c in self._por_nombre[n]]
        claves.sort(key=lambda c: -(self._municipios[c].poblacion or 0))
        return [
            MunicipioEncontrado(**{**m.__dict__, "puntaje": 95.0})
            for m in self._exactos(claves, estado_clave)
        ]

    def _exactos(self, claves: list[str], estado_clave: str | None) -> list[MunicipioEncontrado]:
        if estado_clave:
            claves = [c for c in claves if self._municipios[c].estado_clave == estado_clave]
        return [self._municipio(c, 100.0) for c in dict.fromkeys(claves)]

    def _difusos(
        self, forma: str, estado_clave: str | None, limite: int
    ) -> list[MunicipioEncontrado]:
        if len(forma) < 4:
            return []
        encontrados = process.extract(
            forma_fonetica(forma), self._nombres, scorer=fuzz.ratio,
            score_cutoff=_UMBRAL_DIFUSO, limit=limite * 3,
        )
        resultado: dict[str, MunicipioEncontrado] = {}
        for fonetico, puntaje, _ in encontrados:
            claves = [c for nombre in self._foneticos[fonetico]
                      for c in self._por_nombre.get(nombre, []) + self._por_alias.get(nombre, [])]
            for clave in claves:
                if estado_clave and self._municipios[clave].estado_clave != estado_clave:
                    continue
                if clave not in resultado:
                    resultado[clave] = self._municipio(clave, float(puntaje))
        mejores = sorted(resultado.values(), key=lambda m: -m.puntaje)
        if mejores:
            tope = mejores[0].puntaje
            mejores = [m for m in mejores if m.puntaje >= tope - 4]
        return mejores[:limite]

    def _estado(self, clave: str) -> EstadoEncontrado:
        e = self._estados[clave]
        return EstadoEncontrado(e.clave_inegi, e.nombre, e.codigo, e.abreviatura)

    def _municipio(self, clave: str, puntaje: float) -> MunicipioEncontrado:
        m = self._municipios[clave]
        e = self._estados[m.estado_clave]
        return MunicipioEncontrado(
            m.clave_inegi, m.nombre, e.clave_inegi, e.nombre, e.abreviatura, puntaje
        )


@lru_cache
def catalogo() -> Catalogo:
    """El catálogo del proceso, construido la primera vez que se pide."""
    estados, municipios = leer_catalogo()
    return Catalogo(estados, municipios)
