"""El panel en Chromium real (Playwright, sin cabeza) contra la aplicación servida con
uvicorn: entrar, tomar una conversación, responder, cambiar el estatus y verlo en el tablero.
Deja capturas en var/capturas/ (con `make capturas`, en docs/capturas/ para la guía de
asesores)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.config import Ajustes
from bot.db import diferidos
from bot.db.modelos import Mensaje
from bot.nucleo.mensajes import Canal, MensajeEntrante
from bot.servicios import crear_servicios

from dobles import escalamiento_datos as datos

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.servidor,
    pytest.mark.lento,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="falta /usr/bin/chromium"),
]


async def _sembrar(ajustes: Ajustes) -> str:
    servicios = crear_servicios(ajustes, con_nlu=False)
    try:
        await datos.asesor(servicios, "coordinacion@jalisco.gob.mx", "coordinador_estatal",
                           nombre="Laura Méndez")
        uid = await datos.usuario(servicios, "web-1", nombre="Regidora Ana")
        folio = await datos.caso(servicios, uid)
        otro = await datos.usuario(servicios, "web-2", nombre="Enlace Zapopan")
        await datos.caso(servicios, otro, estatus="con_observaciones")
        for i, texto in enumerate(("Hola", "asesor",
                                   "¿Qué documentos me faltan para enviar la iniciativa?")):
            await servicios.motor.procesar(MensajeEntrante(Canal.REST, "web-1", f"m{i}",
                                                           texto=texto))
        await diferidos.esperar()
        return folio
    finally:
        await servicios.cerrar()


def test_panel_en_chromium(ajustes_prueba: Ajustes, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    from conftest import ServidorReal, carpeta_capturas

    folio = asyncio.run(_sembrar(ajustes_prueba))
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
            pagina = navegador.new_page(viewport={"width": 1280, "height": 900})
            errores: list[str] = []
            pagina.on("console", lambda m: errores.append(m.text) if m.type == "error" else None)
            pagina.goto(f"{servidor.url}/panel")
            expect(pagina).to_have_url(f"{servidor.url}/panel/entrar")
            pagina.fill("input[name=correo]", "coordinacion@jalisco.gob.mx")
            pagina.fill("input[name=contrasena]", datos.CONTRASENA)
            pagina.click("button:has-text('Entrar')")
            expect(pagina.locator("h1")).to_have_text("Bandeja")
            expect(pagina.locator("text=En espera (1)")).to_be_visible()
            pagina.screenshot(path=str(capturas / "panel_bandeja.png"), full_page=True)

            pagina.click("button:has-text('Tomar')")
            expect(pagina.locator(".aviso")).to_contain_text("Usted atiende")
            pagina.fill("textarea[name=texto]", "Buenos días, soy Laura. Le falta el acta de "
                                                "cabildo; se la reviso en cuanto la suba.")
            pagina.click("button:has-text('Enviar')")
            # La persona es de REST: el mensaje espera a que abra el chat (no «se avisó»).
            expect(pagina.locator(".aviso")).to_contain_text("la persona lo verá en cuanto")
            expect(pagina.locator(".transcripcion")).to_contain_text("Le falta el acta")
            expect(pagina.locator(".transcripcion")).to_contain_text(
                "En espera de que la persona abra el chat")
            pagina.select_option("select[name=estatus]", "en_revision_estatal")
            pagina.fill("input[name=comentario]", "Ya revisamos su expediente")
            pagina.click("button:has-text('Cambiar estatus')")
            expect(pagina.locator("#estatus-caso")).to_have_text("En revisión estatal")
            pagina.screenshot(path=str(capturas / "panel_caso.png"), full_page=True)

            pagina.click("a:has-text('Tablero')")
            expect(pagina.locator("#total-casos")).to_have_text("2")
            expect(pagina.locator("#por-estado")).to_contain_text("Jalisco")
            expect(pagina.locator("#en-espera")).to_have_text("0")
            imagen = pagina.locator("img[alt='Gráfica de casos por estatus']")
            expect(imagen).to_be_visible()
            assert pagina.evaluate("i => i.naturalWidth", imagen.element_handle()) > 0
            pagina.screenshot(path=str(capturas / "panel_tablero.png"), full_page=True)

            pagina.click("button:has-text('Salir')")
            expect(pagina).to_have_url(f"{servidor.url}/panel/entrar")
            navegador.close()
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
    assert folio
