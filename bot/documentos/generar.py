"""Documentos que se generan a partir de un caso: la ficha (PDF) y el borrador del oficio (DOCX).

Todo texto que escribió el usuario se inserta como texto literal: en el PDF se dibuja tal cual
(sin marcado) y en el DOCX lo escapa Jinja2 (autoescape), así que `<`, `&` o `{{` no rompen
nada. Antes se quitan los caracteres de control, que el XML de Word no admite.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
import threading
from collections.abc import Iterable, Iterator, Mapping, MutableMapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, cast

import jinja2
import jinja2.nodes
from docxtpl import DocxTemplate
from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos
from fpdf.fonts import TTFFont
from fpdf.prefs import ViewerPreferences

from bot.casos.estatus import en_palabras
from bot.casos.repositorio import documentos_pendientes, nombre_documento
from bot.casos.visibilidad import eventos_para_persona
from bot.config import ajustes
from bot.nucleo.formato import (
    en_zona,
    fecha_corta,
    fecha_hora,
    fecha_hora_corta,
    fecha_larga,
    telefono,
)
from bot.texto import limpiar_entrada

if TYPE_CHECKING:
    from bot.db.modelos import Caso

TipoCaso = Literal["hermanamiento", "acuerdo_amistad", "cooperacion"]
Ambito = Literal["internacional", "nacional"]

PLANTILLA_OFICIO = Path(__file__).resolve().parent / "plantillas" / "oficio_solicitud_dictamen.docx"
FUENTES_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")

TIPOS: dict[str, str] = {
    "hermanamiento": "Hermanamiento",
    "acuerdo_amistad": "Acuerdo de amistad",
    "cooperacion": "Cooperación específica",
}
_TIPO_EN_FRASE: dict[str, str] = {
    "hermanamiento": "un acuerdo de hermanamiento",
    "acuerdo_amistad": "un acuerdo de amistad",
    "cooperacion": "un acuerdo de cooperación específica",
}
AREAS: dict[str, str] = {
    "cultura": "Cultura", "educacion": "Educación", "turismo": "Turismo",
    "economia": "Economía", "medio_ambiente": "Medio ambiente", "salud": "Salud",
    "deporte": "Deporte y juventud", "desarrollo_urbano": "Desarrollo urbano",
    "seguridad": "Seguridad", "ciencia": "Ciencia y tecnología",
}
TIPO_GENERADO = "generado"
"""`Documento.tipo` de la ficha y el oficio que genera el asistente."""
VERSION_FORMATO = 2
"""Súbala al cambiar cómo se dibuja la ficha o se llena el oficio: entra en la `huella`, así
no se reutilizan documentos hechos con el formato anterior (la plantilla DOCX ya cuenta)."""
IDIOMA_PDF = "es-MX"
"""Idioma de la ficha (/Lang del catálogo): el lector de pantalla lo pronuncia en español."""
LEYENDA = ("Documento informativo generado por el asistente del Programa Mexicano de Ciudades "
           "Hermanas. No es un dictamen ni sustituye los documentos oficiales del trámite.")


class Contacto(NamedTuple):
    """Enlace municipal del caso."""

    nombre: str
    cargo: str
    correo: str
    telefono: str


class DocumentoRecibido(NamedTuple):
    """Un documento ya recibido: tipo legible, nombre del archivo y fecha de recepción."""

    tipo: str
    nombre_archivo: str
    fecha: dt.date


class EventoLinea(NamedTuple):
    """Un renglón de la línea de tiempo."""

    fecha: dt.datetime
    descripcion: str


@dataclass(frozen=True, kw_only=True)
class DatosCaso:
    """Lo que necesitan la ficha y el oficio, ya en palabras (sin claves internas)."""

    folio: str
    tipo: TipoCaso
    ambito: Ambito
    estatus: str
    municipio: str
    estado: str
    ciudad_contraparte: str
    pais_contraparte: str
    areas: list[str]
    objetivos: str
    antecedentes: str | None = None
    fecha_cabildo: dt.date | None = None
    fecha_cabildo_prevista: dt.date | None = None
    contacto: Contacto = Contacto("", "", "", "")
    documentos: list[DocumentoRecibido] = field(default_factory=list)
    pendientes: list[str] = field(default_factory=list)
    eventos: list[EventoLinea] = field(default_factory=list)
    creado_en: dt.datetime


# ---------------------------------------------------------------- datos desde la base de datos

def hora_local(momento: dt.datetime) -> dt.datetime:
    """El momento en la zona horaria del asistente (un valor sin zona se toma como UTC)."""
    return en_zona(momento, ajustes().zona_horaria)


def datos_documento(
    caso: Caso, *, pendientes: Iterable[str] | None = None,
    areas: Mapping[str, str] | None = None,
) -> DatosCaso:
    """Convierte un `Caso` (con estado, municipio, eventos y documentos ya cargados) en datos.

    La ficha la recibe la persona: de la línea de tiempo lleva solo lo que es para ella
    (`eventos_para_persona`); de los documentos, los recibidos (no la ficha ni el oficio).

    `pendientes`: textos de lo que falta; por omisión, la aprobación de Cabildo (si no tiene
    fecha) y los documentos habituales que el caso no tiene. `areas`: nombres legibles de las
    áreas por clave (por omisión, los del registro).
    """
    nombres_area = dict(AREAS) | dict(areas or {})
    contacto = caso.contacto or {}
    if pendientes is None:
        pendientes = [nombre_documento(t, caso.ambito) for t in documentos_pendientes(caso)]
        if caso.fecha_cabildo is None:
            pendientes.insert(0, "Aprobación del acuerdo en sesión de Cabildo")
    eventos = [
        EventoLinea(hora_local(e.fecha), _descripcion_evento(e.descripcion, e.estatus_nuevo))
        for e in eventos_para_persona(caso.eventos)
    ]
    documentos = [
        DocumentoRecibido(nombre_documento(d.tipo, caso.ambito), d.nombre_archivo,
                          hora_local(d.creado_en).date())
        for d in caso.documentos if d.tipo != TIPO_GENERADO
    ]
    return DatosCaso(
        folio=caso.folio,
        tipo=cast(TipoCaso, caso.tipo if caso.tipo in TIPOS else "hermanamiento"),
        ambito="nacional" if caso.ambito == "nacional" else "internacional",
        estatus=en_palabras(caso.estatus).nombre,
        municipio=caso.municipio.nombre,
        estado=caso.estado.nombre,
        ciudad_contraparte=caso.ciudad_contraparte,
        pais_contraparte=caso.pais_contraparte,
        areas=[nombres_area.get(a, a) for a in caso.areas or []],
        objetivos=caso.objetivos or "",
        antecedentes=caso.antecedentes or None,
        fecha_cabildo=caso.fecha_cabildo,
        fecha_cabildo_prevista=caso.fecha_cabildo_prevista,
        contacto=Contacto(*(str(contacto.get(k) or "") for k in Contacto._fields)),
        documentos=documentos,
        pendientes=list(pendientes),
        eventos=eventos,
        creado_en=hora_local(caso.creado_en),
    )


def huella(datos: DatosCaso) -> str:
    """Huella (sha256) de los datos de la ficha y el oficio, y de su formato: si no cambia,
    los documentos ya generados sirven igual (no se escriben otros)."""
    contenido = json.dumps([VERSION_FORMATO, _huella_plantilla(), dataclasses.asdict(datos)],
                           ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(contenido.encode("utf-8")).hexdigest()


@lru_cache(maxsize=1)
def _huella_plantilla() -> str:
    return hashlib.sha256(PLANTILLA_OFICIO.read_bytes()).hexdigest()


def _descripcion_evento(descripcion: str, estatus_nuevo: str | None) -> str:
    """El texto del evento; si solo cambió el estatus, el nuevo estatus en palabras."""
    if estatus_nuevo and not descripcion.strip():
        return f"Estatus: {en_palabras(estatus_nuevo).nombre}."
    return descripcion


# ---------------------------------------------------------------- texto

def _limpio(texto: str | None) -> str:
    """Sin caracteres de control (salvo saltos de línea) ni espacios sobrantes."""
    return limpiar_entrada(texto or "", maximo=20_000)


# ---------------------------------------------------------------- ficha en PDF

_GUINDA = (157, 36, 73)
_GRIS_TEXTO = (60, 60, 60)
_GRIS_SUAVE = (242, 240, 240)
_GRIS_CELDA = (250, 249, 249)
_TABLA_LETRA = 9.5
_TABLA_LINEA = 5.2
_TABLA_MARGEN = 1.2
_TABLA_MAX_LINEAS = 30
_MAX_EVENTOS = 15
_LATIN1_EQUIVALENTES = str.maketrans({
    "—": "-", "–": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "•": "·",
    "€": "EUR", "\u00a0": " ",
})


_LINEAS_DEL_PIE: dict[tuple[object, ...], list[str]] = {}


class _Ficha(FPDF):
    """Hoja carta con encabezado institucional y pie con la leyenda."""

    def __init__(self, emitida: dt.datetime, unicode_necesario: bool = True,
                 folio: str = "") -> None:
        super().__init__(format="letter", unit="mm")
        self.emitida = emitida
        self.unicode = unicode_necesario and self._cargar_fuente()
        if not self.unicode:
            self.familia = "Helvetica"
        self.set_margins(18, 24, 18)
        self.set_auto_page_break(True, margin=26)
        self.set_title(f"Ficha del caso {folio}".strip())
        self.set_lang(IDIOMA_PDF)
        # El lector muestra el título del documento (no el nombre del archivo).
        self.viewer_preferences = ViewerPreferences(display_doc_title=True)
        self.set_author("Programa Mexicano de Ciudades Hermanas")
        self.set_subject("Ficha informativa de una iniciativa del Programa Mexicano de "
                         "Ciudades Hermanas")
        self.set_creation_date(emitida)

    # PDF etiquetado: cada bloque de texto es un elemento de la estructura (H1, H2, P) en el
    # orden de lectura; encabezado, pie y adornos son artefactos. fpdf2 2.8.9 arma un árbol
    # plano (Document > elementos) con sus secuencias marcadas: una tabla se lee fila por fila,
    # cada fila un párrafo. Un bloque nunca cruza de página (fpdf2 no lo admite): quien lo
    # abre se asegura antes de que cabe.
    @contextmanager
    def etiqueta(self, tipo: str) -> Iterator[None]:
        """Lo dibujado dentro es un elemento `tipo` («H1», «H2», «P») de la estructura."""
        pagina = self.page
        mcid = self.struct_builder.next_mcid_for_page(pagina)
        self._add_marked_content(struct_type=f"/{tipo}", mcid=mcid)
        self._out(f"/{tipo} <</MCID {mcid}>> BDC")
        yield
        if self.page != pagina:
            raise RuntimeError("un bloque etiquetado de la ficha cruzó de página")
        self._out("EMC")

    @contextmanager
    def artefacto(self) -> Iterator[None]:
        """Lo dibujado dentro no es contenido (encabezado, pie, líneas): no se lee."""
        self._out("/Artifact BMC")
        yield
        self._out("EMC")

    def partir(self, ancho: float, alto: float, texto: str) -> list[str]:
        """Las líneas en que se parte `texto` con la fuente actual. El ensayo no salta de
        página: un salto ensayado dibujaría el pie, y su etiqueta quedaría en el árbol sin
        contenido."""
        salto, margen = self.auto_page_break, self.b_margin
        self.set_auto_page_break(False)
        try:
            lineas = self.multi_cell(ancho, alto, texto, dry_run=True,
                                     output=MethodReturnValue.LINES)
        finally:
            self.set_auto_page_break(salto, margin=margen)
        return [str(linea) for linea in cast(list[str], lineas)]

    def lineas_etiquetadas(self, lineas: Sequence[str], alto: float, tipo: str = "P",
                           sangria: float = 0, primera: str = "") -> None:
        """Líneas ya partidas como un párrafo; si no caben en la página, lo que sigue es otro
        párrafo en la siguiente. `primera` (una viñeta) va antes de la primera línea."""
        restantes = list(lineas)
        while restantes:
            cupo = max(1, int((self.page_break_trigger - self.get_y() - 1e-6) // alto))
            if self.get_y() + alto > self.page_break_trigger:
                self.add_page()
                continue
            tramo, restantes = restantes[:cupo], restantes[cupo:]
            with self.etiqueta(tipo):
                for linea in tramo:
                    self.set_x(self.l_margin + sangria)
                    if primera:
                        self.cell(5, alto, primera)
                        primera = ""
                    elif sangria:
                        self.set_x(self.l_margin + sangria + 5)
                    self.cell(0, alto, linea, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def _cargar_fuente(self) -> bool:
        """DejaVu Sans si el sistema la tiene; si no, Helvetica (latin-1)."""
        normal, negrita = FUENTES_DEJAVU / "DejaVuSans.ttf", FUENTES_DEJAVU / "DejaVuSans-Bold.ttf"
        if normal.exists() and negrita.exists():
            self.add_font("Texto", "", str(normal))
            self.add_font("Texto", "B", str(negrita))
            self.familia = "Texto"
            return True
        self.familia = "Helvetica"
        return False

    def t(self, texto: str | None) -> str:
        """Texto seguro para la fuente en uso (sin perder acentos ni ñ)."""
        limpio = _limpio(texto)
        if self.unicode:
            fuente = self.fonts.get("texto")
            glifos = fuente.cmap if isinstance(fuente, TTFFont) else {}
            return "".join(c if c in "\n" or ord(c) in glifos else "?" for c in limpio)
        limpio = limpio.translate(_LATIN1_EQUIVALENTES)
        return limpio.encode("latin-1", errors="replace").decode("latin-1")

    def fuente(self, tamano: float, negrita: bool = False) -> None:
        self.set_font(self.familia, "B" if negrita else "", tamano)

    def header(self) -> None:
        with self.artefacto():
            self.set_fill_color(*_GUINDA)
            self.rect(0, 0, self.w, 16, style="F")
            self.set_xy(self.l_margin, 4.5)
            self.set_text_color(255, 255, 255)
            self.fuente(11.5, negrita=True)
            self.cell(0, 7, self.t("Programa Mexicano de Ciudades Hermanas — Ficha del caso"))
            self.set_text_color(*_GRIS_TEXTO)
        self.set_y(self.t_margin)

    def footer(self) -> None:
        """El pie (se repite en cada página) es artefacto, salvo la leyenda de la primera:
        una vez se lee como parte del documento."""
        self.set_y(-22)
        with self.artefacto():
            self.set_draw_color(*_GUINDA)
            self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(1.5)
        self.fuente(7.5)
        self.set_text_color(90, 90, 90)
        emitida = f"Emitida el {fecha_hora(self.emitida)} (hora del centro de México). "
        lineas = self._lineas(self.t(emitida + LEYENDA), 3.6)
        with self.etiqueta("P") if self.page == 1 else self.artefacto():
            for linea in lineas:
                self.cell(0, 3.6, linea, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        with self.artefacto():
            self.cell(0, 4, self.t(f"Página {self.page_no()} de {{nb}}"), align="R")

    def _lineas(self, texto: str, alto: float) -> list[str]:
        """Las líneas en que se parte `texto` a lo ancho de la página con la fuente actual.
        El pie es igual en cada página y en cada ficha del mismo minuto: se recuerda."""
        clave = (texto, self.familia, self.font_size_pt, self.epw, alto)
        lineas = _LINEAS_DEL_PIE.get(clave)
        if lineas is None:
            lineas = self.partir(0, alto, texto)
            if len(_LINEAS_DEL_PIE) >= 64:
                _LINEAS_DEL_PIE.clear()
            _LINEAS_DEL_PIE[clave] = lineas
        return lineas

    def titulo(self, texto: str) -> None:
        """Título de sección con una línea guinda debajo."""
        if self.get_y() > self.h - 50:
            self.add_page()
        self.ln(3)
        self.fuente(11, negrita=True)
        self.set_text_color(*_GUINDA)
        with self.etiqueta("H2"):
            self.cell(0, 7, self.t(texto), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        with self.artefacto():
            self.set_draw_color(*_GUINDA)
            self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(2)
        self.set_text_color(*_GRIS_TEXTO)

    def parrafo(self, texto: str, tamano: float = 10) -> None:
        self.fuente(tamano)
        self.lineas_etiquetadas(self.partir(0, 5, self.t(texto)), 5)

    def vinetas(self, elementos: list[str], vacio: str) -> None:
        """Lista con viñetas (cada elemento, un párrafo), o una frase si no hay elementos."""
        self.fuente(10)
        if not elementos:
            self.parrafo(vacio)
            return
        vineta = "•" if self.unicode else "·"
        ancho = self.epw - 7
        for elemento in elementos:
            self.lineas_etiquetadas(self.partir(ancho, 5, self.t(elemento)), 5,
                                    sangria=2, primera=vineta)

    def tabla(self, filas: Sequence[Sequence[str]], anchos: tuple[int, ...],
              encabezados: tuple[str, ...] | None = None) -> None:
        """Tabla con la primera columna (o el encabezado) resaltada y líneas entre filas.

        Dibujada a mano: cada celda se parte en líneas una sola vez. `FPDF.table` la parte
        varias veces y se llevaba tres cuartas partes del tiempo de la ficha."""
        total = sum(anchos)
        columnas = [self.epw * ancho / total for ancho in anchos]
        cabecera = self._partir(encabezados, columnas, _Celdas.ENCABEZADO) if encabezados else None
        if cabecera:
            self._fila(cabecera, columnas, _Celdas.ENCABEZADO)
        tipo = _Celdas.DATOS if cabecera else _Celdas.ROTULO_Y_VALOR
        for numero, valores in enumerate(filas):
            partes = self._partir(valores, columnas, tipo)
            if cabecera and self.get_y() + _alto(partes) > self.page_break_trigger:
                self.add_page()  # la fila sigue en otra página, con los encabezados arriba
                self._fila(cabecera, columnas, _Celdas.ENCABEZADO)
            self._fila(partes, columnas, tipo, zebra=bool(cabecera) and numero % 2 == 1)
        self.ln(1)

    def _partir(self, valores: Sequence[str], columnas: list[float],
                tipo: _Celdas) -> list[list[str]]:
        """Las líneas de cada celda, con la letra con que se dibujará."""
        partes = []
        for i, valor in enumerate(valores):
            self.fuente(_TABLA_LETRA, negrita=tipo.resaltada(i))
            texto, ancho = self.t(valor), columnas[i] - 2 * _TABLA_MARGEN
            if "\n" not in texto and self.get_string_width(texto) <= ancho - 1:
                partes.append([texto])  # cabe en una línea: no hace falta partirla
                continue
            partidas = self.partir(ancho, _TABLA_LINEA, texto) or [""]
            if len(partidas) > _TABLA_MAX_LINEAS:  # una fila nunca pasa de una página
                partidas = partidas[:_TABLA_MAX_LINEAS - 1] + [partidas[_TABLA_MAX_LINEAS - 1]
                                                               .rstrip()[:-1] + self.t("…")]
            partes.append(partidas)
        return partes

    def _fila(self, partes: list[list[str]], columnas: list[float], tipo: _Celdas,
              zebra: bool = False) -> None:
        """Dibuja una fila ya partida en líneas (en otra página si no cabe en esta)."""
        alto = _alto(partes)
        if self.get_y() + alto > self.page_break_trigger:
            self.add_page()
        y, x = self.get_y(), self.l_margin
        with self.artefacto():
            for i in range(len(partes)):
                relleno = (_GRIS_SUAVE if tipo.resaltada(i) else _GRIS_CELDA if zebra else None)
                if relleno is not None:
                    self.set_fill_color(*relleno)
                    self.rect(x, y, columnas[i], alto, style="F")
                x += columnas[i]
        x = self.l_margin
        with self.etiqueta("P"):  # la fila se lee de izquierda a derecha
            for i, lineas in enumerate(partes):
                self.fuente(_TABLA_LETRA, negrita=tipo.resaltada(i))
                self.set_text_color(*(_GUINDA if tipo is _Celdas.ENCABEZADO else _GRIS_TEXTO))
                for k, linea in enumerate(lineas):
                    self.set_xy(x + _TABLA_MARGEN, y + _TABLA_MARGEN + k * _TABLA_LINEA)
                    self.cell(columnas[i] - 2 * _TABLA_MARGEN, _TABLA_LINEA, linea)
                x += columnas[i]
        self.set_text_color(*_GRIS_TEXTO)
        with self.artefacto():
            self.set_draw_color(*_GUINDA)
            self.line(self.l_margin, y + alto, self.l_margin + self.epw, y + alto)
        self.set_xy(self.l_margin, y + alto)


class _Celdas(Enum):
    """Qué lleva una fila de tabla: encabezados, datos, o rótulo (resaltado) y valor."""

    ENCABEZADO = "encabezado"
    DATOS = "datos"
    ROTULO_Y_VALOR = "rotulo_y_valor"

    def resaltada(self, columna: int) -> bool:
        """¿La celda de esa columna va en negritas y con fondo?"""
        return self is _Celdas.ENCABEZADO or (self is _Celdas.ROTULO_Y_VALOR and columna == 0)


def _alto(partes: list[list[str]]) -> float:
    """Alto de una fila: la celda con más líneas más los márgenes."""
    return max(len(p) for p in partes) * _TABLA_LINEA + 2 * _TABLA_MARGEN


def _filas_datos(datos: DatosCaso) -> list[tuple[str, str]]:
    contacto = datos.contacto
    cabildo = (fecha_larga(datos.fecha_cabildo) if datos.fecha_cabildo
               else "Pendiente (aún no se aprueba en Cabildo)")
    if not datos.fecha_cabildo and datos.fecha_cabildo_prevista:
        cabildo += f"; sesión prevista el {fecha_larga(datos.fecha_cabildo_prevista)}"
    enlace = "\n".join(x for x in (contacto.nombre, contacto.cargo) if x) or "Sin registrar"
    filas = [
        ("Tipo de acuerdo", TIPOS.get(datos.tipo, datos.tipo)),
        ("Ámbito", "Internacional" if datos.ambito == "internacional"
         else "Nacional (dos municipios mexicanos; no lleva dictamen de la SRE)"),
        ("Estatus", datos.estatus),
        ("Municipio", f"{datos.municipio}, {datos.estado}"),
        ("Ciudad contraparte", datos.ciudad_contraparte),
        ("País contraparte", datos.pais_contraparte),
        ("Aprobación de Cabildo", cabildo),
        ("Registrado el", fecha_larga(hora_local(datos.creado_en))),
        ("Enlace municipal", enlace),
    ]
    if contacto.correo:
        filas.append(("Correo", contacto.correo))
    if contacto.telefono:
        filas.append(("Teléfono", telefono(contacto.telefono)))
    return filas


def _cabe_en_latin1(datos: DatosCaso) -> bool:
    """¿Todo el texto del caso se escribe con Helvetica (latin-1: acentos y ñ incluidos)?"""
    texto = repr(dataclasses.asdict(datos)).translate(_LATIN1_EQUIVALENTES)
    try:
        texto.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def ficha_pdf(datos: DatosCaso, *, emitida: dt.datetime | None = None) -> bytes:
    """La ficha del caso en PDF (carta, normalmente una o dos páginas).

    Con texto en español basta Helvetica (unas 7 veces más rápida); DejaVu solo se carga si
    algún nombre trae letras fuera de latin-1 («Łódź», «Kraków»).
    """
    pdf = _Ficha(hora_local(emitida or dt.datetime.now(dt.timezone.utc)),
                 unicode_necesario=not _cabe_en_latin1(datos), folio=_limpio(datos.folio))
    pdf.add_page()
    with pdf.etiqueta("H1"):  # «Folio HCH-…»: el título de la ficha
        pdf.fuente(9)
        pdf.cell(0, 5, pdf.t("Folio"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(*_GUINDA)
        pdf.fuente(24, negrita=True)
        pdf.cell(0, 11, pdf.t(datos.folio), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*_GRIS_TEXTO)
    pdf.fuente(11)
    pdf.lineas_etiquetadas(pdf.partir(0, 6, pdf.t(f"{datos.municipio}, {datos.estado} — "
                                                 f"{datos.ciudad_contraparte}, "
                                                 f"{datos.pais_contraparte}")), 6)

    pdf.titulo("Datos del caso")
    pdf.tabla(_filas_datos(datos), anchos=(30, 70))
    pdf.titulo("Áreas de cooperación")
    pdf.vinetas(datos.areas, "Sin áreas registradas.")
    pdf.titulo("Objetivos")
    pdf.parrafo(datos.objetivos or "Sin objetivos registrados.")
    if datos.antecedentes:
        pdf.titulo("Antecedentes")
        pdf.parrafo(datos.antecedentes)

    pdf.titulo("Documentos recibidos")
    if datos.documentos:
        pdf.tabla([(d.tipo, d.nombre_archivo, fecha_corta(d.fecha)) for d in datos.documentos],
                  anchos=(36, 46, 18), encabezados=("Documento", "Archivo", "Fecha"))
    else:
        pdf.parrafo("Aún no se ha recibido ningún documento.")
    pdf.titulo("Documentos y pasos pendientes")
    pdf.vinetas(datos.pendientes, "No hay pendientes registrados.")

    pdf.titulo("Línea de tiempo")
    eventos = sorted(datos.eventos, key=lambda e: e.fecha)
    if len(eventos) > _MAX_EVENTOS:
        pdf.parrafo(f"Se muestran los {_MAX_EVENTOS} eventos más recientes de {len(eventos)}.", 9)
        eventos = eventos[-_MAX_EVENTOS:]
    if eventos:
        pdf.tabla([(fecha_hora_corta(hora_local(e.fecha)), e.descripcion) for e in eventos],
                  anchos=(24, 76), encabezados=("Fecha", "Evento"))
    else:
        pdf.parrafo("Sin eventos registrados.")
    return bytes(pdf.output())


# ---------------------------------------------------------------- oficio en DOCX

def _contexto_oficio(datos: DatosCaso) -> dict[str, Any]:
    """Variables de la plantilla; los huecos sin dato quedan como [texto a completar]."""
    internacional = datos.ambito == "internacional"
    tipo = _TIPO_EN_FRASE.get(datos.tipo, "un acuerdo")
    ciudad, pais = _limpio(datos.ciudad_contraparte), _limpio(datos.pais_contraparte)
    if internacional:
        asunto = f"Solicitud de dictamen de procedencia de {tipo} con {ciudad}, {pais}."
    else:
        asunto = f"Aviso de {tipo} con el municipio de {ciudad}, {pais}."
    contacto = datos.contacto
    return {
        "internacional": internacional,
        "asunto": asunto,
        "folio": _limpio(datos.folio),
        "tipo_acuerdo": tipo,
        "municipio": _limpio(datos.municipio),
        "estado": _limpio(datos.estado),
        "ciudad": ciudad,
        "pais": pais,
        "areas": [_limpio(a) for a in datos.areas] or ["[áreas de cooperación por definir]"],
        "objetivos": _limpio(datos.objetivos) or "[objetivos del acuerdo]",
        "antecedentes": _limpio(datos.antecedentes),
        "fecha_cabildo": fecha_larga(datos.fecha_cabildo) if datos.fecha_cabildo else "",
        "fecha_prevista": fecha_larga(datos.fecha_cabildo_prevista)
        if datos.fecha_cabildo_prevista else "",
        "contacto_nombre": _limpio(contacto.nombre) or "[nombre del enlace municipal]",
        "contacto_cargo": _limpio(contacto.cargo) or "[cargo del enlace municipal]",
        "contacto_correo": _limpio(contacto.correo) or "[correo]",
        "contacto_telefono": telefono(_limpio(contacto.telefono)) or "[teléfono]",
    }


class _EntornoOficio(jinja2.Environment):
    """Jinja2 con autoescape que guarda compilada cada parte de la plantilla: docxtpl vuelve a
    compilar el XML en cada oficio, y compilar cuesta más que llenar."""

    def __init__(self) -> None:
        super().__init__(autoescape=True)
        self._compiladas: dict[str, jinja2.Template] = {}
        self._candado = threading.Lock()

    def from_string(self, source: str | jinja2.nodes.Template,
                    globals: MutableMapping[str, Any] | None = None,
                    template_class: type[jinja2.Template] | None = None) -> jinja2.Template:
        if not isinstance(source, str) or globals is not None or template_class is not None:
            return super().from_string(source, globals, template_class)
        with self._candado:
            plantilla = self._compiladas.get(source)
            if plantilla is None:
                if len(self._compiladas) >= 64:  # otra plantilla: no crecer sin límite
                    self._compiladas.clear()
                plantilla = self._compiladas[source] = super().from_string(source)
            return plantilla


@lru_cache(maxsize=1)
def _entorno_oficio() -> _EntornoOficio:
    return _EntornoOficio()


def oficio_docx(datos: DatosCaso, plantilla: Path = PLANTILLA_OFICIO) -> bytes:
    """Borrador editable del oficio: solicitud de dictamen (internacional) o aviso (nacional)."""
    contexto = _contexto_oficio(datos)
    documento = DocxTemplate(str(plantilla))
    documento.render(contexto, jinja_env=_entorno_oficio(), autoescape=True)
    propiedades = documento.docx.core_properties  # python-docx escapa estos valores
    propiedades.title = f"Oficio del folio {contexto['folio']}"
    propiedades.subject = contexto["asunto"]
    salida = io.BytesIO()
    documento.save(salida)
    return salida.getvalue()
