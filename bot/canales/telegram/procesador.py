"""Procesa updates de varios chats a la vez, pero los de un mismo chat uno tras otro y en el
orden en que llegaron (candado FIFO por chat)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


def clave_chat(update: object) -> str:
    """El chat (o usuario) al que pertenece el update."""
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return str(update.effective_chat.id)
        if update.effective_user is not None:
            return str(update.effective_user.id)
    return "-"


class ProcesadorPorChat(BaseUpdateProcessor):
    """Concurrente entre chats, en serie dentro de cada chat."""

    def __init__(self, max_concurrentes: int = 64) -> None:
        super().__init__(max_concurrentes)
        self._candados: dict[str, tuple[asyncio.Lock, list[int]]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Espera el turno del chat y procesa."""
        clave = clave_chat(update)
        candado, usos = self._candados.setdefault(clave, (asyncio.Lock(), [0]))
        usos[0] += 1
        try:
            async with candado:
                await coroutine
        finally:
            usos[0] -= 1
            if usos[0] == 0:
                self._candados.pop(clave, None)

    async def initialize(self) -> None:
        """Nada que preparar."""

    async def shutdown(self) -> None:
        """Nada que cerrar."""
