"""Los flujos a través del motor real y la base real: de «hola» al folio, y lo que pasa en
medio (preguntas, interrupciones, reanudar días después con otro proceso)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.config import Ajustes
from bot.db.modelos import Caso, Conversacion, Usuario
from bot.nucleo.mensajes import ArchivoEntrante, Canal
from bot.servicios import Servicios, crear_servicios

from conversacion import PERFIL, REGISTRO, Charla, decir_todo, registrar_iniciativa


# 1.2 s medido, casi todo el arranque del taller de documentos (otro proceso), que paga la
# primera prueba que genera documentos, esta u otra: no se marca lenta.
async def test_iniciativa_completa_con_folio_y_documentos(servicios: Servicios) -> None:
    charla = Charla(servicios.motor)
    folio = await registrar_iniciativa(charla)
    assert re.fullmatch(r"CH-\d{4}-NL-0001", folio)
    assert len(REGISTRO) <= 20  # meta: una iniciativa en ≤ 20 mensajes del usuario
    nombres = [r.documento.nombre for r in charla.ultimas if r.documento]
    assert nombres == [f"ficha-{folio}.pdf", f"oficio-{folio}.docx"]
    assert all(r.documento.contenido for r in charla.ultimas if r.documento)
    async with servicios.almacen.lectura() as s:
        caso = await s.scalar(select(Caso).where(Caso.folio == folio)
                              .options(selectinload(Caso.eventos)))
        usuario = await s.scalar(select(Usuario).where(Usuario.id_externo == "ana"))
    assert caso is not None and usuario is not None
    assert (caso.estatus, caso.ambito, caso.pais_contraparte) == (
        "enviada", "internacional", "Estados Unidos")
    assert caso.contacto["telefono"] == "+528112345678"
    assert caso.contacto["correo"] == "ana.perez@sanpedro.gob.mx"
    assert [e.tipo for e in caso.eventos][:1] == ["creado"]
    assert usuario.consentimiento_en is not None and usuario.rol == "funcionario"


async def test_pregunta_a_mitad_del_flujo_responde_y_retoma(servicios: Servicios) -> None:
    charla = Charla(servicios.motor)
    for m in PERFIL + REGISTRO[:3]:
        await (charla.di(payload=m) if m.startswith("/") else charla.di(m))
    assert "Anoto país: Estados Unidos" in charla.texto and "tipo de acuerdo" in charla.texto
    await charla.di("¿qué documentos piden normalmente?")
    assert "Fuente:" in charla.texto
    ultima = charla.ultimas[-1].texto
    assert "Sigamos" in ultima and "tipo de acuerdo" in ultima
    await charla.di("hermanamiento")
    assert "áreas" in charla.texto


async def test_reanudar_con_otro_motor_sobre_la_misma_base(servicios: Servicios) -> None:
    charla = Charla(servicios.motor)
    for m in PERFIL + REGISTRO[:4]:
        await (charla.di(payload=m) if m.startswith("/") else charla.di(m))
    assert "áreas" in charla.texto
    await servicios.cerrar()
    # Otro proceso (o el mismo, días después) con una instancia nueva sobre la misma base.
    otros = crear_servicios(servicios.ajustes, con_nlu=False)
    try:
        nueva = Charla(otros.motor)
        await nueva.di("continuar")
        assert "áreas" in nueva.texto
        await nueva.di("cultura")
        assert "lograr" in nueva.texto
        async with otros.almacen.lectura() as s:
            conversacion = await s.scalar(select(Conversacion))
        assert conversacion is not None and conversacion.flujo == "registro_iniciativa"
        assert conversacion.respuestas["ciudad"] == "San Antonio, Texas"
    finally:
        await otros.cerrar()


async def test_cancelar_atras_y_ayuda_a_mitad_del_flujo(servicios: Servicios) -> None:
    charla = Charla(servicios.motor)
    for m in PERFIL + REGISTRO[:3]:
        await (charla.di(payload=m) if m.startswith("/") else charla.di(m))
    assert "tipo de acuerdo" in charla.texto
    await charla.di("atrás")  # el país se tomó de la región: «atrás» vuelve a él
    assert "país" in charla.texto
    await charla.di("ayuda")
    assert "país" in charla.texto or "español" in charla.texto
    await charla.di("cancelar")
    assert "¿Descarto el registro de su iniciativa? Tiene 2 respuestas" in charla.texto
    await charla.pulsa("Sí, descartar")
    assert "no creé ningún caso" in charla.texto
    async with servicios.almacen.lectura() as s:
        assert await s.scalar(select(Caso)) is None


async def test_sin_consentimiento_responde_pero_no_registra(servicios: Servicios) -> None:
    charla = Charla(servicios.motor)
    await charla.di("hola")
    await charla.pulsa("No acepto")
    assert "no guardaré sus datos" in charla.texto
    await charla.di(payload="/iniciar registro_iniciativa")
    assert "consentimiento" in charla.texto
    await charla.di(payload="/tema marco_legal")
    assert "Fuente:" in charla.texto
    async with servicios.almacen.lectura() as s:
        usuario = await s.scalar(select(Usuario))
    assert usuario is not None and usuario.consentimiento_en is None and usuario.nombre is None


async def test_subir_documento_a_un_caso(servicios: Servicios) -> None:
    charla = Charla(servicios.motor, canal=Canal.WEB)  # REST no manda archivos
    folio = await registrar_iniciativa(charla)
    await charla.di(payload="/iniciar subir_documento")
    assert folio in charla.texto  # su único caso se propone
    await charla.pulsa("Sí")
    await charla.pulsa("Acta de Cabildo")
    pdf = b"%PDF-1.4 acta de cabildo certificada"
    await charla.di(archivo=ArchivoEntrante("acta.pdf", "application/pdf", pdf))
    assert "Recibí" in charla.texto and folio in charla.texto
    async with servicios.almacen.lectura() as s:
        caso = await s.scalar(select(Caso).options(selectinload(Caso.documentos)))
    assert caso is not None
    assert [(d.tipo, d.nombre_archivo) for d in caso.documentos if d.tipo != "generado"] == [
        ("acta_cabildo", "acta.pdf")]


async def test_seguimiento_muestra_estatus_y_siguiente_paso(servicios: Servicios) -> None:
    charla = Charla(servicios.motor)
    folio = await registrar_iniciativa(charla)
    await charla.di("como va mi tramite")
    if folio not in charla.texto:
        await charla.di(payload="/iniciar seguimiento")
    assert folio in charla.texto and "Enviada" in charla.texto


async def test_folio_ajeno_no_se_muestra(servicios: Servicios) -> None:
    ana = Charla(servicios.motor, "ana")
    folio = await registrar_iniciativa(ana)
    beto = Charla(servicios.motor, "beto")
    for m in PERFIL:
        await (beto.di(payload=m) if m.startswith("/") else beto.di(m))
    await beto.di(payload="/iniciar seguimiento")
    await beto.di(folio)
    assert "San Antonio" not in beto.texto and "ana.perez" not in beto.texto


@pytest.mark.lento
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(
    st.text(max_size=80),
    st.sampled_from(["atrás", "cancelar", "menú", "ayuda", "continuar", "/si", "/no", "/listo",
                     "/omitir", "/confirmar", "/iniciar registro_iniciativa", "/mun 19019",
                     "/op 1", "31/02/2024", "aún no", "Benito Juárez", "🙂🙂", "<b>x</b>"]),
), min_size=1, max_size=12))
async def test_ninguna_entrada_rompe_el_motor(servicios: Servicios, mensajes: list[str]) -> None:
    usuario = f"prop-{abs(hash(tuple(mensajes)))}"
    charla = Charla(servicios.motor, usuario=usuario)
    for m in mensajes:
        respuestas = await (charla.di(payload=m) if m.startswith("/") else charla.di(m))
        if not respuestas:
            # Solo se calla cuando una persona (asesor) tiene la conversación.
            async with servicios.almacen.lectura() as s:
                modo = await s.scalar(select(Conversacion.modo).join(
                    Usuario, Usuario.id == Conversacion.usuario_id).where(
                    Usuario.id_externo == usuario))
            assert modo == "humano", f"sin respuesta a {m!r}"


async def test_tres_fallos_ofrecen_asesor_y_escalan_por_validacion(servicios: Servicios) -> None:
    from bot.db.modelos import Escalamiento

    charla2 = Charla(servicios.motor, "carlos")
    for m in PERFIL:
        await (charla2.di(payload=m) if m.startswith("/") else charla2.di(m))
    await charla2.di(payload="/iniciar registro_iniciativa")
    await charla2.di(payload="/si")
    await charla2.di("San Antonio")
    for pais in ("Narnia", "Atlantis", "Mordor"):
        await charla2.di(pais)
    assert "Hablar con un asesor" in charla2.botones
    await charla2.pulsa("Hablar con un asesor")
    async with servicios.almacen.lectura() as s:
        esc = await s.scalar(select(Escalamiento))
    assert esc is not None and esc.motivo == "validacion"
    assert esc.detalle == "registro_iniciativa/pais"


async def test_ficha_y_oficio_a_pedido_desde_el_seguimiento(servicios: Servicios) -> None:
    charla = Charla(servicios.motor)
    folio = await registrar_iniciativa(charla)
    await charla.di(payload="/iniciar seguimiento")
    await charla.pulsa("Ficha y oficio")
    nombres = [r.documento.nombre for r in charla.ultimas if r.documento]
    assert nombres == [f"ficha-{folio}.pdf", f"oficio-{folio}.docx"]
    beto = Charla(servicios.motor, "beto")
    await beto.di(payload=f"/documentos {folio}")
    assert not any(r.documento for r in beto.ultimas)
    assert "No encontré" in beto.texto


@pytest.fixture
async def servicios_nlu(servidor_nlu: str, ajustes_prueba: Ajustes) -> AsyncIterator[Servicios]:
    """Los servicios con el servidor NLU real."""
    servicios = crear_servicios(ajustes_prueba.model_copy(update={"nlu_url": servidor_nlu}))
    yield servicios
    await servicios.cerrar()


@pytest.mark.nlu
async def test_lugar_mencionado_al_inicio_solo_se_confirma(servicios_nlu: Servicios) -> None:
    charla = Charla(servicios_nlu.motor)
    await charla.di("buenas, somos de san pedro garza garcia y queremos hermanarnos con "
                    "una ciudad de texas, q piden?")
    assert "Fuente:" in charla.texto  # la pregunta se contesta…
    assert "Aviso de privacidad" in charla.texto  # …y empieza la bienvenida
    await charla.pulsa("Acepto")
    # Pidió hermanarse y dijo su municipio: papel, estado y municipio en una línea.
    assert ("¿Trabaja usted en el ayuntamiento de San Pedro Garza García, Nuevo León?"
            in charla.texto)
    await charla.pulsa("Sí")
    assert "cómo se llama" in charla.texto
    # El registro que pidió sigue tras el perfil, sin pasar por el menú.
    await charla.di("Alicia Torres")
    assert "¿La iniciativa es del municipio de San Pedro Garza García" in charla.texto
    assert "¿En qué le ayudo?" not in charla.texto


@pytest.mark.nlu
async def test_primer_mensaje_que_se_presenta_no_recibe_una_respuesta_no_pedida(
        servicios_nlu: Servicios) -> None:
    """«soy del comité de Mérida» es una presentación (el NLU la toma por el intent
    «comite»): la bienvenida y el papel anotado, sin un artículo sobre el comité."""
    charla = Charla(servicios_nlu.motor)
    await charla.di("buenas noches, soy del comite de ciudades hermanas de merida yucatan")
    assert "Fuente:" not in charla.texto
    assert "Aviso de privacidad" in charla.texto
    await charla.pulsa("Acepto")
    assert "integrante de comité" in charla.texto.lower()


@pytest.mark.nlu
async def test_me_vuelve_a_mandar_el_oficio_reenvia_aunque_el_nlu_diga_subir_documento(
        servicios_nlu: Servicios) -> None:
    """El NLU toma «me vuelve a mandar el oficio» por `subir_documento`; el pedido sobre el
    caso (reenviar) ya decidió: no se abre el trámite de subir un documento."""
    charla = Charla(servicios_nlu.motor)
    folio = await registrar_iniciativa(charla)
    await charla.di("me vuelve a mandar el oficio")
    nombres = [r.documento.nombre for r in charla.ultimas if r.documento]
    assert f"oficio-{folio}.docx" in nombres
    assert "¿El documento es para el caso" not in charla.texto


@pytest.mark.nlu
async def test_pregunta_larga_de_privacidad_la_contesta_la_base_no_el_aviso(
        servicios_nlu: Servicios) -> None:
    """El NLU la toma por `privacidad`; pide un plazo, no el aviso integral."""
    charla = await decir_todo(Charla(servicios_nlu.motor), PERFIL)
    await charla.di("si pido mis datos arco en cuanto tiempo me contestan?")
    assert "Fuente:" in charla.texto and "*Responsable.*" not in charla.texto
    await charla.di("aviso de privacidad")
    assert "*Responsable.*" in charla.texto
