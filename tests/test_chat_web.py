"""El chat web en Chromium real: saluda solo, los botones se pulsan, el texto del usuario se
muestra tal cual (nunca se interpreta como HTML), la identidad es una cookie HttpOnly que da el
servidor (la página no guarda ningún id) y «Cerrar sesión» empieza una conversación nueva."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.canales.web.identidad import COOKIE

from conftest import ServidorReal, carpeta_capturas

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.servidor,
    pytest.mark.lento,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="falta /usr/bin/chromium"),
]


def test_chat_web_en_chromium(servidor: ServidorReal) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        navegador = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            contexto = navegador.new_context(viewport={"width": 420, "height": 860})
            pagina = contexto.new_page()
            errores: list[str] = []
            pagina.on("console", lambda m: errores.append(m.text) if m.type == "error" else None)
            pagina.goto(servidor.url + "/")
            bot = pagina.locator(".burbuja.bot")
            expect(bot.first).to_contain_text("Programa Mexicano de Ciudades Hermanas")
            (cookie,) = [c for c in contexto.cookies() if c["name"] == COOKIE]
            assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
            assert cookie["path"] == "/chat" and cookie["expires"] > 0
            assert COOKIE not in pagina.evaluate("document.cookie")
            assert pagina.evaluate("localStorage.length") == 0
            pagina.get_by_role("button", name="Acepto", exact=True).click()
            expect(bot.last).to_contain_text("papel en el programa")
            pagina.get_by_role("button", name="Funcionario municipal").click()
            expect(bot.last).to_contain_text("estado")
            pagina.fill("#entrada", "<b>Nuevo León</b><script>alert(1)</script>")
            pagina.keyboard.press("Enter")
            propio = pagina.locator(".burbuja.usuario").last
            expect(propio).to_have_text("<b>Nuevo León</b><script>alert(1)</script>")
            assert pagina.locator(".burbuja.usuario b").count() == 0
            expect(bot.last).to_contain_text("No reconocí el estado")
            pagina.fill("#entrada", "nl")
            pagina.keyboard.press("Enter")
            expect(bot.last).to_contain_text("municipio")
            pagina.screenshot(path=str(carpeta_capturas() / "chat_web.png"), full_page=True)

            # Otro navegador (otra persona) tiene su propia identidad.
            otro = navegador.new_context()
            ajena = otro.new_page()
            ajena.goto(servidor.url + "/")
            expect(ajena.locator(".burbuja.bot").first).to_contain_text("Ciudades Hermanas")
            (suya,) = [c for c in otro.cookies() if c["name"] == COOKIE]
            assert suya["value"] != cookie["value"]
            otro.close()

            # «Cerrar sesión»: la computadora olvida la conversación y empieza otra.
            pagina.get_by_role("button", name="Cerrar sesión").click()
            expect(pagina.locator(".aviso")).to_contain_text("Sesión cerrada")
            expect(bot.first).to_contain_text("Programa Mexicano de Ciudades Hermanas")
            expect(pagina.get_by_role("button", name="Acepto", exact=True)).to_be_visible()
            expect(pagina.locator(".burbuja.usuario")).to_have_count(1)  # solo el nuevo «hola»
            (nueva,) = [c for c in contexto.cookies() if c["name"] == COOKIE]
            assert nueva["value"] != cookie["value"]
            pagina.get_by_role("button", name="Acepto", exact=True).click()
            expect(bot.last).to_contain_text("papel en el programa")  # de cero, no el municipio
            assert errores == []
        finally:
            navegador.close()


async def _tomar_y_responder_en_el_servidor(url_bd: str, carpeta: Path, texto: str) -> bool:
    """Lo que haría una asesora en el escritorio, sobre la base del servidor: toma el traspaso
    abierto del chat web y contesta. False si aún no hay traspaso."""
    from sqlalchemy import select

    from bot.config import Ajustes
    from bot.db import diferidos
    from bot.db.modelos import Conversacion, Escalamiento, Usuario
    from bot.escalamiento import traspaso
    from bot.escalamiento.asesores import por_email
    from bot.servicios import crear_servicios

    from dobles import escalamiento_datos as datos

    config = Ajustes(database_url=url_bd, documentos_dir=carpeta, nlu_url="http://127.0.0.1:9",
                     _env_file=None)  # type: ignore[call-arg]
    servicios = crear_servicios(config, con_nlu=False)
    try:
        async with servicios.almacen.lectura() as s:
            esc_id = await s.scalar(
                select(Escalamiento.id)
                .join(Conversacion, Conversacion.id == Escalamiento.conversacion_id)
                .join(Usuario, Usuario.id == Conversacion.usuario_id)
                .where(Usuario.canal == "web").order_by(Escalamiento.id.desc()).limit(1))
            sre = await por_email(s, "sre@sre.gob.mx")
        if esc_id is None:
            return False
        if sre is None:
            await datos.asesor(servicios, "sre@sre.gob.mx", "sre", (), nombre="Ana")
        async with servicios.almacen.escritura() as s:
            asesora = await por_email(s, "sre@sre.gob.mx")
            assert asesora is not None
            assert (await traspaso.tomar(servicios, s, esc_id, asesora)).gano
        async with servicios.almacen.escritura() as s:
            e = await s.get(Escalamiento, esc_id)
            assert e is not None
            await traspaso.responder(servicios, s, e, asesora, texto)
        await diferidos.esperar()
        return True
    finally:
        await servicios.cerrar()


def test_la_respuesta_del_asesor_aparece_sin_escribir(servidor: ServidorReal) -> None:
    """Pide una persona, una asesora toma y contesta desde el servidor y la respuesta aparece
    en la página sin que la persona escriba nada más (sondeo largo de /chat/pendientes)."""
    import asyncio
    import concurrent.futures
    import time

    from playwright.sync_api import expect, sync_playwright

    url_bd = servidor.entorno["DATABASE_URL"]
    carpeta = Path(servidor.entorno["DOCUMENTOS_DIR"])
    with sync_playwright() as p:
        navegador = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            pagina = navegador.new_context().new_page()
            errores: list[str] = []
            pagina.on("console", lambda m: errores.append(m.text) if m.type == "error" else None)
            pagina.goto(servidor.url + "/")
            bot = pagina.locator(".burbuja.bot")
            expect(bot.first).to_contain_text("Ciudades Hermanas")
            pagina.get_by_role("button", name="Acepto", exact=True).click()
            expect(bot.last).to_contain_text("papel en el programa")
            pagina.fill("#entrada", "asesor")
            pagina.keyboard.press("Enter")
            expect(pagina.locator(".burbuja.usuario").last).to_have_text("asesor")
            limite = time.monotonic() + 30
            # En otro hilo: el de Playwright ya tiene su propio bucle de asyncio.
            def asesora() -> bool:
                with concurrent.futures.ThreadPoolExecutor(1) as hilo:
                    return hilo.submit(asyncio.run, _tomar_y_responder_en_el_servidor(
                        url_bd, carpeta, "Hola, soy Ana; reviso su caso.")).result()

            while not asesora():
                assert time.monotonic() < limite, "no se abrió el traspaso"
                time.sleep(0.5)
            usuario = pagina.locator(".burbuja.usuario")
            escritos = usuario.count()  # «hola», «Acepto», «asesor»: nada más después
            expect(pagina.locator(".burbuja.bot", has_text="Hola, soy Ana; reviso su caso.")
                   ).to_have_count(1, timeout=40000)
            expect(pagina.locator(".burbuja.bot", has_text="Le atiende")).to_have_count(1)
            expect(usuario).to_have_count(escritos)
            # Adjuntar un PDF: el botón es una etiqueta del <input type=file>.
            pagina.get_by_label("Adjuntar archivo").set_input_files(files=[{
                "name": "acta.pdf", "mimeType": "application/pdf",
                "buffer": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"}])
            expect(usuario.last).to_have_text("📎 acta.pdf")
            expect(usuario).to_have_count(escritos + 1)
            expect(pagina.locator(".aviso")).to_have_count(0)
            assert errores == []
        finally:
            navegador.close()
