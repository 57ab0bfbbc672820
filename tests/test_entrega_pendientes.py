"""Lo que sale sin que la persona escriba llega en REST y en el chat web (canales sin emisor):
al frente de su siguiente respuesta, o por el sondeo largo del chat web; una sola vez."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import select

from bot.db import diferidos
from bot.db.estados import EstadoEnvio
from bot.db.modelos import Escalamiento, Mensaje
from bot.escalamiento import traspaso
from bot.escalamiento.asesores import por_email
from bot.servicios import Servicios

from dobles import escalamiento_datos as datos

REST = "/webhooks/rest/webhook"




async def tomar_y_responder(servicios: Servicios, usuario_id: int, texto: str) -> None:
    """Una asesora toma el traspaso abierto de la persona y le contesta (como en el panel)."""
    esc = await datos.traspaso_de(servicios, usuario_id)
    assert esc is not None
    async with servicios.almacen.escritura() as s:
        asesora = await por_email(s, "ana@jal.gob.mx")
        assert asesora is not None
        assert (await traspaso.tomar(servicios, s, esc.id, asesora)).gano
    async with servicios.almacen.escritura() as s:
        e = await s.get(Escalamiento, esc.id)
        assert e is not None
        await traspaso.responder(servicios, s, e, asesora, texto)
    await diferidos.esperar()


async def test_la_respuesta_del_asesor_llega_a_rest_con_el_siguiente_mensaje_una_vez(
        servicios: Servicios, cliente: httpx.AsyncClient) -> None:
    await datos.asesor(servicios, "ana@jal.gob.mx")
    uid = await datos.usuario(servicios, "rest-1")
    r = await cliente.post(REST, json={"sender": "rest-1", "message": "asesor"})
    assert r.status_code == 200 and "Jalisco" in r.json()[0]["text"]
    await tomar_y_responder(servicios, uid, "Buenos días, le atiendo.")
    r = await cliente.post(REST, json={"sender": "rest-1", "message": "¿sigue ahí?"})
    cuerpo = r.json()
    textos = [e["text"] for e in cuerpo]
    assert "Le atiende Ana" in textos[0]
    assert textos[1] == "*Ana:* Buenos días, le atiendo."
    assert all(e["recipient_id"] == "rest-1" for e in cuerpo)
    assert "id" in cuerpo[0] and "id" in cuerpo[1] and "id" not in cuerpo[-1]
    assert len(textos) > 2  # y luego el acuse de su mensaje
    # Una sola vez: el siguiente mensaje ya no lo repite, y quedó entregado en la base.
    r = await cliente.post(REST, json={"sender": "rest-1", "message": "gracias"})
    assert not any("le atiendo" in e["text"] for e in r.json())
    async with servicios.almacen.lectura() as s:
        estados = (await s.scalars(select(Mensaje.envio).where(
            Mensaje.direccion == "salida", Mensaje.responde_a_id.is_(None)))).all()
    assert estados and set(estados) == {EstadoEnvio.EN_RESPUESTA}


async def test_otro_remitente_no_recibe_lo_ajeno(
        servicios: Servicios, cliente: httpx.AsyncClient) -> None:
    await datos.asesor(servicios, "ana@jal.gob.mx")
    uid = await datos.usuario(servicios, "rest-2")
    await cliente.post(REST, json={"sender": "rest-2", "message": "asesor"})
    await tomar_y_responder(servicios, uid, "Mensaje privado")
    r = await cliente.post(REST, json={"sender": "otro", "message": "hola"})
    assert not any("privado" in e["text"] for e in r.json())


async def test_el_chat_web_recibe_la_respuesta_sin_escribir(
        servicios: Servicios, cliente: httpx.AsyncClient) -> None:
    await datos.asesor(servicios, "ana@jal.gob.mx")
    # Sin cookie no hay nada que esperar: responde vacío enseguida.
    assert (await cliente.get("/chat/pendientes", params={"espera": 5})).json() == []
    assert (await cliente.post("/chat/mensajes", json={"texto": "hola"})).status_code == 200
    u = await _usuario_web(servicios)
    referencia = await datos.usuario(servicios, "referencia")
    async with servicios.almacen.escritura() as s:
        # La persona del chat web es de Jalisco (como si lo hubiera dicho en un flujo).
        from bot.db.modelos import Usuario

        fila, jal = await s.get(Usuario, u), await s.get(Usuario, referencia)
        assert fila is not None and jal is not None
        fila.estado_id, fila.municipio_id = jal.estado_id, jal.municipio_id
    r = await cliente.post("/chat/mensajes", json={"texto": "asesor"})
    assert r.status_code == 200 and "Jalisco" in r.json()[0]["text"]
    espera = asyncio.create_task(cliente.get("/chat/pendientes", params={"espera": 10}))
    await asyncio.sleep(0.3)
    assert not espera.done()  # espera a que llegue algo
    await tomar_y_responder(servicios, u, "Hola desde el escritorio.")
    cuerpo = (await asyncio.wait_for(espera, 10)).json()
    textos = [e["text"] for e in cuerpo]
    assert any("Hola desde el escritorio." in t for t in textos), textos
    ultimo = max(e["id"] for e in cuerpo)
    # Ya entregado: ni el sondeo ni el siguiente mensaje lo repiten.
    assert (await cliente.get("/chat/pendientes",
                              params={"despues": ultimo, "espera": 0})).json() == []
    r = await cliente.post("/chat/mensajes", json={"texto": "gracias"})
    assert not any("escritorio" in e["text"] for e in r.json())


async def _usuario_web(servicios: Servicios) -> int:
    from bot.db.modelos import Usuario

    async with servicios.almacen.lectura() as s:
        uid = await s.scalar(select(Usuario.id).where(Usuario.canal == "web"))
    assert uid is not None
    return uid


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def test_el_chat_web_recibe_archivos(servicios: Servicios,
                                           cliente: httpx.AsyncClient) -> None:
    import hashlib

    from bot.db.modelos import Documento

    assert (await cliente.post("/chat/mensajes", json={"texto": "hola"})).status_code == 200
    r = await cliente.post("/chat/archivo", files={"archivo": ("acta.pdf", PDF, "text/plain")},
                           data={"message_id": "a1"})
    assert r.status_code == 200 and isinstance(r.json(), list) and r.json()
    # Un reintento con el mismo id no guarda otro.
    r2 = await cliente.post("/chat/archivo", files={"archivo": ("acta.pdf", PDF, "text/plain")},
                            data={"message_id": "a1"})
    assert r2.status_code == 200
    raro = await cliente.post("/chat/archivo",
                              files={"archivo": ("nota.txt", b"solo texto", "text/plain")})
    assert raro.status_code == 200
    uid = await _usuario_web(servicios)
    async with servicios.almacen.lectura() as s:
        entradas = (await s.scalars(select(Mensaje).where(
            Mensaje.direccion == "entrada", Mensaje.canal == "web").order_by(Mensaje.id))).all()
        archivos = [m for m in entradas if m.tipo == "archivo"]
        assert len(archivos) == 1 and archivos[0].adjunto_id is not None
        doc = await s.get(Documento, archivos[0].adjunto_id)
    assert doc is not None and doc.usuario_id == uid and doc.mime == "application/pdf"
    assert doc.sha256 == hashlib.sha256(PDF).hexdigest()
    assert entradas[-1].tipo == "archivo_rechazado:tipo"
    # Sin archivo, 400; más grande que DOCUMENTO_MAX_BYTES, 413 antes de leerlo.
    assert (await cliente.post("/chat/archivo", data={"x": "1"})).status_code == 400
    enorme = b"0" * (servicios.ajustes.documento_max_bytes + 100 * 1024)
    r = await cliente.post("/chat/archivo", files={"archivo": ("a.pdf", enorme, "application/pdf")})
    assert r.status_code == 413


def test_el_aviso_de_entrega_no_se_adelanta() -> None:
    from bot.motor.bandeja_salida import aviso_de_entrega

    espera = "En espera de que la persona abra el chat."
    assert aviso_de_entrega("pendiente", "web") == espera
    assert aviso_de_entrega("pendiente", "rest") == espera
    assert aviso_de_entrega("pendiente", "telegram") != espera
    assert aviso_de_entrega("en_respuesta", "web") == "Entregado."
    assert aviso_de_entrega("enviado", "whatsapp") == "Entregado."
    assert aviso_de_entrega(None, "telegram") == "En la fila de envío."
    for estado in ("fallido", "vencido", "bloqueado"):
        assert aviso_de_entrega(estado, "telegram").startswith("No entregado")


def test_el_tipo_del_archivo_sale_de_sus_bytes() -> None:
    from bot.canales.web.rutas import DOCX, tipo_de

    assert tipo_de(PDF, "x.png", "image/png") == "application/pdf"
    assert tipo_de(b"\x89PNG\r\n\x1a\n...", "foto", None) == "image/png"
    assert tipo_de(b"\xff\xd8\xff\xe0...", "foto.jpg", "text/plain") == "image/jpeg"
    assert tipo_de(b"PK\x03\x04...", "oficio.docx", "application/zip") == DOCX
    assert tipo_de(b"PK\x03\x04...", "otro.zip", "application/zip") == "application/zip"
    # Dice ser PDF y no lo es: no se le cree.
    assert tipo_de(b"MZ...", "acta.pdf", "application/pdf") == "application/octet-stream"
