"""De un update de Telegram a un `MensajeEntrante` neutral (y nada más).

Ids: el `message_id` de Telegram se repite entre chats, así que el id del mensaje es
`{chat_id}:{message_id}`; un botón pulsado usa `cb:{id del callback}`.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass

from telegram import Message, Update

from bot.canales import payloads
from bot.db.sesion import Almacen
from bot.nucleo.mensajes import ArchivoEntrante, Canal, MensajeEntrante

_NO_SOPORTADOS = (
    ("sticker", "sticker"), ("voice", "voz"), ("audio", "audio"), ("video", "video"),
    ("video_note", "video"), ("animation", "video"), ("location", "ubicacion"),
    ("venue", "ubicacion"), ("contact", "contacto"), ("dice", "sticker"),
)


@dataclass(frozen=True)
class ArchivoGrande:
    """El usuario mandó un archivo que excede el tamaño admitido."""

    id_usuario: str
    nombre: str
    tamano: int


@dataclass(frozen=True)
class ArchivoPorBajar:
    """Un archivo del mensaje, antes de descargarlo."""

    file_id: str
    nombre: str
    mime: str
    tamano: int | None


def archivo_de(mensaje: Message) -> ArchivoPorBajar | None:
    """El documento o la foto (la de mayor tamaño) del mensaje, si trae."""
    if mensaje.document is not None:
        d = mensaje.document
        nombre = d.file_name or "documento"
        mime = d.mime_type or mimetypes.guess_type(nombre)[0] or "application/octet-stream"
        return ArchivoPorBajar(d.file_id, nombre, mime, d.file_size)
    if mensaje.photo:
        foto = max(mensaje.photo, key=lambda f: f.width * f.height)
        return ArchivoPorBajar(foto.file_id, f"foto_{mensaje.message_id}.jpg", "image/jpeg",
                               foto.file_size)
    return None


def tipo_no_soportado(mensaje: Message) -> str | None:
    """Qué llegó que no se admite (sticker, nota de voz…), si es el caso."""
    for atributo, tipo in _NO_SOPORTADOS:
        if getattr(mensaje, atributo, None):
            return tipo
    return None


def titulo_del_boton(mensaje: Message | None, dato: str) -> str:
    """El título del botón pulsado, buscándolo en el teclado del mensaje del bot."""
    teclado = getattr(mensaje, "reply_markup", None)
    for fila in getattr(teclado, "inline_keyboard", ()):
        for boton in fila:
            if boton.callback_data == dato:
                return str(boton.text)
    return ""


async def a_entrante(update: Update, almacen: Almacen,
                     max_bytes: int) -> MensajeEntrante | ArchivoGrande | None:
    """El mensaje neutral del update (None si no es algo que el usuario le dice al bot)."""
    usuario = update.effective_user
    if usuario is None or usuario.is_bot:
        return None
    id_usuario = str(usuario.id)
    nombre = usuario.full_name or None
    consulta = update.callback_query
    if consulta is not None:
        dato = consulta.data or ""
        payload = await payloads.expandir(almacen, dato)
        mensaje_bot = consulta.message if isinstance(consulta.message, Message) else None
        return MensajeEntrante(
            canal=Canal.TELEGRAM, id_usuario=id_usuario, id_mensaje=f"cb:{consulta.id}",
            texto=titulo_del_boton(mensaje_bot, dato), payload=payload or None,
            nombre_usuario=nombre,
        )
    mensaje = update.message
    if mensaje is None:
        return None
    id_mensaje = f"{mensaje.chat.id}:{mensaje.message_id}"
    texto = mensaje.text or mensaje.caption or ""
    por_bajar = archivo_de(mensaje)
    archivo = None
    if por_bajar is not None:
        if por_bajar.tamano is not None and por_bajar.tamano > max_bytes:
            return ArchivoGrande(id_usuario, por_bajar.nombre, por_bajar.tamano)
        remoto = await mensaje.get_bot().get_file(por_bajar.file_id)
        contenido = bytes(await remoto.download_as_bytearray())
        if len(contenido) > max_bytes:
            return ArchivoGrande(id_usuario, por_bajar.nombre, len(contenido))
        archivo = ArchivoEntrante(por_bajar.nombre, por_bajar.mime, contenido)
    return MensajeEntrante(
        canal=Canal.TELEGRAM, id_usuario=id_usuario, id_mensaje=id_mensaje, texto=texto,
        archivo=archivo, nombre_usuario=nombre,
        tipo_no_soportado=None if archivo else tipo_no_soportado(mensaje),
    )
