"""Ficha del caso (PDF) y borrador del oficio (DOCX) generados a partir de un caso."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from docx import Document
from lxml import etree
from pypdf import PdfReader
from sqlalchemy import select

from bot.casos.repositorio import adjuntar_documento, caso_por_folio, crear_caso
from bot.db.modelos import Documento, Municipio
from bot.documentos import generar
from bot.documentos.generar import (
    PLANTILLA_OFICIO,
    Contacto,
    DatosCaso,
    DocumentoRecibido,
    EventoLinea,
    datos_documento,
    ficha_pdf,
    oficio_docx,
)
from bot.servicios import Servicios

RAIZ = Path(__file__).resolve().parent.parent
HTML = '<script>alert("x")</script> & <b>Cía</b>'


def _datos(**cambios: object) -> DatosCaso:
    base = DatosCaso(
        folio="CH-2026-NL-0007", tipo="hermanamiento", ambito="internacional",
        estatus="En revisión estatal", municipio="San Nicolás de los Garza", estado="Nuevo León",
        ciudad_contraparte="Peñíscola", pais_contraparte="España",
        areas=["Cultura", "Educación", "Medio ambiente"],
        objetivos="Intercambio de jóvenes y cuidado del patrimonio histórico.",
        antecedentes="Visitas de estudiantes desde 2019.",
        fecha_cabildo=dt.date(2026, 2, 12),
        contacto=Contacto("María José Núñez Ibáñez", "Directora de Asuntos Internacionales",
                          "mjnunez@sanicolas.gob.mx", "8112345678"),
        documentos=[DocumentoRecibido("Acta de Cabildo certificada", "acta_cabildo.pdf",
                                      dt.date(2026, 2, 20))],
        pendientes=["Proyecto de acuerdo bilingüe", "Programa de trabajo (POA)"],
        eventos=[EventoLinea(dt.datetime(2026, 2, 20, 17, 3, tzinfo=dt.timezone.utc),
                             "Iniciativa registrada y enviada a la oficina estatal de enlace.")],
        creado_en=dt.datetime(2026, 2, 20, 11, 3),
    )
    return dataclasses.replace(base, **cambios)  # type: ignore[arg-type]


def _texto_pdf(contenido: bytes) -> str:
    lector = PdfReader(io.BytesIO(contenido))
    texto = "\n".join(pagina.extract_text() for pagina in lector.pages)
    return "\n".join(" ".join(renglon.split()) for renglon in texto.splitlines())


def _texto_docx(contenido: bytes) -> str:
    doc = Document(io.BytesIO(contenido))
    partes = [p.text for p in doc.paragraphs]
    seccion = doc.sections[0]
    partes += [p.text for p in seccion.header.paragraphs + seccion.footer.paragraphs]
    return "\n".join(partes)


def _xml_valido(contenido: bytes) -> None:
    """Cada parte XML del .docx se puede analizar con un parser estricto."""
    with zipfile.ZipFile(io.BytesIO(contenido)) as paquete:
        for nombre in paquete.namelist():
            if nombre.endswith(".xml") or nombre.endswith(".rels"):
                etree.fromstring(paquete.read(nombre))


# ------------------------------------------------------------------ ficha PDF

def test_ficha_pdf_con_folio_acentos_y_leyenda() -> None:
    contenido = ficha_pdf(_datos(), emitida=dt.datetime(2026, 3, 7, 16, 30, tzinfo=dt.timezone.utc))
    assert contenido.startswith(b"%PDF")
    assert 1 <= len(PdfReader(io.BytesIO(contenido)).pages) <= 2
    texto = _texto_pdf(contenido)
    for esperado in ("Programa Mexicano de Ciudades Hermanas", "Ficha del caso",
                     "CH-2026-NL-0007", "San Nicolás de los Garza", "Nuevo León", "Peñíscola",
                     "María José Núñez Ibáñez", "Educación", "Proyecto de acuerdo bilingüe",
                     "12 de febrero de 2026", "acta_cabildo.pdf", "No es un dictamen",
                     "7 de marzo de 2026 a las 10:30", "20/02/2026 11:03", "81 1234 5678"):
        assert esperado in texto, esperado


@pytest.mark.parametrize(
    ("guardado", "legible"),
    [("8112345678", "81 1234 5678"),  # como se guardaba antes de E.164
     ("+529988812800", "998 881 2800"),
     ("+528696968011;ext=12", "869 696 8011 ext. 12"),
     ("[eliminado]", "[eliminado]")],
)
def test_ficha_y_oficio_muestran_el_telefono_como_se_marca(guardado: str, legible: str) -> None:
    datos = _datos(contacto=Contacto("Ana Peña", "Enlace", "ana@x.mx", guardado))
    assert legible in _texto_pdf(ficha_pdf(datos))
    assert f"Tel. {legible} · ana@x.mx" in _texto_docx(oficio_docx(datos))


def test_ficha_pdf_muestra_html_y_signos_tal_cual() -> None:
    contenido = ficha_pdf(_datos(ciudad_contraparte=HTML, objetivos="50% & más <i>x</i> {{ y }}"))
    texto = _texto_pdf(contenido)
    assert '<script>alert("x")</script> & <b>Cía</b>' in texto
    assert "50% & más <i>x</i> {{ y }}" in texto


def test_ficha_pdf_sin_cabildo_ni_documentos_y_nacional() -> None:
    datos = _datos(ambito="nacional", pais_contraparte="México", fecha_cabildo=None,
                   documentos=[], pendientes=[], eventos=[], antecedentes=None,
                   ciudad_contraparte="Oaxaca de Juárez")
    texto = _texto_pdf(ficha_pdf(datos))
    assert "Pendiente" in texto
    assert "no lleva dictamen de la SRE" in texto
    assert "Aún no se ha recibido ningún documento" in texto


def test_ficha_pdf_texto_largo_y_caracteres_raros_no_fallan() -> None:
    muchos = [EventoLinea(dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
                          + dt.timedelta(days=i), f"Evento {i}") for i in range(40)]
    datos = _datos(objetivos="x" * 800 + " palabra" * 600, eventos=muchos,
                   ciudad_contraparte="東京 Tōkyō \x00\x0b\u200b ciudad")
    contenido = ficha_pdf(datos)
    texto = _texto_pdf(contenido)
    assert "Evento 39" in texto and "Evento 25" in texto
    assert "Evento 24" not in texto  # solo los 15 más recientes
    assert "Tōkyō" in texto


def test_ficha_pdf_tabla_que_cruza_de_pagina_repite_encabezados_y_no_pierde_filas() -> None:
    largo = "la oficina estatal revisó el expediente y pidió una corrección " * 2
    eventos = [EventoLinea(dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
                           + dt.timedelta(days=i), f"Evento {i}: {largo}") for i in range(15)]
    enorme = EventoLinea(dt.datetime(2026, 2, 1, tzinfo=dt.timezone.utc),
                         "Nota " + "palabra " * 900)
    lector = PdfReader(io.BytesIO(ficha_pdf(_datos(eventos=[*eventos, enorme]))))
    paginas = [" ".join(p.extract_text().split()) for p in lector.pages]
    assert len(paginas) >= 3
    todo = " ".join(paginas)
    for i in range(1, 15):  # el primero queda fuera: solo los 15 más recientes
        assert f"Evento {i}:" in todo, i
    # la fila enorme se recorta en vez de salirse de la página
    assert "Nota palabra" in todo and ("…" in todo or "..." in todo)
    con_eventos = [p for p in paginas if "Evento 1" in p or "Nota" in p]
    assert len(con_eventos) >= 2
    assert all("Fecha Evento" in p for p in con_eventos)  # encabezados en cada página


def test_ficha_pdf_sin_dejavu_usa_latin1_sin_perder_acentos(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(generar, "FUENTES_DEJAVU", tmp_path / "no-existe")
    contenido = ficha_pdf(_datos(ciudad_contraparte="Peñíscola — “centro” 東京"))
    texto = _texto_pdf(contenido)
    assert "CH-2026-NL-0007" in texto
    assert "Peñíscola" in texto and "María José Núñez Ibáñez" in texto
    assert "Ficha del caso" in texto


# ------------------------------------------------------------------ oficio DOCX

def test_oficio_internacional_pide_dictamen_a_la_sre() -> None:
    contenido = oficio_docx(_datos())
    _xml_valido(contenido)
    texto = _texto_docx(contenido)
    for esperado in ("CH-2026-NL-0007", "Peñíscola, España", "artículo 7",
                     "Ley sobre la Celebración de Tratados", "dictamen de procedencia",
                     "Dirección General de Coordinación Política", "Medio ambiente",
                     "12 de febrero de 2026", "[número de oficio]",
                     "[nombre del titular de la oficina estatal]", "María José Núñez Ibáñez",
                     "Directora de Asuntos Internacionales", "no son una lista oficial",
                     "Visitas de estudiantes desde 2019"):
        assert esperado in texto, esperado
    assert "no se solicita dictamen" not in texto
    assert "{{" not in texto and "{%" not in texto


def test_oficio_nacional_es_informativo() -> None:
    datos = _datos(ambito="nacional", ciudad_contraparte="Oaxaca de Juárez",
                   pais_contraparte="México", fecha_cabildo=None, antecedentes=None)
    texto = _texto_docx(oficio_docx(datos))
    assert "Oaxaca de Juárez" in texto and "CH-2026-NL-0007" in texto
    assert "no se solicita dictamen de procedencia" in texto
    assert "informativo" in texto
    assert "Dirección General de Coordinación Política" not in texto
    assert "aprobación del H. Cabildo está pendiente" in texto
    assert "Antecedentes" not in texto


def test_oficio_escapa_html_y_signos() -> None:
    datos = _datos(ciudad_contraparte=HTML, objetivos="A & B < C\nsegundo renglón",
                   contacto=Contacto("O'Brien & <Hijos>", "Enlace \"municipal\"", "a@b.mx",
                                     "8112345678\x0b"),
                   areas=["Cultura & <arte>"], antecedentes="{{ folio }} {% if x %}")
    contenido = oficio_docx(datos)
    _xml_valido(contenido)
    texto = _texto_docx(contenido)
    assert HTML in texto
    assert "A & B < C" in texto and "segundo renglón" in texto
    assert "O'Brien & <Hijos>" in texto and 'Enlace "municipal"' in texto
    assert "Cultura & <arte>" in texto
    assert "{{ folio }} {% if x %}" in texto  # el texto del usuario no se interpreta
    propiedades = Document(io.BytesIO(contenido)).core_properties
    assert HTML in propiedades.subject and propiedades.title == "Oficio del folio CH-2026-NL-0007"


def test_oficio_sin_contacto_deja_huecos_para_editar() -> None:
    texto = _texto_docx(oficio_docx(_datos(contacto=Contacto("", "", "", ""), areas=[])))
    assert "[nombre del enlace municipal]" in texto
    assert "[áreas de cooperación por definir]" in texto


@pytest.mark.servidor
def test_la_plantilla_versionada_es_la_que_genera_el_script(tmp_path: Path) -> None:
    """El script recrea una plantilla con el mismo texto que la versionada."""
    destino = tmp_path / "oficio.docx"
    subprocess.run([sys.executable, str(RAIZ / "scripts" / "crear_plantilla_oficio.py"),
                    str(destino)], check=True, capture_output=True)
    nueva = _texto_docx(destino.read_bytes())
    assert nueva == _texto_docx(PLANTILLA_OFICIO.read_bytes())
    assert "{%p if internacional %}" in nueva


# ------------------------------------------------------------------ desde la base de datos

async def test_datos_documento_desde_un_caso_real(servicios: Servicios) -> None:
    async with servicios.almacen.escritura() as s:
        municipio = await s.scalar(select(Municipio).where(Municipio.clave_inegi == "19046"))
        assert municipio is not None  # San Nicolás de los Garza
        caso = await crear_caso(s, {
            "estado_id": municipio.estado_id, "municipio_id": municipio.id,
            "tipo": "acuerdo_amistad", "ciudad_contraparte": "San Antonio",
            "pais_contraparte": "Estados Unidos", "areas": ["educacion", "medio_ambiente"],
            "objetivos": "Intercambio académico", "fecha_cabildo": dt.date(2026, 1, 15),
            "contacto": {"nombre": "Ana Peña", "cargo": "Enlace", "correo": "ana@x.mx",
                         "telefono": "8112345678"},
        }, "usuario:1")
        documento = Documento(tipo="otro", nombre_archivo="acta.pdf", mime="application/pdf",
                              tamano=10, sha256="0" * 64, ruta="/tmp/acta.pdf")
        s.add(documento)
        await s.flush()
        await adjuntar_documento(s, caso, documento, "acta_cabildo", "usuario:1")
        folio = caso.folio
    async with servicios.almacen.lectura() as s:
        leido = await caso_por_folio(s, folio)
        assert leido is not None
        datos = datos_documento(leido)
    assert datos.estatus == "Enviada" and datos.tipo == "acuerdo_amistad"
    assert datos.municipio == "San Nicolás de los Garza" and datos.estado == "Nuevo León"
    assert datos.areas == ["Educación", "Medio ambiente"]
    assert datos.contacto.nombre == "Ana Peña"
    assert [d.nombre_archivo for d in datos.documentos] == ["acta.pdf"]
    assert "Acta de Cabildo certificada" not in datos.pendientes
    assert len(datos.pendientes) == 3 and len(datos.eventos) == 2
    assert folio in _texto_pdf(ficha_pdf(datos))
    texto = _texto_docx(oficio_docx(datos))
    assert "un acuerdo de amistad" in texto and "San Antonio, Estados Unidos" in texto


async def test_datos_documento_sin_cabildo_lo_pone_en_pendientes(servicios: Servicios) -> None:
    async with servicios.almacen.escritura() as s:
        municipio = await s.scalar(select(Municipio).where(Municipio.clave_inegi == "20067"))
        assert municipio is not None  # Oaxaca de Juárez
        caso = await crear_caso(s, {
            "estado_id": municipio.estado_id, "municipio_id": municipio.id,
            "ambito": "nacional", "ciudad_contraparte": "Los Cabos", "pais_contraparte": "México",
            "areas": ["turismo"], "objetivos": "Promoción turística conjunta",
        }, "usuario:2")
        folio = caso.folio
    async with servicios.almacen.lectura() as s:
        leido = await caso_por_folio(s, folio)
        assert leido is not None
        datos = datos_documento(leido)
    assert datos.ambito == "nacional" and datos.fecha_cabildo is None
    assert datos.pendientes[0] == "Aprobación del acuerdo en sesión de Cabildo"
    assert datos.contacto == Contacto("", "", "", "")
    assert "no se solicita dictamen de procedencia" in _texto_docx(oficio_docx(datos))


@pytest.mark.skipif(not generar.FUENTES_DEJAVU.exists(), reason="sin fuentes DejaVu en el sistema")
def test_ficha_pdf_con_letras_fuera_de_latin1_usa_dejavu() -> None:
    texto = _texto_pdf(ficha_pdf(_datos(ciudad_contraparte="Łódź", pais_contraparte="Polonia")))
    assert "Łódź" in texto


def test_la_plantilla_no_trae_estilos_de_sobra() -> None:
    """Cada oficio lee y recomprime la plantilla entera: sin los ~800 KB de estilos que trae
    la de python-docx por omisión, y sin perder ninguno de los estilos que usa."""
    with zipfile.ZipFile(PLANTILLA_OFICIO) as paquete:
        nombres = set(paquete.namelist())
        estilos = paquete.read("word/styles.xml").decode()
        usados = set()
        for nombre in nombres:
            if nombre.startswith("word/") and nombre.endswith(".xml"):
                usados |= set(re.findall(r'w:(?:pStyle|rStyle|tblStyle) w:val="([^"]+)"',
                                         paquete.read(nombre).decode()))
    assert "word/stylesWithEffects.xml" not in nombres
    assert "docProps/thumbnail.jpeg" not in nombres
    assert len(estilos) < 20_000
    definidos = set(re.findall(r'w:styleId="([^"]+)"', estilos))
    assert usados <= definidos


def test_oficio_con_la_fecha_prevista_del_cabildo() -> None:
    """«aún no, la sesión es el 15 de enero»: el oficio dice la fecha en vez del hueco."""
    prevista = dt.date(2027, 1, 15)
    texto = _texto_docx(oficio_docx(_datos(fecha_cabildo=None, fecha_cabildo_prevista=prevista)))
    assert "la sesión está prevista para el 15 de enero de 2027" in texto
    assert "[fecha prevista de la sesión de Cabildo]" not in texto
    sin_fecha = _texto_docx(oficio_docx(_datos(fecha_cabildo=None)))
    assert "[fecha prevista de la sesión de Cabildo]" in sin_fecha
