"""Chat desde la terminal: interactivo (botones numerados) o leyendo líneas de una tubería."""

from __future__ import annotations

import asyncio
import re
import sys
import uuid
from collections.abc import Awaitable, Callable, Iterable

from bot.motor.motor import Motor
from bot.nucleo.mensajes import Boton, Canal, MensajeEntrante, Respuesta

_NEGRITAS = re.compile(r"\*([^*\n]+)\*")


def formatear(respuestas: list[Respuesta], color: bool) -> tuple[str, list[Boton]]:
    """Texto para la terminal y los botones ofrecidos (numerados del 1 en adelante)."""
    lineas: list[str] = []
    botones: list[Boton] = []
    for r in respuestas:
        if r.texto:
            texto = _NEGRITAS.sub(r"\033[1m\1\033[0m" if color else r"\1", r.texto)
            lineas.append(texto)
        if r.enlace:
            lineas.append(f"  ({r.enlace})")
        if r.documento is not None:
            lineas.append(f"  [documento: {r.documento.nombre}]")
        for b in r.botones:
            botones.append(b)
            lineas.append(f"  {len(botones)}. {b.titulo}")
    return "\n".join(lineas), botones


def a_entrante(linea: str, botones: list[Boton], usuario: str) -> MensajeEntrante:
    """Un número elige el botón ofrecido; lo demás se envía como texto."""
    linea = linea.strip()
    if linea.isdigit() and 1 <= int(linea) <= len(botones):
        boton = botones[int(linea) - 1]
        return MensajeEntrante(Canal.TERMINAL, usuario, uuid.uuid4().hex, payload=boton.payload)
    if linea.startswith("/"):
        return MensajeEntrante(Canal.TERMINAL, usuario, uuid.uuid4().hex, payload=linea)
    return MensajeEntrante(Canal.TERMINAL, usuario, uuid.uuid4().hex, texto=linea)


async def conversar(
    motor: Motor, lineas: Iterable[str], usuario: str, escribir: Callable[[str], None],
    interactivo: bool,
) -> None:
    """Envía cada línea al motor y escribe las respuestas."""
    botones: list[Boton] = []
    for linea in lineas:
        if interactivo and linea.strip().lower() in {"salir", "exit", "quit"}:
            break
        if not interactivo:
            escribir(f"> {linea.rstrip()}")
        respuestas = await motor.procesar(a_entrante(linea, botones, usuario))
        texto, botones = formatear(respuestas, color=interactivo)
        escribir(texto + "\n")


def lineas_de_entrada(interactivo: bool) -> Iterable[str]:
    """Lee líneas de la terminal (con indicador) o de la tubería hasta el fin."""
    if not interactivo:
        yield from sys.stdin
        return
    while True:
        try:
            yield input("Usted: ")
        except (EOFError, KeyboardInterrupt):
            print()
            return


def correr(motor: Motor, usuario: str,
           al_terminar: Callable[[], Awaitable[None]] | None = None) -> None:
    """Punto de entrada de `hermanamientos chat`; `al_terminar` cierra los servicios (en el
    mismo bucle de eventos que los usó)."""
    interactivo = sys.stdin.isatty()
    if interactivo:
        print("Chat con el asistente. Escriba «salir» para terminar; "
              "un número elige una opción.\n")

    async def sesion() -> None:
        try:
            await conversar(motor, lineas_de_entrada(interactivo), usuario, print, interactivo)
        finally:
            if al_terminar is not None:
                await al_terminar()

    asyncio.run(sesion())
