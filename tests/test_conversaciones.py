"""La conversación medida como conversación: los diálogos de tests/conversaciones/*.yaml (guía
en su LEAME.md) contra el motor real, turno por turno, con lo que cada turno debe decir y
dejar guardado, y las reglas que valen en todos (sin costuras, sin basura guardada)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from bot.db.modelos import Caso, Conversacion, Usuario
from bot.nucleo.comandos import reconocer
from bot.nucleo.mensajes import Canal
from bot.servicios import Servicios
from bot.texto import normalizar

from conversacion import Charla

CARPETA = Path(__file__).parent / "conversaciones"
PROLOGOS: dict[str, list[dict[str, Any]]] = yaml.safe_load(
    (CARPETA / "prologos.yaml").read_text(encoding="utf-8"))
CLAVES_DIALOGO = {"nombre", "canal", "prologo", "turnos"}
CLAVES_TURNO = {"di", "pulsa", "boton", "contiene", "no_contiene", "botones", "paso",
                "guardado", "usuario", "caso", "puede_no_entender", "pasan_dias"}
# Lo que nunca debe leer una persona (costuras de la conversación y nombres internos).
NUNCA = ["Sigamos. Sigamos", "Sigamos. Gracias", "Sigamos con «", "«Bienvenida»",
         "falta consentimiento", "{{", "}}"]
NO_ENTENDI = ["no le entendí", "Sigo sin entenderle"]
SIN_DATO = object()
# Lo que no es un dato aunque el paso lo hubiera aceptado como texto.
ACUSES = {"ok", "okay", "va", "vale", "sale", "gracias", "muchas gracias", "de acuerdo",
          "perfecto", "entendido", "listo"}


def _cargar() -> list[Any]:
    dialogos = []
    for archivo in sorted(CARPETA.glob("*.yaml")):
        if archivo.name == "prologos.yaml":
            continue
        for dialogo in yaml.safe_load(archivo.read_text(encoding="utf-8")) or []:
            dialogos.append(pytest.param(dialogo, id=f"{archivo.stem}: {dialogo['nombre']}"))
    return dialogos


DIALOGOS = _cargar()


def _lista(valor: Any) -> list[str]:
    if valor is None:
        return []
    return [str(v) for v in (valor if isinstance(valor, list) else [valor])]


def _en(datos: Any, ruta: str) -> Any:
    """Un valor por ruta con puntos, en dicts o atributos; SIN_DATO si no está."""
    actual = datos
    for parte in ruta.split("."):
        if isinstance(actual, dict):
            if parte not in actual:
                return SIN_DATO
            actual = actual[parte]
        elif hasattr(actual, parte):
            actual = getattr(actual, parte)
        else:
            return SIN_DATO
    return actual


def _basura(respuestas: Any, ruta: str = "") -> list[str]:
    """Valores guardados que no son un dato: acuses y órdenes («ok», «gracias», «después»)."""
    if isinstance(respuestas, dict):
        # Una opción elegida se guarda con su valor («asesor») y su título en `textos`
        # («Asesor estatal»): se revisa lo que eligió la persona, no la clave interna.
        textos = respuestas.get("textos") if isinstance(respuestas.get("textos"), dict) else {}
        return [b for k, v in respuestas.items() if k != "textos"
                for b in _basura(textos.get(k, v) if isinstance(v, str) else v,
                                 f"{ruta}{k}.")]
    if isinstance(respuestas, list):
        return [b for v in respuestas for b in _basura(v, ruta)]
    if isinstance(respuestas, str) and (normalizar(respuestas) in ACUSES
                                        or reconocer(respuestas, None)):
        return [f"{ruta.rstrip('.')}={respuestas!r}"]
    return []


def test_el_corpus_esta_bien_escrito() -> None:
    """Claves conocidas, un solo tipo de turno, nombres únicos, prólogos que existen y al
    menos 15 diálogos (lo pide «Conversación que entiende»)."""
    nombres = [p.values[0]["nombre"] for p in DIALOGOS]
    assert len(nombres) >= 15 and len(set(nombres)) == len(nombres)
    for parametro in DIALOGOS:
        dialogo = parametro.values[0]
        assert set(dialogo) <= CLAVES_DIALOGO, (dialogo["nombre"], set(dialogo) - CLAVES_DIALOGO)
        assert Canal(dialogo.get("canal", "rest"))
        assert all(p in PROLOGOS for p in dialogo.get("prologo", [])), dialogo["nombre"]
        for turno in dialogo["turnos"]:
            assert set(turno) <= CLAVES_TURNO, (dialogo["nombre"], set(turno) - CLAVES_TURNO)
            assert len({"di", "pulsa", "boton"} & set(turno)) == 1, (dialogo["nombre"], turno)
            # `di: no` en YAML es el booleano False: el texto va entre comillas.
            assert isinstance(turno.get("di", ""), str), (dialogo["nombre"], turno)


async def _turno(charla: Charla, turno: dict[str, Any]) -> None:
    if turno.get("pasan_dias"):
        charla.pasan_dias(int(turno["pasan_dias"]))
    if "di" in turno:
        await charla.di(str(turno["di"]))
    elif "pulsa" in turno:
        await charla.pulsa(str(turno["pulsa"]))
    else:
        await charla.di(payload=str(turno["boton"]))


async def _revisar(servicios: Servicios, charla: Charla, turno: dict[str, Any],
                   donde: str) -> None:
    texto = charla.texto
    visto = f"{donde}\n--- respuesta ---\n{texto}\n--- botones: {charla.botones}"
    assert any(r.texto.strip() or r.botones or r.documento for r in charla.ultimas), \
        f"respuesta vacía: {visto}"
    for prohibido in NUNCA:
        assert prohibido.lower() not in texto.lower(), f"dice «{prohibido}»: {visto}"
    if not turno.get("puede_no_entender"):
        for prohibido in NO_ENTENDI:
            assert prohibido.lower() not in texto.lower(), f"no entendió: {visto}"
    if charla.canal is not Canal.TERMINAL:
        assert not re.search(r"\bnúmeros?\b de la (lista|opción)|\bsus números\b", texto), \
            f"pide números que este canal no muestra: {visto}"
    for esperado in _lista(turno.get("contiene")):
        assert esperado.lower() in texto.lower(), f"falta «{esperado}»: {visto}"
    for prohibido in _lista(turno.get("no_contiene")):
        assert prohibido.lower() not in texto.lower(), f"sobra «{prohibido}»: {visto}"
    for boton in _lista(turno.get("botones")):
        assert any(boton.lower() in b.lower() for b in charla.botones), \
            f"falta el botón «{boton}»: {visto}"
    async with servicios.almacen.lectura() as s:
        usuario = await s.scalar(select(Usuario).where(Usuario.id_externo == charla.usuario))
        assert usuario is not None
        conversacion = await s.scalar(select(Conversacion)
                                      .where(Conversacion.usuario_id == usuario.id))
        caso = await s.scalar(select(Caso).where(Caso.usuario_id == usuario.id)
                              .order_by(Caso.id.desc()).limit(1))
    assert conversacion is not None
    respuestas = conversacion.respuestas or {}
    assert not _basura(respuestas), f"basura guardada {_basura(respuestas)}: {visto}"
    if "paso" in turno:
        actual = f"{conversacion.flujo}.{conversacion.paso}" if conversacion.flujo else None
        assert actual == turno["paso"], f"paso {actual!r}, se esperaba {turno['paso']!r}: {visto}"
    for ruta, valor in (turno.get("guardado") or {}).items():
        guardado = _en(respuestas, ruta)
        esperado = SIN_DATO if valor is None else valor
        assert guardado == esperado or (valor is None and guardado is None), \
            f"guardado {ruta}={guardado!r}, se esperaba {valor!r}: {visto}"
    for ruta, valor in (turno.get("usuario") or {}).items():
        assert _en(usuario, ruta) == valor, f"usuario.{ruta}={_en(usuario, ruta)!r}: {visto}"
    for ruta, valor in (turno.get("caso") or {}).items():
        assert caso is not None, f"no hay caso: {visto}"
        assert _en(caso, ruta) == valor, f"caso.{ruta}={_en(caso, ruta)!r}: {visto}"


@pytest.mark.parametrize("dialogo", DIALOGOS)
async def test_dialogo(servicios: Servicios, dialogo: dict[str, Any]) -> None:
    charla = Charla(servicios.motor, canal=Canal(dialogo.get("canal", "rest")))
    for prologo in dialogo.get("prologo", []):
        for turno in PROLOGOS[prologo]:
            await _turno(charla, turno)
    for numero, turno in enumerate(dialogo["turnos"], start=1):
        await _turno(charla, turno)
        dicho = turno.get("di") or turno.get("pulsa") or turno.get("boton")
        await _revisar(servicios, charla, turno,
                       f"«{dialogo['nombre']}», turno {numero} ({dicho!r})")


def test_la_basura_se_reconoce() -> None:
    """El revisor de basura guardada ve acuses y órdenes, y deja pasar datos."""
    assert _basura({"ciudad": "ok", "enlace": {"cargo": "después"}}) == [
        "ciudad='ok'", "enlace.cargo='después'"]
    assert _basura({"ciudad": "San Antonio", "textos": {"x": "ok"}}) == []
    assert _basura({"rol": "asesor", "textos": {"rol": "Asesor estatal"}}) == []
    assert _basura({"rol": "ok", "textos": {"rol": "ok"}}) == ["rol='ok'"]
    assert normalizar("Después") == "despues"
