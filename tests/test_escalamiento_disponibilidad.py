"""Disponibilidad antes que promesas: los datos y las piezas que lo sostienen.

Días de descanso obligatorio (art. 74 LFT) calculados por año y días propios de cada estado;
la zona horaria de cada estado; el directorio de oficinas (que no inventa contactos); las
frases para salir, preguntar por la espera y partir varias preguntas; y la confirmación de un
folio, que dice lo que de verdad pasó. Sobre el motor: tests/test_escalamiento_honesto.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import Ajustes
from bot.escalamiento.calendario import Calendario, descanso_obligatorio
from bot.escalamiento.directorio import DIRECTORIO, contacto_de, directorio, revisar
from bot.escalamiento.frases import pide_salir, pregunta_por_la_espera
from bot.escalamiento.horario import DATOS, DatosHorarios, Horario, datos_horarios
from bot.escalamiento.notificaciones import texto_caso_registrado
from bot.nucleo.preguntas import partir_preguntas
from bot.servicios import Servicios, crear_servicios

from dobles import escalamiento_datos as datos

CDMX = ZoneInfo("America/Mexico_City")
CANCUN = ZoneInfo("America/Cancun")
CUATRO_PREGUNTAS = (
    "Buenas tardes, soy regidora y tengo varias dudas.\n"
    "¿Qué es un hermanamiento? ¿Quién aprueba el acuerdo de hermanamiento en el municipio?\n"
    "¿Cómo se integra el comité de ciudades hermanas? y otra pregunta: qué documentos "
    "necesito para registrar la iniciativa\nGracias de antemano.")


# --- Datos: calendario, zonas y directorio ---------------------------------------------


def test_dias_de_descanso_obligatorio_de_la_ley_federal_del_trabajo() -> None:
    dias = descanso_obligatorio(2026)
    assert sorted(dias) == [dt.date(2026, 1, 1), dt.date(2026, 2, 2), dt.date(2026, 3, 16),
                            dt.date(2026, 5, 1), dt.date(2026, 9, 16), dt.date(2026, 11, 16),
                            dt.date(2026, 12, 25)]
    assert dias[dt.date(2026, 11, 16)] == "Día de la Revolución"
    # La transmisión del Poder Ejecutivo: el 1 de octubre desde 2024, antes el 1 de diciembre.
    assert dt.date(2024, 10, 1) in descanso_obligatorio(2024)
    assert dt.date(2030, 10, 1) in descanso_obligatorio(2030)
    assert dt.date(2018, 12, 1) in descanso_obligatorio(2018)
    assert not {dt.date(2026, 10, 1), dt.date(2026, 12, 1)} & set(dias)
    # Los lunes móviles, en otros años.
    assert dt.date(2027, 2, 1) in descanso_obligatorio(2027)  # primer lunes de febrero
    assert dt.date(2025, 3, 17) in descanso_obligatorio(2025)  # tercer lunes de marzo
    assert dt.date(2025, 11, 17) in descanso_obligatorio(2025)  # tercer lunes de noviembre


def test_un_dia_feriado_no_es_habil() -> None:
    horario = Horario("America/Mexico_City")
    juarez = dt.datetime(2026, 3, 16, 11, 0, tzinfo=CDMX)  # lunes, natalicio de Benito Juárez
    assert not horario.abierto(juarez)
    assert horario.inhabil_hoy(juarez) == "natalicio de Benito Juárez"
    assert horario.siguiente_apertura(juarez) == dt.datetime(2026, 3, 17, 9, 0, tzinfo=CDMX)
    viernes = dt.datetime(2026, 3, 13, 17, 50, tzinfo=CDMX)  # 10 min hábiles antes del puente
    assert horario.sumar_minutos_habiles(viernes, 30) == dt.datetime(2026, 3, 17, 9, 20,
                                                                     tzinfo=CDMX)
    # Días propios de un estado, además de los federales.
    propio = Horario("America/Mexico_City",
                     calendario=Calendario().con({dt.date(2026, 3, 17): "feria estatal"}))
    assert propio.siguiente_apertura(juarez) == dt.datetime(2026, 3, 18, 9, 0, tzinfo=CDMX)


def test_cada_estado_tiene_su_zona_y_sus_datos_son_validos() -> None:
    horarios = datos_horarios()
    assert sorted(horarios.zonas) == [f"{n:02d}" for n in range(1, 33)]
    assert horarios.zonas["23"] == "America/Cancun"  # Quintana Roo
    assert horarios.zonas["02"] == "America/Tijuana"  # Baja California
    assert horarios.zonas["26"] == "America/Hermosillo"  # Sonora
    assert horarios.zonas["08"] == "America/Chihuahua"
    assert {horarios.zonas[c] for c in ("25", "18", "03")} == {"America/Mazatlan"}
    assert Horario("America/Cancun").nombre_zona == "hora de Cancún"
    assert Horario("America/Mexico_City").nombre_zona == "hora del centro de México"
    assert DATOS.exists() and revisar(DIRECTORIO) == []


def test_dias_inhabiles_propios_desde_los_datos(tmp_path: Path) -> None:
    archivo = tmp_path / "horarios.yaml"
    archivo.write_text('zonas: {}\nnacional:\n  inhabiles:\n    "2027-06-06": jornada electoral\n'
                       'estados:\n  "23":\n    zona: America/Cancun\n    inhabiles:\n'
                       '      2026-05-05: fundación de Cancún\n', encoding="utf-8")
    leidos = DatosHorarios.leer(archivo)
    assert leidos.zonas == {"23": "America/Cancun"}
    assert leidos.inhabiles["23"] == {dt.date(2026, 5, 5): "fundación de Cancún"}
    assert leidos.inhabiles_nacionales == {dt.date(2027, 6, 6): "jornada electoral"}
    archivo.write_text('estados:\n  "23":\n    zona: America/Cancún\n', encoding="utf-8")
    with pytest.raises(Exception, match="Cancún"):
        DatosHorarios.leer(archivo)


def test_el_directorio_no_inventa_contactos(tmp_path: Path) -> None:
    # El archivo del repositorio solo tiene huecos: nada que mostrar hasta que alguien lo llene.
    assert len(directorio()) == 32
    assert all(contacto_de(clave) is None for clave in directorio())
    archivo = tmp_path / "oficinas.yaml"
    archivo.write_text('"23":\n  oficina: Coordinación de Asuntos Internacionales\n'
                       '  telefono: "998 881 2800"\n  correo: ""\n  horario: ""\n'
                       '"19":\n  oficina: Oficina sin datos de contacto\n  telefono: ""\n'
                       '  correo: ""\n  horario: ""\n', encoding="utf-8")
    contacto = contacto_de("23", archivo)
    assert contacto is not None and contacto.telefono_legible == "998 881 2800"
    assert contacto_de("19", archivo) is None  # solo el nombre: no hay cómo comunicarse
    assert contacto_de("14", archivo) is None
    archivo.write_text('"40":\n  oficina: x\n  telefono: ""\n  correo: "sin-arroba"\n'
                       '  horario: ""\n', encoding="utf-8")
    assert len(revisar(archivo)) == 2


def test_frases_de_salir_de_esperar_y_de_varias_preguntas() -> None:
    for frase in ("volver al asistente", "Volver al asistente", "cancelar solicitud"):
        assert pide_salir(frase, None, con_persona=True, con_tramite=True)
    assert pide_salir("", "/cancelar_traspaso", con_persona=False, con_tramite=True)
    for frase in ("cancelar", "ya no", "mejor no", "no gracias"):
        assert pide_salir(frase, None, con_persona=False, con_tramite=False), frase
        # Con un trámite a medias, «cancelar» es del trámite.
        assert not pide_salir(frase, None, con_persona=False, con_tramite=True), frase
    assert pide_salir("terminar", None, con_persona=True, con_tramite=False)
    assert not pide_salir("ya no", None, con_persona=True, con_tramite=False)  # responde al asesor
    for frase in ("hola? hay alguien?", "??", "cuanto tarda en contestar el asesor",
                  "¿cuánto falta?", "sigo esperando"):
        assert pregunta_por_la_espera(frase), frase
    for frase in ("hola", "¿Cuánto tarda el trámite ante la SRE?", "registrar iniciativa"):
        assert not pregunta_por_la_espera(frase), frase
    assert partir_preguntas(CUATRO_PREGUNTAS) == [
        "¿Qué es un hermanamiento?",
        "¿Quién aprueba el acuerdo de hermanamiento en el municipio?",
        "¿Cómo se integra el comité de ciudades hermanas?",
        "qué documentos necesito para registrar la iniciativa"]
    assert len(partir_preguntas("¿Qué es un hermanamiento?")) == 1


@pytest.fixture
async def con_directorio(ajustes_prueba: Ajustes, tmp_path: Path) -> AsyncIterator[Servicios]:
    """Servicios con un directorio de oficinas que sí tiene el contacto de Jalisco."""
    ajustes = ajustes_prueba.model_copy(
        update={"directorio_oficinas": datos.directorio_jalisco(tmp_path)})
    s = crear_servicios(ajustes, con_nlu=False)
    yield s
    await s.cerrar()


async def test_la_confirmacion_del_folio_dice_lo_que_paso(con_directorio: Servicios) -> None:
    servicios = con_directorio
    uid = await datos.usuario(servicios, "registra")
    folio = await datos.caso(servicios, uid)

    async def confirmacion() -> str:
        async with servicios.almacen.lectura() as s:
            from bot.casos.repositorio import caso_por_folio

            caso = await caso_por_folio(s, folio)
            assert caso is not None
            return await texto_caso_registrado(servicios, s, caso)

    nadie = await confirmacion()
    assert folio in nadie and "nadie la revisa" in nadie and "33 3030 1234" in nadie
    assert "La recibió" not in nadie
    await datos.asesor(servicios, "sre@sre.gob.mx", "sre", ())
    assert "cola de la coordinación nacional" in await confirmacion()
    await datos.asesor(servicios, "ana@jal.gob.mx")
    estatal = await confirmacion()
    assert "la oficina estatal de enlace de Jalisco, que es quien la revisa" in estatal
    assert "33 3030 1234" not in estatal
