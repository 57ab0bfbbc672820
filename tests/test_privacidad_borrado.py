"""«Borrar mis datos» borra de verdad: en toda la base (cada columna de texto o JSON de cada
tabla), en todo el almacén de documentos (texto extraído de los PDF y DOCX) y en los ids de
WhatsApp. El enlace viejo de un documento deja de servirlo y la oficina conserva el caso, con
su ficha y su oficio rehechos sin los datos de la persona."""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bot.config import Ajustes, AjustesWhatsApp
from bot.db.modelos import (
    Caso,
    Conversacion,
    Documento,
    Escalamiento,
    EventoCaso,
    NotaAsesor,
    Usuario,
)
from bot.privacidad.anonimizar import ELIMINADO, Conocidos
from bot.privacidad.identificadores import Seudonimos, es_seudonimo
from bot.servicios import Servicios

from conversacion import REGISTRO
from dobles import escalamiento_datos as datos
from dobles import fabricas_whatsapp as fw
from dobles.aplicacion import app_en_hilo, consultar
from dobles.busqueda_datos import (
    Buscador,
    en_base64,
    texto_de_archivo,
    textos_de_documentos,
    textos_de_la_base,
)
from dobles.conversar import ConversadorWhatsApp
from dobles.graph_falso import PHONE_ID, SECRETO_APP, TOKEN, VERIFICACION, GraphFalso
from dobles.servidor_hilo import ServidorEnHilo

NOMBRE = "Roberto Quiñones Zendejas"
CORREO = "r.quinones@sanpedro.gob.mx"
TELEFONO = "(81) 8765-4321"
FORMATOS_TELEFONO = ("8187654321", "81 8765 4321", "81-8765-4321", "(81) 8765-4321",
                     "+52 81 8765 4321", "+528187654321", "521 81 8765 4321")
PERFIL = ["hola", "/si", "funcionario", "Nuevo León", "San Pedro Garza García", NOMBRE]
RUTA_REST = "/webhooks/rest/webhook"
REMITENTE = "rest-7f3a"


def _registro() -> list[str]:
    """El registro de conversacion.py con el correo y el teléfono de esta persona."""
    return [CORREO if "@" in m else TELEFONO if m.startswith("(81)") else m for m in REGISTRO]


def _buscador() -> Buscador:
    return Buscador([NOMBRE, "Roberto", "Quiñones", "Zendejas", CORREO], FORMATOS_TELEFONO)


def test_ocultar_reconoce_el_nombre_por_palabra_y_el_telefono_con_cualquier_formato() -> None:
    conocidos = Conocidos()
    conocidos.de_campos({"nombre": NOMBRE, "correo": CORREO, "telefono": "+528187654321",
                         "cargo": "Director"}, propios=True)
    for formato in FORMATOS_TELEFONO:
        assert conocidos.ocultar(f"Tel. {formato}, extensión 12") == (
            f"Tel. {ELIMINADO}, extensión 12"), formato
    assert conocidos.ocultar("Cerrado, gracias Roberto") == f"Cerrado, gracias {ELIMINADO}"
    assert conocidos.ocultar("habló con ROBERTO QUINONES zendejas") == f"habló con {ELIMINADO}"
    assert conocidos.ocultar(f"Escribir a {CORREO.upper()}") == f"Escribir a {ELIMINADO}"
    # Lo demás queda: otra persona, otro teléfono (enmascarado por si acaso), el folio.
    assert conocidos.ocultar("Lo atendió Laura; folio CH-2026-NL-0001") == (
        "Lo atendió Laura; folio CH-2026-NL-0001")
    assert conocidos.ocultar("La oficina: 55 1111 2222") == "La oficina: [teléfono]"


def test_las_respuestas_de_un_tramite_a_medias_no_confunden_lugares_con_nombres() -> None:
    conocidos = Conocidos()
    conocidos.de_campos({"municipio": {"nombre": "San Pedro Garza García"},
                         "pais": {"nombre": "Estados Unidos"}, "ciudad": "San Antonio",
                         "enlace": {"nombre": NOMBRE, "cargo": "Director"},
                         "integrantes": [{"nombre": "Rosa Ramírez Torres"}]}, propios=True)
    texto = "San Pedro Garza García con San Antonio (Estados Unidos); preside Rosa Torres"
    assert conocidos.ocultar(texto) == texto
    assert conocidos.ocultar("Enlace: Roberto; comité: Rosa Ramírez Torres") == (
        f"Enlace: {ELIMINADO}; comité: {ELIMINADO}")


@pytest.fixture
def app(ajustes_prueba: Ajustes) -> Iterator[ServidorEnHilo]:
    with app_en_hilo(ajustes_prueba) as servidor:
        yield servidor


def _decir(cliente: httpx.Client, texto: str) -> list[dict[str, object]]:
    r = cliente.post(RUTA_REST, json={"sender": REMITENTE, "message": texto,
                                      "message_id": secrets.token_hex(6)})
    assert r.status_code == 200, r.text
    respuesta: list[dict[str, object]] = r.json()
    return respuesta


async def _notas_de_la_oficina(servicios: Servicios, folio: str) -> None:
    """Lo que la oficina escribió sobre la persona: notas del caso, un traspaso cerrado con su
    nota y una nota interna de la conversación."""
    asesor_id = await datos.asesor(servicios, "asesora@nl.gob.mx", estados=("NL",))
    async with servicios.almacen.escritura() as s:
        caso = await s.scalar(select(Caso).where(Caso.folio == folio))
        usuario = await s.scalar(select(Usuario).where(Usuario.id_externo == REMITENTE))
        assert caso is not None and usuario is not None
        conversacion = await s.scalar(select(Conversacion).where(
            Conversacion.usuario_id == usuario.id))
        assert conversacion is not None
        s.add(EventoCaso(caso_id=caso.id, tipo="traspaso_cerrada",
                         descripcion="Cerrado, gracias Roberto", actor=f"asesor:{asesor_id}",
                         datos={"nota": f"Llamar a Quiñones al {FORMATOS_TELEFONO[1]}"}))
        s.add(EventoCaso(caso_id=caso.id, tipo="nota", actor=f"asesor:{asesor_id}",
                         descripcion=f"Se habló con {NOMBRE} al +52 81 8765 4321 y se le "
                                     f"escribió a {CORREO}. Falta el acta."))
        esc = Escalamiento(conversacion_id=conversacion.id, caso_id=caso.id,
                           estado_id=caso.estado_id, motivo="solicitud_usuario",
                           detalle="Soy Roberto, mi cel es 8187654321", estado="cerrada",
                           asesor_id=asesor_id, nota_cierre="Atendido; Roberto pidió informes")
        s.add(esc)
        await s.flush()
        s.add(NotaAsesor(conversacion_id=conversacion.id, escalamiento_id=esc.id,
                         asesor_id=asesor_id, texto=f"{NOMBRE} prefiere correo: {CORREO}"))


@pytest.mark.servidor
@pytest.mark.lento
async def test_borrar_no_deja_nada_en_la_base_ni_en_los_documentos(
        app: ServidorEnHilo, servicios: Servicios, url_bd: str) -> None:
    carpeta = Path(servicios.ajustes.documentos_dir)
    with httpx.Client(base_url=app.url, timeout=60) as cliente:
        ultima: list[dict[str, object]] = []
        for mensaje in PERFIL + _registro():
            ultima = _decir(cliente, mensaje)
        texto = " ".join(str(e.get("text", "")) for e in ultima)
        encontrado = re.search(r"CH-\d{4}-NL-\d{4}", texto)
        assert encontrado, texto
        folio = encontrado.group(0)
        enlaces = [str(e["attachment"]["url"]) for e in ultima  # type: ignore[index]
                   if "attachment" in e]
        assert len(enlaces) == 2
        for enlace in enlaces:
            assert cliente.get(enlace).status_code == 200
        _decir(cliente, "mis datos")  # deja también el JSON de «mis datos» en el almacén
        await _notas_de_la_oficina(servicios, folio)

        # Antes de borrar, la búsqueda sí los encuentra (no es una búsqueda vacía).
        buscador = _buscador()
        antes_bd = {h.dato for h in buscador.buscar(textos_de_la_base(url_bd))}
        antes_docs = {h.dato for h in buscador.buscar(textos_de_documentos(carpeta))}
        assert {"roberto quinones zendejas", "r.quinones@sanpedro.gob.mx", "8187654321",
                "roberto"} <= antes_bd
        assert {"roberto quinones zendejas", "r.quinones@sanpedro.gob.mx",
                "8187654321"} <= antes_docs

        explicacion = _decir(cliente, "borrar mis datos")
        assert "documentos que le generé" in str(explicacion[0]["text"])
        listo = _decir(cliente, "/borrar_confirmar")
        assert "borré sus datos" in str(listo[0]["text"]) and folio in str(listo[0]["text"])

        for enlace in enlaces:  # el enlace firmado de antes ya no entrega el documento
            assert cliente.get(enlace).status_code in (404, 410)

    hallazgos = buscador.buscar(textos_de_la_base(url_bd))
    assert hallazgos == [], hallazgos
    hallazgos = buscador.buscar(textos_de_documentos(carpeta))
    assert hallazgos == [], hallazgos

    # La oficina conserva el caso: folio, municipio, estatus, fechas y la historia (sin él).
    async with servicios.almacen.lectura() as s:
        caso = await s.scalar(select(Caso).where(Caso.folio == folio))
        assert caso is not None
        assert caso.estatus == "enviada" and caso.municipio_id is not None
        assert caso.creado_en is not None and caso.fecha_cabildo is not None
        assert caso.contacto["nombre"] == ELIMINADO and caso.contacto["correo"] == ELIMINADO
        eventos = (await s.scalars(select(EventoCaso).where(EventoCaso.caso_id == caso.id)
                                   .order_by(EventoCaso.id))).all()
        descripciones = [e.descripcion for e in eventos]
        assert f"Cerrado, gracias {ELIMINADO}" in descripciones
        assert (f"Se habló con {ELIMINADO} al {ELIMINADO} y se le escribió a {ELIMINADO}. "
                "Falta el acta.") in descripciones
        rehechos = (await s.scalars(select(Documento).where(Documento.caso_id == caso.id,
                                                            Documento.tipo == "generado"))
                    ).all()
    assert sorted(d.nombre_archivo for d in rehechos) == [f"ficha-{folio}.pdf",
                                                          f"oficio-{folio}.docx"]
    assert all(d.usuario_id is None for d in rehechos)
    for documento in rehechos:  # rehechos con el código de siempre, ya sin sus datos
        contenido = texto_de_archivo(Path(documento.ruta))
        assert folio in contenido and "San Pedro Garza García" in contenido
        assert ELIMINADO in contenido


# --- WhatsApp: el número no es la llave, y el borrado se lo lleva ---

NUMERO = "5218187654321"


def _wamid(numero: str) -> str:
    """Un id de mensaje como los de Meta: lleva el número del remitente en base64."""
    return "wamid." + base64.b64encode(
        b"\x15\x02\x00\x11\x18\x12" + numero.encode() + b"\x15\x02\x00\x12\x18\x14"
        + secrets.token_bytes(10)).decode()


class WhatsAppConWamid(ConversadorWhatsApp):
    """Escribe con ids de mensaje reales (con el número dentro)."""

    async def escribir(self, texto: str) -> list:  # type: ignore[type-arg]
        return await self._mandar(fw.texto(self.wa_id, texto, nombre=self.nombre,
                                           wamid=_wamid(self.wa_id)))


@pytest.fixture
def doble() -> Iterator[GraphFalso]:
    d = GraphFalso().iniciar()
    yield d
    d.detener()


@pytest.fixture
def app_whatsapp(ajustes_prueba: Ajustes, doble: GraphFalso) -> Iterator[ServidorEnHilo]:
    config = ajustes_prueba.model_copy(update={"whatsapp": AjustesWhatsApp(
        phone_id=PHONE_ID, token=TOKEN, app_secret=SECRETO_APP, verify_token=VERIFICACION,
        api_url=doble.url, ritmo_usuario_s=0.01)})
    with app_en_hilo(config) as servidor:
        doble.webhook_url = servidor.url + "/whatsapp/webhook"
        yield servidor


@pytest.mark.servidor
@pytest.mark.lento
async def test_whatsapp_guarda_el_numero_aparte_y_borrar_se_lo_lleva(
        app_whatsapp: ServidorEnHilo, doble: GraphFalso, url_bd: str,
        ajustes_prueba: Ajustes) -> None:
    persona = WhatsAppConWamid(doble, NUMERO, nombre="Roberto Q.")
    await persona.escribir("hola")
    await persona.pulsar("Acepto")
    for texto in ("funcionario", "Nuevo León", "San Pedro Garza García", "no", NOMBRE):
        await persona.escribir(texto)
    await persona.escribir(f"Mi correo es {CORREO} y mi cel {TELEFONO}")

    llave = Seudonimos(ajustes_prueba.identificadores_secreto).usuario(NUMERO)
    ((id_externo, numero),) = consultar(
        url_bd, "SELECT id_externo, numero_whatsapp FROM usuario WHERE canal = 'whatsapp'")
    assert id_externo == llave and es_seudonimo(id_externo) and numero == NUMERO
    ids = [i for (i,) in consultar(url_bd, "SELECT id_externo FROM mensaje "
                                           "WHERE direccion = 'entrada'")]
    assert ids and all(es_seudonimo(i) for i in ids), "ni el wamid ni el número"
    numero_en_base64 = en_base64(NUMERO.encode())
    base_y_numero = Buscador([], FORMATOS_TELEFONO + (NUMERO,), numero_en_base64)
    # Antes de borrar, el número está solo donde hace falta para escribirle.
    lugares = {h.lugar.split("#")[0] for h in base_y_numero.buscar(textos_de_la_base(url_bd))}
    assert "usuario.numero_whatsapp" in lugares
    assert not {lugar for lugar in lugares if lugar.startswith(("usuario.id_externo",
                                                                 "mensaje.id_externo"))}

    await persona.escribir("borrar mis datos")
    await persona.pulsar("Confirmar")
    assert "borré sus datos" in persona.textos(persona.ultimas)  # le llegó con el número

    buscador = Buscador([NOMBRE, "Roberto", "Quiñones", "Zendejas", CORREO],
                        FORMATOS_TELEFONO + (NUMERO,), numero_en_base64)
    hallazgos = buscador.buscar(textos_de_la_base(url_bd))
    assert hallazgos == [], hallazgos
    assert consultar(url_bd, "SELECT numero_whatsapp FROM usuario") == [(None,)]
    hallazgos = buscador.buscar(textos_de_documentos(Path(ajustes_prueba.documentos_dir)))
    assert hallazgos == [], hallazgos

    # Si vuelve a escribir, se le contesta como a cualquiera.
    await persona.escribir("hola")
    assert "Ciudades Hermanas" in persona.textos(persona.ultimas)
