"""Bandeja de entrada: cada mensaje se guarda antes de procesarse, una sola vez."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.modelos import Conversacion, Documento, Mensaje, Usuario, ahora
from bot.documentos.almacen import TIPOS_ADMITIDOS, AlmacenDocumentos
from bot.motor.mensajes import ArchivoEntrante, MensajeEntrante


@dataclass(frozen=True)
class Registro:
    """Resultado de guardar un mensaje entrante."""

    mensaje_id: int
    conversacion_id: int
    usuario_id: int
    duplicado: bool


async def usuario_y_conversacion(
    sesion: AsyncSession, canal: str, id_externo: str, nombre: str | None = None
) -> tuple[Usuario, Conversacion]:
    """El usuario del canal y su conversación; los crea la primera vez."""
    usuario = await sesion.scalar(
        select(Usuario).where(Usuario.canal == canal, Usuario.id_externo == id_externo)
    )
    if usuario is None:
        usuario = Usuario(canal=canal, id_externo=id_externo)
        sesion.add(usuario)
        await sesion.flush()
    conversacion = await sesion.scalar(
        select(Conversacion).where(Conversacion.usuario_id == usuario.id)
    )
    if conversacion is None:
        conversacion = Conversacion(usuario_id=usuario.id, respuestas={}, historial=[], contexto={})
        sesion.add(conversacion)
        await sesion.flush()
    if nombre and (conversacion.contexto or {}).get("nombre_canal") != nombre[:80]:
        # El nombre de la plataforma solo se propone; el perfil guarda el que confirme la persona.
        conversacion.contexto = {**(conversacion.contexto or {}), "nombre_canal": nombre[:80]}
    return usuario, conversacion


def motivo_rechazo(archivo: ArchivoEntrante, maximo_bytes: int) -> str | None:
    """Por qué no se acepta un archivo («grande», «tipo», «vacio»), o None si está bien."""
    if not archivo.contenido:
        return "vacio"
    if len(archivo.contenido) > maximo_bytes:
        return "grande"
    if archivo.mime not in TIPOS_ADMITIDOS:
        return "tipo"
    return None


async def registrar_entrante(
    sesion: AsyncSession, entrante: MensajeEntrante, documentos: AlmacenDocumentos,
    maximo_bytes: int = 10 * 1024 * 1024, recortado: bool = False,
) -> Registro:
    """Guarda el mensaje (y su archivo) si no se había recibido ya ese id del canal.

    Un archivo demasiado grande, vacío o de un tipo no admitido no se guarda: el mensaje
    queda con tipo `archivo_rechazado:<motivo>` para que el motor lo explique.
    """
    canal = entrante.canal.value
    previo = await sesion.scalar(
        select(Mensaje).where(Mensaje.canal == canal, Mensaje.id_externo == entrante.id_mensaje)
    )
    if previo is not None:
        conversacion = await sesion.get(Conversacion, previo.conversacion_id)
        assert conversacion is not None
        return Registro(previo.id, previo.conversacion_id, conversacion.usuario_id, True)
    usuario, conversacion = await usuario_y_conversacion(
        sesion, canal, entrante.id_usuario, entrante.nombre_usuario
    )
    adjunto_id = None
    texto = entrante.texto
    tipo = "boton" if entrante.payload else "texto"
    rechazo = (motivo_rechazo(entrante.archivo, maximo_bytes)
               if entrante.archivo is not None else None)
    if entrante.archivo is not None and rechazo is not None:
        texto = texto or f"[archivo: {entrante.archivo.nombre}]"
        tipo = f"archivo_rechazado:{rechazo}"
    elif entrante.archivo is not None:
        guardado = documentos.guardar(entrante.archivo.contenido, entrante.archivo.mime)
        documento = Documento(
            usuario_id=usuario.id, tipo="sin_clasificar", nombre_archivo=entrante.archivo.nombre,
            mime=entrante.archivo.mime, tamano=guardado.tamano, sha256=guardado.sha256,
            ruta=str(guardado.ruta),
        )
        sesion.add(documento)
        await sesion.flush()
        adjunto_id = documento.id
        texto = texto or f"[archivo: {entrante.archivo.nombre}]"
        tipo = "archivo"
    elif entrante.tipo_no_soportado:
        texto = texto or f"[{entrante.tipo_no_soportado}]"
        tipo = f"no_soportado:{entrante.tipo_no_soportado}"[:32]
    mensaje = Mensaje(
        conversacion_id=conversacion.id, direccion="entrada", autor="usuario", canal=canal,
        id_externo=entrante.id_mensaje, texto=texto, payload=entrante.payload,
        adjunto_id=adjunto_id, tipo=tipo, extra={"recortado": True} if recortado else None,
    )
    sesion.add(mensaje)
    usuario.ultimo_mensaje_en = ahora()
    await sesion.flush()
    return Registro(mensaje.id, conversacion.id, usuario.id, False)
