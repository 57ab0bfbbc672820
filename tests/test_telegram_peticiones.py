"""El cliente HTTP de PTB sobre aiohttp: los errores de red salen como los de PTB (de ellos
dependen los reintentos de la bandeja) y los parámetros llegan como los manda httpx."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.canales.telegram.peticiones import PeticionesAiohttp

CUERPO = b'{"ok":false}'


@pytest.fixture
async def peticiones() -> AsyncIterator[PeticionesAiohttp]:
    cliente = PeticionesAiohttp(conexiones=2, lectura_s=0.3, conexion_s=0.5, fila_s=0.5)
    await cliente.initialize()
    yield cliente
    await cliente.shutdown()


def _puerto_cerrado() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_sin_servidor_es_error_de_red(peticiones: PeticionesAiohttp) -> None:
    with pytest.raises(NetworkError) as error:
        await peticiones.do_request(f"http://127.0.0.1:{_puerto_cerrado()}/x", "POST")
    assert not isinstance(error.value, TimedOut)


async def test_servidor_que_no_contesta_es_tiempo_agotado(peticiones: PeticionesAiohttp) -> None:
    fin = asyncio.Event()

    async def callar(lector: asyncio.StreamReader, escritor: asyncio.StreamWriter) -> None:
        await fin.wait()
        escritor.close()
        await escritor.wait_closed()

    servidor = await asyncio.start_server(callar, "127.0.0.1", 0)
    puerto = servidor.sockets[0].getsockname()[1]
    try:
        with pytest.raises(TimedOut):
            await peticiones.do_request(f"http://127.0.0.1:{puerto}/x", "POST")
    finally:
        fin.set()
        servidor.close()
        await servidor.wait_closed()


async def test_manda_formulario_y_devuelve_codigo_y_cuerpo(
        peticiones: PeticionesAiohttp) -> None:
    recibido: list[bytes] = []

    async def contestar(lector: asyncio.StreamReader, escritor: asyncio.StreamWriter) -> None:
        cabeceras = await lector.readuntil(b"\r\n\r\n")
        largo = next(int(linea.split(b":")[1]) for linea in cabeceras.split(b"\r\n")
                     if linea.lower().startswith(b"content-length"))
        recibido.append(cabeceras + await lector.readexactly(largo))
        escritor.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 12\r\n"
                       b"Connection: close\r\n\r\n" + CUERPO)
        await escritor.drain()
        escritor.close()
        await escritor.wait_closed()

    servidor = await asyncio.start_server(contestar, "127.0.0.1", 0)
    puerto = servidor.sockets[0].getsockname()[1]
    datos = RequestData([RequestParameter.from_input("chat_id", 7),
                         RequestParameter.from_input("text", "Güero <b>")])
    try:
        codigo, cuerpo = await peticiones.do_request(
            f"http://127.0.0.1:{puerto}/bot1/sendMessage", "POST", datos)
    finally:
        servidor.close()
        await servidor.wait_closed()
    assert (codigo, cuerpo) == (400, CUERPO)
    assert b"application/x-www-form-urlencoded" in recibido[0]
    assert recibido[0].endswith(b"chat_id=7&text=G%C3%BCero+%3Cb%3E")
    assert PeticionesAiohttp.USER_AGENT.encode() in recibido[0]


async def test_sin_inicializar_avisa() -> None:
    with pytest.raises(RuntimeError):
        await PeticionesAiohttp().do_request("http://127.0.0.1:1/x", "POST")
