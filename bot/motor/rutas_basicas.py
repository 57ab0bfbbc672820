"""Rutas de base: saludo, menú, ayuda, tipos no admitidos y el «no le entendí»."""

from __future__ import annotations

from bot.db.contexto_conversacion import leer_contexto
from bot.db.estados import TipoMensaje, leer_tipo
from bot.motor.menu import respuesta_menu
from bot.motor.textos import texto
from bot.nucleo.comandos import Comando, es_acuse, es_agradecimiento
from bot.nucleo.contexto import Contexto, Ruta
from bot.nucleo.mensajes import Boton, Respuesta

_NOMBRES_NO_SOPORTADOS = {
    "sticker": "stickers",
    "voz": "notas de voz",
    "audio": "audios",
    "video": "videos",
    "ubicacion": "ubicaciones",
    "contacto": "contactos",
    "reaccion": "reacciones",
}


async def no_soportado(ctx: Contexto) -> list[Respuesta] | None:
    """Stickers, notas de voz, ubicaciones…: decir qué sí se admite."""
    clase, clave = leer_tipo(ctx.mensaje.tipo)
    if clase is not TipoMensaje.NO_SOPORTADO:
        return None
    tipo = _NOMBRES_NO_SOPORTADOS.get(clave, "ese tipo de mensaje")
    return [Respuesta(texto("no_soportado", tipo=tipo))]


_RECHAZOS = {
    "grande": "El archivo pesa más de {mb} MB. Envíe uno más ligero (puede comprimir el PDF).",
    "tipo": "Ese tipo de archivo no se admite. Envíe PDF, DOCX, JPG o PNG.",
    "vacio": "El archivo llegó vacío. Intente enviarlo de nuevo.",
}


async def archivo_rechazado(ctx: Contexto) -> list[Respuesta] | None:
    """Un archivo que no se guardó (grande, vacío o de otro tipo): decir por qué."""
    clase, motivo = leer_tipo(ctx.mensaje.tipo)
    if clase is not TipoMensaje.ARCHIVO_RECHAZADO:
        return None
    mb = ctx.maximo_archivo // (1024 * 1024)
    return [Respuesta(_RECHAZOS.get(motivo, _RECHAZOS["tipo"]).format(mb=mb))]


async def vacio(ctx: Contexto) -> list[Respuesta] | None:
    """Un mensaje sin texto, botón ni archivo."""
    if ctx.texto or ctx.payload or ctx.mensaje.adjunto_id:
        return None
    return [Respuesta(texto("vacio"), botones=[Boton("Menú", "/menu")])]


async def primera_vez(ctx: Contexto) -> list[Respuesta] | None:
    """Primer contacto sin otra intención clara: saludo y menú."""
    if not ctx.primera_vez or ctx.payload or (ctx.intent not in (None, "saludo")):
        return None
    return [Respuesta(texto("saludo", nombre=None)), respuesta_menu()]


async def comandos(ctx: Contexto) -> list[Respuesta] | None:
    """«menú» y «ayuda» en cualquier momento. Con un flujo a medias, el menú ofrece
    continuarlo y la ayuda la da el propio flujo (sobre el paso actual)."""
    if ctx.comando is Comando.MENU:
        menu = respuesta_menu()
        if ctx.conversacion.flujo:
            menu.botones.insert(0, Boton("Continuar trámite", "/continuar"))
        return [menu]
    if ctx.comando is Comando.AYUDA and not ctx.conversacion.flujo:
        return [Respuesta(texto("ayuda"), botones=[Boton("Menú", "/menu"),
                                                   Boton("Hablar con un asesor", "/asesor")])]
    return None


async def charla(ctx: Contexto) -> list[Respuesta] | None:
    """Saludos, despedidas, agradecimientos y acuses («ok», «va»)."""
    intent = ctx.intent
    if intent == "saludo":
        return [Respuesta(texto("saludo", nombre=ctx.usuario.nombre)), respuesta_menu()]
    if intent in ("despedida", "agradecer") or es_agradecimiento(ctx.texto):
        return [Respuesta(texto("despedida"))]
    if es_acuse(ctx.texto) or intent == "afirmar":
        return [acuse(ctx)]
    if intent in ("menu", "ayuda"):
        ctx.comando = Comando.MENU if intent == "menu" else Comando.AYUDA
        return await comandos(ctx)
    return None


def acuse(ctx: Contexto) -> Respuesta:
    """«ok» sin nada pendiente: contestar en corto y volver a ofrecer los últimos botones (la
    pregunta abierta), o el menú si no había."""
    ofrecidos = [Boton(str(b[0]), str(b[1])) for b in leer_contexto(ctx.conversacion).botones
                 or [] if isinstance(b, list) and len(b) == 2]
    if ofrecidos:
        return Respuesta(texto("acuse", con_botones=True), botones=ofrecidos)
    return respuesta_menu(texto("acuse", con_botones=False))


async def fuera_de_alcance(ctx: Contexto) -> list[Respuesta] | None:
    """Preguntas ajenas al programa: decirlo y ofrecer el menú."""
    if ctx.intent != "fuera_de_alcance":
        return None
    return [respuesta_menu(texto("fuera_de_alcance"))]


async def no_entendi(ctx: Contexto) -> list[Respuesta] | None:
    """Última ruta: pedir otras palabras; a la segunda, ofrecer menú y asesor."""
    ctx.no_entendido = True
    segunda = ctx.conversacion.fallos_nlu >= 1
    return [Respuesta(texto("no_entendi", segunda=segunda),
                      botones=[Boton("Menú", "/menu"), Boton("Hablar con un asesor", "/asesor")])]


RUTAS: list[Ruta] = [no_soportado, archivo_rechazado, vacio, comandos, primera_vez, charla,
                     fuera_de_alcance, no_entendi]
"""Las rutas de un motor sin módulos (pruebas del motor); la tabla completa está en
`bot.modulos.tabla_de_rutas`."""
