"""La tabla de rutas del motor: qué módulo atiende un mensaje y en qué orden se prueban."""

from __future__ import annotations

from functools import partial

from bot.acciones import ServiciosAcciones, acciones
from bot.config import RAIZ
from bot.conocimiento.base import BaseConocimiento
from bot.conocimiento.rutas import RutasConocimiento
from bot.escalamiento.rutas import RutasEscalamiento
from bot.flujos import cargar_flujos
from bot.flujos.despues_del_folio import RutasDespuesDelFolio
from bot.flujos.persona import RutasPersona
from bot.flujos.rutas import RutasFlujos, acepta_sin_nlu
from bot.motor import rutas_basicas as basicas
from bot.motor.motor import Motor
from bot.nlu.replicas import GrupoNLU
from bot.nlu.respaldo import con_respaldo
from bot.nucleo.contexto import Ruta
from bot.privacidad import rutas as privacidad


def tabla_de_rutas(escalamiento: RutasEscalamiento, flujos: RutasFlujos,
                   conocimiento: RutasConocimiento, caso: RutasDespuesDelFolio,
                   persona: RutasPersona) -> list[Ruta]:
    """Las rutas en el orden en que se prueban; la primera que responde gana."""
    return [
        # Un botón escrito con palabras («ver mis casos») cuenta como pulsarlo: no responde,
        # convierte el mensaje en ese botón para las rutas de abajo.
        flujos.boton_escrito,
        # Fuera de un trámite, lo que trae el mensaje (lugares, fechas, nombre, rol) se
        # recuerda para confirmarlo después en vez de preguntarlo. Tampoco responde.
        flujos.recordar,
        # Derechos de la persona: valen siempre, también con una persona a cargo; solo su
        # botón, su intent o su frase exacta. Confirmar antes que pedir, borrar antes que
        # consultar.
        privacidad.confirmar_o_cancelar,
        privacidad.borrar_mis_datos,
        privacidad.mis_datos,
        privacidad.aviso_integral,
        # El traspaso abierto: salir («volver al asistente», «cancelar»…) y, en espera,
        # «¿cuánto tarda?»; lo demás, en espera, lo sigue atendiendo el asistente. Con una
        # persona a cargo el bot calla: reenvía y acusa recibo.
        escalamiento.traspaso,
        # Varias preguntas en un mensaje: una respuesta por pregunta, antes que un traspaso.
        escalamiento.varias_preguntas,
        # «asesor» (la orden, el botón o el intent) vale en cualquier momento.
        escalamiento.disparadores,
        # Lo que no es texto que entender: tipos no admitidos, archivos rechazados, vacío.
        basicas.no_soportado,
        basicas.archivo_rechazado,
        basicas.vacio,
        # Órdenes globales («menú», «ayuda») y el primer mensaje (aviso y consentimiento).
        basicas.comandos,
        # En inglés: una línea en inglés y se sigue en español (también en el primer mensaje).
        persona.en_ingles,
        flujos.primer_contacto,
        # «no me entiende», «ya le dije», «qué lento» solos: disculpa y la pregunta abierta
        # (antes que el flujo, que los tomaría como respuesta).
        persona.frustracion,
        # A mitad de un trámite, reenviar la ficha y el oficio o actualizar un caso ya
        # registrado es una digresión (el trámite abierto espera).
        caso.a_mitad,
        # El flujo en curso, o uno que se pide.
        flujos.flujo_activo,
        # Sobre un caso ya registrado: reenviar la ficha y el oficio, actualizar un dato,
        # «¿cuándo contesta la SRE?» (antes que el intent, que lo tomaría por seguimiento).
        caso.pedido,
        flujos.iniciar_por_pedido,
        flujos.documentos_a_pedido,
        flujos.continuar_sin_flujo,
        flujos.saludo,
        # La base de conocimiento por botón o por intent informativo.
        conocimiento.por_boton,
        conocimiento.por_intent,
        # Charla, fuera de alcance, pregunta libre y, al final, el «no le entendí» (en
        # espera, con cómo va la solicitud; al segundo seguido, se OFRECE una persona).
        basicas.charla,
        basicas.fuera_de_alcance,
        conocimiento.pregunta_libre,
        escalamiento.segundo_no_entendi,
        basicas.no_entendi,
    ]


def armar_motor(motor: Motor, servicios: ServiciosAcciones, nlu: GrupoNLU | None) -> None:
    """Da al motor su análisis de texto, su tabla de rutas y quién toma texto sin NLU."""
    base = BaseConocimiento.cargar(RAIZ / "conocimiento")
    flujos = cargar_flujos(RAIZ / "flujos")
    conocimiento = RutasConocimiento(base)
    rutas_flujos = RutasFlujos(flujos, acciones(), servicios, conocimiento)
    motor.analizador = con_respaldo(nlu)
    escalamiento = RutasEscalamiento(servicios, conocimiento.responder_pregunta)
    caso = RutasDespuesDelFolio(flujos, rutas_flujos.iniciar, conocimiento, rutas_flujos.hoy)
    persona = RutasPersona(flujos, rutas_flujos.iniciar, rutas_flujos.hoy)
    motor.rutas = tabla_de_rutas(escalamiento, rutas_flujos, conocimiento, caso, persona)
    motor.aceptadores = [partial(acepta_sin_nlu, flujos=flujos, zona=rutas_flujos.zona)]
