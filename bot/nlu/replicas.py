"""Varias réplicas del servidor NLU (NLU_URL con direcciones separadas por comas).

Reparte los análisis en turno rotatorio y, si una réplica está caída (su disyuntor
abierto), pasa a la siguiente sin esperar. Con una sola dirección se comporta igual que
un `ClienteNLU`.
"""

from __future__ import annotations

import itertools

from bot.nlu.analisis import Analisis
from bot.nlu.cliente import ClienteNLU, EstadoNLU


class GrupoNLU:
    """Un cliente por réplica y un turno rotatorio entre ellos."""

    def __init__(self, urls: str, token: str, timeout_s: float, max_cache: int = 2048) -> None:
        direcciones = [u.strip() for u in urls.split(",") if u.strip()]
        self.clientes = [ClienteNLU(url=u, token=token, timeout_s=timeout_s, max_cache=max_cache)
                         for u in direcciones]
        self._turno = itertools.cycle(range(len(self.clientes)))

    @property
    def estado(self) -> EstadoNLU:
        """ok si alguna réplica responde; si no, el estado de la primera."""
        if any(c.estado == "ok" for c in self.clientes):
            return "ok"
        return self.clientes[0].estado

    async def analizar(self, texto: str) -> Analisis | None:
        """Analiza con la siguiente réplica disponible; None si ninguna responde."""
        inicio = next(self._turno)
        for paso in range(len(self.clientes)):
            cliente = self.clientes[(inicio + paso) % len(self.clientes)]
            analisis = await cliente.analizar(texto)
            if analisis is not None:
                return analisis
        return None

    async def comprobar(self) -> EstadoNLU:
        """Consulta todas las réplicas (para /salud)."""
        estados = [await c.comprobar() for c in self.clientes]
        return "ok" if "ok" in estados else estados[0]

    async def cerrar(self) -> None:
        """Cierra las conexiones de todas las réplicas."""
        for cliente in self.clientes:
            await cliente.cerrar()
