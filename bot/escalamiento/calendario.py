"""Días inhábiles: los de descanso obligatorio de la Ley Federal del Trabajo (art. 74),
calculados para cada año, más los que fije cada estado (bot/escalamiento/datos/horarios.yaml).

Art. 74 LFT (con la reforma publicada en el DOF el 30 de septiembre de 2024): 1 de enero;
primer lunes de febrero (5 de febrero); tercer lunes de marzo (21 de marzo); 1 de mayo;
16 de septiembre; tercer lunes de noviembre (20 de noviembre); 1 de octubre de cada seis años,
cuando se transmite el Poder Ejecutivo Federal (hasta 2018, el 1 de diciembre); 25 de
diciembre; y el día de la jornada electoral que fijen las leyes electorales (ese no se calcula:
va como día propio en los datos).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType


def _enesimo_lunes(anio: int, mes: int, n: int) -> dt.date:
    """El n-ésimo lunes (1 = primero) de ese mes."""
    primero = dt.date(anio, mes, 1)
    return primero + dt.timedelta(days=(7 - primero.weekday()) % 7 + 7 * (n - 1))


@lru_cache(maxsize=64)
def descanso_obligatorio(anio: int) -> Mapping[dt.date, str]:
    """Los días de descanso obligatorio del art. 74 de la LFT en `anio`, con su nombre."""
    dias = {
        dt.date(anio, 1, 1): "Año Nuevo",
        _enesimo_lunes(anio, 2, 1): "Día de la Constitución",
        _enesimo_lunes(anio, 3, 3): "natalicio de Benito Juárez",
        dt.date(anio, 5, 1): "Día del Trabajo",
        dt.date(anio, 9, 16): "Día de la Independencia",
        _enesimo_lunes(anio, 11, 3): "Día de la Revolución",
        dt.date(anio, 12, 25): "Navidad",
    }
    if anio >= 2024 and (anio - 2024) % 6 == 0:
        dias[dt.date(anio, 10, 1)] = "transmisión del Poder Ejecutivo Federal"
    elif anio < 2024 and (anio - 2018) % 6 == 0:
        dias[dt.date(anio, 12, 1)] = "transmisión del Poder Ejecutivo Federal"
    return MappingProxyType(dict(sorted(dias.items())))


@dataclass(frozen=True)
class Calendario:
    """Qué días no se trabaja: los federales (si `federales`) y los `propios` (fecha →
    motivo), p. ej. un día festivo estatal o la jornada electoral."""

    federales: bool = True
    propios: Mapping[dt.date, str] = field(default_factory=lambda: MappingProxyType({}))

    def motivo(self, fecha: dt.date) -> str | None:
        """Por qué `fecha` es inhábil («Día de la Revolución»…), o None si es hábil por
        calendario (el horario decide aparte qué días de la semana se trabaja)."""
        if fecha in self.propios:
            return self.propios[fecha]
        if self.federales:
            return descanso_obligatorio(fecha.year).get(fecha)
        return None

    def inhabil(self, fecha: dt.date) -> bool:
        """¿Es un día feriado o inhábil?"""
        return self.motivo(fecha) is not None

    def con(self, propios: Mapping[dt.date, str]) -> Calendario:
        """Este calendario con más días propios."""
        return Calendario(self.federales, MappingProxyType({**self.propios, **propios}))
