"""Revisión de los flujos: lo que `hermanamientos flujos validar` reporta."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from bot.acciones import nombres_de_acciones
from bot.flujos.definicion import FIN, Flujo, Paso
from bot.flujos.plantillas import (
    error_de_expresion,
    error_de_plantilla,
    variables_de_expresion,
    variables_de_plantilla,
)
from bot.flujos.tipos import TIPOS_ARCHIVO

NOMBRES_DEL_SISTEMA = frozenset({"datos", "respuestas", "textos", "hoy", "dichos", "propuesto",
                                 "canal", "recibe_archivos", "despues"})
"""Nombres que pone el sistema; `despues`: el trámite pedido antes de la bienvenida (la
bienvenida lo encadena sin ofrecer menú)."""
EXTRAS_POR_TIPO = {"ciudad": ("pais",), "nombre": ("cargo",), "estado": ("municipio",),
                   "fecha": ("prevista",)}
"""Lo que la respuesta de cada tipo de paso puede traer además (`tambien`)."""
MAX_PAYLOAD_BYTES = 64  # límite de Telegram para callback_data


@dataclass(frozen=True)
class Problema:
    """Un problema encontrado en un flujo."""

    flujo: str
    paso: str | None
    mensaje: str

    def __str__(self) -> str:
        donde = f"{self.flujo} / paso «{self.paso}»" if self.paso else self.flujo
        return f"{donde}: {self.mensaje}"


def destinos(flujo: Flujo, paso: Paso) -> list[str]:
    """Todos los pasos a los que se puede ir después de `paso` (incluye saltarlo)."""
    s = paso.siguiente
    salidas: list[str]
    if isinstance(s, str):
        salidas = [s]
    elif s:
        salidas = [r.ir for r in s]
        if all(r.si is not None for r in s):
            salidas.append(flujo.de_abajo(paso.id))
    else:
        salidas = [flujo.de_abajo(paso.id)]
    if paso.condicion:
        salidas.append(flujo.de_abajo(paso.id))
    return list(dict.fromkeys(salidas))


def alcanzables(flujo: Flujo) -> set[str]:
    """Pasos a los que se llega desde el inicio."""
    vistos: set[str] = set()
    por_visitar = [flujo.paso_inicial]
    while por_visitar:
        actual = por_visitar.pop()
        if actual in vistos or actual == FIN or not flujo.tiene(actual):
            continue
        vistos.add(actual)
        por_visitar.extend(destinos(flujo, flujo.paso(actual)))
    return vistos


def _plantillas(paso: Paso) -> Iterator[tuple[str, str]]:
    yield "pregunta", paso.pregunta
    for nombre, texto in (("ayuda", paso.ayuda), ("recordatorio", paso.recordatorio),
                          ("enlace", paso.enlace)):
        if texto:
            yield nombre, texto
    if paso.prellenar and paso.prellenar.pregunta:
        yield "prellenar.pregunta", paso.prellenar.pregunta
    for b in paso.botones:
        yield f"botón «{b.payload}»", b.titulo


def _expresiones(paso: Paso) -> Iterator[tuple[str, str]]:
    if paso.condicion:
        yield "condicion", paso.condicion
    if isinstance(paso.siguiente, list):
        for rama in paso.siguiente:
            if rama.si:
                yield f"siguiente → {rama.ir}", rama.si
    if paso.prellenar and paso.prellenar.desde:
        yield "prellenar.desde", paso.prellenar.desde
    for campo, expresion in paso.asignar.items():
        yield f"asignar.{campo}", expresion


def _payloads(paso: Paso) -> Iterator[str]:
    yield from (f"/op {o.valor}" for o in paso.opciones)
    yield from (b.payload for b in paso.botones)
    yield from (f"/corregir {c}" for c in paso.corregir)


def _nombres_conocidos(flujo: Flujo) -> set[str]:
    nombres = set(NOMBRES_DEL_SISTEMA) | set(flujo.contexto)
    for paso in flujo.pasos:
        if paso.campo:
            nombres.add(paso.campo.split(".")[0])
        nombres.update(c.split(".")[0] for c in paso.asignar)
        if paso.acumular:
            nombres.add(paso.acumular)
        nombres.update(c.split(".")[0] for c in paso.tambien.values())
    return nombres


def _revisar_paso(flujo: Flujo, paso: Paso, conocidos: set[str]) -> Iterator[str]:
    for destino in destinos(flujo, paso):
        if destino != FIN and not flujo.tiene(destino):
            yield f"«siguiente» apunta a «{destino}», que no existe"
    if paso.tipo != "confirmacion" and paso.corregir:
        yield "«corregir» solo se usa en pasos de tipo confirmacion"
    for objetivo in paso.corregir:
        if not flujo.tiene(objetivo):
            yield f"«corregir» menciona «{objetivo}», que no existe"
        elif not flujo.paso(objetivo).campo:
            yield f"«corregir» menciona «{objetivo}», que no guarda ningún dato"
    for extra in paso.tambien:
        if extra not in EXTRAS_POR_TIPO.get(paso.tipo, ()):
            yield f"«tambien» menciona «{extra}», que un paso {paso.tipo} no trae"
    campos = {p.campo for p in flujo.pasos if p.campo}
    for campo in paso.prellenar.confirma if paso.prellenar else []:
        if campo not in campos:
            yield f"«prellenar.confirma» menciona «{campo}», que ningún paso guarda"
    if paso.tipo in ("opcion", "multiopcion") and not paso.opciones:
        yield f"el paso es de tipo {paso.tipo} pero no tiene opciones"
    valores = [o.valor for o in paso.opciones]
    if len(valores) != len(set(valores)):
        yield "hay opciones con el mismo «valor»"
    for payload in _payloads(paso):
        if len(payload.encode()) > MAX_PAYLOAD_BYTES:
            yield f"el payload «{payload[:30]}…» pasa de {MAX_PAYLOAD_BYTES} bytes"
    if not paso.pregunta.strip():
        yield "falta el texto de «pregunta»"
    if paso.espera_respuesta and paso.tipo != "confirmacion" and not paso.campo:
        yield "falta «campo» (dónde guardar la respuesta)"
    conocidas = nombres_de_acciones()
    if paso.accion and paso.accion not in conocidas:
        yield (f"acción desconocida «{paso.accion}»; use una de: "
               f"{', '.join(sorted(conocidas))}")
    if paso.estado_de and paso.estado_de not in conocidos:
        yield f"«estado_de» menciona «{paso.estado_de}», que ningún paso guarda"
    if paso.acumular and not paso.campo:
        yield "«acumular» necesita un «campo»"
    if paso.validacion.regex:
        try:
            re.compile(paso.validacion.regex)
        except re.error as e:
            yield f"la expresión regular no es válida: {e}"
    for tipo in paso.validacion.tipos_archivo:
        if tipo.lower().lstrip(".") not in TIPOS_ARCHIVO:
            yield f"tipo de archivo no admitido «{tipo}»"
    for nombre, texto in _plantillas(paso):
        error = error_de_plantilla(texto)
        if error:
            yield f"{nombre}: la plantilla no compila ({error})"
            continue
        faltan = variables_de_plantilla(texto) - conocidos
        if faltan:
            yield f"{nombre}: usa variables que no existen: {', '.join(sorted(faltan))}"
    for nombre, texto in _expresiones(paso):
        error = error_de_expresion(texto)
        if error:
            yield f"{nombre}: la condición no compila ({error})"
            continue
        faltan = variables_de_expresion(texto) - conocidos
        if faltan:
            yield f"{nombre}: usa variables que no existen: {', '.join(sorted(faltan))}"


def _ciclos_sin_pregunta(flujo: Flujo) -> Iterator[str]:
    """Pasos `mensaje` que se encadenan en círculo sin esperar al usuario."""
    for inicio in flujo.pasos:
        if inicio.espera_respuesta:
            continue
        pila, vistos = [inicio.id], set()
        while pila:
            actual = pila.pop()
            for destino in destinos(flujo, flujo.paso(actual)):
                if destino == inicio.id:
                    yield inicio.id
                    pila.clear()
                    break
                if (destino not in vistos and flujo.tiene(destino)
                        and not flujo.paso(destino).espera_respuesta):
                    vistos.add(destino)
                    pila.append(destino)


def _revisar_pedidos(flujo: Flujo) -> Iterator[str]:
    """Lo que un pedido con palabras ya dice debe ser un campo de un paso y, si el paso tiene
    opciones, una de ellas."""
    por_campo = {p.campo: p for p in flujo.pasos if p.campo}
    for pedido in flujo.pedidos:
        for campo, valor in pedido.dice.items():
            paso = por_campo.get(campo)
            if paso is None:
                yield f"un pedido dice «{campo}», que ningún paso guarda"
            elif paso.opciones and valor not in {o.valor for o in paso.opciones}:
                yield f"un pedido dice {campo}={valor}, que no es una opción del paso «{paso.id}»"


def validar_flujo(flujo: Flujo) -> list[Problema]:
    """Todos los problemas de un flujo (lista vacía = está bien)."""
    problemas: list[Problema] = []
    conocidos = _nombres_conocidos(flujo)
    for paso in flujo.pasos:
        problemas.extend(Problema(flujo.id, paso.id, m) for m in
                         _revisar_paso(flujo, paso, conocidos))
    problemas.extend(Problema(flujo.id, "pedidos", m) for m in _revisar_pedidos(flujo))
    llegan = alcanzables(flujo)
    problemas.extend(
        Problema(flujo.id, p.id, "no se puede llegar a este paso desde el inicio")
        for p in flujo.pasos
        if p.id not in llegan
    )
    problemas.extend(
        Problema(flujo.id, paso_id, "forma un ciclo de mensajes sin ninguna pregunta")
        for paso_id in _ciclos_sin_pregunta(flujo)
    )
    return problemas


def validar_flujos(flujos: dict[str, Flujo]) -> list[Problema]:
    """Problemas de todos los flujos."""
    return [p for flujo in flujos.values() for p in validar_flujo(flujo)]
