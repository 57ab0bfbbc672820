"""La conversación del chat web tal como la vio la persona, para rehacerla al recargar la
página (`GET /chat/historial`). Solo lee; lo que aún la espera sale por
`bot.motor.pendientes`, no aquí, para que nada aparezca dos veces."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import or_, select

from bot.db.estados import Direccion, EstadoEnvio, TipoMensaje, leer_tipo
from bot.db.modelos import Conversacion, Mensaje, Usuario
from bot.db.sesion import Almacen
from bot.documentos.almacen import AlmacenDocumentos
from bot.motor.bandeja import RESPUESTA_NO_CONSERVADA, SIN_CONSENTIMIENTO
from bot.motor.guardadas import respuesta_guardada
from bot.nucleo.mensajes import Respuesta

HISTORIAL_MAXIMO = 200
"""Mensajes que se rehacen al recargar el chat web (los más recientes)."""

_ARCHIVO = re.compile(r"^\[archivo: (.+)\]$", re.DOTALL)


@dataclass(frozen=True)
class LineaHistorial:
    """Un mensaje ya dicho en la conversación, como lo ve la persona.

    `autor` es «usuario», «bot» o «asesor». De lo que escribió la persona, `respuesta.texto`
    es lo que se le mostró (el título del botón que pulsó, «📎 nombre» de un archivo) y
    `payload` el del botón. `omitida`: no se conservó porque rechazó el consentimiento."""

    autor: str
    respuesta: Respuesta
    payload: str | None = None
    omitida: bool = False


class BotonesOfrecidos:
    """Los títulos de los botones que el asistente fue ofreciendo, para nombrar un botón
    pulsado como lo vio la persona (se recorre la conversación en orden). Lo usan el chat web
    al rehacer la conversación y la transcripción del panel."""

    def __init__(self) -> None:
        self._titulos: dict[str, str] = {}

    def anotar(self, salida: Mensaje) -> None:
        """Los botones de una respuesta del asistente (el más reciente gana)."""
        for boton in salida.botones or ():
            if isinstance(boton, dict) and boton.get("payload") and boton.get("titulo"):
                self._titulos[str(boton["payload"])] = str(boton["titulo"])

    def titulo(self, payload: str) -> str | None:
        """El título del botón con ese payload, si se ofreció."""
        return self._titulos.get(payload)


def archivo_enviado(texto: str | None) -> str | None:
    """El nombre del archivo si el mensaje de la persona fue uno («[archivo: acta.pdf]»)."""
    coincide = _ARCHIVO.match(texto or "")
    return coincide.group(1) if coincide else None


async def historial(almacen: Almacen, documentos: AlmacenDocumentos | None, canal: str,
                    id_externo: str, limite: int = HISTORIAL_MAXIMO) -> list[LineaHistorial]:
    """Los últimos `limite` mensajes de la conversación de la persona, en orden: lo que
    escribió y lo que ya se le entregó (lo que aún la espera sale por `reclamar`, no aquí).
    Solo lee."""
    async with almacen.lectura() as s:
        filas = list((await s.scalars(
            select(Mensaje)
            .join(Conversacion, Conversacion.id == Mensaje.conversacion_id)
            .join(Usuario, Usuario.id == Conversacion.usuario_id)
            .where(Usuario.canal == canal, Usuario.id_externo == id_externo,
                   or_(Mensaje.direccion == Direccion.ENTRADA,
                       Mensaje.envio.is_(None), Mensaje.envio != EstadoEnvio.PENDIENTE))
            .order_by(Mensaje.id.desc()).limit(limite))).all())
        filas.reverse()
        lineas: list[LineaHistorial] = []
        ofrecidos = BotonesOfrecidos()
        for fila in filas:
            if fila.direccion == Direccion.SALIDA:
                ofrecidos.anotar(fila)
            if fila.texto in (SIN_CONSENTIMIENTO, RESPUESTA_NO_CONSERVADA):
                lineas.append(LineaHistorial(fila.autor, Respuesta(""), omitida=True))
            elif fila.direccion == Direccion.SALIDA:
                lineas.append(LineaHistorial(fila.autor,
                                             await respuesta_guardada(s, fila, documentos)))
            else:
                lineas.append(LineaHistorial("usuario", Respuesta(_visible(fila, ofrecidos)),
                                             fila.payload))
    return lineas


def _visible(fila: Mensaje, ofrecidos: BotonesOfrecidos) -> str:
    """Lo que la página mostró de un mensaje de la persona."""
    if fila.payload and not fila.texto:
        return ofrecidos.titulo(fila.payload) or fila.payload
    tipo, _ = leer_tipo(fila.tipo)
    archivo = archivo_enviado(fila.texto)
    if tipo in (TipoMensaje.ARCHIVO, TipoMensaje.ARCHIVO_RECHAZADO) and archivo:
        return f"📎 {archivo}"
    return fila.texto or ""
