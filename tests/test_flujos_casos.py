"""Flujos que trabajan sobre casos existentes: requisitos, seguimiento, subir_documento, comite."""

from __future__ import annotations

from typing import Any

import pytest

from bot.flujos.cargador import cargar_flujos
from bot.flujos.definicion import Flujo
from bot.flujos.simulador import Simulacion

CASO_1: dict[str, Any] = {
    "folio": "CH-2026-NL-0007",
    "ambito": "internacional",
    "estatus": "con_observaciones",
    "ciudad_contraparte": "McAllen",
    "pais_contraparte": "Estados Unidos",
    "fecha_cabildo": "2025-03-15",
    "documentos": ["acta_cabildo", "proyecto_acuerdo"],
    "eventos": [
        {"fecha": "2026-01-10", "descripcion": "Iniciativa enviada"},
        {"fecha": "2026-02-02", "descripcion": "La oficina estatal pidió el POA"},
    ],
}
CASO_2: dict[str, Any] = {
    "folio": "CH-2026-NL-0012",
    "ambito": "nacional",
    "estatus": "enviada",
    "ciudad_contraparte": "Oaxaca de Juárez",
    "documentos": [],
}
PDF = {"nombre": "poa.pdf", "mime": "application/pdf", "tamano": 50_000, "ref": "tmp/9"}


@pytest.fixture(scope="module")
def flujos() -> dict[str, Flujo]:
    return cargar_flujos()


def test_requisitos_generales_internacional_y_nacional(flujos: dict[str, Flujo]) -> None:
    s = Simulacion(flujos["requisitos"], {})
    s.iniciar()
    s.enviar("en el extranjero")
    assert s.terminado
    assert "dictamen de procedencia" in s.texto and "art. 7" in s.texto
    assert "normalmente se piden (práctica común; confírmelos con su oficina estatal)" in s.texto
    assert "Oficio de solicitud" in s.texto
    s = Simulacion(flujos["requisitos"], {})
    s.iniciar()
    s.enviar("2")
    assert "Hermanamiento nacional" in s.texto and "Oficio de solicitud" not in s.texto


def test_requisitos_de_un_caso_marcan_lo_que_ya_tiene(flujos: dict[str, Flujo]) -> None:
    s = Simulacion(flujos["requisitos"], {"casos": [CASO_1, CASO_2]})
    s.iniciar()
    assert "/caso CH-2026-NL-0007" in s.payloads and "/omitir" in s.payloads
    s.enviar("0007")  # basta el final del folio
    assert s.terminado
    assert "✅ Copia certificada del acta de Cabildo" in s.texto
    assert "⬜ Programa de trabajo (POA)" in s.texto
    assert "✅ Aprobación del Cabildo" in s.texto
    assert "Dictamen de procedencia de la SRE" in s.texto


def test_requisitos_con_caso_del_contexto_no_pregunta(flujos: dict[str, Flujo]) -> None:
    s = Simulacion(flujos["requisitos"], {"casos": [CASO_1, CASO_2], "caso": CASO_2})
    s.iniciar()
    assert s.terminado and "CH-2026-NL-0012" in s.texto
    assert "Oficio de solicitud" not in s.texto and "Dictamen" not in s.texto


def test_seguimiento_por_lista(flujos: dict[str, Flujo]) -> None:
    s = Simulacion(flujos["seguimiento"], {"casos": [CASO_1, CASO_2]})
    s.iniciar()
    s.enviar(payload="/caso CH-2026-NL-0007")
    assert s.terminado
    assert "Estatus: Con observaciones por atender" in s.texto
    assert "• 10 de enero de 2026: Iniciativa enviada" in s.texto
    assert "Documentos pendientes: Perfil de la ciudad, Programa de trabajo (POA)" in s.texto
    assert "Siguiente paso: atender las observaciones" in s.texto


def test_seguimiento_por_folio_escrito_y_folio_ajeno(flujos: dict[str, Flujo]) -> None:
    s = Simulacion(flujos["seguimiento"], {"casos": [CASO_1, CASO_2]})
    s.iniciar()
    s.enviar("CH-2099-XX-0001")
    assert "No encuentro ese folio" in s.texto and not s.terminado
    s.enviar("ch-2026-nl-0012")
    assert s.terminado and "Enviada: su oficina estatal la recibió" in s.texto


def test_seguimiento_un_solo_caso_y_sin_casos(flujos: dict[str, Flujo]) -> None:
    s = Simulacion(flujos["seguimiento"], {"casos": [CASO_2]})
    s.iniciar()
    assert s.terminado and "CH-2026-NL-0012" in s.texto
    s = Simulacion(flujos["seguimiento"], {"casos": []})
    s.iniciar()
    assert s.terminado and "/iniciar registro_iniciativa" in s.payloads


def test_subir_documento(flujos: dict[str, Flujo]) -> None:
    s = Simulacion(flujos["subir_documento"], {"casos": [CASO_1]})
    s.iniciar()
    assert "¿El documento es para el caso CH-2026-NL-0007?" in s.texto
    s.enviar("sí")
    s.enviar("poa")
    s.enviar("aquí está")  # texto en vez de archivo
    assert "adjunto" in s.texto
    s.enviar(archivo={"nombre": "poa.zip", "mime": "application/zip", "tamano": 10})
    assert "no se admite" in s.texto
    s.enviar(archivo={**PDF, "tamano": 11 * 1024 * 1024})
    assert "10 MB" in s.texto
    assert s.eventos == ["tres_fallos"]
    s.enviar(archivo=PDF)
    assert s.terminado
    accion = s.acciones[-1]
    assert accion.nombre == "registrar_documento"
    r = accion.datos["respuestas"]
    assert r["caso_elegido"]["folio"] == "CH-2026-NL-0007"
    assert r["tipo_documento"] == "programa_trabajo" and r["archivo"] == PDF
    assert "Recibí «poa.pdf» como Programa de trabajo" in s.texto


def test_subir_documento_sin_casos(flujos: dict[str, Flujo]) -> None:
    s = Simulacion(flujos["subir_documento"], {})
    s.iniciar()
    assert s.terminado and "primero hay que registrar la iniciativa" in s.texto


def test_comite_registra_integrantes(flujos: dict[str, Flujo]) -> None:
    s = Simulacion(flujos["comite"], {"casos": [CASO_1, CASO_2]})
    s.iniciar()
    assert "práctica común" in s.texto and "Mazatlán" in s.texto
    s.enviar("sí")
    s.enviar("2")
    s.enviar("Ana Torres Ruiz")
    s.enviar("Presidenta")
    s.enviar("sí")
    s.enviar("Luis Pérez Gómez")
    s.atras()  # se equivocó de nombre
    assert s.estado is not None and s.estado.paso == "integrante_nombre"
    s.enviar("Luis Peña Gómez")
    s.enviar("Representante ciudadano")
    s.enviar("no")
    assert "1. Ana Torres Ruiz — Presidenta" in s.texto
    assert "2. Luis Peña Gómez — Representante ciudadano" in s.texto
    s.enviar("confirmar")
    assert s.terminado and "registré 2 integrantes" in s.texto
    accion = s.acciones[-1]
    assert accion.nombre == "registrar_comite"
    r = accion.datos["respuestas"]
    assert r["caso_elegido"]["folio"] == "CH-2026-NL-0012"
    assert r["integrantes"] == [
        {"nombre": "Ana Torres Ruiz", "cargo": "Presidenta"},
        {"nombre": "Luis Peña Gómez", "cargo": "Representante ciudadano"},
    ]


def test_comite_sin_registrar_y_sin_casos(flujos: dict[str, Flujo]) -> None:
    s = Simulacion(flujos["comite"], {"casos": [CASO_1]})
    s.iniciar()
    s.enviar("no")
    assert s.terminado and "escriba «comité»" in s.texto
    s = Simulacion(flujos["comite"], {})
    s.iniciar()
    assert s.terminado and "Cuando registre su iniciativa" in s.texto
