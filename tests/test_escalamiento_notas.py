"""Notas internas de un traspaso sin caso: se guardan en su tabla y se borran con los datos
de la persona."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.db.modelos import Asesor, Conversacion, NotaAsesor, Usuario
from bot.escalamiento.casos import CambioInvalido, nota_sin_caso
from bot.privacidad.anonimizar import anonimizar_usuario
from bot.servicios import Servicios

from dobles import escalamiento_datos as datos


async def test_nota_sin_caso_se_guarda_y_se_anonimiza(servicios: Servicios) -> None:
    asesor_id = await datos.asesor(servicios, "laura@jalisco.gob.mx")
    uid = await datos.usuario(servicios, "u-notas")
    conversacion = await datos.conversacion_de(servicios, uid)
    async with servicios.almacen.escritura() as s:
        asesor = await s.get(Asesor, asesor_id)
        conv = await s.get(Conversacion, conversacion.id)
        assert asesor is not None and conv is not None
        await nota_sin_caso(s, conv, asesor, "Llamó la regidora Pérez al 3312345678")
        with pytest.raises(CambioInvalido):
            await nota_sin_caso(s, conv, asesor, "   ")
    async with servicios.almacen.lectura() as s:
        notas = (await s.scalars(select(NotaAsesor.texto))).all()
    assert notas == ["Llamó la regidora Pérez al 3312345678"]
    async with servicios.almacen.escritura() as s:
        usuario = await s.get(Usuario, uid)
        assert usuario is not None
        await anonimizar_usuario(s, usuario)
    async with servicios.almacen.lectura() as s:
        assert (await s.scalars(select(NotaAsesor.texto))).all() == ["[eliminado]"]
