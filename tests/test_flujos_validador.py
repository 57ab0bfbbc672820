"""Carga, validación y diagramas de flujos; `flujos validar` sobre los flujos reales."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.flujos.cargador import CARPETA_FLUJOS, ErrorFlujo, cargar_flujo, cargar_flujos
from bot.flujos.cli import flujos_app
from bot.flujos.diagrama import documento
from bot.flujos.validador import validar_flujos

ROTO = """
id: roto
titulo: Roto
pasos:
  - id: uno
    tipo: opcion
    campo: uno
    pregunta: "Hola {{ nombre_inventado }}"
    siguiente: tres
  - id: dos
    tipo: texto
    campo: dos
    pregunta: "{% if %}"
  - id: resumen
    tipo: confirmacion
    pregunta: "¿Todo bien?"
    corregir: [uno, cuatro]
    accion: lanzar_cohete
"""


def _escribir(carpeta: Path, nombre: str, texto: str) -> Path:
    ruta = carpeta / nombre
    ruta.write_text(texto, encoding="utf-8")
    return ruta


def test_flujos_reales_validan_por_la_cli() -> None:
    resultado = CliRunner().invoke(flujos_app, ["validar"])
    assert resultado.exit_code == 0, resultado.output
    for flujo in ("bienvenida", "registro_iniciativa", "requisitos", "seguimiento",
                  "subir_documento", "comite"):
        assert flujo in resultado.output


def test_validador_encuentra_cada_problema(tmp_path: Path) -> None:
    _escribir(tmp_path, "roto.yaml", ROTO)
    problemas = [str(p) for p in validar_flujos(cargar_flujos(tmp_path))]
    texto = "\n".join(problemas)
    assert "apunta a «tres», que no existe" in texto
    assert "no tiene opciones" in texto
    assert "variables que no existen: nombre_inventado" in texto
    assert "no compila" in texto
    assert "«corregir» menciona «cuatro», que no existe" in texto
    assert "acción desconocida «lanzar_cohete»" in texto
    assert "roto / paso «dos»: no se puede llegar" in texto
    resultado = CliRunner().invoke(flujos_app, ["validar", "--carpeta", str(tmp_path)])
    assert resultado.exit_code == 1


def test_errores_de_carga_en_espanol(tmp_path: Path) -> None:
    _escribir(tmp_path, "malo.yaml", "id: malo\ntitulo: X\npasos:\n  - id: a\n    tipo: dibujo\n"
              "    preguntaa: hola\n")
    with pytest.raises(ErrorFlujo) as info:
        cargar_flujo(tmp_path / "malo.yaml")
    mensaje = str(info.value)
    assert "paso «a» → tipo: valor no permitido" in mensaje
    assert "paso «a» → preguntaa: campo desconocido" in mensaje
    _escribir(tmp_path, "otro.yaml", "id: distinto\ntitulo: X\npasos:\n  - id: a\n"
              "    tipo: mensaje\n    pregunta: hola\n")
    with pytest.raises(ErrorFlujo, match="igual al nombre del archivo"):
        cargar_flujo(tmp_path / "otro.yaml")
    _escribir(tmp_path, "yaml.yaml", "id: [\n")
    with pytest.raises(ErrorFlujo, match="línea"):
        cargar_flujo(tmp_path / "yaml.yaml")
    _escribir(tmp_path, "rep.yaml", "id: rep\ntitulo: X\npasos:\n  - {id: a, tipo: mensaje, "
              "pregunta: x}\n  - {id: a, tipo: mensaje, pregunta: y}\n")
    with pytest.raises(ErrorFlujo, match="repetido"):
        cargar_flujo(tmp_path / "rep.yaml")
    resultado = CliRunner().invoke(flujos_app, ["validar", "--carpeta", str(tmp_path)])
    assert resultado.exit_code == 1 and "malo.yaml" in resultado.output


def test_diagramas_mermaid_al_dia(tmp_path: Path) -> None:
    flujos = cargar_flujos()
    texto = documento(flujos["registro_iniciativa"])
    assert "```mermaid\nflowchart TD" in texto
    assert 'pais -->|"ambito == \'nacional\'"| aviso_nacional' in texto
    assert 'resumen -.->|"corregir"| objetivos' in texto
    copia = tmp_path / "flujos"
    shutil.copytree(CARPETA_FLUJOS, copia)
    resultado = CliRunner().invoke(flujos_app, ["diagrama", "--carpeta", str(copia)])
    assert resultado.exit_code == 0, resultado.output
    for flujo_id in flujos:
        generado = (copia / "diagramas" / f"{flujo_id}.md").read_text(encoding="utf-8")
        guardado = CARPETA_FLUJOS / "diagramas" / f"{flujo_id}.md"
        assert guardado.read_text(encoding="utf-8") == generado, (
            f"{guardado} está desactualizado: corra `hermanamientos flujos diagrama`"
        )
