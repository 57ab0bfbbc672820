"""Flujo registro_iniciativa: camino feliz y caminos infelices, sin red ni base de datos."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.catalogos.busqueda import Catalogo
from bot.catalogos.busqueda import catalogo as catalogo_inegi
from bot.flujos.cargador import cargar_flujos
from bot.flujos.definicion import Flujo
from bot.flujos.simulador import Simulacion

HOY = dt.date(2026, 3, 10)
APODACA = {"clave_inegi": "19006", "nombre": "Apodaca", "estado_clave": "19",
           "estado_nombre": "Nuevo León"}
PERFIL = {"nombre": "Laura Méndez", "rol": "funcionario", "municipio": APODACA}
ACTA = {"nombre": "acta.pdf", "mime": "application/pdf", "tamano": 120_000, "ref": "tmp/1"}


@pytest.fixture(scope="module")
def catalogo() -> Catalogo:
    # Datos reales del INEGI, solo de algunos estados (hay «Guadalupe» en 08, 19, 21 y 32).
    return catalogo_inegi()


@pytest.fixture(scope="module")
def flujo() -> Flujo:
    return cargar_flujos()["registro_iniciativa"]


@pytest.fixture
def sim(flujo: Flujo, catalogo: Catalogo) -> Simulacion:
    s = Simulacion(flujo, {"perfil": PERFIL}, catalogo=catalogo, hoy=HOY)
    s.iniciar()
    return s


def _hasta_fecha(s: Simulacion) -> None:
    for texto in ["sí", "McAllen, Texas", "EUA", "1", "1, 3 y economía",
                  "Intercambio educativo y comercio entre ambas ciudades", "omitir"]:
        s.enviar(texto)
    assert s.estado is not None and s.estado.paso == "fecha_cabildo"


def _hasta_resumen(s: Simulacion) -> None:
    _hasta_fecha(s)
    s.enviar("15/03/2025")
    s.enviar("ninguno")
    for texto in ["sí", "Directora de Asuntos Internacionales", "laura@apodaca.gob.mx",
                  "81 1234 5678"]:
        s.enviar(texto)
    assert s.estado is not None and s.estado.paso == "resumen"


def test_camino_feliz_completo_en_20_mensajes_o_menos(sim: Simulacion) -> None:
    assert "Apodaca, Nuevo León" in sim.texto
    _hasta_fecha(sim)
    sim.enviar("15 de marzo de 2025")
    sim.enviar("1, 2, 3, 4")
    for _ in range(4):
        sim.enviar(archivo=ACTA)
    for texto in ["sí", "Directora de Asuntos Internacionales", "laura@apodaca.gob.mx",
                  "+52 81 1234 5678"]:
        sim.enviar(texto)
    assert "Resumen de su iniciativa" in sim.texto
    assert "Documentos por subir: ninguno" in sim.texto
    sim.enviar("confirmar")
    assert sim.terminado and sim.eventos[-1] == "completado"
    assert sim.mensajes_usuario + 1 <= 20  # +1: el mensaje con el que pidió registrar
    crear = [a for a in sim.acciones if a.nombre == "crear_caso"]
    assert len(crear) == 1
    r = crear[0].datos["respuestas"]
    assert r["municipio"]["clave_inegi"] == "19006"
    assert r["pais"] == {"codigo": "US", "nombre": "Estados Unidos"}
    assert r["ambito"] == "internacional"
    assert r["tipo"] == "hermanamiento"
    assert r["areas"] == ["cultura", "turismo", "economia"]
    assert r["antecedentes"] is None
    assert r["fecha_cabildo"] == "2025-03-15" and r["cabildo_pendiente"] is False
    assert set(r["archivos"]) == {"acta_cabildo", "proyecto_acuerdo", "perfil_ciudad",
                                  "programa_trabajo"}
    assert r["enlace"] == {
        "nombre": "Laura Méndez",
        "cargo": "Directora de Asuntos Internacionales",
        "correo": "laura@apodaca.gob.mx",
        "telefono": "+528112345678",
    }
    assert "folio" in sim.texto


def test_rama_nacional_explica_que_no_aplica_dictamen(sim: Simulacion) -> None:
    sim.enviar("sí")
    sim.enviar("Oaxaca de Juárez")  # un municipio mexicano sin duda: el país no se pregunta
    assert "hermanamiento nacional" in sim.texto and "dictamen de la SRE" in sim.texto
    assert "confírmelo con su oficina estatal" in sim.texto
    assert sim.estado is not None and sim.estado.paso == "tipo"
    assert sim.estado.respuestas["ambito"] == "nacional"


def test_cabildo_aun_no_agrega_pendiente(sim: Simulacion) -> None:
    _hasta_fecha(sim)
    sim.enviar("aún no")
    assert "Aprobación del Cabildo" in sim.texto
    sim.enviar("ninguno")
    for texto in ["sí", "Director", "a@b.mx", "8112345678"]:
        sim.enviar(texto)
    assert "Cabildo: pendiente de aprobar" in sim.texto


@pytest.mark.parametrize(
    ("texto", "fragmento"),
    [("el otro martes", "15/03/2025"), ("15/03/2027", "todavía no llega"),
     ("31/02/2025", "no existe"), ("31 de febrero de 2025", "no existe"),
     ("5 de mayo de 1862", "(5 de mayo de 1862) es de hace más de 5 años")],
)
def test_fecha_invalida_o_futura(sim: Simulacion, texto: str, fragmento: str) -> None:
    _hasta_fecha(sim)
    sim.enviar(texto)
    assert fragmento in sim.texto
    assert "¿En qué fecha aprobó" not in sim.texto  # no repite la pregunta entera
    assert sim.estado is not None and sim.estado.paso == "fecha_cabildo"
    sim.enviar("15/03/2025")
    assert sim.estado is not None and sim.estado.paso == "documentos"


def test_fecha_en_una_frase(sim: Simulacion) -> None:
    _hasta_fecha(sim)
    sim.enviar("Sesionamos el 1º de marzo de 2026 en Cabildo abierto")
    assert sim.estado is not None and sim.estado.paso == "documentos"
    assert sim.estado.respuestas["fecha_cabildo"] == "2026-03-01"


def test_telefono_con_extension_se_guarda_en_e164_y_se_muestra_como_se_marca(
    sim: Simulacion,
) -> None:
    _hasta_fecha(sim)
    for texto in ["15/03/2025", "ninguno", "sí", "Director", "a@b.mx", "(869) 696 8011 ext 12"]:
        sim.enviar(texto)
    assert "a@b.mx · 869 696 8011 ext. 12" in sim.texto
    sim.enviar("confirmar")
    (crear,) = [a for a in sim.acciones if a.nombre == "crear_caso"]
    assert crear.datos["respuestas"]["enlace"]["telefono"] == "+528696968011;ext=12"


def test_correo_y_telefono_malos(sim: Simulacion) -> None:
    _hasta_fecha(sim)
    for texto in ["15/03/2025", "ninguno", "sí", "Director"]:
        sim.enviar(texto)
    sim.enviar("laura@apodaca")
    assert "nombre@municipio.gob.mx" in sim.texto
    sim.enviar("laura@apodaca.gob.mx")
    sim.enviar("12345")
    assert "10 dígitos" in sim.texto
    sim.enviar("(81) 1234-5678")
    assert sim.estado is not None and sim.estado.paso == "resumen"


def test_municipio_desconocido_y_ambiguo(sim: Simulacion) -> None:
    sim.enviar("no")  # no es Apodaca
    assert "¿De qué municipio" in sim.texto
    sim.enviar("Springfield")
    assert "No encontré el municipio" in sim.texto
    sim.enviar("Guadalupe")
    assert "¿Cuál de estos?" in sim.texto
    assert "/mun 19026" in sim.payloads
    assert all(len(p.encode()) <= 64 for p in sim.payloads)
    assert sim.estado is not None and len(sim.estado.pendiente["candidatos"]) == 4  # type: ignore[index]
    sim.enviar(payload="/mun 19026")
    assert sim.estado.respuestas["municipio"]["nombre"] == "Guadalupe"  # type: ignore[union-attr]
    assert sim.estado.paso == "ciudad"  # type: ignore[union-attr]


def test_ambiguo_se_resuelve_escribiendo_el_estado(sim: Simulacion) -> None:
    sim.enviar("no")
    sim.enviar("Guadalupe")
    sim.enviar("Zacatecas")
    assert sim.estado is not None
    assert sim.estado.respuestas["municipio"]["clave_inegi"] == "32017"


def test_municipio_con_estado_separado_por_coma(sim: Simulacion) -> None:
    sim.enviar("Guadalupe, Nuevo León")
    assert sim.estado is not None
    assert sim.estado.respuestas["municipio"]["clave_inegi"] == "19026"


def test_tres_fallas_ofrecen_continuar_despues_o_asesor(sim: Simulacion) -> None:
    _hasta_fecha(sim)
    for i in range(3):
        sim.enviar("no sé")
        if i < 2:
            assert "tres_fallos" not in sim.eventos
    assert sim.eventos[-1] == "tres_fallos"
    assert {"/despues", "/asesor"} <= set(sim.payloads)
    sim.enviar("hoy")  # todavía puede contestar bien
    assert sim.estado is not None and sim.estado.paso == "documentos"


def test_cancelar(sim: Simulacion) -> None:
    _hasta_fecha(sim)
    sim.cancelar()
    assert not sim.terminado and "¿Descarto el registro de su iniciativa?" in sim.texto
    sim.enviar(payload="/descartar")
    assert sim.terminado and sim.eventos[-1] == "cancelado"
    assert "no creé ningún caso" in sim.texto
    assert not [a for a in sim.acciones if a.nombre == "crear_caso"]


def test_atras_regresa_a_la_pregunta_anterior(sim: Simulacion) -> None:
    sim.enviar("sí")
    sim.enviar("McAllen")
    sim.atras()
    assert sim.estado is not None and sim.estado.paso == "ciudad"
    assert "¿Con qué ciudad" in sim.texto
    sim.enviar("San Antonio, Texas")
    assert sim.estado.respuestas["ciudad"] == "San Antonio, Texas"  # type: ignore[union-attr]
    # El país sale de la región: no se pregunta, se dice.
    assert "Anoto país: Estados Unidos" in sim.texto and "tipo de acuerdo" in sim.texto
    sim.atras()  # vuelve al país que se tomó de la región
    assert "¿En qué país está San Antonio, Texas?" in sim.texto
    sim.atras()
    sim.enviar("Lyon")
    assert "¿En qué país está Lyon?" in sim.texto


def test_corregir_en_el_resumen_vuelve_al_resumen(sim: Simulacion) -> None:
    _hasta_resumen(sim)
    sim.enviar("corregir objetivos")
    assert sim.estado is not None and sim.estado.paso == "objetivos"
    sim.enviar("Cooperación en protección civil y manejo de residuos")
    assert sim.estado.paso == "resumen"  # type: ignore[union-attr]
    assert "Objetivos: Cooperación en protección civil" in sim.texto


def test_corregir_con_botones(sim: Simulacion) -> None:
    _hasta_resumen(sim)
    sim.enviar(payload="/corregir")
    assert "/corregir enlace_telefono" in sim.payloads
    sim.enviar(payload="/corregir enlace_telefono")
    sim.enviar("55 1234 5678")
    assert "55 1234 5678" in sim.texto and sim.estado is not None
    assert sim.estado.paso == "resumen"
    sim.enviar("corregir el país")
    assert sim.estado.paso == "pais"  # type: ignore[union-attr]
    sim.enviar("Canadá")
    assert "Canadá" in sim.texto
    sim.enviar("corregir algo raro")
    assert "No ubico ese dato" in sim.texto
    sim.enviar(payload="/confirmar")
    assert sim.terminado


def test_pregunta_a_mitad_del_flujo_no_la_toma_el_paso(sim: Simulacion) -> None:
    _hasta_fecha(sim)
    assert not sim.acepta("¿Qué es el Cabildo?")
    assert sim.acepta("15/03/2025")
    assert sim.acepta(payload="/aun_no")
    sim.recordatorio()
    assert sim.texto.startswith("Sigamos.") and "/aun_no" in sim.payloads
    sim.enviar("15/03/2025")
    assert not sim.acepta("¿qué documentos necesito?")
    assert sim.acepta("1 y 2")


def test_objetivos_no_toma_preguntas_pero_si_texto(sim: Simulacion) -> None:
    for texto in ["sí", "McAllen", "EUA", "1", "turismo"]:
        sim.enviar(texto)
    assert not sim.acepta("¿Qué objetivos suelen poner?")
    assert sim.acepta("Promover el turismo entre ambas ciudades")


def test_sin_perfil_pregunta_el_municipio(flujo: Flujo, catalogo: Catalogo) -> None:
    s = Simulacion(flujo, {}, catalogo=catalogo, hoy=HOY)
    s.iniciar()
    assert "¿De qué municipio es la iniciativa?" in s.texto
    s.enviar("Zapopan")
    assert s.estado is not None and s.estado.respuestas["municipio"]["estado_clave"] == "14"


def test_documentos_despues_y_tipo_equivocado(sim: Simulacion) -> None:
    _hasta_fecha(sim)
    sim.enviar("hoy")
    sim.enviar("acta")
    assert sim.estado is not None and sim.estado.paso == "doc_acta"
    sim.enviar(archivo={"nombre": "acta.exe", "mime": "application/x-msdownload", "tamano": 5})
    assert "no se admite" in sim.texto
    sim.enviar(payload="/omitir")
    assert sim.estado.paso == "enlace_nombre"  # type: ignore[union-attr]
