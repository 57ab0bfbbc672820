"""Ayudante de pruebas: conversar con el motor como lo haría una persona."""

from __future__ import annotations

import datetime as dt
import itertools

from bot.flujos.rutas import RutasFlujos
from bot.motor.motor import Motor
from bot.nucleo.mensajes import ArchivoEntrante, Canal, MensajeEntrante, Respuesta

_contador = itertools.count()


class Charla:
    """Una persona que escribe al motor; guarda la última tanda de respuestas."""

    def __init__(self, motor: Motor, usuario: str = "ana", canal: Canal = Canal.REST) -> None:
        self.motor = motor
        self.usuario = usuario
        self.canal = canal
        self.ultimas: list[Respuesta] = []
        self.enviados = 0

    async def di(self, texto: str = "", payload: str | None = None,
                 archivo: ArchivoEntrante | None = None) -> list[Respuesta]:
        """Envía un mensaje y devuelve las respuestas."""
        self.enviados += 1
        self.ultimas = await self.motor.procesar(MensajeEntrante(
            self.canal, self.usuario, f"{self.usuario}-{next(_contador)}", texto=texto,
            payload=payload, archivo=archivo))
        return self.ultimas

    async def pulsa(self, titulo: str) -> list[Respuesta]:
        """Pulsa el botón ofrecido cuyo título contiene `titulo`."""
        for r in self.ultimas:
            for b in r.botones:
                if titulo.lower() in b.titulo.lower():
                    return await self.di(payload=b.payload)
        raise AssertionError(f"no hay botón «{titulo}» en {self.botones}")

    def pasan_dias(self, dias: int) -> None:
        """Adelanta el reloj de los trámites del motor (`RutasFlujos.desfase`): la persona
        vuelve a escribir `dias` después."""
        relojes = {id(r.__self__): r.__self__ for r in self.motor.rutas
                   if isinstance(getattr(r, "__self__", None), RutasFlujos)}
        assert relojes, "el motor no tiene las rutas de los trámites"
        for rutas in relojes.values():
            rutas.desfase += dt.timedelta(days=dias)

    @property
    def texto(self) -> str:
        """Todo el texto de la última tanda."""
        return "\n".join(r.texto for r in self.ultimas)

    @property
    def botones(self) -> list[str]:
        """Títulos de los botones de la última tanda."""
        return [b.titulo for r in self.ultimas for b in r.botones]


PERFIL = ["hola", "/si", "funcionario", "Nuevo León", "San Pedro Garza García", "Ana Pérez"]
# «San Antonio, Texas»: el país sale de la región (no se pregunta).
REGISTRO = ["quiero registrar un hermanamiento", "/si", "San Antonio, Texas", "hermanamiento",
            "educación y cultura",
            "Intercambio académico, cultural y de buenas prácticas de gobierno",
            "/omitir", "15/03/2025", "ninguno", "/si", "Directora de Asuntos Internacionales",
            "ana.perez@sanpedro.gob.mx", "(81) 1234-5678", "confirmar"]


async def decir_todo(charla: Charla, mensajes: list[str]) -> Charla:
    """Manda los mensajes en orden («/…» va como botón)."""
    for mensaje in mensajes:
        if mensaje.startswith("/"):
            await charla.di(payload=mensaje)
        else:
            await charla.di(mensaje)
    return charla


async def registrar_iniciativa(charla: Charla) -> str:
    """Recorre bienvenida y registro; devuelve el folio."""
    await decir_todo(charla, PERFIL + REGISTRO)
    import re

    encontrado = re.search(r"CH-\d{4}-[A-Z]+-\d{4}", charla.texto)
    assert encontrado, charla.texto
    return encontrado.group(0)
