"""«No acepto» se cumple: de quien rechaza el consentimiento no queda el texto de lo que
escribe ni el de lo que se le responde, ni un dato de su perfil; las preguntas generales siguen
funcionando, y nadie de la oficina ve la conversación sin que la persona lo acepte antes.
Y los datos sensibles escritos en un trámite no se guardan."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.db.contexto_conversacion import leer_contexto
from bot.db.modelos import Conversacion, Documento, Escalamiento, Mensaje, Usuario
from bot.escalamiento.resumen import datos_resumen
from bot.escalamiento.rutas import DETALLE_COMPARTIR, DIRECTORIO_OFICINAS
from bot.motor.bandeja import DATO_SENSIBLE, RESPUESTA_NO_CONSERVADA, SIN_CONSENTIMIENTO
from bot.nucleo.mensajes import ArchivoEntrante, Canal, MensajeEntrante
from bot.servicios import Servicios

from conversacion import Charla

NOMBRE = "Roberta Quiñones Arriaga"
CORREO = "roberta.quinones@ejemplo.mx"


async def _rechaza(servicios: Servicios, usuario: str = "rechaza") -> Charla:
    charla = Charla(servicios.motor, usuario)
    # La plataforma da un nombre (como el perfil de WhatsApp o Telegram).
    charla.ultimas = await servicios.motor.procesar(MensajeEntrante(
        Canal.REST, usuario, f"{usuario}-inicio", texto="hola", nombre_usuario="Roberta Q."))
    assert "Acepto" in charla.botones
    await charla.pulsa("No acepto")
    assert "no guardaré sus datos personales" in charla.texto
    return charla


async def _todo_lo_guardado(servicios: Servicios) -> str:
    """Todo el texto de las tablas de la persona (usuario, conversación, mensajes,
    traspasos), como JSON."""
    async with servicios.almacen.lectura() as s:
        filas: list[Any] = []
        for modelo in (Usuario, Conversacion, Mensaje, Escalamiento):
            for fila in (await s.scalars(select(modelo))).all():
                filas.append({c.name: getattr(fila, c.key)
                              for c in modelo.__mapper__.columns})  # type: ignore[attr-defined]
    return json.dumps(filas, ensure_ascii=False, default=str)


async def _mensajes(servicios: Servicios) -> list[Mensaje]:
    async with servicios.almacen.lectura() as s:
        return list((await s.scalars(select(Mensaje).order_by(Mensaje.id))).all())


async def _traspasos(servicios: Servicios) -> list[Escalamiento]:
    async with servicios.almacen.lectura() as s:
        return list((await s.scalars(select(Escalamiento))).all())


async def test_no_acepto_no_guarda_lo_que_escribe_ni_lo_que_se_le_responde(
        servicios: Servicios) -> None:
    charla = await _rechaza(servicios)
    await charla.di(f"Me llamo {NOMBRE} y mi correo es {CORREO}")
    await charla.di(payload="/tema marco_legal")
    assert "Fuente:" in charla.texto, "las preguntas generales se siguen respondiendo"
    await charla.di(archivo=ArchivoEntrante("credencial_roberta.pdf", "application/pdf",
                                            b"%PDF-1.4 credencial de elector"))

    mensajes = await _mensajes(servicios)
    assert len(mensajes) >= 8
    entradas = [m for m in mensajes if m.direccion == "entrada"]
    salidas = [m for m in mensajes if m.direccion == "salida"]
    assert {m.texto for m in entradas} == {SIN_CONSENTIMIENTO}
    assert all(m.payload is None and m.adjunto_id is None for m in entradas)
    assert {m.texto for m in salidas} == {RESPUESTA_NO_CONSERVADA}
    guardado = (await _todo_lo_guardado(servicios)).lower()
    # (Los botones que ofreció el asistente, como «No acepto», no son suyos: se conservan.)
    for dato in ("roberta", "quiñones", CORREO, '"hola"', "marco legal", "marco_legal",
                 "credencial", "fuente:"):
        assert dato not in guardado, dato
    async with servicios.almacen.lectura() as s:
        usuario = await s.scalar(select(Usuario))
        conversacion = await s.scalar(select(Conversacion))
        assert usuario is not None and conversacion is not None
        assert (usuario.nombre, usuario.rol, usuario.estado_id, usuario.municipio_id,
                usuario.consentimiento_en) == (None, None, None, None, None)
        contexto = leer_contexto(conversacion)
        assert contexto.consentimiento_rechazado and contexto.nombre_canal is None
        assert conversacion.respuestas == {} and conversacion.flujo is None
        assert (await s.scalars(select(Documento))).all() == []
    carpeta = Path(servicios.ajustes.documentos_dir)
    assert not any(b"credencial" in a.read_bytes() for a in carpeta.rglob("*") if a.is_file())


async def test_acepta_despues_y_lo_nuevo_se_guarda(servicios: Servicios) -> None:
    charla = await _rechaza(servicios)
    await charla.di(payload="/iniciar registro_iniciativa")
    await charla.pulsa("Revisar el aviso")
    await charla.pulsa("Acepto")
    await charla.di("funcionario")
    async with servicios.almacen.lectura() as s:
        usuario = await s.scalar(select(Usuario))
        ultimo = await s.scalar(select(Mensaje).where(Mensaje.direccion == "entrada")
                                .order_by(Mensaje.id.desc()).limit(1))
    assert usuario is not None and usuario.consentimiento_en is not None
    assert ultimo is not None and ultimo.texto == "funcionario"


async def test_sin_consentimiento_pregunta_antes_de_pasar_a_una_persona(
        servicios: Servicios) -> None:
    charla = await _rechaza(servicios)
    await charla.di("blorf snarg vop")
    assert "Sí, compartir" not in charla.botones
    await charla.di("qwzx plonk dribb")  # el segundo «no le entendí»: se ofrece, no se escala
    assert "Sí, compartir" not in charla.botones
    assert await _traspasos(servicios) == []

    await charla.di("asesor")
    assert charla.botones == ["Sí, compartir", "No, gracias"]
    assert "no los guardé" in charla.texto and "¿Está de acuerdo?" in charla.texto
    assert await _traspasos(servicios) == []
    await charla.pulsa("No, gracias")
    assert DIRECTORIO_OFICINAS in charla.texto and "oficina estatal" in charla.texto
    assert await _traspasos(servicios) == []

    await charla.di("asesor")
    assert charla.botones == ["Sí, compartir", "No, gracias"]
    assert await _traspasos(servicios) == []
    await charla.pulsa("Sí, compartir")
    (traspaso,) = await _traspasos(servicios)
    assert traspaso.compartir_aceptado_en is not None
    assert traspaso.detalle == DETALLE_COMPARTIR and traspaso.motivo == "solicitud_usuario"

    # Lo que escribe mientras la atienden sí lo lee la persona que la atiende.
    await charla.di("Necesito saber cómo empezar, soy de Zapopan")
    async with servicios.almacen.lectura() as s:
        conversacion = await s.scalar(select(Conversacion))
        esc = await s.get(Escalamiento, traspaso.id)
        assert conversacion is not None and esc is not None
        resumen = await datos_resumen(s, esc)
    textos = [m["texto"] for m in resumen["mensajes"]]
    assert "Necesito saber cómo empezar, soy de Zapopan" in textos
    assert not any(t in " ".join(textos) for t in ("blorf", "qwzx", "Roberta"))
    assert resumen["usuario"].startswith("Usuario ")


async def test_sin_consentimiento_el_si_escrito_tambien_vale(servicios: Servicios) -> None:
    charla = await _rechaza(servicios)
    await charla.di("asesor")
    assert charla.botones == ["Sí, compartir", "No, gracias"]
    await charla.di("sí")
    (traspaso,) = await _traspasos(servicios)
    assert traspaso.compartir_aceptado_en is not None


async def test_con_consentimiento_el_traspaso_no_pregunta(servicios: Servicios) -> None:
    charla = Charla(servicios.motor, "acepta")
    await charla.di("hola")
    await charla.pulsa("Acepto")
    await charla.di("asesor")
    (traspaso,) = await _traspasos(servicios)
    assert traspaso.compartir_aceptado_en is None


async def test_un_dato_de_salud_no_se_guarda_en_el_perfil(servicios: Servicios) -> None:
    charla = Charla(servicios.motor, "sensible")
    for mensaje in ("hola", "/si", "funcionario", "Nuevo León", "San Pedro Garza García"):
        if mensaje.startswith("/"):
            await charla.di(payload=mensaje)
        else:
            await charla.di(mensaje)
    assert "cómo se llama" in charla.texto
    await charla.di("Ana Pérez, estoy embarazada")
    # El nombre se toma de la oración sin lo sensible (issue 19.2), que no se guarda.
    assert "No guardo datos de salud; no hace falta para el trámite." in charla.texto
    assert "Gracias, Ana Pérez" in charla.texto
    async with servicios.almacen.lectura() as s:
        usuario = await s.scalar(select(Usuario))
        conversacion = await s.scalar(select(Conversacion))
        textos = (await s.scalars(select(Mensaje.texto))).all()
    assert conversacion is not None
    assert "embarazada" not in json.dumps([conversacion.respuestas, conversacion.contexto],
                                          ensure_ascii=False)
    assert DATO_SENSIBLE in textos and not any("embarazada" in (t or "") for t in textos)
    assert usuario is not None and usuario.nombre == "Ana Pérez"


async def test_una_afiliacion_politica_no_se_guarda_en_el_registro(servicios: Servicios) -> None:
    charla = Charla(servicios.motor, "politica")
    for mensaje in ("hola", "/si", "funcionario", "Nuevo León", "San Pedro Garza García",
                    "Ana Pérez", "quiero registrar un hermanamiento", "/si",
                    "San Antonio, Texas", "hermanamiento",
                    "educación y cultura"):
        if mensaje.startswith("/"):
            await charla.di(payload=mensaje)
        else:
            await charla.di(mensaje)
    await charla.di("Intercambio entre militantes de nuestro partido en ambas ciudades")
    assert "No guardo opiniones ni afiliaciones políticas" in charla.texto
    async with servicios.almacen.lectura() as s:
        conversacion = await s.scalar(select(Conversacion))
    assert conversacion is not None and conversacion.paso == "objetivos"
    assert "militantes" not in json.dumps(conversacion.respuestas, ensure_ascii=False)
    # Un partido de futbol no es una afiliación política.
    await charla.di("Intercambio deportivo: un partido de futbol amistoso cada año")
    async with servicios.almacen.lectura() as s:
        conversacion = await s.scalar(select(Conversacion))
    assert conversacion is not None and conversacion.paso != "objetivos"
    assert "partido de futbol" in json.dumps(conversacion.respuestas, ensure_ascii=False)
