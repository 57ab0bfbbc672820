"""Plantillas y condiciones de los flujos: Jinja2 en modo sandbox, sin `eval` de Python.

Los textos son texto plano (autoescape apagado): el canal escapa al renderizar.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import lru_cache
from typing import Any

from jinja2 import ChainableUndefined, TemplateSyntaxError, meta
from jinja2.sandbox import SandboxedEnvironment

from bot.nucleo import formato

log = logging.getLogger(__name__)


def fecha_larga(valor: Any) -> str:
    """'2025-03-15' o date → '15 de marzo de 2025'; 'aun_no' → 'aún no'."""
    if valor == "aun_no":
        return "aún no"
    if isinstance(valor, str):
        try:
            valor = dt.date.fromisoformat(valor[:10])
        except ValueError:
            return valor
    if isinstance(valor, dt.date):
        return formato.fecha_larga(valor)
    return "" if valor is None else str(valor)


def lista(valores: Any, conjuncion: str = "y") -> str:
    """['a', 'b', 'c'] → 'a, b y c'."""
    if valores is None or isinstance(valores, ChainableUndefined):
        return ""
    if isinstance(valores, str):
        return valores
    elementos = [str(v) for v in valores if v not in (None, "")]
    if len(elementos) <= 1:
        return "".join(elementos)
    return f"{', '.join(elementos[:-1])} {conjuncion} {elementos[-1]}"


@lru_cache(maxsize=1)
def entorno() -> SandboxedEnvironment:
    """El entorno Jinja2 compartido (sandbox, indefinidos encadenables, sin autoescape)."""
    env = SandboxedEnvironment(
        autoescape=False,
        undefined=ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["fecha_larga"] = fecha_larga
    env.filters["lista"] = lista
    return env


@lru_cache(maxsize=1024)
def _plantilla(texto: str) -> Any:
    return entorno().from_string(texto)


@lru_cache(maxsize=1024)
def _expresion(texto: str) -> Any:
    return entorno().compile_expression(texto, undefined_to_none=True)


def render(texto: str, variables: dict[str, Any]) -> str:
    """Renderiza una plantilla; si falla, registra el error y devuelve el texto sin procesar."""
    if "{" not in texto:
        return texto.strip()
    try:
        return str(_plantilla(texto).render(variables)).strip()
    except Exception:  # noqa: BLE001 - una plantilla rota no debe tumbar la conversación
        log.exception("plantilla de flujo falló")
        return texto.strip()


def evaluar(expresion: str, variables: dict[str, Any]) -> Any:
    """Evalúa una expresión Jinja2 (p. ej. `pais.codigo == 'MX'`); si falla, devuelve None."""
    try:
        valor = _expresion(expresion)(**variables)
    except Exception:  # noqa: BLE001 - una condición rota se toma como falsa
        log.exception("expresión de flujo falló: %s", expresion)
        return None
    return None if isinstance(valor, ChainableUndefined) else valor


def verdadera(expresion: str | None, variables: dict[str, Any]) -> bool:
    """¿La condición se cumple? Sin condición, sí."""
    if expresion is None or not expresion.strip():
        return True
    return bool(evaluar(expresion, variables))


def error_de_plantilla(texto: str) -> str | None:
    """Mensaje de error si la plantilla no compila; None si está bien."""
    try:
        entorno().parse(texto)
    except TemplateSyntaxError as e:
        return f"línea {e.lineno}: {e.message}"
    return None


def error_de_expresion(texto: str) -> str | None:
    """Mensaje de error si la expresión no compila; None si está bien."""
    try:
        entorno().compile_expression(texto)
    except TemplateSyntaxError as e:
        return str(e.message)
    return None


def variables_de_plantilla(texto: str) -> set[str]:
    """Nombres de variables libres que usa una plantilla (debe compilar)."""
    return set(meta.find_undeclared_variables(entorno().parse(texto)))


def variables_de_expresion(texto: str) -> set[str]:
    """Nombres de variables libres que usa una expresión (debe compilar)."""
    return variables_de_plantilla("{{ (" + texto + ") }}")
