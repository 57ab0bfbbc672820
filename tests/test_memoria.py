"""Memoria de la conversación: el extractor de menciones (función pura) y que lo recordado
antes del consentimiento no sobreviva a un «no»."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.catalogos.busqueda import catalogo
from bot.db.contexto_conversacion import leer_contexto
from bot.db.modelos import Conversacion, Usuario
from bot.flujos.menciones import leer_menciones, nombre_en_oracion
from bot.flujos.tipos import es_peticion, quitar_relleno
from bot.servicios import Servicios

from conversacion import Charla

HOY = dt.date(2026, 12, 3)
LARGO = ("Buenas tardes, somos de San Pedro Garza García, Nuevo León, y queremos registrar un "
         "hermanamiento con San Antonio, Texas, q piden?")


def _textos(texto: str, **opciones: bool) -> dict[str, str]:
    dichas = leer_menciones(texto, catalogo(), HOY, **opciones)
    return {campo: dato["texto"] for campo, dato in dichas.a_memoria().items()}


def test_el_mensaje_largo_trae_municipio_estado_ciudad_y_pais() -> None:
    assert _textos(LARGO) == {"municipio": "San Pedro Garza García, Nuevo León",
                              "estado": "Nuevo León", "ciudad": "San Antonio, Texas",
                              "pais": "Estados Unidos", "tipo": "Hermanamiento"}
    assert leer_menciones(LARGO, catalogo(), HOY).tramite == "registro_iniciativa"


@pytest.mark.parametrize(("texto", "esperado"), [
    ("san pedro garza garcia nl", {"municipio": "San Pedro Garza García, Nuevo León",
                                   "estado": "Nuevo León"}),
    ("tucson, arizona", {"ciudad": "Tucson, Arizona", "pais": "Estados Unidos"}),
    ("con Mesa, Arizona", {"ciudad": "Mesa, Arizona", "pais": "Estados Unidos"}),
    ("queremos hermanarnos con Lyon, Francia", {"ciudad": "Lyon", "pais": "Francia",
                                                "tipo": "Hermanamiento"}),
    ("queremos un acuerdo con Guanajuato capital", {"ciudad": "Guanajuato, Guanajuato",
                                                    "pais": "México"}),
    ("Guadalupe", {}),  # existe en varios estados: no se adivina
    ("Guadalupe, Zacatecas", {"municipio": "Guadalupe, Zacatecas", "estado": "Zacatecas"}),
    ("que hace la oficina estatal?", {}),
    ("aun no, la sesion es el 15 de enero", {
        "fecha_cabildo_prevista": "15 de enero de 2027",
        "fecha_cabildo": "aún no; sesión prevista el 15 de enero de 2027"}),
    # Lugares en minúsculas dentro de una oración: con una pista («de», «somos de»), sin
    # tomar apellidos ni palabras comunes que también son municipios.
    ("soy del comité de ciudades hermanas de merida", {
        "municipio": "Mérida, Yucatán", "estado": "Yucatán", "rol": "Integrante de comité"}),
    ("trabajo en el centro de salud de la colonia", {}),
    ("quien integra el comite de mazatlan", {}),  # pregunta por otro municipio
    ("que define el reglamento de ciudades hermanas de tlaquepaque", {}),
    ("vivo en cancun y quiero saber requisitos", {
        "municipio": "Benito Juárez, Quintana Roo", "estado": "Quintana Roo"}),
    ("Gracias, José María González de la O", {}),
    ("mi compañera Ana Ruiz lo ve", {"enlace": "Ana Ruiz"}),
    ("quiero registrar un hermanamiento", {}),  # sin la ciudad, el tipo no se da por dicho
    ("el enlace será el lic. Jorge Canul, jorge@sp.gob.mx y (81) 8400 4412 ext 12", {
        "enlace": "Jorge Canul", "correo": "jorge@sp.gob.mx",
        "telefono": "81 8400 4412 ext. 12"}),
    ("ana@cancun.gob.mx", {"correo": "ana@cancun.gob.mx"}),  # un correo no nombra lugares
    ("mi jefe dice que si", {}),
    ("queremos hermanarnos con Tucson, Arizona para impulsar el turismo, q piden?", {
        "ciudad": "Tucson, Arizona", "pais": "Estados Unidos", "tipo": "Hermanamiento",
        "objetivos": "impulsar el turismo"}),
    ("para que sirve el comite", {}),
    ("basta con un acuerdo de cabildo para crear el comite?", {}),
    ("el cabildo lo aprobó el 3 de marzo", {"fecha_cabildo": "3 de marzo de 2026"}),
])
def test_lo_que_trae_cada_mensaje(texto: str, esperado: dict[str, str]) -> None:
    assert _textos(texto) == esperado


def test_nombre_y_rol_con_palabras() -> None:
    assert _textos("Me llamo Laura Méndez, soy regidora de Mérida, Yucatán") == {
        "nombre": "Laura Méndez", "rol": "Funcionario municipal",
        "municipio": "Mérida, Yucatán", "estado": "Yucatán"}


@pytest.mark.parametrize(("texto", "nombre", "cargo"), [
    ("Dra. Alicia Torres, tengo diabetes y a veces no puedo contestar rapido", "Alicia Torres",
     None),
    ("no, va a ser mi compañero el lic. Jorge Canul", "Jorge Canul", None),
    ("Jorge Canul, director de relaciones internacionales", "Jorge Canul",
     "Director de relaciones internacionales"),
    ("guadalupe ramirez lopez", "Guadalupe Ramírez López", None),
    ("¿cuál es el requisito?", None, None),
])
def test_nombre_en_una_oracion(texto: str, nombre: str | None, cargo: str | None) -> None:
    assert nombre_en_oracion(texto) == (nombre, cargo)


@pytest.mark.parametrize(("texto", "es"), [
    ("que hace la oficina estatal?", True), ("q piden?", True), ("necesito ayuda", True),
    ("pues en colombia no?", False), ("que los artesanos vendan alla", False),
    ("ya le dije, cartagena de indias", False), ("Laredo", False),
])
def test_peticion_clara(texto: str, es: bool) -> None:
    assert es_peticion(texto) is es


def test_quitar_relleno() -> None:
    assert quitar_relleno("ya le dije, cartagena de indias") == "cartagena de indias"
    assert quitar_relleno("pues en colombia no?") == "colombia"


async def _contexto(servicios: Servicios, charla: Charla) -> Conversacion:
    async with servicios.almacen.lectura() as s:
        usuario = await s.scalar(select(Usuario).where(Usuario.id_externo == charla.usuario))
        assert usuario is not None
        conversacion = await s.scalar(select(Conversacion)
                                      .where(Conversacion.usuario_id == usuario.id))
    assert conversacion is not None
    return conversacion


async def test_lo_recordado_antes_del_no_se_olvida(servicios: Servicios) -> None:
    charla = Charla(servicios.motor)
    await charla.di(LARGO)
    antes = await _contexto(servicios, charla)
    assert leer_contexto(antes).memoria and "San Antonio" in str(leer_contexto(antes).memoria)
    await charla.pulsa("No acepto")
    despues = await _contexto(servicios, charla)
    assert leer_contexto(despues).memoria is None
    assert "San Antonio" not in str(despues.contexto) + str(despues.respuestas)
    await charla.di("vivimos en Apodaca, Nuevo León")  # sin consentimiento: no se recuerda
    assert leer_contexto(await _contexto(servicios, charla)).memoria is None
