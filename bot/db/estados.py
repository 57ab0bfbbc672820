"""Los estados declarados del almacén: conjuntos cerrados de valores que se guardan como texto.

Cada enumeración hereda de `str`: sus miembros se guardan, se comparan y se escriben en JSON
y en plantillas como la cadena misma (`EstadoTraspaso.TOMADA == "tomada"`), así que las filas
de antes valen igual y el código que aún compara con la cadena sigue funcionando. Las columnas
los declaran (`bot/db/modelos.py`) y la base los restringe con un CHECK (migración 0006).

`Mensaje.tipo` es abierto: `no_soportado:<tipo>` y `archivo_rechazado:<motivo>` llevan un
detalle tras los dos puntos. La enumeración es la clase base y el detalle se arma y se lee
solo con `tipo_mensaje` y `leer_tipo`.
"""

from __future__ import annotations

import sys
from enum import Enum

if sys.version_info >= (3, 11):
    from enum import StrEnum
else:  # pragma: no cover - Python 3.10

    class StrEnum(str, Enum):
        """Como `enum.StrEnum` de 3.11: `str()` y `format()` dan el valor, no «Clase.MIEMBRO»."""

        def __str__(self) -> str:
            return str(self.value)

        def __format__(self, especificacion: str) -> str:
            return str(self.value).__format__(especificacion)


class EstadoTraspaso(StrEnum):
    """`Escalamiento.estado`: solicitada → tomada → atendida → cerrada."""

    SOLICITADA = "solicitada"
    """En espera de que un asesor la tome."""
    TOMADA = "tomada"
    """Un asesor la tomó y aún no responde."""
    ATENDIDA = "atendida"
    """El asesor ya respondió (cuenta la primera respuesta del SLA)."""
    CERRADA = "cerrada"
    """La conversación volvió al asistente."""


TRASPASOS_ABIERTOS: tuple[EstadoTraspaso, ...] = (
    EstadoTraspaso.SOLICITADA, EstadoTraspaso.TOMADA, EstadoTraspaso.ATENDIDA)
"""Los estados en que la conversación está con una persona (o esperándola)."""
TRASPASOS_CON_ASESOR: tuple[EstadoTraspaso, ...] = (EstadoTraspaso.TOMADA, EstadoTraspaso.ATENDIDA)
"""Los estados en que un asesor ya tiene la conversación."""


class ModoConversacion(StrEnum):
    """`Conversacion.modo`: quién contesta."""

    BOT = "bot"
    HUMANO = "humano"


class Direccion(StrEnum):
    """`Mensaje.direccion`."""

    ENTRADA = "entrada"
    """Lo que escribe el usuario."""
    SALIDA = "salida"
    """Lo que sale hacia el usuario (del asistente o de un asesor)."""


class EstadoEnvio(StrEnum):
    """`Mensaje.envio` de una salida. Vacío (NULL): espera en la bandeja de salida."""

    PENDIENTE = "pendiente"
    """Reclamado por quien lo envía (o, en REST, el chat web y la terminal, en espera de que
    la persona abra el chat o escriba: `bot/motor/pendientes.py`)."""
    ENVIADO = "enviado"
    PLANTILLA = "plantilla"
    """Enviado como plantilla de WhatsApp (fuera de la ventana de 24 horas)."""
    REINTENTAR = "reintentar"
    """Falla pasajera: vuelve a la bandeja tras una espera."""
    VENCIDO = "vencido"
    """Más de 24 horas sin poder enviarlo."""
    FALLIDO = "fallido"
    BLOQUEADO = "bloqueado"
    """La persona bloqueó al asistente."""
    EN_RESPUESTA = "en_respuesta"
    """REST, chat web y terminal: salió en una respuesta HTTP (la del mensaje, o al frente de
    la siguiente, o por `GET /chat/pendientes`)."""


class TipoMensaje(StrEnum):
    """La clase de `Mensaje.tipo` (las dos últimas llevan un detalle: ver `tipo_mensaje`)."""

    TEXTO = "texto"
    BOTON = "boton"
    ARCHIVO = "archivo"
    """Un archivo recibido y guardado (`adjunto_id`)."""
    DOCUMENTO = "documento"
    """Una salida que lleva un documento generado."""
    NO_SOPORTADO = "no_soportado"
    """`no_soportado:<tipo>`: sticker, nota de voz, ubicación…"""
    ARCHIVO_RECHAZADO = "archivo_rechazado"
    """`archivo_rechazado:<motivo>`: grande, vacío o de un tipo no admitido."""


class Audiencia(StrEnum):
    """Quién puede ver un evento de la línea de tiempo de un caso.

    Qué se le muestra a la persona lo decide una sola función:
    `bot.casos.visibilidad.eventos_para_persona`.
    """

    PERSONA = "persona"
    """La persona que registró el caso (y el equipo)."""
    EQUIPO = "equipo"
    """Solo asesores, coordinaciones y SRE: notas internas, traspasos, SLA. Lo de omisión."""


LARGO_TIPO = 32
"""Largo de la columna `Mensaje.tipo`: el detalle se recorta para caber."""
_SEPARADOR = ":"


def tipo_mensaje(clase: TipoMensaje, detalle: str | None = None) -> str:
    """El valor de `Mensaje.tipo`: la clase sola o «clase:detalle» (recortado a la columna)."""
    if detalle is None:
        return clase.value
    return f"{clase.value}{_SEPARADOR}{detalle}"[:LARGO_TIPO]


def leer_tipo(valor: str) -> tuple[TipoMensaje | None, str]:
    """La clase y el detalle de un `Mensaje.tipo` («no_soportado:sticker» → NO_SOPORTADO,
    «sticker»). Una clase desconocida da None (y el detalle, si lo hay)."""
    clase, _, detalle = (valor or "").partition(_SEPARADOR)
    try:
        return TipoMensaje(clase), detalle
    except ValueError:
        return None, detalle


def valores(enumeracion: type[Enum]) -> list[str]:
    """Los valores guardados de una enumeración, en orden (para las columnas y los CHECK)."""
    return [str(miembro.value) for miembro in enumeracion]
