"""Un `kill -9` a mitad de un flujo no pierde nada: al reiniciar, la conversación sigue en
el mismo paso con sus respuestas."""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from bot.db.sesion import url_sincrona

from conftest import ServidorReal, _base_plantilla
from conversacion import PERFIL, REGISTRO

pytestmark = [pytest.mark.servidor, pytest.mark.lento]

RUTA = "/webhooks/rest/webhook"


def _enviar(servidor: ServidorReal, mensaje: str, n: int) -> list[dict[str, object]]:
    cuerpo = {"sender": "durable", "message": mensaje, "message_id": f"d{n}"}
    respuesta = httpx.post(servidor.url + RUTA, json=cuerpo, timeout=30)
    assert respuesta.status_code == 200
    datos: list[dict[str, object]] = respuesta.json()
    return datos


def test_kill_9_a_mitad_del_flujo_y_reanudar(tmp_path: Path) -> None:
    shutil.copyfile(_base_plantilla(), tmp_path / "durable.db")
    url = f"sqlite:///{tmp_path / 'durable.db'}"
    entorno = {**os.environ, "DATABASE_URL": url, "NLU_URL": "http://127.0.0.1:9",
               "DOCUMENTOS_DIR": str(tmp_path / "docs")}
    primero = ServidorReal(entorno, tmp_path / "uno.log")
    primero.iniciar()
    mensajes = PERFIL + REGISTRO[:4]  # hasta la pregunta de las áreas de cooperación
    for n, m in enumerate(mensajes):
        ultima = _enviar(primero, m, n)
    assert "áreas" in str(ultima)
    primero.detener(signal.SIGKILL)  # sin aviso: como un corte de luz

    segundo = ServidorReal(entorno, tmp_path / "dos.log")
    segundo.iniciar()
    try:
        # El reintento de un mensaje ya respondido devuelve lo mismo y no avanza el flujo.
        repetido = _enviar(segundo, mensajes[-1], len(mensajes) - 1)
        assert repetido == ultima
        reanudado = _enviar(segundo, "continuar", 100)
        assert "áreas" in str(reanudado)
        siguiente = _enviar(segundo, "cultura y turismo", 101)
        assert "lograr" in str(siguiente)
    finally:
        segundo.detener()
    motor = create_engine(url_sincrona(url))
    with motor.connect() as c:
        respuestas = c.execute(text("SELECT respuestas FROM conversacion")).scalar_one()
        pendientes = c.execute(text("SELECT count(*) FROM mensaje WHERE direccion='entrada' "
                                    "AND procesado_en IS NULL")).scalar_one()
    motor.dispose()
    assert '"San Antonio, Texas"' in respuestas and pendientes == 0
