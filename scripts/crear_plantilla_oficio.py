"""Crea la plantilla Word del oficio (bot/documentos/plantillas/oficio_solicitud_dictamen.docx).

La plantilla lleva etiquetas Jinja2 que docxtpl llena con los datos del caso. Los lugares que
quien firma debe completar van entre corchetes y resaltados en amarillo.

Uso: .venv/bin/python scripts/crear_plantilla_oficio.py [ruta_destino]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentoWord
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import XmlPart
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph

DESTINO = (
    Path(__file__).resolve().parent.parent
    / "bot" / "documentos" / "plantillas" / "oficio_solicitud_dictamen.docx"
)
_HUECO = re.compile(r"(\[[^\]{}%]+\])")
_GRIS = RGBColor(0x59, 0x59, 0x59)


def _escribir(parrafo: Paragraph, texto: str, negritas: bool = False) -> None:
    """Agrega `texto` al párrafo; cada [hueco] va en su propio run resaltado."""
    for parte in _HUECO.split(texto):
        if not parte:
            continue
        run = parrafo.add_run(parte)
        run.bold = negritas or None
        if _HUECO.fullmatch(parte):
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def _p(
    doc: DocumentoWord, texto: str = "", *, negritas: bool = False, derecha: bool = False,
    justificado: bool = False, estilo: str | None = None, despues: float = 6,
) -> Paragraph:
    """Un párrafo con formato sencillo."""
    parrafo = doc.add_paragraph(style=estilo)
    _escribir(parrafo, texto, negritas)
    formato = parrafo.paragraph_format
    formato.space_after = Pt(despues)
    if derecha:
        parrafo.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    elif justificado:
        parrafo.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    return parrafo


def _etiqueta(doc: DocumentoWord, etiqueta: str) -> None:
    """Párrafo con una sola etiqueta de bloque de docxtpl ({%p ... %}); desaparece al llenar."""
    doc.add_paragraph(f"{{%p {etiqueta} %}}")


def _destinatario(doc: DocumentoWord) -> None:
    """A quién va dirigido: la DGCP por conducto del estado, o solo la oficina estatal."""
    _etiqueta(doc, "if internacional")
    _p(doc, "[Nombre del titular de la Dirección General de Coordinación Política]",
       negritas=True, despues=0)
    _p(doc, "Director(a) General de Coordinación Política", despues=0)
    _p(doc, "Secretaría de Relaciones Exteriores", despues=0)
    _p(doc, "Presente", negritas=True, despues=10)
    _p(doc, "Por conducto de: [nombre del titular de la oficina estatal], "
       "[cargo del titular], [nombre de la oficina estatal de enlace] del Gobierno del Estado "
       "de {{ estado }}.", despues=12)
    _etiqueta(doc, "else")
    _p(doc, "[Nombre del titular de la oficina estatal]", negritas=True, despues=0)
    _p(doc, "[Cargo del titular]", despues=0)
    _p(doc, "[Nombre de la oficina estatal de enlace] del Gobierno del Estado de {{ estado }}",
       despues=0)
    _p(doc, "Presente", negritas=True, despues=12)
    _etiqueta(doc, "endif")


def _cuerpo(doc: DocumentoWord) -> None:
    """La solicitud (internacional) o el aviso (nacional), y los datos de la iniciativa."""
    _etiqueta(doc, "if internacional")
    _p(doc, "El artículo 7 de la Ley sobre la Celebración de Tratados dispone que los gobiernos "
       "municipales mantengan informada a la Secretaría de Relaciones Exteriores de todo "
       "acuerdo interinstitucional que pretendan celebrar con órganos gubernamentales "
       "extranjeros, y que esa Secretaría dictamine la procedencia de suscribirlo. Con ese "
       "fundamento, el Ayuntamiento de {{ municipio }}, {{ estado }}, solicita atentamente el "
       "dictamen de procedencia para {{ tipo_acuerdo }} que se propone celebrar con la ciudad "
       "de {{ ciudad }}, {{ pais }}.", justificado=True)
    _etiqueta(doc, "else")
    _p(doc, "Por este medio, el Ayuntamiento de {{ municipio }}, {{ estado }}, informa a esa "
       "oficina que prepara {{ tipo_acuerdo }} con el municipio de {{ ciudad }}, {{ pais }}.",
       justificado=True)
    _p(doc, "Como ambas partes son municipios mexicanos y no hay contraparte extranjera, el "
       "acuerdo no es un acuerdo interinstitucional en los términos de la Ley sobre la "
       "Celebración de Tratados; por ello no se solicita dictamen de procedencia a la "
       "Secretaría de Relaciones Exteriores. Este oficio es informativo, para el registro y "
       "el acompañamiento de esa oficina.", justificado=True)
    _etiqueta(doc, "endif")
    _p(doc, "La iniciativa está registrada en el asistente del Programa Mexicano de Ciudades "
       "Hermanas con el folio {{ folio }}. Sus datos principales son los siguientes:",
       justificado=True)
    _p(doc, "Áreas de cooperación propuestas:", negritas=True, despues=2)
    _etiqueta(doc, "for area in areas")
    _p(doc, "{{ area }}", estilo="List Bullet", despues=0)
    _etiqueta(doc, "endfor")
    _p(doc, "", despues=0)
    _p(doc, "Objetivos:", negritas=True, despues=2)
    _p(doc, "{{ objetivos }}", justificado=True)
    _etiqueta(doc, "if antecedentes")
    _p(doc, "Antecedentes:", negritas=True, despues=2)
    _p(doc, "{{ antecedentes }}", justificado=True)
    _etiqueta(doc, "endif")
    _etiqueta(doc, "if fecha_cabildo")
    _p(doc, "El H. Cabildo de {{ municipio }} aprobó la iniciativa en la sesión del "
       "{{ fecha_cabildo }}.", justificado=True)
    _etiqueta(doc, "elif fecha_prevista")
    _p(doc, "La aprobación del H. Cabildo está pendiente; la sesión está prevista para el "
       "{{ fecha_prevista }}. Se enviará copia certificada del acta en cuanto se celebre.",
       justificado=True)
    _etiqueta(doc, "else")
    _p(doc, "La aprobación del H. Cabildo está pendiente; la sesión está prevista para "
       "[fecha prevista de la sesión de Cabildo]. Se enviará copia certificada del acta en "
       "cuanto se celebre.", justificado=True)
    _etiqueta(doc, "endif")


def _anexos(doc: DocumentoWord) -> None:
    """Los anexos de costumbre, con la advertencia de que no son una lista oficial."""
    _p(doc, "Anexos:", negritas=True, despues=2)
    _etiqueta(doc, "if internacional")
    _p(doc, "Proyecto de acuerdo en español y en [idioma de la contraparte, si no es el español].",
       estilo="List Number", despues=0)
    _etiqueta(doc, "else")
    _p(doc, "Proyecto de acuerdo.", estilo="List Number", despues=0)
    _etiqueta(doc, "endif")
    _etiqueta(doc, "if fecha_cabildo")
    _p(doc, "Copia certificada del acta de la sesión de Cabildo del {{ fecha_cabildo }}.",
       estilo="List Number", despues=0)
    _etiqueta(doc, "endif")
    _p(doc, "Perfil de {{ ciudad }} (población, economía, gobierno y datos de contacto) y "
       "justificación del acuerdo.", estilo="List Number", despues=0)
    _p(doc, "Programa de trabajo (programa operativo anual) con las áreas de cooperación y sus "
       "responsables.", estilo="List Number", despues=6)
    nota = _p(doc, "[Nota para quien edita: estos anexos son los que se acostumbra enviar; no "
              "son una lista oficial. Confirme con la oficina estatal de enlace cuáles se "
              "requieren y borre esta nota.]", despues=12)
    for run in nota.runs:
        run.italic = True


def _firma(doc: DocumentoWord) -> None:
    """Despedida, firma del enlace municipal y copia."""
    _p(doc, "Agradezco de antemano su atención y quedo a sus órdenes para cualquier aclaración.",
       justificado=True, despues=18)
    _p(doc, "Atentamente", negritas=True, despues=36)
    _p(doc, "______________________________", despues=0)
    _p(doc, "{{ contacto_nombre }}", negritas=True, despues=0)
    _p(doc, "{{ contacto_cargo }}", despues=0)
    _p(doc, "Ayuntamiento de {{ municipio }}, {{ estado }}", despues=0)
    _p(doc, "Tel. {{ contacto_telefono }} · {{ contacto_correo }}", despues=18)
    ccp = _p(doc, "c.c.p. [Nombre del presidente municipal], Presidente(a) Municipal de "
             "{{ municipio }}. Para su conocimiento.", despues=0)
    for run in ccp.runs:
        run.font.size = Pt(9)


def _encabezado_y_pie(doc: DocumentoWord) -> None:
    """Membrete a completar y pie que recuerda que es un borrador."""
    seccion = doc.sections[0]
    encabezado = seccion.header.paragraphs[0]
    _escribir(encabezado, "[Membrete o logotipo del Ayuntamiento]")
    encabezado.alignment = WD_ALIGN_PARAGRAPH.CENTER
    pie = seccion.footer.paragraphs[0]
    _escribir(pie, "Borrador generado por el asistente del Programa Mexicano de Ciudades Hermanas "
              "a partir del folio {{ folio }}. Revíselo y complete lo marcado en amarillo antes "
              "de firmarlo.")
    pie.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for run in pie.runs:
        run.font.size = Pt(8)
        run.font.color.rgb = _GRIS


def crear_plantilla() -> DocumentoWord:
    """Arma el documento completo de la plantilla."""
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(11)
    seccion = doc.sections[0]
    seccion.page_width, seccion.page_height = Cm(21.59), Cm(27.94)
    seccion.left_margin = seccion.right_margin = Cm(2.5)
    seccion.top_margin = seccion.bottom_margin = Cm(2.5)
    propiedades = doc.core_properties
    propiedades.title = "Oficio"  # el título y el asunto reales se ponen al generar
    propiedades.author = "Asistente del Programa Mexicano de Ciudades Hermanas"
    propiedades.language = "es-MX"
    _encabezado_y_pie(doc)

    _p(doc, "Oficio núm. [número de oficio]", negritas=True, derecha=True, despues=0)
    _p(doc, "Asunto: {{ asunto }}", derecha=True, despues=0)
    _p(doc, "{{ municipio }}, {{ estado }}, a [fecha de firma].", derecha=True, despues=18)
    _destinatario(doc)
    _cuerpo(doc)
    _anexos(doc)
    _firma(doc)
    _aligerar(doc)
    return doc


_EFECTOS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
_REFERENCIAS_A_ESTILOS = ("w:pStyle", "w:rStyle", "w:tblStyle", "w:numStyleLink", "w:styleLink")
_CADENA_DE_ESTILOS = ("w:basedOn", "w:link", "w:next")


def _aligerar(doc: DocumentoWord) -> None:
    """Quita lo que la plantilla por omisión de python-docx trae y el oficio no usa: ~800 KB de
    estilos (latentes, sin usar y su copia «stylesWithEffects»), la miniatura y customXml.
    Cada oficio lee y vuelve a comprimir toda la plantilla: así pesa y tarda mucho menos."""
    for rid, rel in list(doc.part.rels.items()):
        if rel.reltype in (_EFECTOS, RT.CUSTOM_XML):
            del doc.part.rels[rid]
    paquete = doc.part.package
    for rid, rel in list(paquete.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del paquete.rels[rid]
    estilos = doc.styles.element
    for latentes in estilos.findall(qn("w:latentStyles")):
        estilos.remove(latentes)
    partes = [doc.part] + [r.target_part for r in doc.part.rels.values() if not r.is_external]
    usados = {
        elemento.get(qn("w:val"))
        for parte in partes if isinstance(parte, XmlPart)
        for referencia in _REFERENCIAS_A_ESTILOS
        for elemento in parte.element.iter(qn(referencia))
    }
    por_id = {e.get(qn("w:styleId")): e for e in estilos.findall(qn("w:style"))}
    usados |= {i for i, e in por_id.items() if e.get(qn("w:default")) == "1"}
    pendientes = list(usados)
    while pendientes:  # los estilos de los que dependen los usados
        estilo = por_id.get(pendientes.pop())
        for cadena in _CADENA_DE_ESTILOS if estilo is not None else ():
            hijo = estilo.find(qn(cadena))
            if hijo is not None and hijo.get(qn("w:val")) not in usados:
                usados.add(hijo.get(qn("w:val")))
                pendientes.append(hijo.get(qn("w:val")))
    for identificador, estilo in por_id.items():
        if identificador not in usados:
            estilos.remove(estilo)


def main(argv: list[str]) -> int:
    """Escribe la plantilla en la ruta indicada o en la de siempre."""
    destino = Path(argv[1]) if len(argv) > 1 else DESTINO
    destino.parent.mkdir(parents=True, exist_ok=True)
    crear_plantilla().save(str(destino))
    print(f"Plantilla escrita en {destino}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
