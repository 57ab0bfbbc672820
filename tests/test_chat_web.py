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
