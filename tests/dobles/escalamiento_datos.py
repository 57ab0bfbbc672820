"""Datos de prueba del escalamiento: asesores, casos, emisores que registran lo enviado."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from bot.casos.repositorio import crear_caso
from bot.db.estados import EstadoEnvio
from bot.db.modelos import Conversacion, Escalamiento, Municipio, Usuario
from bot.escalamiento.asesores import crear_asesor
from bot.motor.bandeja import usuario_y_conversacion
from bot.nucleo.emisores import ResultadoEnvio
from bot.nucleo.mensajes import Respuesta
from bot.servicios import Servicios

CONTRASENA = "contrasena-segura-123"
MUNICIPIOS = {"JAL": "14039", "NL": "19039", "OAX": "20067",  # Guadalajara, Monterrey, Oaxaca
              "QROO": "23005"}  # Benito Juárez (Cancún)


@dataclass
class EmisorGrabador:
    """Emisor de canal que guarda lo que se le pide enviar (la red la prueba cada canal)."""

    enviados: list[tuple[str, list[Respuesta], str | None]] = field(default_factory=list)

    async def enviar(self, id_usuario: str, respuestas: list[Respuesta],
                     ultimo_mensaje_usuario: dt.datetime | None,
                     plantilla: str | None = None) -> ResultadoEnvio:
        self.enviados.append((id_usuario, respuestas, plantilla))
        return ResultadoEnvio(EstadoEnvio.ENVIADO)

    def textos(self) -> list[str]:
        return [r.texto for _, rs, _ in self.enviados for r in rs]


def directorio_jalisco(carpeta: Path) -> Path:
    """Un directorio de oficinas (DIRECTORIO_OFICINAS) con un contacto de prueba de Jalisco."""
    archivo = carpeta / "oficinas.yaml"
    archivo.write_text('"14":\n  oficina: Dirección de Asuntos Internacionales de Jalisco\n'
                       '  telefono: "33 3030 1234"\n  correo: enlace@jalisco.example\n'
                       '  horario: lunes a viernes de 9:00 a 15:00\n', encoding="utf-8")
    return archivo


async def asesor(servicios: Servicios, email: str, rol: str = "asesor",
                 estados: tuple[str, ...] = ("JAL",), telegram_id: str | None = None,
                 nombre: str | None = None) -> int:
    async with servicios.almacen.escritura() as s:
        a = await crear_asesor(s, nombre=nombre or email.split("@")[0].capitalize(), email=email,
                               rol=rol, contrasena=CONTRASENA, estados=list(estados),
                               telegram_id=telegram_id)
        return a.id


async def usuario(servicios: Servicios, id_externo: str, estado: str | None = "JAL",
                  canal: str = "rest", nombre: str = "Ana") -> int:
    async with servicios.almacen.escritura() as s:
        u, _ = await usuario_y_conversacion(s, canal, id_externo, nombre)
        if estado:
            m = await s.scalar(select(Municipio).where(Municipio.clave_inegi == MUNICIPIOS[estado]))
            assert m is not None
            u.estado_id, u.municipio_id = m.estado_id, m.id
        u.rol = "enlace_municipal"
        u.nombre = nombre
        return u.id


async def caso(servicios: Servicios, usuario_id: int | None, estado: str = "JAL",
               estatus: str = "enviada") -> str:
    async with servicios.almacen.escritura() as s:
        m = await s.scalar(select(Municipio).where(Municipio.clave_inegi == MUNICIPIOS[estado]))
        assert m is not None
        c = await crear_caso(s, {
            "estado_id": m.estado_id, "municipio_id": m.id, "usuario_id": usuario_id,
            "tipo": "hermanamiento", "ciudad_contraparte": "San Antonio",
            "pais_contraparte": "Estados Unidos", "areas": ["educacion"],
            "objetivos": "Intercambio <b>académico</b>"}, "prueba")
        c.estatus = estatus
        return c.folio


async def traspaso_de(servicios: Servicios, usuario_id: int) -> Escalamiento | None:
    async with servicios.almacen.lectura() as s:
        conv = await s.scalar(select(Conversacion).where(Conversacion.usuario_id == usuario_id))
        assert conv is not None
        return await s.scalar(select(Escalamiento).where(Escalamiento.conversacion_id == conv.id)
                              .order_by(Escalamiento.id.desc()).limit(1))


async def conversacion_de(servicios: Servicios, usuario_id: int) -> Conversacion:
    async with servicios.almacen.lectura() as s:
        conv = await s.scalar(select(Conversacion).where(Conversacion.usuario_id == usuario_id))
        assert conv is not None
        return conv


async def usuario_por_externo(servicios: Servicios, canal: str, id_externo: str) -> Usuario:
    async with servicios.almacen.lectura() as s:
        u = await s.scalar(select(Usuario).where(Usuario.canal == canal,
                                                 Usuario.id_externo == id_externo))
        assert u is not None
        return u
