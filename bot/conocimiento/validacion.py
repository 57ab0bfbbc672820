"""Revisa la base de conocimiento completa y devuelve los problemas en español."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

from bot.conocimiento.base import BaseConocimiento
from bot.conocimiento.fuentes import FuenteRegistrada, clase_de_url, leer_fuentes
from bot.conocimiento.hechos import leer_hechos
from bot.conocimiento.modelo import INTENTS_INFORMATIVOS, Articulo, leer_directorio
from bot.conocimiento.render import MAXIMO_CORTA, texto_corto, texto_unidad
from bot.conocimiento.unidades import Unidad, leer_unidades
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


# --- Unidades de respuesta y política de fuentes --------------------------------------------

MAXIMO_UNIDAD = 900
# Cómo dice una frase que es práctica, que es un reporte o que no hay dato (texto normalizado).
SENALES_PRACTICA = ("practica", "suele", "suelen", "habitual", "por lo comun", "por lo general",
                    "normalmente", "comunmente", "se recomienda", "lo usual")
SENALES_REPORTE = ("segun", "report", "prensa", "no oficial")
SENALES_SIN_DATO = ("no ", "ningun", "sin ", "no,")
SELLO_PRACTICA = ("ojo", "practica comun", "practica habitual", "suele", "suelen")


def _revisar_afirmaciones(unidad: Unidad, fuentes: dict[str, FuenteRegistrada]) -> list[str]:
    nombre = f"unidades/{unidad.ruta.name}: «{unidad.id}»"
    errores: list[str] = []
    for n, afirmacion in enumerate(unidad.datos.respuesta, 1):
        frase = normalizar(afirmacion.di)
        donde = f"{nombre}, frase {n}"
        clases = []
        for cita in afirmacion.fuentes:
            fuente = fuentes.get(cita.id)
            if fuente is None:
                errores.append(f"{donde}: la fuente «{cita.id}» no está en fuentes.yaml")
                continue
            clases.append(fuente.clase)
            if not fuente.contiene(cita.cita):
                errores.append(f"{donde}: la cita «{cita.cita}» no aparece en las notas de "
                               f"«{cita.id}»")
        marca = afirmacion.marca
        if marca in ("ley", "oficial"):
            if "oficial" not in clases:
                errores.append(f"{donde}: marcada «{marca}» sin una fuente oficial "
                               f"(DOF, SRE, Cámara de Diputados, gob.mx…)")
            sellos = [s for s in SELLO_PRACTICA if s in frase]
            if sellos:
                errores.append(f"{donde}: frase de «{marca}» redactada como práctica "
                               f"(«{sellos[0]}»): sepárela en otra frase marcada «practica»")
        elif marca == "practica":
            if not any(s in frase for s in SENALES_PRACTICA):
                errores.append(f"{donde}: la práctica debe decir que lo es («suele», «en la "
                               "práctica», «por lo general»…)")
            errores += [f"{donde}: práctica redactada como ley («{f}»)"
                        for f in REDACCION_DE_LEY if f in frase and f"no {f}" not in frase]
        elif marca == "reportado":
            if not afirmacion.fuentes:
                errores.append(f"{donde}: un reporte necesita su fuente")
            if not any(s in frase for s in SENALES_REPORTE):
                errores.append(f"{donde}: un reporte debe decir de dónde viene («según la "
                               "prensa…», «consultado en una copia no oficial»)")
        elif marca == "institucional":
            if not afirmacion.fuentes:
                errores.append(f"{donde}: necesita su fuente")
        elif marca == "sin_dato":
            if not afirmacion.fuentes:
                errores.append(f"{donde}: diga qué fuente se revisó y no lo dice")
            if not any(s in f" {frase} " for s in SENALES_SIN_DATO):
                errores.append(f"{donde}: «sin_dato» debe decir con claridad lo que no se sabe")
    return errores


def revisar_unidades(unidades: list[Unidad], articulos: list[Articulo],
                     fuentes: dict[str, FuenteRegistrada]) -> list[str]:
    """Forma, marcas, fuentes y citas de las unidades de respuesta."""
    errores: list[str] = []
    ids_articulos = {a.id for a in articulos}
    repetidos = [i for i, n in Counter(u.id for u in unidades).items() if n > 1]
    errores += [f"id de unidad repetido: {i}" for i in repetidos]
    for unidad in unidades:
        nombre = f"unidades/{unidad.ruta.name}: «{unidad.id}»"
        if unidad.datos.articulo and unidad.datos.articulo not in ids_articulos:
            errores.append(f"{nombre}: el artículo «{unidad.datos.articulo}» no existe")
        if not unidad.ids_fuentes():
            errores.append(f"{nombre}: ninguna frase cita una fuente")
        errores += _revisar_afirmaciones(unidad, fuentes)
        largo = len(texto_unidad(unidad, fuentes))
        if largo > MAXIMO_UNIDAD:
            errores.append(f"{nombre}: la respuesta mide {largo} caracteres (máximo "
                           f"{MAXIMO_UNIDAD})")
    por_articulo: dict[str, list[Unidad]] = {}
    for unidad in unidades:
        if unidad.datos.articulo:
            por_articulo.setdefault(unidad.datos.articulo, []).append(unidad)
    herederas: dict[str, list[str]] = {}
    for unidad in unidades:
        for articulo_id in unidad.datos.hereda:
            herederas.setdefault(articulo_id, []).append(unidad.id)
            if articulo_id not in ids_articulos:
                errores.append(f"unidades/{unidad.ruta.name}: «{unidad.id}» hereda de un "
                               f"artículo que no existe: «{articulo_id}»")
    for articulo_id, suyas in por_articulo.items():
        generales = [u.id for u in suyas if u.datos.general] + herederas.get(articulo_id, [])
        if len(suyas) > 1 and len(generales) != 1:
            errores.append(f"el artículo «{articulo_id}» tiene {len(suyas)} unidades: marque "
                           f"exactamente una con «general: true» (hoy: {generales or 'ninguna'})")
    preguntas = Counter(normalizar(q) for u in unidades for q in u.preguntas)
    preguntas.update(normalizar(q) for a in articulos for q in a.meta.preguntas)
    errores += [f"pregunta de ejemplo repetida: «{q}»" for q, n in preguntas.items() if n > 1]
    return errores


def revisar_fuentes_articulos(articulos: list[Articulo],
                              fuentes: dict[str, FuenteRegistrada]) -> list[str]:
    """Política de fuentes de los artículos: «verificado» solo con fuente oficial; prensa y
    copias solo como ejemplo; cada fuente registrada y con su cita en las notas."""
    por_url = {f.url: (clave, f) for clave, f in fuentes.items() if f.url}
    errores: list[str] = []
    for articulo in articulos:
        nombre = articulo.ruta.name
        clases = []
        for fuente in articulo.meta.fuentes:
            registrada = por_url.get(fuente.url)
            if registrada is None:
                errores.append(f"{nombre}: la fuente «{fuente.titulo}» no está en fuentes.yaml")
                continue
            clave, datos = registrada
            clases.append(datos.clase)
            if not fuente.cita:
                errores.append(f"{nombre}: la fuente «{clave}» no tiene «cita»")
            elif not datos.contiene(fuente.cita):
                errores.append(f"{nombre}: la cita «{fuente.cita}» no aparece en las notas de "
                               f"«{clave}»")
            if articulo.meta.confianza == "verificado" and datos.clase != "oficial" \
                    and not fuente.ejemplo:
                errores.append(f"{nombre}: es «verificado» y cita «{clave}» ({datos.clase}) "
                               "como respaldo; márquela «ejemplo: true» o cambie la confianza")
        if articulo.meta.confianza == "verificado" and "oficial" not in clases:
            errores.append(f"{nombre}: «verificado» sin ninguna fuente oficial")
    return errores


def validar_todo(directorio: Path, hoy: dt.date | None = None) -> tuple[int, int, list[str]]:
    """Artículos, unidades y fuentes: cuántos artículos, cuántas unidades y los errores."""
    cantidad, errores = validar(directorio, hoy)
    articulos, _ = leer_directorio(directorio)
    unidades, errores_unidades = leer_unidades(directorio)
    errores += errores_unidades
    try:
        fuentes = leer_fuentes(directorio / "fuentes.yaml")
    except ValueError as exc:
        return cantidad, len(unidades), [*errores, str(exc)]
    errores += revisar_unidades(unidades, articulos, fuentes)
    hechos, errores_hechos = leer_hechos(directorio)
    errores += errores_hechos
    if hechos is not None:
        errores += [f"datos/: la fuente «{f}» no está en fuentes.yaml"
                    for f in sorted(hechos.fuentes_citadas() - set(fuentes))]
    errores += revisar_fuentes_articulos(articulos, fuentes)
    return cantidad, len(unidades), errores


def cifras_de_politica(directorio: Path) -> tuple[int, int]:
    """(frases de ley u oficiales redactadas o selladas como práctica, unidades y artículos
    «verificado» sin una fuente oficial). Las dos deben ser cero."""
    articulos, _ = leer_directorio(directorio)
    unidades, _ = leer_unidades(directorio)
    fuentes = leer_fuentes(directorio / "fuentes.yaml")
    selladas = 0
    for unidad in unidades:
        for afirmacion in unidad.datos.respuesta:
            if afirmacion.marca in ("ley", "oficial"):
                frase = normalizar(afirmacion.di)
                selladas += any(s in frase for s in SELLO_PRACTICA)
    sin_oficial = 0
    for unidad in unidades:
        clases = {fuentes[i].clase for i in unidad.ids_fuentes() if i in fuentes}
        sin_oficial += unidad.confianza == "verificado" and "oficial" not in clases
    for articulo in articulos:
        if articulo.meta.confianza == "verificado":
            clases = {clase_de_url(f.url) for f in articulo.meta.fuentes if not f.ejemplo}
            sin_oficial += clases != {"oficial"}
    return selladas, sin_oficial
