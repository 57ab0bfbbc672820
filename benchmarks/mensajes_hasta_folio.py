"""Mensajes de la persona hasta el folio, para una funcionaria realista: da sus datos en el
primer mensaje, escribe en vez de pulsar botones y corrige un dato en el resumen. Corre el
motor real (`crear_servicios(ajustes, con_nlu=False)`, SQLite temporal migrada y con
catálogo; el texto libre usa el respaldo por palabras clave) y cuenta los mensajes que ella
manda hasta que aparece el folio. Meta (issue 19): ≤ 18 mensajes (ideal ≤ 15), sin
preguntarle otra vez lo que ya dijo.

Uso: .venv/bin/python -m benchmarks.mensajes_hasta_folio [--escribir]
     (escribe la sección «mensajes_hasta_folio» de BENCHMARKS.md)
"""

from __future__ import annotations

import argparse
import asyncio
import re

from benchmarks.pasos_flujo import servicios_temporales
from bot.nucleo.mensajes import Canal, MensajeEntrante

META = 18
IDEAL = 15
FUNCIONARIA = [
    "Buenas tardes, somos de San Pedro Garza García, Nuevo León, y queremos registrar un "
    "hermanamiento con San Antonio, Texas, q piden?",
    "si acepto",
    "si, soy funcionaria",
    "Alicia Torres",
    "si",
    "cultura turismo y economia, tambien seguridad",
    "que los artesanos vendan alla y que haya intercambio de estudiantes",
    "no ninguno",
    "aun no, la sesion es el 15 de enero",
    "ninguno",
    "no, va a ser mi compañero el lic. Jorge Canul, director de relaciones internacionales",
    "jorge.canul@sanpedro.gob.mx",
    "(81) 8400 4412 ext 12",
    "el correo esta mal, es jcanul@sanpedro.gob.mx",
    "ya todo bien, confirmo",
]
"""Lo que escribe, en orden (sin botones: todo con palabras)."""
# Preguntas que no deben salir: ya las contestó en su primer mensaje o en otra respuesta.
YA_DICHO = ["¿De qué estado es?", "¿Y de qué municipio?", "¿Con qué ciudad", "¿Qué tipo de acuerdo",
            "¿En qué país", "¿Cuál es su nombre completo?", "¿Qué cargo"]
FOLIO = re.compile(r"CH-\d{4}-[A-Z]+-\d{4}")


async def recorrer() -> tuple[int, list[str], list[tuple[str, str]]]:
    """(mensajes hasta el folio, preguntas repetidas, transcripción)."""
    transcripcion: list[tuple[str, str]] = []
    repetidas: list[str] = []
    async with servicios_temporales("bench-folio-") as servicios:
        for n, texto in enumerate(FUNCIONARIA, start=1):
            respuestas = await servicios.motor.procesar(MensajeEntrante(
                Canal.REST, "funcionaria", f"funcionaria-{n}", texto=texto))
            dicho = "\n".join(r.texto for r in respuestas)
            if not dicho.strip():
                raise RuntimeError(f"respuesta vacía al mensaje {n}: {texto!r}")
            transcripcion.append((texto, dicho))
            repetidas += [p for p in YA_DICHO if p in dicho]
            if FOLIO.search(dicho):
                return n, repetidas, transcripcion
    raise RuntimeError("no llegó al folio:\n" + "\n".join(f"> {a}\n{b}" for a, b in
                                                         transcripcion[-3:]))


def tabla(mensajes: int, repetidas: list[str], transcripcion: list[tuple[str, str]]) -> str:
    """Cuerpo Markdown de la sección."""
    cumple = "sí" if mensajes <= META and not repetidas else "NO"
    filas = [
        "Una funcionaria realista registra su iniciativa: da municipio, estado y ciudad "
        "contraparte en su primer mensaje, escribe cada respuesta con sus palabras (ningún "
        "botón), dice «aún no» con la fecha prevista del Cabildo, nombra a otro enlace con su "
        "cargo en un mensaje y corrige el correo en el resumen. Motor real "
        "(`crear_servicios(ajustes, con_nlu=False)`, sin HTTP), SQLite temporal migrada y con "
        "catálogo; el texto libre usa el respaldo por palabras clave (sin servidor NLU). "
        "Comando: `.venv/bin/python -m benchmarks.mensajes_hasta_folio --escribir`.",
        "",
        f"Meta (issue 19): ≤ {META} mensajes (ideal ≤ {IDEAL}) y ninguna pregunta por lo que "
        f"ya dijo. Resultado: **{mensajes} mensajes** hasta el folio; preguntas repetidas: "
        f"{len(repetidas)}{' (' + ', '.join(repetidas) + ')' if repetidas else ''} → cumple: "
        f"**{cumple}**.",
        "",
        "| # | Ella escribe | El asistente (inicio de la respuesta) |",
        "|---|---|---|",
    ]
    for n, (texto, dicho) in enumerate(transcripcion, start=1):
        linea = " ".join(dicho.split())
        corta = linea if len(linea) <= 110 else linea[:107] + "…"
        filas.append(f"| {n} | {texto.replace('|', '/')} | {corta.replace('|', '/')} |")
    return "\n".join(filas)


def main() -> None:
    partes = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    partes.add_argument("--escribir", action="store_true",
                        help="Escribe la sección «mensajes_hasta_folio» en BENCHMARKS.md.")
    args = partes.parse_args()
    cuerpo = tabla(*asyncio.run(recorrer()))
    print(cuerpo)
    if args.escribir:
        from bot.benchmarks_md import escribir_seccion

        escribir_seccion("mensajes_hasta_folio",
                         "Mensajes hasta el folio de una funcionaria realista", cuerpo)


if __name__ == "__main__":
    main()
