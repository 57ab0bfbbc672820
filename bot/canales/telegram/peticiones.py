"""Las peticiones HTTP de PTB a la Bot API con aiohttp en vez de httpx.

PTB deja cambiar su cliente HTTP (`BaseRequest`). El de fábrica (httpx sobre anyio) gasta
varias veces más CPU por llamada que aiohttp, y cada mensaje de Telegram hace de una a tres
llamadas (enviar, contestar el botón, quitar el teclado): medido en `benchmarks/carga.py`.
Esta clase solo traduce: los parámetros que PTB ya codificó van como formulario (o multipart
si hay archivos) y los errores de aiohttp se vuelven los de PTB (`TimedOut`, `NetworkError`),
de los que dependen los reintentos de la bandeja de salida.
"""

from __future__ import annotations

import asyncio

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

LECTURA_S = 5.0
ESCRITURA_S = 5.0
CONEXION_S = 5.0
FILA_S = 1.0
ESCRITURA_ARCHIVOS_S = 20.0
"""Los tiempos de fábrica de PTB (leer, escribir, conectar, esperar una conexión libre y
escribir una petición con archivos)."""


def _segundos(valor: ODVInput[float], omision: float | None) -> float | None:
    return omision if isinstance(valor, DefaultValue) else valor


class PeticionesAiohttp(BaseRequest):
    """`BaseRequest` de PTB sobre una `aiohttp.ClientSession` (una por instancia).

    `conexiones`: cuántas a la vez hacia la Bot API; `fila_s`: cuánto espera una petición a
    que se libere una antes de fallar con `TimedOut` (como el `pool_timeout` de PTB)."""

    def __init__(self, conexiones: int = 64, lectura_s: float | None = LECTURA_S,
                 escritura_s: float | None = ESCRITURA_S, conexion_s: float | None = CONEXION_S,
                 fila_s: float | None = FILA_S) -> None:
        self._conexiones = conexiones
        self._lectura_s = lectura_s
        self._escritura_s = escritura_s
        self._conexion_s = conexion_s
        self._fila_s = fila_s
        self._sesion: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """El tiempo de lectura por omisión (PTB lo suma al del sondeo largo)."""
        return self._lectura_s

    async def initialize(self) -> None:
        """Abre la sesión en el bucle en marcha (una sola vez)."""
        if self._sesion is None or self._sesion.closed:
            self._sesion = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._conexiones),
                headers={"User-Agent": self.USER_AGENT})

    async def shutdown(self) -> None:
        """Cierra la sesión y sus conexiones."""
        if self._sesion is not None:
            await self._sesion.close()
            self._sesion = None

    def _tiempos(self, lectura: ODVInput[float], escritura: ODVInput[float],
                 conexion: ODVInput[float], fila: ODVInput[float],
                 con_archivos: bool) -> aiohttp.ClientTimeout:
        """Los tiempos de PTB en los de aiohttp: `connect` cubre esperar la conexión libre y
        abrirla; `sock_read`, cada lectura. aiohttp no limita la escritura aparte: su tiempo
        se suma al total junto con la lectura."""
        leer = _segundos(lectura, self._lectura_s)
        escribir = _segundos(escritura, ESCRITURA_ARCHIVOS_S if con_archivos
                             else self._escritura_s)
        conectar = _segundos(conexion, self._conexion_s)
        esperar = _segundos(fila, self._fila_s)
        entrar = None if conectar is None or esperar is None else conectar + esperar
        total = None if entrar is None or leer is None or escribir is None else (
            entrar + leer + escribir)
        return aiohttp.ClientTimeout(total=total, connect=entrar, sock_connect=conectar,
                                     sock_read=leer)

    @staticmethod
    def _cuerpo(datos: RequestData | None) -> aiohttp.FormData | dict[str, str] | None:
        """Formulario con los parámetros ya en JSON; multipart si lleva archivos."""
        if datos is None:
            return None
        if not datos.contains_files:
            return datos.json_parameters
        formulario = aiohttp.FormData()
        for nombre, valor in datos.json_parameters.items():
            formulario.add_field(nombre, valor)
        for nombre, parte in datos.multipart_data.items():
            archivo, contenido, *tipo = parte
            formulario.add_field(nombre, contenido, filename=archivo,
                                 content_type=tipo[0] if tipo else None)
        return formulario

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Hace la petición y devuelve (código HTTP, cuerpo)."""
        if self._sesion is None or self._sesion.closed:
            raise RuntimeError("PeticionesAiohttp no está inicializada")
        tiempos = self._tiempos(read_timeout, write_timeout, connect_timeout, pool_timeout,
                                request_data is not None and request_data.contains_files)
        try:
            async with self._sesion.request(method, url, data=self._cuerpo(request_data),
                                            timeout=tiempos) as respuesta:
                return respuesta.status, await respuesta.read()
        except (asyncio.TimeoutError, aiohttp.ServerTimeoutError) as error:
            raise TimedOut(f"aiohttp: {error.__class__.__name__}") from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{error.__class__.__name__}: {error}") from error
