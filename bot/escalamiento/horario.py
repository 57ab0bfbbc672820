"""Horario de oficina por estado y cuentas de tiempo hábil para el SLA.

Cada estado atiende en SU hora: la zona sale de `configuracion_estado.horario` si el estado
fijó una, si no de bot/escalamiento/datos/horarios.yaml (por clave INEGI) y, al final, de
ZONA_HORARIA. Por omisión, de lunes a viernes de 9:00 a 18:00, sin los días de descanso
obligatorio de la Ley Federal del Trabajo ni los días inhábiles propios del estado
(`bot.escalamiento.calendario`). La coordinación nacional (SRE) atiende en ZONA_HORARIA.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.modelos import ConfiguracionEstado, Estado
from bot.escalamiento.calendario import Calendario
from bot.nucleo.formato import dia_y_fecha, hora, nombre_dia

DATOS = Path(__file__).resolve().parent / "datos" / "horarios.yaml"


def _hora(texto: str) -> dt.time:
    horas, _, minutos = texto.partition(":")
    return dt.time(int(horas), int(minutos or 0))


def _fechas(datos: Any, origen: str) -> dict[dt.date, str]:
    """`{"2027-06-06": "jornada electoral"}` (o una lista de fechas) → {fecha: motivo}."""
    if not datos:
        return {}
    if isinstance(datos, list):
        datos = {fecha: "día inhábil" for fecha in datos}
    if not isinstance(datos, dict):
        raise ValueError(f"{origen}: «inhabiles» debe ser fecha: motivo")
    fechas: dict[dt.date, str] = {}
    for fecha, motivo in datos.items():
        dia = fecha if isinstance(fecha, dt.date) else dt.date.fromisoformat(str(fecha))
        fechas[dia] = str(motivo or "día inhábil")
    return fechas


@dataclass(frozen=True)
class DatosHorarios:
    """Lo de horarios.yaml: zona de cada estado (clave INEGI), días inhábiles propios y el
    nombre con que se dice la hora de cada zona."""

    zonas: Mapping[str, str]
    nombres_zona: Mapping[str, str]
    inhabiles: Mapping[str, Mapping[dt.date, str]]
    inhabiles_nacionales: Mapping[dt.date, str]

    @classmethod
    def leer(cls, ruta: Path) -> DatosHorarios:
        """Lee y valida el archivo (zonas IANA que existen, fechas AAAA-MM-DD)."""
        crudo = yaml.safe_load(ruta.read_text(encoding="utf-8")) or {}
        zonas: dict[str, str] = {}
        inhabiles: dict[str, Mapping[dt.date, str]] = {}
        for clave, datos in (crudo.get("estados") or {}).items():
            clave = str(clave).zfill(2)
            datos = datos or {}
            if datos.get("zona"):
                ZoneInfo(str(datos["zona"]))  # falla aquí si la zona no existe
                zonas[clave] = str(datos["zona"])
            inhabiles[clave] = MappingProxyType(_fechas(datos.get("inhabiles"), clave))
        nombres = {str(z): str(n) for z, n in (crudo.get("zonas") or {}).items()}
        nacional = _fechas((crudo.get("nacional") or {}).get("inhabiles"), "nacional")
        return cls(MappingProxyType(zonas), MappingProxyType(nombres),
                   MappingProxyType(inhabiles), MappingProxyType(nacional))


@lru_cache
def datos_horarios(ruta: Path = DATOS) -> DatosHorarios:
    """Los datos de horarios (se leen una vez por proceso)."""
    return DatosHorarios.leer(ruta)


def nombre_de_zona(zona: str) -> str:
    """Cómo se dice la hora de la zona: «hora de Cancún», «hora del centro de México»."""
    nombre = datos_horarios().nombres_zona.get(zona)
    if nombre:
        return nombre
    return "hora de " + zona.rsplit("/", 1)[-1].replace("_", " ")


@dataclass(frozen=True)
class Horario:
    """Días hábiles (0 = lunes), hora de apertura y cierre en una zona horaria, y el
    calendario de días inhábiles (por omisión, los de descanso obligatorio de la LFT)."""

    zona: str
    dias: tuple[int, ...] = (0, 1, 2, 3, 4)
    inicio: dt.time = dt.time(9, 0)
    fin: dt.time = dt.time(18, 0)
    calendario: Calendario = field(default_factory=Calendario)

    @classmethod
    def desde_json(cls, datos: dict[str, Any] | None, zona: str,
                   calendario: Calendario | None = None) -> Horario:
        """Lee `{"zona", "dias": [0..6], "inicio": "09:00", "fin": "18:00", "inhabiles":
        {"AAAA-MM-DD": "motivo"}}`; lo que falta, del horario por omisión en `zona`."""
        datos = datos or {}
        base = cls(zona)
        calendario = (calendario or Calendario()).con(
            _fechas(datos.get("inhabiles"), "configuracion_estado"))
        return cls(
            zona=str(datos.get("zona") or base.zona),
            dias=tuple(int(d) for d in datos.get("dias", base.dias)),
            inicio=_hora(datos["inicio"]) if datos.get("inicio") else base.inicio,
            fin=_hora(datos["fin"]) if datos.get("fin") else base.fin,
            calendario=calendario,
        )

    @property
    def tz(self) -> ZoneInfo:
        """La zona horaria."""
        return ZoneInfo(self.zona)

    @property
    def nombre_zona(self) -> str:
        """«hora de Cancún»."""
        return nombre_de_zona(self.zona)

    def local(self, momento: dt.datetime) -> dt.datetime:
        """El momento en la hora de la oficina (uno sin zona se toma como UTC)."""
        if momento.tzinfo is None:
            momento = momento.replace(tzinfo=dt.timezone.utc)
        return momento.astimezone(self.tz)

    def dia_habil(self, dia: dt.date) -> bool:
        """¿Se trabaja ese día? (día de la semana del horario y no inhábil)."""
        return dia.weekday() in self.dias and not self.calendario.inhabil(dia)

    def inhabil_hoy(self, momento: dt.datetime) -> str | None:
        """Si el día de `momento` (en la hora de la oficina) es feriado, por qué."""
        return self.calendario.motivo(self.local(momento).date())

    def abierto(self, momento: dt.datetime) -> bool:
        """¿Está abierta la oficina en ese momento?"""
        local = self.local(momento)
        return self.dia_habil(local.date()) and self.inicio <= local.time() < self.fin

    def siguiente_apertura(self, momento: dt.datetime) -> dt.datetime:
        """El momento mismo si está abierto; si no, la próxima apertura (en UTC)."""
        if self.abierto(momento) or not self.dias:
            return momento
        local = self.local(momento)
        dia = local.date()
        for _ in range(60):  # una semana más los feriados que se junten
            apertura = dt.datetime.combine(dia, self.inicio, tzinfo=self.tz)
            if self.dia_habil(dia) and apertura > local:
                return apertura.astimezone(dt.timezone.utc)
            dia += dt.timedelta(days=1)
        return momento

    def sumar_minutos_habiles(self, desde: dt.datetime, minutos: int) -> dt.datetime:
        """`desde` + `minutos` contando solo el tiempo con la oficina abierta."""
        restante = dt.timedelta(minutes=minutos)
        momento = desde
        for _ in range(400):
            momento = self.siguiente_apertura(momento)
            local = self.local(momento)
            cierre = dt.datetime.combine(local.date(), self.fin, tzinfo=self.tz)
            disponible = cierre - local
            if restante <= disponible or not self.dias:
                return (local + restante).astimezone(dt.timezone.utc)
            restante -= disponible
            momento = cierre.astimezone(dt.timezone.utc)
        return momento

    def describir(self) -> str:
        """«de lunes a viernes de 9:00 a 18:00»."""
        if list(self.dias) == list(range(self.dias[0], self.dias[-1] + 1)) and len(self.dias) > 1:
            dias = f"de {nombre_dia(self.dias[0])} a {nombre_dia(self.dias[-1])}"
        else:
            dias = "los " + ", ".join(nombre_dia(d) for d in self.dias)
        return f"{dias} de {hora(self.inicio)} a {hora(self.fin)}"


def cuando(momento: dt.datetime, horario: Horario, referencia: dt.datetime,
           a_partir: bool = True) -> str:
    """Fecha en palabras relativa a `referencia`, en la hora de la oficina: «hoy a partir de
    las 9:00», «el lunes 3 de marzo a partir de las 9:00» (sin `a_partir`: «hoy a las
    10:30»)."""
    local = horario.local(momento)
    hoy = horario.local(referencia).date()
    a_las = f"{'a partir de las' if a_partir else 'a las'} {hora(local)}"
    if local.date() == hoy:
        return f"hoy {a_las}"
    if local.date() == hoy + dt.timedelta(days=1):
        return f"mañana {a_las}"
    return f"el {dia_y_fecha(local)} {a_las}"


def calendario_nacional() -> Calendario:
    """Los días de descanso obligatorio y los inhábiles nacionales de horarios.yaml."""
    return Calendario().con(datos_horarios().inhabiles_nacionales)


def horario_nacional(zona: str) -> Horario:
    """El horario de la coordinación nacional (SRE), en ZONA_HORARIA."""
    return Horario(zona, calendario=calendario_nacional())


async def horario_de(sesion: AsyncSession, estado_id: int | None, zona: str) -> Horario:
    """El horario de la oficina del estado, en la hora del estado; sin estado, el nacional
    en `zona` (la de los ajustes, ZONA_HORARIA)."""
    if estado_id is None:
        return horario_nacional(zona)
    estado = await sesion.get(Estado, estado_id)
    datos = datos_horarios()
    clave = estado.clave_inegi if estado is not None else ""
    calendario = calendario_nacional().con(datos.inhabiles.get(clave, {}))
    config = await sesion.get(ConfiguracionEstado, estado_id)
    return Horario.desde_json(config.horario if config else None,
                              datos.zonas.get(clave, zona), calendario)


async def horario_del_nivel(sesion: AsyncSession, estado_id: int | None, nivel: str,
                            zona: str) -> Horario:
    """El horario de quien atiende: la oficina del estado o, en el nivel nacional, la SRE."""
    if nivel == "nacional":
        return horario_nacional(zona)
    return await horario_de(sesion, estado_id, zona)
