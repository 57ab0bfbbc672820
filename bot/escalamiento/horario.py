"""Horario de oficina por estado (por omisión, lunes a viernes de 9:00 a 18:00 en la zona
horaria de los ajustes, ZONA_HORARIA) y cuentas de tiempo hábil para el SLA."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.modelos import ConfiguracionEstado
from bot.nucleo.formato import dia_y_fecha, hora, nombre_dia


def _hora(texto: str) -> dt.time:
    horas, _, minutos = texto.partition(":")
    return dt.time(int(horas), int(minutos or 0))


@dataclass(frozen=True)
class Horario:
    """Días hábiles (0 = lunes) y hora de apertura y cierre en una zona horaria."""

    zona: str
    dias: tuple[int, ...] = (0, 1, 2, 3, 4)
    inicio: dt.time = dt.time(9, 0)
    fin: dt.time = dt.time(18, 0)

    @classmethod
    def desde_json(cls, datos: dict[str, Any] | None, zona: str) -> Horario:
        """Lee `{"zona", "dias": [0..6], "inicio": "09:00", "fin": "18:00"}`; lo que falta, del
        horario por omisión en `zona`."""
        datos = datos or {}
        base = cls(zona)
        return cls(
            zona=str(datos.get("zona") or base.zona),
            dias=tuple(int(d) for d in datos.get("dias", base.dias)),
            inicio=_hora(datos["inicio"]) if datos.get("inicio") else base.inicio,
            fin=_hora(datos["fin"]) if datos.get("fin") else base.fin,
        )

    @property
    def tz(self) -> ZoneInfo:
        """La zona horaria."""
        return ZoneInfo(self.zona)

    def abierto(self, momento: dt.datetime) -> bool:
        """¿Está abierta la oficina en ese momento?"""
        local = momento.astimezone(self.tz)
        return local.weekday() in self.dias and self.inicio <= local.time() < self.fin

    def siguiente_apertura(self, momento: dt.datetime) -> dt.datetime:
        """El momento mismo si está abierto; si no, la próxima apertura (en UTC)."""
        if self.abierto(momento) or not self.dias:
            return momento
        local = momento.astimezone(self.tz)
        dia = local.date()
        for _ in range(8):
            apertura = dt.datetime.combine(dia, self.inicio, tzinfo=self.tz)
            if dia.weekday() in self.dias and apertura > local:
                return apertura.astimezone(dt.timezone.utc)
            dia += dt.timedelta(days=1)
        return momento

    def sumar_minutos_habiles(self, desde: dt.datetime, minutos: int) -> dt.datetime:
        """`desde` + `minutos` contando solo el tiempo con la oficina abierta."""
        restante = dt.timedelta(minutes=minutos)
        momento = desde
        for _ in range(400):
            momento = self.siguiente_apertura(momento)
            local = momento.astimezone(self.tz)
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


def cuando(momento: dt.datetime, horario: Horario, referencia: dt.datetime) -> str:
    """Fecha en palabras relativa a `referencia`: «hoy a las 9:00», «el lunes 3 de marzo…»."""
    local = momento.astimezone(horario.tz)
    hoy = referencia.astimezone(horario.tz).date()
    a_las = f"a partir de las {hora(local)}"
    if local.date() == hoy:
        return f"hoy {a_las}"
    if local.date() == hoy + dt.timedelta(days=1):
        return f"mañana {a_las}"
    return f"el {dia_y_fecha(local)} {a_las}"


async def horario_de(sesion: AsyncSession, estado_id: int | None, zona: str) -> Horario:
    """El horario configurado del estado, o el de omisión en `zona` (la de los ajustes)."""
    if estado_id is None:
        return Horario(zona)
    config = await sesion.get(ConfiguracionEstado, estado_id)
    return Horario.desde_json(config.horario if config else None, zona)
