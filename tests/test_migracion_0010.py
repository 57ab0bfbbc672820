"""Migración 0010: los ids de WhatsApp ya guardados pasan a HMAC (el número queda aparte, en
`numero_whatsapp`) y al deshacerla la llave vuelve a ser el número."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, inspect, text

from bot.config import ajustes
from bot.db.migrar import configuracion, migrar
from bot.db.sesion import url_sincrona
from bot.privacidad.identificadores import Seudonimos

NUMERO = "5213312345678"
WAMID = "wamid.HBgNNTIxMzMxMjM0NTY3OBUCABIYFDNBMDFGNjk3QjVDRjQ1MzE5QjE2AA=="


def test_0010_pasa_los_ids_de_whatsapp_a_hmac_y_se_deshace(tmp_path: Path) -> None:
    from alembic import command

    url = f"sqlite:///{tmp_path / 'antes.db'}"
    migrar(url, "0009_acceso")
    motor = create_engine(url_sincrona(url))
    try:
        with motor.begin() as c:
            for id_, canal, externo in ((1, "whatsapp", NUMERO), (2, "telegram", "777"),
                                        (3, "whatsapp", "anonimo-3")):
                c.execute(text("INSERT INTO usuario (id, canal, id_externo, bloqueo_canal, "
                               "creado_en) VALUES (:id, :canal, :externo, 0, '2026-01-01')"),
                          {"id": id_, "canal": canal, "externo": externo})
            c.execute(text(
                "INSERT INTO conversacion (id, usuario_id, modo, respuestas, historial, "
                "fallos_paso, fallos_nlu, contexto, ultima_actividad) "
                "VALUES (1, 1, 'bot', '{}', '[]', 0, 0, '{}', '2026-01-01')"))
            for id_, canal, externo in ((1, "whatsapp", WAMID), (2, "telegram", "777:5")):
                c.execute(text(
                    "INSERT INTO mensaje (id, conversacion_id, direccion, autor, tipo, canal, "
                    "id_externo, texto, creado_en) VALUES (:id, 1, 'entrada', 'usuario', "
                    "'texto', :canal, :externo, 'hola', '2026-01-01')"),
                    {"id": id_, "canal": canal, "externo": externo})
        migrar(url)
        migrar(url)  # otra vez: no cambia nada (ya son HMAC)
        seudonimos = Seudonimos(ajustes().identificadores_secreto)
        with motor.connect() as c:
            usuarios = c.execute(text("SELECT id, id_externo, numero_whatsapp FROM usuario "
                                      "ORDER BY id")).all()
            mensajes = dict(c.execute(text("SELECT id, id_externo FROM mensaje")).all())
        assert [tuple(u) for u in usuarios] == [
            (1, seudonimos.usuario(NUMERO), NUMERO), (2, "777", None), (3, "anonimo-3", None)]
        assert mensajes == {1: seudonimos.mensaje(WAMID), 2: "777:5"}

        command.downgrade(configuracion(url), "0009_acceso")
        with motor.connect() as c:
            assert c.execute(text("SELECT id_externo FROM usuario WHERE id = 1")).scalar() == (
                NUMERO)
        inspector = inspect(motor)
        assert "numero_whatsapp" not in {c["name"] for c in inspector.get_columns("usuario")}
        assert "ck_escalamiento_estado" in {  # rehacer la tabla (SQLite) no pierde el CHECK
            c["name"] for c in inspector.get_check_constraints("escalamiento")}
    finally:
        motor.dispose()
