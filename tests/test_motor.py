"""El motor: guarda primero, descarta reenvíos y procesa en orden cada conversación."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.db.modelos import Mensaje
from bot.nucleo.mensajes import Canal, MensajeEntrante
from bot.servicios import Servicios


def entrante(texto: str, id_mensaje: str, usuario: str = "u1", payload: str | None = None
             ) -> MensajeEntrante:
    return MensajeEntrante(Canal.REST, usuario, id_mensaje, texto=texto, payload=payload)


async def test_primer_contacto_da_la_bienvenida_con_aviso(servicios_ambas: Servicios) -> None:
    respuestas = await servicios_ambas.motor.procesar(entrante("hola", "m1"))
    texto = " ".join(r.texto for r in respuestas)
    assert "Programa Mexicano de Ciudades Hermanas" in texto
    assert "Aviso de privacidad" in texto
    payloads = [b.payload for r in respuestas for b in r.botones]
    assert "/aviso_privacidad" in payloads  # el aviso completo, a un botón


async def test_menu_y_ayuda_en_cualquier_momento(servicios_ambas: Servicios) -> None:
    await servicios_ambas.motor.procesar(entrante("", "m1", payload="/menu"))
    menu = await servicios_ambas.motor.procesar(entrante("Menú", "m2"))
    assert len(menu[0].botones) >= 5
    ayuda = await servicios_ambas.motor.procesar(entrante("", "m3", payload="/ayuda"))
    assert "cancelar" in ayuda[0].texto and "asesor" in ayuda[0].texto


async def test_no_entendi_ofrece_salidas(servicios_ambas: Servicios) -> None:
    await servicios_ambas.motor.procesar(entrante("", "m1", payload="/menu"))
    primera = await servicios_ambas.motor.procesar(entrante("zxcv qwer", "m2"))
    assert "no le entendí" in primera[0].texto
    assert {b.payload for b in primera[0].botones} == {"/menu", "/asesor"}


async def test_mensaje_vacio_y_tipo_no_soportado(servicios_ambas: Servicios) -> None:
    await servicios_ambas.motor.procesar(entrante("hola", "m1"))
    vacio = await servicios_ambas.motor.procesar(entrante("   \x00\x07 ", "m2"))
    assert "No recibí texto" in vacio[0].texto
    sticker = MensajeEntrante(Canal.TELEGRAM, "u1", "m3", tipo_no_soportado="sticker")
    respuesta = await servicios_ambas.motor.procesar(sticker)
    assert "stickers" in respuesta[0].texto and "PDF" in respuesta[0].texto


async def test_reenvio_se_procesa_una_sola_vez(servicios_ambas: Servicios) -> None:
    primera = await servicios_ambas.motor.procesar(entrante("hola", "repetido"))
    otra_vez = await servicios_ambas.motor.procesar(entrante("hola", "repetido"))
    assert [r.texto for r in otra_vez] == [r.texto for r in primera]
    async with servicios_ambas.almacen.lectura() as s:
        entradas = await s.scalar(
            select(func.count()).select_from(Mensaje).where(Mensaje.direccion == "entrada"))
        salidas = await s.scalar(
            select(func.count()).select_from(Mensaje).where(Mensaje.direccion == "salida"))
    assert entradas == 1
    assert salidas == len(primera)


async def test_reenvios_concurrentes_se_procesan_una_vez(servicios_ambas: Servicios) -> None:
    tareas = [servicios_ambas.motor.procesar(entrante("menu", "mismo-id")) for _ in range(10)]
    resultados = await asyncio.gather(*tareas)
    assert all(r and r[0].texto == resultados[0][0].texto for r in resultados)
    async with servicios_ambas.almacen.lectura() as s:
        assert await s.scalar(select(func.count()).select_from(Mensaje).where(
            Mensaje.direccion == "entrada")) == 1


async def test_orden_dentro_de_una_conversacion_con_entrega_concurrente(
    servicios_ambas: Servicios,
) -> None:
    mensajes = [entrante(f"mensaje {i}", f"c{i}") for i in range(12)]
    # Se entregan todos a la vez; cada uno debe procesarse una vez y en orden de llegada.
    await asyncio.gather(*(servicios_ambas.motor.procesar(m) for m in mensajes))
    async with servicios_ambas.almacen.lectura() as s:
        entradas = (await s.scalars(
            select(Mensaje).where(Mensaje.direccion == "entrada").order_by(Mensaje.id))).all()
        salidas = (await s.scalars(
            select(Mensaje).where(Mensaje.direccion == "salida").order_by(Mensaje.id))).all()
    assert len(entradas) == 12 and all(m.procesado_en for m in entradas)
    procesados = sorted(entradas, key=lambda m: m.procesado_en)  # type: ignore[arg-type,return-value]
    assert [m.id for m in procesados] == [m.id for m in entradas]
    respondidos = list(dict.fromkeys(m.responde_a_id for m in salidas))
    assert respondidos == [m.id for m in entradas]


async def test_conversaciones_distintas_en_paralelo(servicios_ambas: Servicios) -> None:
    tareas = [servicios_ambas.motor.procesar(entrante("hola", f"p{i}", usuario=f"u{i}"))
              for i in range(8)]
    resultados = await asyncio.gather(*tareas)
    assert all("Programa Mexicano" in r[0].texto for r in resultados)
    assert len({id(r) for r in resultados}) == 8


async def test_bandeja_pendiente_se_recupera(servicios_ambas: Servicios) -> None:
    from bot.motor.bandeja import registrar_entrante

    async with servicios_ambas.almacen.escritura() as s:
        await registrar_entrante(s, entrante("hola", "caido"), servicios_ambas.documentos)
    assert await servicios_ambas.motor.procesar_pendientes_todas() == 1
    async with servicios_ambas.almacen.lectura() as s:
        pendientes = await s.scalar(select(func.count()).select_from(Mensaje).where(
            Mensaje.direccion == "entrada", Mensaje.procesado_en.is_(None)))
    assert pendientes == 0


async def test_texto_enorme_se_recorta_sin_romper(servicios_ambas: Servicios) -> None:
    respuestas = await servicios_ambas.motor.procesar(entrante("a" * 50_000, "grande"))
    assert respuestas
    async with servicios_ambas.almacen.lectura() as s:
        guardado = await s.scalar(select(Mensaje.texto).where(Mensaje.id_externo == "grande"))
    assert guardado is not None and len(guardado) == 4096


async def test_mensaje_largo_se_avisa(servicios_ambas: Servicios) -> None:
    respuestas = await servicios_ambas.motor.procesar(entrante("hola " * 2000, "largo"))
    assert "muy largo" in respuestas[0].texto


async def test_archivo_grande_o_de_otro_tipo_se_rechaza_sin_guardar(
    servicios_ambas: Servicios,
) -> None:
    from bot.db.modelos import Documento
    from bot.nucleo.mensajes import ArchivoEntrante

    motor = servicios_ambas.motor
    grande = ArchivoEntrante("acta.pdf", "application/pdf", b"%PDF" + b"0" * motor.maximo_archivo)
    r1 = await motor.procesar(MensajeEntrante(Canal.REST, "u1", "f1", archivo=grande))
    assert "pesa más de 10 MB" in r1[0].texto
    exe = ArchivoEntrante("virus.exe", "application/x-msdownload", b"MZ...")
    r2 = await motor.procesar(MensajeEntrante(Canal.REST, "u1", "f2", archivo=exe))
    assert "no se admite" in r2[0].texto
    async with servicios_ambas.almacen.lectura() as s:
        assert await s.scalar(select(func.count()).select_from(Documento)) == 0


async def test_si_una_ruta_falla_se_disculpa_y_no_pierde_el_mensaje(
        servicios_ambas: Servicios) -> None:
    from bot.nucleo.contexto import Contexto
    from bot.nucleo.mensajes import Respuesta

    async def ruta_rota(ctx: Contexto) -> list[Respuesta] | None:
        if ctx.texto == "provocar fallo":
            await ctx.sesion.flush()
            raise RuntimeError("error de programación en una ruta")
        return None

    motor = servicios_ambas.motor
    motor.rutas.insert(0, ruta_rota)
    await motor.procesar(entrante("", "m1", payload="/menu"))
    primera = await motor.procesar(entrante("provocar fallo", "m2"))
    assert "Perdón, tuve un problema" in primera[0].texto
    assert {b.payload for b in primera[0].botones} == {"/asesor", "/menu"}
    # Un reintento de la plataforma recibe lo mismo, sin volver a fallar.
    assert await motor.procesar(entrante("provocar fallo", "m2")) == primera
    despues = await motor.procesar(entrante("", "m3", payload="/ayuda"))
    assert "cancelar" in despues[0].texto
    async with servicios_ambas.almacen.lectura() as s:
        fila = await s.scalar(select(Mensaje).where(Mensaje.id_externo == "m2"))
        assert fila is not None and fila.procesado_en is not None
        assert (fila.extra or {}).get("error") is True
        pendientes = await s.scalar(select(func.count()).select_from(Mensaje).where(
            Mensaje.direccion == "entrada", Mensaje.procesado_en.is_(None)))
    assert pendientes == 0


async def test_documento_borrado_del_disco_no_rompe_las_respuestas(
        servicios_ambas: Servicios) -> None:
    from bot.db.modelos import Documento
    from bot.motor.guardadas import respuesta_guardada

    await servicios_ambas.motor.procesar(entrante("", "m1", payload="/menu"))
    async with servicios_ambas.almacen.escritura() as s:
        entrada = await s.scalar(select(Mensaje).where(Mensaje.id_externo == "m1"))
        assert entrada is not None
        guardado = servicios_ambas.documentos.guardar(b"%PDF-1.4 ficha", "application/pdf")
        doc = Documento(usuario_id=None, tipo="generado", nombre_archivo="ficha.pdf",
                        mime="application/pdf", tamano=guardado.tamano,
                        sha256=guardado.sha256, ruta=str(guardado.ruta))
        s.add(doc)
        await s.flush()
        s.add(Mensaje(conversacion_id=entrada.conversacion_id, direccion="salida",
                      autor="bot", canal="rest", texto="Le envío la ficha.", tipo="documento",
                      responde_a_id=entrada.id, extra={"documento_id": doc.id}))
    guardado.ruta.unlink()
    respuestas = await servicios_ambas.motor.respuestas_guardadas(entrada.id)
    ultima = respuestas[-1]
    assert ultima.documento is None and "ya no está disponible" in ultima.texto
    async with servicios_ambas.almacen.lectura() as s:
        fila = await s.scalar(select(Mensaje).where(Mensaje.responde_a_id == entrada.id,
                                                    Mensaje.tipo == "documento"))
        assert fila is not None
        enviada = await respuesta_guardada(s, fila, servicios_ambas.documentos)
    assert enviada.documento is None and "ya no está disponible" in enviada.texto
