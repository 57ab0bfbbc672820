"""Revisa la base de conocimiento completa y devuelve los problemas en español."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

from bot.conocimiento.base import BaseConocimiento
from bot.conocimiento.modelo import INTENTS_INFORMATIVOS, Articulo, leer_directorio
from bot.conocimiento.render import MAXIMO_CORTA, texto_corto
from bot.texto import normalizar

MAXIMO_DETALLE = 3500
# Un artículo de práctica común debe recomendar confirmarlo con la oficina estatal…
RECOMENDACION = re.compile(r"confi?rm\w*\b.{0,60}\boficina estatal")
# …y nunca presentarlo como mandato de ley (texto ya normalizado).
REDACCION_DE_LEY = (
    "es obligatori", "son obligatori", "la ley exige", "lo exige la ley", "la ley obliga",
    "obligatoriamente", "requisito legal obligatorio", "por mandato de ley",
)


def redaccion_de_ley(articulo: Articulo) -> list[str]:
    """Frases que presentan como obligación legal algo de un artículo de práctica común."""
    texto = normalizar(f"{articulo.corta} {articulo.detalle}")
    return [f for f in REDACCION_DE_LEY if f in texto]


def tiene_recomendacion(articulo: Articulo) -> bool:
    """True si el artículo recomienda confirmar con la oficina estatal de enlace."""
    return bool(RECOMENDACION.search(normalizar(f"{articulo.corta} {articulo.detalle}")))


def _revisar_articulo(articulo: Articulo, hoy: dt.date) -> list[str]:
    nombre = articulo.ruta.name
    errores: list[str] = []
    if articulo.ruta.stem != articulo.id:
        errores.append(f"{nombre}: el archivo debe llamarse {articulo.id}.md (igual que su id)")
    largo = len(texto_corto(articulo))
    if largo > MAXIMO_CORTA:
        errores.append(
            f"{nombre}: la respuesta corta mide {largo} caracteres (máximo {MAXIMO_CORTA})"
        )
    if len(articulo.detalle) > MAXIMO_DETALLE:
        errores.append(f"{nombre}: la sección de detalle pasa de {MAXIMO_DETALLE} caracteres")
    if articulo.meta.revisado > hoy:
        errores.append(f"{nombre}: la fecha 'revisado' está en el futuro")
    for fuente in articulo.meta.fuentes:
        if fuente.consultado > hoy:
            errores.append(f"{nombre}: la fuente «{fuente.titulo}» tiene fecha futura")
    if articulo.meta.confianza == "practica_comun":
        if not tiene_recomendacion(articulo):
            errores.append(
                f"{nombre}: es práctica común y no recomienda confirmarlo con la oficina estatal"
            )
        for frase in redaccion_de_ley(articulo):
            errores.append(f"{nombre}: práctica común redactada como ley («{frase}»)")
    return errores


def _revisar_conjunto(articulos: list[Articulo]) -> list[str]:
    errores: list[str] = []
    repetidos = [i for i, n in Counter(a.id for a in articulos).items() if n > 1]
    errores += [f"id repetido: {i}" for i in repetidos]
    principales = Counter(i for a in articulos for i in a.meta.principal_de)
    for intent in INTENTS_INFORMATIVOS:
        if principales[intent] == 0:
            errores.append(f"el intent '{intent}' no tiene artículo principal (principal_de)")
        elif principales[intent] > 1:
            cuantos = principales[intent]
            errores.append(f"el intent '{intent}' tiene {cuantos} artículos principales")
    preguntas = Counter(normalizar(q) for a in articulos for q in a.meta.preguntas)
    errores += [f"pregunta de ejemplo repetida: «{q}»" for q, n in preguntas.items() if n > 1]
    return errores


def _revisar_recuperacion(base: BaseConocimiento) -> list[str]:
    errores: list[str] = []
    for articulo in base.articulos:
        for pregunta in articulo.meta.preguntas:
            mejor = base.buscar(pregunta).mejor
            if mejor is None or mejor.id != articulo.id:
                obtenido = mejor.id if mejor else "ninguno"
                errores.append(
                    f"{articulo.ruta.name}: la pregunta «{pregunta}» recupera «{obtenido}» "
                    "en lugar de su propio artículo"
                )
    return errores


def validar(directorio: Path, hoy: dt.date | None = None) -> tuple[int, list[str]]:
    """Valida todos los artículos; devuelve cuántos se leyeron y la lista de errores."""
    hoy = hoy or dt.date.today()
    articulos, errores = leer_directorio(directorio)
    if not articulos and not errores:
        return 0, [f"no hay artículos .md en {directorio}"]
    for articulo in articulos:
        errores += _revisar_articulo(articulo, hoy)
    errores += _revisar_conjunto(articulos)
    if articulos and not errores:
        errores += _revisar_recuperacion(BaseConocimiento(articulos))
    return len(articulos), errores
