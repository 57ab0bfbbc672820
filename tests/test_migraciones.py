"""Las migraciones crean el esquema completo desde una base vacía."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import CheckConstraint, create_engine, inspect

from bot.db.migrar import migrar
from bot.db.modelos import Base
from bot.db.sesion import url_sincrona


def _tablas(url: str) -> set[str]:
    motor = create_engine(url_sincrona(url))
    try:
        return set(inspect(motor).get_table_names())
    finally:
        motor.dispose()


def test_desde_vacio_en_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nueva' / 'vacia.db'}"
    migrar(url)
    assert set(Base.metadata.tables) | {"alembic_version"} == _tablas(url)
    migrar(url)  # una segunda vez no hace nada ni falla


def test_modo_wal_en_sqlite(tmp_path: Path) -> None:
    import asyncio

    from sqlalchemy import text

    from bot.db.sesion import Almacen

    url = f"sqlite:///{tmp_path / 'wal.db'}"
    migrar(url)

    async def modo() -> str:
        almacen = Almacen(url)
        async with almacen.lectura() as s:
            valor = await s.scalar(text("PRAGMA journal_mode"))
        await almacen.cerrar()
        return str(valor)

    assert asyncio.run(modo()) == "wal"


@pytest.mark.postgres
@pytest.mark.skipif(not os.environ.get("TEST_POSTGRES_URL"), reason="sin TEST_POSTGRES_URL")
def test_desde_vacio_en_postgresql() -> None:
    url = os.environ["TEST_POSTGRES_URL"]
    motor = create_engine(url_sincrona(url))
    with motor.begin() as c:
        c.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    motor.dispose()
    migrar(url)
    assert set(Base.metadata.tables) | {"alembic_version"} == _tablas(url)
    assert _diferencias(url) == []
    assert _checks(url) == _CHECKS_DE_LOS_MODELOS
    _ida_y_vuelta_de_0006(url)


_CHECKS_DE_LOS_MODELOS = {c.name for t in Base.metadata.tables.values() for c in t.constraints
                          if isinstance(c, CheckConstraint)}


def _checks(url: str) -> set[str]:
    """Los nombres de los CHECK de la base (Alembic no los compara al autogenerar)."""
    motor = create_engine(url_sincrona(url))
    try:
        inspector = inspect(motor)
        return {str(c["name"]) for tabla in inspector.get_table_names()
                for c in inspector.get_check_constraints(tabla)}
    finally:
        motor.dispose()


def _ida_y_vuelta_de_0006(url: str) -> None:
    """0006 se deshace (sin CHECK) y se vuelve a aplicar."""
    from alembic import command

    from bot.db.migrar import configuracion

    command.downgrade(configuracion(url), "0005_por_conversacion")
    assert _checks(url) == set()
    migrar(url)
    assert _checks(url) == _CHECKS_DE_LOS_MODELOS
    assert _diferencias(url) == []


def test_0006_agrega_y_quita_los_check_en_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'checks.db'}"
    migrar(url)
    assert _checks(url) == _CHECKS_DE_LOS_MODELOS
    _ida_y_vuelta_de_0006(url)


def _diferencias(url: str) -> list[object]:
    """Lo que Alembic generaría para llevar la base migrada a los modelos (nada, si coinciden)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    motor = create_engine(url_sincrona(url))
    try:
        with motor.connect() as conexion:
            return list(compare_metadata(MigrationContext.configure(conexion), Base.metadata))
    finally:
        motor.dispose()


def test_las_migraciones_coinciden_con_los_modelos(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'modelos.db'}"
    migrar(url)
    assert _diferencias(url) == []


def test_las_respuestas_ya_entregadas_dejan_la_bandeja(tmp_path: Path) -> None:
    """0005: las respuestas del bot por REST o terminal, guardadas antes sin `envio`, quedan
    `en_respuesta`; lo de Telegram y lo de un asesor sigue por enviar."""
    from sqlalchemy import text

    url = f"sqlite:///{tmp_path / 'antes.db'}"
    migrar(url, "0004_por_enviar")
    motor = create_engine(url_sincrona(url))
    try:
        with motor.begin() as c:
            c.execute(text("INSERT INTO usuario (id, canal, id_externo, bloqueo_canal, creado_en)"
                           " VALUES (1, 'rest', 'u1', 0, '2026-01-01')"))
            c.execute(text(
                "INSERT INTO conversacion (id, usuario_id, modo, respuestas, historial, "
                "fallos_paso, fallos_nlu, contexto, ultima_actividad) "
                "VALUES (1, 1, 'bot', '{}', '[]', 0, 0, '{}', '2026-01-01')"))
            for id_, canal, autor in ((1, "rest", "bot"), (2, "terminal", "bot"),
                                      (3, "rest", "asesor"), (4, "telegram", "bot")):
                c.execute(text(
                    "INSERT INTO mensaje (id, conversacion_id, direccion, autor, tipo, canal, "
                    "texto, creado_en) VALUES (:id, 1, 'salida', :autor, 'texto', :canal, 'x', "
                    "'2026-01-01')"), {"id": id_, "canal": canal, "autor": autor})
        migrar(url)
        with motor.connect() as c:
            envios = dict(c.execute(text("SELECT id, envio FROM mensaje ORDER BY id")).all())
    finally:
        motor.dispose()
    assert envios == {1: "en_respuesta", 2: "en_respuesta", 3: None, 4: None}


def test_los_eventos_que_ya_existian_quedan_con_su_audiencia(tmp_path: Path) -> None:
    """0007: los eventos del trámite los ve la persona; las notas, los traspasos y el SLA,
    solo el equipo (y lo que llegue sin decirlo, también)."""
    from sqlalchemy import text

    url = f"sqlite:///{tmp_path / 'eventos.db'}"
    migrar(url, "0005_por_conversacion")
    tipos = ["creado", "estatus", "documento", "comite", "nota", "traspaso_solicitada",
             "traspaso_tomada", "traspaso_atendida", "traspaso_cerrada", "traspaso_sla"]
    motor = create_engine(url_sincrona(url))  # sin PRAGMA foreign_keys: basta el evento
    try:
        with motor.begin() as c:
            for id_, tipo in enumerate(tipos, 1):
                c.execute(text(
                    "INSERT INTO evento_caso (id, caso_id, tipo, descripcion, actor, datos, "
                    "creado_en) VALUES (:id, 1, :tipo, 'x', 'sistema', '{}', '2026-01-01')"),
                    {"id": id_, "tipo": tipo})
        migrar(url)
        with motor.begin() as c:
            c.execute(text("INSERT INTO evento_caso (id, caso_id, tipo, descripcion, actor, "
                           "datos, creado_en) VALUES (99, 1, 'nuevo', '', 'sistema', '{}', "
                           "'2026-01-02')"))
            audiencias = dict(c.execute(text(
                "SELECT tipo, audiencia FROM evento_caso ORDER BY id")).all())
    finally:
        motor.dispose()
    assert audiencias == {
        "creado": "persona", "estatus": "persona", "documento": "persona", "comite": "persona",
        "nota": "equipo", "traspaso_solicitada": "equipo", "traspaso_tomada": "equipo",
        "traspaso_atendida": "equipo", "traspaso_cerrada": "equipo", "traspaso_sla": "equipo",
        "nuevo": "equipo"}


def test_los_traspasos_quedan_en_el_estado_de_su_caso(tmp_path: Path) -> None:
    """0009: un traspaso con caso toma el estado del caso (antes tomaba el del perfil); los
    códigos de vinculación sin fecha se borran; las sesiones empiezan en la versión 0."""
    from sqlalchemy import text

    url = f"sqlite:///{tmp_path / 'antes.db'}"
    migrar(url, "0005_por_conversacion")
    motor = create_engine(url_sincrona(url))
    hoy = "'2026-01-01'"
    try:
        with motor.begin() as c:
            for id_, clave, nombre in ((14, "14", "Jalisco"), (19, "19", "Nuevo León")):
                c.execute(text("INSERT INTO estado (id, clave_inegi, nombre, abreviatura, codigo) "
                               "VALUES (:i, :c, :n, :c, :c)"), {"i": id_, "c": clave, "n": nombre})
            c.execute(text("INSERT INTO municipio (id, clave_inegi, estado_id, nombre) "
                           "VALUES (1, '19039', 19, 'Monterrey')"))
            c.execute(text("INSERT INTO usuario (id, canal, id_externo, estado_id, bloqueo_canal, "
                           f"creado_en) VALUES (1, 'rest', 'u1', 14, 0, {hoy})"))
            c.execute(text(
                "INSERT INTO conversacion (id, usuario_id, modo, respuestas, historial, "
                "fallos_paso, fallos_nlu, contexto, ultima_actividad) "
                f"VALUES (1, 1, 'bot', '{{}}', '[]', 0, 0, '{{}}', {hoy})"))
            c.execute(text(
                "INSERT INTO caso (id, folio, tipo, ambito, estatus, usuario_id, estado_id, "
                "municipio_id, ciudad_contraparte, pais_contraparte, areas, objetivos, contacto, "
                "comite, creado_en, actualizado_en) VALUES (1, 'CH-2026-NL-0001', "
                "'hermanamiento', 'internacional', 'enviada', 1, 19, 1, 'San Antonio', "
                f"'Estados Unidos', '[]', '', '{{}}', '[]', {hoy}, {hoy})"))
            for id_, caso in ((1, "1"), (2, "NULL")):
                c.execute(text(
                    "INSERT INTO escalamiento (id, conversacion_id, caso_id, estado_id, motivo, "
                    f"estado, nivel, solicitado_en) VALUES ({id_}, 1, {caso}, 14, "
                    f"'solicitud_usuario', 'solicitada', 'asesor', {hoy})"))
            c.execute(text("INSERT INTO asesor (id, nombre, rol, email, codigo_vinculacion, "
                           f"password_hash, activo, creado_en) VALUES (1, 'Ana', 'asesor', "
                           f"'ana@jal.gob.mx', 'ABCDEF12', 'x', 1, {hoy})"))
        migrar(url)
        with motor.connect() as c:
            estados = dict(c.execute(text("SELECT id, estado_id FROM escalamiento")).all())
            asesor = c.execute(text("SELECT codigo_vinculacion, codigo_vinculacion_vence, "
                                    "sesion_version FROM asesor")).one()
    finally:
        motor.dispose()
    assert estados == {1: 19, 2: 14}  # el del caso; sin caso, el que tenía
    assert tuple(asesor) == (None, None, 0)
