"""Retención: solo las conversaciones inactivas de personas sin casos (SQLite y PostgreSQL)."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.casos.repositorio import crear_caso
from bot.config import ajustes
from bot.db.modelos import Caso, Conversacion, Escalamiento, Mensaje, Municipio, Usuario
from bot.db.sesion import Almacen
from bot.privacidad.anonimizar import ELIMINADO, anonimizar_usuario
from bot.privacidad.cli import privacidad_app
from bot.privacidad.retencion import aplicar_retencion, ejecutar_retencion, tarea_retencion_diaria
from bot.servicios import Servicios

AHORA = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.timezone.utc)


async def _persona(almacen: Almacen, id_externo: str, dias_inactiva: int,
                   con_caso: bool = False, escalada: bool = False) -> None:
    """Una persona con nombre, un mensaje y su conversación, inactiva hace tantos días."""
    momento = AHORA - dt.timedelta(days=dias_inactiva)
    async with almacen.escritura() as s:
        usuario = Usuario(canal="whatsapp", id_externo=id_externo, nombre=f"Persona {id_externo}",
                          rol="ciudadano", creado_en=momento)
        s.add(usuario)
        await s.flush()
        conversacion = Conversacion(usuario_id=usuario.id, respuestas={"nombre": "Ana Ruiz"},
                                    historial=[], contexto={}, ultima_actividad=momento)
        s.add(conversacion)
        await s.flush()
        s.add(Mensaje(conversacion_id=conversacion.id, direccion="entrada", canal="whatsapp",
                      id_externo=f"w-{id_externo}", texto=f"Hola, soy {id_externo}",
                      creado_en=momento, procesado_en=momento))
        if escalada:
            s.add(Escalamiento(conversacion_id=conversacion.id, motivo="usuario",
                               detalle="quiere hablar con alguien", solicitado_en=momento))
        if con_caso:
            municipio = await s.scalar(select(Municipio).where(Municipio.clave_inegi == "19039"))
            assert municipio is not None
            await crear_caso(s, {"estado_id": municipio.estado_id, "municipio_id": municipio.id,
                                 "usuario_id": usuario.id, "ciudad_contraparte": "Houston",
                                 "pais_contraparte": "Estados Unidos"}, "prueba")


async def _estado(almacen: Almacen, id_externo: str) -> tuple[Usuario | None, list[str]]:
    async with almacen.lectura() as s:
        usuario = await s.scalar(select(Usuario).where(Usuario.id_externo == id_externo))
        if usuario is None:
            return None, []
        textos = (await s.scalars(select(Mensaje.texto).join(
            Conversacion, Conversacion.id == Mensaje.conversacion_id).where(
            Conversacion.usuario_id == usuario.id))).all()
        return usuario, list(textos)


async def test_retencion_solo_inactivos_sin_casos(servicios_ambas: Servicios) -> None:
    almacen = servicios_ambas.almacen
    await _persona(almacen, "5213311110001", dias_inactiva=400)  # se anonimiza
    await _persona(almacen, "5213311110002", dias_inactiva=400, con_caso=True)
    await _persona(almacen, "5213311110003", dias_inactiva=30)
    await _persona(almacen, "5213311110004", dias_inactiva=400, escalada=True)
    async with almacen.escritura() as s:
        assert await aplicar_retencion(s, 365, AHORA) == 1
    async with almacen.escritura() as s:
        assert await aplicar_retencion(s, 365, AHORA) == 0  # una sola vez por persona

    olvidado, _ = await _estado(almacen, "5213311110001")
    assert olvidado is None  # ni su número queda
    async with almacen.lectura() as s:
        anonimo = await s.scalar(select(Usuario).where(Usuario.id_externo.like("anonimo-%")))
        assert anonimo is not None and anonimo.nombre is None and anonimo.rol is None
        assert anonimo.anonimizado_en is not None
        conversacion = await s.scalar(
            select(Conversacion).where(Conversacion.usuario_id == anonimo.id))
        assert conversacion is not None and conversacion.respuestas == {}
        textos = (await s.scalars(select(Mensaje.texto).where(
            Mensaje.conversacion_id == conversacion.id))).all()
        assert list(textos) == [ELIMINADO]
    for intacto in ("5213311110002", "5213311110003", "5213311110004"):
        usuario, textos = await _estado(almacen, intacto)
        assert usuario is not None and usuario.nombre == f"Persona {intacto}"
        assert usuario.anonimizado_en is None and textos == [f"Hola, soy {intacto}"]


async def test_retencion_olvida_el_canal_de_quien_ya_borro_sus_datos(
    servicios_ambas: Servicios,
) -> None:
    """Quien pidió «borrar mis datos» conserva su caso; al vencer el plazo se olvida también su
    número (que se había quedado para poder contestarle)."""
    almacen = servicios_ambas.almacen
    await _persona(almacen, "5213311110009", dias_inactiva=400, con_caso=True)
    async with almacen.escritura() as s:
        usuario = await s.scalar(select(Usuario).where(Usuario.id_externo == "5213311110009"))
        assert usuario is not None
        await anonimizar_usuario(s, usuario, AHORA - dt.timedelta(days=399))
        ident = usuario.id
    async with almacen.escritura() as s:
        assert await aplicar_retencion(s, 365, AHORA) == 1
    async with almacen.lectura() as s:
        usuario = await s.get(Usuario, ident)
        caso = await s.scalar(select(Caso).where(Caso.usuario_id == ident))
    assert usuario is not None and usuario.id_externo == f"anonimo-{ident}"
    assert caso is not None and caso.estatus == "enviada"


async def test_ejecutar_por_lotes_y_dias_invalidos(servicios: Servicios) -> None:
    for i in range(5):
        await _persona(servicios.almacen, f"lote-{i}", dias_inactiva=100)
    assert await ejecutar_retencion(servicios.almacen, 90, AHORA, lote=2) == 5
    async with servicios.almacen.escritura() as s:
        with pytest.raises(ValueError):
            await aplicar_retencion(s, 0, AHORA)


async def test_la_retencion_borra_los_intentos_de_acceso_viejos(servicios_ambas: Servicios) -> None:
    from bot.db.modelos import IntentoAcceso

    async with servicios_ambas.almacen.escritura() as s:
        s.add_all([IntentoAcceso(clave="correo:viejo@x.mx", momento=AHORA - dt.timedelta(hours=2)),
                   IntentoAcceso(clave="ip:10.0.0.9", momento=AHORA - dt.timedelta(minutes=5))])
    await ejecutar_retencion(servicios_ambas.almacen, 90, AHORA)
    async with servicios_ambas.almacen.lectura() as s:
        claves = (await s.scalars(select(IntentoAcceso.clave))).all()
    assert claves == ["ip:10.0.0.9"]


async def test_tarea_diaria_aplica_y_se_detiene(servicios: Servicios) -> None:
    await _persona(servicios.almacen, "vieja", dias_inactiva=4000)
    detener = asyncio.Event()
    tarea = asyncio.create_task(tarea_retencion_diaria(servicios.almacen, 365, detener))
    for _ in range(100):
        if (await _estado(servicios.almacen, "vieja"))[0] is None:
            break
        await asyncio.sleep(0.05)
    detener.set()
    await asyncio.wait_for(tarea, timeout=5)
    assert (await _estado(servicios.almacen, "vieja"))[0] is None


def test_orden_de_consola(url_bd: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", url_bd)
    ajustes.cache_clear()
    try:
        async def sembrar() -> None:
            almacen = Almacen(url_bd)
            try:
                await _persona(almacen, "consola", dias_inactiva=4000)
            finally:
                await almacen.cerrar()

        asyncio.run(sembrar())
        runner = CliRunner()
        resultado = runner.invoke(privacidad_app, ["retencion", "--dias", "30"])
        assert resultado.exit_code == 0, resultado.output
        assert "Conversaciones anonimizadas: 1 (retención de 30 días)" in resultado.output
        aviso = runner.invoke(privacidad_app, ["aviso", "--integral", "--estado", "JAL"])
        assert aviso.exit_code == 0, aviso.output
        assert "Aviso de privacidad integral" in aviso.output and "versión 2026-11" in aviso.output
    finally:
        ajustes.cache_clear()
