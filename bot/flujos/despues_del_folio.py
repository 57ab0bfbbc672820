"""Lo que se pide de un caso después del folio, dicho con palabras: que le reenvíen la ficha y
el oficio, actualizar un dato («ya me aprobó el Cabildo ayer, ¿cómo lo actualizo?») y
«¿cuándo me contesta la SRE?» (la verdad: la ley no fija plazo, su caso está en tal paso y
quién puede darle una estimación).

Las frases se reconocen sobre `normalizar(texto)`; qué dato quiere cambiar se lee de las
opciones (títulos y sinónimos) del paso «campo» de flujos/actualizar_caso.yaml.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Any

from bot.casos.estatus import en_palabras
from bot.casos.repositorio import casos_de_usuario
from bot.conocimiento.rutas import RutasConocimiento
from bot.db.contexto_conversacion import leer_contexto
from bot.db.modelos import Caso
from bot.flujos.definicion import Flujo
from bot.flujos.fechas import leer_fecha
from bot.motor.textos import texto
from bot.nucleo.contexto import Contexto
from bot.nucleo.mensajes import Boton, Respuesta
from bot.nucleo.preguntas import es_pregunta
from bot.texto import normalizar

Iniciar = Callable[[Contexto, str, dict[str, Any] | None], Awaitable[list[Respuesta]]]
"""Empieza un flujo con respuestas previas (`RutasFlujos.iniciar`)."""
Hoy = Callable[[], dt.date]
"""La fecha de hoy en la zona horaria de los ajustes."""

FLUJO_ACTUALIZAR = "actualizar_caso"
UNIDAD_CUANDO_SRE = "tramite-cuando-contesta-sre"
ANTES_DE_LA_SRE = frozenset({"borrador", "enviada", "en_revision_estatal", "con_observaciones"})
"""Estatus en que la iniciativa aún está con la oficina estatal (no ha llegado a la SRE)."""


class Pedido(StrEnum):
    """Lo que se pide de un caso ya registrado."""

    REENVIAR = "reenviar"
    ACTUALIZAR = "actualizar"
    CUANDO_SRE = "cuando_sre"


_DOCUMENTOS = re.compile(r"\b(oficio|ficha|documentos|pdf|word)\b")
_ENVIAR = re.compile(r"\b(mand\w*|envi\w*|reenvi\w*|pas\w*|compart\w*|descarg\w*|otra vez"
                     r"|de nuevo|nuevamente|vuelve|vuelva|no (me )?llego|no (me )?llegaron)\b")
_ACTUALIZAR = re.compile(r"\b(actualiz\w*|cambi\w*|correg\w*|corrij\w*|modific\w*|edit\w*)\b")
_DATO_DEL_CASO = re.compile(r"\b(cabildo|fecha|correo|telefono|enlace|objetivos?)\b")
_CASO_EN_GENERAL = re.compile(r"\b(dato|datos|caso|folio|expediente|iniciativa)\b")
_SUYO = re.compile(r"\b(mi|mis|nuestra|nuestro|nuestros|me|quiero|queremos|necesito"
                   r"|necesitamos|puedo|podemos)\b")
"""«mi caso», «quiero cambiar un dato»: sin esto, «¿no hubo una iniciativa pa cambiar la ley
de tratados?» (una pregunta de la base) se tomaba por cambiar su caso."""
_CABILDO_YA = re.compile(r"\bya (me |nos |lo |la )?(aprob\w*|autoriz\w*|sesion\w*)\b.*\bcabildo\b"
                         r"|\bcabildo\b.*\bya (lo |la |me |nos )?(aprob\w*|autoriz\w*)\b")
_SRE = re.compile(r"\b(sre|relaciones exteriores|cancilleria|dictamen)\b")
_CUANDO = re.compile(r"\b(cuando|para cuando|cuanto (falta|tarda\w*|tiempo|se tarda\w*)"
                     r"|ya (contest\w*|respond\w*|dictamin\w*|llego))\b")


def pedido_de(texto_libre: str) -> Pedido | None:
    """¿Qué pide sobre su caso? None si no es ninguno de estos pedidos."""
    forma = normalizar(texto_libre)
    if not forma:
        return None
    if _DOCUMENTOS.search(forma) and _ENVIAR.search(forma):
        return Pedido.REENVIAR
    if _CABILDO_YA.search(forma) or (_ACTUALIZAR.search(forma) and (
            _DATO_DEL_CASO.search(forma)
            or (_CASO_EN_GENERAL.search(forma) and _SUYO.search(forma)))):
        return Pedido.ACTUALIZAR
    if _SRE.search(forma) and _CUANDO.search(forma):
        return Pedido.CUANDO_SRE
    return None


_OTRA_VEZ = re.compile(r"\b(reenvi\w*|otra vez|de nuevo|nuevamente|vuelve|vuelva|volver"
                       r"|no (me |nos )?llego|no (me |nos )?llegaron)\b")
_A_MI = re.compile(r"\b((me|nos) (puede |podria |puedes )?(mand|envi|pas|compart)\w*"
                   r"|(mand|envi|pas)\w*(me|nos))\b")
_SUS_DOCUMENTOS = re.compile(r"\b(oficio|ficha)\b")
MAX_PALABRAS_A_MITAD = 15
"""Un pedido escrito a mitad de un trámite es corto; una respuesta larga (unos objetivos que
hablan de «enviarnos documentos») es la respuesta."""
_CASO_REGISTRADO = re.compile(r"\b(caso|folio|expediente|ch \d{4})\b")


def pedido_a_mitad(texto_libre: str) -> Pedido | None:
    """Un pedido sobre un caso ya registrado escrito a mitad de otro trámite. Más estricto que
    `pedido_de`: ahí un mensaje también puede ser la respuesta al paso. Reenviar pide que se
    le manden a ella («me vuelve a mandar el oficio»); actualizar, que hable del Cabildo ya
    sesionado con una pregunta o un «actualizar» («ya me aprobó el Cabildo ayer, ¿cómo lo
    actualizo?») o de su caso o folio («quiero cambiar el correo de mi caso»)."""
    forma = normalizar(texto_libre)
    if not forma or len(forma.split()) > MAX_PALABRAS_A_MITAD:
        return None
    if (_DOCUMENTOS.search(forma) and _OTRA_VEZ.search(forma)) or (
            _SUS_DOCUMENTOS.search(forma) and _A_MI.search(forma)):
        return Pedido.REENVIAR
    actualizar = _ACTUALIZAR.search(forma)
    if _CABILDO_YA.search(forma) and (actualizar or es_pregunta(texto_libre)):
        return Pedido.ACTUALIZAR
    if actualizar and _CASO_REGISTRADO.search(forma):
        return Pedido.ACTUALIZAR
    return None


def dato_mencionado(flujo: Flujo, texto_libre: str) -> str | None:
    """El dato del caso que menciona el mensaje, según las opciones del paso «campo» del flujo
    de actualización (título o sinónimo como palabras completas)."""
    forma = f" {normalizar(texto_libre)} "
    for opcion in flujo.paso("campo").opciones:
        for dicho in (opcion.titulo, *opcion.sinonimos):
            if f" {normalizar(dicho)} " in forma:
                return opcion.valor
    return None


def _caso_en_curso(casos: list[Caso], folio: str | None) -> Caso:
    """El caso del que se habla: el de la conversación o, si no, el más reciente."""
    return next((c for c in casos if c.folio == folio), casos[0])


class RutasDespuesDelFolio:
    """La ruta de los pedidos sobre un caso ya registrado. Recibe lo que necesita: cómo
    iniciar un flujo (de las rutas de flujos), sus definiciones y la base de conocimiento."""

    def __init__(self, flujos: dict[str, Flujo], iniciar: Iniciar,
                 conocimiento: RutasConocimiento, hoy: Hoy) -> None:
        self.flujos = flujos
        self.iniciar = iniciar
        self.conocimiento = conocimiento
        self.hoy = hoy

    async def pedido(self, ctx: Contexto) -> list[Respuesta] | None:
        """Sin trámite a medias: reenviar documentos (como el botón «Ficha y oficio»),
        actualizar un dato (el flujo, con lo ya dicho) o «¿cuándo contesta la SRE?»."""
        if ctx.payload or not ctx.texto or ctx.conversacion.flujo:
            return None
        pedido = pedido_de(ctx.texto)
        if pedido is None:
            return None
        if pedido is Pedido.REENVIAR:
            ctx.payload, ctx.texto = "/documentos", ""  # lo atiende `documentos_a_pedido`
            return None
        if pedido is Pedido.ACTUALIZAR:
            return await self._actualizar(ctx)
        return await self._cuando_sre(ctx)

    async def a_mitad(self, ctx: Contexto) -> list[Respuesta] | None:
        """A mitad de otro trámite, reenviar o actualizar un caso ya registrado es una
        digresión: se atiende y el trámite abierto espera. Reenviar lo atiende
        `documentos_a_pedido`, que luego retoma la pregunta abierta; actualizar (si tiene
        casos) empieza su flujo, el abierto queda en pausa con su borrador y al terminar se
        ofrece volver a él. Solo consulta la base si el texto parece uno de estos pedidos."""
        flujo_abierto = ctx.conversacion.flujo
        if ctx.payload or not ctx.texto or not flujo_abierto:
            return None
        pedido = pedido_a_mitad(ctx.texto)
        if pedido is None or (pedido is Pedido.ACTUALIZAR and flujo_abierto == FLUJO_ACTUALIZAR):
            return None
        if pedido is Pedido.REENVIAR:  # `documentos_a_pedido` dice si aún no hay casos
            ctx.payload, ctx.texto = "/documentos", ""
            return None
        if not await casos_de_usuario(ctx.sesion, ctx.usuario.id):
            return None  # sin casos, el mensaje es del trámite abierto
        return await self._actualizar(ctx)

    async def _actualizar(self, ctx: Contexto) -> list[Respuesta]:
        definicion = self.flujos[FLUJO_ACTUALIZAR]
        previas: dict[str, Any] = {}
        campo = dato_mencionado(definicion, ctx.texto)
        if campo is not None:
            previas["campo"] = campo
        if campo == "fecha_cabildo":
            leida = leer_fecha(ctx.texto, self.hoy(), no_futura=True)
            if leida.fecha is not None:
                previas["valor"] = {"fecha_cabildo": leida.fecha.isoformat()}
        return await self.iniciar(ctx, FLUJO_ACTUALIZAR, previas or None)

    async def _cuando_sre(self, ctx: Contexto) -> list[Respuesta] | None:
        casos = await casos_de_usuario(ctx.sesion, ctx.usuario.id)
        if not casos:
            return None  # la pregunta general la contesta la base de conocimiento
        caso = _caso_en_curso(casos, leer_contexto(ctx.conversacion).caso_folio)
        palabras = en_palabras(caso.estatus)
        estado = Respuesta(texto("caso_y_sre", folio=caso.folio, estatus=palabras.nombre,
                                 explicacion=palabras.explicacion,
                                 antes_de_la_sre=caso.estatus in ANTES_DE_LA_SRE))
        honesta = self.conocimiento.base.responder_unidad(UNIDAD_CUANDO_SRE)
        botones = [Boton("Hablar con un asesor", "/asesor"),
                   Boton("Ver seguimiento", "/iniciar seguimiento")]
        ultima = honesta[-1]
        honesta[-1] = dataclasses.replace(ultima, botones=[*botones, *ultima.botones])
        return [estado, *honesta]
