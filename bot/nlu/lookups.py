"""Genera las tablas de búsqueda (lookups) y sinónimos del modelo NLU.

Fuentes: el catálogo INEGI de `datos/inegi/` (estados y municipios), las traducciones al
español de pycountry (países) y listas escritas a mano (ciudades extranjeras, áreas de
cooperación). El resultado son archivos YAML de Rasa en `rasa_modelo/data/lookups/`, con
cada forma escrita (con y sin acentos, abreviaturas, formas cortas) como sinónimo del
nombre oficial. La salida es determinista: mismo catálogo, mismos archivos.
"""

from __future__ import annotations

import gettext
import json
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import pycountry

from bot.config import RAIZ
from bot.texto import sin_acentos

DIR_INEGI = RAIZ / "datos" / "inegi"
DIR_SALIDA = RAIZ / "rasa_modelo" / "data" / "lookups"
CIUDADES = Path(__file__).with_name("ciudades_extranjeras.txt")

# Formas cortas con que la gente escribe los estados (además del nombre y su abreviatura).
ESTADOS_EXTRA: dict[str, list[str]] = {
    "Coahuila de Zaragoza": ["Coahuila", "Coah"],
    "Michoacán de Ocampo": ["Michoacán", "Mich"],
    "Veracruz de Ignacio de la Llave": ["Veracruz", "Vera Cruz"],
    "México": ["Estado de México", "Edo de México", "Edo. de México", "Edomex", "Edo Mex"],
    "Ciudad de México": ["CDMX", "Distrito Federal", "DF", "Cd de México", "Cd. de México"],
    "Quintana Roo": ["QRoo", "Q Roo", "Q. Roo"],
    "Baja California Sur": ["BCS"],
    "Baja California": ["BC"],
    "Nuevo León": ["NL"],
    "San Luis Potosí": ["SLP", "San Luis"],
    "Aguascalientes": ["Ags"],
    "Guanajuato": ["Gto"],
    "Querétaro": ["Qro", "Querétaro de Arteaga"],
    "Tamaulipas": ["Tamps"],
    "Yucatán": ["Yuc"],
    "Chihuahua": ["Chih"],
    "Chiapas": ["Chis"],
    "Oaxaca": ["Oax"],
    "Jalisco": ["Jal"],
    "Hidalgo": ["Hgo"],
    "Durango": ["Dgo"],
    "Guerrero": ["Gro"],
    "Zacatecas": ["Zac"],
    "Tlaxcala": ["Tlax"],
}
# El nombre "México" a secas es el país casi siempre: el estado solo con formas explícitas.
ESTADOS_SIN_NOMBRE_SOLO = {"México"}

# Formas cortas conocidas de municipios (nombre oficial INEGI → formas).
MUNICIPIOS_EXTRA: dict[str, list[str]] = {
    "San Pedro Garza García": ["San Pedro Garza", "SPGG"],
    "Juárez": ["Ciudad Juárez", "Cd Juárez", "Cd. Juárez"],
    "Dolores Hidalgo Cuna de la Independencia Nacional": ["Dolores Hidalgo"],
    "Oaxaca de Juárez": ["ciudad de Oaxaca"],
    "Heroica Puebla de Zaragoza": ["ciudad de Puebla"],
    "Tlaquepaque": ["San Pedro Tlaquepaque"],
    "Ecatepec de Morelos": ["Ecatepec"],
    "Nezahualcóyotl": ["Neza", "Ciudad Neza"],
    "Heroica Nogales": ["Nogales"],
    "Heroica Matamoros": ["Matamoros Tamaulipas"],
    "General Escobedo": ["Escobedo NL"],
    "San Nicolás de los Garza": ["San Nicolás"],
    "Tlajomulco de Zúñiga": ["Tlajomulco"],
    "Cuernavaca": ["Cuerna"],
    "Othón P. Blanco": ["Chetumal"],
    "Benito Juárez": ["Cancún"],
    "Centro": ["Villahermosa"],
}
# Nombres de municipio que son palabras comunes del español o chocan con otra entidad.
MUNICIPIOS_EXCLUIDOS = {
    "progreso", "reforma", "frontera", "madera", "rodeo", "candela", "carmen", "tala", "tila",
    "nava", "centro", "union", "la union", "concordia", "soledad", "libres", "sacramento",
    "victoria", "magdalena", "ascension", "buenaventura", "guadalupe", "comercio", "jimenez",
    "lopez", "allende", "ocampo", "morelos", "hidalgo", "guerrero", "zaragoza", "juarez",
    "general", "nacional", "tepetlan", "coronado", "rayon", "romita", "atoyac", "bolaños",
    "purisima", "la paz", "el oro", "oro", "mexico", "san juan", "santiago", "trinidad",
    "la trinitaria", "independencia", "armeria", "mina", "tenango", "colon", "emiliano zapata",
    "china", "casas", "isla", "mama", "honey", "suma", "pinos", "venado", "altar", "catorce",
    "monjas", "rosario", "garcia", "ruiz", "mendez", "marin", "padilla", "salinas", "linares",
    "burgos", "lerma", "mier", "jerez", "calera", "empalme", "espinal", "jala", "naco", "charo",
    "mani", "baca", "teya", "peto", "muna", "chila", "seye", "ario", "oriental", "natividad",
    "cardenas", "granados", "higueras", "asientos", "delicias", "fronteras", "cerritos",
    "candelaria", "angostura", "buenavista", "lagunillas", "palmillas", "naranjal",
    "bustamante", "alvarado", "villanueva", "iturbide", "valladolid", "escobedo",
}

# Alias de países (nombre pycountry en español → formas comunes).
PAISES_EXTRA: dict[str, list[str]] = {
    "Estados Unidos": [
        "Estados Unidos de América", "EE UU", "EEUU", "EUA", "Gringolandia",
    ],
    "Reino Unido": ["Inglaterra", "Gran Bretaña", "Escocia", "Gales", "UK"],
    "Corea del Sur": ["Corea", "Sudcorea"],
    "Países Bajos": ["Holanda"],
    "Rusia": ["Federación Rusa"],
    "Bolivia": [],
    "Venezuela": [],
    "Irán": [],
    "Taiwán": [],
    "Tanzania": [],
    "Moldavia": [],
    "Siria": [],
    "Laos": [],
    "Vaticano": ["Santa Sede"],
    "Arabia Saudita": ["Arabia Saudí"],
    "Argelia": ["Algeria"],
    "Túnez": ["Tunez"],
    "Belice": ["Belize"],
    "República Checa": ["Chequia"],
    "Costa de Marfil": ["Costa de Marfíl"],
    "Bielorrusia": ["Belarús"],
    "Birmania": ["Myanmar"],
}
# Nombres pycountry que se reemplazan por la forma común (o se omiten si el valor es None).
PAISES_RENOMBRE: dict[str, str | None] = {
    "Bolivia, Estado plurinacional de": "Bolivia",
    "Venezuela, República Bolivariana de": "Venezuela",
    "Irán, República islámica de": "Irán",
    "Corea, República de": "Corea del Sur",
    "Corea, República Democrática Popular de": "Corea del Norte",
    "Taiwán, Provincia de China": "Taiwán",
    "Tanzania, República unida de": "Tanzania",
    "Moldavia, República de": "Moldavia",
    "República árabe de Siria": "Siria",
    "República Democrática Popular de Lao": "Laos",
    "Federación Rusa": "Rusia",
    "Santa Sede (Ciudad Estado del Vaticano)": "Vaticano",
    "Arabia Saudí": "Arabia Saudita",
    "Algeria": "Argelia",
    "Tunez": "Túnez",
    "Chequia": "República Checa",
    "Costa de Marfíl": "Costa de Marfil",
    "Congo, República Democrática del": "República Democrática del Congo",
    "Micronesia, Estados Federados de": "Micronesia",
    "Palestina, Estado de": "Palestina",
    "Comores, Islas": "Comoras",
    "Surinám": "Surinam",
    "Burquina Faso": "Burkina Faso",
    # Homónimos de ciudades o estados que estorbarían más de lo que ayudan.
    "México": None,
    "Granada": None,
    "Guadalupe": None,
    "Jersey": None,
    "Georgia": None,
    "Reunión": None,
    "Mauricio": None,
    "Chad": None,
    "Dominica": None,
    "Santa Lucía": None,
    "San Martín (zona francesa)": None,
    "Isla de San Martín (zona holandesa)": None,
    "San Bartolomé": None,
    "Niue": None,
    "Guam": None,
    "Man": None,
}

AREAS_COOPERACION: dict[str, list[str]] = {
    "educación": ["educacion", "educativa", "educativo", "escuelas", "intercambio estudiantil",
                  "intercambios estudiantiles", "becas"],
    "cultura": ["cultural", "culturales", "arte", "artes", "intercambio cultural"],
    "turismo": ["turística", "turistica", "turístico", "turistico", "promoción turística"],
    "desarrollo económico": ["desarrollo economico", "economía", "economia", "económica",
                             "economica", "comercio", "inversión", "inversion", "negocios",
                             "exportaciones", "empleo"],
    "medio ambiente": ["ambiental", "ecología", "ecologia", "sustentabilidad",
                       "cambio climático", "cambio climatico", "reciclaje", "residuos"],
    "salud": ["salud pública", "salud publica", "hospitales", "médica", "medica"],
    "deporte": ["deportes", "deportiva", "deportivo", "deportivos"],
    "ciencia y tecnología": ["ciencia y tecnologia", "tecnología", "tecnologia", "ciencia",
                             "innovación", "innovacion"],
    "seguridad pública": ["seguridad publica", "policía", "policia"],
    "agua": ["agua potable", "gestión del agua", "gestion del agua", "hídrica", "hidrica"],
    "desarrollo urbano": ["urbanismo", "movilidad", "transporte", "infraestructura",
                          "planeación urbana", "planeacion urbana"],
    "agricultura": ["agrícola", "agricola", "ganadería", "ganaderia", "agropecuario"],
    "juventud": ["jóvenes", "jovenes"],
    "protección civil": ["proteccion civil", "gestión de riesgos", "gestion de riesgos",
                         "desastres"],
    "gobierno abierto": ["gestión municipal", "gestion municipal",
                         "buenas prácticas de gobierno", "buenas practicas de gobierno"],
    "migración": ["migracion", "migrantes", "migrante", "paisanos"],
    "igualdad de género": ["igualdad de genero", "género", "genero", "mujeres"],
}


def _variantes(forma: str) -> set[str]:
    """La forma tal cual, sin acentos y en minúsculas (sin repetidos)."""
    formas = {forma, sin_acentos(forma)}
    return {f.strip() for f in formas if f.strip()}


def _clave(texto: str) -> str:
    return sin_acentos(texto).casefold().strip()


class _Tabla:
    """Acumula formas escritas → valor canónico para una entidad."""

    def __init__(self, entidad: str) -> None:
        self.entidad = entidad
        self.canonico_de: dict[str, str] = {}
        self.escritura: dict[str, str] = {}

    def agregar(self, canonico: str, formas: Iterable[str]) -> None:
        """Agrega formas de `canonico`; una forma ya usada por otro valor se ignora."""
        for forma in formas:
            if forma.endswith("."):
                continue  # el límite de palabra de Rasa no funciona tras un punto
            for variante in _variantes(forma):
                clave = variante.casefold()
                if self.canonico_de.setdefault(clave, canonico) != canonico:
                    continue  # ambigua: gana la primera (nombre oficial o más poblado)
                self.escritura.setdefault(clave, variante)

    @property
    def formas(self) -> dict[str, str]:
        """Forma en minúsculas → forma escrita."""
        return self.escritura

    def yaml(self) -> str:
        """Texto YAML de Rasa: la tabla de búsqueda y los sinónimos."""
        elementos = sorted(self.escritura.values(), key=lambda e: (-len(e), e.casefold(), e))
        lineas = ['version: "3.1"', "nlu:", f"- lookup: {self.entidad}", "  examples: |"]
        lineas += [f"    - {e}" for e in elementos]
        sinonimos: dict[str, list[str]] = defaultdict(list)
        for clave, canonico in self.canonico_de.items():
            if clave != canonico.casefold() and clave in self.escritura:
                sinonimos[canonico].append(self.escritura[clave])
        for canonico in sorted(sinonimos):
            lineas += [f"- synonym: {_yaml_escalar(canonico)}", "  examples: |"]
            lineas += [f"    - {s}" for s in sorted(sinonimos[canonico], key=str.casefold)]
        return "\n".join(lineas) + "\n"


def _yaml_escalar(texto: str) -> str:
    return json.dumps(texto, ensure_ascii=False)


def _cargar_json(nombre: str) -> list[dict[str, object]]:
    datos = json.loads((DIR_INEGI / nombre).read_text(encoding="utf-8"))
    assert isinstance(datos, list)
    return datos


def tabla_estados() -> _Tabla:
    """Estados: nombre oficial INEGI, forma corta y abreviaturas."""
    tabla = _Tabla("estado")
    nombres = sorted({str(m["nom_entidad"]) for m in _cargar_json("municipios.json")})
    for nombre in nombres:
        formas = list(ESTADOS_EXTRA.get(nombre, []))
        if nombre not in ESTADOS_SIN_NOMBRE_SOLO:
            formas.append(nombre)
        tabla.agregar(nombre, formas)
    return tabla


def _nombres_estado() -> set[str]:
    tabla = tabla_estados()
    return {_clave(f) for f in tabla.formas}


def tabla_municipios() -> _Tabla:
    """Municipios: nombre oficial (sin los homónimos de estados ni palabras comunes)."""
    tabla = _Tabla("municipio")
    excluidos = MUNICIPIOS_EXCLUIDOS | _nombres_estado()
    registros = sorted(
        _cargar_json("municipios.json"),
        key=lambda m: -int(str(m.get("poblacion_total") or 0)),
    )
    for canonico, formas in MUNICIPIOS_EXTRA.items():
        tabla.agregar(canonico, [f for f in [canonico, *formas] if _clave(f) not in excluidos])
    extranjeras = {_clave(f) for f in tabla_ciudades().formas}
    for registro in registros:
        nombre = str(registro["nom_municipio"])
        poblacion = int(str(registro.get("poblacion_total") or 0))
        if _clave(nombre) in extranjeras and poblacion < 100_000:
            continue  # "San Antonio" o "Santo Domingo" casi siempre son la ciudad extranjera
        formas = [nombre]
        if nombre.startswith("Heroica "):
            formas.append(nombre.removeprefix("Heroica "))
        formas = [f for f in formas if _clave(f) not in excluidos and len(f) > 3]
        tabla.agregar(nombre, formas)
    return tabla


def nombres_paises() -> dict[str, list[str]]:
    """Países en español (pycountry) con su forma común → alias."""
    traduccion = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["es"])
    paises: dict[str, list[str]] = {}
    for pais in pycountry.countries:
        nombre = traduccion.gettext(pais.name)
        if nombre in PAISES_RENOMBRE:
            renombre = PAISES_RENOMBRE[nombre]
            if renombre is None:
                continue
            nombre = renombre
        paises[nombre] = [nombre, *PAISES_EXTRA.get(nombre, [])]
    return paises


def tabla_paises() -> _Tabla:
    tabla = _Tabla("pais")
    for canonico, formas in sorted(nombres_paises().items()):
        tabla.agregar(canonico, [f for f in formas if f.isalpha() or " " in f or len(f) > 2])
    return tabla


def tabla_ciudades() -> _Tabla:
    tabla = _Tabla("ciudad_extranjera")
    for linea in CIUDADES.read_text(encoding="utf-8").splitlines():
        nombre = linea.strip()
        if nombre and not nombre.startswith("#"):
            tabla.agregar(nombre, [nombre])
    return tabla


def tabla_areas() -> _Tabla:
    tabla = _Tabla("area_cooperacion")
    for canonico, formas in AREAS_COOPERACION.items():
        tabla.agregar(canonico, [canonico, *formas])
    return tabla


def generar(destino: Path = DIR_SALIDA) -> list[Path]:
    """Escribe un YAML por entidad; solo reescribe los que cambiaron. Devuelve las rutas."""
    destino.mkdir(parents=True, exist_ok=True)
    rutas = []
    for tabla in (tabla_estados(), tabla_municipios(), tabla_paises(), tabla_ciudades(),
                  tabla_areas()):
        ruta = destino / f"{tabla.entidad}.yml"
        texto = "# Generado por `hermanamientos nlu lookups`; no editar a mano.\n" + tabla.yaml()
        if not ruta.exists() or ruta.read_text(encoding="utf-8") != texto:
            ruta.write_text(texto, encoding="utf-8")
        rutas.append(ruta)
    return rutas


if __name__ == "__main__":
    for r in generar():
        print(r.relative_to(RAIZ))
