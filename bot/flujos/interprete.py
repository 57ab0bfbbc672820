"""Intérprete puro de flujos: (estado, entrada, contexto) → (nuevo estado, respuestas, acciones).

Sin red ni base de datos. El motor guarda `Resultado.estado`, ejecuta `Resultado.acciones`
y envía `Resultado.respuestas`. El catálogo geográfico y la fecha de hoy se inyectan (el motor
la calcula en la zona horaria de los ajustes; sin ella, se usa la del sistema).
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from typing import Any

from bot.flujos.catalogo import CatalogoGeografico
from bot.flujos.controles import es_confirmacion, polaridad
from bot.flujos.definicion import FIN, Flujo, Opcion, Paso
from bot.flujos.menciones import leer_menciones
from bot.flujos.modelos import Accion, Entrada, EstadoFlujo, Resultado
from bot.flujos.nombres import nombre_propio
from bot.flujos.plantillas import evaluar, render, verdadera
from bot.flujos.tipos import (
    NO,
    Lectura,
    botones_de_opciones,
    elegir_opcion,
    es_omitir,
    es_peticion,
    leer,
    leer_si_no,
    opciones_de_casos,
)
from bot.nlu.respaldo import entidades_basicas
from bot.nucleo.comandos import Comando, es_acuse, es_agradecimiento, reconocer
from bot.nucleo.mensajes import Boton, Canal, Respuesta
from bot.texto import normalizar, sin_acentos

MAX_SALTOS = 200
BOTONES_TRES_FALLOS = [
    Boton("Continuar después", "/despues"),
    Boton("Hablar con un asesor", "/asesor"),
]
BOTONES_DESCARTAR = [Boton("Sí, descartar", "/descartar"), Boton("No, seguir", "/no_descartar")]
DESCARTAR = frozenset({"descartar", "descartalo", "descartarlo", "descarte", "descartelo",
                       "borrar", "borralo", "borrelo", "cancelar", "cancelalo", "si cancelar"})
SEGUIR = frozenset({"seguir", "continuar", "sigamos", "no descartar", "no lo descartes",
                    "mejor no", "no gracias", "regresar", "volver"})
CONFIRMAR = frozenset({
    "confirmar", "confirmo", "confirmado", "todo bien", "esta bien", "todo correcto",
    "correcto", "enviar", "envialo", "adelante", "si confirmo", "confirmar y enviar",
})
CORREGIR = ("corregir", "cambiar", "modificar", "editar", "corrijo", "corrige", "cambio")
_ARTICULOS = ("el ", "la ", "los ", "las ", "mi ", "de ", "del ", "su ")
PAYLOADS_PROPIOS = ("/op ", "/mun ", "/caso ")
PAYLOADS_FIJOS = frozenset({"/si", "/no", "/omitir", "/listo", "/confirmar", "/aun_no",
                            "/descartar", "/no_descartar"})
MAX_EN_LISTA = 4
MAX_VALOR_EN_AVANCE = 40
"""Un valor más largo (p. ej. los objetivos) no se repite al recapitular: solo su nombre."""
# Otras formas de nombrar un dato al corregirlo en el resumen, según su tipo.
_NOMBRES_POR_TIPO = {
    "correo": ("correo", "correo electronico", "email", "e mail", "mail"),
    "telefono": ("telefono", "tel", "celular", "cel", "numero de telefono", "whatsapp"),
    "fecha": ("fecha",),
    "pais": ("pais",),
    "ciudad": ("ciudad",),
    "municipio": ("municipio",),
    "nombre": ("nombre",),
}
# Lo que separa el dato de su nuevo valor: «el correo está mal, *es* …», «la fecha *fue* …».
_CONECTOR = re.compile(r"(?:^|[\s,;])(es|son|fue|era|sera|seria|debe ser|deberia ser|queda|"
                       r"quedaria|a|por|seria)\s+|:\s*")
_COLA = re.compile(r"[\s,.;!]*(?:por favor|gracias|porfa)?[\s,.;!]*$", re.I)
_MESES = ("enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|"
          "noviembre|diciembre")
_FECHA_CLARA = re.compile(rf"\b\d{{1,2}}\s*[/-]\s*\d{{1,2}}\b|\b\d{{1,2}}\s+de\s+({_MESES})\b")

AYUDA_TIPO = {
    "texto": "Escriba su respuesta en un mensaje.",
    "ciudad": "Escriba el nombre de la ciudad; puede agregar la región, p. ej. «Lyon, Francia».",
    "numero": "Escriba solo el número.",
    "fecha": "Escriba la fecha como 15/03/2025 o «15 de marzo de 2025».",
    "correo": "Escriba un correo como nombre@municipio.gob.mx.",
    "telefono": "Escriba 10 dígitos; puede incluir +52, espacios o guiones.",
    "municipio": "Escriba el nombre del municipio. Si hay varios con ese nombre, agregue el "
    "estado: «Guadalupe, Nuevo León».",
    "estado": "Escriba el nombre del estado, por ejemplo «Jalisco».",
    "pais": "Escriba el país en español, por ejemplo «Estados Unidos» o «Francia».",
    "opcion": "Pulse un botón o escriba la opción con sus palabras.",
    "multiopcion": "Puede elegir varias: escríbalas separadas por comas (p. ej. «cultura, "
    "turismo») o púlselas una por una y al final «Listo».",
    "nombre": "Escriba el nombre completo, por ejemplo «Laura Méndez».",
    "si_no": "Responda «sí» o «no».",
    "archivo": "Envíe el archivo como adjunto (PDF, DOCX, JPG o PNG).",
    "caso": "Elija uno de sus casos o escriba el folio, por ejemplo CH-2026-NL-0007.",
    "confirmacion": "Escriba «confirmar» si todo está bien, o «corregir» y el dato, "
    "por ejemplo «corregir correo».",
    "mensaje": "",
}
# En la terminal los botones llevan número: ahí sí se sugiere escribirlo.
AYUDA_TIPO_TERMINAL = {
    "opcion": "Pulse un botón o escriba el número de la opción.",
    "multiopcion": "Puede elegir varias: escriba sus números separados por comas (p. ej. "
    "«1, 3») o sus nombres, o púlselas una por una y al final «Listo».",
}
AYUDA_GLOBAL = "En cualquier momento puede escribir «atrás», «cancelar», «menú» o «asesor»."
DONDE_ENVIAR = "por el chat web, Telegram o WhatsApp, o a su oficina estatal"
"""Por dónde puede llegar un archivo que este canal no recibe."""
SIN_ARCHIVOS_PENDIENTE = {
    1: "Por este canal no puedo recibir archivos, así que lo dejo pendiente: puede enviarlo "
       "después " + DONDE_ENVIAR + ".",
    2: "Por este canal no puedo recibir archivos, así que los dejo pendientes: puede "
       "enviarlos después " + DONDE_ENVIAR + ".",
}
SIN_ARCHIVOS_TRAMITE = ("Por este canal no puedo recibir archivos. Puede enviar su documento "
                        "por el chat web, Telegram o WhatsApp (ahí lo agrego a su caso), o "
                        "entregarlo a su oficina estatal.")
BOTONES_SIN_ARCHIVOS = [Boton("Ver mi caso", "/iniciar seguimiento"), Boton("Menú", "/menu")]


def recibe_archivos(contexto: dict[str, Any]) -> bool:
    """¿El canal de la conversación puede enviar archivos? Sin canal conocido (el simulador,
    `flujos probar`), sí."""
    try:
        return Canal(contexto.get("canal")).admite_archivos
    except ValueError:
        return True


def _poner(destino: dict[str, Any], ruta: str, valor: Any) -> None:
    partes = ruta.split(".")
    for parte in partes[:-1]:
        siguiente = destino.get(parte)
        if not isinstance(siguiente, dict):
            siguiente = {}
            destino[parte] = siguiente
        destino = siguiente
    destino[partes[-1]] = valor


def legible(valor: Any, paso: Paso | None = None) -> str:
    """Forma legible de un valor prellenado (municipio, estado, país, texto); el valor de una
    opción se dice con su título («Integrante de comité», no «comite»)."""
    if paso is not None and paso.opciones:
        titulos = {o.valor: o.titulo for o in paso.opciones}
        if isinstance(valor, str) and valor in titulos:
            return titulos[valor]
        if isinstance(valor, list):
            return ", ".join(titulos.get(str(v), str(v)) for v in valor)
    if isinstance(valor, dict):
        nombre = str(valor.get("nombre") or valor.get("folio") or "")
        if valor.get("estado_nombre"):
            return f"{nombre}, {valor['estado_nombre']}"
        return nombre
    if isinstance(valor, bool):
        return "Sí" if valor else "No"
    if isinstance(valor, list):
        return ", ".join(str(v) for v in valor)
    return str(valor)


class _Turno:
    """Un turno de conversación sobre una copia del estado."""

    def __init__(
        self,
        flujo: Flujo,
        estado: EstadoFlujo,
        contexto: dict[str, Any],
        catalogo: CatalogoGeografico | None,
        hoy: dt.date | None,
    ) -> None:
        self.flujo = flujo
        self.estado = estado.copia()
        self.contexto = contexto
        self.catalogo = catalogo
        self.hoy = hoy or dt.date.today()
        self.salida: list[Respuesta] = []
        self.acciones: list[Accion] = []
        self.evento: str | None = None
        self.terminado = False

    # -- utilidades -------------------------------------------------------------------
    def variables(self) -> dict[str, Any]:
        """Nombres disponibles en plantillas y condiciones."""
        v: dict[str, Any] = dict(self.contexto)
        v["datos"] = self.flujo.datos
        v.update(self.estado.respuestas)
        v["respuestas"] = self.estado.respuestas
        v["hoy"] = self.hoy.isoformat()
        v["recibe_archivos"] = recibe_archivos(self.contexto)
        return v

    def render(self, plantilla: str | None) -> str:
        return render(plantilla, self.variables()) if plantilla else ""

    def decir(
        self, texto: str, botones: list[Boton] | None = None, enlace: str | None = None
    ) -> None:
        if texto or botones:
            self.salida.append(Respuesta(texto=texto, botones=list(botones or []), enlace=enlace))

    @property
    def con_numeros(self) -> bool:
        """¿El canal muestra números junto a los botones? (Solo la terminal.)"""
        return self.contexto.get("canal") == "terminal"

    def ayuda_tipo(self, tipo: str) -> str:
        """Qué se espera en un paso de este tipo, dicho para este canal."""
        if self.con_numeros and tipo in AYUDA_TIPO_TERMINAL:
            return AYUDA_TIPO_TERMINAL[tipo]
        return AYUDA_TIPO.get(tipo, "")

    def resultado(self) -> Resultado:
        if not any(r.texto or r.botones for r in self.salida):
            self.decir("Listo." if self.terminado else self.ayuda_tipo(self._paso().tipo)
                       or "¿Me repite su respuesta, por favor?")
        return Resultado(
            estado=None if self.terminado else self.estado,
            respuestas=self.salida,
            acciones=self.acciones,
            evento=self.evento,
        )

    def _paso(self) -> Paso:
        return self.flujo.paso(self.estado.paso)

    def botones(self, paso: Paso) -> list[Boton]:
        """Botones de un paso según su tipo, más los extra del YAML."""
        b: list[Boton] = []
        if paso.tipo in ("opcion", "multiopcion"):
            b = botones_de_opciones(paso.opciones)
        elif paso.tipo == "si_no":
            titulos = {o.valor: o.titulo for o in paso.opciones}
            b = [Boton(titulos.get("si", "Sí"), "/si"), Boton(titulos.get("no", "No"), "/no")]
        elif paso.tipo == "caso":
            b = [Boton(o.titulo, f"/caso {o.valor}")
                 for o in opciones_de_casos(self.contexto.get("casos"))]
        elif paso.tipo == "confirmacion":
            b = [Boton("Confirmar", "/confirmar"), Boton("Corregir un dato", "/corregir")]
        elif paso.tipo == "fecha" and paso.validacion.permite_aun_no:
            b = [Boton("Aún no", "/aun_no")]
        if paso.opcional:
            b.append(Boton("Después" if paso.tipo == "archivo" else "Omitir", "/omitir"))
        b.extend(Boton(self.render(x.titulo), x.payload) for x in paso.botones)
        return b

    def siguiente_de(self, paso: Paso) -> str:
        s = paso.siguiente
        if isinstance(s, str):
            return s
        if s:
            variables = self.variables()
            for rama in s:
                if rama.si is None or verdadera(rama.si, variables):
                    return rama.ir
        return self.flujo.de_abajo(paso.id)

    def datos_accion(self, paso: Paso) -> dict[str, Any]:
        return {
            "flujo": self.flujo.id,
            "paso": paso.id,
            "respuestas": copy.deepcopy(self.estado.respuestas),
        }

    def asignar(self, paso: Paso) -> None:
        for ruta, expresion in paso.asignar.items():
            _poner(self.estado.respuestas, ruta, evaluar(expresion, self.variables()))

    # -- movimiento -------------------------------------------------------------------
    def terminar(self, evento: str) -> None:
        self.terminado = True
        self.evento = self.evento or evento

    def entrar(self, paso_id: str, *, directo: bool = False) -> None:
        """Llega a `paso_id`: salta condiciones falsas, dice mensajes, para en una pregunta.
        Un archivo opcional que el canal no puede enviar se deja pendiente (se dice una vez);
        uno obligatorio termina el trámite diciendo por dónde sí puede enviarlo."""
        saltados = 0
        for _ in range(MAX_SALTOS):
            if paso_id == FIN or not self.flujo.tiene(paso_id):
                self.terminar("completado")
                return
            paso = self.flujo.paso(paso_id)
            if not directo and not verdadera(paso.condicion, self.variables()):
                paso_id = self.flujo.de_abajo(paso.id)  # un paso saltado cede al de abajo
                continue
            directo_aqui, directo = directo, False
            if paso.tipo == "archivo" and not recibe_archivos(self.contexto):
                if not paso.opcional:  # el trámite no se puede cumplir por este canal
                    self.decir(SIN_ARCHIVOS_TRAMITE, BOTONES_SIN_ARCHIVOS)
                    self.terminar("sin_archivos")
                    return
                saltados += 1  # se dice una vez, antes de la pregunta que sigue
                paso_id = self.siguiente_de(paso)
                continue
            if saltados:
                self.decir(SIN_ARCHIVOS_PENDIENTE[min(saltados, 2)])
                saltados = 0
            if not paso.espera_respuesta:
                self.decir(self.render(paso.pregunta), self.botones(paso),
                           self.render(paso.enlace) or None)
                self.asignar(paso)
                if paso.accion:
                    self.acciones.append(Accion(paso.accion, self.datos_accion(paso)))
                paso_id = self.siguiente_de(paso)
                continue
            self.estado.paso = paso.id
            self.estado.fallos = 0
            self.estado.pendiente = None
            dicho = None if directo_aqui else self.tomar_dicho(paso)
            if dicho is not None:
                valor, texto = dicho.get("valor"), str(dicho.get("texto") or legible(
                    dicho.get("valor"), paso))
                extras = dicho.get("extras") if isinstance(dicho.get("extras"), dict) else {}
                if not dicho.get("confirmado"):  # lo dijo sin que se le preguntara
                    self.estado.pendiente = {"tipo": "prellenado", "valor": valor,
                                             "texto": texto, "extras": extras}
                    self.preguntar_prellenado(paso, valor, texto)
                    return
                if dicho.get("avisar"):
                    self.decir(f"Anoto {paso.nombre}: {texto}.")
                paso_id = self.completar(paso, valor, texto, extras=extras)
                continue
            if not directo_aqui and paso.prellenar is not None and paso.prellenar.desde:
                valor = evaluar(paso.prellenar.desde, self.variables())
                if valor not in (None, "", [], {}):
                    if paso.prellenar.modo == "saltar":
                        paso_id = self.completar(paso, valor, legible(valor, paso),
                                                 historial=False)
                        continue
                    self.estado.pendiente = {"tipo": "prellenado", "valor": valor}
                    self.preguntar_prellenado(paso, valor)
                    return
            self.preguntar(paso)
            return
        self.decir("Tuve un problema con este trámite. Le comunico con un asesor si lo desea.",
                   BOTONES_TRES_FALLOS)
        self.terminar("error_flujo")

    def preguntar(self, paso: Paso) -> None:
        self.decir(self.render(paso.pregunta) or f"{paso.nombre}:", self.botones(paso),
                   self.render(paso.enlace) or None)

    def preguntar_prellenado(self, paso: Paso, valor: Any, dicho: str | None = None) -> None:
        """Confirma un dato que ya se conoce: del perfil (la pregunta de `prellenar`, que lo
        llama `propuesto`) o dicho por la persona sin que se le preguntara (`dicho`: en una
        línea, «Anoté ciudad contraparte: Tucson, Arizona. ¿Es correcto?»)."""
        plantilla = paso.prellenar.pregunta if paso.prellenar is not None else None
        if plantilla:
            texto = render(plantilla, {**self.variables(), "propuesto": valor})
        elif dicho is not None:
            texto = f"Anoté {paso.nombre}: {dicho}. ¿Es correcto?"
        else:
            texto = f"Tengo registrado: {legible(valor, paso)}. ¿Es correcto?"
        confirma = paso.prellenar.confirma if paso.prellenar is not None else []
        if confirma and isinstance(self.estado.pendiente, dict):
            # Un «sí» confirma solo los dichos que la pregunta mostró.
            dichos, mostrado = self.dichos(), normalizar(texto)
            self.estado.pendiente["confirma"] = [
                c for c in confirma if isinstance(dichos.get(c), dict)
                and normalizar(str(dichos[c].get("texto") or "")) in mostrado]
        self.decir(texto, [Boton("Sí", "/si"), Boton("No, es otro", "/no")])

    # -- lo que la persona ya dijo ----------------------------------------------------
    def dichos(self) -> dict[str, Any]:
        """Campos que la persona ya dijo y aún no se guardan: campo → {valor, texto,
        confirmado, avisar}. Viven en las respuestas (`dichos`) hasta que su paso llega."""
        d = self.estado.respuestas.get("dichos")
        return d if isinstance(d, dict) else {}

    def tomar_dicho(self, paso: Paso) -> dict[str, Any] | None:
        """El dato dicho para el campo de este paso (y lo quita de los pendientes)."""
        dichos = self.dichos()
        if not paso.campo or not isinstance(dichos.get(paso.campo), dict):
            return None
        dicho: dict[str, Any] = dichos.pop(paso.campo)
        if not dichos:
            self.estado.respuestas.pop("dichos", None)
        return dicho

    def marcar_dichos(self, campos: list[str], confirmados: bool) -> None:
        """Tras «sí» a una pregunta que los confirmaba a la vez, se toman sin preguntar;
        tras «no», se olvidan (se preguntarán)."""
        dichos = self.dichos()
        for campo in campos:
            if campo in dichos:
                if confirmados:
                    dichos[campo]["confirmado"] = True
                else:
                    dichos.pop(campo)
        if not dichos:
            self.estado.respuestas.pop("dichos", None)

    def corregir_dichos(self, campos: list[str], texto: str) -> bool:
        """Lo que una corrección trae para los datos que la pregunta confirmaba los
        reemplaza (sin confirmar): la ciudad y el país por lo que se lee en la oración, una
        opción (el tipo de acuerdo) por su nombre dentro del texto. Una ciudad nueva sin
        país deja el país por preguntar. ¿Cambió algo?"""
        halladas = leer_menciones(texto, self.catalogo, self.hoy, contraparte=True)
        nuevos: dict[str, dict[str, Any]] = {}
        for campo in campos:
            mencion = getattr(halladas, campo, None)
            if mencion is not None:
                nuevos[campo] = mencion.a_json()
                continue
            paso = next((p for p in self.flujo.pasos if p.campo == campo and p.opciones), None)
            opcion = _opcion_nombrada(texto, paso.opciones) if paso is not None else None
            if opcion is not None:
                nuevos[campo] = {"valor": opcion.valor, "texto": opcion.titulo}
        if not nuevos:
            return False
        dichos = self.dichos()
        if "ciudad" in nuevos and "pais" not in nuevos:
            dichos.pop("pais", None)
        dichos.update(nuevos)
        self.estado.respuestas["dichos"] = dichos
        return True

    def guardar_extras(self, paso: Paso, extras: dict[str, dict[str, Any]]) -> None:
        """Lo que la respuesta trajo además (`tambien`): si su paso aún no llega, queda dicho
        (se toma sin preguntar y se avisa); si no hay paso o ya pasó, se guarda directo."""
        if not extras or not paso.tambien:
            return
        despues = self.flujo.pasos[self.flujo.pasos.index(paso) + 1:]
        for nombre, campo in paso.tambien.items():
            extra = extras.get(nombre)
            if not isinstance(extra, dict):
                continue
            destino = next((p for p in despues if p.campo == campo), None)
            if destino is not None and destino.id not in self.estado.historial:
                dichos = self.estado.respuestas.setdefault("dichos", {})
                dichos[campo] = {**extra, "confirmado": True, "avisar": True}
                continue
            r = self.estado.respuestas
            _poner(r, campo, extra.get("valor"))
            textos = r.get("textos")
            if not isinstance(textos, dict):
                textos = r["textos"] = {}
            _poner(textos, campo, str(extra.get("texto") or ""))
            ya = next((p for p in self.flujo.pasos if p.campo == campo), None)
            if ya is not None:
                self.asignar(ya)  # p. ej. el ámbito que sale del país

    def completar(self, paso: Paso, valor: Any, texto: str, *, historial: bool = True,
                  extras: dict[str, dict[str, Any]] | None = None) -> str:
        """Guarda la respuesta (y lo que trajo además), corre asignaciones y acciones;
        devuelve el paso que sigue."""
        r = self.estado.respuestas
        if paso.campo:
            _poner(r, paso.campo, valor)
            textos = r.get("textos")
            if not isinstance(textos, dict):
                textos = r["textos"] = {}
            _poner(textos, paso.campo, texto)
        self.asignar(paso)
        self.guardar_extras(paso, extras or {})
        if paso.acumular and paso.campo:
            raiz = paso.campo.split(".")[0]
            acumulados = r.get(paso.acumular)
            if not isinstance(acumulados, list):
                acumulados = r[paso.acumular] = []
            acumulados.append(copy.deepcopy(r.pop(raiz, None)))
            r["textos"].pop(raiz, None)
        if historial:
            self.estado.historial.append(paso.id)
        self.estado.pendiente = None
        self.estado.fallos = 0
        if paso.accion:
            self.acciones.append(Accion(paso.accion, self.datos_accion(paso)))
        if self.estado.regreso and self.estado.regreso != paso.id:
            destino, self.estado.regreso = self.estado.regreso, None
            return destino
        if paso.tipo == "confirmacion":
            self.estado.regreso = None
        return self.siguiente_de(paso)

    def fallar(self, paso: Paso, mensaje: str, botones: list[Boton] | None = None) -> None:
        self.estado.fallos += 1
        if botones is None and paso.tipo in ("opcion", "multiopcion", "si_no", "caso"):
            botones = self.botones(paso)
        self.decir(mensaje, botones)
        if self.estado.fallos % 3 == 0:
            self.decir(
                "Parece que esta pregunta se complicó. Puede intentarlo otra vez, "
                "continuar después o hablar con un asesor.",
                BOTONES_TRES_FALLOS,
            )
            self.evento = "tres_fallos"

    # -- respuestas -------------------------------------------------------------------
    def leer(self, paso: Paso, entrada: Entrada, pendiente: dict[str, Any] | None) -> Lectura:
        if paso.tipo == "fecha" and entrada.payload == "/aun_no":
            entrada = Entrada(texto="aún no")
        if paso.tipo == "archivo" and paso.opcional and not entrada.archivo \
                and _SIN_EL_ARCHIVO.search(normalizar(entrada.texto)):
            entrada = Entrada(payload="/omitir")  # «no lo tengo a la mano», «luego lo mando»
        lectura = leer(paso, entrada, pendiente=pendiente, variables=self.variables(),
                       catalogo=self.catalogo, hoy=self.hoy)
        if paso.tipo == "pais" and lectura.lista and isinstance(lectura.valor, dict) \
                and lectura.valor.get("codigo") == "MX":
            return self.revisar_nacional(paso, lectura)
        return lectura

    def revisar_nacional(self, paso: Paso, lectura: Lectura) -> Lectura:
        """Si la contraparte está en México, la ciudad debe ser un municipio del catálogo
        («Laredo» + «México» no: no hay municipio Laredo; Nuevo Laredo sí)."""
        ciudades = [p for p in self.flujo.pasos if p.tipo == "ciudad" and p.campo]
        ciudad = next((v for p in ciudades
                       if isinstance(v := _tomar(self.estado.respuestas, p.campo or ""), str)),
                      None)
        if ciudad is None or self.catalogo is None:
            return lectura
        nombre = ciudad.split(",")[0].strip()
        hallados = self.catalogo.buscar_municipio(ciudad) or self.catalogo.buscar_municipio(
            nombre)
        if any(m.puntaje >= 95 for m in hallados):
            return lectura
        return Lectura(error=f"No encuentro «{nombre}» entre los municipios de México, así que "
                       "no sería un hermanamiento nacional. ¿En qué país está? (Si sí es de "
                       "México, escriba «atrás» y corrija el nombre de la ciudad.)")

    def aplicar(self, paso: Paso, lectura: Lectura) -> None:
        if lectura.pendiente is not None:
            self.estado.pendiente = lectura.pendiente
            self.decir(lectura.aviso, lectura.botones)
        elif lectura.error is not None:
            self.fallar(paso, lectura.error)
        else:
            self.entrar(self.completar(paso, lectura.valor, lectura.texto,
                                       extras=lectura.extras))

    def responder(self, paso: Paso, entrada: Entrada) -> None:
        pendiente = self.estado.pendiente
        if pendiente and pendiente.get("tipo") == "descartar":
            self.responder_descartar(paso, entrada, pendiente)
        elif paso.tipo == "archivo" and not recibe_archivos(self.contexto):
            self.entrar(paso.id)  # quedó esperando un archivo que este canal no manda
        elif self.responder_acuse(paso, entrada):
            return
        elif pendiente and pendiente.get("tipo") == "prellenado":
            self.responder_prellenado(paso, entrada, pendiente["valor"])
        elif paso.tipo == "confirmacion":
            self.responder_resumen(paso, entrada)
        elif not paso.espera_respuesta:
            self.entrar(self.siguiente_de(paso))
        elif pide_otra_cosa(paso, entrada):
            desde = len(self.salida)
            self.repreguntar(paso)
            self.anteponer("No tengo una respuesta para eso; si quiere, escriba «asesor» y le "
                           "comunico con su oficina estatal. Mientras, sigamos:", desde)
        else:
            self.aplicar(paso, self.leer(paso, entrada, pendiente))

    def repreguntar(self, paso: Paso) -> None:
        """Vuelve a hacer la pregunta abierta, con lo que el paso tenga a medias."""
        pendiente = self.estado.pendiente or {}
        tipo = pendiente.get("tipo")
        if tipo == "prellenado":
            self.preguntar_prellenado(paso, pendiente.get("valor"), pendiente.get("texto"))
        elif tipo == "candidatos":
            self.decir("¿Cuál de estos municipios es el suyo?", [
                Boton(f"{c['nombre']} ({c['estado_nombre']})", f"/mun {c['clave_inegi']}")
                for c in pendiente.get("candidatos", [])])
        elif tipo == "corregir":
            self.decir("¿Qué dato desea corregir?", self.botones_corregir(paso))
        elif tipo == "seleccion":
            self.decir(self.render(paso.pregunta), [*self.botones(paso), Boton("Listo", "/listo")])
        elif paso.tipo == "confirmacion" and paso.recordatorio:
            self.decir(self.render(paso.recordatorio), self.botones(paso))  # no todo el resumen
        else:
            self.preguntar(paso)

    def anteponer(self, texto: str, desde: int) -> None:
        """Pone `texto` al frente del primer mensaje dicho desde `desde` (uno solo, no dos)."""
        if desde < len(self.salida):
            primera = self.salida[desde]
            primera.texto = f"{texto} {primera.texto}".strip()
        else:
            self.decir(texto)

    def responder_acuse(self, paso: Paso, entrada: Entrada) -> bool:
        """«ok», «va», «gracias»: no son un dato. Se contesta en corto y se repite la pregunta
        abierta. Donde «ok» sí responde (un sí o no, un dato prellenado, el resumen, cerrar una
        selección) lo atiende el paso. Devuelve si lo atendió."""
        if entrada.payload or not es_acuse(entrada.texto) or not paso.espera_respuesta:
            return False
        gracias = es_agradecimiento(entrada.texto)
        pendiente = self.estado.pendiente or {}
        if not gracias and (paso.tipo in ("si_no", "confirmacion")
                            or pendiente.get("tipo") == "prellenado"):
            return False
        if not gracias and pendiente.get("tipo") == "seleccion":
            self.aplicar(paso, self.leer(paso, Entrada(payload="/listo"), pendiente))
            return True
        desde = len(self.salida)
        self.repreguntar(paso)
        self.anteponer("Con gusto." if gracias else "De acuerdo.", desde)
        return True

    def pedir_descartar(self) -> None:
        """Antes de tirar lo capturado, preguntar (con cuántas respuestas lleva)."""
        self.estado.pendiente = {"tipo": "descartar", "previo": self.estado.pendiente}
        self.pedir_descartar_de_nuevo()

    def pedir_descartar_de_nuevo(self) -> None:
        n = capturadas(self.flujo, self.estado)
        cuantas = "1 respuesta guardada" if n == 1 else f"{n} respuestas guardadas"
        self.decir(f"¿Descarto {self.flujo.en_palabras}? Tiene {cuantas}.", BOTONES_DESCARTAR)

    def descartar(self) -> None:
        previo = (self.estado.pendiente or {}).get("previo")
        self.estado.pendiente = previo if isinstance(previo, dict) else None
        self.decir(self.render(self.flujo.al_cancelar)
                   or f"Listo, dejé {self.flujo.en_palabras} sin terminar.")
        self.terminar("cancelado")

    def responder_descartar(self, paso: Paso, entrada: Entrada, pendiente: dict[str, Any]
                            ) -> None:
        n = normalizar(entrada.texto)
        previo = pendiente.get("previo")
        if entrada.payload == "/descartar" or (not entrada.payload and (
                n in DESCARTAR or polaridad(entrada.texto) is True)):
            self.descartar()
            return
        self.estado.pendiente = previo if isinstance(previo, dict) else None
        if entrada.payload == "/no_descartar" or (not entrada.payload and (
                n in SEGUIR or polaridad(entrada.texto) is False)):
            desde = len(self.salida)
            self.repreguntar(paso)
            self.anteponer("Bien, seguimos.", desde)
            return
        self.responder(paso, entrada)  # contestó la pregunta: se toma como respuesta

    def responder_prellenado(self, paso: Paso, entrada: Entrada, valor: Any) -> None:
        sino = leer_si_no(entrada)
        mostrados = (self.estado.pendiente or {}).get("confirma")
        confirma = mostrados if isinstance(mostrados, list) else (
            paso.prellenar.confirma if paso.prellenar is not None else [])
        resto = _tras_el_no(entrada.texto) if sino is False else ""
        if resto and paso.prellenar is not None and self.corregir_dichos(
                paso.prellenar.confirma, resto):
            # «no, es un acuerdo de amistad», «no, es con Tucson, Arizona»: se corrige lo
            # dicho y se confirma otra vez en una línea, sin perder lo demás.
            self.estado.pendiente = {"tipo": "prellenado", "valor": valor}
            self.preguntar_prellenado(paso, valor)
            return
        if sino is True or (sino is False and paso.prellenar is not None
                            and paso.prellenar.olvida):
            self.marcar_dichos(confirma, sino)
        if sino is True:
            if paso.tipo == "nombre" and isinstance(valor, str):
                valor = nombre_propio(valor)  # p. ej. el nombre que da Telegram, en minúsculas
            pendiente = self.estado.pendiente or {}
            texto = pendiente.get("texto") or legible(valor, paso)
            extras = pendiente.get("extras") if isinstance(pendiente.get("extras"), dict) else {}
            self.entrar(self.completar(paso, valor, str(texto), extras=extras))
        elif sino is False:
            self.estado.pendiente = None
            resto = _tras_el_no(entrada.texto)
            lectura = self.leer(paso, Entrada(texto=resto), None) if resto else None
            if lectura is not None and lectura.lista:  # «no, va a ser mi compañero Jorge…»
                self.aplicar(paso, lectura)
            else:
                self.preguntar(paso)
        else:
            lectura = self.leer(paso, entrada, None)
            if lectura.error is not None and paso.prellenar is not None and entrada.texto \
                    and self.corregir_dichos(paso.prellenar.confirma, entrada.texto):
                self.estado.pendiente = {"tipo": "prellenado", "valor": valor}
                self.preguntar_prellenado(paso, valor)  # «Francia»: completa lo confirmado
            elif lectura.error is not None:
                self.fallar(paso, "Responda «sí» o «no», o escriba directamente el dato correcto.",
                            [Boton("Sí", "/si"), Boton("No, es otro", "/no")])
            else:
                if lectura.lista and lectura.valor == valor:  # repite lo propuesto: es un «sí»
                    self.marcar_dichos(confirma, True)
                self.aplicar(paso, lectura)

    def corregibles(self, paso: Paso) -> list[Paso]:
        if paso.corregir:
            return [self.flujo.paso(i) for i in paso.corregir if self.flujo.tiene(i)]
        # Sin lista en el YAML: los datos que contestó en este trámite (no los de pasos que
        # no le tocaron ni los que se tomaron solos, como el caso cuando solo tiene uno).
        previos = self.flujo.pasos[: self.flujo.pasos.index(paso)]
        return [p for p in previos if p.espera_respuesta and p.campo and p.etiqueta
                and p.id in self.estado.historial]

    def botones_corregir(self, paso: Paso) -> list[Boton]:
        return [Boton(p.nombre[:1].upper() + p.nombre[1:], f"/corregir {p.id}")
                for p in self.corregibles(paso)]

    def objetivo_correccion(self, paso: Paso, texto: str) -> Paso | None:
        candidatos = self.corregibles(paso)
        por_id = {p.id: p for p in candidatos}
        if texto in por_id:
            return por_id[texto]
        n = normalizar(texto)
        for articulo in _ARTICULOS:
            n = n.removeprefix(articulo)
        opciones = [
            Opcion(
                titulo=p.nombre,
                valor=p.id,
                sinonimos=[p.id.replace("_", " "), (p.campo or "").replace(".", " "),
                           (p.campo or "").split(".")[-1].replace("_", " ")],
            )
            for p in candidatos
        ]
        op = elegir_opcion(n, opciones)
        return por_id.get(op.valor) if op else None

    def campo_mencionado(self, candidatos: list[Paso], plano: str) -> tuple[Paso, int] | None:
        """El dato que nombra el texto («el correo está mal…») y dónde termina la mención.
        Gana la mención más larga («nombre del enlace» antes que «nombre»); si dos datos
        distintos empatan, no se adivina."""
        hallados: list[tuple[int, int, Paso]] = []  # (largo, fin, paso)
        for p in candidatos:
            formas = {normalizar(p.id.replace("_", " "))}
            if p.etiqueta:
                formas.add(normalizar(p.etiqueta))
            if p.campo:
                formas.add(normalizar(p.campo.split(".")[-1].replace("_", " ")))
            formas.update(_NOMBRES_POR_TIPO.get(p.tipo, ()))
            for forma in formas:
                if forma and (m := re.search(rf"\b{re.escape(forma)}\b", plano)):
                    hallados.append((len(forma), m.end(), p))
        if not hallados:
            return None
        hallados.sort(key=lambda h: (-h[0], h[1]))
        if len(hallados) > 1 and hallados[1][0] == hallados[0][0] \
                and hallados[1][2].id != hallados[0][2].id:
            return None
        return hallados[0][2], hallados[0][1]

    def correccion_en_linea(self, paso: Paso, texto: str) -> tuple[Paso, str | None] | None:
        """Un dato corregido en el mismo mensaje: «el correo está mal, es j@x.gob.mx», «la
        fecha fue el 3 de marzo», «el teléfono es 998 123 4567». Devuelve el paso del dato y
        el valor nuevo (None si solo dijo qué dato), o None si no nombra ningún dato. Si no
        dice cuál, se deduce de la forma del valor (un correo, un teléfono, una fecha)."""
        candidatos = self.corregibles(paso)
        if not candidatos or not texto.strip():
            return None
        plano = "".join((sin_acentos(c).lower() or c)[:1] for c in texto)
        entidades = {e.tipo: e.valor for e in reversed(entidades_basicas(texto))}
        mencion = self.campo_mencionado(candidatos, plano)
        if mencion is not None:
            destino, fin = mencion
            valor = entidades.get(destino.tipo) or _valor_tras(texto, plano, fin)
            return destino, valor or None
        por_forma: list[tuple[Paso, str]] = []
        for tipo in ("correo", "telefono"):
            if tipo in entidades:
                por_forma += [(p, entidades[tipo]) for p in candidatos if p.tipo == tipo]
        if _FECHA_CLARA.search(plano):
            por_forma += [(p, texto) for p in candidatos if p.tipo == "fecha"]
        return por_forma[0] if len(por_forma) == 1 else None

    def aplicar_correccion(self, resumen: Paso, destino: Paso, valor: str | None) -> None:
        """Cambia el dato y vuelve a mostrar el resumen; si el valor no sirve (o no lo dijo),
        pregunta ese dato y luego regresa al resumen."""
        self.estado.regreso = resumen.id
        self.estado.pendiente = None
        if valor is None:
            self.entrar(destino.id, directo=True)
            return
        lectura = self.leer(destino, Entrada(texto=valor), None)
        if lectura.lista:
            self.decir("Listo, lo corregí.")
            self.entrar(self.completar(destino, lectura.valor, lectura.texto))
            return
        self.estado.paso = destino.id
        self.estado.fallos = 0
        if lectura.pendiente is not None:
            self.estado.pendiente = lectura.pendiente
            self.decir(lectura.aviso, lectura.botones)
        else:
            self.decir(lectura.error or "")
            self.preguntar(destino)

    def responder_resumen(self, paso: Paso, entrada: Entrada) -> None:
        payload = entrada.payload or ""
        texto = entrada.texto
        n = normalizar(texto)
        eligiendo = (self.estado.pendiente or {}).get("tipo") == "corregir"
        con_valor = bool(entidades_basicas(texto)) if texto else False
        confirma = n in CONFIRMAR or (es_confirmacion(texto) and (not eligiendo
                                                                   or "confirm" in n))
        if payload == "/confirmar" or (not payload and not con_valor and confirma):
            self.entrar(self.completar(paso, True, "confirmado"))
            return
        if not payload and (correccion := self.correccion_en_linea(paso, texto)) is not None:
            self.aplicar_correccion(paso, *correccion)
            return
        objetivo: str | None = None
        if payload.startswith("/corregir"):
            objetivo = payload[len("/corregir"):].strip()
        elif not payload:
            palabra = next((c for c in CORREGIR if n == c or n.startswith(c + " ")), None)
            if palabra is not None:
                objetivo = n[len(palabra):].strip()
            elif n in NO or polaridad(texto) is False:
                objetivo = ""
            elif eligiendo:
                objetivo = texto
        if objetivo is None:
            self.fallar(paso, AYUDA_TIPO["confirmacion"],
                        [Boton("Confirmar", "/confirmar"), Boton("Corregir un dato", "/corregir")])
            return
        if not objetivo:
            unico = self.corregibles(paso)
            if len(unico) == 1:  # un solo dato: se pregunta de nuevo, sin elegirlo antes
                self.estado.regreso = paso.id
                self.entrar(unico[0].id, directo=True)
                return
            self.estado.pendiente = {"tipo": "corregir"}
            self.decir("¿Qué dato desea corregir?", self.botones_corregir(paso))
            return
        destino = self.objetivo_correccion(paso, objetivo)
        if destino is None:
            self.fallar(paso, "No ubico ese dato. Elija cuál desea corregir:",
                        self.botones_corregir(paso))
            return
        self.estado.regreso = paso.id
        self.entrar(destino.id, directo=True)


# Pasos donde una pregunta clara no es la respuesta (en un sí/no, un correo o un teléfono,
# el propio lector lo rechaza).
_TIPOS_CON_VALOR = frozenset({"texto", "opcion", "multiopcion", "municipio", "estado", "pais",
                              "ciudad", "nombre", "numero", "fecha"})


def pide_otra_cosa(paso: Paso, entrada: Entrada) -> bool:
    """¿El mensaje es claramente una pregunta u otra petición, no la respuesta del paso?
    («¿qué hace la oficina estatal?» en «¿Cuál es su papel?» no es «Asesor estatal».)"""
    return (not entrada.payload and paso.tipo in _TIPOS_CON_VALOR
            and es_peticion(entrada.texto))


# En un paso de archivo opcional, decir que no lo tiene ahora es saltarlo («no lo tengo a la
# mano», «aún no lo tenemos», «luego lo mando»).
_SIN_EL_ARCHIVO = re.compile(
    r"^(?:no|aun no|todavia no|ahorita no|ahora no|por ahora no)\b.*\b(?:tengo|tenemos|a la mano"
    r"|lo tengo|la tengo|lo tenemos|la tenemos)\b"
    r"|^(?:aun no|todavia no|ahorita no|ahora no|por ahora no)$"
    r"|\b(?:lo|la|los|las) (?:mando|envio|subo|paso|mandamos|enviamos|subimos|pasamos)\b"
    r"|\b(?:despues|luego|mas tarde|otro dia|manana)\b")

_NO_INICIAL = re.compile(r"^\s*(no|nel|nop|negativo)\b[\s,.;:!]*", re.I)


def _opcion_nombrada(texto: str, opciones: list[Opcion]) -> Opcion | None:
    """La única opción cuyo título o sinónimo aparece, como palabras enteras, en el texto
    («es un acuerdo de amistad» → Acuerdo de amistad)."""
    forma = f" {normalizar(texto)} "
    halladas = {o.valor: o for o in opciones
                for nombre in (o.titulo, *o.sinonimos) if f" {normalizar(nombre)} " in forma}
    return next(iter(halladas.values())) if len(halladas) == 1 else None


def _tras_el_no(texto: str) -> str:
    """Lo que sigue a un «no» («no, va a ser mi compañero el lic. Jorge Canul»)."""
    m = _NO_INICIAL.match(texto or "")
    resto = texto[m.end():].strip() if m else ""
    return resto if len(resto) >= 3 else ""


def _tomar(datos: dict[str, Any], ruta: str) -> Any:
    for parte in ruta.split("."):
        if not isinstance(datos, dict):
            return None
        datos = datos.get(parte)  # type: ignore[assignment]
    return datos


def _valor_tras(texto: str, plano: str, desde: int) -> str:
    """El valor nuevo que sigue a la mención del dato: lo que va después del primer
    conector («es», «fue», «a», «:») que no esté negado («no es Lyon, es Lille» → Lille)."""
    for m in _CONECTOR.finditer(plano, desde):
        if plano[max(desde, m.start() - 3):m.start() + 1].strip(" ,;").endswith("no"):
            continue
        return _COLA.sub("", texto[m.end():]).strip(" ,;:")
    return ""


def capturadas(flujo: Flujo, estado: EstadoFlujo) -> int:
    """Cuántas preguntas lleva contestadas la persona en este flujo. Un dato corregido cuenta
    una vez; los que se repiten por persona (`acumular`, p. ej. cada integrante), cada vez."""
    contadas: list[str] = []
    for pid in estado.historial:
        if not flujo.tiene(pid) or flujo.paso(pid).tipo == "confirmacion":
            continue
        paso = flujo.paso(pid)
        if paso.espera_respuesta and (paso.acumular or pid not in contadas):
            contadas.append(pid)
    return len(contadas)


def _en_lista(nombres: list[str], valores: dict[str, str] | None = None) -> str:
    """«a, b, c y otros 4 datos»; con `valores`, cada dato nombrado lleva el suyo entre
    paréntesis («municipio (Benito Juárez)»)."""
    if len(nombres) > MAX_EN_LISTA:
        resto = len(nombres) - MAX_EN_LISTA + 1
        nombres = [*nombres[:MAX_EN_LISTA - 1], f"otros {resto} datos"]
    if valores:
        nombres = [f"{n} ({valores[n]})" if valores.get(n) else n for n in nombres]
    if len(nombres) <= 1:
        return "".join(nombres)
    return f"{', '.join(nombres[:-1])} y {nombres[-1]}"


def avance(flujo: Flujo, estado: EstadoFlujo, contexto: dict[str, Any] | None = None, *,
           hoy: dt.date | None = None) -> str:
    """Lo capturado y lo que falta, en dos frases cortas («Ya tengo: municipio (Benito
    Juárez, Quintana Roo), ciudad contraparte (Lyon), país (Francia) y otros 2 datos. Faltan:
    objetivos, antecedentes y otros 6 datos.»): los datos nombrados llevan su valor si es
    corto, para reconocer el trámite al volver días después. Vacío si no hay nada que
    contar."""
    if estado.flujo != flujo.id or not flujo.tiene(estado.paso):
        return ""
    t = _turno(flujo, estado, contexto, None, hoy)
    tengo: list[str] = []
    valores: dict[str, str] = {}
    textos = estado.respuestas.get("textos")
    for pid in estado.historial:
        if flujo.tiene(pid) and (p := flujo.paso(pid)).etiqueta and p.espera_respuesta \
                and p.nombre not in tengo:
            tengo.append(p.nombre)
            valor = _tomar(textos, p.campo) if isinstance(textos, dict) and p.campo else None
            if isinstance(valor, str) and 0 < len(valor.strip()) <= MAX_VALOR_EN_AVANCE:
                valores[p.nombre] = valor.strip()
    faltan: list[str] = []
    variables = t.variables()
    for p in flujo.pasos[flujo.pasos.index(flujo.paso(estado.paso)):]:
        if (p.espera_respuesta and p.etiqueta and p.tipo != "confirmacion"
                and p.nombre not in tengo and p.nombre not in faltan
                and (p.id == estado.paso or verdadera(p.condicion, variables))):
            faltan.append(p.nombre)
    if not tengo and len(faltan) <= 1:
        return ""  # «Falta: papel» solo repetiría la pregunta que sigue
    partes = []
    if tengo:
        partes.append(f"Ya tengo: {_en_lista(tengo, valores)}.")
    if faltan:
        partes.append(f"{'Falta' if len(faltan) == 1 else 'Faltan'}: {_en_lista(faltan)}.")
    return " ".join(partes)


def _turno(
    flujo: Flujo,
    estado: EstadoFlujo,
    contexto: dict[str, Any] | None,
    catalogo: CatalogoGeografico | None,
    hoy: dt.date | None,
) -> _Turno:
    if estado.flujo != flujo.id:
        raise ValueError(f"el estado es del flujo «{estado.flujo}», no de «{flujo.id}»")
    return _Turno(flujo, estado, dict(contexto or {}), catalogo, hoy)


def iniciar(
    flujo: Flujo,
    contexto: dict[str, Any] | None = None,
    respuestas_previas: dict[str, Any] | None = None,
    *,
    catalogo: CatalogoGeografico | None = None,
    hoy: dt.date | None = None,
) -> Resultado:
    """Empieza el flujo (con respuestas previas opcionales) y hace la primera pregunta."""
    estado = EstadoFlujo(
        flujo=flujo.id,
        paso=flujo.paso_inicial,
        respuestas=copy.deepcopy(respuestas_previas or {}),
    )
    t = _turno(flujo, estado, contexto, catalogo, hoy)
    if not recibe_archivos(t.contexto) and any(
            p.tipo == "archivo" and not p.opcional for p in flujo.pasos):
        t.decir(SIN_ARCHIVOS_TRAMITE, BOTONES_SIN_ARCHIVOS)  # sin hacerle preguntas en balde
        t.terminar("sin_archivos")
        return t.resultado()
    t.entrar(flujo.paso_inicial)
    return t.resultado()


def avanzar(
    flujo: Flujo,
    estado: EstadoFlujo,
    entrada: Entrada,
    contexto: dict[str, Any] | None = None,
    *,
    catalogo: CatalogoGeografico | None = None,
    hoy: dt.date | None = None,
) -> Resultado:
    """Toma la respuesta del usuario al paso actual y avanza (o explica qué se espera)."""
    t = _turno(flujo, estado, contexto, catalogo, hoy)
    if not flujo.tiene(t.estado.paso):
        t.decir("Este trámite se actualizó; retomemos desde el principio con lo que ya tengo.")
        t.estado.historial.clear()
        t.entrar(flujo.paso_inicial)
    else:
        t.responder(t._paso(), entrada)
    return t.resultado()


def acepta(
    flujo: Flujo,
    estado: EstadoFlujo,
    entrada: Entrada,
    contexto: dict[str, Any] | None = None,
    *,
    catalogo: CatalogoGeografico | None = None,
    hoy: dt.date | None = None,
) -> bool:
    """¿El paso actual puede tomar esta entrada? (Si no, el motor consulta al NLU.)"""
    if estado.flujo != flujo.id or not flujo.tiene(estado.paso):
        return False
    t = _turno(flujo, estado, contexto, catalogo, hoy)
    paso = t._paso()
    pendiente = t.estado.pendiente or {}
    if entrada.payload:
        p = entrada.payload
        # Los botones extra del YAML (p. ej. /aviso_privacidad) los atiende el motor.
        return p in PAYLOADS_FIJOS or p.startswith(PAYLOADS_PROPIOS) or p.startswith("/corregir")
    if entrada.archivo:
        return paso.tipo == "archivo"
    texto = entrada.texto
    if not texto.strip():
        return False
    if pendiente.get("tipo") == "descartar":
        return True  # sí, no, o la respuesta a la pregunta: lo decide el paso
    if es_acuse(texto) and paso.espera_respuesta:
        return True
    if pendiente.get("tipo") == "prellenado" and leer_si_no(entrada) is not None:
        return True
    if paso.tipo == "confirmacion":
        n = normalizar(texto)
        return (n in CONFIRMAR or leer_si_no(entrada) is not None or es_confirmacion(texto)
                or polaridad(texto) is not None
                or any(n == c or n.startswith(c + " ") for c in CORREGIR)
                or t.correccion_en_linea(paso, texto) is not None
                or (pendiente.get("tipo") == "corregir"
                    and t.objetivo_correccion(paso, texto) is not None))
    if pide_otra_cosa(paso, entrada) or (paso.tipo == "texto" and "?" in texto):
        return False
    if not paso.espera_respuesta:
        return False
    lectura = t.leer(paso, entrada, None if pendiente.get("tipo") == "prellenado" else pendiente)
    return lectura.error is None


_CORTESIA_INICIAL = re.compile(
    r"^(?:gracias|perfecto|listo|muy bien|anotado|de acuerdo|bien)\b[^.!?¿]*[.!:]\s+", re.I)


def _ultima_pregunta(texto: str) -> str:
    """La última línea con una pregunta de un texto largo (p. ej. tras un aviso)."""
    for linea in reversed(texto.splitlines()):
        if "?" in linea:
            inicio = linea.rfind("¿")
            return linea[inicio:].strip() if inicio >= 0 else linea.strip()
    return ""


def _sin_cortesia(texto: str) -> str:
    """El texto sin su «Gracias.» o «Perfecto.» inicial (que era para la primera vez)."""
    sin = _CORTESIA_INICIAL.sub("", texto, count=1)
    return sin[:1].upper() + sin[1:] if sin.strip() else texto


def recordatorio(
    flujo: Flujo, estado: EstadoFlujo, contexto: dict[str, Any] | None = None, *,
    hoy: dt.date | None = None, seguir: bool = True,
) -> list[Respuesta]:
    """Recordatorio corto para retomar el paso actual tras una pregunta a mitad del flujo.
    Con `seguir`, empieza con «Sigamos.» (sin él, quien llama ya dijo cómo se retoma)."""
    if estado.flujo != flujo.id or not flujo.tiene(estado.paso):
        return []
    t = _turno(flujo, estado, contexto, None, hoy)
    paso = t._paso()
    pendiente = t.estado.pendiente or {}
    if pendiente.get("tipo") in ("candidatos", "prellenado", "corregir", "descartar"):
        if pendiente.get("tipo") == "descartar":
            t.pedir_descartar_de_nuevo()
        else:
            t.repreguntar(paso)
        if t.salida:  # «Sigamos. Gracias. Anoté…» no: la cortesía era para la primera vez
            t.salida[0].texto = _sin_cortesia(t.salida[0].texto)
        if seguir:
            t.anteponer("Sigamos.", 0)
        return t.salida
    pregunta = t.render(paso.pregunta)
    if paso.recordatorio:
        texto = t.render(paso.recordatorio)
    elif len(pregunta) <= 160:
        texto = pregunta
    else:
        texto = _ultima_pregunta(pregunta) or (
            f"Me falta {paso.nombre}." if paso.etiqueta else "Me falta su respuesta.")
    texto = _sin_cortesia(texto)
    botones = t.botones(paso)
    if pendiente.get("tipo") == "seleccion":
        botones.append(Boton("Listo", "/listo"))
    if seguir and not normalizar(texto).startswith(("sigamos", "sigo", "seguimos")):
        texto = f"Sigamos. {texto}"
    return [Respuesta(texto, botones)]


def atras(
    flujo: Flujo,
    estado: EstadoFlujo,
    contexto: dict[str, Any] | None = None,
    *,
    catalogo: CatalogoGeografico | None = None,
    hoy: dt.date | None = None,
) -> Resultado:
    """Regresa a la pregunta anterior (o deshace la selección en curso del paso actual)."""
    t = _turno(flujo, estado, contexto, catalogo, hoy)
    if not flujo.tiene(t.estado.paso):
        t.entrar(flujo.paso_inicial)
        return t.resultado()
    paso = t._paso()
    if t.estado.pendiente and t.estado.pendiente.get("tipo") in ("candidatos", "seleccion",
                                                                   "corregir"):
        t.estado.pendiente = None
        t.preguntar(paso)
    elif t.estado.historial:
        anterior = t.estado.historial.pop()
        t.entrar(anterior, directo=True)
    else:
        t.decir("Esta es la primera pregunta.")
        t.preguntar(paso)
    return t.resultado()


def ayuda(
    flujo: Flujo, estado: EstadoFlujo, contexto: dict[str, Any] | None = None, *,
    hoy: dt.date | None = None,
) -> Resultado:
    """Explica qué se espera en el paso actual, sin moverlo."""
    t = _turno(flujo, estado, contexto, None, hoy)
    if not flujo.tiene(t.estado.paso):
        t.decir(AYUDA_GLOBAL)
        return t.resultado()
    paso = t._paso()
    texto = t.render(paso.ayuda) or t.ayuda_tipo(paso.tipo)
    if paso.tipo == "fecha" and paso.validacion.permite_aun_no and not paso.ayuda:
        texto += " Si todavía no ocurre, escriba «aún no»."
    if paso.opcional and not paso.ayuda:
        texto += " Si no lo tiene a la mano, escriba «omitir»."
    t.decir(f"{texto}\n{AYUDA_GLOBAL}".strip(), t.botones(paso))
    return t.resultado()


def cancelar(
    flujo: Flujo, estado: EstadoFlujo, contexto: dict[str, Any] | None = None, *,
    hoy: dt.date | None = None, confirmado: bool = False,
) -> Resultado:
    """Abandona el flujo (el motor borra el estado). Si ya hay respuestas, primero pregunta
    «¿Descarto…? Tiene N respuestas guardadas.»; un segundo «cancelar» o `confirmado` lo
    deja."""
    t = _turno(flujo, estado, contexto, None, hoy)
    ya_preguntado = (t.estado.pendiente or {}).get("tipo") == "descartar"
    if not confirmado and not ya_preguntado and capturadas(flujo, t.estado):
        t.pedir_descartar()
        return t.resultado()
    t.descartar()
    return t.resultado()


def opcion_despues(
    flujo: Flujo, estado: EstadoFlujo, entrada: Entrada, contexto: dict[str, Any] | None = None
) -> Entrada | None:
    """Si el paso actual ofrece saltar este dato (botón «Después» u «Omitir», o una opción
    como «Ninguno por ahora» con el sinónimo «después»), la entrada que lo elige; si no, None.
    Así «después» (o «luego», «más tarde») salta ese dato en vez de pausar el trámite."""
    if estado.flujo != flujo.id or not flujo.tiene(estado.paso) or not entrada.texto.strip():
        return None
    paso = flujo.paso(estado.paso)
    if paso.opcional and es_omitir(entrada):
        return Entrada(payload="/omitir")
    if paso.tipo not in ("opcion", "multiopcion"):
        return None
    elegida = elegir_opcion(entrada.texto, paso.opciones, exacta=True)
    if elegida is None and reconocer(entrada.texto, None) is Comando.DESPUES:
        elegida = next((o for o in paso.opciones
                        if any(reconocer(f, None) is Comando.DESPUES
                               for f in (o.titulo, *o.sinonimos))), None)
    return Entrada(payload=f"/op {elegida.valor}") if elegida is not None else None
