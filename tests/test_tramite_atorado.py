"""Que ningún trámite quede atorado, en sus piezas puras: qué canal manda archivos, volver con
palabras, los pedidos sobre un caso a mitad de otro trámite y la recapitulación. Las
conversaciones completas están en tests/conversaciones/tramite_atorado.yaml."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.config import RAIZ
from bot.flujos import Entrada, EstadoFlujo, cargar_flujos
from bot.flujos import interprete as flujo
from bot.flujos.controles import es_retomar
from bot.flujos.despues_del_folio import Pedido, pedido_a_mitad
from bot.nucleo.mensajes import Canal

FLUJOS = cargar_flujos(RAIZ / "flujos")
REGISTRO = FLUJOS["registro_iniciativa"]
HOY = dt.date(2026, 12, 3)


def test_que_canales_mandan_archivos() -> None:
    assert {c for c in Canal if c.admite_archivos} == {Canal.WEB, Canal.TELEGRAM,
                                                        Canal.WHATSAPP}
    assert flujo.recibe_archivos({}) and flujo.recibe_archivos({"canal": "otro"})
    assert not flujo.recibe_archivos({"canal": "rest"})


@pytest.mark.parametrize("canal, paso", [("rest", "enlace_nombre"), ("web", "doc_acta")])
def test_el_archivo_opcional_se_salta_solo_donde_no_se_puede_mandar(canal: str, paso: str
                                                                    ) -> None:
    estado = EstadoFlujo("registro_iniciativa", "documentos", {"ciudad": "Lyon"}, ["municipio"])
    r = flujo.avanzar(REGISTRO, estado, Entrada(payload="/op acta_cabildo"),
                      {"canal": canal}, hoy=HOY)
    r = flujo.avanzar(REGISTRO, r.estado, Entrada(payload="/listo"), {"canal": canal},
                      hoy=HOY) if r.estado is not None and r.estado.paso == "documentos" else r
    assert r.estado is not None and r.estado.paso == paso
    texto = " ".join(x.texto for x in r.respuestas)
    assert ("no puedo recibir archivos" in texto) is (canal == "rest")


def test_subir_documento_sin_archivos_no_empieza() -> None:
    r = flujo.iniciar(FLUJOS["subir_documento"], {"canal": "terminal", "casos": []})
    assert r.estado is None and r.evento == "sin_archivos"
    assert "chat web, Telegram o WhatsApp" in r.respuestas[0].texto


@pytest.mark.parametrize("texto", [
    "sigamos", "ya regresé, sigamos", "¿en qué nos quedamos?", "hola, ya volví",
    "quiero seguir con mi registro", "sí, sigamos", "¿dónde me quedé?",
    "claro, continuemos con el registro"])
def test_volver_con_palabras(texto: str) -> None:
    assert es_retomar(texto)


@pytest.mark.parametrize("texto", [
    "queremos seguir con el intercambio de estudiantes", "sigo sin entender", "sí", "ya",
    "que los artesanos vendan allá", "quiero registrar un hermanamiento", "en qué consiste"])
def test_no_es_volver(texto: str) -> None:
    assert not es_retomar(texto)


@pytest.mark.parametrize("texto, pedido", [
    ("me vuelve a mandar el oficio", Pedido.REENVIAR),
    ("mándeme la ficha", Pedido.REENVIAR),
    ("no me llegaron los documentos", Pedido.REENVIAR),
    ("ya me aprobo el cabildo ayer, como lo actualizo?", Pedido.ACTUALIZAR),
    ("necesito cambiar el correo de mi caso", Pedido.ACTUALIZAR),
    # Respuestas del trámite abierto, no pedidos sobre otro caso:
    ("queremos que nos envíen documentos de intercambio", None),
    ("los documentos los envío después", None),
    ("quiero cambiar la fecha", None),
    ("ya lo aprobó el cabildo el 3 de marzo", None),
])
def test_pedidos_a_mitad_de_un_tramite(texto: str, pedido: Pedido | None) -> None:
    assert pedido_a_mitad(texto) is pedido


def test_la_recapitulacion_nombra_valores_cortos_y_no_nombres_internos() -> None:
    estado = EstadoFlujo(
        "registro_iniciativa", "objetivos",
        {"ciudad": "Lyon", "textos": {"ciudad": "Lyon", "pais": "Francia", "objetivos": "x" * 80,
                                      "municipio": "Benito Juárez, Quintana Roo"}},
        ["municipio", "ciudad", "pais", "tipo", "areas"])
    texto = flujo.avance(REGISTRO, estado, {}, hoy=HOY)
    assert texto.startswith("Ya tengo: municipio (Benito Juárez, Quintana Roo), ciudad "
                            "contraparte (Lyon), país (Francia) y otros 2 datos.")
    assert "_" not in texto and "registro_iniciativa" not in texto
    assert flujo.avance(FLUJOS["papel"], EstadoFlujo("papel", "rol"), {}, hoy=HOY) == ""
