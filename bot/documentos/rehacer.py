"""Tras borrar los datos de una persona: rehacer, ya sin ellos, la ficha y el oficio de los
casos que la oficina conserva.

Los documentos generados (`Documento.tipo == "generado"`: ficha PDF, oficio DOCX, el JSON de
«mis datos») llevan nombre, correo y teléfono; el borrado los quita (`bot.documentos.borrado`)
y `rehacer_ficha_y_oficio` los vuelve a generar con el mismo código de siempre
(`datos_documento` y el taller) a partir del caso ya anonimizado; quedan sin `usuario_id`,
como documentos de la oficina.
"""

from __future__ import annotations

from pathlib import Path

from bot.casos.repositorio import caso_por_folio
from bot.db.modelos import Documento
from bot.db.sesion import Almacen
from bot.documentos import taller
from bot.documentos.almacen import AlmacenDocumentos
from bot.documentos.generar import datos_documento

GENERADO = "generado"
MIME_PDF = "application/pdf"
MIME_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def raiz_del_almacen(ruta: str | Path) -> Path:
    """La carpeta del almacén de un archivo guardado (`raiz/ab/abcdef….ext`)."""
    return Path(ruta).parent.parent


async def rehacer_ficha_y_oficio(almacen: Almacen, raiz: Path, folio: str) -> list[int]:
    """Genera de nuevo la ficha y el oficio del caso (fuera de la transacción que borró, en el
    taller) y los guarda como documentos del caso. Devuelve sus ids."""
    async with almacen.lectura() as s:
        caso = await caso_por_folio(s, folio)
        if caso is None:
            return []
        datos = datos_documento(caso)
        caso_id = caso.id
    pdf, docx = await taller.generar(datos)
    guardar = AlmacenDocumentos(raiz).guardar_sin_bloquear
    archivos = [(f"ficha-{folio}.pdf", MIME_PDF, await guardar(pdf, MIME_PDF)),
                (f"oficio-{folio}.docx", MIME_DOCX, await guardar(docx, MIME_DOCX))]
    async with almacen.escritura() as s:
        filas = [Documento(caso_id=caso_id, usuario_id=None, tipo=GENERADO, nombre_archivo=nombre,
                           mime=mime, tamano=g.tamano, sha256=g.sha256, ruta=str(g.ruta))
                 for nombre, mime, g in archivos]
        s.add_all(filas)
        await s.flush()
        return [f.id for f in filas]
