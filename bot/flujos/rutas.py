"""Rutas del motor para los flujos guiados: iniciar, avanzar, digresiones y órdenes globales.

El intérprete (bot/flujos) es puro; aquí se lee y guarda el estado, se arma el contexto
(perfil, casos) y se ejecutan las acciones que piden los pasos (`bot.acciones`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from bot.acciones import Accion, ServiciosAcciones
from bot.acciones import casos as acciones_casos
from bot.casos.repositorio import caso_del_usuario, casos_de_usuario
from bot.catalogos.busqueda import catalogo
from bot.conocimiento.modelo import INTENTS_INFORMATIVOS
from bot.conocimiento.rutas import RutasConocimiento
from bot.db.contexto_conversacion import actualizar_contexto, leer_contexto
from bot.db.modelos import Conversacion, Documento
from bot.flujos import Entrada, EstadoFlujo, Flujo, Resultado, memoria
from bot.flujos import estado as estado_flujo
from bot.flujos import interprete as flujo
from bot.flujos.borrador import (
    AVISO_BORRADOR,
    DIAS_BORRADOR,
    borrador_en_pausa,
    borrador_vigente,
    guardar_borrador,
)
from bot.flujos.catalogo import estado_a_dict, municipio_a_dict
from bot.flujos.controles import boton_escrito, es_retomar
from bot.flujos.dudas import es_duda_del_paso
from bot.flujos.menciones import leer_menciones
from bot.flujos.pedidos import Pedidos, dichos_del_pedido
from bot.motor.bandeja import NOTA_TEXTO_SENSIBLE
from bot.motor.menu import respuesta_menu
from bot.nlu.respaldo import pedido_de_tramite
from bot.nucleo.comandos import Comando, es_acuse, reconocer
from bot.nucleo.contexto import Contexto
from bot.nucleo.mensajes import Boton, Respuesta
from bot.nucleo.preguntas import es_pregunta, pregunta_algo
from bot.privacidad.consentimiento import tiene_consentimiento
from bot.privacidad.rutas import es_frase_de_privacidad
from bot.privacidad.sensibles import detectar, detectar_en_nuevos
from bot.texto import normalizar

# Flujos que guardan datos personales: piden antes el consentimiento (flujo bienvenida).
REQUIEREN_CONSENTIMIENTO = {"registro_iniciativa", "subir_documento", "comite", "seguimiento",
                            "requisitos", "papel", "actualizar_caso"}
INTENT_A_FLUJO = {
    "registrar_iniciativa": "registro_iniciativa",
    "estado_tramite": "seguimiento",
    "subir_documento": "subir_documento",
}
# Intents que, a mitad de un flujo, atiende otra ruta (el flujo queda en pausa).
_INTENTS_DE_OTRA_RUTA = {"hablar_asesor", "queja", "mis_datos", "borrar_mis_datos",
                         "privacidad", "menu"}
_PAYLOADS_DE_OTRA_RUTA = ("/asesor", "/menu", "/aviso", "/mis_datos", "/borrar", "/iniciar ",
                          "/tema ", "/articulo", "/util ", "/documentos")
RETOMAR_OFRECIDO = "/retomar"
"""El botón «Sí, seguir» al ofrecer volver a un trámite en pausa (es la orden «continuar»)."""


def botones_ofrecidos(conversacion: Conversacion) -> list[Boton]:
    """Los botones de la última respuesta (memoria de la conversación)."""
    guardados = leer_contexto(conversacion).botones or []
    return [Boton(str(b[0]), str(b[1])) for b in guardados
            if isinstance(b, list | tuple) and len(b) == 2]


def _es_cierre(texto: str) -> bool:
    """¿Es solo la pregunta corta con que termina un trámite («¿En qué le ayudo?», «¿Qué más
    desea hacer?»)? Una pregunta de una línea, sin nada más."""
    limpio = texto.strip()
    return limpio.startswith("¿") and limpio.endswith("?") and "\n" not in limpio \
        and len(limpio) <= 40


def _entrada(ctx: Contexto, documento: Documento | None) -> Entrada:
    archivo = None
    if documento is not None:
        archivo = {"nombre": documento.nombre_archivo, "mime": documento.mime,
                   "tamano": documento.tamano, "ref": documento.id}
    return Entrada(texto=ctx.texto, payload=ctx.payload, archivo=archivo)


async def _documento(ctx: Contexto) -> Documento | None:
    if not ctx.mensaje.adjunto_id:
        return None
    return await ctx.sesion.get(Documento, ctx.mensaje.adjunto_id)


def lugar_detectado(ctx: Contexto) -> dict[str, Any] | None:
    """Estado y municipio que la persona mencionó (entidades del NLU), si son inequívocos."""
    analisis = ctx.analisis
    if analisis is None or not hasattr(analisis, "entidad"):
        return None
    cat = catalogo()
    estado = cat.buscar_estado(analisis.entidad("estado") or "")
    municipio = None
    if nombre := analisis.entidad("municipio"):
        encontrados = cat.buscar_municipio(nombre, estado.clave_inegi if estado else None)
        if len(encontrados) == 1:
            municipio = encontrados[0]
            estado = estado or cat.estado_por_clave(municipio.estado_clave)
    if estado is None:
        return None
    return {"estado": estado_a_dict(estado),
            "municipio": municipio_a_dict(municipio) if municipio else None}


class RutasFlujos:
    """Las rutas de los flujos, con las definiciones, las acciones y lo que usan."""

    def __init__(self, flujos: dict[str, Flujo], acciones: Mapping[str, Accion],
                 servicios: ServiciosAcciones, conocimiento: RutasConocimiento) -> None:
        self.flujos = flujos
        self.acciones = acciones
        self.servicios = servicios
        self.conocimiento = conocimiento
        self.zona = ZoneInfo(servicios.ajustes.zona_horaria)
        self.pedidos = Pedidos(flujos)
        self.desfase = dt.timedelta(0)
        """Cuánto se adelanta el reloj de los trámites: solo las pruebas lo cambian («cinco
        días después…»), para revisar borradores y retomas sin esperar."""

    def hoy(self) -> dt.date:
        """La fecha de hoy en la zona horaria de los ajustes (el intérprete la recibe)."""
        return self.ahora().date()

    def _con_recordatorio(self, ctx: Contexto, definicion: Flujo, respuestas: list[Respuesta],
                          contexto: dict[str, Any]) -> list[Respuesta]:
        estado = estado_flujo.leer(ctx.conversacion)
        if estado is None:
            return respuestas
        return respuestas + flujo.recordatorio(definicion, estado, contexto, hoy=self.hoy())

    def ahora(self) -> dt.datetime:
        """El momento actual en la zona horaria de los ajustes (más `desfase`)."""
        return dt.datetime.now(self.zona) + self.desfase

    def _sin_datos_sensibles(self, ctx: Contexto, definicion: Flujo, resultado: Resultado,
                             contexto: dict[str, Any]) -> list[Respuesta] | None:
        """Si la respuesta guardaría un dato sensible (salud, religión, política, vida sexual,
        origen étnico), no se guarda: se dice por qué y se repite la pregunta. El texto del
        mensaje tampoco se conserva (`NOTA_TEXTO_SENSIBLE`)."""
        antes = estado_flujo.leer(ctx.conversacion)
        if antes is None:
            return None
        nuevos: list[Any] = [dict(a.datos) for a in resultado.acciones]
        if resultado.estado is not None:
            nuevos += [resultado.estado.respuestas, resultado.estado.pendiente]
        sensible = detectar_en_nuevos([antes.respuestas, antes.pendiente], nuevos)
        if sensible is None:
            return None
        ctx.notas[NOTA_TEXTO_SENSIBLE] = True
        return [Respuesta(sensible.aviso)] + flujo.recordatorio(definicion, antes, contexto,
                                                                  hoy=self.hoy())

    async def _avanzar(self, ctx: Contexto, definicion: Flujo, resultado: Resultado,
                       contexto: dict[str, Any], previo: EstadoFlujo | None = None
                       ) -> list[Respuesta]:
        """Lo que la persona respondió en el paso: se aplica si no trae un dato sensible."""
        rechazo = self._sin_datos_sensibles(ctx, definicion, resultado, contexto)
        if rechazo is not None:
            return rechazo
        aviso = self._par_conocido(resultado, previo)
        respuestas = await self._aplicar(ctx, definicion, resultado, previo=previo)
        if (sensible := detectar(ctx.texto)) is not None:
            # El dato se tomó de la oración sin lo sensible («Dra. Alicia Torres, tengo
            # diabetes…» → su nombre); el texto del mensaje no se conserva.
            ctx.notas[NOTA_TEXTO_SENSIBLE] = True
            respuestas.insert(0, Respuesta(sensible.aviso))
        if aviso is not None:  # antes de la siguiente pregunta
            respuestas.insert(max(len(respuestas) - 1, 0), aviso)
        return respuestas

    def _par_conocido(self, resultado: Resultado, previo: EstadoFlujo | None
                      ) -> Respuesta | None:
        """Si la ciudad recién dada ya está hermanada con el municipio según los hechos de la
        base de conocimiento, decirlo (puede tratarse de renovarlo o ampliarlo)."""
        hechos = self.conocimiento.base.hechos
        if hechos is None or resultado.estado is None or previo is None:
            return None
        nuevas, antes = resultado.estado.respuestas, previo.respuestas
        ciudad, municipio = nuevas.get("ciudad"), nuevas.get("municipio")
        if not isinstance(ciudad, str) or ciudad == antes.get("ciudad") \
                or not isinstance(municipio, dict) or not municipio.get("nombre"):
            return None
        par = hechos.par(str(municipio["nombre"]), ciudad.split(",")[0].strip())
        if par is None:
            return None
        return Respuesta(f"Un dato: {hechos.texto_de_par(par)} Si se trata de renovarlo o "
                         "ampliarlo, menciónelo en los objetivos; su oficina estatal de enlace "
                         "puede confirmarlo.")

    async def _aplicar(self, ctx: Contexto, definicion: Flujo, resultado: Resultado,
                       previo: EstadoFlujo | None = None) -> list[Respuesta]:
        """Ejecuta las acciones, guarda el estado y encadena el flujo pendiente tras la
        bienvenida. Si el flujo se descartó (`previo` tenía respuestas), lo guarda como
        borrador y dice cómo recuperarlo."""
        respuestas = list(resultado.respuestas)
        en_pausa = (borrador_en_pausa(ctx.conversacion, self.ahora())
                    if resultado.estado is None else None)
        if en_pausa is not None and en_pausa.flujo == definicion.id:
            en_pausa = None
        if (resultado.evento == "cancelado" and previo is not None and en_pausa is None
                and flujo.capturadas(definicion, previo)):
            guardar_borrador(ctx.conversacion, previo, self.ahora())
            ultima = respuestas[-1] if respuestas else None
            if ultima is not None and not ultima.botones:
                ultima.texto = f"{ultima.texto}\n{AVISO_BORRADOR}".strip()
            else:
                respuestas.append(Respuesta(AVISO_BORRADOR))
            respuestas[-1].botones = [Boton("Recuperarlo", "/continuar"), Boton("Menú", "/menu")]
        for accion in resultado.acciones:
            ejecutar = self.acciones.get(accion.nombre)
            if ejecutar is not None:
                respuestas += await ejecutar(ctx, dict(accion.datos), self.servicios)
        estado_flujo.guardar(ctx.conversacion, resultado.estado)
        if resultado.evento == "tres_fallos":
            actualizar_contexto(ctx.conversacion, motivo_escalamiento="tres_fallos")
        if resultado.evento == "completado" and definicion.id == "bienvenida":
            despues = leer_contexto(ctx.conversacion).despues
            actualizar_contexto(ctx.conversacion, despues=None)
            if despues and tiene_consentimiento(ctx.usuario):
                return respuestas + await self.iniciar(ctx, despues)
        if en_pausa is not None and estado_flujo.leer(ctx.conversacion) is None:
            ultima = respuestas[-1] if respuestas else None
            if ultima is not None and ultima.botones and _es_cierre(ultima.texto):
                respuestas.pop()  # «¿En qué le ayudo?»: la pregunta que sigue es volver
            empezar_otro = f"/iniciar {en_pausa.flujo}"  # «Registrar iniciativa» lo empezaría
            for r in respuestas:  # de cero: lo que se ofrece es seguir el que está en pausa
                r.botones = [b for b in r.botones if b.payload != empezar_otro]
            respuestas.append(await self._ofrecer_volver(ctx, en_pausa))
        return respuestas

    async def _ofrecer_volver(self, ctx: Contexto, en_pausa: EstadoFlujo) -> Respuesta:
        """Terminado el trámite que se atendió de paso, ofrecer volver al que quedó en pausa,
        con lo que ya tiene y lo que le falta."""
        definicion = self.flujos.get(en_pausa.flujo)
        if definicion is None:
            return respuesta_menu("¿Qué más desea hacer?")
        contexto = await estado_flujo.contexto(ctx.sesion, ctx.usuario, ctx.conversacion,
                                               definicion.contexto)
        avance = flujo.avance(definicion, en_pausa, contexto, hoy=self.hoy())
        return Respuesta(f"¿Seguimos con {definicion.en_palabras}? {avance}".strip(),
                         botones=[Boton("Sí, seguir", RETOMAR_OFRECIDO),
                                  Boton("No, por ahora", "/menu")])

    async def iniciar(self, ctx: Contexto, flujo_id: str, previas: dict[str, Any] | None = None
                      ) -> list[Respuesta]:
        """Empieza un flujo (pasando antes por la bienvenida si hace falta el consentimiento)."""
        flujos = self.flujos
        if flujo_id in REQUIEREN_CONSENTIMIENTO and not tiene_consentimiento(ctx.usuario):
            if leer_contexto(ctx.conversacion).consentimiento_rechazado:
                return [Respuesta(
                    "Para este trámite necesito guardar algunos datos suyos, y usted prefirió no "
                    "darme su consentimiento. Si cambia de opinión, pulse el botón.",
                    botones=[Boton("Revisar el aviso", "/iniciar bienvenida"),
                             Boton("Menú", "/menu")])]
            actualizar_contexto(ctx.conversacion, despues=flujo_id)
            previas = {**(previas or {}), "despues": flujo_id}  # la bienvenida no ofrece menú
            flujo_id = "bienvenida"
        if flujo_id == "bienvenida":
            actualizar_contexto(ctx.conversacion, consentimiento_rechazado=False)
        definicion = flujos[flujo_id]
        antes: list[Respuesta] = []
        previo = estado_flujo.leer(ctx.conversacion)
        if previo is not None and previo.flujo in flujos and previo.flujo != flujo_id \
                and self._vale_mas_que_el_pausado(ctx, previo):
            guardar_borrador(ctx.conversacion, previo, self.ahora(), pausado=True)
            antes.append(Respuesta(f"Dejé guardado {flujos[previo.flujo].en_palabras}; para "
                                   "retomarlo, escriba «continuar»."))
        if (detectado := lugar_detectado(ctx)) is not None:
            actualizar_contexto(ctx.conversacion, detectado=detectado)
        dichos, resto = memoria.sembrar(definicion, leer_contexto(ctx.conversacion).memoria)
        if dichos:  # lo que ya dijo se confirma en vez de preguntarse
            actualizar_contexto(ctx.conversacion, memoria=resto or None)
            previas = {**(previas or {}),
                       "dichos": {**dichos, **(previas or {}).get("dichos", {})}}
        contexto = await estado_flujo.contexto(ctx.sesion, ctx.usuario, ctx.conversacion,
                                               definicion.contexto)
        resultado = flujo.iniciar(definicion, contexto, previas, catalogo=catalogo(),
                                  hoy=self.hoy())
        return antes + await self._aplicar(ctx, definicion, resultado)

    def _vale_mas_que_el_pausado(self, ctx: Contexto, previo: EstadoFlujo) -> bool:
        """¿Guardar `previo` como borrador? Solo si tiene respuestas y no pisa un trámite en
        pausa con más (un registro a medias no se pierde por dejar después una actualización
        a medias: solo hay lugar para un borrador)."""
        capturadas = flujo.capturadas(self.flujos[previo.flujo], previo)
        if not capturadas:
            return False
        en_pausa = borrador_en_pausa(ctx.conversacion, self.ahora())
        if en_pausa is None or en_pausa.flujo not in self.flujos or en_pausa.flujo == previo.flujo:
            return True
        return capturadas > flujo.capturadas(self.flujos[en_pausa.flujo], en_pausa)

    def _flujo_pedido(self, ctx: Contexto) -> tuple[str, dict[str, Any] | None] | None:
        """El flujo que el mensaje pide (por botón, con palabras o por intent) y las
        respuestas que el pedido ya trae."""
        if ctx.payload and ctx.payload.startswith("/iniciar "):
            pedido = ctx.payload.split(maxsplit=1)[1].strip()
            return (pedido, None) if pedido in self.flujos else None
        if ctx.payload:  # otro botón (o un pedido ya vuelto botón, p. ej. «/documentos»)
            return None
        if ctx.texto and (
                reconocido := self.pedidos.reconocer(ctx.texto)) is not None:
            dichos = dichos_del_pedido(self.flujos[reconocido.flujo], reconocido.dice)
            return reconocido.flujo, ({"dichos": dichos} if dichos else None)
        flujo_id = INTENT_A_FLUJO.get(ctx.intent or "")
        return (flujo_id, None) if flujo_id else None

    async def recordar(self, ctx: Contexto) -> list[Respuesta] | None:
        """Fuera de un trámite, lo que trae el mensaje (lugares, fechas, nombre, rol) se
        recuerda para no preguntarlo después (`bot.flujos.memoria`). No responde nada. No se
        recuerda nada de quien rechazó el consentimiento."""
        if ctx.payload or not ctx.texto or estado_flujo.leer(ctx.conversacion) is not None:
            return None
        guardado = leer_contexto(ctx.conversacion)
        if guardado.consentimiento_rechazado:
            return None
        dichas = leer_menciones(ctx.texto, catalogo(), self.hoy())
        if not dichas.vacias:
            actualizar_contexto(ctx.conversacion,
                                memoria=memoria.recordar(guardado.memoria, dichas))
        return None

    async def iniciar_por_pedido(self, ctx: Contexto) -> list[Respuesta] | None:
        """Botón «/iniciar <flujo>», un pedido con palabras («quiero anotar a los
        integrantes del comité») o un intent que pide un trámite («quiero registrar…»)."""
        pedido = self._flujo_pedido(ctx)
        if pedido is None or (not ctx.payload and es_retomar(ctx.texto)):
            return None  # «quiero seguir con mi registro» recupera el que dejó
        return await self.iniciar(ctx, *pedido)

    async def primer_contacto(self, ctx: Contexto) -> list[Respuesta] | None:
        """El primer mensaje: responder si trae una pregunta y dar la bienvenida (aviso y
        consentimiento). Si pide un trámite, la bienvenida lo encadena."""
        if not ctx.primera_vez or ctx.payload:
            return None
        pedido = self._flujo_pedido(ctx)
        if pedido is not None:
            return await self.iniciar(ctx, *pedido)
        antes: list[Respuesta] = []
        # Se contesta lo que pregunta, no una presentación («soy del comité de Mérida»).
        if ctx.intent in INTENTS_INFORMATIVOS and ctx.intent != "ayuda" and pregunta_algo(
                ctx.texto):
            antes = self.conocimiento.responder_pregunta(ctx) or []
        # «…queremos registrar un hermanamiento con San Antonio, q piden?»: se contesta la
        # pregunta y, tras el perfil, el trámite pedido sigue sin que lo pida otra vez.
        tramite = leer_menciones(ctx.texto, catalogo(), self.hoy()).tramite if ctx.texto \
            else None
        if tramite is None and antes:
            tramite = INTENT_A_FLUJO.get(pedido_de_tramite(ctx.texto) or "")
        if tramite in self.flujos:
            actualizar_contexto(ctx.conversacion, despues=tramite)
            return antes + await self.iniciar(ctx, "bienvenida", {"despues": tramite})
        return antes + await self.iniciar(ctx, "bienvenida")

    async def saludo(self, ctx: Contexto) -> list[Respuesta] | None:
        """«Hola» sin flujo activo: la bienvenida (a quien ya conocemos le muestra sus
        casos)."""
        if ctx.intent != "saludo" or estado_flujo.leer(ctx.conversacion) is not None:
            return None
        if leer_contexto(ctx.conversacion).consentimiento_rechazado:
            return None  # la ruta de charla saluda y muestra el menú
        return await self.iniciar(ctx, "bienvenida")

    async def continuar_sin_flujo(self, ctx: Contexto) -> list[Respuesta] | None:
        """«continuar» sin nada a medias: decirlo y ofrecer el seguimiento de sus casos."""
        if ctx.comando is not Comando.CONTINUAR and ctx.intent != "continuar_tramite" \
                and (ctx.payload or not es_retomar(ctx.texto)):
            return None
        if estado_flujo.leer(ctx.conversacion) is not None:
            return None
        guardado = leer_contexto(ctx.conversacion).borrador
        borrador = borrador_vigente(ctx.conversacion, self.ahora())
        actualizar_contexto(ctx.conversacion, borrador=None)
        definicion = self.flujos.get(borrador.flujo) if borrador is not None else None
        if borrador is None or definicion is None or not definicion.tiene(borrador.paso):
            vencido = self.flujos.get(str((guardado or {}).get("flujo")))
            if borrador is None and vencido is not None:  # lo hubo, pero pasó el plazo
                return [respuesta_menu(
                    f"Ya no tengo {vencido.en_palabras} que dejó sin terminar: lo guardo "
                    f"{DIAS_BORRADOR} días. ¿Qué desea hacer?")]
            return [respuesta_menu("No tiene ningún trámite a medias. ¿Qué desea hacer?")]
        estado_flujo.guardar(ctx.conversacion, borrador)
        contexto = await estado_flujo.contexto(ctx.sesion, ctx.usuario, ctx.conversacion,
                                               definicion.contexto)
        if ctx.payload == RETOMAR_OFRECIDO:  # lo capturado se acaba de decir al ofrecerlo
            return [Respuesta(f"Sigamos con {definicion.en_palabras}."),
                    *flujo.recordatorio(definicion, borrador, contexto, hoy=self.hoy(),
                                        seguir=False)]
        return self._retomar(definicion, borrador, contexto, f"Recuperé {definicion.en_palabras}.")

    def _retomar(self, definicion: Flujo, estado: EstadoFlujo, contexto: dict[str, Any],
                 encabezado: str) -> list[Respuesta]:
        """Al retomar: un mensaje corto con lo capturado y lo que falta, y la pregunta."""
        avance = flujo.avance(definicion, estado, contexto, hoy=self.hoy())
        return [Respuesta(f"{encabezado} {avance}".strip()),
                *flujo.recordatorio(definicion, estado, contexto, hoy=self.hoy(), seguir=False)]

    async def flujo_activo(self, ctx: Contexto) -> list[Respuesta] | None:
        """Atiende el mensaje dentro del flujo en curso, o lo deja a otra ruta (en pausa)."""
        estado = estado_flujo.leer(ctx.conversacion)
        if estado is None:
            return None
        definicion = self.flujos.get(estado.flujo)
        if definicion is None:  # el flujo se quitó de flujos/: se olvida el estado
            estado_flujo.guardar(ctx.conversacion, None)
            return None
        comando = ctx.comando
        payload = ctx.payload or ""
        if comando is None and not payload and es_retomar(ctx.texto):
            comando = Comando.CONTINUAR  # «sigamos», «¿en qué nos quedamos?»: no es un dato
        if comando in (Comando.MENU, Comando.ASESOR) or payload.startswith(_PAYLOADS_DE_OTRA_RUTA):
            if payload.startswith(("/tema ", "/articulo", "/util ")):
                respuestas = await self.conocimiento.por_boton(ctx) or []
                contexto = await estado_flujo.contexto(ctx.sesion, ctx.usuario, ctx.conversacion,
                                                       definicion.contexto)
                return self._con_recordatorio(ctx, definicion, respuestas, contexto)
            return None
        if ctx.intent in _INTENTS_DE_OTRA_RUTA and comando is not Comando.CONTINUAR:
            return None
        contexto = await estado_flujo.contexto(ctx.sesion, ctx.usuario, ctx.conversacion,
                                               definicion.contexto)
        cat = catalogo()
        hoy = self.hoy()
        entrada = _entrada(ctx, await _documento(ctx))
        if (estado.pendiente or {}).get("tipo") == "descartar" and comando in (
                Comando.CONTINUAR, Comando.ATRAS, Comando.DESPUES):
            comando = None  # «seguir», «regresar»: la respuesta a «¿Descarto…?» es no
        if comando is Comando.CANCELAR or ctx.intent == "cancelar":
            return await self._aplicar(ctx, definicion,
                                       flujo.cancelar(definicion, estado, contexto, hoy=hoy),
                                       previo=estado)
        if comando is Comando.ATRAS:
            return await self._aplicar(
                ctx, definicion, flujo.atras(definicion, estado, contexto, catalogo=cat, hoy=hoy))
        if comando is Comando.AYUDA:
            return await self._aplicar(ctx, definicion,
                                       flujo.ayuda(definicion, estado, contexto, hoy=hoy))
        if comando is Comando.CONTINUAR or ctx.intent == "continuar_tramite":
            return self._retomar(definicion, estado, contexto,
                                 f"Retomemos {definicion.en_palabras}.")
        if comando is Comando.DESPUES:
            saltar = flujo.opcion_despues(definicion, estado, entrada, contexto)
            if saltar is not None:
                return await self._avanzar(ctx, definicion, flujo.avanzar(
                    definicion, estado, saltar, contexto, catalogo=cat, hoy=hoy), contexto,
                previo=estado)
            avance = flujo.avance(definicion, estado, contexto, hoy=hoy)
            return [Respuesta(f"Guardé su avance. {avance} Cuando quiera seguir, escriba "
                              "«continuar».".replace("  ", " "),
                              botones=[Boton("Continuar", "/continuar"), Boton("Menú", "/menu")])]
        if entrada.archivo is None and not ctx.payload and (
                pedido := self.pedidos.reconocer(ctx.texto)) is not None \
                and pedido.flujo == definicion.id:
            # El mismo trámite pedido otra vez («anotar integrantes» cuando ya se anotan): no es
            # un dato; se repite la pregunta abierta.
            return flujo.recordatorio(definicion, estado, contexto, hoy=hoy, seguir=False)
        if entrada.archivo is None and not ctx.payload and es_duda_del_paso(ctx.texto):
            # «¿cuál me conviene?», «¿qué pongo?»: la ayuda del paso, no un dato ni la base.
            return await self._aplicar(ctx, definicion,
                                       flujo.ayuda(definicion, estado, contexto, hoy=hoy))
        if flujo.acepta(definicion, estado, entrada, contexto, catalogo=cat, hoy=hoy):
            # Lo que la respuesta trae para pasos que aún no llegan queda dicho.
            anotado = memoria.anotar(definicion, estado, leer_menciones(ctx.texto, cat, hoy))
            entrada = memoria.respuesta_propia(definicion, estado, anotado, entrada)
            return await self._avanzar(ctx, definicion, flujo.avanzar(
                definicion, anotado, entrada, contexto, catalogo=cat, hoy=hoy), contexto,
                previo=estado)
        digresion = await self._digresion(ctx, definicion, contexto)
        if digresion is not None:
            self._anotar_lo_dicho(ctx, definicion)
            return digresion
        # Aunque no conteste este paso, lo que trae para los que siguen queda dicho.
        anotado = memoria.anotar(definicion, estado, leer_menciones(ctx.texto, cat, hoy))
        return await self._avanzar(ctx, definicion, flujo.avanzar(
            definicion, anotado, entrada, contexto, catalogo=cat, hoy=hoy), contexto,
                previo=estado)

    def _anotar_lo_dicho(self, ctx: Contexto, definicion: Flujo) -> None:
        """Una digresión también trae datos («somos de San Pedro Garza García… ¿qué
        piden?», escrito cuando se pedía el consentimiento): lo que sirve a pasos de este
        trámite que aún no llegan queda dicho, y todo en la memoria de la conversación para
        los trámites que sigan. Nada de quien rechazó el consentimiento."""
        guardado = leer_contexto(ctx.conversacion)
        estado = estado_flujo.leer(ctx.conversacion)
        if guardado.consentimiento_rechazado or estado is None or not ctx.texto:
            return
        dichas = leer_menciones(ctx.texto, catalogo(), self.hoy())
        anotado = memoria.anotar(definicion, estado, dichas)
        if definicion.id == "bienvenida" and dichas.tramite in self.flujos \
                and not guardado.despues:
            # Pidió un trámite antes de dar su consentimiento: sigue tras el perfil.
            actualizar_contexto(ctx.conversacion, despues=dichas.tramite)
            anotado = anotado.copia() if anotado is estado else anotado
            anotado.respuestas["despues"] = dichas.tramite
        if anotado is not estado:
            estado_flujo.guardar(ctx.conversacion, anotado)
        if dichas.vacias:
            return
        actualizar_contexto(ctx.conversacion, memoria=memoria.recordar(guardado.memoria, dichas))

    async def _digresion(self, ctx: Contexto, definicion: Flujo, contexto: dict[str, Any]
                         ) -> list[Respuesta] | None:
        """Una pregunta o un saludo a mitad del flujo: responder y recordar dónde íbamos."""
        if ctx.intent == "saludo":
            estado = estado_flujo.leer(ctx.conversacion)
            if estado is None:
                return None
            avance = flujo.avance(definicion, estado, contexto, hoy=self.hoy())
            return [Respuesta(f"¡Hola de nuevo! Seguimos con {definicion.en_palabras}. "
                              f"{avance}".strip()),
                    *flujo.recordatorio(definicion, estado, contexto, hoy=self.hoy(),
                                        seguir=False)]
        pregunta = ctx.intent in INTENTS_INFORMATIVOS or es_pregunta(ctx.texto)
        if not pregunta or not ctx.texto:
            return None
        respuestas = self.conocimiento.responder_pregunta(ctx, solo_si_hay=True)
        if respuestas is None:
            return None
        return self._con_recordatorio(ctx, definicion, respuestas, contexto)

    async def boton_escrito(self, ctx: Contexto) -> list[Respuesta] | None:
        """Escribir el título de un botón de la última respuesta (o algo claramente igual:
        «mis casos», «asesor», «sí, bórrelos») es pulsarlo: el mensaje sigue su camino como
        ese botón. No responde nada. Si hay un flujo y su paso entiende el texto tal cual,
        manda el paso (p. ej. un nombre de área en una selección múltiple)."""
        if ctx.payload or not ctx.texto:
            return None
        ofrecidos = botones_ofrecidos(ctx.conversacion)
        if not ofrecidos:
            return None
        estado = estado_flujo.leer(ctx.conversacion)
        if estado is not None and estado.flujo in self.flujos and flujo.acepta(
                self.flujos[estado.flujo], estado, Entrada(texto=ctx.texto),
                {"canal": ctx.canal}, catalogo=catalogo(), hoy=self.hoy()):
            return None
        boton = boton_escrito(ctx.texto, ofrecidos)
        if boton is not None and normalizar(boton.titulo) != normalizar(ctx.texto) and (
                reconocer(ctx.texto, None) is not None or es_frase_de_privacidad(ctx.texto)):
            return None  # «mis datos» es su propia orden, no «Borrar mis datos» a medias
        if boton is not None:
            ctx.notas["boton_escrito"] = ctx.texto
            ctx.payload, ctx.texto = boton.payload, ""
            ctx.comando = reconocer(None, boton.payload)
        return None

    async def documentos_a_pedido(self, ctx: Contexto) -> list[Respuesta] | None:
        """«/documentos [FOLIO]»: la ficha PDF y el oficio DOCX de un caso propio."""
        if not ctx.payload or not (ctx.payload == "/documentos"
                                   or ctx.payload.startswith("/documentos ")):
            return None
        folio = ctx.payload.partition(" ")[2].strip()
        if not folio:
            folio = leer_contexto(ctx.conversacion).caso_folio or ""
        estado = estado_flujo.leer(ctx.conversacion)
        if not folio:
            casos = await casos_de_usuario(ctx.sesion, ctx.usuario.id)  # solo los suyos
            if len(casos) == 1:
                folio = casos[0].folio
            elif casos:
                return [Respuesta("¿De qué caso quiere la ficha y el oficio?",
                                  botones=[Boton(c.folio, f"/documentos {c.folio}")
                                           for c in casos[:10]])]
            elif estado is not None:
                return await self._y_seguimos(ctx, estado, Respuesta(
                    "Aún no tiene casos registrados: la ficha y el oficio se los envío al "
                    "terminar este registro." if estado.flujo == "registro_iniciativa"
                    else "Aún no tiene casos registrados."))
            else:
                return [Respuesta("Aún no tiene casos registrados.",
                                  botones=[Boton("Registrar iniciativa",
                                                 "/iniciar registro_iniciativa")])]
        caso = await caso_del_usuario(ctx.sesion, ctx.usuario, folio)
        if caso is None:
            return [Respuesta("No encontré ese folio entre sus casos. Revíselo, por favor.")]
        await acciones_casos.documentos_del_caso(ctx, caso)
        return await self._y_seguimos(ctx, estado, Respuesta(
            f"Con gusto. Preparo la ficha y el oficio del caso {caso.folio}."))

    async def _y_seguimos(self, ctx: Contexto, estado: EstadoFlujo | None, respuesta: Respuesta
                          ) -> list[Respuesta]:
        """Lo atendido de paso y, si hay un trámite abierto, dónde iba (lo capturado, lo que
        falta y la pregunta abierta)."""
        definicion = self.flujos.get(estado.flujo) if estado is not None else None
        if estado is None or definicion is None or not definicion.tiene(estado.paso):
            return [respuesta]
        contexto = await estado_flujo.contexto(ctx.sesion, ctx.usuario, ctx.conversacion,
                                               definicion.contexto)
        return [respuesta, *self._retomar(definicion, estado, contexto,
                                          f"Mientras, sigamos con {definicion.en_palabras}.")]


def acepta_sin_nlu(conversacion: Conversacion, texto: str, payload: str | None,
                   flujos: dict[str, Flujo], zona: ZoneInfo) -> bool:
    """¿Se entiende este texto sin el NLU? Un acuse («ok», «gracias»), el título de un botón
    recién ofrecido o lo que el paso actual toma tal cual. `zona`: la zona horaria de los
    ajustes, para la fecha de hoy."""
    if reconocer(texto, payload):
        return False
    if not payload and (es_acuse(texto) or boton_escrito(texto, botones_ofrecidos(
            conversacion)) is not None):
        return True
    estado = estado_flujo.leer(conversacion)
    if estado is None or estado.flujo not in flujos:
        return False
    return flujo.acepta(flujos[estado.flujo], estado, Entrada(texto=texto, payload=payload),
                        {}, catalogo=catalogo(), hoy=dt.datetime.now(zona).date())
