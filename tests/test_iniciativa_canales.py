"""Una iniciativa completa, de «hola» al folio con un documento subido, por Telegram (sondeo,
cliente real python-telegram-bot contra el doble de la Bot API) y por WhatsApp (webhooks
firmados, cliente real pywa contra el doble de la Graph API)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Protocol

import pytest

from bot.config import Ajustes, AjustesTelegram, AjustesWhatsApp

from dobles.aplicacion import app_en_hilo, consultar
from dobles.conversar import ConversadorTelegram, ConversadorWhatsApp
from dobles.graph_falso import PHONE_ID, SECRETO_APP, TOKEN, VERIFICACION, GraphFalso
from dobles.telegram_falso import TelegramFalso

pytestmark = [pytest.mark.servidor, pytest.mark.lento]

PDF = b"%PDF-1.4\nacta de cabildo certificada\n%%EOF"


class Persona(Protocol):
    """Lo común a los dos conversadores de los dobles."""

    async def escribir(self, texto: str) -> list[Any]: ...
    async def pulsar(self, titulo: str) -> list[Any]: ...
    async def enviar_documento(self, nombre: str, mime: str, contenido: bytes
                               ) -> list[Any]: ...


async def _iniciativa(persona: Persona, textos: Any) -> str:
    """La conversación de una funcionaria, como la haría en su teléfono."""
    await persona.escribir("hola")
    await persona.pulsar("Acepto")
    await persona.pulsar("Funcionario municipal")
    await persona.escribir("nuevo leon")
    await persona.escribir("san pedro garza garcia")
    await persona.pulsar("Sí")  # «¿me dirijo a usted como …?» (nombre del perfil del canal)
    await persona.pulsar("Registrar iniciativa")
    await persona.pulsar("Sí")  # la iniciativa es de su municipio
    await persona.escribir("San Antonio, Texas")
    await persona.escribir("Estados Unidos")
    await persona.pulsar("Hermanamiento")
    await persona.escribir("educacion y cultura")
    await persona.escribir("Intercambio academico y cultural entre universidades")
    await persona.pulsar("Omitir")
    await persona.escribir("15/03/2025")
    await persona.escribir("1")  # tiene el acta de Cabildo
    ultimas = await persona.enviar_documento("acta.pdf", "application/pdf", PDF)
    assert "correo" in textos(ultimas).lower() or "enlace" in textos(ultimas).lower()
    await persona.pulsar("Sí")  # el enlace municipal es ella
    await persona.escribir("Directora de Asuntos Internacionales")
    await persona.escribir("enlace@sanpedro.gob.mx")
    await persona.escribir("81 1234 5678")
    ultimas = await persona.pulsar("Confirmar")
    encontrado = re.search(r"CH-\d{4}-NL-\d{4}", textos(ultimas))
    assert encontrado, textos(ultimas)
    return encontrado.group(0)


def _caso(url_bd: str, folio: str) -> list[tuple[Any, ...]]:
    return consultar(url_bd, "SELECT c.estatus, d.tipo, d.nombre_archivo FROM caso c JOIN "
                             "documento d ON d.caso_id = c.id WHERE c.folio = ? "
                             "AND d.tipo != 'generado'", folio)


@pytest.fixture
def telegram(ajustes_prueba: Ajustes) -> Iterator[TelegramFalso]:
    doble = TelegramFalso().iniciar()
    config = ajustes_prueba.model_copy(update={"telegram": AjustesTelegram(
        token=doble.token, api_url=doble.url_api, modo="polling", ritmo_chat_s=0.05,
        global_por_s=200)})
    with app_en_hilo(config):
        yield doble
    doble.detener()


async def test_iniciativa_completa_por_telegram(telegram: TelegramFalso, url_bd: str) -> None:
    ana = ConversadorTelegram(telegram, 7001, nombre="Ana Pérez")
    folio = await _iniciativa(ana, ConversadorTelegram.textos)
    assert _caso(url_bd, folio) == [("enviada", "acta_cabildo", "acta.pdf")]
    documentos = [c.datos for c in telegram.de_metodo("sendDocument") if c.chat_id == 7001]
    assert len(documentos) == 2, "ficha PDF y oficio DOCX"


@pytest.fixture
def whatsapp(ajustes_prueba: Ajustes) -> Iterator[GraphFalso]:
    doble = GraphFalso().iniciar()
    config = ajustes_prueba.model_copy(update={"whatsapp": AjustesWhatsApp(
        phone_id=PHONE_ID, token=TOKEN, app_secret=SECRETO_APP, verify_token=VERIFICACION,
        api_url=doble.url, ritmo_usuario_s=0.02)})
    with app_en_hilo(config) as servidor:
        doble.webhook_url = servidor.url + "/whatsapp/webhook"
        yield doble
    doble.detener()


async def test_iniciativa_completa_por_whatsapp(whatsapp: GraphFalso, url_bd: str) -> None:
    beto = ConversadorWhatsApp(whatsapp, "5218112345678", nombre="Ana Pérez")
    folio = await _iniciativa(beto, ConversadorWhatsApp.textos)
    assert _caso(url_bd, folio) == [("enviada", "acta_cabildo", "acta.pdf")]
    documentos = [m for m in whatsapp.mensajes("5218112345678") if m.tipo == "document"]
    assert len(documentos) == 2, "ficha PDF y oficio DOCX"
