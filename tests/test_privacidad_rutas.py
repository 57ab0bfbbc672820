"""«Mis datos» y «borrar mis datos» de punta a punta: motor, base real y almacén de archivos."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.casos.repositorio import crear_caso, registrar_evento
from bot.config import ajustes
from bot.db.modelos import (
    Caso,
    Conversacion,
    Documento,
    EventoCaso,
    Mensaje,
    Municipio,
    Usuario,
    ahora,
)
from bot.nucleo.formato import fecha_larga
from bot.nucleo.mensajes import ArchivoEntrante, Canal, MensajeEntrante, Respuesta
from bot.privacidad.anonimizar import ELIMINADO
from bot.servicios import Servicios

NOMBRE = "Laura Méndez Ruiz"
CORREO = "laura.mendez@zapopan.gob.mx"
TELEFONO = "33 1234 5678"
PERSONALES = ("Laura", "Méndez", "laura.mendez", "1234 5678", "Ramírez", "rosa@", "Torres")
PDF = b"%PDF-1.4\n% acta de cabildo de prueba\n"


class Conversador:
    """Un usuario del canal REST que escribe o pulsa botones."""

    def __init__(self, servicios: Servicios, usuario: str = "u1") -> None:
        self.servicios = servicios
        self.usuario = usuario
        self.n = 0

    async def __call__(self, texto: str = "", payload: str | None = None,
                       archivo: ArchivoEntrante | None = None) -> list[Respuesta]:
        self.n += 1
        return await self.servicios.motor.procesar(MensajeEntrante(
            Canal.REST, self.usuario, f"{self.usuario}-{self.n}", texto=texto, payload=payload,
            archivo=archivo))


async def _preparar(servicios: Servicios) -> tuple[Conversador, str]:
    """Una funcionaria con perfil, consentimiento, mensajes con sus datos, un archivo suelto
    y un caso con contacto, comité, evento y documento oficial. Devuelve su folio."""
    laura = Conversador(servicios)
    await laura("hola")
    await laura(f"Soy {NOMBRE}, mi correo es {CORREO} y mi teléfono {TELEFONO}")
    await laura(archivo=ArchivoEntrante("identificacion_laura.pdf", "application/pdf",
                                        b"%PDF-1.4\n% identificacion personal\n"))
    async with servicios.almacen.escritura() as s:
        usuario = await s.scalar(select(Usuario).where(Usuario.id_externo == "u1"))
        municipio = await s.scalar(select(Municipio).where(Municipio.clave_inegi == "14120"))
        assert usuario is not None and municipio is not None
        usuario.nombre, usuario.rol = NOMBRE, "funcionario"
        usuario.estado_id, usuario.municipio_id = municipio.estado_id, municipio.id
        usuario.consentimiento_en, usuario.version_aviso = ahora(), "2026-11"
        conversacion = await s.scalar(
            select(Conversacion).where(Conversacion.usuario_id == usuario.id))
        assert conversacion is not None
        conversacion.respuestas = {"enlace": {"nombre": NOMBRE, "correo": CORREO}}
        caso = await crear_caso(s, {
            "estado_id": municipio.estado_id, "municipio_id": municipio.id,
            "usuario_id": usuario.id, "ciudad_contraparte": "San Antonio",
            "pais_contraparte": "Estados Unidos", "areas": ["educacion"],
            "objetivos": "Intercambio académico",
            "contacto": {"nombre": NOMBRE, "cargo": "Enlace de asuntos internacionales",
                         "correo": CORREO, "telefono": TELEFONO},
        }, f"usuario:{usuario.id}")
        caso.comite = [{"nombre": "Rosa Ramírez Torres", "cargo": "presidenta",
                        "correo": "rosa@ejemplo.mx"}]
        await registrar_evento(s, caso, "nota", f"Se habló con {NOMBRE} al {TELEFONO}.",
                               "asesor:1")
        guardado = servicios.documentos.guardar(PDF, "application/pdf")
        s.add(Documento(caso_id=caso.id, usuario_id=usuario.id, tipo="acta_cabildo",
                        nombre_archivo="acta_cabildo.pdf", mime="application/pdf",
                        tamano=guardado.tamano, sha256=guardado.sha256,
                        ruta=str(guardado.ruta)))
        folio = caso.folio
    return laura, folio


async def test_mis_datos_devuelve_lo_guardado(servicios: Servicios) -> None:
    laura, folio = await _preparar(servicios)
    respuestas = await laura("mis datos")
    resumen = respuestas[0].texto
    assert NOMBRE in resumen and folio in resumen and "Enviada" in resumen
    assert "Zapopan, Jalisco" in resumen and "versión 2026-11" in resumen
    assert "acta_cabildo.pdf" in resumen
    hoy = fecha_larga(ahora(), ajustes().zona_horaria)
    assert f"Aceptó el aviso de privacidad (versión 2026-11) el {hoy}." in resumen
    documento = respuestas[1].documento
    assert documento is not None and documento.mime == "application/json"
    datos = json.loads(documento.contenido)
    assert datos["perfil"]["nombre"] == NOMBRE and datos["perfil"]["rol"] == "funcionario"
    assert datos["consentimiento"]["version_aviso"] == "2026-11"
    assert datos["casos"][0]["folio"] == folio
    assert datos["casos"][0]["contacto"]["correo"] == CORREO
    assert any(CORREO in m["texto"] for m in datos["mensajes"])
    assert datos["conversacion"]["respuestas_parciales"]["enlace"]["nombre"] == NOMBRE
    assert {d["nombre_archivo"] for d in datos["documentos"]} == {
        "acta_cabildo.pdf", "identificacion_laura.pdf"}
    # El mismo resumen por botón; cuenta los mensajes guardados hasta ahora.
    otra = await laura(payload="/mis_datos")
    assert "Mensajes de esta conversación:" in otra[0].texto


async def test_borrar_pide_confirmacion_y_cancelar_no_borra(servicios: Servicios) -> None:
    laura, folio = await _preparar(servicios)
    sin_pedir = await laura(payload="/borrar_confirmar")
    assert "borrar mis datos" in sin_pedir[0].texto
    explicacion = await laura("Borrar mis datos")
    assert folio in explicacion[0].texto and "conservan" in explicacion[0].texto
    assert [b.payload for b in explicacion[0].botones] == ["/borrar_confirmar",
                                                           "/borrar_cancelar"]
    cancelado = await laura(payload="/borrar_cancelar")
    assert "no borré nada" in cancelado[0].texto
    tarde = await laura(payload="/borrar_confirmar")  # la solicitud ya no está vigente
    assert "borrar mis datos" in tarde[0].texto
    async with servicios.almacen.lectura() as s:
        usuario = await s.scalar(select(Usuario).where(Usuario.id_externo == "u1"))
        assert usuario is not None
        assert usuario.nombre == NOMBRE and usuario.anonimizado_en is None


async def test_borrar_anonimiza_y_conserva_el_caso(servicios_ambas: Servicios) -> None:
    servicios = servicios_ambas
    laura, folio = await _preparar(servicios)
    otro = Conversador(servicios, "u2")
    await otro("Me llamo Pedro Sánchez")
    export = await laura(payload="/mis_datos")  # deja un JSON con sus datos en el almacén
    assert export[1].documento is not None
    await laura(payload="/borrar_mis_datos")
    listo = await laura(payload="/borrar_confirmar")
    assert "borré sus datos" in listo[0].texto and folio in listo[0].texto

    async with servicios.almacen.lectura() as s:
        usuario = await s.scalar(select(Usuario).where(Usuario.id_externo == "u1"))
        assert usuario is not None
        assert usuario.anonimizado_en is not None
        assert (usuario.nombre, usuario.rol, usuario.estado_id, usuario.municipio_id) == (
            None, None, None, None)
        conversacion = await s.scalar(
            select(Conversacion).where(Conversacion.usuario_id == usuario.id))
        assert conversacion is not None and conversacion.respuestas == {}
        mensajes = (await s.scalars(select(Mensaje).where(
            Mensaje.conversacion_id == conversacion.id).order_by(Mensaje.id))).all()
        # Todo lo anterior a la respuesta final quedó en «[eliminado]», sin botones ni anexos.
        assert all(m.texto == ELIMINADO for m in mensajes[:-1])
        assert all(m.payload is None and m.botones is None and m.adjunto_id is None
                   for m in mensajes[:-1])
        for m in mensajes:
            assert not any(p in m.texto for p in PERSONALES)

        caso = await s.scalar(select(Caso).where(Caso.folio == folio))
        assert caso is not None
        assert caso.estatus == "enviada" and caso.municipio_id is not None
        assert caso.usuario_id == usuario.id
        assert caso.contacto == {"nombre": ELIMINADO, "cargo": "Enlace de asuntos internacionales",
                                 "correo": ELIMINADO, "telefono": ELIMINADO}
        assert caso.comite == [{"nombre": ELIMINADO, "cargo": "presidenta",
                                "correo": ELIMINADO}]
        eventos = (await s.scalars(select(EventoCaso).where(EventoCaso.caso_id == caso.id))).all()
        assert [e.tipo for e in eventos] == ["creado", "nota"]
        assert not any(p in e.descripcion for e in eventos for p in PERSONALES)

        documentos = (await s.scalars(select(Documento))).all()
        oficiales = [d for d in documentos if d.caso_id == caso.id]
        assert [d.nombre_archivo for d in oficiales] == ["acta_cabildo.pdf"]
        assert Path(oficiales[0].ruta).read_bytes() == PDF
        # El archivo suelto y el JSON de «mis datos» se borraron de la base y del disco.
        sueltos = [d for d in documentos if d.usuario_id == usuario.id and d.caso_id is None]
        assert sueltos == []
        archivos = [p for p in Path(servicios.ajustes.documentos_dir).rglob("*") if p.is_file()]
        contenidos = [p.read_bytes() for p in archivos]
        assert not any(b"identificacion personal" in c or NOMBRE.encode() in c
                       for c in contenidos)

        pedro = await s.scalar(select(Usuario).where(Usuario.id_externo == "u2"))
        assert pedro is not None and pedro.anonimizado_en is None
        suyos = (await s.scalars(select(Mensaje.texto).join(
            Conversacion, Conversacion.id == Mensaje.conversacion_id).where(
            Conversacion.usuario_id == pedro.id))).all()
        assert "Me llamo Pedro Sánchez" in suyos

    despues = await laura("mis datos")  # sigue pudiendo consultar: ya no hay nada personal
    assert "no registrado" in despues[0].texto and folio in despues[0].texto
    assert despues[1].documento is not None
    assert NOMBRE.encode() not in despues[1].documento.contenido


@pytest.mark.parametrize("frase", ["mis datos", "Mis datos", "borrar mis datos",
                                   "aviso de privacidad"])
async def test_frases_sin_nlu(servicios: Servicios, frase: str) -> None:
    conversador = Conversador(servicios)
    await conversador("hola")  # sin NLU, el primer mensaje siempre recibe el saludo
    respuestas = await conversador(frase)
    assert respuestas and "entend" not in respuestas[0].texto
