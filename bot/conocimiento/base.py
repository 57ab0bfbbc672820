"""La base de conocimiento: carga, búsqueda (intent + BM25), decisión y respuestas."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from bot.conocimiento import render
from bot.conocimiento.consulta import Consulta, Consultor, Turno
from bot.conocimiento.fuentes import FuenteRegistrada, leer_fuentes
from bot.conocimiento.hechos import Hechos, leer_hechos
from bot.conocimiento.indice import IndiceLexico
from bot.conocimiento.lugares import pais_mencionado
from bot.conocimiento.modelo import INTENTS_INFORMATIVOS, Articulo, leer_directorio
from bot.conocimiento.recuperacion import Buscador, Objetivo
from bot.conocimiento.unidades import Unidad, leer_unidades
from bot.nucleo.mensajes import Boton, Respuesta

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
FUENTE_A_QUIEN_PREGUNTAR = "sre-participantes"
"""La fuente de «la oficina estatal de enlace asesora a los municipios»."""


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

    def __init__(self, articulos: list[Articulo], unidades: list[Unidad] | None = None,
                 fuentes: dict[str, FuenteRegistrada] | None = None,
                 hechos: Hechos | None = None) -> None:
        if not articulos:
            raise ValueError("la base de conocimiento no tiene artículos")
        self.articulos = articulos
        self.unidades = unidades or []
        self.fuentes = fuentes or {}
        self._por_id = {a.id: a for a in articulos}
        self._unidad_por_id = {u.id: u for u in self.unidades}
        self.hechos = hechos.con_fuentes(self.fuentes) if hechos else None
        self.consultor = Consultor(Buscador(self._objetivos()))
        self._indice = IndiceLexico(articulos)
        self._principal: dict[str, int] = {}
        self._relacionados: dict[str, list[int]] = {}
        for i, articulo in enumerate(articulos):
            for intent in articulo.meta.intents:
                self._relacionados.setdefault(intent, []).append(i)
            for intent in articulo.meta.principal_de:
                self._principal.setdefault(intent, i)

    def _objetivos(self) -> list[Objetivo]:
        """Lo que la búsqueda puede contestar: cada unidad y los artículos que ninguna unidad
        amplía. Las preguntas de ejemplo de un artículo con unidades se suman a su primera
        unidad: la unidad contesta directo y el artículo queda como «Más detalle»."""
        principal: dict[str, str] = {}
        for unidad in self.unidades:
            for articulo_id in unidad.datos.hereda:
                principal.setdefault(articulo_id, unidad.id)
        for unidad in sorted(self.unidades, key=lambda u: not u.datos.general):
            principal.setdefault(unidad.datos.articulo or "", unidad.id)
        heredadas: dict[str, list[str]] = {}
        for a in self.articulos:
            if a.id in principal:
                heredadas.setdefault(principal[a.id], []).extend(a.meta.preguntas)
        objetivos = []
        for unidad in self.unidades:
            articulo = self._por_id.get(unidad.datos.articulo or "")
            texto = " ".join(a.di for a in unidad.datos.respuesta)
            intents = tuple(articulo.meta.intents) if articulo else ()
            preguntas = (*unidad.preguntas, *heredadas.get(unidad.id, []))
            objetivos.append(Objetivo("unidad", unidad.id, unidad.tema, preguntas, texto,
                                      intents))
        for a in self.articulos:
            if a.id in principal:
                continue
            objetivos.append(Objetivo(
                "articulo", a.id, a.id, (a.titulo, *a.meta.preguntas),
                f"{a.titulo} {a.meta.resumen} {a.corta} {a.detalle}", tuple(a.meta.intents)))
        return objetivos

    @classmethod
    def cargar(cls, directorio: Path) -> BaseConocimiento:
        """Lee artículos, unidades y fuentes; falla con todos los errores juntos si hay.

        Se recuerda por proceso mientras los archivos no cambien (armar el índice cuesta)."""
        huella = _huella(directorio)
        guardada = _CARGADAS.get(directorio)
        if guardada is not None and guardada[0] == huella:
            return guardada[1]
        base = cls._cargar(directorio)
        _CARGADAS[directorio] = (huella, base)
        return base

    @classmethod
    def _cargar(cls, directorio: Path) -> BaseConocimiento:
        articulos, errores = leer_directorio(directorio)
        unidades, errores_unidades = leer_unidades(directorio)
        errores += errores_unidades
        try:
            fuentes = leer_fuentes(directorio / "fuentes.yaml")
        except ValueError as exc:
            errores.append(str(exc))
            fuentes = {}
        hechos, errores_hechos = leer_hechos(directorio)
        errores += errores_hechos
        if errores:
            raise ValueError("base de conocimiento inválida:\n" + "\n".join(errores))
        return cls(articulos, unidades, fuentes, hechos)

    def unidad(self, unidad_id: str) -> Unidad | None:
        """La unidad con ese id, o None."""
        return self._unidad_por_id.get(unidad_id)

    def consultar(self, texto: str, intent: str | None = None, confianza_intent: float = 0.0,
                  anterior: Turno | None = None) -> Consulta:
        """Unidades y artículos: qué contestar a una pregunta libre."""
        return self.consultor.consultar(texto, intent, confianza_intent, anterior)

    def _respuesta_objetivo(self, objetivo: Objetivo, texto: str,
                            canal_admite_enlaces: bool) -> Respuesta | None:
        if objetivo.tipo == "unidad":
            unidad = self.unidad(objetivo.id)
            if unidad is None:
                return None
            return render.respuesta_unidad(unidad, self.fuentes, canal_admite_enlaces,
                                           pais_mencionado(texto))
        articulo = self.articulo(objetivo.id)
        return render.respuesta_corta(articulo, canal_admite_enlaces) if articulo else None

    def _boton(self, objetivo: Objetivo) -> Boton:
        if objetivo.tipo == "unidad":
            unidad = self.unidad(objetivo.id)
            titulo = unidad.titulo if unidad else objetivo.id
        else:
            articulo = self.articulo(objetivo.id)
            titulo = articulo.titulo if articulo else objetivo.id
        return render.boton_objetivo(objetivo.tipo, objetivo.id, titulo)

    def responder_consulta(self, consulta: Consulta, texto: str,
                           canal_admite_enlaces: bool = True) -> list[Respuesta]:
        """Las respuestas del chat para una consulta."""
        if consulta.repetida is not None:
            unidad = self.unidad(consulta.repetida.id)
            if unidad is not None:
                return [render.respuesta_repetida(unidad)]
        if consulta.decision == "respuesta" and consulta.respuestas:
            salida = [r for o in consulta.respuestas
                      if (r := self._respuesta_objetivo(o, texto, canal_admite_enlaces))]
            if consulta.alternativas:
                salida.append(render.respuesta_alternativas(
                    [self._boton(o) for o in consulta.alternativas]))
            return salida
        cercanos = [self._boton(c.objetivo) for c in consulta.candidatos[:MAXIMO_OPCIONES]]
        if consulta.decision == "opciones":
            return [render.respuesta_opciones_botones(cercanos)]
        return [render.respuesta_sin_informacion(self.fuentes.get(FUENTE_A_QUIEN_PREGUNTAR),
                                                 cercanos[:2])]

    def responder_hechos(self, texto: str, hoy: dt.date | None = None) -> list[Respuesta] | None:
        """Pregunta por lugares, pares o cargos contestada con los datos (o None)."""
        if self.hechos is None:
            return None
        resultado = self.hechos.responder(texto, hoy or dt.date.today())
        if resultado is None:
            return None
        titulos = [render.titulo_fuente(self.fuentes[f]) for f in resultado.fuentes
                   if f in self.fuentes]
        texto_final = resultado.texto + (f"\n\nFuente: {'; '.join(titulos)}" if titulos else "")
        primera = next((self.fuentes[f].url for f in resultado.fuentes if f in self.fuentes
                        and self.fuentes[f].url), None)
        botones = [Boton("Más ejemplos", "/articulo ejemplos-hermanamientos")] \
            if self.articulo("ejemplos-hermanamientos") else []
        return [Respuesta(texto_final, botones=botones, enlace=primera)]

    def responder_unidad(self, unidad_id: str, canal_admite_enlaces: bool = True
                         ) -> list[Respuesta]:
        """La respuesta de una unidad elegida con un botón (`/unidad <id>`)."""
        unidad = self.unidad(unidad_id)
        if unidad is None:
            return [render.respuesta_nada()]
        return [render.respuesta_unidad(unidad, self.fuentes, canal_admite_enlaces)]

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


_CARGADAS: dict[Path, tuple[tuple[tuple[str, int, int], ...], BaseConocimiento]] = {}


def _huella(directorio: Path) -> tuple[tuple[str, int, int], ...]:
    """Nombre, tamaño y fecha de cada archivo de la base: cambia si se edita alguno."""
    archivos = sorted(p for p in directorio.rglob("*") if p.is_file())
    return tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in archivos)
