"""El chat web en Chromium real: saluda solo, los botones se pulsan, el texto del usuario se
muestra tal cual (nunca se interpreta como HTML), la identidad es una cookie HttpOnly que da el
servidor (la página no guarda ningún id) y «Cerrar sesión» empieza una conversación nueva.

Y accesible (WCAG 2.2 AA): axe-core sin violaciones en cada estado (inicial, con botones,
esperando, error de envío, con la respuesta del asesor, tras recargar) a 1280 y a 320 px, y lo
que axe no ve: quién habla en el árbol de accesibilidad, botones viejos retirados, foco no
robado, la conversación tras recargar, el texto conservado al fallar, sin desplazamiento
horizontal a 320 px y la altura útil con el teclado abierto."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from bot.canales.web.identidad import COOKIE

from conftest import ServidorReal, carpeta_capturas

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.servidor,
    pytest.mark.lento,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="falta /usr/bin/chromium"),
]
ARGUMENTOS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--no-first-run"]
ETIQUETAS_WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
ANCHOS = {"escritorio": (1280, 860), "teléfono": (320, 568)}


def auditar(pagina: Page, estado: str) -> None:
    """axe-core (reglas WCAG 2.0/2.1/2.2 A y AA) sin violaciones en este estado, a 1280 y a
    320 px; a 320 px, además, sin desplazamiento horizontal. Deja la ventana como estaba."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    original = pagina.viewport_size
    fallas: list[str] = []
    try:
        for nombre, (ancho, alto) in ANCHOS.items():
            pagina.set_viewport_size({"width": ancho, "height": alto})
            resultado = axe.run(pagina, options={
                "runOnly": {"type": "tag", "values": ETIQUETAS_WCAG},
                "resultTypes": ["violations"]})
            violaciones: list[dict[str, Any]] = resultado.response["violations"]
            fallas += [f"{estado} a {nombre}: {v['id']} ({v['impact']}): "
                       f"{[n['target'] for n in v['nodes']][:3]}" for v in violaciones]
            if ancho == 320:
                desborde = pagina.evaluate(
                    "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
                if desborde > ancho:
                    fallas.append(f"{estado} a {nombre}: la página mide {desborde} px de ancho")
    finally:
        if original is not None:
            pagina.set_viewport_size(original)
    assert fallas == [], "\n".join(fallas)


def test_chat_web_en_chromium(servidor: ServidorReal) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        navegador = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            contexto = navegador.new_context(viewport={"width": 1280, "height": 800})
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
            expect(propio).to_have_text("Usted: <b>Nuevo León</b><script>alert(1)</script>")
            assert pagina.locator(".burbuja.usuario b").count() == 0
            # El estado se lee dentro de lo escrito (el marcado no cuenta ni se interpreta).
            expect(bot.last).to_contain_text("municipio")
            # Las capturas del README: escritorio y teléfono (320×568).
            pagina.screenshot(path=str(carpeta_capturas() / "chat_web.png"))
            pagina.set_viewport_size({"width": 320, "height": 568})
            pagina.screenshot(path=str(carpeta_capturas() / "chat_web_320.png"))
            pagina.set_viewport_size({"width": 1280, "height": 800})

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


def _lanzar(p: Any) -> Any:
    return p.chromium.launch(executable_path=CHROMIUM, args=ARGUMENTOS)


def _arbol(pagina: Page) -> str:
    """La conversación como la ve un lector de pantalla (árbol de accesibilidad)."""
    return str(pagina.get_by_role("log", name="Conversación").aria_snapshot())


def test_la_respuesta_del_asesor_aparece_sin_escribir(servidor: ServidorReal) -> None:
    """Pide una persona, una asesora toma y contesta desde el servidor y la respuesta aparece
    en la página sin que la persona escriba nada más (sondeo largo de /chat/pendientes); sube
    un PDF; al recargar, la conversación vuelve del servidor tal como estaba. Accesible en
    cada estado."""
    import asyncio
    import concurrent.futures
    import time

    from playwright.sync_api import expect, sync_playwright

    url_bd = servidor.entorno["DATABASE_URL"]
    carpeta = Path(servidor.entorno["DOCUMENTOS_DIR"])
    with sync_playwright() as p:
        navegador = _lanzar(p)
        try:
            pagina = navegador.new_context(viewport={"width": 1280, "height": 860}).new_page()
            errores: list[str] = []
            pagina.on("console", lambda m: errores.append(m.text) if m.type == "error" else None)
            pagina.goto(servidor.url + "/")
            bot = pagina.locator(".burbuja.bot")
            expect(bot.first).to_contain_text("Ciudades Hermanas")
            pagina.get_by_role("button", name="Acepto", exact=True).click()
            expect(bot.last).to_contain_text("papel en el programa")
            pagina.fill("#entrada", "asesor")
            pagina.keyboard.press("Enter")
            expect(pagina.locator(".burbuja.usuario").last).to_have_text("Usted: asesor")
            expect(pagina.get_by_role("status")).to_have_text("")
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
            de_ana = pagina.locator(".burbuja.bot", has_text="Hola, soy Ana; reviso su caso.")
            expect(de_ana).to_have_count(1, timeout=40000)
            expect(pagina.locator(".burbuja.bot", has_text="Le atiende")).to_have_count(1)
            expect(usuario).to_have_count(escritos)
            # La asesora habla con su nombre; el asistente, como «Asistente:».
            expect(de_ana).to_have_class("burbuja bot asesor")
            expect(de_ana).to_have_text("Ana: Hola, soy Ana; reviso su caso.")
            arbol = _arbol(pagina)
            assert 'strong: "Ana:"\n  - text: Hola, soy Ana; reviso su caso.' in arbol, arbol
            assert "Asistente: Le atiende" in arbol, arbol
            auditar(pagina, "con la respuesta del asesor")

            # Adjuntar un PDF: el botón es una etiqueta del <input type=file>.
            pagina.get_by_label("Adjuntar archivo").set_input_files(files=[{
                "name": "acta.pdf", "mimeType": "application/pdf",
                "buffer": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"}])
            expect(usuario.last).to_have_text("Usted: 📎 acta.pdf")
            expect(usuario).to_have_count(escritos + 1)
            expect(pagina.get_by_role("status")).to_have_text("")  # ya llegó la respuesta
            expect(pagina.locator(".aviso")).to_have_count(0)

            # Recargar: la conversación vuelve del servidor (no se saluda de nuevo), con los
            # botones ya contestados retirados y el elegido marcado.
            antes = pagina.locator("#conversacion > .burbuja").all_inner_texts()
            pagina.reload()
            expect(pagina.locator("#conversacion > .burbuja")).to_have_count(len(antes))
            assert pagina.locator("#conversacion > .burbuja").all_inner_texts() == antes
            expect(de_ana).to_have_class("burbuja bot asesor")
            consentimiento = pagina.get_by_role("group").first
            expect(consentimiento.get_by_role("button", name="Acepto", exact=True)
                   ).to_have_attribute("aria-pressed", "true")
            expect(consentimiento.get_by_role("button", name="No acepto")).to_be_disabled()
            assert pagina.evaluate("document.activeElement === document.body")
            auditar(pagina, "tras recargar")
            assert errores == []
        finally:
            navegador.close()


def test_el_chat_es_accesible_en_cada_estado(servidor: ServidorReal) -> None:
    """Inicial, con botones, esperando y con error de envío, a 1280 y a 320 px; quién habla,
    botones retirados, foco, texto conservado al fallar, la caja que crece y la altura útil
    a 320×568 con el teclado abierto."""
    from playwright.sync_api import Route, expect, sync_playwright

    with sync_playwright() as p:
        navegador = _lanzar(p)
        try:
            contexto = navegador.new_context(viewport={"width": 1280, "height": 860})
            pagina = contexto.new_page()
            errores: list[str] = []
            pagina.on("console", lambda m: errores.append(m.text) if m.type == "error" else None)
            pagina.goto(servidor.url + "/")
            bot = pagina.locator(".burbuja.bot")
            expect(bot.first).to_contain_text("Programa Mexicano de Ciudades Hermanas")
            # Inicial: el saludo llegó y el foco sigue donde estaba (no se robó).
            assert pagina.evaluate("document.activeElement === document.body")
            arbol = _arbol(pagina)
            assert "Usted: hola" in arbol and "Asistente: Hola, soy el asistente" in arbol, arbol
            auditar(pagina, "inicial")

            # Con botones: agrupados y nombrados por su pregunta.
            grupo = pagina.get_by_role("group").last
            expect(grupo.get_by_role("button", name="Acepto", exact=True)).to_be_enabled()
            assert "?" in (grupo.get_attribute("aria-label") or "")
            auditar(pagina, "con botones")

            # Esperando: la respuesta se retiene hasta auditar; el estado lo dice con cortesía.
            retenidas: list[Route] = []
            pagina.route("**/chat/mensajes", lambda ruta: retenidas.append(ruta))
            grupo.get_by_role("button", name="Acepto", exact=True).click()
            expect(pagina.get_by_role("status")).to_have_text("El asistente está escribiendo…")
            assert pagina.get_by_role("status").get_attribute("role") == "status"
            # Los botones contestados se retiran al momento; el elegido queda marcado.
            expect(grupo.get_by_role("button", name="Acepto", exact=True)
                   ).to_have_attribute("aria-pressed", "true")
            expect(grupo.get_by_role("button", name="No acepto")).to_be_disabled()
            auditar(pagina, "esperando")
            for ruta in retenidas:
                ruta.continue_()
            pagina.unroute("**/chat/mensajes")
            expect(bot.last).to_contain_text("papel en el programa")
            expect(pagina.get_by_role("status")).to_have_text("")
            # Tras un botón, el foco va a la caja de texto (no se pierde en la página).
            assert pagina.evaluate("document.activeElement.id") == "entrada"
            # Solo los botones de la última pregunta siguen vivos.
            vivos = pagina.locator("#conversacion button:enabled")
            ultima = pagina.get_by_role("group").last.get_by_role("button")
            expect(vivos).to_have_count(ultima.count())
            assert ultima.count() > 0

            # Error de envío (sin red): el texto vuelve a la caja y se dice qué pasó.
            escritos = pagina.locator(".burbuja.usuario").count()
            contexto.set_offline(True)
            pagina.fill("#entrada", "Funcionario municipal de Zapopan")
            pagina.keyboard.press("Enter")
            error = pagina.locator(".aviso.error")
            expect(error).to_contain_text("No pude enviar su mensaje")
            expect(pagina.locator("#entrada")).to_have_value("Funcionario municipal de Zapopan")
            expect(pagina.locator(".burbuja.usuario")).to_have_count(escritos)
            expect(pagina.get_by_role("group").last.get_by_role("button").first).to_be_enabled()
            auditar(pagina, "error de envío")
            contexto.set_offline(False)
            pagina.keyboard.press("Enter")
            expect(pagina.locator(".burbuja.usuario").last).to_have_text(
                "Usted: Funcionario municipal de Zapopan")
            expect(pagina.locator("#entrada")).to_have_value("")

            # La caja crece con el texto: Mayúsculas+Enter agrega un renglón, Enter envía.
            caja = pagina.locator("#entrada")
            alto_inicial = caja.bounding_box()["height"]  # type: ignore[index]
            caja.click()
            for renglon in ("uno", "dos", "tres"):
                pagina.keyboard.type(renglon)
                pagina.keyboard.press("Shift+Enter")
            assert caja.input_value() == "uno\ndos\ntres\n"
            assert caja.bounding_box()["height"] > alto_inicial + 30  # type: ignore[index]
            pagina.fill("#entrada", "")
            caja.dispatch_event("input")

            # A 320×568: sin desplazamiento horizontal, encabezado compacto y, con el teclado
            # abierto (la ventana visible baja a ~300 px), la conversación conserva la mayor parte.
            pagina.set_viewport_size({"width": 320, "height": 568})
            encabezado = pagina.locator("header").bounding_box()
            conversacion = pagina.get_by_role("log").bounding_box()
            assert encabezado is not None and conversacion is not None
            assert encabezado["height"] <= 60, encabezado
            assert conversacion["height"] >= 0.65 * 568, conversacion
            pagina.set_viewport_size({"width": 320, "height": 300})
            encabezado = pagina.locator("header").bounding_box()
            conversacion = pagina.get_by_role("log").bounding_box()
            formulario = pagina.locator("form").bounding_box()
            assert encabezado is not None and conversacion is not None and formulario is not None
            assert encabezado["height"] <= 36, encabezado
            assert conversacion["height"] >= 0.55 * 300, conversacion
            assert formulario["y"] + formulario["height"] <= 300.5  # la caja queda a la vista
            assert pagina.evaluate("document.documentElement.scrollWidth") <= 320
            pagina.screenshot(path=str(carpeta_capturas() / "chat_web_320_teclado.png"))
            assert errores == [] or all("ERR_INTERNET_DISCONNECTED" in e for e in errores), errores
        finally:
            navegador.close()
