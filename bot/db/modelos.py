"""Modelo de datos del almacén central (docs/ARQUITECTURA.md §4).

Convención: el llamador abre la sesión y la transacción; aquí solo hay tablas.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum as EnumeracionPy
from typing import Any, TypeVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from bot.db.estados import (
    Audiencia,
    Direccion,
    EstadoEnvio,
    EstadoTraspaso,
    ModoConversacion,
    TipoMensaje,
    valores,
)

EnumeracionT = TypeVar("EnumeracionT", bound=EnumeracionPy)


def ahora() -> dt.datetime:
    """Momento actual en UTC (con zona)."""
    return dt.datetime.now(dt.timezone.utc)


def texto_cerrado(enumeracion: type[EnumeracionT], largo: int, restriccion: str) -> Enum:
    """Columna de texto con un conjunto cerrado de valores (bot/db/estados.py): guarda el valor
    (no el nombre del miembro), devuelve miembros de la enumeración y la base la restringe con
    el CHECK `restriccion` (migración 0006)."""
    return Enum(enumeracion, name=restriccion, native_enum=False, create_constraint=True,
                length=largo, values_callable=valores)


class Base(DeclarativeBase):
    """Base declarativa de todas las tablas."""

    type_annotation_map = {
        dt.datetime: DateTime(timezone=True),
        dict[str, Any]: JSON,
        list[Any]: JSON,
        list[str]: JSON,
    }


class Estado(Base):
    """Entidad federativa (catálogo INEGI)."""

    __tablename__ = "estado"

    id: Mapped[int] = mapped_column(primary_key=True)
    clave_inegi: Mapped[str] = mapped_column(String(2), unique=True)
    nombre: Mapped[str] = mapped_column(String(80))
    abreviatura: Mapped[str] = mapped_column(String(10))
    codigo: Mapped[str] = mapped_column(String(4), unique=True)

    municipios: Mapped[list[Municipio]] = relationship(back_populates="estado")


class Municipio(Base):
    """Municipio o alcaldía (catálogo INEGI, Censo 2020)."""

    __tablename__ = "municipio"

    id: Mapped[int] = mapped_column(primary_key=True)
    clave_inegi: Mapped[str] = mapped_column(String(5), unique=True)
    estado_id: Mapped[int] = mapped_column(ForeignKey("estado.id"), index=True)
    nombre: Mapped[str] = mapped_column(String(120))
    cabecera: Mapped[str | None] = mapped_column(String(120))
    poblacion: Mapped[int | None] = mapped_column(Integer)

    estado: Mapped[Estado] = relationship(back_populates="municipios")


class Usuario(Base):
    """Persona que escribe al asistente por un canal."""

    __tablename__ = "usuario"
    __table_args__ = (UniqueConstraint("canal", "id_externo", name="uq_usuario_canal_externo"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    canal: Mapped[str] = mapped_column(String(16))
    id_externo: Mapped[str] = mapped_column(String(64))
    nombre: Mapped[str | None] = mapped_column(String(120))
    rol: Mapped[str | None] = mapped_column(String(32))
    estado_id: Mapped[int | None] = mapped_column(ForeignKey("estado.id"))
    municipio_id: Mapped[int | None] = mapped_column(ForeignKey("municipio.id"))
    consentimiento_en: Mapped[dt.datetime | None]
    version_aviso: Mapped[str | None] = mapped_column(String(32))
    bloqueo_canal: Mapped[bool] = mapped_column(Boolean, default=False)
    numero_whatsapp: Mapped[str | None] = mapped_column(String(32))
    """Solo WhatsApp: el número para escribirle. `id_externo` guarda su HMAC (no el número);
    el borrado y la retención vacían esta columna (bot/privacidad/identificadores.py)."""
    anonimizado_en: Mapped[dt.datetime | None]
    creado_en: Mapped[dt.datetime] = mapped_column(default=ahora)
    ultimo_mensaje_en: Mapped[dt.datetime | None]

    estado: Mapped[Estado | None] = relationship()
    municipio: Mapped[Municipio | None] = relationship()


class Conversacion(Base):
    """Estado de la conversación de un usuario: modo, flujo activo, paso y respuestas parciales."""

    __tablename__ = "conversacion"

    id: Mapped[int] = mapped_column(primary_key=True)
    usuario_id: Mapped[int] = mapped_column(ForeignKey("usuario.id"), unique=True)
    modo: Mapped[ModoConversacion] = mapped_column(
        texto_cerrado(ModoConversacion, 8, "ck_conversacion_modo"), default=ModoConversacion.BOT)
    flujo: Mapped[str | None] = mapped_column(String(64))
    paso: Mapped[str | None] = mapped_column(String(64))
    respuestas: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    historial: Mapped[list[Any]] = mapped_column(JSON, default=list)
    fallos_paso: Mapped[int] = mapped_column(Integer, default=0)
    fallos_nlu: Mapped[int] = mapped_column(Integer, default=0)
    contexto: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ultima_actividad: Mapped[dt.datetime] = mapped_column(default=ahora)

    usuario: Mapped[Usuario] = relationship()


POR_ENVIAR = (f"direccion = '{Direccion.SALIDA}' AND "
              f"(envio IS NULL OR envio = '{EstadoEnvio.REINTENTAR}')")
"""Salidas que esperan en la bandeja (índice parcial: ¿algo espera antes de responder?)."""
ESPERAN_A_LA_PERSONA = (f"direccion = '{Direccion.SALIDA}' AND envio = '{EstadoEnvio.PENDIENTE}' "
                        "AND responde_a_id IS NULL")
"""Lo que espera a una persona de REST o del chat web (índice parcial: se pregunta en cada
mensaje suyo, `bot.motor.pendientes`)."""
SIN_PROCESAR = f"direccion = '{Direccion.ENTRADA}' AND procesado_en IS NULL"
"""Entradas guardadas que aún no se procesan (índice parcial: la bandeja de entrada).

Las consultas usan estos filtros como texto literal, no con parámetros, para que SQLite y
PostgreSQL (también con planes genéricos) puedan usar el índice parcial que tiene el mismo."""


class Mensaje(Base):
    """Mensaje entrante o saliente. Los entrantes se guardan antes de procesarse (bandeja)."""

    __tablename__ = "mensaje"
    __table_args__ = (
        UniqueConstraint("canal", "id_externo", name="uq_mensaje_canal_externo"),
        # Por conversación y en orden: la transcripción, «¿hubo algo antes de este?». Con el id
        # en el índice, el planificador no prefiere recorrer la llave primaria buscando la
        # conversación (lo hacía con estadísticas viejas de una tabla que crece rápido).
        Index("ix_mensaje_conversacion_orden", "conversacion_id", "id"),
        Index("ix_mensaje_sin_procesar", "conversacion_id", "id",
              sqlite_where=text(SIN_PROCESAR), postgresql_where=text(SIN_PROCESAR)),
        Index("ix_mensaje_por_enviar", "conversacion_id",
              sqlite_where=text(POR_ENVIAR), postgresql_where=text(POR_ENVIAR)),
        Index("ix_mensaje_espera_persona", "conversacion_id", "id",
              sqlite_where=text(ESPERAN_A_LA_PERSONA),
              postgresql_where=text(ESPERAN_A_LA_PERSONA)),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    conversacion_id: Mapped[int] = mapped_column(ForeignKey("conversacion.id"))
    direccion: Mapped[Direccion] = mapped_column(
        texto_cerrado(Direccion, 8, "ck_mensaje_direccion"))
    autor: Mapped[str] = mapped_column(String(16), default="usuario")  # usuario | bot | asesor
    # TipoMensaje, con detalle en no_soportado:<tipo> y archivo_rechazado:<motivo> (abierto)
    tipo: Mapped[str] = mapped_column(String(32), default=TipoMensaje.TEXTO.value)
    canal: Mapped[str] = mapped_column(String(16))
    id_externo: Mapped[str | None] = mapped_column(String(128))
    texto: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[str | None] = mapped_column(String(255))
    botones: Mapped[list[Any] | None] = mapped_column(JSON)
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # enlace, documento generado…
    adjunto_id: Mapped[int | None] = mapped_column(ForeignKey("documento.id"))
    responde_a_id: Mapped[int | None] = mapped_column(ForeignKey("mensaje.id"), index=True)
    creado_en: Mapped[dt.datetime] = mapped_column(default=ahora)
    procesado_en: Mapped[dt.datetime | None]
    # vacío (NULL): en la bandeja; si no, un EstadoEnvio
    envio: Mapped[EstadoEnvio | None] = mapped_column(
        texto_cerrado(EstadoEnvio, 16, "ck_mensaje_envio"))
    asesor_id: Mapped[int | None] = mapped_column(ForeignKey("asesor.id"))


class Caso(Base):
    """Expediente de una iniciativa de hermanamiento."""

    __tablename__ = "caso"

    id: Mapped[int] = mapped_column(primary_key=True)
    folio: Mapped[str] = mapped_column(String(24), unique=True)
    tipo: Mapped[str] = mapped_column(String(32))  # hermanamiento | acuerdo_amistad | cooperacion
    ambito: Mapped[str] = mapped_column(String(16), default="internacional")  # o nacional
    estatus: Mapped[str] = mapped_column(String(32), default="borrador", index=True)
    usuario_id: Mapped[int | None] = mapped_column(ForeignKey("usuario.id"), index=True)
    estado_id: Mapped[int] = mapped_column(ForeignKey("estado.id"), index=True)
    municipio_id: Mapped[int] = mapped_column(ForeignKey("municipio.id"))
    ciudad_contraparte: Mapped[str] = mapped_column(String(160))
    pais_contraparte: Mapped[str] = mapped_column(String(80))
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    objetivos: Mapped[str] = mapped_column(Text, default="")
    antecedentes: Mapped[str | None] = mapped_column(Text)
    fecha_cabildo: Mapped[dt.date | None] = mapped_column(Date)
    fecha_cabildo_prevista: Mapped[dt.date | None] = mapped_column(Date)
    """Sin aprobar aún: la fecha en que la persona dijo que sesionará el Cabildo."""
    contacto: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    comite: Mapped[list[Any]] = mapped_column(JSON, default=list)
    creado_en: Mapped[dt.datetime] = mapped_column(default=ahora)
    actualizado_en: Mapped[dt.datetime] = mapped_column(default=ahora, onupdate=ahora)

    estado: Mapped[Estado] = relationship()
    municipio: Mapped[Municipio] = relationship()
    eventos: Mapped[list[EventoCaso]] = relationship(
        back_populates="caso", order_by="EventoCaso.id"
    )
    documentos: Mapped[list[Documento]] = relationship(back_populates="caso")


class SecuenciaFolio(Base):
    """Último número de folio usado por estado y año."""

    __tablename__ = "secuencia_folio"

    estado_id: Mapped[int] = mapped_column(ForeignKey("estado.id"), primary_key=True)
    anio: Mapped[int] = mapped_column(Integer, primary_key=True)
    ultimo: Mapped[int] = mapped_column(Integer, default=0)


class EventoCaso(Base):
    """Evento de la línea de tiempo de un caso (solo se agregan, nunca se editan).

    `audiencia`: si la persona lo puede ver; por omisión, solo el equipo (quien crea un
    evento para la persona lo dice).
    """

    __tablename__ = "evento_caso"

    id: Mapped[int] = mapped_column(primary_key=True)
    caso_id: Mapped[int] = mapped_column(ForeignKey("caso.id"), index=True)
    tipo: Mapped[str] = mapped_column(String(40))
    descripcion: Mapped[str] = mapped_column(Text, default="")
    estatus_anterior: Mapped[str | None] = mapped_column(String(32))
    estatus_nuevo: Mapped[str | None] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(80))  # usuario:ID | asesor:ID | sistema
    datos: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    creado_en: Mapped[dt.datetime] = mapped_column(default=ahora)
    audiencia: Mapped[str] = mapped_column(String(8), default=Audiencia.EQUIPO.value,
                                           server_default=Audiencia.EQUIPO.value)

    caso: Mapped[Caso] = relationship(back_populates="eventos")


class Documento(Base):
    """Archivo adjunto a un caso, guardado en el almacén de documentos.

    `huella`: en la ficha y el oficio generados (tipo «generado»), la huella de los datos del
    caso con que se hicieron (`bot.documentos.generar.huella`); si no cambian, se reutilizan.
    """

    __tablename__ = "documento"

    id: Mapped[int] = mapped_column(primary_key=True)
    caso_id: Mapped[int | None] = mapped_column(ForeignKey("caso.id"), index=True)
    usuario_id: Mapped[int | None] = mapped_column(ForeignKey("usuario.id"))
    tipo: Mapped[str] = mapped_column(String(40))  # acta_cabildo | proyecto_acuerdo | …
    nombre_archivo: Mapped[str] = mapped_column(String(255))
    mime: Mapped[str] = mapped_column(String(100))
    tamano: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    ruta: Mapped[str] = mapped_column(String(500))
    creado_en: Mapped[dt.datetime] = mapped_column(default=ahora)
    huella: Mapped[str | None] = mapped_column(String(64))

    caso: Mapped[Caso | None] = relationship(back_populates="documentos")


TRABAJO_PENDIENTE = "estado = 'pendiente'"
"""Trabajos de documentos por hacer (índice parcial: lo que se retoma al arrancar)."""


class TrabajoDocumentos(Base):
    """La ficha PDF y el oficio DOCX de un caso, por entregar como respuesta a un mensaje.

    Nace en la misma transacción que decide generarlos (registro del caso, «/documentos») y
    queda `hecho` en la que guarda las respuestas con los documentos: si el proceso cae en
    medio, sigue `pendiente` y se retoma al arrancar. pendiente → hecho | fallido.
    """

    __tablename__ = "trabajo_documentos"
    __table_args__ = (
        Index("ix_trabajo_documentos_pendiente", "id",
              sqlite_where=text(TRABAJO_PENDIENTE), postgresql_where=text(TRABAJO_PENDIENTE)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    caso_id: Mapped[int] = mapped_column(ForeignKey("caso.id"), index=True)
    mensaje_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), ForeignKey("mensaje.id"), unique=True)
    """El mensaje de la persona al que responden los documentos."""
    estado: Mapped[str] = mapped_column(String(12), default="pendiente")
    intentos: Mapped[int] = mapped_column(Integer, default=0)
    huella: Mapped[str | None] = mapped_column(String(64))
    """La huella de los datos con que se hicieron (al quedar `hecho`)."""
    creado_en: Mapped[dt.datetime] = mapped_column(default=ahora)
    terminado_en: Mapped[dt.datetime | None]


asesor_estado = Table(
    "asesor_estado",
    Base.metadata,
    Column("asesor_id", ForeignKey("asesor.id"), primary_key=True),
    Column("estado_id", ForeignKey("estado.id"), primary_key=True),
)


class Asesor(Base):
    """Asesor estatal, coordinador estatal o personal de la SRE."""

    __tablename__ = "asesor"

    id: Mapped[int] = mapped_column(primary_key=True)
    nombre: Mapped[str] = mapped_column(String(120))
    rol: Mapped[str] = mapped_column(String(24))  # asesor | coordinador_estatal | sre
    email: Mapped[str] = mapped_column(String(200), unique=True)
    telegram_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    codigo_vinculacion: Mapped[str | None] = mapped_column(String(32))
    # Hasta cuándo vale el código de `/vincular` (24 h; sin fecha no vale).
    codigo_vinculacion_vence: Mapped[dt.datetime | None]
    password_hash: Mapped[str] = mapped_column(String(255))
    activo: Mapped[bool] = mapped_column(Boolean, default=True)
    # Va en la cookie del panel; «Salir» (o la baja) lo sube y las cookies anteriores dejan de
    # valer en todos los dispositivos.
    sesion_version: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    creado_en: Mapped[dt.datetime] = mapped_column(default=ahora)

    estados: Mapped[list[Estado]] = relationship(secondary=asesor_estado)


class Escalamiento(Base):
    """Traspaso de una conversación a una persona: solicitada → tomada → atendida → cerrada."""

    __tablename__ = "escalamiento"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversacion_id: Mapped[int] = mapped_column(ForeignKey("conversacion.id"), index=True)
    caso_id: Mapped[int | None] = mapped_column(ForeignKey("caso.id"))
    estado_id: Mapped[int | None] = mapped_column(ForeignKey("estado.id"), index=True)
    motivo: Mapped[str] = mapped_column(String(40))
    detalle: Mapped[str | None] = mapped_column(Text)
    estado: Mapped[EstadoTraspaso] = mapped_column(
        texto_cerrado(EstadoTraspaso, 16, "ck_escalamiento_estado"),
        default=EstadoTraspaso.SOLICITADA, index=True)
    asesor_id: Mapped[int | None] = mapped_column(ForeignKey("asesor.id"))
    nivel: Mapped[str] = mapped_column(String(24), default="asesor")  # asesor|coordinador|nacional
    solicitado_en: Mapped[dt.datetime] = mapped_column(default=ahora)
    tomado_en: Mapped[dt.datetime | None]
    primera_respuesta_en: Mapped[dt.datetime | None]
    cerrado_en: Mapped[dt.datetime | None]
    nota_cierre: Mapped[str | None] = mapped_column(Text)
    compartir_aceptado_en: Mapped[dt.datetime | None]
    """Cuándo aceptó compartir la conversación con la oficina quien no dio su consentimiento
    general (bot/escalamiento/rutas.py); vacío si no hizo falta preguntarle."""

    asesor: Mapped[Asesor | None] = relationship()
    conversacion: Mapped[Conversacion] = relationship()


class RetroalimentacionArticulo(Base):
    """Respuesta del usuario a «¿Le fue útil?» sobre un artículo de la base de conocimiento."""

    __tablename__ = "retroalimentacion_articulo"

    id: Mapped[int] = mapped_column(primary_key=True)
    articulo_id: Mapped[str] = mapped_column(String(80), index=True)
    util: Mapped[bool] = mapped_column(Boolean)
    usuario_id: Mapped[int | None] = mapped_column(ForeignKey("usuario.id"))
    creado_en: Mapped[dt.datetime] = mapped_column(default=ahora, server_default=func.now())


class PayloadBoton(Base):
    """Payload largo de un botón, guardado del lado del servidor (Telegram: ≤ 64 bytes)."""

    __tablename__ = "payload_boton"

    clave: Mapped[str] = mapped_column(String(24), primary_key=True)
    payload: Mapped[str] = mapped_column(Text)
    creado_en: Mapped[dt.datetime] = mapped_column(default=ahora)


class NotificacionAsesor(Base):
    """Aviso enviado a un asesor por Telegram (para editarlo cuando otro toma el caso)."""

    __tablename__ = "notificacion_asesor"

    id: Mapped[int] = mapped_column(primary_key=True)
    escalamiento_id: Mapped[int] = mapped_column(ForeignKey("escalamiento.id"), index=True)
    asesor_id: Mapped[int] = mapped_column(ForeignKey("asesor.id"))
    chat_id: Mapped[str] = mapped_column(String(32))
    mensaje_id: Mapped[str] = mapped_column(String(32))
    creado_en: Mapped[dt.datetime] = mapped_column(default=ahora)


class Temporizador(Base):
    """Temporizador persistente (p. ej. SLA de primera respuesta); sobrevive reinicios."""

    __tablename__ = "temporizador"

    id: Mapped[int] = mapped_column(primary_key=True)
    tipo: Mapped[str] = mapped_column(String(40))
    escalamiento_id: Mapped[int | None] = mapped_column(ForeignKey("escalamiento.id"), index=True)
    nivel: Mapped[int] = mapped_column(Integer, default=0)
    vence_en: Mapped[dt.datetime] = mapped_column(index=True)
    ejecutado_en: Mapped[dt.datetime | None]
    datos: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ConfiguracionEstado(Base):
    """Ajustes de la oficina estatal: horario de atención y aviso de privacidad propio."""

    __tablename__ = "configuracion_estado"

    estado_id: Mapped[int] = mapped_column(ForeignKey("estado.id"), primary_key=True)
    horario: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    aviso_privacidad: Mapped[str | None] = mapped_column(Text)
    version_aviso: Mapped[str | None] = mapped_column(String(32))
    actualizado_en: Mapped[dt.datetime] = mapped_column(default=ahora)


class NotaAsesor(Base):
    """Nota interna de un asesor sobre una conversación sin caso (la persona no la ve).

    Las notas de un caso van a su línea de tiempo (EventoCaso de tipo «nota»).
    """

    __tablename__ = "nota_asesor"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversacion_id: Mapped[int] = mapped_column(ForeignKey("conversacion.id"), index=True)
    escalamiento_id: Mapped[int | None] = mapped_column(ForeignKey("escalamiento.id"))
    asesor_id: Mapped[int] = mapped_column(ForeignKey("asesor.id"))
    texto: Mapped[str] = mapped_column(Text)
    creado_en: Mapped[dt.datetime] = mapped_column(default=ahora)

    asesor: Mapped[Asesor] = relationship()


class IntentoAcceso(Base):
    """Intento de acceso al panel, por IP («ip:…») o por correo («correo:…», en minúsculas).

    Sostiene el límite de intentos compartido entre procesos. Nunca guarda contraseñas; las
    filas de más de una hora se borran al registrar intentos nuevos.
    """

    __tablename__ = "intento_acceso"
    __table_args__ = (Index("ix_intento_acceso_clave_momento", "clave", "momento"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    clave: Mapped[str] = mapped_column(String(255))
    momento: Mapped[dt.datetime] = mapped_column(index=True)


class BloqueoAcceso(Base):
    """Fallos seguidos de una clave de acceso y cuándo fue el último (espera creciente).

    La clave es un resumen (`bot/limite_acceso.py`): «par:» cuenta e IP del panel, «cuenta:»
    intentos a una cuenta desde dispositivos que no conoce, «vincular:» cuenta de Telegram que
    prueba códigos de `/vincular`. No guarda correos, IPs ni contraseñas. Un acceso correcto
    borra la fila; las de más de un día sin fallos se borran al pasar.
    """

    __tablename__ = "bloqueo_acceso"

    clave: Mapped[str] = mapped_column(String(64), primary_key=True)
    fallos: Mapped[int] = mapped_column(Integer, default=0)
    ultimo: Mapped[dt.datetime] = mapped_column(index=True)
