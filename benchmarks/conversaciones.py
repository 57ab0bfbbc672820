"""La conversación completa que repiten los usuarios simulados, paso por paso.

Perfil y registro se toman de tests/conversacion.py (la conversación de ejemplo de las
pruebas), así que siguen a los flujos si cambian. Un mensaje que empieza con «/» es un
botón pulsado (su payload).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from benchmarks.comun import DIR_TESTS

PREGUNTAS = ["que es el dictamen de la sre", "pasos para hacer un hermanamiento"]
CIERRE = ["/iniciar seguimiento", "muchas gracias"]


@dataclass(frozen=True)
class Paso:
    """Un mensaje de la conversación con su etiqueta para las tablas."""

    etiqueta: str
    mensaje: str

    @property
    def es_boton(self) -> bool:
        return self.mensaje.startswith("/")


def _de_pruebas() -> tuple[list[str], list[str]]:
    if str(DIR_TESTS) not in sys.path:
        sys.path.insert(0, str(DIR_TESTS))
    import conversacion

    return list(conversacion.PERFIL), list(conversacion.REGISTRO)


def conversacion_completa() -> list[Paso]:
    """Saludo y perfil, dos preguntas libres, el registro hasta el folio y el seguimiento."""
    perfil, registro = _de_pruebas()
    pasos = [Paso(f"bienvenida {i + 1}: {m}", m) for i, m in enumerate(perfil)]
    pasos += [Paso(f"pregunta: {m}", m) for m in PREGUNTAS]
    pasos += [Paso(f"registro {i + 1}: {m}", m) for i, m in enumerate(registro)]
    pasos += [Paso(f"cierre: {m}", m) for m in CIERRE]
    return pasos
