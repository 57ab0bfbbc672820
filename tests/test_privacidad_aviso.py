"""Avisos de privacidad (general y por estado) y consentimiento con fecha y versión."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.modelos import ConfiguracionEstado, Estado, Usuario
from bot.nucleo.mensajes import Canal, MensajeEntrante
from bot.privacidad.anonimizar import anonimizar_usuario
from bot.privacidad.aviso import aviso, partes_aviso_estado, version_general
from bot.privacidad.consentimiento import registrar_consentimiento, tiene_consentimiento
from bot.servicios import Servicios

AVISO_JALISCO = """Aviso simplificado de la oficina de Jalisco.
---
Aviso integral de la oficina de Jalisco, con su domicilio y su Unidad de Transparencia."""


async def _estado(servicios: Servicios, abreviatura: str) -> int:
    async with servicios.almacen.lectura() as s:
        ident = await s.scalar(select(Estado.id).where(Estado.abreviatura == abreviatura))
    assert ident is not None
    return int(ident)


async def test_aviso_general_simplificado_e_integral(servicios: Servicios) -> None:
    async with servicios.almacen.lectura() as s:
        corto, version = await aviso(s, None, integral=False, retencion_dias=180)
        largo, version_larga = await aviso(s, None, integral=True, retencion_dias=180)
    assert version == version_larga == version_general() == "2026-11"
    assert "versión 2026-11" in corto and "versión 2026-11" in largo
    for parte in ("oficina estatal de enlace", "SRE", "«mis datos»", "«borrar mis datos»"):
        assert parte in corto and parte in largo
    for parte in ("Ley General de Protección de Datos Personales en Posesión de Sujetos "
                  "Obligados", "Finalidades", "Transferencias", "ARCO", "180 días",
                  "Responsable", "Datos que recabamos", "Unidad de Transparencia"):
        assert parte in largo
    assert len(corto) < 900 < len(largo) <= 4096  # el integral cabe en un mensaje de Telegram
    assert "{{" not in largo and "{%" not in largo


async def test_aviso_del_estado_reemplaza_al_general(servicios: Servicios) -> None:
    jalisco = await _estado(servicios, "JAL")
    nuevo_leon = await _estado(servicios, "NL")
    async with servicios.almacen.escritura() as s:
        s.add(ConfiguracionEstado(estado_id=jalisco, aviso_privacidad=AVISO_JALISCO,
                                  version_aviso="2026-01"))
    async with servicios.almacen.lectura() as s:
        assert await aviso(s, jalisco, integral=False) == (
            "Aviso simplificado de la oficina de Jalisco.", "JAL-2026-01")
        integral, _ = await aviso(s, jalisco, integral=True)
        general, version = await aviso(s, nuevo_leon, integral=True)
    assert integral.startswith("Aviso integral de la oficina de Jalisco")
    assert "Ley General" in general and version == "2026-11"


async def test_aviso_del_estado_por_la_ruta_del_motor(servicios: Servicios) -> None:
    jalisco = await _estado(servicios, "JAL")
    async with servicios.almacen.escritura() as s:
        s.add(ConfiguracionEstado(estado_id=jalisco, aviso_privacidad=AVISO_JALISCO))
    motor = servicios.motor
    general = await motor.procesar(MensajeEntrante(Canal.REST, "u1", "m1",
                                                   payload="/aviso_integral"))
    assert "Ley General de Protección de Datos" in general[0].texto
    async with servicios.almacen.escritura() as s:
        usuario = await s.scalar(select(Usuario).where(Usuario.id_externo == "u1"))
        assert usuario is not None
        usuario.estado_id = jalisco
    propio = await motor.procesar(MensajeEntrante(Canal.REST, "u1", "m2",
                                                  texto="Aviso de privacidad"))
    assert propio[0].texto.startswith("Aviso integral de la oficina de Jalisco")
    desde_bienvenida = await motor.procesar(MensajeEntrante(Canal.REST, "u1", "m3",
                                                            payload="/aviso_privacidad"))
    assert desde_bienvenida[0].texto == propio[0].texto


def test_partes_del_aviso_de_un_estado() -> None:
    assert partes_aviso_estado("solo un texto") == ("solo un texto", "solo un texto")
    assert partes_aviso_estado("corto\n----\nlargo") == ("corto", "largo")


async def test_consentimiento_con_fecha_y_version(servicios: Servicios) -> None:
    async with servicios.almacen.escritura() as s:
        usuario = Usuario(canal="rest", id_externo="c1")
        s.add(usuario)
        await s.flush()
        assert not tiene_consentimiento(usuario)
        await registrar_consentimiento(s, usuario, "2026-11")
    async with servicios.almacen.escritura() as s:
        guardado = await s.scalar(select(Usuario).where(Usuario.id_externo == "c1"))
        assert guardado is not None
        assert guardado.consentimiento_en is not None and guardado.version_aviso == "2026-11"
        assert tiene_consentimiento(guardado)
        assert tiene_consentimiento(guardado, "2026-11")
        assert not tiene_consentimiento(guardado, "2027-01")  # aviso nuevo: preguntar otra vez
        await anonimizar_usuario(s, guardado)
        assert not tiene_consentimiento(guardado)  # pidió borrar sus datos después
        await registrar_consentimiento(s, guardado, "2026-11")
        assert tiene_consentimiento(guardado)
