"""Las respuestas de Telegram y WhatsApp nacen reclamadas en la transacción que las decide,
salvo que algo espere antes en la bandeja (no se le adelantan); los `enviado` se anotan en
tandas; el repartidor envía lo reclamado en orden y revisa la bandeja solo cuando se le pide.
Sobre SQLite y PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event, select
from test_bandeja_reintentos import conversacion_de, estados, mensaje_de_asesor, respuestas

from bot.db.modelos import Mensaje
from bot.motor.bandeja_salida import Anotador, Pendiente, Repartidor
from bot.motor.salida import Reclamo, salida_libre
from bot.nucleo.mensajes import Canal, MensajeEntrante, Respuesta
from bot.servicios import Servicios


async def procesar(servicios: Servicios, entrante: MensajeEntrante) -> Reclamo:
    """`procesar_y_reclamar` y, cuando termina lo del fondo, todas las tandas en una."""
    tandas: list[Reclamo] = []
    await servicios.motor.procesar_y_reclamar(entrante, tandas.append)
    await servicios.motor.esperar_al_fondo()
    return Reclamo([r for t in tandas for r in t.reclamadas],
                   any(t.revisar_bandeja for t in tandas))


def _hola(id_usuario: str, id_mensaje: str = "1", texto: str = "hola") -> MensajeEntrante:
    return MensajeEntrante(canal=Canal.TELEGRAM, id_usuario=id_usuario, id_mensaje=id_mensaje,
                           texto=texto)


async def _salidas_de(servicios: Servicios, canal: str, id_mensaje: str) -> list[Mensaje]:
    """Las respuestas guardadas al mensaje entrante `id_mensaje`."""
    async with servicios.almacen.lectura() as s:
        entrada = await s.scalar(select(Mensaje.id).where(Mensaje.canal == canal,
                                                          Mensaje.id_externo == id_mensaje))
        return list((await s.scalars(select(Mensaje).where(Mensaje.responde_a_id == entrada)
                                     .order_by(Mensaje.id))).all())


async def test_las_respuestas_nacen_reclamadas(servicios_ambas: Servicios) -> None:
    servicios = servicios_ambas
    reclamo = await procesar(servicios, _hola("401", "401:1"))
    guardadas = await _salidas_de(servicios, "telegram", "401:1")
    assert guardadas and not reclamo.revisar_bandeja
    assert [r.mensaje_id for r in reclamo.reclamadas] == [f.id for f in guardadas]
    assert [r.respuesta.texto for r in reclamo.reclamadas] == [f.texto for f in guardadas]
    assert {f.envio for f in guardadas} == {"pendiente"}
    # `procesar` (REST, la terminal) no reclama nada.
    await servicios.motor.procesar(_hola("402", "402:1"))
    assert {f.envio for f in await _salidas_de(servicios, "telegram", "402:1")} == {None}


async def test_lo_que_sale_en_la_respuesta_no_queda_por_enviar(
        servicios_ambas: Servicios) -> None:
    servicios = servicios_ambas
    for canal in (Canal.REST, Canal.TERMINAL):
        entrante = MensajeEntrante(canal=canal, id_usuario="404", id_mensaje=f"{canal}:1",
                                   texto="hola")
        respuestas_dadas = await servicios.motor.procesar(entrante)
        guardadas = await _salidas_de(servicios, canal.value, f"{canal}:1")
        assert [f.texto for f in guardadas] == [r.texto for r in respuestas_dadas]
        assert {f.envio for f in guardadas} == {"en_respuesta"}
        async with servicios.almacen.lectura() as s:
            assert await salida_libre(s, guardadas[0].conversacion_id)


async def test_no_se_adelantan_a_un_reintento_ni_a_un_asesor(servicios_ambas: Servicios) -> None:
    servicios = servicios_ambas
    (en_espera,) = await respuestas(servicios, "telegram", "403", ["Su folio es JAL-1."],
                                    envio="reintentar")
    reclamo = await procesar(servicios, _hola("403", "403:1", "menú"))
    assert reclamo.reclamadas == [] and reclamo.revisar_bandeja
    assert {f.envio for f in await _salidas_de(servicios, "telegram", "403:1")} == {None}
    assert await estados(servicios, [en_espera]) == ["reintentar"]

    await respuestas(servicios, "telegram", "404", ["Hola."], envio="enviado")
    await mensaje_de_asesor(servicios, "telegram", "404", "Le atiendo en un momento.")
    reclamo = await procesar(servicios, _hola("404", "404:1", "menú"))
    assert reclamo.reclamadas == [] and reclamo.revisar_bandeja


async def test_lo_ya_reclamado_en_vuelo_no_estorba(servicios_ambas: Servicios) -> None:
    """Lo `pendiente` ya va en la fila del repartidor: lo nuevo se forma detrás."""
    servicios = servicios_ambas
    await respuestas(servicios, "telegram", "405", ["Hola."], envio="pendiente")
    reclamo = await procesar(servicios, _hola("405", "405:1", "menú"))
    assert reclamo.reclamadas and not reclamo.revisar_bandeja


async def test_un_reenvio_de_la_plataforma_pide_revisar_la_bandeja(
        servicios_ambas: Servicios) -> None:
    servicios = servicios_ambas
    primero = await procesar(servicios, _hola("406", "406:1"))
    otra_vez = await procesar(servicios, _hola("406", "406:1"))
    assert primero.reclamadas and otra_vez.reclamadas == [] and otra_vez.revisar_bandeja


async def test_el_anotador_marca_en_tandas(servicios_ambas: Servicios) -> None:
    servicios = servicios_ambas
    ids = await respuestas(servicios, "telegram", "407", [f"Respuesta {i}." for i in range(30)],
                           envio="pendiente")
    anotador = Anotador(servicios.almacen, espera_s=0.1)
    sentencias: list[str] = []

    def contar(_c: Any, _cur: Any, sql: str, *_: Any) -> None:
        if sql.lstrip().upper().startswith("UPDATE MENSAJE"):
            sentencias.append(sql)

    motor_sql = servicios.almacen.motor.sync_engine
    event.listen(motor_sql, "before_cursor_execute", contar)
    try:
        for i in ids[:20]:  # salen mientras corre la espera de la tanda
            anotador.enviado(i)
            await asyncio.sleep(0)
        await asyncio.sleep(0.3)
        assert await estados(servicios, ids[:20]) == ["enviado"] * 20
        assert len(sentencias) == 1
        for i in ids[20:]:
            anotador.enviado(i)
        await anotador.cerrar()  # al cerrar el canal no queda nada sin marcar
    finally:
        event.remove(motor_sql, "before_cursor_execute", contar)
    assert await estados(servicios, ids) == ["enviado"] * len(ids)
    assert len(sentencias) == 2


async def test_el_repartidor_envia_lo_reclamado_y_revisa_solo_si_se_pide() -> None:
    llamadas: list[tuple[list[int], bool]] = []
    suelta = asyncio.Event()

    async def enviar(id_usuario: str, reclamados: list[Pendiente], revisar: bool) -> None:
        llamadas.append(([p.mensaje_id for p in reclamados], revisar))
        await suelta.wait()

    def pendiente(ident: int) -> Pendiente:
        return Pendiente(ident, Respuesta(f"r{ident}"))

    repartidor = Repartidor(enviar)
    repartidor.avisar("u", [pendiente(1), pendiente(2)], revisar=False)
    await asyncio.sleep(0)
    repartidor.avisar("u", [pendiente(3)], revisar=False)  # mientras envía: otra vuelta
    repartidor.avisar("u", [pendiente(4)], revisar=True)
    suelta.set()
    assert await repartidor.esperar(5)
    assert llamadas == [([1, 2], False), ([3, 4], True)]


async def _entrada_sin_procesar(servicios: Servicios, id_usuario: str, id_mensaje: str) -> None:
    """Un mensaje que quedó guardado sin procesar (p. ej. tras una caída)."""
    conversacion_id = await conversacion_de(servicios, "telegram", id_usuario)
    async with servicios.almacen.escritura() as s:
        s.add(Mensaje(conversacion_id=conversacion_id, direccion="entrada", autor="usuario",
                      canal="telegram", id_externo=id_mensaje, texto="menú"))


async def test_con_pendientes_de_antes_se_consulta_la_bandeja(servicios_ambas: Servicios) -> None:
    """Lo pendiente de antes se decide primero, en la misma ronda, y se reclama en orden; si
    algo esperaba en la bandeja, nada de la ronda se reclama."""
    servicios = servicios_ambas
    await _entrada_sin_procesar(servicios, "408", "408:viejo")
    reclamo = await procesar(servicios, _hola("408", "408:1", "menú"))
    viejas = await _salidas_de(servicios, "telegram", "408:viejo")
    nuevas = await _salidas_de(servicios, "telegram", "408:1")
    assert viejas and nuevas and not reclamo.revisar_bandeja
    assert [r.mensaje_id for r in reclamo.reclamadas] == [f.id for f in viejas + nuevas]

    await respuestas(servicios, "telegram", "409", ["Su folio es JAL-1."], envio="reintentar")
    await _entrada_sin_procesar(servicios, "409", "409:viejo")
    reclamo = await procesar(servicios, _hola("409", "409:1", "menú"))
    assert reclamo.reclamadas == [] and reclamo.revisar_bandeja
    for id_mensaje in ("409:viejo", "409:1"):
        assert {f.envio for f in await _salidas_de(servicios, "telegram", id_mensaje)} == {None}


async def test_vuelve_con_el_mensaje_guardado_sin_esperar_al_nlu(
        servicios_ambas: Servicios) -> None:
    """La plataforma recibe su 200 en cuanto el mensaje está guardado; el NLU (y lo que siga)
    corre al fondo y sus respuestas llegan después, reclamadas."""
    servicios = servicios_ambas
    await procesar(servicios, _hola("410", "410:1"))  # bienvenida: lo que sigue es texto libre
    suelta = asyncio.Event()

    async def nlu_lento(texto: str) -> None:
        await suelta.wait()

    servicios.motor.analizador = nlu_lento
    tandas: list[Reclamo] = []
    await asyncio.wait_for(servicios.motor.procesar_y_reclamar(
        _hola("410", "410:2", "me explica como funciona esto de los hermanamientos"),
        tandas.append), 10)
    async with servicios.almacen.lectura() as s:
        guardado = await s.scalar(select(Mensaje).where(Mensaje.id_externo == "410:2"))
    assert guardado is not None and guardado.procesado_en is None and tandas == []
    suelta.set()
    await servicios.motor.esperar_al_fondo()
    respuestas_410 = await _salidas_de(servicios, "telegram", "410:2")
    assert respuestas_410 and [r.mensaje_id for t in tandas for r in t.reclamadas] == [
        f.id for f in respuestas_410]
