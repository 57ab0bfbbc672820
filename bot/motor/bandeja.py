"""Bandeja de entrada: cada mensaje se guarda antes de procesarse, una sola vez.

Y lo que se vacía al decidirlo: de quien rechazó el consentimiento no queda el texto de lo
que escribió ni el de lo que se le respondió (`vaciar_sin_consentimiento`); la bandeja sigue
siendo durable porque el mensaje se guarda entero hasta que se decide.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import bindparam, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.contexto_conversacion import actualizar_contexto, leer_contexto
from bot.db.estados import Direccion, ModoConversacion, TipoMensaje, tipo_mensaje
from bot.db.modelos import SIN_PROCESAR, Conversacion, Documento, Mensaje, Usuario, ahora
from bot.documentos.almacen import TIPOS_ADMITIDOS, AlmacenDocumentos
from bot.documentos.borrado import quitar
from bot.motor.pendientes import ESPERA_A_LA_PERSONA
from bot.motor.salida import ALGO_ESPERA_EN_LA_CONVERSACION
from bot.nucleo.mensajes import ArchivoEntrante, MensajeEntrante

SIN_CONSENTIMIENTO = "[sin consentimiento]"
"""Lo que queda del texto de un mensaje de quien rechazó el consentimiento, ya decidido."""
RESPUESTA_NO_CONSERVADA = (
    "(No conservé esta respuesta porque usted prefirió que no guarde sus datos. Si aún la "
    "necesita, escriba de nuevo su pregunta.)")
"""Lo que queda de una respuesta a esa persona. Se lee bien por si la bandeja de salida tuviera
que enviarla más tarde (un reintento tras una falla de la plataforma)."""
DATO_SENSIBLE = "[dato sensible omitido]"
"""Lo que queda de un mensaje con un dato sensible que una ruta no quiso guardar."""
NOTA_TEXTO_SENSIBLE = "texto_sensible"
"""En `Contexto.notas`: la ruta pide no conservar el texto del mensaje (trae un dato sensible)."""


def sin_consentimiento(conversacion: Conversacion) -> bool:
    """¿La persona rechazó el consentimiento (y no lo dio después)? Entonces no se conserva el
    texto de sus mensajes. Durante un traspaso (que tuvo que aceptar compartir), en espera o
    tomado, sí, para que la persona que la atiende lo lea."""
    contexto = leer_contexto(conversacion)
    return (contexto.consentimiento_rechazado and contexto.acuse_traspaso is None
            and conversacion.modo != ModoConversacion.HUMANO)


async def _soltar_adjuntos(sesion: AsyncSession, mensajes: list[Mensaje]) -> None:
    """Quita los archivos que mandó (los que no están en un expediente): fila y archivo."""
    ids = {m.adjunto_id for m in mensajes if m.adjunto_id is not None}
    if not ids:
        return
    sueltos = list((await sesion.scalars(select(Documento).where(
        Documento.id.in_(ids), Documento.caso_id.is_(None)))).all())
    quitados = {d.id for d in sueltos}
    for mensaje in mensajes:
        if mensaje.adjunto_id in quitados:
            mensaje.adjunto_id = None
    await quitar(sesion, sueltos)


def _olvidar_lo_personal(conversacion: Conversacion) -> None:
    """Del contexto: el nombre que dio la plataforma y lo que mencionó (lugares, fechas…)."""
    actualizar_contexto(conversacion, nombre_canal=None, detectado=None, memoria=None)


async def vaciar_sin_consentimiento(sesion: AsyncSession, mensaje: Mensaje,
                                    conversacion: Conversacion,
                                    respuestas: Iterable[Mensaje] = ()) -> None:
    """Ya decidido el mensaje de quien no dio su consentimiento, en la misma transacción:
    se vacían su texto y su payload, el texto de sus respuestas y su archivo (si no es de un
    expediente). Quedan el id, la fecha, el tipo y el orden: lo que la bandeja necesita."""
    mensaje.texto = SIN_CONSENTIMIENTO
    mensaje.payload = None
    for fila in respuestas:
        fila.texto = RESPUESTA_NO_CONSERVADA
    await _soltar_adjuntos(sesion, [mensaje])
    _olvidar_lo_personal(conversacion)


async def vaciar_conversacion(sesion: AsyncSession, conversacion: Conversacion,
                              antes_de: int | None = None) -> None:
    """Al rechazar el consentimiento: lo ya guardado de la conversación (antes del mensaje
    `antes_de`) queda como si se hubiera vaciado al decidirlo."""
    condiciones = [Mensaje.conversacion_id == conversacion.id]
    if antes_de is not None:
        condiciones.append(Mensaje.id < antes_de)
    await sesion.execute(
        update(Mensaje).where(*condiciones, Mensaje.direccion == Direccion.ENTRADA)
        .values(texto=SIN_CONSENTIMIENTO, payload=None)
        .execution_options(synchronize_session="fetch"))
    await sesion.execute(
        update(Mensaje).where(*condiciones, Mensaje.direccion == Direccion.SALIDA)
        .values(texto=RESPUESTA_NO_CONSERVADA).execution_options(synchronize_session="fetch"))
    con_archivo = list((await sesion.scalars(select(Mensaje).where(
        *condiciones, Mensaje.adjunto_id.is_not(None)))).all())
    await _soltar_adjuntos(sesion, con_archivo)
    _olvidar_lo_personal(conversacion)


@dataclass(frozen=True)
class Registro:
    """Resultado de guardar un mensaje entrante."""

    mensaje_id: int
    conversacion_id: int
    usuario_id: int
    duplicado: bool
    hay_previos: bool = False
    """¿Quedaban mensajes anteriores de la conversación sin procesar (p. ej. tras una caída)?"""
    filas: tuple[Mensaje, Conversacion, Usuario] | None = field(default=None, compare=False)
    """Las filas ya cargadas en la sesión que lo guardó (para procesar en la misma)."""
    salida_libre: bool = True
    """¿Nada de la conversación esperaba salir en la bandeja de salida? (`bot.motor.salida`)."""
    esperan_a_la_persona: bool = False
    """¿Algo espera a la persona? (REST y chat web, sin emisor: `bot.motor.pendientes`)."""


# Una sola consulta por mensaje: el usuario, su conversación, ¿ya se recibió este id?, ¿queda
# alguno sin procesar?, si algo espera en la bandeja de salida y si algo espera a la persona.
# Se arma una vez (armarla en cada mensaje cuesta más que correrla). Las preguntas por la
# conversación son subconsultas escalares con LIMIT 1 sobre índices parciales: un `min(id)`
# dejaba al planificador recorrer la llave primaria entera con estadísticas viejas (medido:
# 2.5 ms y ~240 páginas por mensaje), y un EXISTS puede volverse una tabla hash del índice
# entero (ver `bot.motor.salida`).
_PREVIO = (select(Mensaje.id)
           .where(Mensaje.canal == bindparam("canal"),
                  Mensaje.id_externo == bindparam("id_mensaje"),
                  Mensaje.conversacion_id == Conversacion.id)
           .scalar_subquery())
_SIN_PROCESAR = select(Mensaje.id).where(
    text(SIN_PROCESAR), Mensaje.conversacion_id == Conversacion.id).limit(1).scalar_subquery()
_USUARIO_CONVERSACION_Y_PENDIENTES = (
    select(Usuario, Conversacion, _PREVIO, _SIN_PROCESAR, ALGO_ESPERA_EN_LA_CONVERSACION,
           ESPERA_A_LA_PERSONA)
    .outerjoin(Conversacion, Conversacion.usuario_id == Usuario.id)
    .where(Usuario.canal == bindparam("canal"), Usuario.id_externo == bindparam("id_usuario"))
)


async def usuario_y_conversacion(
    sesion: AsyncSession, canal: str, id_externo: str, nombre: str | None = None
) -> tuple[Usuario, Conversacion]:
    """El usuario del canal y su conversación; los crea la primera vez."""
    usuario = await sesion.scalar(
        select(Usuario).where(Usuario.canal == canal, Usuario.id_externo == id_externo)
    )
    if usuario is None:
        usuario = await _nuevo(sesion, Usuario(canal=canal, id_externo=id_externo))
    conversacion = await sesion.scalar(
        select(Conversacion).where(Conversacion.usuario_id == usuario.id)
    ) or await _nueva_conversacion(sesion, usuario)
    proponer_nombre(conversacion, nombre)
    return usuario, conversacion


async def _nuevo(sesion: AsyncSession, fila: Usuario) -> Usuario:
    sesion.add(fila)
    await sesion.flush()
    return fila


async def _nueva_conversacion(sesion: AsyncSession, usuario: Usuario) -> Conversacion:
    conversacion = Conversacion(usuario_id=usuario.id, respuestas={}, historial=[], contexto={})
    sesion.add(conversacion)
    await sesion.flush()
    return conversacion


def proponer_nombre(conversacion: Conversacion, nombre: str | None) -> None:
    """Anota el nombre que da la plataforma (el perfil guarda el que confirme la persona); no
    si rechazó el consentimiento."""
    if not nombre:
        return
    contexto = leer_contexto(conversacion)
    if contexto.nombre_canal != nombre[:80] and not contexto.consentimiento_rechazado:
        actualizar_contexto(conversacion, nombre_canal=nombre[:80])


ACTIVIDAD_PRECISION = dt.timedelta(seconds=60)


def marcar_actividad(usuario: Usuario) -> None:
    """Anota cuándo escribió por última vez (al minuto: ahorra una escritura por mensaje; la
    ventana de 24 h de WhatsApp y la retención no necesitan más precisión)."""
    momento = ahora()
    previo = usuario.ultimo_mensaje_en
    if previo is not None and previo.tzinfo is None:
        previo = previo.replace(tzinfo=dt.timezone.utc)
    if previo is None or momento - previo >= ACTIVIDAD_PRECISION:
        usuario.ultimo_mensaje_en = momento


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
    se_decide_ya: Callable[[Mensaje, Conversacion], bool] | None = None,
) -> Registro:
    """Guarda el mensaje (y su archivo) si no se había recibido ya ese id del canal.

    Un archivo demasiado grande, vacío o de un tipo no admitido no se guarda: el mensaje
    queda con tipo `archivo_rechazado:<motivo>` para que el motor lo explique.
    Si no hay nada pendiente antes y `se_decide_ya` dice que el mensaje se decide en esta
    misma transacción, nace procesado: si la transacción se deshace, se deshace con él (y
    así no hace falta otra sentencia para marcarlo).
    """
    canal = entrante.canal.value
    fila = (await sesion.execute(_USUARIO_CONVERSACION_Y_PENDIENTES, {
        "canal": canal, "id_usuario": entrante.id_usuario, "id_mensaje": entrante.id_mensaje,
    })).first()
    if fila is None or fila[1] is None:  # alguien nuevo, o sin conversación todavía
        usuario = fila[0] if fila is not None else await _nuevo(
            sesion, Usuario(canal=canal, id_externo=entrante.id_usuario))
        conversacion = await _nueva_conversacion(sesion, usuario)
        hay_previos = algo_espera = a_la_persona = False
    else:
        usuario, conversacion, previo, sin_procesar, esperando, a_la_persona_id = fila
        hay_previos, algo_espera = sin_procesar is not None, esperando is not None
        a_la_persona = a_la_persona_id is not None
        if previo is not None:
            return Registro(previo, conversacion.id, usuario.id, True, hay_previos,
                            esperan_a_la_persona=a_la_persona)
    proponer_nombre(conversacion, entrante.nombre_usuario)
    if usuario.bloqueo_canal:  # si escribe, ya no tiene bloqueado al bot
        usuario.bloqueo_canal = False
    adjunto_id = None
    texto = entrante.texto
    tipo = tipo_mensaje(TipoMensaje.BOTON if entrante.payload else TipoMensaje.TEXTO)
    rechazo = (motivo_rechazo(entrante.archivo, maximo_bytes)
               if entrante.archivo is not None else None)
    if entrante.archivo is not None and rechazo is not None:
        texto = texto or f"[archivo: {entrante.archivo.nombre}]"
        tipo = tipo_mensaje(TipoMensaje.ARCHIVO_RECHAZADO, rechazo)
    elif entrante.archivo is not None:
        guardado = await documentos.guardar_sin_bloquear(entrante.archivo.contenido,
                                                         entrante.archivo.mime)
        documento = Documento(
            usuario_id=usuario.id, tipo="sin_clasificar", nombre_archivo=entrante.archivo.nombre,
            mime=entrante.archivo.mime, tamano=guardado.tamano, sha256=guardado.sha256,
            ruta=str(guardado.ruta),
        )
        sesion.add(documento)
        await sesion.flush()
        adjunto_id = documento.id
        texto = texto or f"[archivo: {entrante.archivo.nombre}]"
        tipo = tipo_mensaje(TipoMensaje.ARCHIVO)
    elif entrante.tipo_no_soportado:
        texto = texto or f"[{entrante.tipo_no_soportado}]"
        tipo = tipo_mensaje(TipoMensaje.NO_SOPORTADO, entrante.tipo_no_soportado)
    mensaje = Mensaje(
        conversacion_id=conversacion.id, direccion=Direccion.ENTRADA, autor="usuario", canal=canal,
        id_externo=entrante.id_mensaje, texto=texto, payload=entrante.payload,
        adjunto_id=adjunto_id, tipo=tipo, extra={"recortado": True} if recortado else None,
    )
    if not hay_previos and se_decide_ya is not None and se_decide_ya(mensaje, conversacion):
        mensaje.procesado_en = ahora()
    sesion.add(mensaje)
    marcar_actividad(usuario)
    await sesion.flush()
    return Registro(mensaje.id, conversacion.id, usuario.id, False, hay_previos,
                    (mensaje, conversacion, usuario), not algo_espera, a_la_persona)
