"""Borrado de los datos de una persona («borrar mis datos» y la retención): se borra o se
reemplaza lo que la identifica y se conserva lo que la oficina debe guardar.

Se borra: nombre, papel, estado, municipio y número de WhatsApp del usuario; texto, botones y
anexos de los mensajes de su conversación; respuestas parciales y contexto; los nombres,
correos y teléfonos del contacto y del comité en sus casos; el detalle y la nota de cierre de
sus traspasos y las notas internas de su conversación; los archivos que envió y que no forman
parte de un expediente; y los documentos generados que llevaban sus datos (ficha, oficio, el
JSON de «mis datos»): sus filas y sus archivos, así que sus enlaces ya no entregan nada.
En el texto libre que se conserva (la línea de tiempo del caso, objetivos y antecedentes) su
nombre (completo o por palabra), sus correos y sus teléfonos (con cualquier formato) quedan
como «[eliminado]».
Se conserva: folio, tipo, estatus, municipio, contraparte, objetivos y fechas del caso, sus
eventos (sin sus datos) y los documentos oficiales que se recibieron para el expediente. La
ficha y el oficio de esos casos se rehacen ya sin sus datos (`ResultadoAnonimizacion.rehacer`,
`bot.documentos.rehacer`).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, null, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.contexto_conversacion import ContextoConversacion, guardar_contexto, leer_contexto
from bot.db.modelos import (
    Caso,
    Conversacion,
    Documento,
    Escalamiento,
    EventoCaso,
    Mensaje,
    NotaAsesor,
    Usuario,
    ahora,
)
from bot.documentos.borrado import quitar
from bot.documentos.rehacer import GENERADO, raiz_del_almacen
from bot.privacidad.enmascarar import enmascarar, enmascarar_valor
from bot.texto import sin_acentos

log = logging.getLogger(__name__)

ELIMINADO = "[eliminado]"
CAMPOS_PERSONALES_CONTACTO = frozenset({
    "nombre", "nombre_completo", "correo", "email", "telefono", "teléfono", "celular",
    "whatsapp", "phone",
})
"""Campos de `Caso.contacto` y de cada integrante de `Caso.comite` que se borran."""
CONTENEDORES_PERSONALES = frozenset({"enlace", "contacto", "integrante", "integrantes",
                                     "comite"})
"""Dónde hay datos de personas en las respuestas de un flujo (no en `municipio` o `pais`,
que también tienen «nombre»)."""
CAMPOS_NOMBRE = frozenset({"nombre", "nombre_completo"})
CAMPOS_CORREO = frozenset({"correo", "email"})
CAMPOS_TELEFONO = frozenset({"telefono", "teléfono", "celular", "whatsapp", "phone"})
PREFIJO_ANONIMO = "anonimo-"
_PARTICULAS = frozenset({"de", "del", "la", "las", "los", "y", "e", "da", "di", "van", "von",
                         "mc", "sr", "sra", "lic", "ing", "dr", "dra", "mtro", "mtra"})
_VARIANTES = {"a": "aáàä", "e": "eéèë", "i": "iíìï", "o": "oóòö", "u": "uúùü", "n": "nñ",
              "ñ": "nñ"}
"""Letras que la gente escribe sin acento o sin tilde («Quinones» por «Quiñones»)."""
_CANDIDATO_TELEFONO = re.compile(r"(?<![\w])\+?\(?\d[\d\s().-]{5,}\d(?![\w])")


@dataclass(frozen=True)
class ResultadoAnonimizacion:
    """Qué se hizo al anonimizar a una persona."""

    usuario_id: int
    mensajes: int
    casos_conservados: list[str]
    documentos_eliminados: int
    rehacer: list[str] = field(default_factory=list)
    """Folios cuya ficha y oficio se borraron: hay que rehacerlos sin sus datos."""
    almacen_documentos: Path | None = None
    """La carpeta del almacén donde estaban (ahí se guardan los rehechos)."""


def _flexible(valor: str) -> str:
    """Patrón que reconoce `valor` sin importar acentos, tildes, mayúsculas ni espacios."""
    partes = []
    for caracter in sin_acentos(valor.casefold()):
        if caracter.isspace():
            partes.append(r"\s+")
        elif caracter in _VARIANTES:
            partes.append(f"[{_VARIANTES[caracter]}]")
        else:
            partes.append(re.escape(caracter))
    return "".join(partes)


class Conocidos:
    """Los datos de la persona que se buscan en texto libre: sus nombres (completos y cada
    palabra), correos y teléfonos (por sus dígitos: valen con cualquier formato), y textos
    de terceros que ella registró (el comité), completos."""

    def __init__(self) -> None:
        self._textos: set[str] = set()
        self._telefonos: set[str] = set()

    def nombre(self, valor: Any) -> None:
        """Un nombre de la persona: completo y cada palabra (salvo partículas)."""
        if not isinstance(valor, str) or not valor.strip():
            return
        self.texto(valor)
        for palabra in re.findall(r"[^\W\d_][\w'-]*", valor):
            if len(palabra) >= 3 and sin_acentos(palabra.casefold()) not in _PARTICULAS:
                self._textos.add(palabra)

    def texto(self, valor: Any) -> None:
        """Un texto que se oculta completo (un correo, el nombre de un tercero)."""
        if isinstance(valor, str) and len(valor.strip()) >= 3:
            self._textos.add(valor.strip())

    def telefono(self, valor: Any) -> None:
        """Un teléfono: se reconoce por sus últimos 10 dígitos, con o sin lada del país."""
        digitos = re.sub(r"\D", "", str(valor or ""))
        if len(digitos) >= 7:
            self._telefonos.add(digitos[-10:])

    def de_campos(self, datos: Any, propios: bool) -> None:
        """Lo personal de un dict de contacto (o de un integrante del comité). `propios`: los
        nombres son de la persona (se ocultan también por palabra)."""
        if isinstance(datos, list):
            for elemento in datos:
                self.de_campos(elemento, propios)
            return
        if not isinstance(datos, dict):
            return
        for clave, valor in datos.items():
            clave = str(clave).lower()
            if clave in CAMPOS_NOMBRE:
                (self.nombre if propios else self.texto)(valor)
            elif clave in CAMPOS_CORREO:
                self.texto(valor)
            elif clave in CAMPOS_TELEFONO:
                self.telefono(valor)
            elif clave in CONTENEDORES_PERSONALES:
                self.de_campos(valor, propios and clave in ("enlace", "contacto"))

    def _es_suyo(self, coincidencia: re.Match[str]) -> str:
        candidato = coincidencia.group(0)
        digitos = re.sub(r"\D", "", candidato)
        for telefono in self._telefonos:
            if len(digitos) >= 7 and (digitos.endswith(telefono) or telefono.endswith(digitos)):
                return ELIMINADO
        return candidato

    def ocultar(self, texto: str) -> str:
        """El texto con los datos de la persona como «[eliminado]» (y, por si acaso, cualquier
        otro correo o teléfono enmascarado)."""
        if not texto:
            return texto
        if self._telefonos:
            texto = _CANDIDATO_TELEFONO.sub(self._es_suyo, texto)
        for valor in sorted(self._textos, key=len, reverse=True):
            texto = re.sub(rf"(?<!\w){_flexible(valor)}(?!\w)", ELIMINADO, texto,
                           flags=re.IGNORECASE)
        return enmascarar(texto)

    def ocultar_valor(self, valor: Any) -> Any:
        """`ocultar` dentro de dicts y listas; lo que va bajo una clave personal, entero."""
        if isinstance(valor, str):
            return self.ocultar(valor)
        if isinstance(valor, dict):
            return {k: (ELIMINADO if str(k).lower() in CAMPOS_PERSONALES_CONTACTO
                        and v not in (None, "") else self.ocultar_valor(v))
                    for k, v in valor.items()}
        if isinstance(valor, list):
            return [self.ocultar_valor(v) for v in valor]
        return valor


def limpiar_personales(valor: Any) -> tuple[Any, list[str]]:
    """Reemplaza los campos personales (a cualquier profundidad) por «[eliminado]».

    Devuelve el valor limpio y los textos que se quitaron (para ocultarlos en otros lados).
    """
    quitados: list[str] = []

    def limpiar(v: Any) -> Any:
        if isinstance(v, dict):
            nuevo: dict[str, Any] = {}
            for clave, dato in v.items():
                if str(clave).lower() in CAMPOS_PERSONALES_CONTACTO and dato not in (None, ""):
                    if isinstance(dato, str):
                        quitados.append(dato)
                    nuevo[clave] = ELIMINADO
                else:
                    nuevo[clave] = limpiar(dato)
            return nuevo
        if isinstance(v, list):
            return [limpiar(x) for x in v]
        return v

    return limpiar(valor), quitados


async def _documentos(sesion: AsyncSession, usuario: Usuario, casos: list[Caso]
                      ) -> tuple[int, list[str], Path | None]:
    """Borra los documentos generados con sus datos y los archivos que envió fuera de un
    expediente. Devuelve cuántos, los folios cuya ficha/oficio hay que rehacer y dónde."""
    por_borrar = list((await sesion.scalars(
        select(Documento).where(Documento.usuario_id == usuario.id,
                                or_(Documento.tipo == GENERADO, Documento.caso_id.is_(None)))
        .order_by(Documento.id))).all())
    if not por_borrar:
        return 0, [], None
    folios = {c.id: c.folio for c in casos}
    rehacer = sorted({folios[d.caso_id] for d in por_borrar
                      if d.tipo == GENERADO and d.caso_id in folios})
    raiz = raiz_del_almacen(por_borrar[0].ruta)
    await quitar(sesion, por_borrar)
    return len(por_borrar), rehacer, raiz


def _conocidos(usuario: Usuario, conversacion: Conversacion | None,
               casos: list[Caso]) -> Conocidos:
    conocidos = Conocidos()
    conocidos.nombre(usuario.nombre)
    conocidos.telefono(usuario.numero_whatsapp)
    if conversacion is not None:
        conocidos.nombre(leer_contexto(conversacion).nombre_canal)
        conocidos.de_campos(conversacion.respuestas or {}, propios=True)
    for caso in casos:
        conocidos.de_campos(caso.contacto or {}, propios=True)
        conocidos.de_campos(list(caso.comite or []), propios=False)
    return conocidos


async def _casos(sesion: AsyncSession, casos: list[Caso], conocidos: Conocidos,
                 detalles: set[str]) -> None:
    """Del caso se quita el contacto y el comité; en su texto libre y en su línea de tiempo, los
    datos de la persona. Un evento que copió lo que ella escribió (el detalle de un traspaso)
    se borra entero."""
    for caso in casos:
        caso.contacto, _ = limpiar_personales(dict(caso.contacto or {}))
        caso.comite, _ = limpiar_personales(list(caso.comite or []))
        caso.objetivos = conocidos.ocultar(caso.objetivos or "")
        if caso.antecedentes:
            caso.antecedentes = conocidos.ocultar(caso.antecedentes)
        eventos = (await sesion.scalars(
            select(EventoCaso).where(EventoCaso.caso_id == caso.id))).all()
        for evento in eventos:
            descripcion = (ELIMINADO if evento.descripcion in detalles
                           else conocidos.ocultar(evento.descripcion or ""))
            if descripcion != evento.descripcion:
                evento.descripcion = descripcion
            datos = enmascarar_valor(conocidos.ocultar_valor(evento.datos or {}))
            if datos != evento.datos:
                evento.datos = datos
        for documento in (await sesion.scalars(
                select(Documento).where(Documento.caso_id == caso.id))).all():
            nombre = conocidos.ocultar(documento.nombre_archivo)
            if nombre != documento.nombre_archivo:
                documento.nombre_archivo = nombre[:255]


async def _traspasos(sesion: AsyncSession, conversacion: Conversacion) -> set[str]:
    """Vacía el detalle (lo que escribió) y la nota de cierre de sus traspasos y las notas
    internas de su conversación. Devuelve los detalles que había (para la línea de tiempo)."""
    traspasos = (await sesion.scalars(
        select(Escalamiento).where(Escalamiento.conversacion_id == conversacion.id))).all()
    detalles = {e.detalle for e in traspasos if e.detalle}
    for esc in traspasos:
        if esc.detalle is not None:
            esc.detalle = ELIMINADO
        if esc.nota_cierre is not None:
            esc.nota_cierre = ELIMINADO
    await sesion.execute(
        update(NotaAsesor).where(NotaAsesor.conversacion_id == conversacion.id)
        .values(texto=ELIMINADO).execution_options(synchronize_session="fetch"))
    return detalles


async def anonimizar_usuario(
    sesion: AsyncSession, usuario: Usuario, momento: dt.datetime | None = None,
    olvidar_canal: bool = False,
) -> ResultadoAnonimizacion:
    """Anonimiza a la persona en la sesión dada (el llamador confirma la transacción; los
    archivos se borran del disco al confirmar). La ficha y el oficio de sus casos se rehacen
    aparte (`ResultadoAnonimizacion.rehacer`): se generan fuera de la transacción.

    El número de WhatsApp se borra siempre (la respuesta a «borrar mis datos» sale con el que
    trae el mensaje, en memoria). `olvidar_canal` reemplaza también la llave del canal: si
    vuelve a escribir, llega como usuario nuevo. Úselo cuando no haya una respuesta pendiente
    de entregar (p. ej. en la retención).
    """
    momento = momento or ahora()
    conversacion = await sesion.scalar(
        select(Conversacion).where(Conversacion.usuario_id == usuario.id))
    casos = list((await sesion.scalars(
        select(Caso).where(Caso.usuario_id == usuario.id).order_by(Caso.id))).all())
    conocidos = _conocidos(usuario, conversacion, casos)
    detalles = await _traspasos(sesion, conversacion) if conversacion is not None else set()
    await _casos(sesion, casos, conocidos, detalles)
    documentos, rehacer, raiz = await _documentos(sesion, usuario, casos)
    mensajes = 0
    if conversacion is not None:
        mensajes = int(await sesion.scalar(
            select(func.count()).select_from(Mensaje)
            .where(Mensaje.conversacion_id == conversacion.id)) or 0)
        await sesion.execute(
            update(Mensaje).where(Mensaje.conversacion_id == conversacion.id)
            .values(texto=ELIMINADO, payload=None, botones=null(), extra=null())
            .execution_options(synchronize_session="fetch"))
        conversacion.respuestas = {}
        guardar_contexto(conversacion, ContextoConversacion())
        conversacion.historial = []
        conversacion.flujo = None
        conversacion.paso = None
        conversacion.fallos_paso = 0
        conversacion.fallos_nlu = 0
    usuario.nombre = None
    usuario.rol = None
    usuario.estado_id = None
    usuario.municipio_id = None
    usuario.numero_whatsapp = None
    usuario.anonimizado_en = momento
    if olvidar_canal and not usuario.id_externo.startswith(PREFIJO_ANONIMO):
        usuario.id_externo = f"{PREFIJO_ANONIMO}{usuario.id}"
    await sesion.flush()
    folios = [c.folio for c in casos]
    log.info("usuario anonimizado", extra={"usuario_id": usuario.id, "mensajes": mensajes,
                                           "casos": len(folios), "documentos": documentos})
    return ResultadoAnonimizacion(usuario.id, mensajes, folios, documentos, rehacer, raiz)

