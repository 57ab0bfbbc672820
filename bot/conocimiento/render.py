"""Convierte resultados de búsqueda en respuestas neutrales con plantillas Jinja2."""

from __future__ import annotations

import re
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.conocimiento.fuentes import FuenteRegistrada, clase_de_url
from bot.conocimiento.modelo import Articulo, Fuente
from bot.conocimiento.unidades import Unidad
from bot.nucleo.formato import fecha_larga
from bot.nucleo.mensajes import Boton, Respuesta

PLANTILLAS = Path(__file__).parent / "plantillas"
MAXIMO_CORTA = 700
AVISO_PRACTICA = (
    "Lo que aquí se indica como práctica habitual no está escrito en la ley: confírmelo con "
    "su oficina estatal de enlace o con la DGCP de la SRE."
)
_NEGRITA_DOBLE = re.compile(r"\*\*(.+?)\*\*")


def _marcado(texto: str) -> str:
    """Markdown del artículo → Markdown mínimo del motor (*negritas*)."""
    return _NEGRITA_DOBLE.sub(r"*\1*", texto)


_entorno = Environment(
    loader=FileSystemLoader(PLANTILLAS),
    autoescape=False,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=StrictUndefined,
)
_entorno.filters["marcado"] = _marcado
_entorno.filters["fecha"] = fecha_larga


def _clase_fuente(url: str) -> str:
    etiqueta = {"prensa": "nota de prensa", "copia": "copia no oficial"}.get(clase_de_url(url))
    return f" ({etiqueta})" if etiqueta else ""


_entorno.filters["clase_fuente"] = _clase_fuente


def _plantilla(nombre: str, **contexto: object) -> str:
    return _entorno.get_template(nombre).render(**contexto).strip()


def botones_utilidad(articulo_id: str) -> list[Boton]:
    """Los botones «¿Le fue útil?» Sí / No de un artículo."""
    return [
        Boton("¿Le fue útil? Sí", f"/util {articulo_id} si"),
        Boton("No", f"/util {articulo_id} no"),
    ]


def fuente_principal(articulo: Articulo) -> Fuente:
    """La fuente que respalda el artículo: la primera que no está solo como ejemplo."""
    return next((f for f in articulo.meta.fuentes if not f.ejemplo), articulo.meta.fuentes[0])


def texto_corto(articulo: Articulo) -> str:
    """El texto de la respuesta corta tal como se muestra en el chat."""
    return _plantilla(
        "respuesta.txt.j2",
        articulo=articulo,
        fuente=fuente_principal(articulo),
        aviso_practica=AVISO_PRACTICA,
    )


def respuesta_corta(articulo: Articulo, canal_admite_enlaces: bool) -> Respuesta:
    """Respuesta corta con su fuente y los botones «Más detalle» y «¿Le fue útil?»."""
    botones = [Boton("Más detalle", f"/articulo_detalle {articulo.id}")]
    botones += botones_utilidad(articulo.id)
    enlace = fuente_principal(articulo).url if canal_admite_enlaces else None
    return Respuesta(texto=texto_corto(articulo), botones=botones, enlace=enlace)


def respuesta_detalle(articulo: Articulo, canal_admite_enlaces: bool) -> Respuesta:
    """La sección «Más detalle» con todas las fuentes."""
    texto = _plantilla("detalle.txt.j2", articulo=articulo, enlaces=canal_admite_enlaces)
    enlace = articulo.meta.fuentes[0].url if canal_admite_enlaces else None
    botones = [*botones_utilidad(articulo.id), Boton("Menú", "/menu")]
    return Respuesta(texto=texto, botones=botones, enlace=enlace)


def respuesta_opciones(articulos: list[Articulo]) -> Respuesta:
    """Pregunta cuál de los artículos buscaba, con un botón por artículo."""
    botones = [Boton(a.titulo, f"/articulo {a.id}") for a in articulos]
    return Respuesta(texto=_plantilla("opciones.txt.j2"), botones=botones)


def respuesta_nada() -> Respuesta:
    """No hubo artículo adecuado: ofrece el menú o un asesor."""
    botones = [Boton("Menú", "/menu"), Boton("Hablar con un asesor", "/asesor")]
    return Respuesta(texto=_plantilla("nada.txt.j2"), botones=botones)


# --- Unidades de respuesta -----------------------------------------------------------------

AVISO_PRACTICA_UNIDAD = (
    "Lo que le indico como práctica habitual no está escrito en la ley: confírmelo con su "
    "oficina estatal de enlace o con la DGCP de la SRE."
)
ETIQUETA_CLASE = {"prensa": "nota de prensa", "copia": "copia no oficial"}
MAXIMO_TITULO_BOTON = 60
_YA_DICE_CONFIRMAR = re.compile(r"confírm|confirme|pregunte a|pídal|consulte a", re.I)


def titulo_fuente(fuente: FuenteRegistrada) -> str:
    """El título de una fuente con su clase si no es oficial («nota de prensa»…)."""
    etiqueta = ETIQUETA_CLASE.get(fuente.clase)
    if etiqueta and etiqueta.split()[0] not in fuente.titulo.lower():
        return f"{fuente.titulo} ({etiqueta})"
    return fuente.titulo


def texto_unidad(unidad: Unidad, fuentes: dict[str, FuenteRegistrada],
                 pais: str | None = None) -> str:
    """La respuesta de una unidad: sus frases en orden, el aviso de práctica una sola vez
    (si alguna frase es práctica y ninguna dice ya con quién confirmarlo) y sus fuentes."""
    frases = [a.di.replace("{pais}", pais or "ese país") for a in unidad.datos.respuesta]
    cuerpo = " ".join(frases)
    practicas = [a.di for a in unidad.datos.respuesta if a.marca == "practica"]
    if practicas and not any(_YA_DICE_CONFIRMAR.search(p) for p in practicas):
        cuerpo += " " + AVISO_PRACTICA_UNIDAD
    titulos = [titulo_fuente(fuentes[i]) for i in unidad.ids_fuentes() if i in fuentes]
    return f"{_marcado(cuerpo)}\n\nFuente: {'; '.join(titulos)}"


def _corto(texto: str) -> str:
    texto = texto.strip()
    if len(texto) <= MAXIMO_TITULO_BOTON:
        return texto
    return texto[:MAXIMO_TITULO_BOTON - 1].rsplit(" ", 1)[0] + "…"


def respuesta_unidad(unidad: Unidad, fuentes: dict[str, FuenteRegistrada],
                     canal_admite_enlaces: bool, pais: str | None = None) -> Respuesta:
    """Respuesta directa de una unidad, con «Más detalle» (su artículo) y «¿Le fue útil?»."""
    botones: list[Boton] = []
    if unidad.datos.articulo:
        botones.append(Boton("Más detalle", f"/articulo_detalle {unidad.datos.articulo}"))
    botones += botones_utilidad(unidad.id)
    primera = next((i for i in unidad.ids_fuentes() if i in fuentes), None)
    enlace = fuentes[primera].url if canal_admite_enlaces and primera else None
    return Respuesta(texto=texto_unidad(unidad, fuentes, pais), botones=botones, enlace=enlace)


def boton_objetivo(tipo: str, objetivo_id: str, titulo: str) -> Boton:
    """Botón que abre una unidad (`/unidad <id>`) o un artículo (`/articulo <id>`)."""
    orden = "/unidad" if tipo == "unidad" else "/articulo"
    return Boton(_corto(titulo), f"{orden} {objetivo_id}")


def respuesta_alternativas(botones: list[Boton]) -> Respuesta:
    """«¿Buscaba otra cosa?» con una o dos alternativas bajo la respuesta."""
    return Respuesta(texto="¿Buscaba otra cosa?", botones=botones)


def respuesta_opciones_botones(botones: list[Boton]) -> Respuesta:
    """Candidatos empatados de verdad: preguntar cuál buscaba."""
    return Respuesta(texto=_plantilla("opciones.txt.j2"), botones=botones)


def respuesta_sin_informacion(fuente: FuenteRegistrada | None, botones: list[Boton]
                              ) -> Respuesta:
    """Honesto cuando las fuentes callan: qué no sé, qué hay cerca y a quién preguntar (con
    la fuente de «la oficina estatal asesora a los municipios»)."""
    texto = ("No tengo información verificada sobre eso en mis fuentes, así que no le daré una "
             "cifra ni un sí o un no que no pueda sostener. Para una respuesta segura, consulte "
             "a la oficina estatal de enlace de su estado, que asesora a los municipios en el "
             "programa, o a la DGCP de la SRE.")
    if botones:
        texto += " Quizá le sirva alguno de estos temas:"
    if fuente is not None:
        texto += f"\n\nFuente: {titulo_fuente(fuente)}"
    return Respuesta(texto=texto, botones=[*botones, Boton("Hablar con un asesor", "/asesor")],
                     enlace=fuente.url if fuente else None)


def respuesta_repetida(unidad: Unidad) -> Respuesta:
    """La misma unidad que acabo de dar: no la repito."""
    botones = [Boton("Más detalle", f"/articulo_detalle {unidad.datos.articulo}")] \
        if unidad.datos.articulo else []
    return Respuesta(
        "Es lo mismo que le respondí en mi mensaje anterior. Si necesita más, puedo darle el "
        "detalle o ponerlo en contacto con un asesor.",
        botones=[*botones, Boton("Hablar con un asesor", "/asesor")])
