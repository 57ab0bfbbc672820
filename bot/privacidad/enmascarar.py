"""Detección y ocultamiento de datos personales en texto libre: correos, teléfonos y nombres.

Es una red de seguridad (para la bitácora y para limpiar descripciones), no una garantía:
los nombres solo se reconocen cuando van rotulados («nombre: …», «name=…») o cuando se
conocen de antemano.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

OCULTO_CORREO = "[correo]"
OCULTO_TELEFONO = "[teléfono]"
OCULTO_NOMBRE = "[nombre]"

_CORREO = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Candidato a teléfono: dígitos con espacios, guiones, puntos o paréntesis; se valida abajo.
_TELEFONO = re.compile(r"(?<![\w-])\+?\(?\d[\d\s().-]{6,}\d(?![\w-])")
_FECHA = re.compile(r"\d{4}-\d{2}-\d{2}")
_VALOR_NOMBRE = r"(?:\"[^\"]*\"|'[^']*'|[^\W\d_][\w.'-]*(?:[ \t]+[^\W\d_][\w.'-]*){0,3})"
_NOMBRE_ROTULADO = re.compile(
    r"(?P<rotulo>\b(?:nombre|name|first_name|last_name|username|nombre_completo)\b"
    r"[\"']?\s*[:=]\s*"
    r"|\b(?:me llamo|mi nombre es)\s+)"
    rf"(?P<valor>{_VALOR_NOMBRE})",
    re.IGNORECASE,
)

CLAVES_PERSONALES = frozenset({
    "nombre", "name", "first_name", "last_name", "username", "nombre_usuario",
    "nombre_completo", "correo", "email", "telefono", "teléfono", "phone", "celular",
    "whatsapp", "texto", "text", "contacto", "comite",
})
"""Claves cuyo valor se oculta entero en estructuras (campos `extra` de la bitácora)."""


def _telefono(coincidencia: re.Match[str]) -> str:
    candidato = coincidencia.group(0)
    digitos = sum(c.isdigit() for c in candidato)
    if not 10 <= digitos <= 15 or _FECHA.search(candidato):
        return candidato
    return OCULTO_TELEFONO


def _nombre(coincidencia: re.Match[str]) -> str:
    return coincidencia.group("rotulo") + OCULTO_NOMBRE


def enmascarar(texto: str, conocidos: Iterable[str] = ()) -> str:
    """Oculta correos, teléfonos (10 a 15 dígitos), nombres rotulados y los valores
    `conocidos` (p. ej. el nombre de la persona) que aparezcan como palabras completas."""
    texto = _CORREO.sub(OCULTO_CORREO, texto)
    texto = _TELEFONO.sub(_telefono, texto)
    texto = _NOMBRE_ROTULADO.sub(_nombre, texto)
    for valor in sorted({v.strip() for v in conocidos if v and len(v.strip()) >= 4},
                        key=len, reverse=True):
        texto = re.sub(rf"(?<!\w){re.escape(valor)}(?!\w)", OCULTO_NOMBRE, texto,
                       flags=re.IGNORECASE)
    return texto


def enmascarar_valor(valor: Any, conocidos: Iterable[str] = ()) -> Any:
    """Enmascara cadenas dentro de diccionarios y listas; oculta entero lo que va bajo una
    clave personal. Números y demás tipos quedan igual (son ids)."""
    conocidos = tuple(conocidos)
    if isinstance(valor, str):
        return enmascarar(valor, conocidos)
    if isinstance(valor, dict):
        return {k: ("[oculto]" if str(k).lower() in CLAVES_PERSONALES and v not in (None, "")
                    else enmascarar_valor(v, conocidos)) for k, v in valor.items()}
    if isinstance(valor, (list, tuple)):
        return type(valor)(enmascarar_valor(v, conocidos) for v in valor)
    return valor
