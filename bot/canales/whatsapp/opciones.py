"""Opciones numeradas: cuando una respuesta trajo más de 10 opciones se mostraron como texto
numerado; si el usuario contesta con un número, se traduce al payload de esa opción.

Las opciones ofrecidas ya están guardadas: son los botones de la última respuesta del bot.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.db.estados import Direccion
from bot.db.modelos import Conversacion, Mensaje, Usuario
from bot.db.sesion import Almacen
from bot.nucleo.mensajes import Boton

MAX_LISTA = 10


def numero(texto: str) -> int | None:
    """El número que escribió el usuario («3», «3.», «#3»), si solo escribió eso."""
    limpio = texto.strip().lstrip("#").rstrip(".)").strip()
    return int(limpio) if limpio.isdigit() and len(limpio) <= 3 else None


async def opciones_ofrecidas(almacen: Almacen, canal: str, id_usuario: str) -> list[Boton]:
    """Las opciones numeradas de la última respuesta del bot (vacío si no hubo)."""
    async with almacen.lectura() as s:
        ultima = await s.scalar(
            select(Mensaje)
            .join(Conversacion, Conversacion.id == Mensaje.conversacion_id)
            .join(Usuario, Usuario.id == Conversacion.usuario_id)
            .where(Usuario.canal == canal, Usuario.id_externo == id_usuario,
                   Mensaje.direccion == Direccion.SALIDA)
            .order_by(Mensaje.id.desc()).limit(1)
        )
        if ultima is None or ultima.responde_a_id is None:
            return []
        hermanas = (await s.scalars(
            select(Mensaje).where(Mensaje.responde_a_id == ultima.responde_a_id,
                                  Mensaje.direccion == Direccion.SALIDA).order_by(Mensaje.id)
        )).all()
    for mensaje in reversed(hermanas):
        botones = mensaje.botones or []
        if len(botones) > MAX_LISTA:
            return [Boton(b["titulo"], b["payload"]) for b in botones]
    return []


async def traducir_numero(almacen: Almacen, canal: str, id_usuario: str,
                          texto: str) -> Boton | None:
    """La opción elegida si `texto` es un número de las opciones numeradas ofrecidas."""
    n = numero(texto)
    if n is None:
        return None
    ofrecidas = await opciones_ofrecidas(almacen, canal, id_usuario)
    return ofrecidas[n - 1] if 1 <= n <= len(ofrecidas) else None
