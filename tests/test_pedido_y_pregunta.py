"""Un mensaje que pide un trámite y además pregunta algo (sin NLU): se contesta la pregunta
con la base de conocimiento, se ofrece el trámite al pie y, al pulsarlo, no se vuelve a
preguntar lo que ya dijo."""

from __future__ import annotations

import pytest

from bot.nlu.respaldo import analizar_respaldo, pedido_de_tramite
from bot.servicios import Servicios

from conversacion import PERFIL, Charla, decir_todo

MENSAJE = ("Buenas tardes, somos de San Pedro Garza García, Nuevo León, y queremos registrar "
           "un hermanamiento con San Antonio, Texas, q piden?")


@pytest.mark.parametrize(("texto", "intent", "pedido"), [
    (MENSAJE, "requisitos", "registrar_iniciativa"),
    ("quiero registrar un hermanamiento ¿qué documentos necesito?", "requisitos",
     "registrar_iniciativa"),
    ("queremos registrar un hermanamiento con Tucson, cuanto tarda la sre?", None,
     "registrar_iniciativa"),
    # La forma cortés de pedir, o «¿cómo le hago?», sigue siendo el pedido.
    ("quiero registrar una iniciativa, ¿me ayuda?", "registrar_iniciativa",
     "registrar_iniciativa"),
    ("queremos registrar un hermanamiento, como le hacemos?", "registrar_iniciativa",
     "registrar_iniciativa"),
    # Solo mencionar el trámite no es pedirlo.
    ("hay algun costo por registrar el hermanamiento?", None, None),
])
def test_respaldo_separa_el_pedido_de_la_pregunta(texto: str, intent: str | None,
                                                  pedido: str | None) -> None:
    analisis = analizar_respaldo(texto)
    assert (analisis.intent if analisis else None) == intent
    assert pedido_de_tramite(texto) == pedido


@pytest.fixture
async def charla(servicios: Servicios) -> Charla:
    return await decir_todo(Charla(servicios.motor), PERFIL)


async def test_contesta_la_pregunta_y_ofrece_el_tramite(charla: Charla) -> None:
    await charla.di(MENSAJE)
    primera = charla.ultimas[0].texto
    assert "Cabildo" in primera and "dictamen" in primera and "Fuente:" in primera
    assert "Registrar iniciativa" in charla.botones
    await charla.pulsa("Registrar iniciativa")
    # Lo dicho en el mensaje (los dos lugares) se confirma en vez de preguntarse.
    assert "San Antonio" in charla.texto and "San Pedro Garza García" in charla.texto
    assert "¿Con qué ciudad" not in charla.texto


async def test_una_pregunta_sin_pedido_no_ofrece_tramite(charla: Charla) -> None:
    await charla.di("hay algun costo por registrar el hermanamiento?")
    assert "Registrar iniciativa" not in charla.botones


async def test_como_primer_mensaje_contesta_antes_del_aviso(servicios: Servicios) -> None:
    """Sin NLU y antes del consentimiento: la pregunta se contesta, sigue la bienvenida y,
    con el perfil, el trámite que pidió, con lo dicho ya anotado."""
    persona = Charla(servicios.motor, usuario="nueva")
    await persona.di(MENSAJE)
    assert "Cabildo" in persona.ultimas[0].texto and "Fuente:" in persona.ultimas[0].texto
    assert "¿Acepta que guardemos sus datos" in persona.texto
    for mensaje in ("sí acepto", "funcionaria", "sí", "Alicia Torres"):
        await persona.di(mensaje)
    assert "Registro la iniciativa San Pedro Garza García ↔ San Antonio, Texas" in persona.texto
