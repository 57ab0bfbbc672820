"""Estatus de una iniciativa, transiciones permitidas (docs/ARQUITECTURA.md §4) y su
explicación."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Estatus:
    """Un estatus: cómo se nombra al usuario y qué sigue."""

    clave: str
    nombre: str
    explicacion: str
    siguiente_paso: str
    abierto: bool = True
    """¿Sigue en trámite? (False: un estatus final)."""
    solo_sre: bool = False
    """¿Solo la SRE lo puede asignar? (los dictámenes y el registro)."""


ESTATUS: dict[str, Estatus] = {e.clave: e for e in (
    Estatus("borrador", "Borrador", "La iniciativa aún no se envía.",
            "Complete los datos y confirme el envío."),
    Estatus("enviada", "Enviada", "Su iniciativa quedó registrada; falta que la revise su oficina "
            "estatal de enlace.",
            "La oficina estatal la revisará y le avisará si necesita algo más."),
    Estatus("en_revision_estatal", "En revisión estatal",
            "La oficina estatal de enlace está revisando su iniciativa.",
            "Espere sus comentarios; puede ir subiendo los documentos pendientes."),
    Estatus("con_observaciones", "Con observaciones",
            "La oficina estatal pidió correcciones o documentos adicionales.",
            "Revise las observaciones, corrija y suba los documentos que le pidieron."),
    Estatus("turnada_sre", "Turnada a la SRE",
            "La oficina estatal envió la iniciativa a la SRE para el dictamen de procedencia.",
            "La SRE emitirá su dictamen; le avisaremos en cuanto lo tengamos."),
    Estatus("dictamen_favorable", "Dictamen favorable",
            "La SRE emitió un dictamen de procedencia favorable.",
            "Ya pueden firmar el acuerdo con la ciudad contraparte.", solo_sre=True),
    Estatus("dictamen_no_favorable", "Dictamen no favorable",
            "La SRE consideró que el acuerdo no procede como está.",
            "Hable con su oficina estatal para conocer los motivos y las opciones.", False,
            solo_sre=True),
    Estatus("firmada", "Firmada", "El acuerdo ya fue firmado por ambas partes.",
            "Envíe el acuerdo firmado para su inscripción en el registro de la SRE."),
    Estatus("registrada", "Registrada", "El acuerdo quedó inscrito en el registro de la SRE.",
            "Pongan en marcha el programa de trabajo con la ciudad hermana.", False,
            solo_sre=True),
    Estatus("cancelada", "Cancelada", "La iniciativa se canceló.",
            "Si desea retomarla, registre una nueva iniciativa.", False),
)}

CERRADOS: tuple[str, ...] = tuple(clave for clave, e in ESTATUS.items() if not e.abierto)
"""Los estatus finales: el caso ya no sigue en trámite."""
SOLO_SRE: frozenset[str] = frozenset(clave for clave, e in ESTATUS.items() if e.solo_sre)
"""Los que solo asigna la SRE (un asesor o coordinador estatal no)."""

_TRANSICIONES: dict[str, set[str]] = {
    "borrador": {"enviada"},
    "enviada": {"en_revision_estatal"},
    "en_revision_estatal": {"con_observaciones", "turnada_sre"},
    "con_observaciones": {"en_revision_estatal"},
    "turnada_sre": {"dictamen_favorable", "dictamen_no_favorable"},
    "dictamen_favorable": {"firmada"},
    "dictamen_no_favorable": set(),
    "firmada": {"registrada"},
    "registrada": set(),
    "cancelada": set(),
}


def transiciones_permitidas(actual: str, ambito: str = "internacional") -> set[str]:
    """Los estatus a los que se puede pasar desde `actual`.

    Un hermanamiento nacional (dos municipios mexicanos) no lleva dictamen de la SRE:
    de la revisión estatal pasa directo a firmada, y firmada es su último paso.
    """
    destinos = set(_TRANSICIONES.get(actual, set()))
    if ambito == "nacional":
        destinos -= {"turnada_sre", "registrada"}
        if actual == "en_revision_estatal":
            destinos.add("firmada")
    if actual in ESTATUS and ESTATUS[actual].abierto:
        destinos.add("cancelada")
    return destinos


def puede_pasar(actual: str, nuevo: str, ambito: str = "internacional") -> bool:
    """¿Está permitida la transición?"""
    return nuevo in transiciones_permitidas(actual, ambito)


def en_palabras(clave: str) -> Estatus:
    """El estatus con su nombre y explicación (clave desconocida: se muestra tal cual)."""
    return ESTATUS.get(clave, Estatus(clave, clave.replace("_", " ").capitalize(), "", ""))
