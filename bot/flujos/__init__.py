"""Flujos guiados: definiciones en `flujos/*.yaml` y su intérprete puro.

Uso desde el motor::

    flujos = cargar_flujos()                      # dict[id, Flujo]
    r = iniciar(flujos["registro_iniciativa"], contexto, catalogo=catalogo)
    if acepta(flujo, estado, entrada, contexto, catalogo=catalogo):
        r = avanzar(flujo, estado, entrada, contexto, catalogo=catalogo)
    # guardar r.estado (None = terminó), ejecutar r.acciones, enviar r.respuestas

El `contexto` es un dict que arma el motor; las claves que usa cada flujo se declaran en
su `contexto:` (perfil, casos, caso, nombre_canal). Ver flujos/LEAME.md.
"""

from bot.flujos.cargador import ErrorFlujo, cargar_flujo, cargar_flujos
from bot.flujos.catalogo import CatalogoGeografico
from bot.flujos.definicion import Flujo, Paso
from bot.flujos.interprete import (
    acepta,
    atras,
    avanzar,
    ayuda,
    cancelar,
    iniciar,
    recordatorio,
)
from bot.flujos.modelos import Accion, Entrada, EstadoFlujo, Resultado
from bot.flujos.validador import Problema, validar_flujo, validar_flujos

__all__ = [
    "Accion",
    "CatalogoGeografico",
    "Entrada",
    "ErrorFlujo",
    "EstadoFlujo",
    "Flujo",
    "Paso",
    "Problema",
    "Resultado",
    "acepta",
    "atras",
    "avanzar",
    "ayuda",
    "cancelar",
    "cargar_flujo",
    "cargar_flujos",
    "iniciar",
    "recordatorio",
    "validar_flujo",
    "validar_flujos",
]
