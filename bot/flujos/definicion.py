"""Modelos (pydantic) de un flujo guiado tal como se escribe en `flujos/*.yaml`."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

TipoPaso = Literal[
    "texto",
    "opcion",
    "multiopcion",
    "si_no",
    "fecha",
    "correo",
    "telefono",
    "estado",
    "municipio",
    "pais",
    "ciudad",
    "nombre",
    "archivo",
    "numero",
    "caso",
    "mensaje",
    "confirmacion",
]

TIPOS_SIN_RESPUESTA: frozenset[str] = frozenset({"mensaje"})
FIN = "fin"


class _Modelo(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Opcion(_Modelo):
    """Una opción de un paso `opcion` o `multiopcion`."""

    titulo: str
    valor: str
    sinonimos: list[str] = Field(default_factory=list)
    exclusiva: bool = False


class BotonExtra(_Modelo):
    """Un botón adicional con payload fijo (lo atiende el motor, p. ej. `/aviso_privacidad`)."""

    titulo: str
    payload: str


class Validacion(_Modelo):
    """Reglas de validación de una respuesta; `mensaje` reemplaza el error por omisión."""

    regex: str | None = None
    min: float | None = None
    max: float | None = None
    min_longitud: int | None = None
    max_longitud: int | None = None
    no_futura: bool = False
    permite_aun_no: bool = False
    tipos_archivo: list[str] = Field(default_factory=list)
    max_mb: float | None = None
    mensaje: str | None = None


class Rama(_Modelo):
    """Una rama de `siguiente`: si la condición `si` es verdadera, ir al paso `ir`."""

    si: str | None = None
    ir: str


class Prellenar(_Modelo):
    """Tomar un valor del contexto (`desde` es una expresión) y saltar o pedir confirmación.
    Sin `desde`, da la pregunta (y lo que `confirma`) para un dato que la persona ya dijo."""

    desde: str | None = None
    modo: Literal["saltar", "confirmar"] = "confirmar"
    pregunta: str | None = None
    confirma: list[str] = Field(default_factory=list)
    """Campos que la persona ya dijo y que la pregunta confirma a la vez (los `dichos`): con
    «sí» se toman sin preguntarlos; con «no» se preguntan."""
    olvida: bool = True
    """Con «no», ¿se olvidan los `confirma`? Si la pregunta junta otra cosa («¿Trabaja usted
    en el ayuntamiento de Mérida?»), `false`: el «no» puede ser por la otra, y cada dato se
    confirma después en su paso."""


class PedidoEscrito(_Modelo):
    """Cómo se pide el flujo con palabras («quiero anotar a los integrantes del comité»):
    cada frase vale si el mensaje trae todas sus palabras con contenido; `dice` son las
    respuestas que el pedido ya da (p. ej. la opción del menú) y no se preguntan."""

    frases: list[str] = Field(min_length=1)
    dice: dict[str, str] = Field(default_factory=dict)


class Paso(_Modelo):
    """Un paso del flujo: una pregunta, un mensaje informativo o un resumen."""

    id: str = Field(pattern=r"^[a-z0-9_]{1,40}$")
    tipo: TipoPaso
    pregunta: str = ""
    etiqueta: str | None = None
    campo: str | None = Field(default=None, pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")
    opciones: list[Opcion] = Field(default_factory=list)
    botones: list[BotonExtra] = Field(default_factory=list)
    enlace: str | None = None
    validacion: Validacion = Field(default_factory=Validacion)
    opcional: bool = False
    ayuda: str | None = None
    condicion: str | None = None
    siguiente: str | list[Rama] | None = None
    accion: str | None = None
    prellenar: Prellenar | None = None
    recordatorio: str | None = None
    estado_de: str | None = None
    acumular: str | None = None
    asignar: dict[str, str] = Field(default_factory=dict)
    corregir: list[str] = Field(default_factory=list)
    tambien: dict[str, str] = Field(default_factory=dict)
    """Otros datos que la respuesta puede traer (por nombre: `pais`, `cargo`, `municipio`,
    `prevista`) y el campo donde van («San Antonio, Texas» → `pais`)."""

    @property
    def espera_respuesta(self) -> bool:
        """¿El paso espera algo del usuario?"""
        return self.tipo not in TIPOS_SIN_RESPUESTA

    @property
    def nombre(self) -> str:
        """Nombre corto para mensajes y resúmenes."""
        return self.etiqueta or self.id.replace("_", " ")


class Flujo(_Modelo):
    """Un flujo completo: pasos en orden; `siguiente` ausente = el paso de abajo."""

    id: str = Field(pattern=r"^[a-z0-9_]{1,40}$")
    titulo: str
    asunto: str | None = None
    descripcion: str = ""
    inicio: str | None = None
    contexto: list[str] = Field(default_factory=list)
    datos: dict[str, Any] = Field(default_factory=dict)
    al_cancelar: str | None = None
    pedidos: list[PedidoEscrito] = Field(default_factory=list)
    pasos: list[Paso]

    _por_id: dict[str, Paso] = PrivateAttr(default_factory=dict)
    _orden: dict[str, int] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _revisar(self) -> Flujo:
        if not self.pasos:
            raise ValueError("el flujo no tiene pasos")
        vistos: set[str] = set()
        for paso in self.pasos:
            if paso.id in vistos:
                raise ValueError(f"el id de paso «{paso.id}» está repetido")
            if paso.id == FIN:
                raise ValueError(f"«{FIN}» está reservado y no puede ser id de paso")
            vistos.add(paso.id)
        if self.inicio is not None and self.inicio not in vistos:
            raise ValueError(f"el paso de inicio «{self.inicio}» no existe")
        self._por_id = {p.id: p for p in self.pasos}
        self._orden = {p.id: i for i, p in enumerate(self.pasos)}
        return self

    @property
    def en_palabras(self) -> str:
        """Cómo se nombra el flujo ante la persona («el registro de su iniciativa»)."""
        return self.asunto or f"el trámite «{self.titulo}»"

    @property
    def paso_inicial(self) -> str:
        """Id del primer paso."""
        return self.inicio or self.pasos[0].id

    def paso(self, paso_id: str) -> Paso:
        """El paso con ese id (KeyError si no existe)."""
        return self._por_id[paso_id]

    def tiene(self, paso_id: str) -> bool:
        """¿Existe un paso con ese id?"""
        return paso_id in self._por_id

    def de_abajo(self, paso_id: str) -> str:
        """El paso escrito debajo de `paso_id`, o `fin` si es el último."""
        i = self._orden[paso_id] + 1
        return self.pasos[i].id if i < len(self.pasos) else FIN
