"""Canal REST y chat web contra el servidor real (uvicorn en otro proceso)."""

from __future__ import annotations

import concurrent.futures

import httpx
import pytest

from conftest import ServidorReal

pytestmark = [pytest.mark.servidor, pytest.mark.lento]

RUTA = "/webhooks/rest/webhook"


def test_hola_por_rest_devuelve_formato_de_rasa(servidor: ServidorReal) -> None:
    r = httpx.post(servidor.url + RUTA, json={"sender": "ana", "message": "hola"}, timeout=10)
    assert r.status_code == 200
    cuerpo = r.json()
    assert isinstance(cuerpo, list) and cuerpo
    assert all(e["recipient_id"] == "ana" for e in cuerpo)
    assert "Ciudades Hermanas" in cuerpo[0]["text"]
    botones = [b for e in cuerpo for b in e.get("buttons", [])]
    assert {"title", "payload"} <= set(botones[0])


def test_un_boton_se_pulsa_enviando_su_payload(servidor: ServidorReal) -> None:
    httpx.post(servidor.url + RUTA, json={"sender": "beto", "message": "hola"}, timeout=10)
    r = httpx.post(servidor.url + RUTA, json={"sender": "beto", "message": "/ayuda"}, timeout=10)
    assert "cancelar" in r.json()[0]["text"]


def test_reintento_con_el_mismo_message_id_no_duplica(servidor: ServidorReal) -> None:
    cuerpo = {"sender": "caro", "message": "menu", "message_id": "abc-1"}
    a = httpx.post(servidor.url + RUTA, json=cuerpo, timeout=10).json()
    b = httpx.post(servidor.url + RUTA, json=cuerpo, timeout=10).json()
    assert a == b


def test_el_mismo_message_id_de_dos_personas_no_se_confunde(servidor: ServidorReal) -> None:
    a = httpx.post(servidor.url + RUTA, json={"sender": "dora", "message": "/ayuda",
                                              "message_id": "1"}, timeout=10)
    b = httpx.post(servidor.url + RUTA, json={"sender": "elia", "message": "hola",
                                              "message_id": "1"}, timeout=10)
    assert a.status_code == b.status_code == 200
    assert all(e["recipient_id"] == "elia" for e in b.json())
    assert "Ciudades Hermanas" in b.json()[0]["text"]  # su propia bienvenida, no la ayuda de dora
    assert a.json() != b.json()


def test_entrada_mala_da_400_en_espanol(servidor: ServidorReal) -> None:
    malas = [b"no es json", b"[1,2]", b'{"message": "hola"}', b'{"sender": "", "message": "x"}',
             b'{"sender": "x", "message": 5}']
    for cuerpo in malas:
        r = httpx.post(servidor.url + RUTA, content=cuerpo,
                       headers={"content-type": "application/json"}, timeout=10)
        assert r.status_code == 400, cuerpo
        assert "error" in r.json()


def test_cuerpo_enorme_da_413(servidor: ServidorReal) -> None:
    r = httpx.post(servidor.url + RUTA, content=b"x" * (2 * 1024 * 1024),
                   headers={"content-type": "application/json"}, timeout=10)
    assert r.status_code == 413


def test_mensajes_concurrentes_de_varios_usuarios(servidor: ServidorReal) -> None:
    def conversar(i: int) -> int:
        r = httpx.post(servidor.url + RUTA, json={"sender": f"u{i}", "message": "hola"},
                       timeout=20)
        return r.status_code

    with concurrent.futures.ThreadPoolExecutor(8) as grupo:
        assert set(grupo.map(conversar, range(24))) == {200}


def test_salud_y_chat_web(servidor: ServidorReal) -> None:
    salud = httpx.get(servidor.url + "/salud", timeout=10).json()
    assert salud["estado"] == "ok" and salud["base_de_datos"] == "ok" and salud["version"]
    pagina = httpx.get(servidor.url + "/", timeout=10)
    assert pagina.status_code == 200 and "text/html" in pagina.headers["content-type"]
    assert "/chat/chat.js" in pagina.text and "/chat/chat.css" in pagina.text
    guion = httpx.get(servidor.url + "/chat/chat.js", timeout=10)
    assert guion.status_code == 200 and "javascript" in guion.headers["content-type"]
    assert "/chat/mensajes" in guion.text and RUTA not in guion.text


def test_iniciativa_completa_por_rest(servidor: ServidorReal) -> None:
    import re

    from conversacion import PERFIL, REGISTRO

    ultima: list[dict[str, object]] = []
    for n, mensaje in enumerate(PERFIL + REGISTRO):
        r = httpx.post(servidor.url + RUTA, json={"sender": "rest-e2e", "message": mensaje,
                                                  "message_id": f"e2e-{n}"}, timeout=30)
        assert r.status_code == 200
        ultima = r.json()
    texto = " ".join(str(e.get("text", "")) for e in ultima)
    assert re.search(r"CH-\d{4}-NL-\d{4}", texto)
    adjuntos = [e["attachment"] for e in ultima if "attachment" in e]
    assert [a["mime"] for a in adjuntos] == [  # type: ignore[index]
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"]
    pdf = httpx.get(servidor.url + adjuntos[0]["url"], timeout=10)  # type: ignore[index]
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    falso = httpx.get(servidor.url + "/documentos/no-es-una-firma", timeout=10)
    assert falso.status_code == 404 and "no es válido" in falso.json()["error"]
