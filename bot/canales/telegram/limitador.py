"""Límites de envío de Telegram: AIORateLimiter (global, grupos y reintento tras 429) más un
ritmo por chat de ~1 mensaje por segundo."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram.ext import AIORateLimiter

from bot.canales.ritmo import RitmoPorDestino

ENVIOS = frozenset({"sendMessage", "sendDocument", "sendPhoto", "sendMediaGroup", "copyMessage",
                    "forwardMessage"})


class LimitadorTelegram(AIORateLimiter):
    """Global: envíos espaciados a `global_por_s` por segundo (sin ráfagas); por chat: uno a
    la vez y `por_chat_s` segundos entre envíos; un 429 se reintenta tras `retry_after`."""

    def __init__(self, por_chat_s: float = 1.0, global_por_s: float = 25.0,
                 reintentos: int = 3) -> None:
        super().__init__(overall_max_rate=1, overall_time_period=1 / global_por_s,
                         max_retries=reintentos)
        self.ritmo = RitmoPorDestino(por_chat_s)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Pasa por el turno del chat (si es un envío) y luego por AIORateLimiter."""
        chat_id = data.get("chat_id")
        if endpoint in ENVIOS and chat_id is not None:
            async with self.ritmo.turno(str(chat_id)):
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args)
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args)
