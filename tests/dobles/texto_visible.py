"""El texto que una persona lee en una página y lo que en él parece un valor de máquina
(«medio_ambiente», «usuario:1», una fecha ISO, «(rest)»): para probar que el panel habla
español."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_CRUDOS = (
    (re.compile(r"\b[a-z]+(?:_[a-z]+)+\b"), "valor con guion bajo"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}"), "fecha ISO"),
    (re.compile(r"\b\d{1,2}/\d{1,2}/\d{4}\b"), "fecha numérica"),
    (re.compile(r"\b(?:usuario|asesor|sistema):\d*"), "actor crudo"),
    (re.compile(r"\((?:rest|web|telegram|whatsapp|terminal)\)"), "canal crudo"),
    (re.compile(r"\b(?:Usuario \d+|None)\b"), "nombre de máquina"),
)


def valores_crudos(texto: str) -> list[str]:
    """Lo que en un texto visible parece un valor de máquina, con qué es."""
    return [f"{que}: {m.group(0)!r}" for patron, que in _CRUDOS for m in patron.finditer(texto)]


class _TextoVisible(HTMLParser):
    """El texto que se lee en una página (sin etiquetas, scripts ni estilos)."""

    def __init__(self) -> None:
        super().__init__()
        self.partes: list[str] = []
        self._oculto = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._oculto += tag in ("script", "style", "title")

    def handle_endtag(self, tag: str) -> None:
        self._oculto -= tag in ("script", "style", "title")

    def handle_data(self, data: str) -> None:
        if not self._oculto:
            self.partes.append(data)


def texto_visible(html: str) -> str:
    lector = _TextoVisible()
    lector.feed(html)
    return " ".join(" ".join(lector.partes).split())
