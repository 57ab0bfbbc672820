"""Sesiones y abusos del panel: «Salir» revoca la cookie en el servidor, los avisos de la URL
son códigos con texto fijo, los accesos fallidos quedan en la bitácora (sin la contraseña) y
argon2 no detiene el bucle de eventos."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import shutil
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from bot.app import crear_app
from bot.db import diferidos
from bot.db.modelos import EventoCaso
from bot.db.sesion import Almacen
from bot.documentos.enlaces import FirmaEnlaces
from bot.escalamiento import contrasenas
from bot.escalamiento.asesores import crear_asesor, desactivar
from bot.limite_acceso import POR_CUENTA, seudonimo
from bot.nucleo.mensajes import Canal, MensajeEntrante
from bot.servicios import Servicios

from conftest import ServidorReal
from conftest import _base_plantilla as servidor_bd
from dobles import escalamiento_datos as datos

CORREO = "ana@jal.gob.mx"


def _transporte(app: Any, ip: str = "10.0.0.1") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(ip, 1234)),
                             base_url="http://panel.prueba")


@pytest.fixture
def app(servicios: Servicios) -> Any:
    aplicacion = crear_app(servicios.ajustes, servicios)
    aplicacion.state.servicios = servicios
    aplicacion.state.firma_enlaces = FirmaEnlaces("secreto-de-prueba")
    return aplicacion


@pytest.fixture
async def cliente(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with _transporte(app) as c:
        yield c
    await diferidos.esperar()


def _csrf(html: str) -> str:
    encontrado = re.search(r'name="csrf" value="([^"]+)"', html)
    assert encontrado, html[:500]
    return encontrado.group(1)


async def entrar(cliente: httpx.AsyncClient, correo: str = CORREO,
                 contrasena: str = datos.CONTRASENA) -> httpx.Response:
    pagina = await cliente.get("/panel/entrar")
    return await cliente.post("/panel/entrar", data={
        "correo": correo, "contrasena": contrasena, "csrf": _csrf(pagina.text)})


async def test_salir_revoca_la_cookie_en_el_servidor(servicios: Servicios, app: Any,
                                                     cliente: httpx.AsyncClient) -> None:
    await datos.asesor(servicios, CORREO)
    folio = await datos.caso(servicios, await datos.usuario(servicios, "u-jal"))
    assert (await entrar(cliente)).status_code == 303
    vieja = cliente.cookies["panel_sesion"]
    token = _csrf((await cliente.get("/panel")).text)
    # Otro dispositivo con sesión abierta.
    async with _transporte(app, "10.0.0.2") as otro:
        assert (await entrar(otro)).status_code == 303
        assert (await otro.get("/panel")).status_code == 200
        salida = await cliente.post("/panel/salir", data={"csrf": token})
        assert salida.status_code == 303
        # Quien guardó la cookie de antes de «Salir» ya no entra ni escribe notas.
        cliente.cookies.set("panel_sesion", vieja, domain="panel.prueba", path="/panel")
        r = await cliente.get("/panel")
        assert r.status_code == 303 and r.headers["location"] == "/panel/entrar"
        r = await cliente.post(f"/panel/caso/{folio}/nota",
                               data={"csrf": token, "nota": "escrita tras salir"})
        assert r.status_code == 303 and r.headers["location"] == "/panel/entrar"
        # «Salir» cierra la sesión en todos sus dispositivos.
        assert (await otro.get("/panel")).status_code == 303
    async with servicios.almacen.lectura() as s:
        notas = await s.scalar(select(func.count()).select_from(EventoCaso).where(
            EventoCaso.tipo == "nota"))
    assert notas == 0
    # Al volver a entrar, la sesión nueva vale; la baja también revoca.
    assert (await entrar(cliente)).status_code == 303
    assert (await cliente.get("/panel")).status_code == 200
    async with servicios.almacen.escritura() as s:
        await desactivar(s, CORREO)
    assert (await cliente.get("/panel")).status_code == 303


async def test_la_url_no_pone_textos_en_el_panel(servicios: Servicios,
                                                 cliente: httpx.AsyncClient) -> None:
    await datos.asesor(servicios, CORREO)
    folio = await datos.caso(servicios, await datos.usuario(servicios, "u-jal"))
    falso = "Su cuenta fue suspendida. Llame al 55 1234 5678"
    pagina = await cliente.get("/panel/entrar", params={"error": falso})
    assert falso not in pagina.text and "Llame al" not in pagina.text
    assert 'class="error"' not in pagina.text
    pagina = await cliente.get("/panel/entrar", params={"error": "caducada"})
    assert "La página caducó" in pagina.text
    await entrar(cliente)
    for texto in (falso, "<b>Oficial</b>", "Nota guardada. Ahora escriba su contraseña aquí"):
        r = await cliente.get(f"/panel/caso/{folio}", params={"aviso": texto})
        assert r.status_code == 200 and texto not in r.text
        assert 'class="aviso"' not in r.text and "Oficial" not in r.text
    r = await cliente.get(f"/panel/caso/{folio}", params={"aviso": "nota"})
    assert 'role="status" tabindex="-1">Nota guardada.</p>' in r.text
    assert "<title>Nota guardada. · Caso" in r.text
    # Tras una acción, el aviso viaja como código.
    token = _csrf(r.text)
    r = await cliente.post(f"/panel/caso/{folio}/estatus",
                           data={"csrf": token, "estatus": "registrada"})
    assert r.status_code == 303 and r.headers["location"].endswith("?aviso=transicion")
    r = await cliente.post(f"/panel/caso/{folio}/nota", data={"csrf": token, "nota": "  "})
    assert r.headers["location"].endswith("?aviso=nota_vacia")


async def test_los_accesos_fallidos_quedan_en_la_bitacora(
        servicios: Servicios, cliente: httpx.AsyncClient,
        caplog: pytest.LogCaptureFixture) -> None:
    asesor_id = await datos.asesor(servicios, CORREO)
    secreta = "clave-equivocada-XYZ-987"
    with caplog.at_level(logging.INFO, logger="bot.panel"):
        for _ in range(6):
            await entrar(cliente, CORREO.upper(), secreta)
        await entrar(cliente, "nadie@jal.gob.mx", secreta)
    fallos = [r for r in caplog.records if r.getMessage() == "acceso al panel fallido"]
    assert [getattr(r, "motivo", None) for r in fallos] == (
        ["contrasena"] * 5 + ["espera_cuenta_ip", "contrasena"])
    assert all(r.levelno == logging.WARNING and getattr(r, "ip", None) == "10.0.0.1"
               for r in fallos)
    assert [getattr(r, "cuenta", None) for r in fallos] == (
        [seudonimo(CORREO)] * 6 + [seudonimo("nadie@jal.gob.mx")])
    assert [getattr(r, "asesor_id", None) for r in fallos] == [asesor_id] * 5 + [None, None]
    # Nunca la contraseña (ni en el texto ni en los campos del evento).
    assert secreta not in caplog.text
    assert all(secreta not in str(vars(r)) for r in caplog.records)


async def test_argon2_no_detiene_el_bucle(servicios: Servicios, app: Any,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Cuarenta accesos equivocados a la vez: mientras argon2 calcula, el bucle sigue
    atendiendo (un latido cada 2 ms no se detiene) y un mensaje de chat se
    contesta antes de que terminen."""
    await datos.asesor(servicios, CORREO)
    eventos: list[tuple[str, int]] = []
    candado = threading.Lock()
    calculando = [0]
    real = contrasenas._HASHER

    class Grabador:
        def verify(self, guardado: str, contrasena: str) -> bool:
            with candado:
                calculando[0] += 1
                eventos.append(("inicio", threading.get_ident()))
            try:
                return real.verify(guardado, contrasena)
            finally:
                with candado:
                    calculando[0] -= 1
                    eventos.append(("fin", threading.get_ident()))

    monkeypatch.setattr(contrasenas, "_HASHER", Grabador())
    clientes = [_transporte(app, f"10.2.0.{i + 1}") for i in range(40)]
    tokens = [_csrf((await c.get("/panel/entrar")).text) for c in clientes]
    listo = asyncio.Event()
    latidos_calculando = 0
    orden: list[str] = []

    async def latido() -> None:
        nonlocal latidos_calculando
        while not listo.is_set():
            with candado:
                if calculando[0]:
                    latidos_calculando += 1
            await asyncio.sleep(0.002)

    async def acceso(i: int, c: httpx.AsyncClient, token: str) -> int:
        correo = CORREO if i < 5 else f"persona{i}@jal.gob.mx"  # sin topar con los límites
        r = await c.post("/panel/entrar", data={"correo": correo, "contrasena": "mala-123456",
                                                "csrf": token})
        orden.append("acceso")
        return r.status_code

    async def chat() -> None:
        await asyncio.sleep(0.05)  # ya con los accesos en curso
        async with _transporte(app, "10.3.0.1") as c:
            r = await c.post("/webhooks/rest/webhook", json={"sender": "vecina", "message": "hola"})
        assert r.status_code == 200 and "Ciudades Hermanas" in r.text
        orden.append("chat")

    tarea_latido = asyncio.create_task(latido())
    codigos, _ = await asyncio.gather(
        asyncio.gather(*(acceso(i, c, t) for i, (c, t) in enumerate(zip(
            clientes, tokens, strict=True)))), chat())
    listo.set()
    await tarea_latido
    for c in clientes:
        await c.aclose()
    assert codigos == [401] * 40
    assert sum(1 for e, _ in eventos if e == "inicio") == 40
    # Los cálculos corrieron fuera del hilo del bucle, a lo más dos a la vez…
    assert {hilo for _, hilo in eventos}.isdisjoint({threading.get_ident()})
    assert len({hilo for _, hilo in eventos}) <= contrasenas.HILOS
    # …y mientras calculaban, el bucle siguió latiendo y contestó el chat antes del final.
    assert latidos_calculando > 0
    assert "chat" in orden and orden.index("chat") < len(orden) - 1
    await diferidos.esperar()


async def test_mensaje_de_chat_entre_accesos(servicios: Servicios) -> None:
    """Lo del chat sigue igual: el motor responde (prueba de humo para la prueba de arriba)."""
    respuestas = await servicios.motor.procesar(MensajeEntrante(Canal.REST, "x", "x1",
                                                                texto="hola"))
    assert respuestas


@contextlib.contextmanager
def _servidor_con_proxies(tmp_path: Path, proxies: str) -> Iterator[ServidorReal]:
    """`hermanamientos servir` con su propia base, una asesora de Jalisco y
    FORWARDED_ALLOW_IPS=`proxies` (vacío: no se cree a ningún proxy)."""
    shutil.copyfile(Path(servidor_bd()), tmp_path / "servidor.db")
    url = f"sqlite:///{tmp_path / 'servidor.db'}"
    entorno = {**os.environ, "DATABASE_URL": url, "DOCUMENTOS_DIR": str(tmp_path / "docs"),
               "NLU_URL": "http://127.0.0.1:9", "FORWARDED_ALLOW_IPS": proxies}
    real = ServidorReal(entorno, tmp_path / "servidor.log")

    async def alta() -> None:
        almacen = Almacen(url)
        async with almacen.escritura() as s:
            await crear_asesor(s, nombre="Xóchitl", email=CORREO_XFF, rol="asesor",
                               contrasena=datos.CONTRASENA, estados=["JAL"])
        await almacen.cerrar()

    asyncio.run(alta())
    real.iniciar()
    try:
        yield real
    finally:
        real.detener()


CORREO_XFF = "xff@jal.gob.mx"


def _intento(cliente: httpx.Client, contrasena: str, ip: str) -> httpx.Response:
    token = _csrf(cliente.get("/panel/entrar").text)
    return cliente.post("/panel/entrar", headers={"X-Forwarded-For": ip}, data={
        "correo": CORREO_XFF, "contrasena": contrasena, "csrf": token})


@pytest.mark.servidor
@pytest.mark.lento
def test_tras_un_proxy_cambiar_x_forwarded_for_no_da_intentos_sin_fin(tmp_path: Path) -> None:
    """Con un proxy de confianza (FORWARDED_ALLOW_IPS=127.0.0.1) cada intento puede decir venir
    de otra IP. El bloqueo por cuenta e IP no lo frena, pero el tope de la cuenta para
    dispositivos desconocidos sí; el navegador de la asesora sigue entrando."""
    with _servidor_con_proxies(tmp_path, "127.0.0.1") as real:
        with httpx.Client(base_url=real.url, timeout=30) as suyo:
            assert _intento(suyo, datos.CONTRASENA, "203.0.113.1").status_code == 303
            dispositivo = suyo.cookies["panel_dispositivo"]
        codigos = []
        for i in range(POR_CUENTA.libres + 1):
            with httpx.Client(base_url=real.url, timeout=30) as atacante:
                codigos.append(_intento(atacante, "adivinanza-123",
                                        f"198.18.{i}.{i + 1}").status_code)
        assert codigos == [401] * POR_CUENTA.libres + [429]
        with httpx.Client(base_url=real.url, timeout=30) as movil:
            movil.cookies.set("panel_dispositivo", dispositivo, path="/panel")
            assert _intento(movil, datos.CONTRASENA, "203.0.113.9").status_code == 303


@pytest.mark.servidor
@pytest.mark.lento
def test_sin_confiar_en_proxies_x_forwarded_for_no_cambia_la_ip(tmp_path: Path) -> None:
    """Lo de omisión: FORWARDED_ALLOW_IPS vacío. La IP es la de la conexión y el bloqueo por
    cuenta e IP frena a quien cambia X-Forwarded-For."""
    with _servidor_con_proxies(tmp_path, "") as real:
        codigos = []
        for i in range(6):
            with httpx.Client(base_url=real.url, timeout=30) as cliente:
                codigos.append(_intento(cliente, "adivinanza-123",
                                        f"198.18.0.{i + 1}").status_code)
    assert codigos == [401] * 5 + [429]


def test_ip_del_cliente_y_ids_de_la_url() -> None:
    from starlette.requests import Request

    from bot.escalamiento.asesores import ID_MAXIMO, id_valido
    from bot.panel.seguridad import ip_cliente

    def con(host: str | None) -> Request:
        return Request({"type": "http", "headers": [],
                        "client": (host, 1) if host is not None else None})

    assert ip_cliente(con("10.0.0.1")) == "10.0.0.1"
    assert ip_cliente(con("::ffff:10.0.0.1")) == "10.0.0.1"
    # Un cliente IPv6 suele tener su /64 entera: cambiar de dirección dentro no es otra IP.
    assert ip_cliente(con("2001:db8:1:2::5")) == ip_cliente(con("2001:db8:1:2:ffff::1"))
    assert ip_cliente(con("2001:db8:1:2::5")) == "2001:db8:1:2::/64"
    assert ip_cliente(con("testclient")) == ip_cliente(con(None)) == "desconocida"
    assert [id_valido(v) for v in ("12", " 7 ", str(ID_MAXIMO), 3)] == [12, 7, ID_MAXIMO, 3]
    assert {id_valido(v) for v in ("0", "-1", str(ID_MAXIMO + 1), "9" * 30, "１２", "1e3",
                                    "", None)} == {None}
