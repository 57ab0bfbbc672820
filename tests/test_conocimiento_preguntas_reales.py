"""El revisor de preguntas reales aplica las reglas de la cabecera del archivo."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from bot.conocimiento.cli import conocimiento_app
from bot.conocimiento.preguntas_reales import CasoReal, forma_revisable, leer_casos, revisar


def _r(texto: str, *botones: str) -> dict[str, object]:
    return {"text": texto, "buttons": [{"title": b, "payload": "/x"} for b in botones]}


def test_forma_revisable_quita_acentos_marcas_y_mayusculas() -> None:
    assert forma_revisable("*Sí*, la _Señal_ ÁREA") == "si, la senal area"


def test_cada_grupo_necesita_una_alternativa_y_la_fuente() -> None:
    caso = CasoReal(q="x", debe=[["cabildo"], ["dictamen", "art. 7"]], no_debe=["si, puede"])
    assert revisar(caso, [_r("El *Cabildo* aprueba; el Art. 7 pide aviso.\n\nFuente: SRE")]) == []
    motivos = revisar(caso, [_r("El Cabildo aprueba.")])
    assert any("dictamen" in m for m in motivos) and any("Fuente" in m for m in motivos)
    assert any("si, puede" in m for m in revisar(caso, [_r("Sí, puede. Fuente: x. Cabildo, "
                                                             "dictamen")]))


def test_los_botones_cuentan_como_texto() -> None:
    caso = CasoReal(q="x", debe=[["comite"]])
    assert revisar(caso, [_r("Fuente: x", "Comité de Ciudades Hermanas")]) == []


def test_leer_casos(tmp_path: Path) -> None:
    ruta = tmp_path / "p.yaml"
    ruta.write_text('casos:\n- q: "hola"\n  debe: [["a"]]\n  tema: "t"\n', encoding="utf-8")
    (caso,) = leer_casos(ruta)
    assert caso.q == "hola" and caso.no_debe == []


def test_sin_archivo_de_preguntas_reales_lo_dice_y_sigue(tmp_path: Path) -> None:
    resultado = CliRunner().invoke(
        conocimiento_app, ["evaluar", "--sin-sondeo", "--sin-retencion", "--preguntas",
                           str(tmp_path / "no-existe.yaml")])
    assert resultado.exit_code == 0, resultado.output
    assert "omito las preguntas reales" in resultado.output
    assert "validación cruzada" in resultado.output
