"""Protecciones HTTP de los canales que reciben JSON (REST, chat web y los webhooks de Telegram
y WhatsApp): límites de tamaño y de anidamiento del JSON, y límites de ritmo.

- `leer_json`: un cuerpo más grande que su límite o anidado más de `PROFUNDIDAD_MAXIMA`
  niveles es `JsonInvalido` (el canal responde 400 en español), nunca un error 500.
- `LimitesDeRitmo`: mensajes por minuto de un remitente y remitentes nuevos por hora de una IP,
  con la biblioteca `limits` en la memoria del proceso (con N procesos, cada uno cuenta lo
  suyo). Una petición limitada recibe 429 con `Retry-After` y no se guarda.
"""

from __future__ import annotations

import json
import math
import time
from collections import OrderedDict
from typing import Any

from fastapi.responses import JSONResponse
from limits import RateLimitItem, RateLimitItemPerHour, RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import FixedWindowRateLimiter

PROFUNDIDAD_MAXIMA = 32
"""Niveles de objetos y listas: los de Telegram y WhatsApp no pasan de ~10."""

MAXIMO_JSON_CHAT = 128 * 1024
"""Un mensaje de chat o REST (20,000 caracteres de texto caben holgados)."""


class JsonInvalido(ValueError):
    """El cuerpo no es JSON, o es demasiado grande o anidado; el texto es para la persona."""


def _demasiado_anidado(valor: Any, limite: int) -> bool:
    """¿Hay objetos o listas a más de `limite` niveles? (sin recursión)."""
    pila: list[tuple[Any, int]] = [(valor, 1)]
    while pila:
        actual, nivel = pila.pop()
        hijos = actual.values() if isinstance(actual, dict) else actual
        if nivel > limite:
            return True
        pila.extend((h, nivel + 1) for h in hijos if isinstance(h, (dict, list)))
    return False


def leer_json(crudo: bytes, maximo_bytes: int,
              profundidad: int = PROFUNDIDAD_MAXIMA) -> Any:
    """El JSON de `crudo`, o `JsonInvalido` si no es JSON, pasa de `maximo_bytes` o de
    `profundidad` niveles."""
    if len(crudo) > maximo_bytes:
        raise JsonInvalido(f"El cuerpo JSON pasa de {maximo_bytes // 1024} KiB.")
    try:
        valor = json.loads(crudo)
    except RecursionError:  # miles de niveles: el decodificador se agota antes que nosotros
        raise JsonInvalido("El JSON está anidado demasiado hondo.") from None
    except ValueError:  # también UnicodeDecodeError
        raise JsonInvalido("El cuerpo no es JSON válido.") from None
    if isinstance(valor, (dict, list)) and _demasiado_anidado(valor, profundidad):
        raise JsonInvalido("El JSON está anidado demasiado hondo.")
    return valor


CONOCIDOS_MAXIMO = 50_000
"""Remitentes ya vistos que recuerda cada proceso (unos 10 MB como mucho)."""

MENSAJE_RITMO = "Envió demasiados mensajes seguidos. Espere un momento e intente de nuevo."
MENSAJE_NUEVOS = ("Se abrieron demasiadas conversaciones nuevas desde esta red. Intente de "
                  "nuevo más tarde.")


def demasiadas(espera_s: int, mensaje: str) -> JSONResponse:
    """429 con `Retry-After` y el motivo en español."""
    return JSONResponse({"error": mensaje}, status_code=429,
                        headers={"Retry-After": str(espera_s), "Cache-Control": "no-store"})


class LimitesDeRitmo:
    """Cuántos mensajes puede mandar un remitente por minuto y cuántos remitentes nuevos
    pueden aparecer por hora desde una IP (0: sin límite).

    Ventana fija que empieza con el primer mensaje: el 61.º mensaje dentro de ese minuto se
    rechaza. La memoria del proceso guarda solo los contadores vivos.
    """

    def __init__(self, mensajes_por_minuto: int, remitentes_nuevos_por_hora: int) -> None:
        self._por_remitente: RateLimitItem | None = (
            RateLimitItemPerMinute(mensajes_por_minuto) if mensajes_por_minuto > 0 else None)
        self._nuevos_por_ip: RateLimitItem | None = (
            RateLimitItemPerHour(remitentes_nuevos_por_hora)
            if remitentes_nuevos_por_hora > 0 else None)
        self._limitador = FixedWindowRateLimiter(MemoryStorage())
        self._conocidos: OrderedDict[tuple[str, str], None] = OrderedDict()

    @property
    def cuenta_nuevos(self) -> bool:
        """¿Hay límite de remitentes nuevos? (si no, nadie necesita averiguar si es nuevo)."""
        return self._nuevos_por_ip is not None

    def conocido(self, canal: str, remitente: str) -> bool:
        """¿Ya se vio a este remitente en el proceso? (así no se pregunta a la base)."""
        clave = (canal, remitente)
        if clave in self._conocidos:
            self._conocidos.move_to_end(clave)
            return True
        return False

    def recordar(self, canal: str, remitente: str) -> None:
        """Anota un remitente que ya existe (los más viejos se olvidan pasado el tope)."""
        if not self.cuenta_nuevos:
            return
        self._conocidos[(canal, remitente)] = None
        self._conocidos.move_to_end((canal, remitente))
        if len(self._conocidos) > CONOCIDOS_MAXIMO:
            self._conocidos.popitem(last=False)

    async def _tomar(self, limite: RateLimitItem | None, *clave: str) -> int | None:
        if limite is None or await self._limitador.hit(limite, *clave):
            return None
        ventana = await self._limitador.get_window_stats(limite, *clave)
        return max(1, math.ceil(ventana.reset_time - time.time()))

    async def mensaje(self, canal: str, remitente: str) -> int | None:
        """Cuenta un mensaje del remitente; los segundos que debe esperar si ya no puede."""
        return await self._tomar(self._por_remitente, "remitente", canal, remitente)

    async def remitente_nuevo(self, ip: str) -> int | None:
        """Cuenta un remitente nuevo de la IP; los segundos que debe esperar si ya no puede."""
        return await self._tomar(self._nuevos_por_ip, "nuevos", ip)
