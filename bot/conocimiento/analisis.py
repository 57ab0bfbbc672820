"""Análisis léxico en español para la búsqueda: normaliza, quita palabras vacías y lematiza."""

from __future__ import annotations

from functools import lru_cache

import Stemmer

from bot.texto import normalizar

# Abreviaturas y formas de chat frecuentes → palabra completa (ya normalizada).
ABREVIATURAS: dict[str, str] = {
    "q": "que", "k": "que", "ke": "que", "qe": "que", "xq": "porque", "pq": "porque",
    "porq": "porque", "x": "por", "d": "de", "tb": "tambien", "tmb": "tambien",
    "tbn": "tambien", "pa": "para", "dnd": "donde", "cdo": "cuando", "info": "informacion",
    "doc": "documento", "docs": "documentos", "mpio": "municipio", "mun": "municipio",
    "edo": "estado", "gob": "gobierno", "ayto": "ayuntamiento", "pdte": "presidente",
    "pte": "presidente", "reg": "registro", "hermanamnto": "hermanamiento", "cd": "ciudad",
    "cds": "ciudades", "eua": "eeuu", "usa": "eeuu", "eu": "eeuu", "tmbn": "tambien",
}

# Palabras que en este dominio significan lo mismo → una forma canónica (ya normalizada).
SINONIMOS: dict[str, str] = {
    "cancilleria": "sre", "papeles": "documentos",
    "papeleria": "documentos", "tramites": "tramite", "ayuntamiento": "cabildo",
    "alcalde": "presidente", "alcaldesa": "presidenta", "edil": "presidente",
    "hermanarse": "hermanamiento", "hermanar": "hermanamiento", "hermanarnos": "hermanamiento",
    "hermandad": "hermanamiento", "gringa": "eeuu",
    "gringo": "eeuu", "gringas": "eeuu", "americana": "eeuu", "norteamericana": "eeuu",
    "caduca": "vence", "caducan": "vence", "vencen": "vence", "expira": "vence",
    "lct": "tratados", "municipios": "municipio", "convenio": "acuerdo",
    "convenios": "acuerdo", "acuerdos": "acuerdo", "escoger": "elegir", "escogemos": "elegir",
    "escojo": "elegir", "elijo": "elegir", "elegimos": "elegir", "empiezo": "iniciar",
    "empezar": "iniciar", "empezamos": "iniciar", "empieza": "iniciar", "inicio": "iniciar",
    "iniciamos": "iniciar", "eliminar": "borrar", "eliminen": "borrar", "elimine": "borrar",
    "eliminan": "borrar", "borren": "borrar", "borre": "borrar", "bot": "asistente",
    "chatbot": "asistente", "robot": "asistente", "proceso": "procedimiento",
    "machote": "formato", "plantilla": "formato", "ciudades": "ciudad",
    "estatal": "estado", "estatales": "estado", "estados": "estado",
    # Dinero: lo que cuesta un trámite o lo que se paga a alguien.
    "costo": "costo", "costos": "costo", "cuesta": "costo", "cuestan": "costo",
    "cobra": "costo", "cobran": "costo", "cobro": "costo", "gratis": "costo",
    "gratuito": "costo", "dinero": "costo", "gastos": "costo", "gasto": "costo",
    "presupuesto": "costo", "presupuestar": "costo", "derechos": "derechos",
    "sueldo": "pago", "remunerado": "pago", "remuneracion": "pago", "pagan": "pago",
    "paga": "pago", "honorario": "honorifico", "honorifica": "honorifico",
    # Sanciones y validez.
    "multa": "sancion", "multas": "sancion", "multan": "sancion", "sancionan": "sancion",
    "sanciones": "sancion", "castigo": "sancion", "consecuencias": "sancion",
    # Congreso y Senado.
    "senadores": "senado", "congreso": "senado", "diputados": "senado",
    # Organismos internacionales.
    "organismo": "organismo", "organismos": "organismo", "organizacion": "organismo",
    "organizaciones": "organismo", "onu": "organismo", "unesco": "organismo",
    "oms": "organismo", "bid": "organismo", "oea": "organismo", "cepal": "organismo",
    "multilateral": "organismo", "multilaterales": "organismo",
    # Terminar un hermanamiento.
    "baja": "terminar", "cancelar": "terminar", "cancele": "terminar", "concluir": "terminar",
    "concluido": "terminar", "terminacion": "terminar", "termine": "terminar",
    "terminado": "terminar",
    # Informes y reuniones.
    "reportar": "informe", "reporta": "informe", "reporte": "informe", "reportes": "informe",
    "informes": "informe", "informar": "informe", "sesiona": "reunion", "sesionar": "reunion",
    "reune": "reunion", "reunirse": "reunion", "reuniones": "reunion", "junta": "reunion",
    "juntas": "reunion", "sesiones": "reunion",
    # Vigencia.
    "permanente": "vigencia", "caducidad": "vigencia", "dura": "vigencia",
    "duracion": "vigencia", "vencimiento": "vigencia",
    # Oficinas de asuntos internacionales.
    "ofai": "ofais", "oficinas": "oficina",
    # Leyes y normas.
    "normatividad": "ley", "legislacion": "ley", "norma": "ley", "normas": "ley",
    "leyes": "ley", "juridico": "legal", "juridica": "legal", "legalmente": "legal",
    # Silencio de la SRE.
    "contesta": "responde", "contestan": "responde", "contesto": "responde",
    "contestado": "responde", "contesten": "responde", "responden": "responde",
    "respondido": "responde", "silencio": "responde",
}

# Frases de varias palabras → una sola forma (sobre texto ya normalizado).
FRASES: dict[str, str] = {
    "relaciones exteriores": "sre", "estados unidos": "eeuu", "ciudad de mexico": "cdmx",
    "presidente municipal": "presidente", "presidenta municipal": "presidenta",
    # Tipo de pregunta: una definición o un «cómo se hace».
    "que es": "definicion", "que son": "definicion", "que significa": "definicion",
    "en que consiste": "definicion", "como le hago": "pasos", "como le hacemos": "pasos",
    "como se hace": "pasos", "que hay que hacer": "pasos", "que tengo que hacer": "pasos",
    "que hace": "funciones", "que hacen": "funciones",
    "por donde empezar": "pasos", "por donde empiezo": "pasos", "por donde empezamos": "pasos",
    "por donde le empiezo": "pasos", "por donde iniciar": "pasos",
    # Para qué sirve algo: sus beneficios; la aprobación de la SRE: su dictamen.
    "sirve de algo": "beneficios", "de algo sirve": "beneficios", "visto bueno": "dictamen",
}

# Palabras vacías: artículos, preposiciones, pronombres, auxiliares y muletillas de chat.
PALABRAS_VACIAS: frozenset[str] = frozenset(
    """
    a al algo algun alguna algunas alguno algunos ante aqui asi aun bajo bien cada casi
    como con contra cual cuales cualquier cuando de del desde donde dos durante e el ella ellas
    ello ellos en entre era eran es esa esas ese eso esos esta estan estas este esto estos
    estoy fue fueron ha han has hay he la las le les lo los mas me mi mis mucho muy nada ni no
    nos nosotros o os otra otras otro otros para pero poco por porque pues que quien quienes se
    sea sean ser si sin sino sobre son su sus tal tambien tan tanto te ti tiene tienen todo
    todos tu tus u un una unas uno unos usted ustedes y ya yo vez veces hola buenas buenos buen
    dia dias tardes noches favor gracias oiga disculpe saber quisiera gustaria podria puede
    puedo pueden hacer hace hago hacemos hacen tengo tenemos tener estamos somos soy va van voy
    vamos aquel etc ok oye pregunta duda dudas ayer hoy ahorita alguien mismo misma nuestro
    nuestra nuestros nuestras suyo mio mia seria sera cosa cosas explica explicame explicar
    explique dime digame quiero queremos necesitamos sabe sabes ahi
    """.split()  # noqa: SIM905
)

_lematizador = Stemmer.Stemmer("spanish")


def palabras(texto: str) -> list[str]:
    """Palabras normalizadas, con abreviaturas expandidas y sinónimos unificados."""
    resultado: list[str] = []
    # Las abreviaturas se expanden antes de buscar frases: «q es» es «que es».
    expandidas = " ".join(ABREVIATURAS.get(p, p) for p in normalizar(texto).split())
    normal = f" {expandidas} "
    for frase, forma in FRASES.items():
        if frase in normal:
            normal = normal.replace(f" {frase} ", f" {forma} ")
    for palabra in normal.split():
        palabra = SINONIMOS.get(palabra, palabra)
        resultado.extend(palabra.split())
    return resultado


def es_vacia(palabra: str) -> bool:
    """True si la palabra no aporta al significado de la pregunta."""
    return palabra in PALABRAS_VACIAS


@lru_cache(maxsize=20000)
def lema(palabra: str) -> str:
    """Raíz Snowball en español de una palabra ya normalizada."""
    return str(_lematizador.stemWord(palabra))


def terminos(texto: str) -> list[str]:
    """Términos para el índice: palabras con contenido, lematizadas."""
    return [lema(p) for p in palabras(texto) if not es_vacia(p)]
