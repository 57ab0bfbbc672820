"""El chat web en Chromium real: saluda solo, los botones se pulsan y el texto del usuario se
muestra tal cual (nunca se interpreta como HTML)."""

from __future__ import annotations

from pathlib import Path

import pytest

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
            pagina = navegador.new_page(viewport={"width": 420, "height": 860})
            errores: list[str] = []
            pagina.on("console", lambda m: errores.append(m.text) if m.type == "error" else None)
            pagina.goto(servidor.url + "/")
            bot = pagina.locator(".burbuja.bot")
            expect(bot.first).to_contain_text("Programa Mexicano de Ciudades Hermanas")
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
            assert errores == []
        finally:
            navegador.close()
