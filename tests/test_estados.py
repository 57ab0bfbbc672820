"""Los estados declarados (bot/db/estados.py): se comportan como la cadena que guardan, las
columnas devuelven miembros y la base migrada admite solo los valores de cada enumeración."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path

import pytest
from sqlalchemy import CheckConstraint, create_engine, inspect, select, text
from sqlalchemy.exc import IntegrityError

from bot.db.estados import (
    LARGO_TIPO,
    Direccion,
    EstadoEnvio,
    EstadoTraspaso,
    ModoConversacion,
    TipoMensaje,
    leer_tipo,
    tipo_mensaje,
)
from bot.db.migrar import migrar
from bot.db.modelos import Base, Conversacion, Escalamiento, Mensaje, Usuario
from bot.db.sesion import Almacen, url_sincrona

CERRADOS: dict[tuple[str, str], type[Enum]] = {
    ("conversacion", "modo"): ModoConversacion,
    ("mensaje", "direccion"): Direccion,
    ("mensaje", "envio"): EstadoEnvio,
    ("escalamiento", "estado"): EstadoTraspaso,
}


def test_un_miembro_es_su_cadena() -> None:
    miembro = EstadoTraspaso.TOMADA
    assert miembro == "tomada" and miembro.value == "tomada"
    assert str(miembro) == "tomada" and f"{miembro}" == "tomada" and f"{miembro:>7}" == " tomada"
    assert json.dumps({"a": miembro}) == '{"a": "tomada"}'
    assert {"tomada": 1}[miembro] == 1 and miembro in ("solicitada", "tomada")
    assert EstadoTraspaso("cerrada") is EstadoTraspaso.CERRADA


def test_tipo_de_mensaje_con_detalle() -> None:
    assert tipo_mensaje(TipoMensaje.TEXTO) == "texto"
    assert type(tipo_mensaje(TipoMensaje.TEXTO)) is str
    assert tipo_mensaje(TipoMensaje.NO_SOPORTADO, "sticker") == "no_soportado:sticker"
    assert tipo_mensaje(TipoMensaje.ARCHIVO_RECHAZADO, "grande") == "archivo_rechazado:grande"
    largo = tipo_mensaje(TipoMensaje.NO_SOPORTADO, "x" * 40)
    assert len(largo) == LARGO_TIPO and largo.startswith("no_soportado:x")
    assert leer_tipo("no_soportado:sticker") == (TipoMensaje.NO_SOPORTADO, "sticker")
    assert leer_tipo("archivo_rechazado:vacio") == (TipoMensaje.ARCHIVO_RECHAZADO, "vacio")
    assert leer_tipo("texto") == (TipoMensaje.TEXTO, "")
    assert leer_tipo("no_soportado") == (TipoMensaje.NO_SOPORTADO, "")
    assert leer_tipo("otra_cosa:algo") == (None, "algo")
    assert leer_tipo("") == (None, "")


def test_los_modelos_declaran_los_conjuntos_cerrados() -> None:
    for (tabla, columna), enumeracion in CERRADOS.items():
        tipo = Base.metadata.tables[tabla].c[columna].type
        assert list(getattr(tipo, "enums", [])) == [m.value for m in enumeracion], columna
    restricciones = {c.name for t in Base.metadata.tables.values() for c in t.constraints
                     if isinstance(c, CheckConstraint)}
    assert restricciones == {f"ck_{t}_{c}" for t, c in CERRADOS}


def _checks(url: str) -> dict[str, str]:
    motor = create_engine(url_sincrona(url))
    try:
        inspector = inspect(motor)
        return {str(c["name"]): str(c["sqltext"]) for tabla in inspector.get_table_names()
                for c in inspector.get_check_constraints(tabla)}
    finally:
        motor.dispose()


def test_la_migracion_crea_los_mismos_check_que_los_modelos(tmp_path: Path) -> None:
    """Alembic no compara los CHECK al autogenerar: aquí, la base migrada contra la que
    crearían los modelos (mismo nombre y misma condición)."""
    migrada = f"sqlite:///{tmp_path / 'migrada.db'}"
    migrar(migrada)
    de_modelos = f"sqlite:///{tmp_path / 'modelos.db'}"
    motor = create_engine(de_modelos)
    Base.metadata.create_all(motor)
    motor.dispose()
    assert _checks(migrada) == _checks(de_modelos)
    assert set(_checks(migrada)) == {f"ck_{t}_{c}" for t, c in CERRADOS}


async def test_la_base_rechaza_un_valor_fuera_del_conjunto(url_bd: str) -> None:
    almacen = Almacen(url_bd)
    try:
        async with almacen.escritura() as s:
            usuario = Usuario(canal="rest", id_externo="estados-1")
            s.add(usuario)
            await s.flush()
            conversacion = Conversacion(usuario_id=usuario.id, respuestas={}, historial=[],
                                        contexto={})
            s.add(conversacion)
            await s.flush()
            s.add(Escalamiento(conversacion_id=conversacion.id, motivo="prueba"))
            s.add(Mensaje(conversacion_id=conversacion.id, direccion=Direccion.SALIDA,
                          canal="rest", envio=EstadoEnvio.EN_RESPUESTA))
        for sentencia in ("UPDATE escalamiento SET estado = 'perdida'",
                          "UPDATE conversacion SET modo = 'robot'",
                          "UPDATE mensaje SET direccion = 'lateral'",
                          "UPDATE mensaje SET envio = 'sin_canal'"):
            with pytest.raises(IntegrityError):
                async with almacen.escritura() as s:
                    await s.execute(text(sentencia))
        async with almacen.lectura() as s:
            esc = await s.scalar(select(Escalamiento))
            mensaje = await s.scalar(select(Mensaje))
            conv = await s.scalar(select(Conversacion))
            assert esc is not None and mensaje is not None and conv is not None
            # Las columnas devuelven miembros de la enumeración (y los valores por omisión).
            assert esc.estado is EstadoTraspaso.SOLICITADA
            assert conv.modo is ModoConversacion.BOT
            assert mensaje.direccion is Direccion.SALIDA
            assert mensaje.envio is EstadoEnvio.EN_RESPUESTA
            assert mensaje.tipo == "texto"
            crudo = (await s.execute(text("SELECT estado FROM escalamiento"))).scalar_one()
            assert crudo == "solicitada" and type(crudo) is str  # se guarda la cadena
    finally:
        await almacen.cerrar()
