"""Análisis de respaldo por palabras clave para cuando el servidor NLU no responde.

Es deliberadamente conservador: reconoce órdenes y peticiones claras (saludo, menú,
asesor, trámite, privacidad...) y devuelve None ante lo demás, para que el motor busque en
la base de conocimiento. Trabaja sobre `normalizar(texto)` (sin acentos ni signos).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from bot.nlu.analisis import Analisis, Entidad, resolver_solapes
from bot.nlu.replicas import GrupoNLU
from bot.texto import normalizar

CONFIANZA_RESPALDO = 0.6

# Orden importa: la primera regla que coincide gana (lo específico antes que lo general).
_REGLAS: list[tuple[str, str]] = [
    ("borrar_mis_datos", r"\b(borr\w*|elimin\w*|supr\w*|quit\w*)\b.*\b(mis )?(datos|informacion"
     r"|info|historial|cuenta|perfil)\b|\bderecho al olvido\b|\bolviden\b"),
    ("mis_datos", r"\b(mis datos|datos (tienen|guardan) de mi|que (datos|informacion) tienen"
     r"|copia de mis datos|mi perfil)\b"),
    ("privacidad", r"\b(privacidad|datos personales|confidencial|derechos arco|arco)\b"),
    ("queja", r"\b(queja\w*|quejar\w*|reclam\w*|inconform\w*|pesim\w*|mal servicio"
     r"|mala atencion)\b"),
    ("hablar_asesor", r"\b(asesor\w*|humano|persona real|una persona|agente|operador"
     r"|especialista)\b"),
    ("cancelar", r"^(cancel\w*|ya no quiero\b.*|salir\b.*|detener\b.*|olvidalo|basta|stop"
     r"|alto)$|\bcancel(a|ar|alo)\b"),
    ("estado_tramite", r"\bch ?\d{4} ?[a-z]{2,4} ?\d{1,4}\b|\b(como va|estatus|status"
     r"|seguimiento|en que va|en que etapa)\b"),
    ("continuar_tramite", r"\b(continuar|continuemos|seguir con|retomar|reanudar|borrador)\b"),
    ("subir_documento", r"\b(subir|adjunt\w*|anex\w*|cargar)\b.*\b(documento\w*|archivo\w*"
     r"|acta|pdf|carta|oficio)\b|\b(subir|adjuntar) (un )?(documento|archivo)\b"),
    ("registrar_iniciativa", r"\b(registrar|iniciar|empezar|nueva|nuevo|solicitar|proponer)\b"
     r".*\b(iniciativa|tramite|solicitud|hermanamiento)\b"),
    # «…q piden?», «¿qué documentos necesito?»: la pregunta por lo que se pide (también la
    # que acompaña a un pedido de trámite; ver TRAMITES).
    ("requisitos", r"\b(que|q|cuales( son)?( los)?) (piden|pide|requisitos|documentos|papeles"
     r"|se necesita|se requiere|se ocupa|necesit\w+|ocup\w+)\b"),
    ("corregir", r"\b(me equivoque|corregir|corrige|puse mal|escribi mal|paso anterior)\b"),
    ("ayuda", r"^(ayuda\w*|help|auxilio)\b|\b(no entiendo|necesito ayuda|que puedes hacer"
     r"|como funciona(s)? (esto|el bot|el asistente))\b"),
    ("menu", r"^(menu|inicio|opciones|menu principal|ver (el )?menu|volver al menu"
     r"|regresar al (menu|inicio))$"),
    ("agradecer", r"\b(gracias|grax|grcs|thx|se agradece|le agradezco|te agradezco)\b"),
    ("despedida", r"^(adios|bye|chao|hasta luego|hasta pronto|hasta manana|nos vemos"
     r"|me despido)\b"),
    ("saludo", r"^(hola\w*|ola|buen(os|as)? (dias?|tardes|noches)|buenas|que tal|saludos"
     r"|hey|hi)\b"),
    ("afirmar", r"^(si|sip|claro|ok|okey|okay|va|sale|de acuerdo|correcto|afirmativo"
     r"|por supuesto|esta bien|acepto|confirmo)( (si|claro|gracias|por favor))?$"),
    ("negar", r"^(no|nop|nel|negativo|para nada|ninguno|ninguna)( (gracias|por ahora))?$"),
]
_COMPILADAS = [(intent, re.compile(patron)) for intent, patron in _REGLAS]

CORTESIAS = frozenset({"saludo", "despedida", "agradecer"})
"""Valen solo si son casi todo el mensaje: «Buenas noches. Me acaban de nombrar…» no es un
saludo, es lo que sigue (y lo contesta la base de conocimiento)."""
MAXIMO_PALABRAS_TRAS_CORTESIA = {"saludo": 4, "despedida": 6, "agradecer": 6}

PETICIONES_QUE_SE_PREGUNTAN = frozenset({
    "borrar_mis_datos", "mis_datos", "registrar_iniciativa", "subir_documento",
    "continuar_tramite", "corregir", "queja", "privacidad"})
"""Acciones que una pregunta solo menciona: «¿hay algún costo por registrar el
hermanamiento?», «el inai sigue existiendo? si no me borran mis datos a quién me quejo»,
«si pido mis datos arco en cuánto tiempo me contestan» (el aviso de privacidad completo no
contesta eso; la base sí).
Una pregunta larga va a la base de conocimiento (que ofrece la acción con un botón); una
petición («quiero registrar…», «borren mis datos») o un mensaje corto, a la acción. Pedir una
persona o cancelar no entran: esas valen siempre."""
MAXIMO_PALABRAS_PETICION_CORTA = 5
_PIDE = re.compile(r"\b(quiero|quisiera|queremos|quisieramos|necesito|necesitamos|deseo"
                   r"|deseamos|me gustaria|nos gustaria|ayudeme a|ayudenos a|favor de"
                   r"|vamos a|voy a|borre|borren|elimine|eliminen)\b")
_EMPIEZA_PREGUNTA = re.compile(
    r"^(que|q|como|cuanto|cuantos|cuantas|cuando|donde|quien|quienes|cual|cuales|por que"
    r"|para que|hay|puedo|puede|pueden|podemos|se puede|es|son|existe|sigue|tiene|tienen"
    r"|debo|debe|deben|necesito saber|el|la|los|las)\b")


# Una pregunta sin signos que no empieza como pregunta: «si pido mis datos arco en cuánto
# tiempo me tienen que contestar».
_PREGUNTA_DENTRO = re.compile(r"\b(en cuanto tiempo|cuanto tiempo|cuantos dias|cuanto tarda\w*"
                              r"|ante quien|a quien (me|le|nos) (quejo|dirijo|acudo))\b")


def _es_pregunta(texto: str, normal: str) -> bool:
    """¿Pregunta por algo (signos de interrogación o una palabra de pregunta al inicio) sin
    pedirlo en primera persona?"""
    if _PIDE.search(normal):
        return False
    return ("?" in texto or "¿" in texto or bool(_EMPIEZA_PREGUNTA.match(normal))
            or bool(_PREGUNTA_DENTRO.search(normal)))


TRAMITES = frozenset({"registrar_iniciativa", "subir_documento"})
"""Pedidos de un trámite que pueden venir con una pregunta de información en el mismo
mensaje («…queremos registrar un hermanamiento con San Antonio, q piden?»): la pregunta se
contesta primero (la base de conocimiento) y el trámite se ofrece al pie
(`pedido_de_tramite`); lo dicho lo recuerda la memoria de la conversación."""
# Una cláusula que pide información (lo que se necesita, cuánto, quién, cuándo…), no la
# forma cortés de pedir («¿me ayuda?», «¿se puede?») ni «¿cómo le hago?», que siguen
# siendo el pedido.
_PREGUNTA_INFORMATIVA = re.compile(
    r"^(?:y |pero |oiga |entonces )?(?:que|q|cuales?|cuantos?|cuantas?|cuando|donde|quien"
    r"|quienes|por que|porque|xq|para que|pa que|hay|se necesita|necesit\w*|ocup\w*"
    r"|requisitos|cuesta|tarda)\b")
_FIN_DE_CLAUSULA = re.compile(r"[,;:.!¡¿\n]")


def _clausulas_con_pregunta(texto: str) -> list[str]:
    """Las cláusulas que terminan en «?» (desde la coma, el punto o el «¿» anterior)."""
    clausulas = []
    for trozo in texto.split("?")[:-1]:
        partes = _FIN_DE_CLAUSULA.split(trozo)
        clausula = normalizar(partes[-1]) if partes else ""
        if clausula:
            clausulas.append(clausula)
    return clausulas


def pregunta_ademas_del_pedido(texto: str, patron: re.Pattern[str]) -> bool:
    """¿El mensaje, además de pedir el trámite (`patron`), pregunta algo en una cláusula
    propia que no es el pedido? «…y queremos registrar un hermanamiento, q piden?» sí;
    «quiero registrar una iniciativa, ¿me ayuda?» no."""
    return any(_PREGUNTA_INFORMATIVA.match(c) and not patron.search(c)
               for c in _clausulas_con_pregunta(texto))


def _vale(intent: str, coincidencia: re.Match[str], texto: str, normal: str,
          patron: re.Pattern[str]) -> bool:
    if intent in CORTESIAS:
        resto = normal[coincidencia.end():].split()
        return len(resto) <= MAXIMO_PALABRAS_TRAS_CORTESIA[intent] and (
            intent == "saludo" or "?" not in texto)
    if intent in TRAMITES and pregunta_ademas_del_pedido(texto, patron):
        return False
    if intent in PETICIONES_QUE_SE_PREGUNTAN:
        return len(normal.split()) <= MAXIMO_PALABRAS_PETICION_CORTA or not _es_pregunta(
            texto, normal)
    return True


def pedido_de_tramite(texto: str) -> str | None:
    """El trámite que el mensaje pide en primera persona («queremos registrar un
    hermanamiento…», «necesito subir el acta»), aunque también pregunte otra cosa; None si
    solo lo menciona («¿hay algún costo por registrarlo?»)."""
    normal = normalizar(texto)
    if not _PIDE.search(normal):
        return None
    for intent, patron in _COMPILADAS:
        if intent in TRAMITES and patron.search(normal):
            return intent
    return None

_ENTIDADES = [
    ("folio", re.compile(r"\bCH[- ]?\d{4}[- ]?[A-Z]{2,4}[- ]?\d{1,4}\b", re.I)),
    ("correo", re.compile(r"\b[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")),
    ("telefono", re.compile(
        r"(?<![\w-])(?:\+?52[ -]?)?(?:\(\d{2,3}\)[ -]?|\d{2,3}[ -]?)\d{3,4}[ -]?\d{4}(?![\w-])"
    )),
]


def entidades_basicas(texto: str) -> list[Entidad]:
    """Folio, correo y teléfono por expresiones regulares (sin servidor)."""
    crudas = [
        Entidad(tipo, m.group().upper() if tipo == "folio" else m.group(), m.start(), m.end())
        for tipo, patron in _ENTIDADES
        for m in patron.finditer(texto)
    ]
    return resolver_solapes(crudas)


def analizar_respaldo(texto: str) -> Analisis | None:
    """Intención por palabras clave, o None si nada es claro."""
    normal = normalizar(texto)
    if not normal:
        return None
    for intent, patron in _COMPILADAS:
        coincidencia = patron.search(normal)
        if coincidencia is not None and _vale(intent, coincidencia, texto, normal, patron):
            return Analisis(
                texto=texto,
                intent=intent,
                confianza=CONFIANZA_RESPALDO,
                entidades=entidades_basicas(texto),
                ranking=[(intent, CONFIANZA_RESPALDO)],
            )
    return None


def con_respaldo(cliente: GrupoNLU | None) -> Callable[[str], Awaitable[Analisis | None]]:
    """El análisis que usa el motor: el NLU de Rasa y, si no responde (o no hay), el respaldo
    por palabras clave."""

    async def analizar(texto: str) -> Analisis | None:
        if cliente is not None:
            analisis = await cliente.analizar(texto)
            if analisis is not None:
                return analisis
        return analizar_respaldo(texto)

    return analizar
