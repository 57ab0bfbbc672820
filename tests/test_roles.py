"""Roles que significan algo y hablar como persona (issue 19, puntos 5 y 6): lo que reconoce
el tono de un mensaje, la única división en preguntas, los pedidos después del folio y el
comité, que ve las iniciativas abiertas de su municipio, anota a sus integrantes y recibe sus
avisos de estatus (con la base real, migrada)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.db import diferidos
from bot.db.modelos import Caso, Conversacion, Mensaje, Usuario
from bot.escalamiento import casos
from bot.escalamiento.asesores import por_id
from bot.flujos import cargar_flujos
from bot.flujos.despues_del_folio import Pedido, dato_mencionado, pedido_de
from bot.nucleo.preguntas import partir_preguntas, pregunta_algo
from bot.nucleo.tono import Frustracion, es_ingles, frustracion
from bot.servicios import Servicios

from conversacion import Charla, registrar_iniciativa
from dobles import escalamiento_datos as datos


@pytest.mark.parametrize(("texto", "ingles"), [
    ("sorry, my spanish is not good", True),
    ("hello, do you speak english?", True),
    ("I want to register a sister city", True),
    ("no me entiende", False),           # «no» y «me» valen en los dos idiomas
    ("San Antonio, Texas", False),
    ("The Woodlands, Texas", False),     # un nombre propio con «The» no es inglés
    ("me llamo Anne Smith", False),
    ("ok thanks", False),                # muy corto para decidir
])
def test_ingles_por_palabras_funcionales(texto: str, ingles: bool) -> None:
    assert es_ingles(texto) is ingles


@pytest.mark.parametrize(("texto", "clase"), [
    ("no me entiende", Frustracion.NO_ENTIENDE),
    ("oiga, no sirve este bot", Frustracion.NO_ENTIENDE),
    ("ya le dije", Frustracion.REPETIDO),
    ("pues ya te dije!!", Frustracion.REPETIDO),
    ("qué lento", Frustracion.LENTO),
    ("ya le dije, cartagena de indias", None),   # trae la respuesta: la toma el paso
    ("el cabildo no funciona los lunes", None),
    ("no", None),
])
def test_frustracion_sola(texto: str, clase: Frustracion | None) -> None:
    assert frustracion(texto) is clase


def test_una_sola_division_en_preguntas() -> None:
    texto = ("Buenas tardes, soy regidora. ¿Qué es un hermanamiento? ¿Quién lo aprueba en el "
             "municipio? y otra pregunta: cómo se integra el comité de ciudades hermanas")
    assert partir_preguntas(texto) == [
        "¿Qué es un hermanamiento?", "¿Quién lo aprueba en el municipio?",
        "cómo se integra el comité de ciudades hermanas"]
    sin_signos = "Queremos hermanarnos con Laredo. El cabildo ya sesionó la semana pasada."
    assert partir_preguntas(sin_signos) == []
    assert len(partir_preguntas(sin_signos, oraciones_si_no_hay=True)) == 2
    assert partir_preguntas("¿Puedo escribir a ana@sanpedro.gob.mx con mis dudas?") == [
        "¿Puedo escribir a ana@sanpedro.gob.mx con mis dudas?"]  # el punto del correo no parte


@pytest.mark.parametrize(("texto", "pedido"), [
    ("me vuelve a mandar el oficio", Pedido.REENVIAR),
    ("no me llegó la ficha", Pedido.REENVIAR),
    ("ya me aprobo el cabildo ayer, como lo actualizo?", Pedido.ACTUALIZAR),
    ("quiero cambiar el correo del enlace", Pedido.ACTUALIZAR),
    ("cuando me contesta la sre", Pedido.CUANDO_SRE),
    ("¿ya contestó relaciones exteriores?", Pedido.CUANDO_SRE),
    ("¿qué es el oficio de solicitud?", None),
    ("¿el cabildo tiene que aprobarlo?", None),
    ("quiero cambiar un dato de mi caso", Pedido.ACTUALIZAR),
    ("oiga no hubo una iniciativa pa cambiar o quitar la ley de tratados? en q quedo", None),
])
def test_pedidos_despues_del_folio(texto: str, pedido: Pedido | None) -> None:
    assert pedido_de(texto) is pedido


def test_el_dato_a_actualizar_sale_de_las_opciones_del_flujo() -> None:
    flujo = cargar_flujos()["actualizar_caso"]
    assert dato_mencionado(flujo, "ya aprobó el Cabildo") == "fecha_cabildo"
    assert dato_mencionado(flujo, "cambió el teléfono") == "telefono"
    assert dato_mencionado(flujo, "quiero actualizar mi caso") is None


async def _comite(servicios: Servicios, usuario: str, municipio: str) -> Charla:
    charla = Charla(servicios.motor, usuario=usuario)
    for texto in ("hola", "/si", "integrante de comité", "Nuevo León", municipio,
                  "Luis Treviño"):
        await charla.di(payload=texto) if texto.startswith("/") else await charla.di(texto)
    return charla


@pytest.mark.lento  # genera la ficha PDF y el oficio DOCX del caso (~3 s)
async def test_el_comite_ve_el_caso_de_su_municipio_anota_y_recibe_avisos(
        servicios: Servicios) -> None:
    folio = await registrar_iniciativa(Charla(servicios.motor))  # San Pedro Garza García
    comite = await _comite(servicios, "luis", "San Pedro Garza García")
    otro = await _comite(servicios, "rita", "Monterrey")
    await otro.di(payload="/iniciar comite")
    await otro.pulsa("Recibir avisos")
    await otro.di("sí")  # pide avisos, pero de otro municipio

    await otro.di(payload="/iniciar seguimiento")
    assert folio not in otro.texto  # otro municipio: no lo ve
    await comite.di(payload="/iniciar seguimiento")
    assert folio in comite.texto
    await comite.di(payload="/documentos")  # la ficha y el oficio son de quien registró
    assert "Aún no tiene casos registrados" in comite.texto

    await comite.di(payload="/iniciar comite")
    await comite.pulsa("Anotar integrantes")
    assert "nombre completo de la primera persona" in comite.texto
    for texto in ("Luis Treviño Garza", "representante ciudadano", "no", "confirmar"):
        await comite.di(texto)
    assert f"registré 1 integrantes del comité en {folio}" in comite.texto
    async with servicios.almacen.lectura() as s:
        caso = await s.scalar(select(Caso).where(Caso.folio == folio))
        assert caso is not None and caso.comite == [
            {"nombre": "Luis Treviño Garza", "cargo": "representante ciudadano"}]

    await comite.di(payload="/iniciar comite")
    await comite.pulsa("Recibir avisos")
    await comite.di("sí")
    assert "le avisaré aquí" in comite.texto, comite.texto
    asesora_id = await datos.asesor(servicios, "laura@nl.gob.mx", estados=("NL",))
    async with servicios.almacen.escritura() as s:
        asesora = await por_id(s, asesora_id)
        assert asesora is not None
        caso_asesora = await casos.caso_por_folio(s, folio, asesora)
        assert caso_asesora is not None
        await casos.cambiar_estatus(servicios, s, caso_asesora, "en_revision_estatal", asesora,
                                    "Falta la constancia del tesorero, Lic. Pérez.")
    await diferidos.esperar()
    avisos = await _avisos_de_comite(servicios)
    assert list(avisos) == ["luis"]  # solo quien lo pidió y es de ese municipio
    assert f"la iniciativa {folio} de su municipio" in avisos["luis"]
    assert "En revisión estatal" in avisos["luis"]
    assert "Lic. Pérez" not in avisos["luis"]  # el comentario es para quien registró


async def _avisos_de_comite(servicios: Servicios) -> dict[str, str]:
    """Los avisos para el comité guardados en la bandeja de salida, por persona (en REST salen
    al frente de su siguiente respuesta HTTP)."""
    async with servicios.almacen.lectura() as s:
        filas = (await s.execute(
            select(Usuario.id_externo, Mensaje.texto)
            .join(Conversacion, Conversacion.usuario_id == Usuario.id)
            .join(Mensaje, Mensaje.conversacion_id == Conversacion.id)
            .where(Mensaje.direccion == "salida",
                   Mensaje.texto.contains("Aviso para el comité")))).all()
    return {externo: texto for externo, texto in filas}


@pytest.mark.parametrize(("texto", "pregunta"), [
    ("somos de Tlaquepaque y queremos hermanarnos con Guanajuato, que necesito", True),
    ("q piden para registrar", True),
    ("¿Cuánto cuesta?", True),
    ("buenas noches, soy del comite de ciudades hermanas de merida yucatan", False),
    ("Soy regidora de Tlaquepaque", False),
])
def test_pregunta_algo_en_cualquier_parte(texto: str, pregunta: bool) -> None:
    assert pregunta_algo(texto) is pregunta
