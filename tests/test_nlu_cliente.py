"""Cliente NLU contra el servidor Rasa real, y su disyuntor contra un puerto sin servidor."""

from __future__ import annotations

import asyncio
import logging
import socket
import time

import pytest
from aiohttp import web

from bot.nlu.cliente import ClienteNLU


def _puerto_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.nlu
async def test_entiende_mensaje_largo_con_datos(servidor_nlu: str) -> None:
    cliente = ClienteNLU(url=servidor_nlu, timeout_s=5)
    texto = (
        "buenas, somos de san pedro garza garcia nuevo leon y queremos hermanarnos "
        "con una ciudad de estados unidos, q piden?"
    )
    analisis = await cliente.analizar(texto)
    await cliente.cerrar()
    assert analisis is not None
    assert analisis.intent == "requisitos"
    assert analisis.entidad("municipio") == "San Pedro Garza García"
    assert analisis.entidad("estado") == "Nuevo León"
    assert analisis.entidad("pais") == "Estados Unidos"
    assert cliente.estado == "ok"


@pytest.mark.nlu
async def test_entidades_por_regex_y_sinonimos(servidor_nlu: str) -> None:
    cliente = ClienteNLU(url=servidor_nlu, timeout_s=5)
    analisis = await cliente.analizar(
        "el folio es CH-2026-NL-0007, mi correo enlace@apodaca.gob.mx y tel 81 1234 5678, "
        "somos de edomex y la ciudad es Sevilla, España, area educacion"
    )
    await cliente.cerrar()
    assert analisis is not None
    assert analisis.entidad("folio") == "CH-2026-NL-0007"
    assert analisis.entidad("correo") == "enlace@apodaca.gob.mx"
    assert analisis.entidad("telefono") == "81 1234 5678"
    assert analisis.entidad("estado") == "México"
    assert analisis.entidad("ciudad_extranjera") == "Sevilla"
    assert analisis.entidad("pais") == "España"
    assert analisis.entidad("area_cooperacion") == "educación"


@pytest.mark.nlu
async def test_cache_por_texto_normalizado(servidor_nlu: str) -> None:
    cliente = ClienteNLU(url=servidor_nlu, timeout_s=5)
    primero = await cliente.analizar("¿Qué requisitos piden en Jalisco?")
    segundo = await cliente.analizar("¿que requisitos piden en jalisco?")
    await cliente.cerrar()
    assert primero is not None and segundo is not None
    assert segundo.intent == primero.intent
    assert segundo.texto == "¿que requisitos piden en jalisco?"
    assert segundo.entidades == primero.entidades


@pytest.mark.nlu
async def test_token_incorrecto_degrada(servidor_nlu: str) -> None:
    cliente = ClienteNLU(url=servidor_nlu, token="token-equivocado", timeout_s=5)
    assert await cliente.analizar("hola") is None
    await cliente.cerrar()
    assert cliente.estado == "degradado"


async def test_disyuntor_sin_servidor_responde_rapido_y_avisa_una_vez(
    caplog: pytest.LogCaptureFixture,
) -> None:
    cliente = ClienteNLU(url=f"http://127.0.0.1:{_puerto_libre()}", timeout_s=0.5)
    caplog.set_level(logging.WARNING, logger="bot.nlu.cliente")
    assert await cliente.analizar("hola") is None
    assert cliente.estado == "degradado"
    inicio = time.perf_counter()
    for _ in range(20):
        assert await cliente.analizar("que requisitos piden") is None
    assert time.perf_counter() - inicio < 0.05  # abierto: ni siquiera intenta conectar
    await cliente.cerrar()
    avisos = [r for r in caplog.records if "NLU no disponible" in r.getMessage()]
    assert len(avisos) == 1


async def test_disyuntor_reintenta_tras_enfriamiento() -> None:
    cliente = ClienteNLU(
        url=f"http://127.0.0.1:{_puerto_libre()}", timeout_s=0.5, enfriamiento_s=0.05
    )
    assert await cliente.analizar("hola") is None
    time.sleep(0.06)
    assert await cliente.comprobar() == "degradado"
    await cliente.cerrar()


async def test_texto_vacio_no_consulta() -> None:
    cliente = ClienteNLU(url=f"http://127.0.0.1:{_puerto_libre()}")
    assert await cliente.analizar("   ") is None
    assert cliente.estado == "ok"


async def _servidor_raro(respuesta: web.Response, espera_s: float) -> tuple[web.AppRunner, str]:
    """Un servidor HTTP real que contesta `respuesta` a todo tras `espera_s` s; y su URL."""
    async def contestar(_: web.Request) -> web.Response:
        await asyncio.sleep(espera_s)
        return respuesta

    app = web.Application()
    app.router.add_route("*", "/{ruta:.*}", contestar)
    corredor = web.AppRunner(app)
    await corredor.setup()
    puerto = _puerto_libre()
    await web.TCPSite(corredor, "127.0.0.1", puerto).start()
    return corredor, f"http://127.0.0.1:{puerto}"


@pytest.mark.parametrize(("respuesta", "espera_s", "estado"), [
    (web.Response(status=409, text="{}"), 0.0, "sin_modelo"),
    (web.Response(status=200, text="<html>no es JSON</html>"), 0.0, "degradado"),
    (web.json_response(["una", "lista"]), 0.0, "degradado"),
    pytest.param(web.json_response({"intent": {"name": "saludo", "confidence": 1}}), 1.0,
                 "degradado", marks=pytest.mark.lento),
], ids=["sin_modelo", "no_json", "json_raro", "lento"])
async def test_respuestas_raras_o_lentas_degradan(respuesta: web.Response, espera_s: float,
                                                  estado: str) -> None:
    corredor, url = await _servidor_raro(respuesta, espera_s)
    try:
        cliente = ClienteNLU(url=url, timeout_s=0.3)
        inicio = time.perf_counter()
        assert await cliente.analizar("hola") is None
        assert time.perf_counter() - inicio < 0.9  # no espera más que su tiempo límite
        assert cliente.estado == estado
        await cliente.cerrar()
    finally:
        await corredor.cleanup()
