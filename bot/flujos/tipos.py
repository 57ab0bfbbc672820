"""Intérpretes de respuesta por tipo de paso, tolerantes a cómo escribe la gente."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from bot.flujos.catalogo import CatalogoGeografico, estado_a_dict, municipio_a_dict
from bot.flujos.definicion import Opcion, Paso
from bot.flujos.fechas import (
    ANIOS_ADELANTE,
    ANIOS_ATRAS,
    FechaLeida,
    leer_fecha,
    leer_fecha_prevista,
)
from bot.flujos.menciones import leer_menciones, nombre_en_oracion
from bot.flujos.modelos import Entrada
from bot.flujos.nombres import lugar_propio
from bot.flujos.paises import Pais, buscar_pais, pais_exacto, region_extranjera
from bot.nucleo.formato import fecha_larga, leer_telefono, telefono
from bot.nucleo.mensajes import Boton
from bot.texto import normalizar

SI = frozenset({
    "si", "simon", "claro", "ok", "okay", "oki", "va", "vale", "de acuerdo", "acepto", "sip",
    "sii", "siii", "por supuesto", "afirmativo", "correcto", "asi es", "esta bien", "dale",
    "yes", "andale", "orale", "confirmo", "exacto", "perfecto", "si acepto", "claro que si",
    "sale", "ya", "si por favor", "de acuerdo gracias", "aja", "cierto", "es correcto",
})
NO = frozenset({
    "no", "nel", "nop", "nope", "negativo", "para nada", "no acepto", "no gracias",
    "nada", "tampoco", "no es", "incorrecto", "nah", "nones", "no por ahora",
})
OMITIR = frozenset({
    "omitir", "saltar", "brincar", "siguiente", "no tengo", "ninguno", "ninguna", "nada",
    "no hay", "despues", "luego", "mas tarde", "lo subo despues", "na", "n a", "sin",
    "ningunos", "no aplica", "paso", "aun no", "todavia no", "aun no hay", "todavia no hay",
})
LISTO = frozenset({"listo", "ya", "ya es todo", "es todo", "terminar", "termine", "eso es todo"})
TODAS = frozenset({"todas", "todos", "todas las anteriores", "todas ellas"})
TIPOS_ARCHIVO = ("pdf", "docx", "jpg", "jpeg", "png")
_MIME = {
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "image/jpeg": "jpg",
    "image/png": "png",
}
_CORREO = re.compile(r"^[a-z0-9._%+\-]+@[a-z0-9\-]+(\.[a-z0-9\-]+)*\.[a-z]{2,}$")
_NUMERO_OPCION = re.compile(r"^(?:la |el |opcion |numero |num |no )?(\d{1,2})$")
_PALABRAS_NUM = {
    "cero": 0, "uno": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6,
    "siete": 7, "ocho": 8, "nueve": 9, "diez": 10, "once": 11, "doce": 12, "quince": 15,
    "veinte": 20,
}
MAX_CANDIDATOS = 8


@dataclass(frozen=True)
class Lectura:
    """Lo que se entendió: un valor (con su forma legible), un error, o algo por resolver.

    Si `pendiente` viene, el paso sigue abierto y `aviso` + `botones` preguntan lo que falta.
    """

    valor: Any = None
    texto: str = ""
    error: str | None = None
    pendiente: dict[str, Any] | None = None
    aviso: str = ""
    botones: list[Boton] = field(default_factory=list)
    extras: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Otros datos dichos en la misma respuesta, por nombre ({valor, texto}): el país de
    «San Antonio, Texas», el cargo de «Jorge Canul, director…», la fecha prevista de
    «aún no, la sesión es el 15 de enero». El paso dice en `tambien` a qué campo va cada uno."""

    @property
    def lista(self) -> bool:
        """¿Hay valor definitivo?"""
        return self.error is None and self.pendiente is None


_INTERROGATIVAS = frozenset({"que", "q", "como", "cual", "cuales", "cuando", "donde", "adonde",
                            "porque", "quien", "quienes", "cuanto", "cuanta", "cuantos",
                            "cuantas", "k"})
_PETICION = ("necesito", "puedo", "puede", "pueden", "podria", "podrian", "me puede",
             "me podria", "quiero saber", "quisiera saber", "tengo una duda", "una pregunta",
             "una duda", "hay que", "se puede", "debo", "tengo que", "explique", "expliqueme",
             "digame", "dime", "por que", "para que", "a que", "de que", "en que", "con que")
# «que los artesanos vendan allá»: «que» + esto es un deseo (un objetivo), no una pregunta.
_DESEO = frozenset({"los", "las", "el", "la", "lo", "se", "nos", "les", "haya", "hayan", "sea",
                    "sean", "exista", "existan", "puedan", "podamos", "tengamos", "haga",
                    "hagan", "mas", "ambos", "ambas", "nuestros", "nuestras", "nuestra",
                    "nuestro", "sus", "su", "mejore", "mejoren", "crezca", "crezcan",
                    "aumente", "aumenten", "vengan", "vayan", "conozcan", "aprendan", "todos",
                    "todas", "cada", "muchos", "muchas", "jovenes", "estudiantes"})
_MULETILLAS = frozenset({"y", "pero", "oye", "oiga", "bueno", "pues", "perdon", "disculpe",
                         "ah", "eh", "entonces", "ok", "gracias", "hola", "una", "otra"})


def es_peticion(texto: str) -> bool:
    """¿Es claramente una pregunta u otra petición, y no una respuesta? «¿qué hace la
    oficina estatal?», «q piden?», «necesito ayuda». No lo son «pues en colombia no?» (una
    respuesta que pide confirmación) ni «que los artesanos vendan allá» (un deseo)."""
    palabras = normalizar(texto).split()
    while palabras and palabras[0] in _MULETILLAS and len(palabras) > 1:
        palabras = palabras[1:]
    if not palabras:
        return False
    if palabras[0] in _INTERROGATIVAS:
        if palabras[0] in ("que", "q") and len(palabras) > 1 and palabras[1] in _DESEO \
                and "?" not in texto:
            return False
        return len(palabras) > 1 or "?" in texto
    return " ".join(palabras).startswith(_PETICION) and len(palabras) > 1


_RELLENO_INICIAL = re.compile(
    r"^\s*(?:(?:ya (?:le|te|les) (?:dije|comente|escribi|habia dicho)|como (?:le|te) dije|"
    r"ya (?:lo )?dije|pues|bueno|este|mmm+|eh|ah|ok|si|s[ií]|claro|es|era|ser[ií]a|se llama|"
    r"la ciudad (?:es|de|se llama)|con|creo que|yo creo que|en|de)\b[\s,.:;-]*)+", re.I)
_RELLENO_FINAL = re.compile(r"(?:[\s,]+(?:no|verdad|creo|gracias|por favor)\b)*[\s,.?!¿¡]*$",
                            re.I)


def quitar_relleno(texto: str) -> str:
    """El dato sin lo que lo rodea: «ya le dije, cartagena de indias» → «cartagena de
    indias»; «pues en colombia no?» → «colombia»."""
    limpio = _RELLENO_INICIAL.sub("", texto.strip())
    limpio = _RELLENO_FINAL.sub("", limpio)
    return limpio.strip(" ,.;:¿?¡!") or texto.strip()


def leer_si_no(entrada: Entrada) -> bool | None:
    """True, False o None si no se entiende."""
    if entrada.payload in ("/si", "/no"):
        return entrada.payload == "/si"
    n = normalizar(entrada.texto)
    if n in SI or n.startswith("si "):
        return True
    if n in NO or n.startswith("no "):
        return False
    return None


_ALREDEDOR_DE_OMITIR = re.compile(r"^(?:no|pues|este|bueno|la verdad)\s+|\s+(?:gracias|por ahora|"
                                  r"todavia|aun|la verdad)$")


def es_omitir(entrada: Entrada) -> bool:
    """¿El usuario pidió saltar el dato? («omitir», «no hay», «no ninguno»)."""
    if entrada.payload == "/omitir":
        return True
    n = normalizar(entrada.texto)
    if n == "no":
        return True
    anterior = None
    while n != anterior:
        anterior, n = n, _ALREDEDOR_DE_OMITIR.sub("", n)
    return n in OMITIR or (n != normalizar(entrada.texto) and n in {"hay", "tenemos"})


def _titulo(op: Opcion) -> str:
    return op.titulo


def elegir_opcion(
    texto: str, opciones: Sequence[Opcion], payload: str | None = None, *, exacta: bool = False
) -> Opcion | None:
    """La opción por payload (`/op valor`), número, título, valor, sinónimo o parecido.

    Con `exacta`, solo por payload, número o forma escrita idéntica (sin aproximar).
    """
    if payload and payload.startswith("/op "):
        valor = payload[4:]
        return next((o for o in opciones if o.valor == valor), None)
    n = normalizar(texto)
    if not n or not opciones:
        return None
    if m := _NUMERO_OPCION.match(n):
        i = int(m[1])
        return opciones[i - 1] if 1 <= i <= len(opciones) else None
    if n in _PALABRAS_NUM and 1 <= _PALABRAS_NUM[n] <= len(opciones):
        return opciones[_PALABRAS_NUM[n] - 1]
    formas: dict[str, int] = {}
    for i, o in enumerate(opciones):
        for forma in (o.titulo, o.valor.replace("_", " "), *o.sinonimos):
            formas.setdefault(normalizar(forma), i)
    if n in formas:
        return opciones[formas[n]]
    if exacta:
        return None
    contienen = {i for f, i in formas.items() if re.search(rf"\b{re.escape(n)}\b", f)}
    if len(contienen) == 1 and len(n) >= 3:
        return opciones[contienen.pop()]
    if len(n) < 4:
        return None
    hallados = process.extract(n, list(formas), scorer=fuzz.WRatio, limit=6, score_cutoff=86)
    distintos: dict[int, float] = {}
    for forma, puntaje, _ in hallados:
        distintos.setdefault(formas[forma], puntaje)
    if not distintos:
        return None
    orden = sorted(distintos.items(), key=lambda par: -par[1])
    if len(orden) > 1 and orden[0][1] - orden[1][1] < 4:
        return None
    return opciones[orden[0][0]]


def botones_de_opciones(opciones: Sequence[Opcion]) -> list[Boton]:
    """Un botón por opción, con payload `/op <valor>`."""
    return [Boton(titulo=o.titulo, payload=f"/op {o.valor}") for o in opciones]


def _error(paso: Paso, por_omision: str) -> Lectura:
    return Lectura(error=paso.validacion.mensaje or por_omision)


def _leer_texto(paso: Paso, texto: str, minimo: int = 1) -> Lectura:
    t = texto.strip()
    v = paso.validacion
    if len(t) < max(minimo, v.min_longitud or 0):
        faltan = max(minimo, v.min_longitud or 0)
        return _error(paso, f"Escriba al menos {faltan} caracteres, por favor.")
    if v.max_longitud is not None and len(t) > v.max_longitud:
        return _error(paso, f"Es demasiado largo: use como máximo {v.max_longitud} caracteres.")
    if v.regex and not re.fullmatch(v.regex, t):
        return _error(paso, "El dato no tiene el formato esperado.")
    return Lectura(valor=t, texto=t)


def _leer_ciudad(paso: Paso, texto: str, catalogo: CatalogoGeografico | None,
                 hoy: dt.date) -> Lectura:
    """La ciudad contraparte, sacada de la oración («ya le dije, cartagena de indias»). Si
    viene con su región o su país («San Antonio, Texas», «Lyon, Francia»), el país va en
    `extras`."""
    dichas = leer_menciones(texto, catalogo, hoy, contraparte=True)
    extras = {"pais": dichas.pais.a_json()} if dichas.pais is not None else {}
    if dichas.ciudad is not None and dichas.pais is not None:
        return Lectura(valor=dichas.ciudad.valor, texto=dichas.ciudad.texto, extras=extras)
    t = quitar_relleno(texto).strip(".")
    if dichas.pais is not None:  # «Lyon Francia»: sin el país, queda la ciudad
        t = _sin_pais(t)
    letras = sum(c.isalpha() for c in t)
    if letras < 2 or len(t) > 120 or es_peticion(t) or normalizar(t) in _NO_ES_LUGAR:
        return _error(paso, "Escriba el nombre de la ciudad, por ejemplo «San Antonio, Texas».")
    lectura = _leer_texto(paso, t, minimo=2)
    if lectura.error is not None:
        return lectura

    def municipios(parte: str) -> list[str]:
        return [m.nombre for m in catalogo.buscar_municipio(parte)] if catalogo else []

    propia = lugar_propio(t, municipios)
    return Lectura(valor=propia, texto=propia, extras=extras)


_NO_ES_LUGAR = frozenset({"si", "no", "ok", "gracias", "nada", "ninguna", "ninguno", "hola",
                          "no se", "no lo se", "todavia no", "aun no"})


def _sin_pais(texto: str) -> str:
    """«Lyon Francia» → «Lyon» (el país ya se tomó aparte)."""
    palabras = texto.replace(",", " ").split()
    for corte in range(len(palabras) - 1, 0, -1):
        if pais_exacto(" ".join(palabras[corte:])) is not None:
            return " ".join(palabras[:corte])
    return texto


def _leer_nombre(paso: Paso, texto: str, catalogo: CatalogoGeografico | None) -> Lectura:
    """El nombre de una persona, en forma de nombre propio («Guadalupe Ramírez López»),
    sacado de la oración («Dra. Alicia Torres, tengo…» → «Alicia Torres»). Si trae el cargo
    («Jorge Canul, director de turismo»), va en `extras`."""
    t = texto.strip().strip(".")
    # Un correo solo no es un nombre; en una oración, `nombre_en_oracion` lo deja fuera.
    if sum(c.isalpha() for c in t) < 2 or ("@" in t and len(t.split()) == 1) \
            or es_peticion(t):
        return _error(paso, "Escriba el nombre, por ejemplo «Laura Méndez».")
    nombre, cargo = nombre_en_oracion(t)
    if nombre is None:
        return _error(paso, "Escriba el nombre, por ejemplo «Laura Méndez».")
    forma = normalizar(nombre)
    if pais_exacto(forma) is not None or (catalogo is not None
                                          and catalogo.estado_exacto(forma) is not None):
        return _error(paso, f"«{nombre}» parece un lugar. Escriba el nombre de la persona, "
                      "por ejemplo «Laura Méndez».")
    lectura = _leer_texto(paso, nombre, minimo=2)
    if lectura.error is not None:
        return lectura
    extras = {"cargo": {"valor": cargo, "texto": cargo}} if cargo else {}
    return Lectura(valor=nombre, texto=nombre, extras=extras)


def _leer_numero(paso: Paso, texto: str) -> Lectura:
    n = normalizar(texto).replace(" ", "")
    crudo = texto.strip().replace(",", "").replace(" ", "")
    valor: float | None
    try:
        valor = float(crudo)
    except ValueError:
        valor = float(_PALABRAS_NUM[n]) if n in _PALABRAS_NUM else None
    if valor is None or valor != valor or valor in (float("inf"), float("-inf")):
        return _error(paso, "Escriba solo el número, por ejemplo 3.")
    v = paso.validacion
    if (v.min is not None and valor < v.min) or (v.max is not None and valor > v.max):
        rango = f"entre {v.min:g} y {v.max:g}" if v.min is not None and v.max is not None else (
            f"de al menos {v.min:g}" if v.min is not None else f"de máximo {v.max:g}"
        )
        return _error(paso, f"El número debe ser {rango}.")
    entero = int(valor) if valor.is_integer() else valor
    return Lectura(valor=entero, texto=f"{entero}")


def _leer_correo(paso: Paso, texto: str) -> Lectura:
    t = texto.strip().strip("<>").lower()
    t = t.removeprefix("mailto:")
    if not _CORREO.match(t) and (dicho := leer_menciones(texto, None).correo) is not None:
        t = str(dicho.valor)  # «es jorge.canul@cancun.gob.mx, y el teléfono…»
    if not _CORREO.match(t) or ".." in t or len(t) > 200:
        return _error(
            paso, "Ese correo no parece válido; debe verse como nombre@municipio.gob.mx."
        )
    return Lectura(valor=t, texto=t)


def _leer_telefono(paso: Paso, texto: str) -> Lectura:
    """Teléfono de México: se guarda en E.164 («+528112345678», con «;ext=12» si trae
    extensión) y se muestra como se marca («81 1234 5678», «869 696 8011 ext. 12»)."""
    guardado = leer_telefono(texto.strip())
    if guardado is None and (dicho := leer_menciones(texto, None).telefono) is not None:
        guardado = str(dicho.valor)  # «el 81 8400 4412, y el correo…»
    if guardado is None:
        return _error(paso, "Necesito un teléfono de México de 10 dígitos, por ejemplo "
                      "81 1234 5678 (si tiene extensión: 81 1234 5678 ext. 12).")
    return Lectura(valor=guardado, texto=telefono(guardado))


def _fuera_de_rango(leida: FechaLeida, hoy: dt.date) -> str:
    entendida = leida.entendida or hoy
    if entendida < hoy:
        lejos = f"es de hace más de {ANIOS_ATRAS} años"
    else:
        lejos = f"está a más de {ANIOS_ADELANTE} años de hoy"
    return f"Esa fecha ({fecha_larga(entendida)}) {lejos}. Revise el año y escríbala de nuevo."


def _leer_fecha(paso: Paso, texto: str, hoy: dt.date) -> Lectura:
    v = paso.validacion
    leida = leer_fecha(texto, hoy, permite_aun_no=v.permite_aun_no, no_futura=v.no_futura)
    if leida.aun_no:
        prevista = leer_fecha_prevista(texto, hoy)
        extras = ({"prevista": {"valor": prevista.isoformat(), "texto": fecha_larga(prevista)}}
                  if prevista is not None else {})
        return Lectura(valor="aun_no", texto="aún no", extras=extras)
    if leida.fecha is not None:
        return Lectura(valor=leida.fecha.isoformat(), texto=fecha_larga(leida.fecha))
    extra = " o «aún no»" if v.permite_aun_no else ""
    if leida.problema == "fuera_de_rango":
        return Lectura(error=_fuera_de_rango(leida, hoy))
    if leida.problema == "futura":
        return Lectura(error=f"Esa fecha todavía no llega. Escriba una fecha pasada{extra}.")
    if leida.problema == "inexistente":
        return Lectura(error="Esa fecha no existe en el calendario. Revise el día y el mes.")
    if leida.problema == "aun_no_no_permitido":
        return Lectura(error="Aquí necesito una fecha, por ejemplo 15/03/2025.")
    return _error(paso, f"Escriba la fecha como 15/03/2025 o «15 de marzo de 2025»{extra}.")


def _leer_pais(paso: Paso, texto: str) -> Lectura:
    """El país, también dentro de una oración («pues en colombia no?») o por su región
    («Texas»)."""
    pais = buscar_pais(texto) or buscar_pais(quitar_relleno(texto)) or _pais_en_oracion(texto)
    if pais is None:
        return _error(paso, "No reconocí el país. Escríbalo en español, por ejemplo «Francia».")
    return Lectura(valor={"codigo": pais.codigo, "nombre": pais.nombre}, texto=pais.nombre)


def _pais_en_oracion(texto: str) -> Pais | None:
    """El único país (o región de un país) que se nombra en la oración."""
    palabras = normalizar(texto).split()
    hallados: dict[str, Pais] = {}
    for largo in range(min(5, len(palabras)), 0, -1):
        for i in range(len(palabras) - largo + 1):
            forma = " ".join(palabras[i:i + largo])
            region = region_extranjera(forma)
            pais = pais_exacto(forma) or (region.pais if region is not None else None)
            if pais is not None and len(forma) >= 3:
                hallados.setdefault(pais.codigo, pais)
    return next(iter(hallados.values())) if len(hallados) == 1 else None


def _leer_opcion(paso: Paso, entrada: Entrada, variables: dict[str, Any]) -> Lectura:
    op = elegir_opcion(entrada.texto, paso.opciones, entrada.payload)
    if op is None:
        return _error(paso, _no_reconocida(paso.opciones, _con_numeros(variables)))
    return Lectura(valor=op.valor, texto=op.titulo)


MAXIMO_OPCIONES_EN_PALABRAS = 5


def _no_reconocida(opciones: Sequence[Opcion], con_numeros: bool) -> str:
    """Qué decir si la respuesta no es ninguna opción: las opciones dichas en palabras cuando
    son pocas («¿Es funcionario municipal, integrante de comité, ciudadano o asesor
    estatal?»), para quien no ve o no entiende los botones."""
    if con_numeros:
        return "No reconocí la opción. Escriba su número de la lista."
    if not 2 <= len(opciones) <= MAXIMO_OPCIONES_EN_PALABRAS:
        return "No reconocí la opción. Pulse un botón o escríbala como aparece."
    titulos = [o.titulo[0].lower() + o.titulo[1:] if o.titulo[1:2].islower() else o.titulo
               for o in opciones]
    ultimo = titulos[-1]
    o = "u" if normalizar(ultimo).startswith(("o", "ho")) else "o"
    return f"No reconocí la opción. ¿Cuál es: {', '.join(titulos[:-1])} {o} {ultimo}?"


# Palabras que acompañan a los nombres de las opciones sin ser una («cultura, turismo y
# también seguridad», «nos interesa la economía»).
_RELLENO_VARIAS = frozenset({
    "y", "e", "o", "u", "tambien", "ademas", "asi", "como", "la", "el", "los", "las", "lo",
    "de", "del", "en", "con", "area", "areas", "tema", "temas", "mas", "pues", "igual", "un",
    "una", "me", "nos", "interesa", "interesan", "queremos", "quisieramos", "cooperar",
    "colaborar", "sobre", "por", "favor", "todo", "principalmente", "sobretodo", "etc",
    "a", "al", "que", "seria", "serian", "son", "es", "bueno", "ah",
    # «solo el acta», «nomás el acta y el POA», «ya tenemos el acta», «ninguno todavía»
    "solo", "solamente", "nomas", "unicamente", "nada", "tengo", "tenemos", "ya", "todavia",
    "aun", "ahorita", "ahora",
})
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
MAX_PALABRAS_OPCION = 4


def _con_numeros(variables: dict[str, Any]) -> bool:
    """¿El canal muestra los botones numerados? (Solo la terminal.)"""
    return variables.get("canal") == "terminal"


def _por_nombres(texto: str, opciones: Sequence[Opcion]) -> tuple[list[Opcion], list[str]]:
    """Las opciones nombradas en el texto, en orden, y lo que sobró sin reconocer (con las
    palabras de la persona). Acepta comas, espacios, «y», números de la lista y errores
    pequeños de escritura: «cultura turismo y economia, tambien seguridad»."""
    palabras = [(m.group(0), normalizar(m.group(0))) for m in _TOKEN.finditer(texto)]
    formas: dict[str, int] = {}
    for i, o in enumerate(opciones):
        for forma in (o.titulo, o.valor.replace("_", " "), *o.sinonimos):
            formas.setdefault(normalizar(forma), i)
    sueltas = {f: i for f, i in formas.items() if " " not in f and len(f) >= 5}
    elegidas: list[Opcion] = []
    sobrantes: list[list[str]] = []
    seguidas = False  # ¿la palabra anterior tampoco se reconoció?
    i = 0
    while i < len(palabras):
        hallada: tuple[int, int] | None = None  # (opción, palabras que ocupa)
        for largo in range(min(MAX_PALABRAS_OPCION, len(palabras) - i), 0, -1):
            frase = " ".join(n for _, n in palabras[i:i + largo])
            if frase in formas:
                hallada = (formas[frase], largo)
                break
        original, forma = palabras[i]
        if hallada is None and forma.isdigit() and 1 <= int(forma) <= len(opciones):
            hallada = (int(forma) - 1, 1)
        if hallada is None and len(forma) >= 5 and sueltas:
            parecida = process.extractOne(forma, list(sueltas), scorer=fuzz.ratio,
                                          score_cutoff=84)
            if parecida is not None:
                hallada = (sueltas[parecida[0]], 1)
        if hallada is not None:
            op = opciones[hallada[0]]
            if op not in elegidas:
                elegidas.append(op)
            i += hallada[1]
            seguidas = False
            continue
        if forma in _RELLENO_VARIAS:
            seguidas = False
        elif seguidas:
            sobrantes[-1].append(original)
        else:
            sobrantes.append([original])
            seguidas = True
        i += 1
    return elegidas, [" ".join(s) for s in sobrantes]


def _leer_multiopcion(paso: Paso, entrada: Entrada, pendiente: dict[str, Any] | None,
                      variables: dict[str, Any] | None = None) -> Lectura:
    elegidas: list[str] = list((pendiente or {}).get("seleccion", []))
    por_valor = {o.valor: o for o in paso.opciones}
    numeros = _con_numeros(variables or {})

    def cerrar(valores: list[str]) -> Lectura:
        opciones = [por_valor[v] for v in valores if v in por_valor]
        if len(opciones) > 1:
            opciones = [o for o in opciones if not o.exclusiva] or opciones[:1]
        return Lectura(valor=[o.valor for o in opciones], texto=", ".join(_titulo(o) for o in
                                                                         opciones))

    def seguir_eligiendo(aviso: str) -> Lectura:
        restantes = [o for o in paso.opciones if o.valor not in elegidas and not o.exclusiva]
        return Lectura(
            pendiente={"tipo": "seleccion", "seleccion": elegidas},
            aviso=aviso,
            botones=[*botones_de_opciones(restantes), Boton("Listo", "/listo")],
        )

    def anotadas() -> str:
        return ", ".join(por_valor[v].titulo for v in elegidas if v in por_valor)

    n = normalizar(entrada.texto)
    if entrada.payload == "/listo" or (not entrada.payload and n in LISTO):
        if elegidas:
            return cerrar(elegidas)
        return _error(paso, "Aún no elige ninguna opción. Pulse una o escriba "
                      + ("sus números." if numeros else "su nombre."))
    if entrada.payload and entrada.payload.startswith("/op "):
        op = elegir_opcion("", paso.opciones, entrada.payload)
        if op is None:
            return _error(paso, "Esa opción ya no está disponible; elija otra de la lista.")
        if op.exclusiva:
            return cerrar([op.valor])
        if op.valor not in elegidas:
            elegidas.append(op.valor)
        return seguir_eligiendo(f"Anotado: {anotadas()}. Puede elegir otra o pulsar «Listo».")
    if n in TODAS:
        return cerrar([o.valor for o in paso.opciones if not o.exclusiva])
    entera = elegir_opcion(entrada.texto, paso.opciones, exacta=True)
    if entera is not None:
        return cerrar([*elegidas, entera.valor])
    nombradas, sobrantes = _por_nombres(entrada.texto, paso.opciones)
    if not nombradas and not sobrantes:
        sola = elegir_opcion(entrada.texto, paso.opciones)
        nombradas = [sola] if sola is not None else []
    for op in nombradas:
        if op.valor not in elegidas:
            elegidas.append(op.valor)
    ejemplo = " y ".join(o.titulo.lower() for o in [
        o for o in paso.opciones if not o.exclusiva][:2])
    como = ("sus números, p. ej. «1, 3», o sus nombres" if numeros
            else f"sus nombres, p. ej. «{ejemplo}»")
    if sobrantes:
        desconocidas = " ni ".join(f"«{s[:40]}»" for s in sobrantes[:3])
        if nombradas:
            return seguir_eligiendo(f"Anoté: {anotadas()}. No reconocí {desconocidas}; si "
                                    "falta alguna, elíjala de la lista, o pulse «Listo».")
        return _error(paso, f"No reconocí {desconocidas}. Elija de la lista o escriba {como}.")
    if not nombradas:
        return _error(paso, f"Elija una o varias opciones; puede escribir {como}.")
    return cerrar(elegidas)


def _leer_archivo(paso: Paso, entrada: Entrada) -> Lectura:
    archivo = entrada.archivo
    permitidos = [t.lower().lstrip(".") for t in paso.validacion.tipos_archivo] or list(
        TIPOS_ARCHIVO
    )
    lista = ", ".join(t.upper() for t in permitidos if t != "jpeg")
    if not archivo:
        luego = (" Si ahora no lo tiene a la mano, escriba «después» y lo sube más tarde."
                 if paso.opcional else "")
        return _error(paso, f"Envíe el archivo como adjunto ({lista}).{luego}")
    nombre = str(archivo.get("nombre") or "archivo")
    extension = nombre.rsplit(".", 1)[-1].lower() if "." in nombre else ""
    tipo = _MIME.get(str(archivo.get("mime") or ""), extension)
    if tipo == "jpg" and "jpeg" in permitidos:
        permitidos.append("jpg")
    if tipo not in permitidos and extension not in permitidos:
        return Lectura(error=f"Ese tipo de archivo no se admite. Envíe {lista}.")
    tamano = archivo.get("tamano")
    limite = paso.validacion.max_mb
    if limite is not None and isinstance(tamano, int) and tamano > limite * 1024 * 1024:
        return Lectura(error=f"El archivo pesa más de {limite:g} MB. Envíe uno más ligero.")
    if isinstance(tamano, int) and tamano <= 0:
        return Lectura(error="El archivo llegó vacío. Intente enviarlo de nuevo.")
    return Lectura(valor=dict(archivo), texto=nombre)


def _leer_estado(paso: Paso, texto: str, catalogo: CatalogoGeografico | None,
                 hoy: dt.date) -> Lectura:
    """El estado; dentro de una oración, también por su municipio («san pedro garza garcia
    nl» → Nuevo León, y el municipio va en `extras`)."""
    encontrado = catalogo.buscar_estado(texto) if catalogo and normalizar(texto) else None
    if encontrado is not None:
        return Lectura(valor=estado_a_dict(encontrado), texto=encontrado.nombre)
    dichas = leer_menciones(texto, catalogo, hoy)
    if dichas.estado is None:
        return _error(paso, "No reconocí el estado. Escriba su nombre, por ejemplo «Nuevo León».")
    extras = {"municipio": dichas.municipio.a_json()} if dichas.municipio is not None else {}
    return Lectura(valor=dichas.estado.valor, texto=dichas.estado.texto, extras=extras)


def _municipio_elegido(m: dict[str, Any]) -> Lectura:
    return Lectura(valor=m, texto=f"{m['nombre']}, {m['estado_nombre']}")


def _de_candidatos(entrada: Entrada, candidatos: list[dict[str, Any]]) -> dict[str, Any] | None:
    if entrada.payload and entrada.payload.startswith("/mun "):
        clave = entrada.payload[5:]
        return next((c for c in candidatos if c["clave_inegi"] == clave), None)
    opciones = [
        Opcion(
            titulo=f"{c['nombre']} ({c['estado_nombre']})",
            valor=c["clave_inegi"],
            sinonimos=[c["estado_nombre"]],
        )
        for c in candidatos
    ]
    op = elegir_opcion(entrada.texto, opciones)
    return next((c for c in candidatos if op and c["clave_inegi"] == op.valor), None)


def _leer_municipio(
    paso: Paso,
    entrada: Entrada,
    pendiente: dict[str, Any] | None,
    variables: dict[str, Any],
    catalogo: CatalogoGeografico | None,
) -> Lectura:
    candidatos: list[dict[str, Any]] = list((pendiente or {}).get("candidatos", []))
    if candidatos:
        elegido = _de_candidatos(entrada, candidatos)
        if elegido is not None:
            return _municipio_elegido(elegido)
    if entrada.payload and entrada.payload.startswith("/mun "):
        return Lectura(error="Esa opción ya no está vigente. Escriba de nuevo el municipio.")
    if catalogo is None:
        return Lectura(error="Por ahora no puedo consultar el catálogo de municipios.")
    texto = entrada.texto.strip()
    estado_clave: str | None = None
    if paso.estado_de:
        estado = variables.get(paso.estado_de)
        if isinstance(estado, dict):
            estado_clave = estado.get("clave_inegi")
    if "," in texto:
        nombre, _, resto = texto.rpartition(",")
        estado_texto = catalogo.buscar_estado(resto)
        if estado_texto is not None and nombre.strip():
            texto, estado_clave = nombre, estado_texto.clave_inegi
    if len(normalizar(texto)) < 2:
        return _error(paso, "Escriba el nombre del municipio, por ejemplo «Apodaca».")
    hallados = [municipio_a_dict(m) for m in catalogo.buscar_municipio(texto, estado_clave)]
    if not hallados:  # dentro de una oración: «somos de apodaca»
        dicho = leer_menciones(texto, catalogo).municipio
        if dicho is not None and estado_clave in (None, dicho.valor["estado_clave"]):
            hallados = [dicho.valor]
    if not hallados:
        return _error(
            paso, f"No encontré el municipio «{texto[:60]}». Revise cómo se escribe "
            "o agregue el estado, p. ej. «Guadalupe, Nuevo León»."
        )
    if len(hallados) == 1:
        return _municipio_elegido(hallados[0])
    if len(hallados) > MAX_CANDIDATOS:
        return Lectura(
            error=f"Hay {len(hallados)} municipios con ese nombre. Escriba también el estado, "
            "p. ej. «Benito Juárez, Quintana Roo»."
        )
    return Lectura(
        pendiente={"tipo": "candidatos", "candidatos": hallados},
        aviso="Encontré varios. ¿Cuál de estos?",
        botones=[
            Boton(f"{m['nombre']} ({m['estado_nombre']})", f"/mun {m['clave_inegi']}")
            for m in hallados
        ],
    )


def opciones_de_casos(casos: Any) -> list[Opcion]:
    """Una opción por caso del contexto (`casos`: lista de dicts con `folio`)."""
    if not isinstance(casos, list):
        return []
    opciones = []
    for c in casos:
        if isinstance(c, dict) and c.get("folio"):
            ciudad = str(c.get("ciudad_contraparte") or "").strip()
            titulo = f"{c['folio']} · {ciudad}" if ciudad else str(c["folio"])
            opciones.append(Opcion(titulo=titulo[:60], valor=str(c["folio"])))
    return opciones


def _leer_caso(paso: Paso, entrada: Entrada, variables: dict[str, Any]) -> Lectura:
    casos = variables.get("casos")
    opciones = opciones_de_casos(casos)
    folio: str | None = None
    if entrada.payload and entrada.payload.startswith("/caso "):
        folio = entrada.payload[6:]
    else:
        n = normalizar(entrada.texto).replace(" ", "")
        por_folio = [o for o in opciones if normalizar(o.valor).replace(" ", "") == n]
        por_final = [o for o in opciones if n.isdigit() and len(n) >= 3 and o.valor.endswith(n)]
        if por_folio or len(por_final) == 1:
            folio = (por_folio or por_final)[0].valor
        elif (op := elegir_opcion(entrada.texto, opciones)) is not None:
            folio = op.valor
    caso = next(
        (c for c in casos or [] if isinstance(c, dict) and str(c.get("folio")) == folio), None
    )
    if caso is None:
        return _error(paso, "No encuentro ese folio entre sus casos. Elija uno de la lista "
                      "o escríbalo como CH-2026-NL-0007.")
    return Lectura(valor=dict(caso), texto=str(caso["folio"]))


def leer(
    paso: Paso,
    entrada: Entrada,
    *,
    pendiente: dict[str, Any] | None,
    variables: dict[str, Any],
    catalogo: CatalogoGeografico | None,
    hoy: dt.date,
) -> Lectura:
    """Interpreta la entrada según el tipo del paso (no aplica a `mensaje` ni `confirmacion`)."""
    if paso.opcional and es_omitir(entrada):
        return Lectura(valor=None, texto="(sin dato)")
    texto = entrada.texto
    t = paso.tipo
    if t == "archivo":
        return _leer_archivo(paso, entrada)
    if entrada.archivo and not texto.strip():
        return Lectura(error="Aquí no esperaba un archivo; responda con texto, por favor.")
    if t == "si_no":
        sino = leer_si_no(_si_no_con_opciones(paso, entrada))
        if sino is None:
            return _error(paso, "Responda «sí» o «no», por favor.")
        return Lectura(valor=sino, texto="Sí" if sino else "No")
    if t == "opcion":
        return _leer_opcion(paso, entrada, variables)
    if t == "multiopcion":
        return _leer_multiopcion(paso, entrada, pendiente, variables)
    if t == "municipio":
        return _leer_municipio(paso, entrada, pendiente, variables, catalogo)
    if t == "caso":
        return _leer_caso(paso, entrada, variables)
    if entrada.payload and not texto:
        return _error(paso, "Ese botón no corresponde a esta pregunta; escriba su respuesta.")
    lectores = {
        "texto": lambda: _leer_texto(paso, texto),
        "ciudad": lambda: _leer_ciudad(paso, texto, catalogo, hoy),
        "nombre": lambda: _leer_nombre(paso, texto, catalogo),
        "numero": lambda: _leer_numero(paso, texto),
        "correo": lambda: _leer_correo(paso, texto),
        "telefono": lambda: _leer_telefono(paso, texto),
        "fecha": lambda: _leer_fecha(paso, texto, hoy),
        "pais": lambda: _leer_pais(paso, texto),
        "estado": lambda: _leer_estado(paso, texto, catalogo, hoy),
    }
    lector = lectores.get(t)
    return lector() if lector else Lectura(error="Este paso no espera respuesta.")


def _si_no_con_opciones(paso: Paso, entrada: Entrada) -> Entrada:
    """Permite títulos propios en un paso si_no (p. ej. «Acepto» / «No acepto»)."""
    if entrada.payload and entrada.payload.startswith("/op "):
        valor = entrada.payload[4:]
        return Entrada(payload="/si" if valor == "si" else "/no" if valor == "no" else None)
    op = elegir_opcion(entrada.texto, paso.opciones) if paso.opciones else None
    if op is not None and op.valor in ("si", "no") and not _NUMERO_OPCION.match(
        normalizar(entrada.texto)
    ):
        return Entrada(payload=f"/{op.valor}")
    return entrada
