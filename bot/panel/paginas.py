"""Las plantillas del panel y los textos fijos que muestran sus páginas.

Los avisos que llegan por la URL (`?aviso=` tras una acción, `?error=` en la página de
acceso) son **códigos**: cada uno se muestra con su texto de aquí; un código desconocido no
muestra nada. Así nadie puede fabricar un enlace que haga decir al panel un texto suyo."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context
from starlette.requests import Request

from bot.escalamiento.resumen import referencia
from bot.motor.bandeja_salida import aviso_de_entrega
from bot.panel import etiquetas

PLANTILLAS = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "plantillas"))

AVISOS: dict[str, str] = {
    # lo que salió bien
    "tomada": "Usted atiende esta conversación.",
    "adelanto": "Otra persona tomó esta conversación antes que usted (vea quién la atiende).",
    "enviado": "Mensaje enviado a la plataforma de la persona; debajo de él se ve si ya le "
               "llegó.",
    "enviado_en_espera": "Mensaje guardado: la persona lo verá en cuanto abra el chat (queda "
                         "en espera; debajo de él se ve cuando le llegue).",
    "cerrada": "Conversación cerrada; la persona vuelve con el asistente.",
    "nota": "Nota guardada.",
    "estatus": "Estatus actualizado; el aviso va en camino a la persona (en la conversación "
               "se ve si ya le llegó).",
    "estatus_en_espera": "Estatus actualizado; la persona verá el aviso en cuanto abra el "
                         "chat.",
    # lo que no procedió (ver AVISOS_DE_ERROR)
    "accion_desconocida": "Acción desconocida.",
    "mensaje_vacio": "El mensaje está vacío.",
    "nota_vacia": "La nota está vacía.",
    "ajena": "Esta conversación la atiende otra persona; tómela primero.",
    "no_abierta": "La conversación ya no está abierta.",
    "no_autorizado": "Eso no está entre los casos de sus estados.",
    "sin_conversacion": "La persona de este caso no tiene conversación con el asistente.",
    "estatus_desconocido": "No conozco ese estatus.",
    "transicion": "Ese cambio no está permitido: desde el estatus actual solo puede pasar a "
                  "los de la lista.",
    "no_procede": "No se pudo hacer eso.",
}
"""Los avisos tras una acción del panel, por código (`?aviso=CODIGO`)."""

AVISOS_DE_ERROR = frozenset({
    "accion_desconocida", "mensaje_vacio", "nota_vacia", "ajena", "no_abierta",
    "no_autorizado", "sin_conversacion", "estatus_desconocido", "transicion", "no_procede"})
"""Los códigos de lo que no procedió: se muestran como error."""

ERRORES_ENTRAR: dict[str, str] = {
    "caducada": "La página caducó. Vuelva a cargarla e intente de nuevo.",
    "incorrectos": "Correo o contraseña incorrectos.",
    "base": "Por ahora no podemos verificar su acceso. Intente de nuevo en unos minutos.",
}
"""Los errores de la página de acceso, por código (`?error=CODIGO`)."""

NO_ENCONTRADO = "No encontré eso entre los casos de sus estados."


@dataclass(frozen=True)
class Aviso:
    """El aviso tras una acción: su texto fijo y si dice que algo no procedió."""

    texto: str
    error: bool = False


def aviso(codigo: str | None) -> Aviso | None:
    """El aviso del código, o None si no es uno conocido."""
    texto = AVISOS.get(codigo or "")
    return Aviso(texto, codigo in AVISOS_DE_ERROR) if texto else None


def error_de_entrada(codigo: str | None) -> str | None:
    """El texto fijo del código de error de la página de acceso, o None."""
    return ERRORES_ENTRAR.get(codigo or "")


def demasiados_intentos(segundos: int) -> str:
    """El aviso de espera, con los minutos que calcula el servidor (no vienen de la URL)."""
    minutos = max(1, -(-segundos // 60))
    return ("Demasiados intentos. Espere " + ("un minuto" if minutos == 1 else
                                              f"{minutos} minutos") + " e intente de nuevo.")


def zona(request: Request) -> ZoneInfo:
    """La zona horaria de los ajustes (ZONA_HORARIA)."""
    return ZoneInfo(request.app.state.servicios.ajustes.zona_horaria)


def fecha(valor: dt.datetime | None, zona_horaria: ZoneInfo) -> str:
    """Día y hora en esa zona (las fechas sin zona son UTC)."""
    if valor is None:
        return "—"
    valor = valor if valor.tzinfo else valor.replace(tzinfo=dt.timezone.utc)
    return valor.astimezone(zona_horaria).strftime("%d/%m/%Y %H:%M")


@pass_context
def _fecha_local(contexto: Context, valor: dt.datetime | None) -> str:
    """El filtro «fecha»: «3 dic 2026, 10:15» en la zona de los ajustes."""
    return etiquetas.fecha_hora(valor, zona(contexto["request"]))


@pass_context
def _fecha_maquina(contexto: Context, valor: dt.datetime | None) -> str:
    """El filtro «iso»: el momento para el atributo `datetime` de `<time>`."""
    return etiquetas.iso_hora(valor, zona(contexto["request"]))


# Las plantillas nombran cada valor guardado solo con estos filtros (bot/panel/etiquetas.py).
PLANTILLAS.env.filters.update(
    fecha=_fecha_local, iso=_fecha_maquina, dia=etiquetas.fecha, mes=etiquetas.mes,
    estatus=etiquetas.estatus, estado_conversacion=etiquetas.estado_conversacion,
    motivo=etiquetas.motivo, canal=etiquetas.canal, tipo_caso=etiquetas.tipo_caso,
    ambito=etiquetas.ambito, areas=etiquetas.areas, rol_persona=etiquetas.rol_persona,
    rol_asesor=etiquetas.rol_asesor, tipo_documento=etiquetas.tipo_documento,
    evento=etiquetas.evento, persona=etiquetas.persona)
PLANTILLAS.env.globals.update(referencia=referencia, aviso_de_entrega=aviso_de_entrega,
                              actor=etiquetas.actor,
                              descripcion_evento=etiquetas.descripcion_evento)


def pagina(request: Request, plantilla: str, estado: int = 200, **datos: Any) -> HTMLResponse:
    """La plantilla con esos datos."""
    return PLANTILLAS.TemplateResponse(request, plantilla, datos, status_code=estado)


def no_encontrada(request: Request, asesor: Any = None, csrf: str = "") -> HTMLResponse:
    """La página 404 del panel (lo que no existe y lo que no es de sus estados se ven igual)."""
    return pagina(request, "error.html", 404, asesor=asesor, csrf=csrf, titulo="No encontrado",
                  mensaje=NO_ENCONTRADO)
