"""Los ajustes: un solo `Ajustes` con secciones por canal que se fijan con las variables planas
de siempre (TELEGRAM_TOKEN, WHATSAPP_PLANTILLA_AVISO…), el `.env.example` y la tabla del
README generados de él, y la zona horaria que sale de los ajustes."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import BaseModel, ValidationError
from typer.testing import CliRunner

from bot.config import RAIZ, Ajustes, ejemplo_env, secciones, tabla_markdown
from bot.escalamiento.horario import Horario, horario_de
from bot.servicios import Servicios

EJEMPLO = RAIZ / ".env.example"
README = RAIZ / "README.md"
NOMBRES = [v.nombre for s in secciones() for v in s.variables]


@pytest.fixture
def sin_entorno(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """Ninguna de las variables de los ajustes puesta en el proceso."""
    for nombre in NOMBRES:
        monkeypatch.delenv(nombre, raising=False)
    return monkeypatch


def test_env_example_es_el_que_genera_ajustes() -> None:
    assert EJEMPLO.read_text(encoding="utf-8") == ejemplo_env(), (
        "El .env.example no coincide con bot/config.py; regenérelo con "
        "«hermanamientos ajustes > .env.example».")


def test_la_tabla_del_readme_es_la_que_genera_ajustes() -> None:
    texto = README.read_text(encoding="utf-8")
    partes = re.search(r"<!-- ajustes: inicio[^\n]*-->\n(.*?)<!-- ajustes: fin -->", texto,
                       re.DOTALL)
    assert partes is not None, "faltan las marcas de la tabla de ajustes en el README"
    assert partes[1].strip() == tabla_markdown().strip(), (
        "La tabla de configuración del README no coincide con bot/config.py; regenérela con "
        "«hermanamientos ajustes --markdown».")


def test_la_orden_escribe_el_ejemplo_y_la_tabla() -> None:
    from bot.cli import app

    resultado = CliRunner().invoke(app, ["ajustes"])
    assert resultado.exit_code == 0 and resultado.output == ejemplo_env()
    resultado = CliRunner().invoke(app, ["ajustes", "--markdown"])
    assert resultado.exit_code == 0 and resultado.output == tabla_markdown()


def test_cada_ajuste_tiene_descripcion_y_va_en_el_ejemplo() -> None:
    def campos(modelo: type[BaseModel], prefijo: str = "") -> list[tuple[str, str | None]]:
        lista: list[tuple[str, str | None]] = []
        for nombre, campo in modelo.model_fields.items():
            tipo = campo.annotation
            if isinstance(tipo, type) and issubclass(tipo, BaseModel):
                lista += campos(tipo, f"{nombre}_")
            lista.append((f"{prefijo}{nombre}".upper(), campo.description))
        return lista

    todos = campos(Ajustes)
    assert [n for n, descripcion in todos if not descripcion] == []
    variables = re.findall(r"^([A-Z0-9_]+)=", ejemplo_env(), re.MULTILINE)
    assert sorted(variables) == sorted(n for n, _ in todos if n not in ("TELEGRAM", "WHATSAPP"))
    assert len(variables) == len(set(variables))
    for esperada in ("TELEGRAM_MODO", "WHATSAPP_PLANTILLA_AVISO", "WHATSAPP_PLANTILLA_IDIOMA",
                     "WHATSAPP_PLANTILLA_CON_TEXTO", "ZONA_HORARIA"):
        assert esperada in variables


def _normalizado(ajustes: Ajustes) -> dict[str, Any]:
    """Los valores, con las rutas del proyecto relativas a su raíz (como en el ejemplo)."""
    datos = ajustes.model_dump()
    datos["database_url"] = datos["database_url"].replace(f"{RAIZ.as_posix()}/", "")
    ruta = Path(datos["documentos_dir"])
    datos["documentos_dir"] = ruta.relative_to(RAIZ) if ruta.is_absolute() else ruta
    return datos


@pytest.mark.usefixtures("sin_entorno")
def test_el_ejemplo_cargado_da_los_valores_por_omision() -> None:
    desde_ejemplo = Ajustes(_env_file=EJEMPLO)  # type: ignore[call-arg]
    assert _normalizado(desde_ejemplo) == _normalizado(Ajustes(_env_file=None))  # type: ignore[call-arg]


def test_las_variables_planas_llenan_las_secciones(sin_entorno: pytest.MonkeyPatch) -> None:
    entorno = {
        "TELEGRAM_TOKEN": "123:abc", "TELEGRAM_API_URL": "http://127.0.0.1:8081/bot",
        "TELEGRAM_WEBHOOK_SECRET": "s" * 20, "TELEGRAM_MODO": "webhook",
        "TELEGRAM_WEBHOOK_URL": "https://x/telegram/webhook", "TELEGRAM_RITMO_CHAT_S": "0.05",
        "TELEGRAM_GLOBAL_POR_S": "200", "TELEGRAM_REINTENTOS": "5",
        "TELEGRAM_API_FILE_URL": "http://127.0.0.1:8081/file/bot",
        "WHATSAPP_PHONE_ID": "1055", "WHATSAPP_TOKEN": "tok", "WHATSAPP_APP_SECRET": "secreto-app",
        "WHATSAPP_VERIFY_TOKEN": "verifica-1", "WHATSAPP_API_URL": "http://127.0.0.1:9/graph",
        "WHATSAPP_VERSION_API": "23.0", "WHATSAPP_PLANTILLA_AVISO": "aviso_general",
        "WHATSAPP_PLANTILLA_RESPUESTA_ASESOR": "respuesta_v2",
        "WHATSAPP_PLANTILLA_CAMBIO_ESTATUS": "estatus_v1", "WHATSAPP_PLANTILLA_IDIOMA": "es",
        "WHATSAPP_PLANTILLA_CON_TEXTO": "false", "WHATSAPP_RITMO_USUARIO_S": "0.02",
        "WHATSAPP_GLOBAL_POR_S": "10", "ZONA_HORARIA": "America/Tijuana", "NLU_URL": "http://n:1",
    }
    for nombre, valor in entorno.items():
        sin_entorno.setenv(nombre, valor)
    a = Ajustes(_env_file=None)  # type: ignore[call-arg]
    tg, wa = a.telegram, a.whatsapp
    assert (tg.token, tg.api_url, tg.webhook_secret, tg.modo, tg.webhook_url) == (
        "123:abc", "http://127.0.0.1:8081/bot", "s" * 20, "webhook", "https://x/telegram/webhook")
    assert (tg.ritmo_chat_s, tg.global_por_s, tg.reintentos, tg.api_file_url) == (
        0.05, 200.0, 5, "http://127.0.0.1:8081/file/bot")
    assert (wa.phone_id, wa.token, wa.app_secret, wa.verify_token, wa.api_url, wa.version_api) == (
        "1055", "tok", "secreto-app", "verifica-1", "http://127.0.0.1:9/graph", "23.0")
    assert (wa.plantilla_aviso, wa.plantilla_respuesta_asesor, wa.plantilla_cambio_estatus,
            wa.plantilla_idioma, wa.plantilla_con_texto) == (
        "aviso_general", "respuesta_v2", "estatus_v1", "es", False)
    assert (wa.ritmo_usuario_s, wa.global_por_s) == (0.02, 10.0)
    assert (a.zona_horaria, a.nlu_url) == ("America/Tijuana", "http://n:1")


def test_un_env_en_archivo_tambien_llena_las_secciones(sin_entorno: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    archivo = tmp_path / ".env"
    archivo.write_text("TELEGRAM_TOKEN=123:abc\ntelegram_modo=no\nWHATSAPP_PLANTILLA_AVISO=av\n"
                       "WHATSAPP_OTRA_COSA=1\nPANEL_SECRETO=p\n", encoding="utf-8")
    sin_entorno.setenv("TELEGRAM_RITMO_CHAT_S", "0.5")  # el entorno se suma al archivo
    a = Ajustes(_env_file=archivo)  # type: ignore[call-arg]
    assert (a.telegram.token, a.telegram.modo, a.telegram.ritmo_chat_s) == ("123:abc", "no", 0.5)
    assert (a.whatsapp.plantilla_aviso, a.panel_secreto) == ("av", "p")
    assert a.whatsapp.plantilla_idioma == "es_MX"


def test_un_valor_invalido_se_rechaza_al_leer_los_ajustes(
        sin_entorno: pytest.MonkeyPatch) -> None:
    sin_entorno.setenv("TELEGRAM_MODO", "sondeo")
    with pytest.raises(ValidationError, match="telegram.modo"):
        Ajustes(_env_file=None)  # type: ignore[call-arg]


def test_plantilla_por_clave() -> None:
    wa = Ajustes(_env_file=None).whatsapp.model_copy(update={  # type: ignore[call-arg]
        "plantilla_aviso": "aviso", "plantilla_cambio_estatus": "estatus"})
    assert [wa.plantilla(c) for c in (None, "aviso", "cambio_estatus", "respuesta_asesor",
                                      "otra_v3")] == ["aviso", "aviso", "estatus", "aviso",
                                                      "otra_v3"]


# --- La zona horaria sale de los ajustes ---


async def test_el_horario_por_omision_usa_la_zona_dada(servicios: Servicios) -> None:
    async with servicios.almacen.lectura() as s:
        assert (await horario_de(s, None, "America/Tijuana")).zona == "America/Tijuana"
    assert Horario.desde_json({"inicio": "10:00"}, "Asia/Tokyo").zona == "Asia/Tokyo"
    assert Horario.desde_json({"zona": "America/Cancun"}, "Asia/Tokyo").zona == "America/Cancun"


def test_la_fecha_de_hoy_de_los_flujos_sale_de_los_ajustes(ajustes_prueba: Ajustes) -> None:
    from bot.flujos.rutas import RutasFlujos

    # 25 h de diferencia: las dos zonas nunca están en la misma fecha.
    fechas = set()
    for zona in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
        servicios = SimpleNamespace(ajustes=ajustes_prueba.model_copy(
            update={"zona_horaria": zona}))
        rutas = RutasFlujos({}, {}, servicios, None)  # type: ignore[arg-type]
        assert rutas.hoy() == dt.datetime.now(ZoneInfo(zona)).date()
        fechas.add(rutas.hoy())
    assert len(fechas) == 2
