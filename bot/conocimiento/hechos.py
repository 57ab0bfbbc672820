"""Hechos como datos: hermanamientos conocidos y actores (`conocimiento/datos/*.yaml`).

`Hechos.buscar(...)` y `Hechos.par(...)` son la consulta que otro código puede reusar (p. ej.
el registro, para notar que un par ya existe). `Hechos.responder(texto, hoy)` contesta en el
chat las preguntas por lugar, país, par o cargo («¿qué ciudades hermanas tiene Oaxaca?»,
«¿alguna con Italia?», «¿cuántos tiene Guanajuato?», «¿quién preside la AMAIE?»).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.conocimiento.fuentes import FuenteRegistrada
from bot.conocimiento.lugares import pais_mencionado
from bot.texto import normalizar

TipoHermanamiento = Literal["hermanamiento", "amistad", "declaratoria", "autorizado", "nacional"]
MAXIMO_LISTA = 8
FUENTE_REGISTRO = "sre-disposiciones"
"""Lo que sostiene «el registro oficial lo lleva la SRE» (art. 7 de la LCT)."""
MAXIMO_PALABRAS_SIN_TEMA = 6
"""«¿cuántos tiene Guanajuato?», «¿alguna con Cuba?»: cortas y con un lugar conocido bastan."""
_SI_NO = re.compile(r"\b(tiene|tienen|son|es|esta|estan|ya|hay|alguna|alguno|algun)\b")
_SEGUN = {"oficial": "una fuente oficial", "prensa": "la prensa",
          "copia": "una copia no oficial de un documento", "institucional": "un estudio o una "
          "organización", "sin_direccion": "la investigación documental del proyecto"}


class Hermanamiento(BaseModel):
    """Un par conocido: municipio mexicano ↔ ciudad (extranjera o nacional)."""

    model_config = ConfigDict(extra="forbid")

    municipio: str
    estado: str
    ciudad: str
    region: str | None = None
    pais: str
    anio: int | None = None
    tipo: TipoHermanamiento
    detalle: str | None = None
    areas: list[str] = Field(default_factory=list)
    fuente: str
    otras_fuentes: list[str] = Field(default_factory=list)

    def describir(self) -> str:
        """«Oaxaca de Juárez (Oaxaca) – Palo Alto, California (Estados Unidos), 1964»."""
        donde = f"{self.ciudad}, {self.region}" if self.region else self.ciudad
        pais = "" if self.pais == "México" else f" ({self.pais})"
        anio = f", {self.anio}" if self.anio else ""
        tipo = {"amistad": " [ciudades amigas]", "declaratoria": " [declaratoria]",
                "autorizado": " [autorizado por el Cabildo]", "nacional": " [nacional]"
                }.get(self.tipo, "")
        return f"{self.municipio} – {donde}{pais}{anio}{tipo}"


class Total(BaseModel):
    """Un total que una fuente da para un lugar."""

    model_config = ConfigDict(extra="forbid")

    lugar: str
    es: Literal["municipio", "estado"]
    estado: str | None = None
    total: int
    que: str
    segun: str
    detalle: str | None = None
    fuente: str


class Comite(BaseModel):
    """Cómo se integra el comité o consejo de ciudades hermanas de un municipio."""

    model_config = ConfigDict(extra="forbid")

    municipio: str
    estado: str
    nombre: str
    cuando: str | None = None
    integracion: str
    detalle: str | None = None
    fuente: str


class Actor(BaseModel):
    """Quién ocupa un cargo y entre qué fechas."""

    model_config = ConfigDict(extra="forbid")

    cargo: str
    clave: str
    quien: str
    periodo: str
    desde: dt.date
    hasta: dt.date
    detalle: str | None = None
    fuente: str
    alias: list[str] = Field(min_length=1)
    persona: bool = False
    """`quien` es una persona (se reconoce su nombre: «¿quién es Pedro Matar?»)."""


class _ArchivoHermanamientos(BaseModel):
    model_config = ConfigDict(extra="forbid")

    hermanamientos: list[Hermanamiento]
    totales: list[Total] = Field(default_factory=list)
    comites: list[Comite] = Field(default_factory=list)
    alias: dict[str, list[str]] = Field(default_factory=dict)


class _ArchivoActores(BaseModel):
    model_config = ConfigDict(extra="forbid")

    actores: list[Actor]


@dataclass(frozen=True)
class RespuestaHechos:
    """Texto de la respuesta y las fuentes que la sostienen."""

    texto: str
    fuentes: list[str]


_PREGUNTA_EXISTENCIA = re.compile(
    r"\b(tiene|tienen|tenia|hay|esta|estan|es|son|ya|alguna|alguno|algun|cuant[oa]s?|cuales"
    r"|con (que|q|cuales) ciudad\w*|refrend\w*|ratific\w*|renov\w*|cuando|que temas|q temas"
    r"|hermanad[ao]s?|amigas|sigue|siguen|ejemplos?|lista|dime|diga|cuales|conoce|conozca"
    r"|cual|primer[oa]?|con quien\w*|de cuando|desde cuando|que le|q le)\b")
_TEMA_HERMANAMIENTO = re.compile(
    r"\b(herman\w*|convenio\w*|acuerdo\w*|ciudades amigas|amistad|friendship|refrend\w*"
    r"|ratific\w*)\b")
_CUALQUIER_CIUDAD_MEXICANA = re.compile(
    r"(?: (?:alguna|algun|algunas|algunos|que|q|cual|cuales|cuantas|cuantos|otra|otras|una|las"
    r"|los|hay) (?:ciudad|ciudades|municipio|municipios)| (?:ciudades|municipios)) (?:de|del)"
    r" mexico ")
_COMITE = re.compile(r"\b(comite|comites|consejo)\b")
_INTEGRACION = re.compile(r"\b(integra\w*|quien\w*|preside\w*|miembros|forman|formado|conforma"
                          r"\w*|cuando|instal\w*)\b")
_ANTES = re.compile(r"\b(antes|anterior|previo|previa|pasad[ao]|ultim[oa] vez)\b")
# Temas que los datos no contestan: si el mensaje pregunta por ellos (y no cuenta ni pide
# un par), que conteste una unidad («¿cuándo se publicó el reglamento de Guanajuato?»).
_TEMAS_DE_UNIDADES = re.compile(
    r"\b(reglamento\w*|dictamen\w*|requisit\w*|oficio\w*|acta|poa|mahaa|aviso|privacidad"
    r"|costo\w*|consejo|integra\w*|etapa\w*|plazo\w*|idioma\w*|traduc\w*|firmar|firma"
    r"|papeles|documentos|tramite\w*|pasos|permiso\w*|impedimento\w*|podemos|podriamos"
    r"|se puede|se pueden|permit\w*|prohib\w*|tard\w*|tiempo|demora\w*)\b")
_PRIMERO = re.compile(r"\b(primer[oa]?|mas antigu[oa]s?)\b")
_TEMAS_AREAS = re.compile(r"\b(temas?|areas?|en (que|q) (trabaja|coopera|colabora)\w*)\b")
_PREGUNTA_QUIEN = re.compile(r"\b(quien|quienes|titular|preside|presidencia|president\w*"
                             r"|encargad\w*|director\w*|sigue|dirige|a cargo|mero mero|jef[ae]"
                             r"|manda)\b")


def _forma(texto: str) -> str:
    return f" {normalizar(texto)} "


class Hechos:
    """Los datos cargados y sus consultas."""

    def __init__(self, hermanamientos: list[Hermanamiento], totales: list[Total],
                 actores: list[Actor], alias: dict[str, list[str]],
                 comites: list[Comite] | None = None) -> None:
        self.hermanamientos = hermanamientos
        self.totales = totales
        self.comites = comites or []
        self.actores = actores
        self._alias: dict[str, set[str]] = {}
        for nombre in self._nombres():
            self._alias.setdefault(nombre, set()).add(normalizar(nombre))
        for nombre, formas in alias.items():
            self._alias.setdefault(nombre, set()).update(normalizar(f) for f in formas)

    def _nombres(self) -> set[str]:
        nombres: set[str] = set()
        for h in self.hermanamientos:
            nombres.update({h.municipio, h.estado, h.ciudad, h.pais})
        nombres.update(t.lugar for t in self.totales)
        nombres.update(c.municipio for c in self.comites)
        return nombres

    # --- Consultas reutilizables ---------------------------------------------------------

    def _es(self, nombre: str, buscado: str | None) -> bool:
        if buscado is None:
            return True
        formas = self._alias.get(nombre, {normalizar(nombre)})
        return normalizar(buscado) in formas or normalizar(buscado) == normalizar(nombre)

    def buscar(self, municipio: str | None = None, estado: str | None = None,
               pais: str | None = None, ciudad: str | None = None) -> list[Hermanamiento]:
        """Los hermanamientos conocidos que cumplen todos los filtros dados."""
        return [h for h in self.hermanamientos
                if self._es(h.municipio, municipio) and self._es(h.estado, estado)
                and self._es(h.pais, pais) and self._es(h.ciudad, ciudad)]

    def par(self, municipio: str, ciudad: str) -> Hermanamiento | None:
        """El hermanamiento conocido entre un municipio y una ciudad (en cualquier orden)."""
        for h in self.hermanamientos:
            if (self._es(h.municipio, municipio) and self._es(h.ciudad, ciudad)) or (
                    self._es(h.municipio, ciudad) and self._es(h.ciudad, municipio)):
                return h
        return None

    def texto_de_par(self, h: Hermanamiento) -> str:
        """El par conocido en palabras, con su fuente («… según …»)."""
        return self._texto_par(h, si_no=False).texto

    def actor(self, clave: str, hoy: dt.date) -> tuple[Actor | None, bool]:
        """Quién ocupa el cargo hoy (o el último dato y False si ya pasó su fecha)."""
        candidatos = sorted((a for a in self.actores if a.clave == clave),
                            key=lambda a: a.desde)
        vigentes = [a for a in candidatos if a.desde <= hoy <= a.hasta]
        if vigentes:
            return vigentes[-1], True
        return (candidatos[-1], False) if candidatos else (None, False)

    # --- Respuestas en el chat -------------------------------------------------------------

    def mencionados(self, texto: str) -> list[str]:
        """Nombres conocidos que menciona el texto (los más largos primero, sin solaparse).

        «alguna ciudad de México» es cualquier ciudad mexicana, no la CDMX."""
        normal = _CUALQUIER_CIUDAD_MEXICANA.sub(" municipios mexicanos ", _forma(texto))
        encontrados: list[tuple[int, str]] = []
        ocupado: list[tuple[int, int]] = []
        formas = sorted(((f, n) for n, fs in self._alias.items() for f in fs),
                        key=lambda x: -len(x[0]))
        for forma, nombre in formas:
            inicio = normal.find(f" {forma} ")
            if inicio < 0 or any(a <= inicio < b for a, b in ocupado):
                continue
            ocupado.append((inicio, inicio + len(forma) + 1))
            if nombre not in (n for _, n in encontrados):
                encontrados.append((inicio, nombre))
        return [n for _, n in sorted(encontrados)]

    def responder(self, texto: str, hoy: dt.date) -> RespuestaHechos | None:
        """Una respuesta con datos, o None si la pregunta no es de lugares, pares o cargos."""
        normal = normalizar(texto)
        actor = self._responder_actor(normal, hoy)
        if actor is not None:
            return actor
        comite = self._responder_comite(texto, normal)
        lugares = self._responder_lugares(texto, normal)
        if comite is not None and lugares is not None:
            return RespuestaHechos(f"{lugares.texto} {comite.texto}",
                                   list(dict.fromkeys(lugares.fuentes + comite.fuentes)))
        return comite or lugares

    def _responder_comite(self, texto: str, normal: str) -> RespuestaHechos | None:
        """«¿Cómo se integra el comité de Mazatlán?», «¿quién preside el de Cancún?»."""
        if not (_COMITE.search(normal) and _INTEGRACION.search(normal)):
            return None
        nombres = self.mencionados(texto)
        for comite in self.comites:
            if any(self._es(comite.municipio, n) for n in nombres):
                cuando = f" ({comite.cuando})" if comite.cuando else ""
                texto_final = (f"Según {self._segun(comite.fuente)}, el {comite.nombre} de "
                               f"{comite.municipio}{cuando} se integra así: "
                               f"{comite.integracion}.")
                if comite.detalle:
                    texto_final += f" {comite.detalle[0].upper()}{comite.detalle[1:]}."
                texto_final += (" Cada municipio define la integración en su reglamento o en "
                                "el acuerdo de Cabildo.")
                return RespuestaHechos(texto_final, [comite.fuente])
        return None

    def _responder_actor(self, normal: str, hoy: dt.date) -> RespuestaHechos | None:
        for persona in self.actores:
            if persona.persona and f" {normalizar(persona.quien)} " in f" {normal} ":
                return self._texto_persona(persona, hoy)
        if not _PREGUNTA_QUIEN.search(normal):
            return None
        for clave in dict.fromkeys(a.clave for a in self.actores):
            alias = next(a.alias for a in self.actores if a.clave == clave)
            if not any(f" {normalizar(x)} " in f" {normal} " for x in alias):
                continue
            actual, vigente = self.actor(clave, hoy)
            if actual is None:
                return None
            anteriores = [a for a in self.actores if a.clave == clave and a is not actual]
            if _ANTES.search(normal) and anteriores:
                previo = max(anteriores, key=lambda a: a.desde)
                texto = (f"Antes de {actual.quien}, la {previo.cargo} la tuvo {previo.quien} "
                         f"({previo.periodo}, según {self._segun(previo.fuente)}); desde "
                         f"{actual.periodo.split('–')[0]} la tiene {actual.quien}. Confírmelo "
                         "con la SRE o con su oficina estatal de enlace.")
                if "presidencia" not in previo.cargo:
                    texto = (f"Antes de {actual.quien}, el {previo.cargo} era {previo.quien} "
                             f"({previo.periodo}, según {self._segun(previo.fuente)}).")
                return RespuestaHechos(texto, list(dict.fromkeys([previo.fuente,
                                                                   actual.fuente])))
            preguntado = next((a for a in anteriores
                               if f" {normalizar(a.quien)} " in f" {normal} "), None)
            inicio = "No, ya no: " if preguntado is not None else ""
            texto = (f"{inicio}{actual.quien} tiene la {actual.cargo}" if "presidencia"
                     in actual.cargo else f"{inicio}el {actual.cargo} es {actual.quien}")
            texto = texto[0].upper() + texto[1:]
            texto += f" ({actual.periodo}, según {self._segun(actual.fuente)})."
            if actual.detalle:
                texto += f" {actual.detalle[0].upper()}{actual.detalle[1:]}."
            if preguntado is not None:
                texto += f" Antes la tuvo {preguntado.quien} ({preguntado.periodo})."
            if not vigente:
                texto += (" Ese es el último dato que tengo y su periodo ya terminó: puede "
                          "haber cambiado.")
            texto += " Confírmelo con la SRE o con su oficina estatal de enlace."
            fuentes = [actual.fuente] + ([preguntado.fuente] if preguntado else [])
            return RespuestaHechos(texto, list(dict.fromkeys(fuentes)))
        return None

    def _texto_persona(self, persona: Actor, hoy: dt.date) -> RespuestaHechos:
        vigente = persona.desde <= hoy <= persona.hasta
        cuando = f"en {persona.periodo}" if vigente else f"según el último dato ({persona.periodo})"
        texto = (f"{persona.quien} es el {persona.cargo} {cuando}, según "
                 f"{self._segun(persona.fuente)}. Confírmelo con la SRE o con su oficina "
                 "estatal de enlace.")
        return RespuestaHechos(texto, [persona.fuente])

    def _responder_lugares(self, texto: str, normal: str) -> RespuestaHechos | None:
        nombres = self.mencionados(texto)
        if (re.search(r"\bnacional(es)?\b", normal) and _TEMA_HERMANAMIENTO.search(normal)
                and not any(t.lugar in nombres for t in self.totales)):
            nacionales = [h for h in self.hermanamientos if h.tipo == "nacional"]
            if nacionales:
                return RespuestaHechos(
                    "Hermanamientos entre municipios mexicanos que conozco: "
                    + "; ".join(h.describir().replace(" [nacional]", "") for h in nacionales)
                    + f", según {self._segun(*(h.fuente for h in nacionales))}. Al no haber "
                    "contraparte extranjera, no son acuerdos interinstitucionales de la Ley "
                    "sobre la Celebración de Tratados.",
                    list(dict.fromkeys(h.fuente for h in nacionales)))
        if not nombres and not pais_mencionado(texto):
            return None
        mexicanos = [n for n in nombres if any(self._es(h.municipio, n) or self._es(h.estado, n)
                                               for h in self.hermanamientos)
                     or any(t.lugar == n for t in self.totales)]
        paises = [n for n in nombres if any(h.pais == n for h in self.hermanamientos)
                  and n not in mexicanos]
        if not paises and (otro := pais_mencionado(texto)) and otro != "México":
            paises = [otro]
        ciudades = [n for n in nombres if n not in mexicanos and n not in paises]
        # Un par: municipio y ciudad mencionados (dos lados de un par conocido); nombrar los
        # dos ya dice de qué se habla («palo alto q le donó a oaxaca»), salvo que pregunte
        # por un trámite.
        for m in mexicanos:
            for c in [*ciudades, *mexicanos]:
                if c != m and (h := self.par(m, c)) is not None and (
                        _TEMA_HERMANAMIENTO.search(normal)
                        or not _TEMAS_DE_UNIDADES.search(normal)):
                    return self._texto_par(h, bool(_SI_NO.search(normal)))
        corta = len(normal.split()) <= MAXIMO_PALABRAS_SIN_TEMA
        if not (_TEMA_HERMANAMIENTO.search(normal) or corta):
            return None
        if not _PREGUNTA_EXISTENCIA.search(normal):
            return None
        cuantos = bool(re.search(r"\bcuant[oa]s\b", normal))
        if _TEMAS_DE_UNIDADES.search(normal) and not cuantos:
            return None
        if mexicanos:
            if _TEMAS_AREAS.search(normal) and not any(
                    h.areas for h in self.hermanamientos if self._es(h.municipio, mexicanos[0])):
                return None  # en qué temas coopera: sin áreas en los datos, la unidad
            respuesta = self._texto_lugar(mexicanos[0], paises[0] if paises else None, cuantos)
            if _PRIMERO.search(normal):
                return self._con_el_primero(mexicanos[0], respuesta)
            return respuesta
        if paises:
            return self._texto_pais(paises[0])
        if ciudades and any(self._es(h.ciudad, ciudades[0]) for h in self.hermanamientos):
            return self._texto_ciudad(ciudades[0])
        return None

    def _con_el_primero(self, lugar: str, respuesta: RespuestaHechos) -> RespuestaHechos:
        """«¿Cuál fue su primera ciudad hermana?»: el par que los datos señalan como el
        primero, al frente."""
        primero = next((h for h in self.hermanamientos if self._es(h.municipio, lugar)
                        and h.detalle and _PRIMERO.search(normalizar(h.detalle))), None)
        if primero is None:
            return respuesta
        frase = f"{primero.describir()}: {primero.detalle}, según {self._segun(primero.fuente)}."
        return RespuestaHechos(f"{frase} {respuesta.texto}",
                               list(dict.fromkeys([primero.fuente, *respuesta.fuentes])))

    def _texto_ciudad(self, ciudad: str) -> RespuestaHechos:
        """«¿Qué municipios están hermanados con McAllen?»: los pares con esa ciudad."""
        pares = [h for h in self.hermanamientos if self._es(h.ciudad, ciudad)]
        texto = (f"Municipios hermanados con {ciudad} que conozco: "
                 + "; ".join(h.describir() for h in pares[:MAXIMO_LISTA])
                 + f", según {self._segun(*(h.fuente for h in pares))}. No es la lista "
                 "completa: el registro oficial lo lleva la SRE.")
        return RespuestaHechos(texto, list(dict.fromkeys(h.fuente for h in pares)))

    def _texto_par(self, h: Hermanamiento, si_no: bool) -> RespuestaHechos:
        inicio = "Sí: " if si_no and h.tipo in ("hermanamiento", "nacional") else ""
        texto = f"{inicio}{h.describir()}, según {self._segun(h.fuente)}."
        if h.detalle:
            texto += f" {h.detalle[0].upper()}{h.detalle[1:]}."
        if h.areas:
            texto += " Temas del acuerdo: " + "; ".join(h.areas) + "."
        return RespuestaHechos(texto, [h.fuente, *h.otras_fuentes])

    def _segun(self, *fuentes: str) -> str:
        clases = {self._clases.get(f, "prensa") for f in fuentes}
        if len(clases) == 1:
            return _SEGUN[clases.pop()]
        return "las fuentes citadas"

    _clases: dict[str, str] = {}  # noqa: RUF012 — se reemplaza por instancia en con_fuentes

    def _texto_lugar(self, lugar: str, pais: str | None, cuantos: bool) -> RespuestaHechos:
        pares = [h for h in self.hermanamientos
                 if self._es(h.municipio, lugar) or self._es(h.estado, lugar)
                 or (h.tipo == "nacional" and self._es(h.ciudad, lugar))]
        totales = [t for t in self.totales if t.lugar == lugar]
        fuentes: list[str] = []
        partes: list[str] = []
        if pais is not None:
            con_pais = [h for h in pares if h.pais == pais]
            if con_pais:
                fuentes_pais = [h.fuente for h in con_pais]
                partes.append(f"Sí: {'; '.join(h.describir() for h in con_pais)}, según "
                              f"{self._segun(*fuentes_pais)}.")
                partes += [f"{h.detalle[0].upper()}{h.detalle[1:]}." for h in con_pais
                           if h.detalle]
                fuentes += [h.fuente for h in con_pais]
            else:
                partes.append(f"En mis fuentes no aparece ningún hermanamiento de {lugar} "
                              f"con ciudades de {pais}; eso no prueba que no exista, porque el "
                              "registro oficial lo lleva la SRE.")
        for t in totales:
            partes.append(f"{t.lugar} tiene {t.total} {t.que}, según {t.segun}."
                          + (f" {t.detalle[0].upper()}{t.detalle[1:]}." if t.detalle else ""))
            fuentes.append(t.fuente)
        otros = [h for h in pares if pais is None or h.pais != pais]
        if otros:
            titulo = f"Los hermanamientos de {lugar} que conozco"
            if totales or pais:
                titulo = "Algunos que conozco"
            elif cuantos:
                titulo = f"Conozco {len(otros)}"
            lista = "; ".join(h.describir() for h in otros[:MAXIMO_LISTA])
            partes.append(f"{titulo}: {lista}.")
            fuentes += [h.fuente for h in otros[:MAXIMO_LISTA]]
        if not totales and cuantos:
            partes.append("No tengo un total oficial: la lista completa la tiene el registro de "
                          "la SRE.")
        if not partes:
            return RespuestaHechos(
                f"En mis fuentes no aparece ningún hermanamiento de {lugar}; el registro "
                "oficial lo lleva la SRE: consúltelo con su oficina estatal de enlace.",
                [FUENTE_REGISTRO])
        if pais is not None and not any(h.pais == pais for h in pares):
            fuentes.append(FUENTE_REGISTRO)
        return RespuestaHechos(" ".join(partes), list(dict.fromkeys(fuentes)))

    def _texto_pais(self, pais: str) -> RespuestaHechos:
        pares = [h for h in self.hermanamientos if h.pais == pais]
        if not pares:
            return RespuestaHechos(
                f"En mis fuentes no aparece ningún hermanamiento con ciudades de {pais}; eso no "
                "prueba que no exista, porque el registro oficial lo lleva la SRE: consúltelo "
                "con su oficina estatal de enlace.", [FUENTE_REGISTRO])
        texto = (f"Hermanamientos con ciudades de {pais} que conozco: "
                 + "; ".join(h.describir() for h in pares[:MAXIMO_LISTA])
                 + ". No es la lista completa: el registro oficial lo lleva la SRE.")
        return RespuestaHechos(texto, list(dict.fromkeys(h.fuente for h in pares)))

    def con_fuentes(self, fuentes: dict[str, FuenteRegistrada]) -> Hechos:
        """La clase de cada fuente (para decir «según la prensa» solo cuando lo es)."""
        self._clases = {k: f.clase for k, f in fuentes.items()}
        return self

    def fuentes_citadas(self) -> set[str]:
        """Todas las fuentes que citan los datos (la revisión comprueba que existan)."""
        citadas = {h.fuente for h in self.hermanamientos}
        citadas |= {f for h in self.hermanamientos for f in h.otras_fuentes}
        citadas |= {t.fuente for t in self.totales} | {a.fuente for a in self.actores}
        citadas |= {c.fuente for c in self.comites}
        return citadas


def leer_hechos(directorio: Path) -> tuple[Hechos | None, list[str]]:
    """Lee `datos/hermanamientos.yaml` y `datos/actores.yaml`; los hechos y los errores."""
    carpeta = directorio / "datos"
    if not carpeta.exists():
        return None, []
    errores: list[str] = []
    try:
        datos = _ArchivoHermanamientos.model_validate(
            yaml.safe_load((carpeta / "hermanamientos.yaml").read_text(encoding="utf-8")))
        actores = _ArchivoActores.model_validate(
            yaml.safe_load((carpeta / "actores.yaml").read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        errores.append(f"datos/: {exc}")
        return None, errores
    return Hechos(datos.hermanamientos, datos.totales, actores.actores, datos.alias,
                  datos.comites), errores


_CONOCIDOS: dict[Path, Hechos | None] = {}


def hechos_conocidos(directorio: Path) -> Hechos | None:
    """Los datos de `directorio/datos/` leídos una vez por proceso, para otro código (p. ej.
    el registro de una iniciativa: `hechos_conocidos(RAIZ / "conocimiento").par(municipio,
    ciudad)` avisa si ese par ya aparece en las fuentes)."""
    if directorio not in _CONOCIDOS:
        _CONOCIDOS[directorio], _ = leer_hechos(directorio)
    return _CONOCIDOS[directorio]
