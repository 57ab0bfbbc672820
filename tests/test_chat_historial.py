"""`GET /chat/historial`: la conversación del chat web ya dicha, para rehacerla al recargar.

Solo con la cookie de esa persona; lo que aún la espera no sale aquí (sale por
`/chat/pendientes`, una vez); lo que se vació porque rechazó el consentimiento no se muestra:
queda un solo aviso en su lugar."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select
from test_entrega_pendientes import tomar_y_responder

from bot.db.modelos import Usuario
from bot.servicios import Servicios

from dobles import escalamiento_datos as datos

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"




async def _boton(cliente: httpx.AsyncClient, respuesta: list[dict[str, Any]],
                 titulo: str) -> list[dict[str, Any]]:
    """Pulsa el botón `titulo` de la respuesta, como la página."""
    (payload,) = [b["payload"] for r in respuesta for b in r.get("buttons", ())
                  if b["title"] == titulo]
    r = await cliente.post("/chat/mensajes", json={"payload": payload})
    assert r.status_code == 200
    cuerpo: list[dict[str, Any]] = r.json()
    return cuerpo


async def _historial(cliente: httpx.AsyncClient) -> list[dict[str, Any]]:
    r = await cliente.get("/chat/historial")
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    cuerpo: list[dict[str, Any]] = r.json()
    return cuerpo


async def test_sin_cookie_no_hay_historial(cliente: httpx.AsyncClient) -> None:
    assert await _historial(cliente) == []
    assert "ch_chat" not in cliente.cookies  # leer no crea una identidad


async def test_el_historial_rehace_la_conversacion_con_quien_habla_y_los_botones(
        cliente: httpx.AsyncClient) -> None:
    saludo = (await cliente.post("/chat/mensajes", json={"texto": "hola"})).json()
    tras_aceptar = await _boton(cliente, saludo, "Acepto")
    r = await cliente.post("/chat/archivo", files={"archivo": ("acta.pdf", PDF, "application/pdf")})
    assert r.status_code == 200
    historial = await _historial(cliente)
    autores = [m["autor"] for m in historial]
    assert autores[0] == "usuario" and historial[0]["text"] == "hola"
    # El saludo, igual que como llegó (texto, botones), dicho por el asistente.
    assert [{k: v for k, v in m.items() if k != "autor"}
            for m in historial[1:1 + len(saludo)]] == saludo
    assert autores[1:1 + len(saludo)] == ["bot"] * len(saludo)
    assert saludo[-1]["buttons"]
    # El botón pulsado se muestra con su título, como en la página, y con su payload.
    aceptar = historial[1 + len(saludo)]
    assert aceptar["autor"] == "usuario" and aceptar["text"] == "Acepto"
    assert aceptar["payload"].startswith("/")
    assert [m["text"] for m in historial[2 + len(saludo):][:len(tras_aceptar)]] == [
        r["text"] for r in tras_aceptar]
    assert {"autor": "usuario", "text": "📎 acta.pdf", "payload": None} in historial
    # Otra persona (otra cookie) no ve nada de esto.
    cliente.cookies.clear()
    assert await _historial(cliente) == []


async def test_lo_que_espera_no_sale_en_el_historial_hasta_entregarse(
        servicios: Servicios, cliente: httpx.AsyncClient) -> None:
    await datos.asesor(servicios, "ana@jal.gob.mx")
    assert (await cliente.post("/chat/mensajes", json={"texto": "hola"})).status_code == 200
    referencia = await datos.usuario(servicios, "referencia")
    async with servicios.almacen.escritura() as s:
        uid = await s.scalar(select(Usuario.id).where(Usuario.canal == "web"))
        assert uid is not None
        fila, jal = await s.get(Usuario, uid), await s.get(Usuario, referencia)
        assert fila is not None and jal is not None
        fila.estado_id, fila.municipio_id = jal.estado_id, jal.municipio_id
    assert (await cliente.post("/chat/mensajes", json={"texto": "asesor"})).status_code == 200
    await tomar_y_responder(servicios, uid, "Hola, soy Ana.")
    # Aún no lo ha visto: el historial no lo trae (si lo trajera, saldría dos veces).
    assert not any("soy Ana" in m.get("text", "") for m in await _historial(cliente))
    llegaron = (await cliente.get("/chat/pendientes", params={"espera": 0})).json()
    (de_ana,) = [e for e in llegaron if "soy Ana" in e["text"]]
    assert de_ana["autor"] == "asesor" and de_ana["id"] > 0
    assert all(e["autor"] == "bot" for e in llegaron if e is not de_ana)
    # Ya entregado, queda en el historial con quién lo escribió.
    (en_historial,) = [m for m in await _historial(cliente) if "soy Ana" in m.get("text", "")]
    assert en_historial["autor"] == "asesor" and "id" not in en_historial


async def test_sin_consentimiento_el_historial_no_muestra_lo_que_no_se_guardo(
        cliente: httpx.AsyncClient) -> None:
    saludo = (await cliente.post("/chat/mensajes",
                                 json={"texto": "hola, soy Rosa de Zapopan"})).json()
    await _boton(cliente, saludo, "No acepto")
    r = await cliente.post("/chat/mensajes", json={"texto": "mi correo es rosa@ejemplo.mx"})
    assert r.status_code == 200
    historial = await _historial(cliente)
    todo = " ".join(str(m) for m in historial)
    assert "Rosa" not in todo and "rosa@" not in todo and "Zapopan" not in todo
    avisos = [m for m in historial if m["autor"] == "aviso"]
    assert avisos and "no se conservó" in avisos[0]["text"]
    # Lo vaciado se junta en un solo aviso, no uno por mensaje.
    assert all(a["autor"] != "aviso" or b["autor"] != "aviso"
               for a, b in zip(historial, historial[1:], strict=False))
