"""Gráficas SVG del tablero (pygal, sin JavaScript) y exportación CSV."""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterable
from typing import Any

import pygal
from pygal.style import Style

# pygal instala un buscador de módulos para sus complementos de mapas (no los usamos) que
# emite ImportWarning en cada importación posterior; se retira.
sys.meta_path[:] = [b for b in sys.meta_path if type(b).__name__ != "PluginImportFixer"]

# Letras grandes y lienzo angosto: la imagen se encoge al ancho de la columna (y del
# teléfono). Las cifras exactas están además en la tabla junto a cada gráfica.
_ESTILO = Style(background="white", plot_background="white", foreground="#333",
                foreground_strong="#111", foreground_subtle="#666", colors=("#235b4e", "#9f2241"),
                font_family="sans-serif", title_font_size=22, label_font_size=17,
                major_label_font_size=17, value_font_size=18)


def marcas_enteras(maximo: int, cuantas: int = 5) -> list[int]:
    """Marcas del eje de conteos: enteros de 0 al máximo (o más), a lo más unas `cuantas`."""
    paso = max(1, -(-max(maximo, 1) // cuantas))
    return list(range(0, max(maximo, 1) + paso, paso))


def barras(titulo: str, etiquetas: list[str], valores: list[int]) -> bytes:
    """Gráfica de barras en SVG (sin scripts externos)."""
    grafica = pygal.Bar(style=_ESTILO, js=[], show_legend=False, width=480, height=340,
                        title=titulo, x_label_rotation=20, disable_xml_declaration=False,
                        print_values=True, y_labels=marcas_enteras(max(valores, default=0)))
    grafica.x_labels = etiquetas
    grafica.add(titulo, valores)
    resultado: Any = grafica.render()
    return resultado if isinstance(resultado, bytes) else str(resultado).encode()


def _celda(valor: Any) -> str:
    """Evita que una hoja de cálculo interprete el texto como fórmula."""
    texto = "" if valor is None else str(valor)
    return "'" + texto if texto[:1] in ("=", "+", "-", "@", "\t", "\r") else texto


def a_csv(encabezados: list[str], filas: Iterable[Iterable[Any]]) -> str:
    """CSV (UTF-8 con BOM para Excel) con celdas a salvo de fórmulas."""
    salida = io.StringIO()
    salida.write("\ufeff")
    escritor = csv.writer(salida)
    escritor.writerow(encabezados)
    for fila in filas:
        escritor.writerow([_celda(v) for v in fila])
    return salida.getvalue()
