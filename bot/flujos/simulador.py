"""Una conversación de prueba sobre un flujo, sin motor: para pruebas y `flujos probar`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.flujos import interprete
from bot.flujos.catalogo import CatalogoGeografico
from bot.flujos.definicion import Flujo
from bot.flujos.modelos import Accion, Entrada, EstadoFlujo, Resultado
from bot.nucleo.mensajes import Respuesta


class Simulacion:
    """Lleva el estado entre turnos y acumula acciones y eventos, como lo haría el motor."""

    def __init__(
        self,
        flujo: Flujo,
        contexto: dict[str, Any] | None = None,
        *,
        catalogo: CatalogoGeografico | None = None,
        hoy: dt.date | None = None,
    ) -> None:
        self.flujo = flujo
        self.contexto = dict(contexto or {})
        self.catalogo = catalogo
        self.hoy = hoy
        self.estado: EstadoFlujo | None = None
        self.acciones: list[Accion] = []
        self.eventos: list[str] = []
        self.ultimas: list[Respuesta] = []
        self.mensajes_usuario = 0

    @property
    def terminado(self) -> bool:
        """¿Ya no hay flujo activo?"""
        return self.estado is None

    @property
    def texto(self) -> str:
        """Todo el texto de la última tanda de respuestas."""
        return "\n".join(r.texto for r in self.ultimas)

    @property
    def payloads(self) -> list[str]:
        """Payloads de los botones de la última tanda."""
        return [b.payload for r in self.ultimas for b in r.botones]

    def _tomar(self, resultado: Resultado) -> list[Respuesta]:
        self.estado = resultado.estado
        self.acciones.extend(resultado.acciones)
        if resultado.evento:
            self.eventos.append(resultado.evento)
        self.ultimas = resultado.respuestas
        return resultado.respuestas

    def iniciar(self, respuestas_previas: dict[str, Any] | None = None) -> list[Respuesta]:
        """Empieza el flujo."""
        return self._tomar(interprete.iniciar(
            self.flujo, self.contexto, respuestas_previas, catalogo=self.catalogo, hoy=self.hoy
        ))

    def _estado(self) -> EstadoFlujo:
        if self.estado is None:
            raise RuntimeError("el flujo ya terminó")
        # Ida y vuelta por JSON, como cuando el motor lo guarda en la base de datos.
        return self.estado.copia()

    def enviar(
        self, texto: str = "", payload: str | None = None, archivo: dict[str, Any] | None = None
    ) -> list[Respuesta]:
        """El usuario manda algo."""
        self.mensajes_usuario += 1
        entrada = Entrada(texto=texto, payload=payload, archivo=archivo)
        return self._tomar(interprete.avanzar(
            self.flujo, self._estado(), entrada, self.contexto, catalogo=self.catalogo, hoy=self.hoy
        ))

    def acepta(self, texto: str = "", payload: str | None = None) -> bool:
        """¿El paso actual tomaría esta entrada?"""
        return interprete.acepta(
            self.flujo, self._estado(), Entrada(texto=texto, payload=payload), self.contexto,
            catalogo=self.catalogo, hoy=self.hoy,
        )

    def atras(self) -> list[Respuesta]:
        """Comando «atrás»."""
        return self._tomar(interprete.atras(
            self.flujo, self._estado(), self.contexto, catalogo=self.catalogo, hoy=self.hoy
        ))

    def ayuda(self) -> list[Respuesta]:
        """Comando «ayuda»."""
        return self._tomar(interprete.ayuda(self.flujo, self._estado(), self.contexto))

    def cancelar(self) -> list[Respuesta]:
        """Comando «cancelar»."""
        return self._tomar(interprete.cancelar(self.flujo, self._estado(), self.contexto))

    def recordatorio(self) -> list[Respuesta]:
        """Recordatorio tras una pregunta a mitad del flujo (no cambia el estado)."""
        self.ultimas = interprete.recordatorio(self.flujo, self._estado(), self.contexto)
        return self.ultimas
