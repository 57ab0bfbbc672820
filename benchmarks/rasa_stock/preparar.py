"""El proyecto Rasa «de fábrica» para comparar: genera domain.yml y data/rules.yml (una
regla y una respuesta utter_* por intención de rasa_modelo/domain.yml; el texto sale del
artículo principal de conocimiento/ cuando lo hay), arma el proyecto en un directorio
temporal con los datos NLU de rasa_modelo/data (sin duplicarlos en git) y lo entrena.

Uso: .venv/bin/python -m benchmarks.rasa_stock.preparar [--generar] [--entrenar]
El modelo queda en var/rasa_stock/ (se reutiliza mientras no cambien sus entradas).
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from benchmarks.comun import RASA, entorno_rasa
from bot.config import RAIZ

AQUI = Path(__file__).resolve().parent
MODELO_NLU = RAIZ / "rasa_modelo"
DIR_MODELOS = RAIZ / "var" / "rasa_stock"
GENERICA = "Con gusto le ayudo con eso. ¿Qué más necesita saber?"
NO_ENTENDI = "Perdón, no le entendí. ¿Lo puede decir de otra forma?"


def _intenciones() -> list[str]:
    dominio = yaml.safe_load((MODELO_NLU / "domain.yml").read_text(encoding="utf-8"))
    return [str(i) for i in dominio["intents"]]


def _entidades() -> list[str]:
    dominio = yaml.safe_load((MODELO_NLU / "domain.yml").read_text(encoding="utf-8"))
    return [str(e) for e in dominio.get("entities", [])]


def _textos() -> dict[str, str]:
    """Intención → respuesta corta de su artículo principal en conocimiento/."""
    from bot.conocimiento.base import BaseConocimiento

    base = BaseConocimiento.cargar(RAIZ / "conocimiento")
    textos: dict[str, str] = {}
    for articulo in base.articulos:
        for intent in articulo.meta.principal_de:
            textos.setdefault(intent, articulo.corta.strip())
    return textos


def generar() -> None:
    """Reescribe domain.yml y data/rules.yml a partir de las intenciones del modelo NLU."""
    intenciones, textos = _intenciones(), _textos()
    dominio: dict[str, Any] = {
        "version": "3.1",
        "intents": intenciones,
        "entities": _entidades(),
        "responses": {f"utter_{i}": [{"text": textos.get(i, GENERICA)}] for i in intenciones},
        "session_config": {"session_expiration_time": 60,
                           "carry_over_slots_to_new_session": True},
    }
    dominio["responses"]["utter_default"] = [{"text": NO_ENTENDI}]
    reglas: dict[str, Any] = {"version": "3.1", "rules": [
        {"rule": f"contestar {i}", "steps": [{"intent": i}, {"action": f"utter_{i}"}]}
        for i in intenciones
    ]}
    reglas["rules"].append({"rule": "no entendí", "steps": [
        {"intent": "nlu_fallback"}, {"action": "utter_default"}]})
    aviso = ("# Generado por benchmarks/rasa_stock/preparar.py --generar "
             "(no editar a mano).\n")
    (AQUI / "domain.yml").write_text(
        aviso + yaml.safe_dump(dominio, allow_unicode=True, sort_keys=False, width=100),
        encoding="utf-8")
    (AQUI / "data" / "rules.yml").write_text(
        aviso + yaml.safe_dump(reglas, allow_unicode=True, sort_keys=False, width=100),
        encoding="utf-8")


def _config_con_pipeline_actual() -> str:
    """config.yml de aquí, con el pipeline tomado de rasa_modelo/config.yml (el mismo)."""
    propia = yaml.safe_load((AQUI / "config.yml").read_text(encoding="utf-8"))
    ajena = yaml.safe_load((MODELO_NLU / "config.yml").read_text(encoding="utf-8"))
    propia["pipeline"] = ajena["pipeline"]
    return yaml.safe_dump(propia, allow_unicode=True, sort_keys=False)


def armar(destino: Path) -> None:
    """El proyecto completo en `destino`: config, dominio, reglas y datos NLU copiados."""
    if set(_intenciones()) != set(
            yaml.safe_load((AQUI / "domain.yml").read_text(encoding="utf-8"))["intents"]):
        generar()  # cambiaron las intenciones del modelo NLU
    (destino / "config.yml").write_text(_config_con_pipeline_actual(), encoding="utf-8")
    for nombre in ("domain.yml", "credentials.yml", "endpoints.yml"):
        shutil.copyfile(AQUI / nombre, destino / nombre)
    shutil.copytree(MODELO_NLU / "data", destino / "data")
    shutil.copyfile(AQUI / "data" / "rules.yml", destino / "data" / "rules.yml")


def _huella(directorio: Path) -> str:
    h = hashlib.sha256()
    for ruta in sorted(p for p in directorio.rglob("*") if p.is_file()):
        h.update(str(ruta.relative_to(directorio)).encode())
        h.update(ruta.read_bytes())
    return h.hexdigest()[:16]


def entrenar(forzar: bool = False) -> Path:
    """Entrena (o reutiliza) el modelo completo; devuelve la ruta del .tar.gz."""
    with tempfile.TemporaryDirectory(prefix="rasa-stock-") as tmp:
        proyecto = Path(tmp)
        armar(proyecto)
        nombre = f"stock-{_huella(proyecto)}"
        modelo = DIR_MODELOS / f"{nombre}.tar.gz"
        if modelo.exists() and not forzar:
            return modelo
        DIR_MODELOS.mkdir(parents=True, exist_ok=True)
        inicio = time.monotonic()
        bitacora = DIR_MODELOS / "entrenar.log"
        print(f"Entrenando el Rasa stock (unos minutos; avance en {bitacora})", flush=True)
        with bitacora.open("wb") as salida:
            subprocess.run(  # noqa: S603 - orden fija
                [str(RASA), "train", "--config", "config.yml", "--domain", "domain.yml",
                 "--data", "data", "--out", str(DIR_MODELOS), "--fixed-model-name", nombre],
                cwd=proyecto, env=entorno_rasa(), check=True, stdout=salida,
                stderr=subprocess.STDOUT,
            )
        print(f"Rasa stock entrenado en {time.monotonic() - inicio:.0f} s: {modelo}")
        for viejo in DIR_MODELOS.glob("stock-*.tar.gz"):
            if viejo != modelo:
                viejo.unlink()
    return modelo


def main() -> None:
    partes = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    partes.add_argument("--generar", action="store_true",
                        help="Reescribe domain.yml y data/rules.yml.")
    partes.add_argument("--entrenar", action="store_true", help="Entrena el modelo.")
    partes.add_argument("--forzar", action="store_true", help="Entrena aunque ya exista.")
    args = partes.parse_args()
    if args.generar:
        generar()
    if args.entrenar:
        print(entrenar(args.forzar))


if __name__ == "__main__":
    main()
