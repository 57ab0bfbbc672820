"""Lo que trae un mensaje, se haya preguntado o no: municipio y estado de México, la ciudad
contraparte y su país, la fecha de Cabildo, el nombre, el cargo y el rol de quien escribe.

Función pura: `leer_menciones(texto, catalogo, hoy)` → `Menciones`. Los lugares de México se
revisan contra el catálogo del INEGI (sin acentos y con los nombres comunes que conoce); las
regiones de otros países (estados de EE. UU., provincias de Canadá…) salen de pycountry y
dan el país de la ciudad que acompañan («San Antonio, Texas» → Estados Unidos). Nada se
adivina: un nombre que existe en varios estados sin decir cuál, o una región que existe en
dos países, no se toma.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import phonenumbers

from bot.flujos.catalogo import CatalogoGeografico, estado_a_dict, municipio_a_dict
from bot.flujos.fechas import leer_fecha, leer_fecha_prevista
from bot.flujos.nombres import lugar_conocido, lugar_propio, nombre_propio
from bot.flujos.paises import Pais, Region, pais_exacto, region_extranjera
from bot.nucleo.formato import fecha_larga, leer_telefono, telefono
from bot.texto import normalizar

MAX_PALABRAS_LUGAR = 6
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
# Palabras que nunca son, solas, un lugar o un nombre (aunque haya un municipio así).
_COMUNES = frozenset(re.split(r"\s+", """
a al ante como con contra de del desde e el en entre es esta este hacia hasta la las lo los
mas me mi mis muy nos o para pero por que q se si sin sobre son su sus tambien te un una uno
unos y ya le les ha han hay muy bien buenas buenos tardes dias noches hola gracias pues bueno
somos soy queremos quiero registrar hermanamiento hermanar iniciativa ciudad municipio estado
pais acuerdo amistad cooperacion cultura turismo educacion economia salud seguridad ciencia
deporte
""".strip())) | frozenset(re.split(r"\s+", """
progreso reforma libres union victoria paz esperanza concordia soledad nacional
independencia libertad providencia trinidad allende juarez hidalgo morelos zaragoza guerrero
""".strip()))
# De esas, las que son nombres de lugar: valen tras una pista fuerte («somos de progreso»).
_COMUNES_LUGAR = frozenset(re.split(r"\s+", """
progreso reforma libres union victoria paz esperanza concordia soledad nacional
independencia libertad providencia trinidad allende juarez hidalgo morelos zaragoza guerrero
""".strip()))
# Nombres de municipio (únicos en el catálogo) que también son palabras o apellidos de uso
# común: en minúsculas dentro de una oración no se toman como lugar solo por ir tras «de»
# («el centro de salud», «Ana de León»); sí con una pista fuerte («somos de progreso»).
_TAMBIEN_PALABRA = frozenset(re.split(r"\s+", """
alamo altar ascension asientos bienvenido buenaventura buenavista calera candela candelaria
carbo cardonal carmen casas catorce cedral centro cerritos china colon concordia delicias
divisaderos empalme esperanza espinal frontera fronteras garcia gonzalez granados higueras
honey isla leon libres lopez madera madero mama mani marin mascota mendez mina monjas muna
naranjal naranjos natividad nava nieves oriental padilla palenque palmillas paraiso parras
pinos reforma rodeo rosales ruiz sabanilla sabinas sacramento salinas santiago suma tala
tamarindo temascal tila valparaiso venado villanueva ayala burgos coronado cordoba escobedo
iturbide linares lerdo lerma mier moris alvarado ahumada degollado lafragua lamadrid mugica
comonfort altamirano arriaga rayones florencia medellin lombardia salamanca trancoso
castaños corregidora oriental sombrerete indaparapeo jerez romita matamoros tula centla
""".strip()))
# Lo que antecede al lugar propio dentro de una oración en minúsculas: «soy del comité de
# ciudades hermanas de merida» (débil: «de», «desde», «en», y solo si antes habla de sí:
# «quién integra el comité de mazatlán» pregunta por otro municipio), «somos de progreso»
# (fuerte).
_PISTA_DEBIL = frozenset({"de", "desde", "en"})
_DE_SI = re.compile(r"\b(soy|somos|estoy|estamos|trabajo|trabajamos|vivo|vivimos|represento|"
                    r"representamos|nuestro|nuestra|nuestros|nuestras|mi municipio|mi ciudad|"
                    r"mi ayuntamiento)\b")
_PISTA_FUERTE = re.compile(r"\b(soy|somos|vengo|venimos|escribo|escribimos|hablo|hablamos) "
                           r"(de|desde)$|\b(municipio|ayuntamiento|cabildo|presidencia "
                           r"municipal|alcaldia) de$")
# Lo que antecede a la ciudad contraparte: «hermanamiento con San Antonio».
_CONTRAPARTE = frozenset({"con", "hermanar", "hermanarnos", "hermanarse", "hermanamiento",
                          "contraparte", "hermana"})
_ESTADO_CORTO = frozenset({"nl", "n l", "cdmx", "df", "slp", "bcs", "qroo", "edomex", "bc",
                           "qro", "gto", "jal", "coah", "chih", "tamps", "yuc", "oax", "zac"})
# Abreviaturas de estado que también son palabras («son», «sin», «ver», «col»…): no cuentan
# dentro de una oración; «mexico» a secas es el país.
_ESTADO_NO_EN_ORACION = frozenset({"mexico", "mex", "baja", "aguas", "son", "sin", "ver",
                                   "col", "mor", "nay", "tab", "pue", "gro", "camp", "mich",
                                   "chis", "dgo", "hgo", "tlax", "ags", "tamp", "qto"})
_TITULOS = frozenset({"lic", "licenciado", "licenciada", "ing", "ingeniero", "ingeniera",
                      "dr", "dra", "doctor", "doctora", "mtro", "mtra", "maestro", "maestra",
                      "profr", "profra", "prof", "c", "arq", "sr", "sra", "srita", "don", "dona",
                      "cp", "regidor", "regidora", "sindico", "sindica"})
_PARTICULAS = frozenset({"de", "del", "la", "las", "los", "y"})
# Lo que va antes del nombre en una oración: «va a ser mi compañero el lic. …».
_ANTES_DEL_NOMBRE = frozenset({
    "no", "si", "pues", "bueno", "va", "a", "ser", "sera", "seria", "es", "soy", "me", "llamo",
    "mi", "nombre", "companero", "companera", "compañero", "compañera", "colega", "jefe",
    "jefa", "el", "la", "se",
    "llama", "yo", "ahora", "mejor", "otra", "otro", "persona", "quien", "que", "lo", "ve",
    "vera", "dara", "seguimiento", "enlace", "tambien", "ella", "hola", "claro", "ok", "este",
    "esta", "encargado", "encargada", *_TITULOS,
})
_CARGOS = re.compile(
    r"\b(director|directora|subdirector|subdirectora|coordinador|coordinadora|jefe|jefa|"
    r"secretario|secretaria|regidor|regidora|sindico|sindica|presidente|presidenta|"
    r"alcalde|alcaldesa|enlace|titular|encargado|encargada|responsable|asesor|asesora|"
    r"auxiliar|analista|tesorero|tesorera|oficial|gerente|jefatura|direccion)\b")
_NOMBRE_NO = frozenset({"gracias", "ok", "si", "no", "hola", "buenas", "buenos", "nada",
                        "ninguno", "listo", "claro", "ya", "pues", "despues", "omitir"})
_ROLES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("comite", re.compile(r"\b(soy|somos) (integrante|integrantes|miembro|miembros|parte)"
                          r" (del|de un) comite\b|\bdel comite de ciudades hermanas\b")),
    ("asesor", re.compile(r"\bsoy (asesor|asesora) (estatal|de la oficina|del gobierno)|"
                          r"\b(soy|somos) de la oficina estatal\b")),
    ("ciudadano", re.compile(r"\bsoy (un |una )?(ciudadan[oa]|vecin[oa]|particular|"
                             r"estudiante)\b")),
    ("funcionario", re.compile(
        r"\b(soy|somos) (el |la |los |las |un |una )?(funcionari[oa]s?|regidor[a]?|"
        r"sindic[oa]|alcalde(sa)?|president[ea] municipal|enlace|director[a]?|"
        r"secretari[oa]|coordinador[a]?|jef[ea])\b|"
        r"\b(soy|somos|trabajo|trabajamos) (de|del|en el|en la) (h )?(ayuntamiento|"
        r"municipio|presidencia municipal|gobierno municipal)\b")),
)
_NOMBRE_DICHO = re.compile(r"\b(me llamo|mi nombre es|habla|le escribe|les escribe)\s+(.+)",
                           re.I)
_HABLA_DE_CABILDO = re.compile(r"\b(cabildo|sesion|aprob\w*)\b")
_CORREO = re.compile(r"[\w.%+\-]+@[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,}", re.I)
# «el enlace será el lic. Jorge Canul», «lo va a ver mi compañera Ana Ruiz».
_ENLACE = re.compile(r"\b(el enlace|la enlace|enlace municipal)\s+(sera|es|va a ser|seria)\s+|"
                     r"\bmi (compa[nñ]ero|compa[nñ]era|colega)\s+")
# «registrar un hermanamiento», «queremos hermanarnos con…»: pide el registro.
_PIDE_REGISTRO = re.compile(
    r"\b(registrar|dar de alta|iniciar|tramitar|formalizar|hacer)\s+(un|una|el|la|nuestro|"
    r"nuestra)?\s*(hermanamiento|iniciativa|acuerdo de amistad|convenio)\b|"
    r"\b(queremos|quiero|quisieramos|buscamos) (hermanarnos|hermanar)\b")
# Lo que quieren lograr, dicho de paso junto a su contraparte: «…con Tucson para impulsar el
# turismo». Tras «para», solo verbos de un propósito de la relación (no «para saber…»).
_OBJETIVOS = re.compile(
    r"\b(?:con el (?:fin|objetivo|proposito) de|(?:el|nuestro) objetivo es|los objetivos "
    r"son|queremos lograr|buscamos lograr|para (?=(?:que|impulsar|fomentar|promover|"
    r"fortalecer|intercambiar|desarrollar|atraer|crear|mejorar|compartir|generar|abrir|"
    r"vender|exportar|aprender|colaborar|cooperar|estrechar|impulsar|difundir|apoyar)\b))"
    r"\s*(.+)")
MIN_OBJETIVOS = 15
# El tipo de acuerdo dicho con su contraparte: «un hermanamiento con San Antonio».
_TIPOS = (("(?:hermanamiento|hermanarnos|hermanarse|hermanar(?: a \\w+)?)", "hermanamiento",
           "Hermanamiento"),
          ("acuerdo de amistad", "acuerdo_amistad", "Acuerdo de amistad"),
          ("cooperacion", "cooperacion", "Cooperación específica"))


@dataclass(frozen=True)
class Valor:
    """Un dato hallado: su valor como se guarda en el flujo y cómo se lee."""

    valor: Any
    texto: str
    extras: dict[str, dict[str, Any]] | None = None
    """Lo que el paso que lo toma guarda además (sus `tambien`): la fecha prevista de un
    «aún no»."""

    def a_json(self) -> dict[str, Any]:
        """La forma guardada en la memoria de la conversación y en los flujos."""
        datos: dict[str, Any] = {"valor": self.valor, "texto": self.texto}
        if self.extras:
            datos["extras"] = self.extras
        return datos


@dataclass(frozen=True)
class Menciones:
    """Lo que trae un mensaje. Las claves son los campos de los flujos que pueden llenar."""

    estado: Valor | None = None
    municipio: Valor | None = None
    ciudad: Valor | None = None
    """La ciudad contraparte, con su región si se dijo («San Antonio, Texas»)."""
    pais: Valor | None = None
    """El país de la contraparte."""
    fecha_cabildo: Valor | None = None
    fecha_cabildo_prevista: Valor | None = None
    nombre: Valor | None = None
    cargo: Valor | None = None
    rol: Valor | None = None
    tipo: Valor | None = None
    """El tipo de acuerdo, si lo nombró con su contraparte («un hermanamiento con Lyon»)."""
    enlace: Valor | None = None
    """Quien dará seguimiento, si no es quien escribe («el enlace será el lic. Jorge Canul»)."""
    correo: Valor | None = None
    telefono: Valor | None = None
    objetivos: Valor | None = None
    """Lo que quieren lograr, si lo dijo de paso («…para impulsar el turismo»)."""
    tramite: str | None = None
    """El trámite que pide («queremos registrar un hermanamiento…»): el id de su flujo."""
    sobrante: dict[str, Any] = field(default_factory=dict)

    def a_memoria(self) -> dict[str, dict[str, Any]]:
        """Campo → {valor, texto}, solo lo hallado."""
        return {nombre: v.a_json() for nombre in _CAMPOS
                if (v := getattr(self, nombre)) is not None}

    @property
    def vacias(self) -> bool:
        """¿No trae nada?"""
        return not self.a_memoria()


_CAMPOS = ("estado", "municipio", "ciudad", "pais", "fecha_cabildo", "fecha_cabildo_prevista",
           "nombre", "cargo", "rol", "tipo", "enlace", "correo", "telefono", "objetivos")
ROLES_TEXTO = {"funcionario": "Funcionario municipal", "comite": "Integrante de comité",
               "ciudadano": "Ciudadano", "asesor": "Asesor estatal"}


@dataclass
class _Palabra:
    original: str
    forma: str
    inicio: int
    fin: int

    @property
    def mayuscula(self) -> bool:
        return self.original[:1].isupper()


@dataclass
class _Hallazgo:
    """Un tramo de palabras que nombra un lugar (puede ser de varias clases a la vez)."""

    desde: int
    hasta: int  # exclusivo
    original: str
    region: Region | None = None
    pais: Pais | None = None
    estado: Any = None
    municipios: list[Any] = field(default_factory=list)
    extranjera: str | None = None
    fuerte: bool = False


def _palabras(texto: str) -> list[_Palabra]:
    return [_Palabra(m.group(0), normalizar(m.group(0)), m.start(), m.end())
            for m in _TOKEN.finditer(texto)]


def _seguidas(texto: str, palabras: list[_Palabra], desde: int, hasta: int) -> bool:
    """¿Entre estas palabras solo hay espacios (o un punto de abreviatura)?"""
    return all(not texto[palabras[k].fin:palabras[k + 1].inicio].strip(" .")
               for k in range(desde, hasta - 1))


def _separacion(texto: str, palabras: list[_Palabra], a: int, b: int) -> str:
    """Lo que hay entre la palabra `a` y la `b` (sin espacios)."""
    return texto[palabras[a].fin:palabras[b].inicio].strip()


def _hallazgos(texto: str, palabras: list[_Palabra],
               catalogo: CatalogoGeografico | None) -> list[_Hallazgo]:
    """Los lugares nombrados, de izquierda a derecha, el tramo más largo primero."""
    corto = len(palabras) <= 4
    hallados: list[_Hallazgo] = []
    i = 0
    while i < len(palabras):
        encontrado: _Hallazgo | None = None
        for largo in range(min(MAX_PALABRAS_LUGAR, len(palabras) - i), 0, -1):
            if not _seguidas(texto, palabras, i, i + largo):
                continue
            forma = " ".join(p.forma for p in palabras[i:i + largo])
            pista = _pista(texto, palabras, i) if largo == 1 else None
            if largo == 1 and forma in _COMUNES and not (pista == "fuerte"
                                                         and forma in _COMUNES_LUGAR):
                continue
            original = texto[palabras[i].inicio:palabras[i + largo - 1].fin]
            h = _Hallazgo(i, i + largo, original)
            h.region = region_extranjera(forma)
            h.pais = pais_exacto(forma)
            if catalogo is not None:
                if forma not in _ESTADO_NO_EN_ORACION and (len(forma) >= 5
                                                           or forma in _ESTADO_CORTO):
                    h.estado = catalogo.estado_exacto(forma)
                h.municipios = list(catalogo.municipios_exactos(forma))
            h.extranjera = lugar_conocido(forma)
            if not (h.region or h.pais or h.estado or h.municipios or h.extranjera):
                continue
            # Una sola palabra con mayúscula que también es apellido o palabra común
            # («Ana Ruiz», «el Centro») no basta para tomarla por lugar.
            mayusculas = all(p.mayuscula or p.forma in _PARTICULAS
                             for p in palabras[i:i + largo]) and not (
                largo == 1 and forma in _TAMBIEN_PALABRA)
            h.fuerte = (largo > 1 or mayusculas or corto or bool(h.pais or h.estado)
                        or pista == "fuerte"
                        or (pista == "debil" and forma not in _TAMBIEN_PALABRA))
            encontrado = h
            break
        if encontrado is None:
            i += 1
            continue
        hallados.append(encontrado)
        i = encontrado.hasta
    return hallados


def _pista(texto: str, palabras: list[_Palabra], i: int) -> str | None:
    """¿Qué dice de la palabra `i` lo que va justo antes? «fuerte» («somos de», «municipio
    de»), «debil» («de», «en») o None. Solo sin signos de por medio."""
    if i == 0 or _separacion(texto, palabras, i - 1, i):
        return None
    previas: list[str] = []
    k = i
    while k > 0 and len(previas) < 3 and not _separacion(texto, palabras, k - 1, k):
        previas.insert(0, palabras[k - 1].forma)
        k -= 1
    if _PISTA_FUERTE.search(" ".join(previas)):
        return "fuerte"
    if previas[-1] not in _PISTA_DEBIL:
        return None
    antes = " ".join(p.forma for p in palabras[:i])
    return "debil" if _DE_SI.search(antes) else None


def _ciudad_antes(texto: str, palabras: list[_Palabra], hasta: int) -> tuple[int, str] | None:
    """El nombre de ciudad que va justo antes de una región («Mesa, Arizona»): hasta cuatro
    palabras de nombre propio (o todo en minúsculas si la persona no usa mayúsculas)."""
    minusculas = texto == texto.lower()
    desde = hasta
    while desde > 0 and hasta - desde < 4:
        p = palabras[desde - 1]
        if desde < hasta and _separacion(texto, palabras, desde - 1, desde):
            break
        if p.forma in _COMUNES and p.forma not in _PARTICULAS:
            break
        if not (p.mayuscula or minusculas or p.forma in _PARTICULAS):
            break
        desde -= 1
    while desde < hasta and palabras[desde].forma in _PARTICULAS:
        desde += 1
    if desde == hasta:
        return None
    return desde, texto[palabras[desde].inicio:palabras[hasta - 1].fin]


def _es_contraparte(palabras: list[_Palabra], desde: int) -> bool:
    return any(p.forma in _CONTRAPARTE for p in palabras[max(0, desde - 3):desde])


def _valor_pais(pais: Pais) -> Valor:
    return Valor({"codigo": pais.codigo, "nombre": pais.nombre}, pais.nombre)


def _lugares(texto: str, palabras: list[_Palabra], catalogo: CatalogoGeografico | None,
             contraparte: bool) -> dict[str, Valor]:
    """Municipio y estado propios, ciudad y país de la contraparte. Con `contraparte`, un
    lugar suelto se toma como la contraparte (se está preguntando por ella)."""
    hallados = _hallazgos(texto, palabras, catalogo)
    datos: dict[str, Valor] = {}
    sueltos: list[tuple[Any, bool]] = []  # municipios sin su estado: después de los seguros
    j = 0
    while j < len(hallados):
        h = hallados[j]
        sig = hallados[j + 1] if j + 1 < len(hallados) else None
        junto = sig is not None and sig.desde == h.hasta \
            and _separacion(texto, palabras, h.hasta - 1, sig.desde) in ("", ",", "-")
        es_de_contraparte = contraparte or _es_contraparte(palabras, h.desde)
        # «San Antonio, Texas»: la región dice el país.
        if junto and sig is not None and sig.region is not None and not sig.estado:
            datos.setdefault("ciudad", _con_region(h.original, sig.region))
            datos.setdefault("pais", _valor_pais(sig.region.pais))
            j += 2
            continue
        # «Lyon, Francia».
        if junto and sig is not None and sig.pais is not None and sig.pais.codigo != "MX" \
                and not h.estado:
            datos.setdefault("ciudad", Valor(lugar_propio(h.original), lugar_propio(h.original)))
            datos.setdefault("pais", _valor_pais(sig.pais))
            j += 2
            continue
        # «San Pedro Garza García, Nuevo León», «apodaca nl».
        if junto and sig is not None and sig.estado is not None and h.municipios:
            del_estado = [m for m in h.municipios if m.estado_clave == sig.estado.clave_inegi]
            if len(del_estado) == 1:
                _municipio(datos, del_estado[0], catalogo, es_de_contraparte)
                j += 2
                continue
        if h.region is not None and not h.estado and not h.municipios:
            antes = _ciudad_antes(texto, palabras, h.desde)
            if antes is not None and "ciudad" not in datos:
                datos["ciudad"] = _con_region(antes[1], h.region)
                datos.setdefault("pais", _valor_pais(h.region.pais))
            elif contraparte:
                datos.setdefault("pais", _valor_pais(h.region.pais))
        elif h.pais is not None and not h.municipios:
            if h.pais.codigo != "MX" or es_de_contraparte:
                datos.setdefault("pais", _valor_pais(h.pais))
        elif h.estado is not None and not h.municipios:
            if not es_de_contraparte:
                datos.setdefault("estado", Valor(estado_a_dict(h.estado), h.estado.nombre))
        elif h.fuerte and len(h.municipios) == 1 and not (h.extranjera and es_de_contraparte):
            sueltos.append((h.municipios[0], es_de_contraparte))
        elif h.fuerte and h.extranjera and es_de_contraparte:
            datos.setdefault("ciudad", Valor(h.extranjera, h.extranjera))
        j += 1
    for municipio, de_contraparte in sueltos:
        _municipio(datos, municipio, catalogo, de_contraparte)
    return datos


def _con_region(ciudad: str, region: Region) -> Valor:
    """«laredo» y Texas → «Laredo, Texas»."""
    nombre = f"{lugar_propio(ciudad.strip(' ,'))}, {region.nombre}"
    return Valor(nombre, nombre)


def _municipio(datos: dict[str, Valor], m: Any, catalogo: CatalogoGeografico | None,
               contraparte: bool) -> None:
    if contraparte:
        # Un municipio mexicano sin duda (no es también una ciudad extranjera conocida):
        # hermanamiento nacional, «Guanajuato, Guanajuato (México)», sin preguntar el país.
        nombre = f"{m.nombre}, {m.estado_nombre}"
        datos.setdefault("ciudad", Valor(nombre, nombre))
        if (mexico := pais_exacto("México")) is not None:
            datos.setdefault("pais", _valor_pais(mexico))
        return
    if "municipio" in datos:
        return
    datos["municipio"] = Valor(municipio_a_dict(m), f"{m.nombre}, {m.estado_nombre}")
    estado = catalogo.estado_exacto(m.estado_nombre) if catalogo is not None else None
    if estado is not None and "estado" not in datos:
        datos["estado"] = Valor(estado_a_dict(estado), estado.nombre)


def _rol(forma: str) -> Valor | None:
    for rol, patron in _ROLES:
        if patron.search(forma):
            return Valor(rol, ROLES_TEXTO[rol])
    return None


def _fechas(texto: str, forma: str, hoy: dt.date) -> dict[str, Valor]:
    """Solo si se habla del Cabildo o de su sesión: la fecha en que aprobó, o «aún no» y la
    fecha prevista de la sesión."""
    if not _HABLA_DE_CABILDO.search(forma):
        return {}
    datos: dict[str, Valor] = {}
    leida = leer_fecha(texto, hoy, permite_aun_no=True, no_futura=True)
    if leida.fecha is not None:
        datos["fecha_cabildo"] = Valor(leida.fecha.isoformat(), fecha_larga(leida.fecha))
    prevista = leer_fecha_prevista(texto, hoy) if leida.fecha is None else None
    if prevista is not None:
        dicha = Valor(prevista.isoformat(), fecha_larga(prevista))
        datos["fecha_cabildo_prevista"] = dicha
        # Con sesión prevista, el Cabildo aún no aprueba: así lo toma su paso.
        datos["fecha_cabildo"] = Valor("aun_no", f"aún no; sesión prevista el {dicha.texto}",
                                       extras={"prevista": dicha.a_json()})
    return datos


def _contacto(texto: str) -> dict[str, Valor]:
    """Correo y teléfono de México escritos en la oración."""
    datos: dict[str, Valor] = {}
    if (correo := _CORREO.search(texto)) is not None:
        limpio = correo.group(0).lower().strip(".")
        datos["correo"] = Valor(limpio, limpio)
    if any(c.isdigit() for c in texto):
        for hallado in phonenumbers.PhoneNumberMatcher(texto, "MX"):
            guardado = leer_telefono(hallado.raw_string)
            if guardado is not None:
                datos["telefono"] = Valor(guardado, telefono(guardado))
                break
    return datos


def _tipo(forma: str, datos: dict[str, Valor]) -> Valor | None:
    """El tipo de acuerdo, solo si lo nombra junto a la contraparte que también dijo."""
    if "ciudad" not in datos:
        return None
    for dicho, valor, titulo in _TIPOS:
        if re.search(rf"\b{dicho} con\b", forma):
            return Valor(valor, titulo)
    return None


def _objetivos(texto: str) -> Valor | None:
    """Lo que quieren lograr, dicho en la oración, hasta el fin de la frase o de la pregunta
    que sigue («…para impulsar el turismo, ¿qué piden?»)."""
    palabras = _palabras(texto)
    formas = " ".join(p.forma for p in palabras)
    hallado = _OBJETIVOS.search(formas)
    if hallado is None:
        return None
    desde = len(formas[:hallado.start(1)].split())
    if desde >= len(palabras):
        return None
    resto = texto[palabras[desde].inicio:]
    frase = re.split(r"[.!?¿\n]|,\s*(?:q|que|cuales|qué|cuáles)\b", resto, maxsplit=1)[0]
    frase = frase.strip(" ,;:")
    if len(frase) < MIN_OBJETIVOS:
        return None
    return Valor(frase, frase)


def _enlace(texto: str) -> Valor | None:
    """Quien dará seguimiento, dicho de paso: «el enlace será el lic. Jorge Canul»."""
    palabras = _palabras(texto)
    formas = " ".join(p.forma for p in palabras)
    hallado = _ENLACE.search(formas)
    if hallado is None:
        return None
    tras = len(formas[:hallado.end()].split())
    if tras >= len(palabras):
        return None
    # Un nombre se escribe con mayúscula o tras un título («el lic. jorge canul»).
    siguientes = [p for p in palabras[tras:tras + 4]
                  if p.forma not in _ANTES_DEL_NOMBRE or p.forma in _TITULOS]
    if not siguientes or not (siguientes[0].mayuscula or siguientes[0].forma in _TITULOS):
        return None
    nombre, _ = nombre_en_oracion(texto[palabras[tras].inicio:])
    return Valor(nombre, nombre) if nombre else None


def nombre_en_oracion(texto: str) -> tuple[str | None, str | None]:
    """(nombre, cargo) de una persona dicho en una oración: «Dra. Alicia Torres, tengo…» →
    «Alicia Torres»; «no, va a ser mi compañero el lic. Jorge Canul» → «Jorge Canul»;
    «Jorge Canul, director de turismo» → («Jorge Canul», «Director de turismo»). Sin
    títulos (Lic., Dra.). None si no hay un nombre claro."""
    partes = [p.strip() for p in re.split(r"[,;:\n]|\s-\s", texto) if p.strip()]
    cargo: str | None = None
    elegido: str | None = None
    for k, parte in enumerate(partes):
        candidato = _nombre_en_parte(parte)
        if candidato is None:
            continue
        elegido = candidato
        resto = partes[k + 1] if k + 1 < len(partes) else ""
        if resto and _CARGOS.search(normalizar(resto)) and "?" not in resto:
            cargo = _cargo_propio(resto)
        break
    return elegido, cargo


def _cargo_propio(texto: str) -> str:
    limpio = re.sub(r"^\s*(es|soy|como|de|el|la)\s+", "", texto.strip(" ."), flags=re.I)
    return limpio[:1].upper() + limpio[1:] if limpio else limpio


def _nombre_en_parte(parte: str) -> str | None:
    palabras = _palabras(parte)
    if not palabras or any(c.isdigit() or c in "@?¿" for c in parte):
        return None
    if (m := _NOMBRE_DICHO.search(parte)) is not None:
        return _nombre_en_parte(m.group(2))
    minusculas = parte == parte.lower()
    # Una racha de palabras con mayúscula (con «de», «la» en medio): «María de la Luz Pérez».
    rachas: list[list[_Palabra]] = []
    actual: list[_Palabra] = []
    for p in palabras:
        if p.forma in _TITULOS or (not actual and p.forma in _ANTES_DEL_NOMBRE):
            if actual:
                rachas.append(actual)
            actual = []
            continue
        if p.mayuscula or minusculas or (actual and p.forma in _PARTICULAS):
            actual.append(p)
        else:
            if actual:
                rachas.append(actual)
            actual = []
    if actual:
        rachas.append(actual)
    rachas = [r for r in rachas if r]
    for r in rachas:
        while r and r[-1].forma in _PARTICULAS:
            r.pop()
    rachas = [r for r in rachas if r and not all(p.forma in _NOMBRE_NO for p in r)]
    if not rachas:
        return None
    if minusculas and len(rachas) == 1 and len(rachas[0]) > 7:
        return None  # una oración en minúsculas, no un nombre
    mejor = max(rachas, key=lambda r: (len(r) >= 2, r[0].inicio))
    if len(mejor) > 7:
        return None
    nombre = parte[mejor[0].inicio:mejor[-1].fin]
    return nombre_propio(nombre)


def leer_menciones(texto: str, catalogo: CatalogoGeografico | None,
                   hoy: dt.date | None = None, *, contraparte: bool = False) -> Menciones:
    """Lo que trae el mensaje (vea el módulo). Con `contraparte`, un lugar suelto es la
    ciudad contraparte (p. ej. en la pregunta «¿Con qué ciudad…?»)."""
    if not texto or not texto.strip():
        return Menciones()
    hoy = hoy or dt.date.today()
    forma = normalizar(texto)
    # Un correo no nombra lugares («ana@cancun.gob.mx» no dice que sea de Cancún).
    sin_correos = _CORREO.sub(lambda m: " " * len(m.group(0)), texto)
    palabras = _palabras(sin_correos)
    datos: dict[str, Any] = dict(_lugares(sin_correos, palabras, catalogo, contraparte))
    if (rol := _rol(forma)) is not None:
        datos["rol"] = rol
    if (m := _NOMBRE_DICHO.search(texto)) is not None:
        nombre, _ = nombre_en_oracion(m.group(2))
        if nombre:
            datos["nombre"] = Valor(nombre, nombre)
    datos.update(_fechas(texto, forma, hoy))
    datos.update(_contacto(texto))
    if (tipo := _tipo(forma, datos)) is not None:
        datos["tipo"] = tipo
    if (enlace := _enlace(texto)) is not None:
        datos["enlace"] = enlace
    # Solo al hablar de su relación con una ciudad («…con Tucson para impulsar…»): sin ella,
    # «para que sirve el comité» o «basta con… para crear el comité» son preguntas.
    if "ciudad" in datos and (objetivos := _objetivos(texto)) is not None:
        datos["objetivos"] = objetivos
    tramite = "registro_iniciativa" if _PIDE_REGISTRO.search(forma) else None
    return Menciones(**datos, tramite=tramite)
