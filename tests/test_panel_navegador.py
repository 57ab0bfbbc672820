"""El panel en Chromium real (Playwright, sin cabeza) contra la aplicación servida con
uvicorn, en una sola sesión del navegador: entrar (con error y bien), tomar una conversación,
responder, cambiar el estatus, una conversación sin caso, el tablero y la página de error.

En cada página: axe-core (reglas WCAG 2.0/2.1/2.2 A y AA) a 1280 y a 320 px sin violaciones,
sin desplazamiento horizontal a 320 px y sin valores crudos en el texto visible; además, lo
que axe no mide: el foco tras cada acción, el correo que se conserva, los nombres de los
botones con su folio, la transcripción abierta en el último mensaje, las tablas de las
gráficas y los objetivos de la barra a 320 px. Deja capturas a ambos anchos en var/capturas/
(con `make capturas`, en docs/capturas/ para la guía de asesores)."""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.config import Ajustes
from bot.db import diferidos
from bot.db.estados import Direccion
from bot.db.modelos import Caso, Conversacion, Mensaje
from bot.nucleo.mensajes import Canal, MensajeEntrante
from bot.servicios import crear_servicios

from dobles import escalamiento_datos as datos
from dobles.texto_visible import valores_crudos

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.servidor,
    pytest.mark.lento,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="falta /usr/bin/chromium"),
]

REGLAS_WCAG = ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]
ESCRITORIO = {"width": 1280, "height": 900}
TELEFONO = {"width": 320, "height": 640}


async def _pulsar_boton(servicios: Any, id_externo: str, id_mensaje: str) -> str:
    """La persona pulsa el primer botón que le ofreció el asistente (llega solo el payload,
    como desde el chat web o REST); devuelve el título del botón."""
    async with servicios.almacen.lectura() as s:
        ofrecido = await s.scalar(
            select(Mensaje).join(Conversacion, Conversacion.id == Mensaje.conversacion_id)
            .where(Mensaje.direccion == Direccion.SALIDA, Mensaje.botones.is_not(None))
            .order_by(Mensaje.id.desc()).limit(1))
    assert ofrecido is not None and ofrecido.botones
    boton = ofrecido.botones[0]
    await servicios.motor.procesar(MensajeEntrante(Canal.REST, id_externo, id_mensaje,
                                                   payload=boton["payload"]))
    return str(boton["titulo"])


async def _sembrar(ajustes: Ajustes) -> dict[str, Any]:
    servicios = crear_servicios(ajustes, con_nlu=False)
    try:
        await datos.asesor(servicios, "coordinacion@jalisco.gob.mx", "coordinador_estatal",
                           nombre="Laura Méndez")
        uid = await datos.usuario(servicios, "web-1", nombre="Regidora Ana")
        folio = await datos.caso(servicios, uid)
        async with servicios.almacen.escritura() as s:
            caso = await s.scalar(select(Caso).where(Caso.folio == folio))
            assert caso is not None
            caso.tipo, caso.areas = "acuerdo_amistad", ["medio_ambiente", "cultura"]
        otro = await datos.usuario(servicios, "web-2", nombre="Enlace Zapopan")
        await datos.caso(servicios, otro, estatus="con_observaciones")
        await servicios.motor.procesar(MensajeEntrante(Canal.REST, "web-1", "m0", texto="Hola"))
        titulo = await _pulsar_boton(servicios, "web-1", "m1")
        for i, texto in enumerate(("¿Qué requisitos hay para un hermanamiento?", "asesor",
                                   "¿Qué documentos me faltan para enviar la iniciativa?")):
            await servicios.motor.procesar(MensajeEntrante(Canal.REST, "web-1", f"m{i + 2}",
                                                           texto=texto))
        # Alguien sin caso ni nombre pide una persona: su conversación se ve como «T-…».
        await datos.usuario(servicios, "web-3", nombre="")
        await servicios.motor.procesar(MensajeEntrante(Canal.REST, "web-3", "n0",
                                                       texto="asesor"))
        await diferidos.esperar()
        return {"folio": folio, "titulo_boton": titulo}
    finally:
        await servicios.cerrar()


class Auditoria:
    """axe, reflujo y valores crudos de cada página a los dos anchos; junta los problemas
    para mostrarlos todos juntos al final."""

    def __init__(self, pagina: Any, capturas: Path) -> None:
        from axe_playwright_python.sync_playwright import Axe

        self.pagina = pagina
        self.capturas = capturas
        self.axe = Axe()
        self.problemas: list[str] = []

    def revisar(self, nombre: str, captura: str | None = None, recargar: bool = True) -> None:
        """A 320 px la página se vuelve a cargar (si es de un GET), como se abriría en el
        teléfono: así se ve dónde abre la transcripción a ese ancho."""
        for tamano in (ESCRITORIO, TELEFONO):
            self.pagina.set_viewport_size(tamano)
            ancho = tamano["width"]
            if ancho == 320 and recargar:
                self.pagina.reload()
                if self.pagina.locator(".transcripcion").count():
                    assert _en_el_ultimo_mensaje(self.pagina, desborda=False), nombre
            resultado = self.axe.run(self.pagina, options={
                "runOnly": {"type": "tag", "values": REGLAS_WCAG},
                "resultTypes": ["violations"]})
            for v in resultado.response["violations"]:
                donde = [n["target"] for n in v["nodes"]][:3]
                self.problemas.append(f"{nombre} a {ancho} px: {v['id']} ({v['impact']}) "
                                      f"{donde}")
            if ancho == 320:
                desborde = self.pagina.evaluate("document.documentElement.scrollWidth")
                if desborde > 320:
                    self.problemas.append(f"{nombre} a 320 px: la página mide {desborde} px "
                                          "de ancho (desplazamiento horizontal)")
            if captura:
                sufijo = "" if ancho == 1280 else f"_{ancho}"
                self.pagina.screenshot(path=str(self.capturas / f"{captura}{sufijo}.png"),
                                       full_page=True)
        self.pagina.set_viewport_size(ESCRITORIO)
        crudos = valores_crudos(self.pagina.inner_text("body"))
        if crudos:
            self.problemas.append(f"{nombre}: valores crudos en el texto: {crudos}")


def _enfocado(pagina: Any) -> str:
    return str(pagina.evaluate(
        "() => { const e = document.activeElement; return e ? (e.id || e.name || e.tagName) "
        ": ''; }"))


def _en_el_ultimo_mensaje(pagina: Any, desborda: bool = True) -> bool:
    """¿La transcripción muestra su final? Con `desborda`, además debe tener más mensajes de
    los que caben (si no, estar al final no dice nada)."""
    return bool(pagina.evaluate(
        "desborda => { const t = document.querySelector('.transcripcion');"
        " const alFinal = t.scrollTop + t.clientHeight >= t.scrollHeight - 2;"
        " return desborda ? t.scrollHeight > t.clientHeight && alFinal : alFinal; }", desborda))


def test_panel_en_chromium(ajustes_prueba: Ajustes, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    from conftest import ServidorReal, carpeta_capturas

    sembrado = asyncio.run(_sembrar(ajustes_prueba))
    folio = sembrado["folio"]
    entorno = {**os.environ, "DATABASE_URL": ajustes_prueba.database_url,
               "DOCUMENTOS_DIR": str(ajustes_prueba.documentos_dir),
               "NLU_URL": "http://127.0.0.1:9", "PANEL_SECRETO": "secreto-de-prueba-del-panel"}
    servidor = ServidorReal(entorno, tmp_path / "servidor.log")
    servidor.iniciar()
    capturas = carpeta_capturas()
    try:
        with sync_playwright() as p:
            navegador = p.chromium.launch(executable_path=CHROMIUM, args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run"])
            pagina = navegador.new_page(viewport=ESCRITORIO)
            errores: list[str] = []
            pagina.on("console", lambda m: errores.append(m.text) if m.type == "error" else None)
            auditoria = Auditoria(pagina, capturas)

            # Entrar con la contraseña equivocada: el correo se queda, los campos se marcan.
            pagina.goto(f"{servidor.url}/panel")
            expect(pagina).to_have_url(f"{servidor.url}/panel/entrar")
            auditoria.revisar("entrar", "panel_entrar")
            pagina.fill("input[name=correo]", "coordinacion@jalisco.gob.mx")
            pagina.fill("input[name=contrasena]", "no-es-la-contraseña")
            pagina.click("button:has-text('Entrar')")
            expect(pagina.locator("#error-entrar")).to_have_text(
                "Correo o contraseña incorrectos.")
            expect(pagina.locator("input[name=correo]")).to_have_value(
                "coordinacion@jalisco.gob.mx")
            for campo in ("correo", "contrasena"):
                entrada = pagina.locator(f"input[name={campo}]")
                expect(entrada).to_have_attribute("aria-invalid", "true")
                expect(entrada).to_have_attribute("aria-describedby", "error-entrar")
            assert _enfocado(pagina) == "contrasena"
            auditoria.revisar("entrar con error", recargar=False)

            pagina.fill("input[name=contrasena]", datos.CONTRASENA)
            pagina.click("button:has-text('Entrar')")
            expect(pagina.locator("h1")).to_have_text("Bandeja")
            expect(pagina.locator("text=En espera (2)")).to_be_visible()
            # Cada «Tomar» dice qué toma: el folio o la referencia de la conversación.
            expect(pagina.get_by_role("button", name=f"Tomar folio {folio}")).to_have_count(1)
            expect(pagina.get_by_role("button", name=re.compile(
                r"^Tomar conversación T-\d+$"))).to_have_count(1)
            expect(pagina.locator("text=Persona sin nombre")).to_be_visible()
            auditoria.revisar("bandeja", "panel_bandeja")
            # A 320 px, «Tablero» y «Salir» miden al menos 24 px y no se tocan.
            pagina.set_viewport_size(TELEFONO)
            cajas = [pagina.get_by_role(rol, name=nombre, exact=True).bounding_box()
                     for rol, nombre in (("link", "Tablero"), ("button", "Salir"))]
            pagina.set_viewport_size(ESCRITORIO)
            for caja in cajas:
                assert caja and caja["width"] >= 24 and caja["height"] >= 24, cajas
            tablero_caja, salir_caja = cajas
            assert tablero_caja and salir_caja
            separadas = (tablero_caja["x"] + tablero_caja["width"] < salir_caja["x"]
                         or salir_caja["x"] + salir_caja["width"] < tablero_caja["x"]
                         or tablero_caja["y"] + tablero_caja["height"] < salir_caja["y"]
                         or salir_caja["y"] + salir_caja["height"] < tablero_caja["y"])
            assert separadas, cajas

            # Tomar: el aviso se anuncia (foco y título) y la transcripción abre al final.
            pagina.get_by_role("button", name=f"Tomar folio {folio}").click()
            expect(pagina.locator("#aviso")).to_have_text("Usted atiende esta conversación.")
            expect(pagina).to_have_title(re.compile(r"^Usted atiende esta conversación\."))
            assert _enfocado(pagina) == "aviso"
            transcripcion = pagina.get_by_role("log", name=re.compile("^Transcripción con "
                                                                     "Regidora Ana"))
            expect(transcripcion).to_have_attribute("tabindex", "0")
            expect(transcripcion).to_contain_text(f"Pulsó «{sembrado['titulo_boton']}»")
            assert _en_el_ultimo_mensaje(pagina)
            expect(pagina.locator("#estado-traspaso")).to_have_text("Tomada")
            expect(pagina.locator("dd", has_text="Acuerdo de amistad")).to_be_visible()
            expect(pagina.locator("dd", has_text="Medio ambiente, Cultura")).to_be_visible()

            pagina.fill("textarea[name=texto]", "Buenos días, soy Laura. Le falta el acta de "
                                                "cabildo; se la reviso en cuanto la suba.")
            pagina.click("button:has-text('Enviar')")
            # La persona es de REST: el mensaje espera a que abra el chat (no «se avisó»).
            expect(pagina.locator("#aviso")).to_contain_text("la persona lo verá en cuanto")
            assert _enfocado(pagina) == "aviso"
            expect(transcripcion).to_contain_text("Le falta el acta")
            expect(transcripcion).to_contain_text("En espera de que la persona abra el chat")
            assert _en_el_ultimo_mensaje(pagina)
            ultimo = pagina.locator(".transcripcion .msj").last
            expect(ultimo).to_contain_text("Le falta el acta")
            expect(ultimo).to_be_in_viewport()
            pagina.select_option("select[name=estatus]", "en_revision_estatal")
            pagina.fill("input[name=comentario]", "Ya revisamos su expediente")
            pagina.get_by_role("button", name=f"Cambiar estatus del folio {folio}").click()
            expect(pagina.locator("#estatus-caso")).to_have_text("En revisión estatal")
            assert _enfocado(pagina) == "aviso"
            auditoria.revisar("caso", "panel_caso")

            # La conversación sin caso, por su referencia.
            pagina.goto(f"{servidor.url}/panel")
            pagina.get_by_role("link", name=re.compile(r"^T-\d+$")).click()
            expect(pagina.locator("h1")).to_contain_text("Conversación T-")
            expect(pagina.locator("#estado-traspaso")).to_have_text("En espera")
            auditoria.revisar("conversación sin caso")

            pagina.click("a:has-text('Tablero')")
            expect(pagina.locator("#total-casos")).to_have_text("2")
            expect(pagina.locator("#por-estado")).to_contain_text("Jalisco")
            expect(pagina.locator("#en-espera")).to_have_text("1")
            expect(pagina.locator("#por-estado tbody th[scope=row]")).to_have_text(["Jalisco"])
            vacias = pagina.locator("#por-estado tbody td").evaluate_all(
                "celdas => celdas.filter(c => !c.textContent.trim()).length")
            assert vacias == 0
            por_estatus = pagina.locator("#tabla-estatus tbody tr")
            expect(por_estatus).to_have_count(10)
            expect(pagina.locator("#tabla-estatus tbody tr", has_text="En revisión estatal")
                   ).to_contain_text("1")
            expect(pagina.locator("#tabla-estatus tbody tr", has_text="Firmada")
                   ).to_contain_text("0")
            expect(pagina.locator("#tabla-meses tbody th[scope=row]").first).to_have_text(
                re.compile(r"^[a-z]{3} \d{4}$"))
            imagen = pagina.locator("img[alt^='Gráfica de barras de casos por estatus']")
            expect(imagen).to_be_visible()
            assert pagina.evaluate("i => i.naturalWidth", imagen.element_handle()) > 0
            auditoria.revisar("tablero", "panel_tablero")

            pagina.goto(f"{servidor.url}/panel/caso/CH-0000-XX-0000")
            expect(pagina.locator("main")).to_contain_text("No encontré eso")
            auditoria.revisar("error")

            pagina.click("button:has-text('Salir')")
            expect(pagina).to_have_url(f"{servidor.url}/panel/entrar")
            navegador.close()
        assert not auditoria.problemas, "\n".join(auditoria.problemas)
        assert not [e for e in errores if "Content Security Policy" in e], errores
    finally:
        servidor.detener()

    async def comprobar() -> list[str]:
        from bot.db.sesion import Almacen

        almacen = Almacen(ajustes_prueba.database_url)
        async with almacen.lectura() as s:
            textos = (await s.scalars(select(Mensaje.texto).where(
                Mensaje.autor == "asesor"))).all()
        await almacen.cerrar()
        return list(textos)

    assert any("Le falta el acta" in t for t in asyncio.run(comprobar()))
