"""`Conversacion.contexto` con tipos: lo que la conversación recuerda fuera del flujo activo.

La columna es un JSON. Se lee solo con `leer_contexto` y se escribe solo con
`guardar_contexto` o `actualizar_contexto`, que asignan un dict nuevo (SQLAlchemy no ve los
cambios dentro de un dict JSON). Las claves guardadas son los nombres de los campos, las mismas
de siempre. Una fila vieja puede no tener alguna (queda el valor por omisión) o tener claves
que este código no conoce, o un valor de otro tipo: se conservan tal cual en `otras` y se
vuelven a guardar, para que una versión no borre lo que escribió otra.
"""

from __future__ import annotations

import dataclasses
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.db.modelos import Conversacion


@dataclass(frozen=True)
class ContextoConversacion:
    """Lo que guarda `Conversacion.contexto`. None (o False) es «no está»: no se guarda."""

    atendida: bool = False
    """Ya se atendió algún mensaje (evita buscar si hubo uno antes: no es la primera vez)."""
    nombre_canal: str | None = None
    """El nombre que da la plataforma (Telegram, WhatsApp), hasta que la persona confirme uno."""
    caso_folio: str | None = None
    """El caso en curso (el último registrado en esta conversación)."""
    detectado: dict[str, Any] | None = None
    """Estado y municipio que la persona mencionó al pedir un flujo (entidades del NLU)."""
    despues: str | None = None
    """El flujo que pidió antes de la bienvenida: sigue al dar su consentimiento."""
    consentimiento_rechazado: bool = False
    """Prefirió no dar su consentimiento (los trámites que lo piden no empiezan)."""
    motivo_escalamiento: str | None = None
    """Por qué el flujo ofreció un asesor («tres_fallos»): el motivo del traspaso si lo pide."""
    acuse_traspaso: int | None = None
    """El traspaso en espera al que ya se le dijo «espere»: no se repite."""
    pendiente: dict[str, Any] | None = None
    """Del flujo activo: lo que el paso espera aún (selección, candidatos, prellenado…)."""
    regreso: str | None = None
    """Del flujo activo: el paso al que se vuelve tras corregir una respuesta."""
    privacidad_borrado_solicitado: str | None = None
    """Momento (ISO 8601) en que pidió borrar sus datos; vale por un rato para confirmarlo."""
    traspaso_por_confirmar: str | None = None
    """Sin consentimiento: el motivo del traspaso que espera su «sí» a compartir la
    conversación con la oficina (bot/escalamiento/rutas.py)."""
    botones: list[Any] | None = None
    """Los botones de la última respuesta, como pares [título, payload]: si la persona escribe
    el título (o algo claramente igual), cuenta como pulsarlo (`bot.flujos.controles`)."""
    memoria: dict[str, Any] | None = None
    """Lo que la persona dijo fuera de un trámite y aún no se usa (campo → {valor, texto}:
    municipio, estado, ciudad, país, fechas, nombre, rol; `bot.flujos.memoria`). Al empezar
    un trámite pasa a sus `dichos` y se confirma en vez de preguntarse. Se olvida si rechaza
    el consentimiento."""
    borrador: dict[str, Any] | None = None
    """Un flujo con respuestas que se descartó o se dejó por otro (el estado completo y
    `guardado`, ISO 8601): «continuar» lo recupera durante `DIAS_BORRADOR` días."""
    avisos_comite: bool = False
    """Integra el comité de su municipio y pidió los avisos de estatus de sus iniciativas."""
    otras: Mapping[str, Any] = field(default_factory=dict)
    """Claves desconocidas (o con un valor de otro tipo) de filas viejas: se conservan."""

    def a_json(self) -> dict[str, Any]:
        """El dict que se guarda: los campos con valor y luego las claves conservadas."""
        datos: dict[str, Any] = {}
        for nombre, _tipos in _CAMPOS.items():
            valor = getattr(self, nombre)
            if valor is not None and valor is not False:
                datos[nombre] = valor
        for clave, valor in self.otras.items():
            datos.setdefault(clave, valor)
        return datos

    @classmethod
    def de_json(cls, datos: Mapping[str, Any] | None) -> ContextoConversacion:
        """Lee el dict guardado, tolerante: claves ausentes, desconocidas o de otro tipo."""
        conocidos: dict[str, Any] = {}
        otras: dict[str, Any] = {}
        for clave, valor in (datos or {}).items():
            tipos = _CAMPOS.get(clave)
            if tipos is None or not (valor is None or _de_tipo(valor, tipos)):
                otras[clave] = valor
            elif valor is not None:
                conocidos[clave] = valor
        return cls(**conocidos, otras=otras)

    def con(self, **cambios: Any) -> ContextoConversacion:
        """Una copia con `cambios` (None o False quitan la clave al guardar)."""
        desconocidas = set(cambios) - set(_CAMPOS)
        if desconocidas:
            raise TypeError(f"claves de contexto desconocidas: {sorted(desconocidas)}")
        otras = {k: v for k, v in self.otras.items() if k not in cambios}
        for clave, valor in cambios.items():
            if valor is None and _CAMPOS[clave] == (bool,):
                cambios[clave] = False
        return dataclasses.replace(self, **cambios, otras=otras)


_CAMPOS: dict[str, tuple[type, ...]] = {
    "atendida": (bool,),
    "nombre_canal": (str,),
    "caso_folio": (str,),
    "detectado": (dict,),
    "despues": (str,),
    "consentimiento_rechazado": (bool,),
    "motivo_escalamiento": (str,),
    "acuse_traspaso": (int,),
    "pendiente": (dict,),
    "regreso": (str,),
    "privacidad_borrado_solicitado": (str,),
    "traspaso_por_confirmar": (str,),
    "botones": (list,),
    "borrador": (dict,),
    "memoria": (dict,),
    "avisos_comite": (bool,),
}
"""Cada campo guardado y los tipos JSON que admite (lo demás va a `otras`)."""

def _de_tipo(valor: Any, tipos: tuple[type, ...]) -> bool:
    if isinstance(valor, bool) and bool not in tipos:  # en Python, True es un int
        return False
    return isinstance(valor, tipos)


_LEIDOS: weakref.WeakKeyDictionary[Conversacion, tuple[Any, ContextoConversacion]] = (
    weakref.WeakKeyDictionary())
"""El último contexto leído de cada conversación en memoria, con el dict del que salió: se
lee varias veces por mensaje y solo cambia al asignar la columna (un dict nuevo; nadie la
cambia en sitio), así que mientras sea el mismo dict se devuelve el mismo registro."""


def leer_contexto(conversacion: Conversacion) -> ContextoConversacion:
    """El contexto de la conversación (una fila vieja o vacía da los valores por omisión)."""
    fuente = conversacion.contexto
    leido = _LEIDOS.get(conversacion)
    if leido is not None and leido[0] is fuente:
        return leido[1]
    contexto = ContextoConversacion.de_json(fuente)
    _LEIDOS[conversacion] = (fuente, contexto)
    return contexto


def guardar_contexto(conversacion: Conversacion, contexto: ContextoConversacion) -> None:
    """Guarda el contexto como un dict nuevo, para que SQLAlchemy note el cambio."""
    conversacion.contexto = contexto.a_json()


def actualizar_contexto(conversacion: Conversacion, **cambios: Any) -> ContextoConversacion:
    """Cambia unas claves y guarda (None o False quitan la clave); devuelve el contexto nuevo.

    Sin cambios efectivos no reasigna la columna (no marca la fila como modificada)."""
    antes = leer_contexto(conversacion)
    nuevo = antes.con(**cambios)
    if nuevo != antes or conversacion.contexto is None:
        guardar_contexto(conversacion, nuevo)
    return nuevo
