"""Rutas del motor para los derechos de la persona: aviso, «mis datos» y «borrar mis datos».

Cada ruta responde a su intent del NLU, a su payload de botón o a la frase exacta (para
cuando el NLU no está); borrar pide confirmación y solo borra si la pidió hace poco.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import lru_cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.config import ajustes
from bot.db.contexto_conversacion import actualizar_contexto, leer_contexto
from bot.db.diferidos import al_confirmar
from bot.db.modelos import ahora
from bot.documentos.rehacer import rehacer_ficha_y_oficio
from bot.nucleo.comandos import Comando
from bot.nucleo.contexto import Contexto, Ruta
from bot.nucleo.formato import fecha_larga, numero
from bot.nucleo.mensajes import Boton, Respuesta
from bot.nucleo.preguntas import es_pregunta
from bot.privacidad.anonimizar import ResultadoAnonimizacion, anonimizar_usuario
from bot.privacidad.aviso import PLANTILLAS, aviso
from bot.privacidad.exportar import contar_mensajes, documento_json, recopilar
from bot.texto import normalizar

log = logging.getLogger(__name__)
PAYLOAD_MIS_DATOS = "/mis_datos"
PAYLOAD_BORRAR = "/borrar_mis_datos"
PAYLOAD_CONFIRMAR = "/borrar_confirmar"
PAYLOAD_CANCELAR = "/borrar_cancelar"
PAYLOADS_AVISO = ("/aviso_integral", "/aviso_privacidad")
VIGENCIA_SOLICITUD = dt.timedelta(minutes=30)

_FRASES: dict[str, set[str]] = {
    "mis_datos": {"mis datos", "ver mis datos", "que datos tienen de mi", "mis datos personales"},
    "borrar_mis_datos": {"borrar mis datos", "eliminar mis datos", "borrar mis datos personales",
                         "eliminar mis datos personales"},
    "privacidad": {"aviso de privacidad", "privacidad", "aviso de privacidad integral",
                   "ver aviso completo"},
}
_CONFIRMAR = {"confirmar", "si borrar", "si borrar mis datos", "confirmo"}
ROLES = {"funcionario": "funcionario municipal", "comite": "integrante de comité",
         "ciudadano": "ciudadano", "asesor": "asesor estatal"}


@lru_cache
def _entorno() -> Environment:
    return Environment(loader=FileSystemLoader(PLANTILLAS), autoescape=False,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _texto(plantilla: str, **variables: Any) -> str:
    return _entorno().get_template(f"{plantilla}.txt.j2").render(**variables).strip()


def _fecha_legible(valor: dt.datetime | None) -> str | None:
    """«24 de noviembre de 2026», en la zona horaria del asistente (SQLite devuelve UTC sin
    zona: un valor sin zona se toma como UTC)."""
    if valor is None:
        return None
    return fecha_larga(valor, ajustes().zona_horaria)


def es_frase_de_privacidad(texto: str) -> bool:
    """¿El texto es, tal cual, una de las frases de los derechos («mis datos», «borrar mis
    datos», «aviso de privacidad»…)? Entonces no se confunde con un botón que la contenga."""
    forma = normalizar(texto)
    return any(forma in frases for frases in _FRASES.values())


MAXIMO_PALABRAS_PIDE_AVISO = 6
"""«¿cuál es el aviso de privacidad?» pide el aviso; una pregunta más larga pregunta algo."""


def _pide(ctx: Contexto, intent: str, payloads: tuple[str, ...]) -> bool:
    """¿El mensaje pide esto (por botón, por intent o con la frase exacta)?"""
    if ctx.payload:
        return ctx.payload.strip() in payloads
    return ctx.intent == intent or normalizar(ctx.texto) in _FRASES[intent]


def _solicitud_vigente(ctx: Contexto) -> bool:
    marca = leer_contexto(ctx.conversacion).privacidad_borrado_solicitado
    if marca is None:
        return False
    try:
        momento = dt.datetime.fromisoformat(marca)
    except ValueError:
        return False
    return ahora() - momento <= VIGENCIA_SOLICITUD


def _marcar_solicitud(ctx: Contexto, activa: bool) -> None:
    actualizar_contexto(ctx.conversacion,
                        privacidad_borrado_solicitado=ahora().isoformat() if activa else None)


async def aviso_integral(ctx: Contexto) -> list[Respuesta] | None:
    """«Aviso de privacidad»: el aviso integral del estado de la persona (o el general). Una
    pregunta larga sobre privacidad («si pido mis datos ARCO, ¿en cuánto tiempo me
    contestan?») no pide el aviso: la contesta la base de conocimiento."""
    if not _pide(ctx, "privacidad", PAYLOADS_AVISO):
        return None
    if not ctx.payload and normalizar(ctx.texto) not in _FRASES["privacidad"] \
            and es_pregunta(ctx.texto) and len(ctx.texto.split()) > MAXIMO_PALABRAS_PIDE_AVISO:
        return None
    texto, _version = await aviso(ctx.sesion, ctx.usuario.estado_id, integral=True)
    return [Respuesta(texto, botones=[Boton("Mis datos", PAYLOAD_MIS_DATOS),
                                      Boton("Borrar mis datos", PAYLOAD_BORRAR),
                                      Boton("Menú", "/menu")])]


async def mis_datos(ctx: Contexto) -> list[Respuesta] | None:
    """«Mis datos»: resumen de lo guardado y el detalle completo en JSON."""
    if not _pide(ctx, "mis_datos", (PAYLOAD_MIS_DATOS,)):
        return None
    datos = await recopilar(ctx.sesion, ctx.usuario)
    perfil = datos["perfil"]
    lugar = ", ".join(p for p in (perfil["municipio"], perfil["estado"]) if p)
    resumen = _texto(
        "mis_datos", perfil=perfil, lugar=lugar, consentimiento=datos["consentimiento"],
        rol=ROLES.get(perfil["rol"] or "", perfil["rol"]),
        fecha_consentimiento=_fecha_legible(ctx.usuario.consentimiento_en),
        fecha_borrado=_fecha_legible(ctx.usuario.anonimizado_en),
        casos=datos["casos"], documentos=datos["documentos"],
        num_mensajes=numero(await contar_mensajes(ctx.sesion, ctx.usuario)),
    )
    return [Respuesta(resumen, botones=[Boton("Borrar mis datos", PAYLOAD_BORRAR),
                                        Boton("Menú", "/menu")]),
            Respuesta("Detalle de sus datos (JSON).",
                      documento=documento_json(datos, ctx.usuario.id))]


async def borrar_mis_datos(ctx: Contexto) -> list[Respuesta] | None:
    """«Borrar mis datos»: explica qué se borra y qué se conserva, y pide confirmar."""
    if not _pide(ctx, "borrar_mis_datos", (PAYLOAD_BORRAR,)):
        return None
    datos = await recopilar(ctx.sesion, ctx.usuario)
    _marcar_solicitud(ctx, activa=True)
    return [Respuesta(_texto("borrar_explicacion", casos=datos["casos"]),
                      botones=[Boton("Confirmar", PAYLOAD_CONFIRMAR),
                               Boton("Cancelar", PAYLOAD_CANCELAR)])]


async def confirmar_o_cancelar(ctx: Contexto) -> list[Respuesta] | None:
    """Respuesta a la confirmación: borra, cancela o pide empezar por «borrar mis datos»."""
    vigente = _solicitud_vigente(ctx)
    forma = normalizar(ctx.texto) if not ctx.payload else ""
    confirma = ctx.payload == PAYLOAD_CONFIRMAR or (vigente and forma in _CONFIRMAR)
    cancela = ctx.payload == PAYLOAD_CANCELAR or (vigente and ctx.comando is Comando.CANCELAR)
    if cancela:
        _marcar_solicitud(ctx, activa=False)
        return [Respuesta(_texto("borrado_cancelado"), botones=[Boton("Menú", "/menu")])]
    if not confirma:
        return None
    if not vigente:
        return [Respuesta(_texto("borrar_sin_solicitud"),
                          botones=[Boton("Borrar mis datos", PAYLOAD_BORRAR)])]
    resultado = await anonimizar_usuario(ctx.sesion, ctx.usuario)
    _rehacer_documentos(ctx, resultado)
    return [Respuesta(_texto("borrado_listo", folios=resultado.casos_conservados),
                      botones=[Boton("Menú", "/menu")])]


def _rehacer_documentos(ctx: Contexto, resultado: ResultadoAnonimizacion) -> None:
    """Tras confirmar el borrado (fuera de la transacción, en el taller): la ficha y el oficio
    de los casos que se conservan, ya sin sus datos, para la oficina (no se le envían)."""
    raiz = resultado.almacen_documentos
    if not resultado.rehacer or raiz is None:
        return
    almacen, folios = ctx.almacen, list(resultado.rehacer)

    async def rehacer() -> None:
        for folio in folios:
            try:
                await rehacer_ficha_y_oficio(almacen, raiz, folio)
            except Exception:  # noqa: BLE001 — el borrado ya quedó; la oficina puede pedirlos
                log.exception("no se pudieron rehacer la ficha y el oficio",
                              extra={"folio": folio})

    al_confirmar(ctx.sesion, rehacer)


RUTAS: list[Ruta] = [confirmar_o_cancelar, borrar_mis_datos, mis_datos, aviso_integral]
"""En este orden: la confirmación antes que la petición, y borrar antes que consultar."""
