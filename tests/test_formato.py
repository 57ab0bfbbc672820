"""Renderizado por canal: HTML de Telegram con escape, formato de WhatsApp, trozos."""

from __future__ import annotations

from bot.canales import formato
from bot.nucleo.mensajes import Boton


def test_telegram_escapa_el_texto_del_usuario_y_convierte_negritas() -> None:
    html = formato.html_telegram("*Folio:* <script>alert(1)</script> & «San José»")
    assert html == ("<b>Folio:</b> &lt;script&gt;alert(1)&lt;/script&gt; &amp; «San José»")


def test_telegram_no_convierte_asteriscos_sueltos_ni_entre_lineas() -> None:
    assert formato.html_telegram("2 * 3 = 6") == "2 * 3 = 6"
    assert formato.html_telegram("*uno\ndos*") == "*uno\ndos*"


def test_telegram_enlace_escapado_al_final() -> None:
    html = formato.html_telegram("Vea la fuente", 'https://sre.gob.mx/a?b=1&c="x"')
    assert html.endswith('<a href="https://sre.gob.mx/a?b=1&amp;c=&#34;x&#34;">Ver fuente</a>')


def test_partir_respeta_el_limite_sin_perder_texto() -> None:
    parrafos = [f"Párrafo {i}: " + "palabra " * 120 for i in range(12)]
    texto = "\n\n".join(parrafos)
    trozos = formato.partir(texto, 4096)
    assert len(trozos) > 1 and all(len(t) <= 4096 for t in trozos)
    assert " ".join(" ".join(trozos).split()) == " ".join(texto.split())
    assert trozos[1].startswith("Párrafo")  # cortó entre párrafos


def test_partir_corta_en_seco_una_palabra_enorme() -> None:
    trozos = formato.partir("x" * 10000, 4096)
    assert [len(t) for t in trozos] == [4096, 4096, 1808]


def test_piezas_telegram_largas_dejan_el_enlace_en_la_ultima() -> None:
    piezas = formato.piezas_telegram("*Título*\n\n" + "a " * 5000, "https://sre.gob.mx")
    assert len(piezas) == 3
    assert all(len(formato.texto_plano(p.plano)) <= 4096 for p in piezas)
    assert piezas[0].html.startswith("<b>Título</b>") and "href" not in piezas[0].html
    assert piezas[-1].html.endswith("Ver fuente</a>")
    assert piezas[-1].plano.endswith("https://sre.gob.mx") and "*" not in piezas[0].plano


def test_whatsapp_conserva_su_formato_y_agrega_la_fuente() -> None:
    assert formato.texto_whatsapp("*Hola* <b>", "https://x.mx") == (
        "*Hola* <b>\n\nFuente: https://x.mx")
    assert all(len(p) <= 4096 for p in formato.piezas_whatsapp("b " * 6000))


def test_opciones_numeradas() -> None:
    texto = formato.opciones_numeradas("¿De qué estado es?",
                                       [Boton("Aguascalientes", "/e 01"), Boton("Baja", "/e 02")])
    assert texto == ("¿De qué estado es?\n\n1. Aguascalientes\n2. Baja\n\n"
                     "Responda con el número de la opción que elija.")
