"""Controles naturales: un botón escrito con palabras, un «sí» o un «confirmo» dicho como lo
dice la gente. Puro (sin base ni red): lo usan el intérprete, las rutas de los flujos y el
aceptador que evita consultar al NLU.

Reglas para no equivocarse (un botón mal elegido es peor que un «no le entendí»):
- se compara la forma normalizada (minúsculas, sin acentos ni signos);
- solo cuenta si el parecido apunta a **un solo** botón;
- lo aproximado exige palabras largas y un umbral alto; los números no son títulos (en la
  terminal, el canal ya los convierte en botones).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rapidfuzz import fuzz

from bot.flujos.tipos import NO, SI
from bot.nucleo.mensajes import Boton
from bot.texto import normalizar

# Palabras que no cambian a qué botón se refiere la persona («quiero ver mis casos»).
RELLENO = frozenset({
    "quiero", "quisiera", "queremos", "deseo", "me", "gustaria", "por", "favor", "porfa",
    "porfavor", "la", "el", "los", "las", "un", "una", "unos", "unas", "opcion", "boton",
    "ver", "mi", "mis", "su", "sus", "de", "del", "a", "al", "con", "en", "para", "y", "e",
    "pues", "bueno", "ahora", "este", "esta", "eso", "lo", "que", "ya",
})
UMBRAL_PARECIDO = 88
"""Puntaje mínimo (0-100) de rapidfuzz para tomar un título mal escrito como el botón."""
MARGEN = 6
"""Ventaja mínima del mejor sobre el segundo: si dos botones se parecen igual, no se elige."""
LARGO_MAXIMO = 60

_CONFIRMA = (
    "confirmo", "confirmar", "confirmado", "confirma", "confirmamos", "correcto", "correctos",
    "todo bien", "esta bien", "estan bien", "asi esta bien", "asi estan bien", "asi queda",
    "de acuerdo", "adelante", "envialo", "enviala", "envielo", "enviela", "mandalo", "mandala",
    "todo en orden", "todo correcto", "perfecto", "esta perfecto", "proceda", "procede",
    "es correcto", "todo esta bien", "sin cambios", "ok",
)
_NIEGA = frozenset({
    "no", "mal", "incorrecto", "incorrecta", "corregir", "corrige", "corrijo", "cambiar",
    "cambia", "cambio", "cambiemos", "error", "equivoque", "equivocado", "pero", "falta",
    "faltan", "modificar", "editar", "espera", "esperate", "aun", "todavia",
})
_SI_INICIO = frozenset({"si", "sii", "sip", "claro", "ok", "okay", "va", "sale", "correcto",
                        "confirmo", "exacto", "perfecto", "afirmativo", "andale", "orale",
                        "dale", "simon"})
_CONFIRMA_RE = re.compile(r"\b(" + "|".join(re.escape(c) for c in _CONFIRMA) + r")\b")


def _contenido(forma: str) -> tuple[str, ...]:
    return tuple(p for p in forma.split() if p not in RELLENO)


def polaridad(texto: str) -> bool | None:
    """¿Dice que sí (True), que no (False) o ninguna de las dos (None)? «sí, bórrelos»,
    «si por favor», «claro que sí» → True; «no, gracias» → False."""
    n = normalizar(texto)
    if not n:
        return None
    palabras = n.split()
    if n in NO or palabras[0] == "no":
        return False
    if n in SI:
        return True
    if palabras[0] in _SI_INICIO and not (_NIEGA & set(palabras[1:])):
        return True
    return None


def es_confirmacion(texto: str) -> bool:
    """¿Confirma sin pedir cambios? «ya todo bien, confirmo», «sí, confirmo», «así está
    bien», «correcto». Una negación o un «pero» lo descartan («no está bien»)."""
    n = normalizar(texto)
    if not n or _NIEGA & set(n.split()):
        return False
    if polaridad(texto) is True:
        return True
    return _CONFIRMA_RE.search(n) is not None and len(n.split()) <= 8


def _parecido(a: str, b: str) -> float:
    return float(fuzz.ratio(a, b))


def boton_escrito(texto: str, botones: Sequence[Boton]) -> Boton | None:
    """El botón que la persona escribió con palabras, o None si no es claro.

    En orden: el título idéntico; las mismas palabras de contenido («mis casos» → «Ver mis
    casos»); un título mal escrito (parecido ≥ `UMBRAL_PARECIDO`); una parte del título con
    palabras de 4 letras o más («asesor» → «Hablar con un asesor»); y, si los botones son un
    sí y un no («Sí, descartar» / «No, seguir», «Confirmar» / «Cancelar»), la respuesta
    afirmativa o negativa. Siempre un único botón (varios con el mismo payload cuentan como
    uno)."""
    n = normalizar(texto)
    if not botones or not n or n.replace(" ", "").isdigit() or len(n) > LARGO_MAXIMO:
        return None
    formas = [(normalizar(b.titulo), b) for b in botones]

    def unico(hallados: list[Boton]) -> Boton | None:
        payloads = {b.payload for b in hallados}
        return hallados[0] if len(payloads) == 1 else None

    exactos = [b for f, b in formas if f == n]
    if exactos:
        return unico(exactos)
    contenido = _contenido(n)
    if contenido:
        iguales = [b for f, b in formas if sorted(_contenido(f)) == sorted(contenido)]
        if iguales:
            return unico(iguales)
        unido = " ".join(contenido)
        if len(unido) >= 4:
            puntajes = sorted(((_parecido(unido, " ".join(_contenido(f)) or f), b)
                               for f, b in formas), key=lambda par: -par[0])
            mejor = puntajes[0]
            segundo = puntajes[1][0] if len(puntajes) > 1 else 0.0
            if mejor[0] >= UMBRAL_PARECIDO and mejor[0] - segundo >= MARGEN:
                return mejor[1]
        if all(len(p) >= 4 for p in contenido):
            partes = [b for f, b in formas if set(contenido) < set(_contenido(f))]
            if partes:
                return unico(partes)
    return _por_polaridad(texto, formas)


def _por_polaridad(texto: str, formas: list[tuple[str, Boton]]) -> Boton | None:
    afirmativos = [b for f, b in formas if f in ("si", "confirmar", "acepto", "aceptar")
                   or f.startswith("si ")]
    negativos = [b for f, b in formas if f in ("no", "cancelar", "no acepto")
                 or f.startswith("no ")]
    if len(afirmativos) != 1 or len(negativos) != 1:
        return None
    sentido = polaridad(texto)
    if sentido is None and es_confirmacion(texto):
        sentido = True
    if sentido is None:
        return None
    return afirmativos[0] if sentido else negativos[0]


# Volver a un trámite con palabras: «sigamos», «ya regresé», «¿en qué nos quedamos?», «quiero
# seguir con mi registro». Lo que sigue a «seguir con» debe nombrar el trámite (o nada):
# «queremos seguir con el intercambio de estudiantes» es un objetivo, no una orden.
_SALUDO_INICIAL = re.compile(r"^(?:(?:hola|buenas|buenos dias|buenas tardes|buenas noches|oiga"
                             r"|oye|bueno|ok|perdon|disculpe|ya|pues|si|claro|va|dale|sale)\s+)+")
_EL_TRAMITE = (r"(?:\s+(?:con|por)?\s*(?:el|la|los|las|mi|mis|su|sus|lo|nuestro|nuestra)?\s*"
               r"(?:tramite|registro|iniciativa|solicitud|proceso|formulario|preguntas|datos"
               r"|perfil|eso|esto|lo que (?:estaba|estabamos|ibamos)\w*|donde (?:me|nos) quede"
               r"\w*)(?:\s+\w+){0,4})?")
_FRASE_RETOMAR = (
    r"(?:(?:ya\s+)?(?:regrese|volvi|estoy de vuelta|estoy de regreso|aqui estoy)"
    r"|(?:sigamos|seguimos|continuemos|continuamos|retomemos|retomamos|reanudemos)" + _EL_TRAMITE
    + r"|(?:en\s+)?(?:que|donde)\s+(?:nos|me)\s+(?:quedamos|quede|habiamos quedado"
    r"|habia quedado)"
    r"|(?:en\s+)?(?:que|donde)\s+(?:ibamos|estabamos|iba|estaba|me quede)"
    r"|(?:quiero|quisiera|queremos|puedo|podemos|vamos a|necesito)\s+"
    r"(?:seguir|continuar|retomar|terminar|acabar|reanudar)" + _EL_TRAMITE + r")")
_RETOMAR = re.compile(rf"^{_FRASE_RETOMAR}(?:\s+(?:y\s+)?{_FRASE_RETOMAR})*"
                      r"(?:\s+(?:por favor|porfa|gracias))?$")


def es_retomar(texto: str | None) -> bool:
    """¿Pide volver al trámite que dejó a medias? «sigamos», «ya regresé», «¿en qué nos
    quedamos?», «quiero seguir con mi registro»; no «queremos seguir con el intercambio de
    estudiantes» (un objetivo) ni «sigo sin entender»."""
    n = _SALUDO_INICIAL.sub("", normalizar(texto or ""))
    return bool(n) and _RETOMAR.match(n) is not None
