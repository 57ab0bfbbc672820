"""Quién puede atender ahora a una persona, antes de prometerle nada.

Se busca, en orden: asesores activos del estado → coordinación estatal → coordinación
nacional (SRE) (`enrutamiento.destinatarios`), y se mira el horario de quien atendería, en la
hora de su estado, con sus días inhábiles (`horario`). Con eso los textos dicen la verdad:
quién verá la solicitud y cuándo, o que ahora no hay nadie, con el contacto público de la
oficina estatal (`directorio`) si se conoce.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.estados import EstadoTraspaso
from bot.db.modelos import Escalamiento, Estado
from bot.escalamiento.directorio import ContactoOficina, contacto_de
from bot.escalamiento.enrutamiento import destinatarios
from bot.escalamiento.horario import Horario, cuando, horario_del_nivel
from bot.nucleo.formato import hora

NACIONAL = "la coordinación nacional del programa (SRE)"


@dataclass(frozen=True)
class Disponibilidad:
    """Quién atendería una solicitud hecha en `momento` y cuándo."""

    nivel: str
    """asesor | coordinador | nacional: el primer nivel con personas activas."""
    personas: int
    """Cuántas personas activas hay en ese nivel (0: nadie en todo el programa)."""
    horario: Horario
    """El horario de quien atiende (el de la oficina del estado o el de la SRE)."""
    momento: dt.datetime
    estado: Estado | None
    contacto: ContactoOficina | None
    """El contacto público de la oficina del estado, si el directorio lo tiene."""

    @property
    def hay_quien(self) -> bool:
        """¿Hay alguien dado de alta que pueda ver la solicitud?"""
        return self.personas > 0

    @property
    def abierto(self) -> bool:
        """¿Está en horario quien atendería?"""
        return self.horario.abierto(self.momento)

    @property
    def ahora(self) -> bool:
        """¿Hay alguien y está en horario?"""
        return self.hay_quien and self.abierto

    @property
    def estatal(self) -> bool:
        """¿La atiende la oficina del estado (asesores o coordinación)?"""
        return self.nivel != "nacional" and self.hay_quien

    @property
    def quien(self) -> str:
        """«la oficina estatal de enlace de Quintana Roo» o la coordinación nacional."""
        if self.estatal and self.estado is not None:
            return f"la oficina estatal de enlace de {self.estado.nombre}"
        return NACIONAL

    def cuando_abre(self) -> str:
        """«mañana a partir de las 9:00» (en la hora de quien atiende)."""
        return cuando(self.horario.siguiente_apertura(self.momento), self.horario, self.momento)

    def variables(self) -> dict[str, Any]:
        """Lo que usan las plantillas para decir quién y cuándo."""
        return {
            "quien": self.quien, "hay_quien": self.hay_quien, "abierto": self.abierto,
            "estatal": self.estatal, "nivel": self.nivel,
            "estado": self.estado.nombre if self.estado is not None else None,
            "horario": self.horario.describir(), "zona": self.horario.nombre_zona,
            "cuando_abre": self.cuando_abre(), "feriado": self.horario.inhabil_hoy(self.momento),
            "hora_local": hora(self.horario.local(self.momento)),
            "contacto": self.contacto,
        }


async def disponibilidad(sesion: AsyncSession, estado_id: int | None, zona: str,
                         momento: dt.datetime, directorio: Path | None = None,
                         desde: str = "asesor") -> Disponibilidad:
    """Quién atendería ahora una solicitud del estado `estado_id` (`zona`: ZONA_HORARIA)."""
    nivel, personas = await destinatarios(sesion, estado_id, desde)
    estado = await sesion.get(Estado, estado_id) if estado_id is not None else None
    horario = await horario_del_nivel(sesion, estado_id, nivel, zona)
    clave = estado.clave_inegi if estado is not None else None
    contacto = contacto_de(clave, directorio) if directorio else contacto_de(clave)
    return Disponibilidad(nivel, len(personas), horario, momento, estado, contacto)


async def lugar_en_fila(sesion: AsyncSession, esc: Escalamiento) -> int:
    """El lugar del traspaso en la fila de quienes lo verían (1: es el siguiente): cuenta los
    que esperan desde antes en el mismo nivel (y el mismo estado, salvo el nivel nacional)."""
    consulta = select(func.count(Escalamiento.id)).where(
        Escalamiento.estado == EstadoTraspaso.SOLICITADA, Escalamiento.nivel == esc.nivel,
        Escalamiento.id < esc.id)
    if esc.nivel != "nacional":
        consulta = consulta.where(Escalamiento.estado_id == esc.estado_id)
    return int(await sesion.scalar(consulta) or 0) + 1
