"""Cómo nombra el escritorio cada valor guardado: estados y enumeraciones, opciones de los
flujos, quién hizo algo, fechas y botones pulsados.

Es el único lugar de las etiquetas del panel: `paginas.py` registra estas funciones como
filtros de Jinja2 y las plantillas nunca muestran el valor crudo («medio_ambiente»,
«usuario:1», una fecha ISO). Lo que el asistente le ofreció a la persona en un flujo se nombra
con el título de la opción en `flujos/*.yaml` (la misma que vio ella); lo demás, aquí.

Concordancia: en el panel, lo que la persona pide es «la conversación» con un asesor, así que
su estado va en femenino («En espera», «Tomada», «Atendida», «Cerrada»)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from babel.dates import format_date, format_datetime

from bot.casos.estatus import en_palabras
from bot.casos.repositorio import TIPOS_DOCUMENTO
from bot.db.estados import Direccion, EstadoTraspaso, TipoMensaje, leer_tipo
from bot.db.modelos import Mensaje
from bot.escalamiento.resumen import MOTIVOS
from bot.flujos.cargador import ErrorFlujo, cargar_flujos
from bot.motor.historial import BotonesOfrecidos, archivo_enviado
from bot.nucleo.formato import LOCALE, en_zona
from bot.nucleo.mensajes import Canal

log = logging.getLogger(__name__)

SIN_DATO = "—"

ESTADOS_CONVERSACION: dict[str, str] = {
    EstadoTraspaso.SOLICITADA: "En espera",
    EstadoTraspaso.TOMADA: "Tomada",
    EstadoTraspaso.ATENDIDA: "Atendida",
    EstadoTraspaso.CERRADA: "Cerrada",
}
"""El estado de la conversación con un asesor (`EstadoTraspaso`)."""

CANALES: dict[str, str] = {
    Canal.TELEGRAM: "Telegram",
    Canal.WHATSAPP: "WhatsApp",
    Canal.WEB: "Chat web",
    Canal.REST: "Integración REST",
    Canal.TERMINAL: "Terminal",
}

ROLES_ASESOR: dict[str, str] = {
    "asesor": "Asesor estatal",
    "coordinador_estatal": "Coordinación estatal",
    "sre": "SRE",
}

AMBITOS: dict[str, str] = {"internacional": "Internacional", "nacional": "Nacional"}

EVENTOS: dict[str, str] = {
    "creado": "Iniciativa registrada",
    "estatus": "Cambio de estatus",
    "documento": "Documento recibido",
    "comite": "Comité",
    "nota": "Nota interna",
    f"traspaso_{EstadoTraspaso.SOLICITADA}": "Conversación solicitada",
    f"traspaso_{EstadoTraspaso.TOMADA}": "Conversación tomada",
    f"traspaso_{EstadoTraspaso.ATENDIDA}": "Primera respuesta del asesor",
    f"traspaso_{EstadoTraspaso.CERRADA}": "Conversación cerrada",
    "traspaso_sla": "Aviso de plazo de respuesta",
}
"""`EventoCaso.tipo` en la línea de tiempo."""

DOCUMENTOS: dict[str, str] = {
    **TIPOS_DOCUMENTO,
    "generado": "Generado por el asistente",
    "sin_clasificar": "Sin clasificar",
}
"""Tipos de documento: los del expediente (`bot/casos/repositorio.py`) y los que pone el
asistente."""

NO_SOPORTADOS: dict[str, str] = {
    "sticker": "una calcomanía", "voz": "una nota de voz", "audio": "un audio",
    "ubicacion": "una ubicación", "video": "un video", "contacto": "un contacto",
    "reaccion": "una reacción", "interactivo": "un mensaje interactivo",
}

# Dónde están, en los flujos, las opciones de cada familia de valores (por `campo`).
_CAMPOS_TIPO_CASO = ("tipo",)
_CAMPOS_AREAS = ("areas",)
_CAMPOS_ROL = ("rol",)
_CAMPOS_DOCUMENTO = ("tipo_documento", "documentos")


@lru_cache(maxsize=1)
def opciones_de_flujos() -> Mapping[str, Mapping[str, str]]:
    """Título de cada opción de los flujos, por campo y valor («areas» → «medio_ambiente» →
    «Medio ambiente»). Si los flujos no cargan, vacío: el panel sigue con su respaldo."""
    try:
        flujos = cargar_flujos()
    except (ErrorFlujo, OSError) as error:
        log.warning("el panel no pudo leer los títulos de los flujos",
                    extra={"error": str(error)[:200]})
        return {}
    titulos: dict[str, dict[str, str]] = {}
    for flujo in flujos.values():
        for paso in flujo.pasos:
            if paso.campo and paso.opciones:
                por_valor = titulos.setdefault(paso.campo, {})
                for opcion in paso.opciones:
                    por_valor.setdefault(opcion.valor, opcion.titulo)
        for documento in flujo.datos.get("documentos") or ():
            if isinstance(documento, dict) and documento.get("clave"):
                titulos.setdefault("documentos", {}).setdefault(
                    str(documento["clave"]), str(documento.get("titulo") or ""))
    return titulos


def _legible(valor: str) -> str:
    """El respaldo para un valor que ninguna tabla conoce: sin guiones bajos, con mayúscula."""
    texto = str(valor).replace("_", " ").strip()
    return texto[:1].upper() + texto[1:] if texto else SIN_DATO


def _de_flujos(valor: str | None, campos: Iterable[str],
               propios: Mapping[str, str] | None = None) -> str:
    if not valor:
        return SIN_DATO
    if propios and valor in propios:
        return propios[valor]
    opciones = opciones_de_flujos()
    for campo in campos:
        titulo = opciones.get(campo, {}).get(valor)
        if titulo:
            return titulo
    return _legible(valor)


def estado_conversacion(valor: str | None) -> str:
    """«tomada» → «Tomada»."""
    return ESTADOS_CONVERSACION.get(valor or "", _legible(valor or ""))


def estatus(valor: str | None) -> str:
    """«en_revision_estatal» → «En revisión estatal» (de `bot/casos/estatus.py`)."""
    return en_palabras(valor).nombre if valor else SIN_DATO


def motivo(valor: str | None) -> str:
    """Por qué se pidió la conversación, con mayúscula inicial."""
    texto = MOTIVOS.get(valor or "", "") or _legible(valor or "")
    return texto[:1].upper() + texto[1:]


def canal(valor: str | None) -> str:
    """«whatsapp» → «WhatsApp»."""
    return CANALES.get(valor or "", _legible(valor or ""))


def tipo_caso(valor: str | None) -> str:
    """«acuerdo_amistad» → «Acuerdo de amistad» (título de la opción del flujo)."""
    return _de_flujos(valor, _CAMPOS_TIPO_CASO)


def ambito(valor: str | None) -> str:
    return AMBITOS.get(valor or "", _legible(valor or ""))


def areas(valores: Iterable[str] | None) -> str:
    """«["medio_ambiente", "cultura"]» → «Medio ambiente, Cultura»."""
    nombres = [_de_flujos(v, _CAMPOS_AREAS) for v in (valores or ()) if v]
    return ", ".join(nombres) or SIN_DATO


def rol_persona(valor: str | None) -> str:
    """El papel que eligió la persona en la bienvenida («funcionario» → «Funcionario
    municipal»)."""
    return _de_flujos(valor, _CAMPOS_ROL)


def rol_asesor(valor: str | None) -> str:
    return ROLES_ASESOR.get(valor or "", _legible(valor or ""))


def tipo_documento(valor: str | None) -> str:
    """«acta_cabildo» → «Acta de Cabildo»."""
    return _de_flujos(valor, _CAMPOS_DOCUMENTO, DOCUMENTOS)


def evento(valor: str | None) -> str:
    """El tipo de un evento de la línea de tiempo."""
    return EVENTOS.get(valor or "", _legible(valor or ""))


def descripcion_evento(tipo: str | None, descripcion: str | None) -> str:
    """El detalle de un evento sin repetir lo que ya dicen su etiqueta y su autor: la toma
    y la primera respuesta no llevan más; una solicitud guardada con el código de su motivo
    se dice en palabras."""
    if tipo in (f"traspaso_{EstadoTraspaso.TOMADA}", f"traspaso_{EstadoTraspaso.ATENDIDA}"):
        return ""
    if tipo == f"traspaso_{EstadoTraspaso.SOLICITADA}" and (descripcion or "") in MOTIVOS:
        return motivo(descripcion)
    return descripcion or ""


def persona(nombre: str | None) -> str:
    """El nombre que dio la persona o, si no dio ninguno, «Persona sin nombre»."""
    return (nombre or "").strip() or "Persona sin nombre"


def actor(valor: str | None, asesores: Mapping[int, str] | None = None,
          nombre_persona: str | None = None) -> str:
    """Quién hizo algo en la línea de tiempo: «usuario:7» → su nombre o «La persona»;
    «asesor:3» → el nombre del asesor; «sistema» → «El asistente»."""
    clase, _, ident = (valor or "").partition(":")
    if clase == "usuario":
        return (nombre_persona or "").strip() or "La persona"
    if clase == "asesor":
        nombre = (asesores or {}).get(int(ident)) if ident.isdigit() else None
        return nombre or "Un asesor"
    if clase == "sistema":
        return "El asistente"
    return SIN_DATO


# ---------------------------------------------------------------- fechas

def fecha_hora(valor: dt.datetime | None, zona: dt.tzinfo) -> str:
    """«3 dic 2026, 10:15», en la zona dada (las fechas sin zona son UTC)."""
    if valor is None:
        return SIN_DATO
    return format_datetime(en_zona(valor, zona), "d MMM y, HH:mm", locale=LOCALE)


def fecha(valor: dt.date | None) -> str:
    """«3 dic 2026» (un día, sin hora)."""
    if valor is None:
        return SIN_DATO
    return format_date(valor, "d MMM y", locale=LOCALE)


def mes(clave: str) -> str:
    """«2026-03» → «mar 2026»."""
    try:
        anio, numero = (int(x) for x in clave.split("-", 1))
        return format_date(dt.date(anio, numero, 1), "MMM y", locale=LOCALE)
    except ValueError:
        return clave


def iso_hora(valor: dt.datetime | None, zona: dt.tzinfo) -> str:
    """Para el atributo `datetime` de `<time>` (lo lee la máquina, no la persona)."""
    return en_zona(valor, zona).isoformat(timespec="minutes") if valor else ""


# ---------------------------------------------------------------- transcripción

@dataclass(frozen=True)
class Linea:
    """Un mensaje de la transcripción, listo para mostrar."""

    mensaje: Mensaje
    quien: str
    """Quién habla: el nombre de la persona, «Asistente» o el del asesor."""
    texto: str
    boton: str | None = None
    """Si la persona pulsó un botón, su título (el texto ya lo dice en palabras)."""


def _texto_de_entrada(mensaje: Mensaje, ofrecidos: BotonesOfrecidos) -> tuple[str, str | None]:
    """Lo que dijo la persona en palabras: un botón por su título, un tipo no admitido por su
    nombre."""
    if mensaje.payload:
        titulo = ofrecidos.titulo(mensaje.payload) or (mensaje.texto or "").strip()
        if titulo:
            return f"Pulsó «{titulo}»", titulo
        return "Pulsó un botón", ""
    clase, detalle = leer_tipo(mensaje.tipo)
    texto = mensaje.texto or ""
    if clase == TipoMensaje.ARCHIVO and (archivo := archivo_enviado(texto)) is not None:
        return f"Envió el archivo «{archivo}»", None
    if clase == TipoMensaje.ARCHIVO_RECHAZADO:
        return "Envió un archivo que no se guardó (grande, vacío o de un tipo no admitido)", None
    if clase == TipoMensaje.NO_SOPORTADO:
        return f"Envió {NO_SOPORTADOS.get(detalle, 'un mensaje que el asistente no lee')}", None
    return mensaje.texto or "(mensaje vacío)", None


def lineas(mensajes: Iterable[tuple[Mensaje, str | None]],
           nombre_persona: str | None) -> list[Linea]:
    """La transcripción en palabras, en orden. Cada botón pulsado se nombra con el título
    del botón que el asistente le ofreció antes con ese payload."""
    ofrecidos = BotonesOfrecidos()
    resultado = []
    for mensaje, asesor in mensajes:
        if mensaje.direccion == Direccion.SALIDA:
            ofrecidos.anotar(mensaje)
            quien = (asesor or "Asesor") if mensaje.autor == "asesor" else "Asistente"
            texto = mensaje.texto or ("(documento adjunto)" if (mensaje.extra or {}).get(
                "documento_id") else "(mensaje vacío)")
            resultado.append(Linea(mensaje, quien, texto))
            continue
        texto, boton = _texto_de_entrada(mensaje, ofrecidos)
        resultado.append(Linea(mensaje, persona(nombre_persona), texto, boton))
    return resultado
