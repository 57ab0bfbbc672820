"""Carga: N usuarios simulados con conversaciones completas durante un tiempo fijo, por el
canal REST o por el webhook de Telegram, contra la app real (`hermanamientos servir`).

Cada usuario repite la conversación de benchmarks/conversaciones.py (saludo y perfil, dos
preguntas libres, un registro_iniciativa hasta el folio, seguimiento) con un remitente nuevo
cada vez. Dos modos:

- saturación (por omisión): cada usuario manda el siguiente mensaje en cuanto recibe la
  respuesta, sin pausas; mide la capacidad máxima y la latencia con cola.
- a ritmo (--ritmo R): los N usuarios ofrecen entre todos R mensajes/s; el usuario i empieza
  a los i/R s y apunta a un mensaje cada N/R s, esperando siempre la respuesta antes de mandar
  el siguiente (si va atrasado, lo manda en cuanto llega la respuesta, sin ráfagas para
  ponerse al día). Es el modo en que se juzga la meta del issue 8. Así, todos van casi en
  el mismo paso de la conversación (todos confirman su registro en el mismo periodo); con
  --desfasar el usuario i empieza además i·L/N turnos más tarde (L = mensajes de la
  conversación), de modo que están repartidos por toda la conversación, y el calentamiento
  se alarga hasta que arranca el último.

Mide p50/p95/p99 de la respuesta HTTP, mensajes/s, errores, y al final compara lo enviado
con lo guardado en la base (cada id de mensaje entrado una sola vez y procesado), y la
memoria RSS de la app y del NLU.

Uso: .venv/bin/python -m benchmarks.carga --usuarios 50 --segundos 60 --canal rest|telegram
       [--ritmo 150 [--desfasar]] [--sin-nlu | --con-nlu] [--bd sqlite|postgresql] [--workers 1]
       [--escribir]
Con --bd postgresql hace falta TEST_POSTGRES_URL (`source scripts/postgres.sh iniciar`).
Cada corrida se guarda en var/benchmarks/carga.json; --escribir rehace la sección «carga»
de BENCHMARKS.md con todas las corridas guardadas.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import aiohttp
import httpx

from benchmarks import comun
from benchmarks.conversaciones import Paso, conversacion_completa
from bot.config import RAIZ

RESULTADOS = RAIZ / "var" / "benchmarks" / "carga.json"
ANALISIS = Path(__file__).resolve().parent / "analisis_carga.md"  # a mano: dónde va el tiempo
META_POR_S, META_P95_MS, META_USUARIOS = 150.0, 100.0, 50
TOLERANCIA_RITMO = 0.02  # a ritmo, «cumple» si se logra ≥ 98 % de META_POR_S


@dataclass
class Escenario:
    """Qué se mide: canal, NLU, base, procesos y modo (ritmo None = saturación)."""

    canal: str = "rest"
    con_nlu: bool = False
    bd: str = "sqlite"
    workers: int = 1
    usuarios: int = 50
    segundos: float = 60.0
    calentamiento: float = 5.0
    ritmo: float | None = None  # mensajes/s ofrecidos entre todos; None = sin pausas
    desfasar: bool = False  # a ritmo: repartir a los usuarios por la conversación

    @property
    def modo(self) -> str:
        if self.ritmo is None:
            return "saturación"
        return f"ritmo {self.ritmo:g}/s" + (", desfasados" if self.desfasar else "")

    @property
    def periodo(self) -> float:
        """Segundos entre turnos de un mismo usuario a ritmo (N/R; 0 en saturación)."""
        return self.usuarios / self.ritmo if self.ritmo else 0.0

    def arranque(self, indice: int, largo: int) -> float:
        """Segundos tras el inicio en que manda su primer mensaje el usuario `indice`
        (`largo`: mensajes de la conversación)."""
        if not self.ritmo:
            return 0.0
        desfase = (indice * largo // self.usuarios) * self.periodo if self.desfasar else 0.0
        return indice / self.ritmo + desfase

    @property
    def calentamiento_real(self) -> float:
        """Lo que se descarta al principio: el calentamiento pedido o, desfasados, hasta que
        haya arrancado el último usuario, si es más."""
        if not (self.ritmo and self.desfasar):
            return self.calentamiento
        largo = len(conversacion_completa())
        return max(self.calentamiento, self.arranque(self.usuarios - 1, largo) + self.periodo)

    @property
    def nombre(self) -> str:
        nlu = "con NLU" if self.con_nlu else "sin NLU"
        return (f"{self.canal}, {nlu}, {self.bd}, {self.workers} proc., {self.usuarios} "
                f"usuarios, {self.modo}")

    @classmethod
    def desde_dict(cls, datos: dict[str, Any]) -> Escenario:
        """Lee un escenario guardado (los de antes no tienen `ritmo`: eran de saturación)."""
        conocidos = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in datos.items() if k in conocidos})


@dataclass
class Medicion:
    """Lo que anotan los usuarios simulados."""

    latencias: list[float] = field(default_factory=list)  # ms, fuera del calentamiento
    enviados: list[str] = field(default_factory=list)  # id externo esperado en la base
    fallidos: list[str] = field(default_factory=list)  # los que no recibieron 200
    errores: int = 0
    ejemplos_error: list[str] = field(default_factory=list)
    medidos: int = 0
    marcas: list[float] = field(default_factory=list)  # s desde el fin del calentamiento
    conversaciones: int = 0
    atrasados: int = 0  # a ritmo: mensajes que salieron tarde (la respuesta anterior tardó)
    cpu: dict[str, float] = field(default_factory=dict)  # s de CPU en la ventana medida
    paginas_pg: int | None = None  # páginas leídas por PostgreSQL en la ventana medida
    por_paso: dict[str, list[float]] = field(default_factory=dict)  # ms por paso (etiqueta)

    def error(self, texto: str) -> None:
        self.errores += 1
        if len(self.ejemplos_error) < 5:
            self.ejemplos_error.append(texto[:200])


class ClienteCanal:
    """Cómo se manda un paso por un canal; devuelve el id externo que debe quedar guardado."""

    def __init__(self, http: aiohttp.ClientSession, secreto: str = "",
                 traducir: Callable[[str], str] | None = None) -> None:
        self.http = http
        self.secreto = secreto
        self.traducir = traducir or (lambda mensaje: mensaje)
        self._update_id = 0

    async def rest(self, remitente: str, n: int, paso: Paso) -> tuple[str, str | None]:
        id_mensaje = f"{remitente}-{n}"
        esperado = f"{remitente}:{id_mensaje}"[:128]  # el canal REST lo guarda con su remitente
        async with self.http.post("/webhooks/rest/webhook", json={
                "sender": remitente, "message": self.traducir(paso.mensaje),
                "message_id": id_mensaje}) as r:
            if r.status != 200:
                return esperado, f"HTTP {r.status}: {(await r.text())[:120]}"
            cuerpo = await r.json()
        if not isinstance(cuerpo, list) or not cuerpo:
            return esperado, f"sin respuesta a «{paso.mensaje}»"
        return esperado, None

    async def telegram(self, chat_id: int, n: int, paso: Paso) -> tuple[str, str | None]:
        self._update_id += 1
        usuario = {"id": chat_id, "is_bot": False, "first_name": "Ana", "language_code": "es"}
        chat = {"id": chat_id, "type": "private", "first_name": "Ana"}
        ahora = int(time.time())
        if paso.es_boton:
            id_callback = f"{chat_id}-{n}"
            esperado = f"cb:{id_callback}"
            update: dict[str, Any] = {"update_id": self._update_id, "callback_query": {
                "id": id_callback, "from": usuario, "chat_instance": f"ci{chat_id}",
                "data": paso.mensaje,
                "message": {"message_id": 900000 + n, "date": ahora, "chat": chat,
                            "from": {"id": 1, "is_bot": True, "first_name": "Bot"},
                            "text": "…"}}}
        else:
            esperado = f"{chat_id}:{n + 1}"
            update = {"update_id": self._update_id, "message": {
                "message_id": n + 1, "date": ahora, "chat": chat, "from": usuario,
                "text": paso.mensaje}}
        async with self.http.post("/telegram/webhook", json=update, headers={
                "X-Telegram-Bot-Api-Secret-Token": self.secreto}) as r:
            if r.status != 200:
                return esperado, f"HTTP {r.status}: {(await r.text())[:120]}"
        return esperado, None


class Agenda:
    """Cuándo manda su siguiente mensaje un usuario a ritmo.

    Con R mensajes/s entre N usuarios, el usuario i empieza a los i/R s (desfasados: además
    i·L/N turnos después) y apunta a uno cada N/R s. Espera siempre la respuesta: si llega
    después de su siguiente turno, manda en cuanto llega y la agenda se vuelve a anclar ahí
    (no manda ráfagas para ponerse al día). Sin ritmo, no espera nunca (saturación).
    """

    def __init__(self, indice: int, escenario: Escenario, inicio: float, largo: int) -> None:
        self.periodo = escenario.periodo
        self.turno = inicio + escenario.arranque(indice, largo)
        self._primero = True

    def siguiente(self, ahora: float) -> tuple[float, bool]:
        """El momento del siguiente envío y si va atrasado (llamar tras cada respuesta)."""
        if not self.periodo:
            return ahora, False
        if self._primero:
            self._primero = False
            return self.turno, False
        self.turno += self.periodo
        if self.turno < ahora:  # la respuesta anterior llegó después de este turno
            self.turno = ahora
            return ahora, True
        return self.turno, False


async def usuario_simulado(indice: int, escenario: Escenario, cliente: ClienteCanal,
                           pasos: list[Paso], inicio: float, medicion: Medicion,
                           ronda: int = 0) -> None:
    """Conversaciones completas una tras otra hasta que se acaba el tiempo (remitentes e ids
    nuevos en cada ronda: repetirlos sería un reenvío, que la app no vuelve a procesar).
    Sin ritmo manda cada mensaje al recibir la respuesta del anterior; con ritmo, según su
    `Agenda`."""
    medir_desde = inicio + escenario.calentamiento_real
    fin = medir_desde + escenario.segundos
    agenda = Agenda(indice, escenario, inicio, len(pasos))
    conversacion = 0
    while time.monotonic() < fin:
        conversacion += 1
        chat_id = 10_000_000 + ronda * 100_000_000 + indice * 10_000 + conversacion
        remitente = f"carga{ronda}-{indice:03d}-{conversacion:04d}"
        for n, paso in enumerate(pasos):
            turno, atrasado = agenda.siguiente(time.monotonic())
            if turno >= fin:
                return
            if turno > time.monotonic():
                await asyncio.sleep(turno - time.monotonic())
            if time.monotonic() >= fin:
                return
            if atrasado and turno >= medir_desde:
                medicion.atrasados += 1
            t0 = time.monotonic()
            try:
                if escenario.canal == "telegram":
                    esperado, fallo = await cliente.telegram(chat_id, n, paso)
                else:
                    esperado, fallo = await cliente.rest(remitente, n, paso)
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                medicion.error(f"{type(exc).__name__}: {exc}")
                continue
            t1 = time.monotonic()
            medicion.enviados.append(esperado)
            if fallo:
                medicion.error(fallo)
                medicion.fallidos.append(esperado)
            elif t0 >= medir_desde and t1 <= fin:
                medicion.latencias.append((t1 - t0) * 1000)
                medicion.por_paso.setdefault(paso.etiqueta, []).append((t1 - t0) * 1000)
                medicion.medidos += 1
                medicion.marcas.append(t1 - medir_desde)
        medicion.conversaciones += 1


def por_ventana(marcas: list[float], segundos: float, ancho: float = 10.0) -> list[float]:
    """Mensajes/s en ventanas consecutivas de `ancho` segundos (¿se sostiene el ritmo?)."""
    ventanas = [0] * max(1, int(segundos // ancho))
    for t in marcas:
        i = int(t // ancho)
        if 0 <= i < len(ventanas):
            ventanas[i] += 1
    return [round(n / ancho, 1) for n in ventanas]


def verificar(database_url: str, canal: str, enviados: list[str],
              fallidos: list[str] | None = None) -> dict[str, int]:
    """Compara lo enviado con la base: perdidos (confirmados con 200 y no guardados),
    duplicados, sin procesar y sin respuesta."""
    from sqlalchemy import create_engine, text

    from bot.db.sesion import url_sincrona

    motor = create_engine(url_sincrona(database_url))
    try:
        with motor.connect() as c:
            filas = c.execute(text(
                "SELECT e.id_externo, COUNT(DISTINCT e.id), COUNT(e.procesado_en), "
                "COUNT(s.id) FROM mensaje e LEFT JOIN mensaje s ON s.responde_a_id = e.id "
                "AND s.direccion = 'salida' WHERE e.direccion = 'entrada' AND e.canal = :canal "
                "GROUP BY e.id_externo"), {"canal": canal}).all()
            casos = c.execute(text("SELECT COUNT(*) FROM caso")).scalar_one()
            salida = c.execute(text(
                "SELECT envio, COUNT(*) FROM mensaje WHERE direccion = 'salida' "
                "AND canal = :canal GROUP BY envio"), {"canal": canal}).all()
    finally:
        motor.dispose()
    en_base = {f[0]: (int(f[1]), int(f[2]), int(f[3])) for f in filas}
    mandados = set(enviados)
    rechazados = set(fallidos or [])
    confirmados = mandados - rechazados
    return {
        "enviados": len(enviados),
        "enviados_distintos": len(mandados),
        "guardados": sum(1 for k in mandados if k in en_base),
        "perdidos": sum(1 for k in confirmados if k not in en_base),
        "con_error_no_guardados": sum(1 for k in rechazados if k not in en_base),
        "duplicados": sum(1 for k in mandados if en_base.get(k, (0, 0, 0))[0] > 1)
        + (len(enviados) - len(mandados)),
        "sin_procesar": sum(1 for k in mandados if k in en_base and en_base[k][1] == 0),
        "sin_respuesta": sum(1 for k in mandados if k in en_base and en_base[k][2] == 0),
        "ajenos": sum(1 for k in en_base if k not in mandados),
        "casos_creados": int(casos),
        **{f"salida_{estado or 'ninguno'}": int(n) for estado, n in salida},
    }


async def _esperar_telegram(url: str, secreto: str, limite_s: float = 60,
                            seguidas: int = 30) -> None:
    """El webhook responde 503 mientras el canal arranca: espera a que deje de hacerlo en
    todos los procesos (`seguidas` respuestas sin 503, cada una por una conexión nueva, que el
    sistema reparte entre los procesos)."""
    fin = time.monotonic() + limite_s
    bien = 0
    limites = httpx.Limits(max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=url, timeout=5, limits=limites) as http:
        while time.monotonic() < fin:
            r = await http.post("/telegram/webhook", content=b"{}",
                                headers={"X-Telegram-Bot-Api-Secret-Token": secreto})
            bien = bien + 1 if r.status_code != 503 else 0
            if bien >= seguidas:
                return
            await asyncio.sleep(0.05 if bien else 0.3)
    raise RuntimeError("el canal Telegram no arrancó")


async def _esperar_envios(database_url: str, limite_s: float) -> None:
    """Espera a que la bandeja de salida de Telegram quede vacía (o se acabe el tiempo)."""
    fin = time.monotonic() + limite_s
    while time.monotonic() < fin:
        pendientes = verificar(database_url, "telegram", []).get("salida_pendiente", 0)
        if not pendientes:
            return
        await asyncio.sleep(1)


def _iniciar_doble(directorio: Path) -> tuple[comun.Proceso, dict[str, str]]:
    import sys

    proceso = comun.Proceso([sys.executable, "-m", "benchmarks.doble_telegram"],
                            dict(__import__("os").environ), directorio / "doble.log")
    fin = time.monotonic() + 30
    while time.monotonic() < fin:
        for linea in proceso.bitacora.read_text().splitlines():
            if linea.startswith("{") and "url_api" in linea:
                return proceso, json.loads(linea)
        if proceso.popen.poll() is not None:
            break
        time.sleep(0.1)
    proceso.detener()
    raise RuntimeError(f"el doble de Telegram no arrancó: {proceso.bitacora.read_text()[-2000:]}")


async def _muestrear(memorias: list[comun.Memoria], alto: asyncio.Event) -> None:
    while not alto.is_set():
        for m in memorias:
            m.medir()
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(alto.wait(), 1.0)


async def generar_carga(url: str, escenario: Escenario, secreto: str,
                        memorias: list[comun.Memoria],
                        traducir: Callable[[str], str] | None = None,
                        ronda: int = 0, base_pg: str | None = None) -> tuple[Medicion, float]:
    """Corre los usuarios simulados; devuelve la medición y los segundos medidos (con
    `base_pg`, la URL de la base PostgreSQL de la app, también las páginas que leyó)."""
    pasos = conversacion_completa()
    medicion = Medicion()
    # aiohttp gasta bastante menos CPU por petición que httpx: el generador comparte los 2
    # núcleos con lo que mide.
    conector = aiohttp.TCPConnector(limit=escenario.usuarios + 5)
    alto = asyncio.Event()
    muestreo = asyncio.create_task(_muestrear(memorias, alto))
    async with aiohttp.ClientSession(base_url=url, connector=conector,
                                     timeout=aiohttp.ClientTimeout(total=60)) as http:
        cliente = ClienteCanal(http, secreto, traducir)
        inicio = time.monotonic()
        desde = inicio + escenario.calentamiento_real
        foto_inicial = asyncio.create_task(_foto_al_empezar(memorias[0].pid, desde, base_pg))
        await asyncio.gather(*(
            usuario_simulado(i, escenario, cliente, pasos, inicio, medicion, ronda)
            for i in range(escenario.usuarios)))
        duracion = min(time.monotonic() - inicio - escenario.calentamiento_real,
                       escenario.segundos)
        final = comun.FotoCpu.tomar(memorias[0].pid)
        paginas_final = await _paginas(base_pg)
        antes, paginas_antes = await foto_inicial
        if paginas_final is not None and paginas_antes is not None:
            medicion.paginas_pg = paginas_final - paginas_antes
        # CPU gastada en la ventana medida: la app, el generador y el resto de la máquina
        # (PostgreSQL, el NLU, el doble de Telegram y lo demás que corra).
        medicion.cpu = {"app": final.app - antes.app,
                        "generador": final.generador - antes.generador,
                        "sistema": final.sistema - antes.sistema,
                        "postgres": final.postgres - antes.postgres,
                        "segundos": time.monotonic() - desde}
    alto.set()
    await muestreo
    return medicion, max(duracion, 1e-9)


async def _foto_al_empezar(pid_app: int, desde: float,
                           base_pg: str | None) -> tuple[comun.FotoCpu, int | None]:
    """La CPU acumulada (y las páginas leídas por PostgreSQL) al terminar el calentamiento."""
    await asyncio.sleep(max(0.0, desde - time.monotonic()))
    return comun.FotoCpu.tomar(pid_app), await _paginas(base_pg)


async def _paginas(base_pg: str | None) -> int | None:
    """Las páginas leídas hasta ahora en la base (en un hilo: no frena a los usuarios)."""
    return await asyncio.to_thread(comun.paginas_pg, base_pg) if base_pg else None


def correr(escenario: Escenario) -> dict[str, Any]:
    """Arranca lo necesario, genera la carga, verifica la base y detiene todo."""
    carga_antes = comun.carga_sistema()
    pulso_antes = comun.pulso_cpu()
    nombre_pg = f"bench_carga_{secrets.token_hex(4)}"
    procesos: list[comun.Proceso] = []
    with tempfile.TemporaryDirectory(prefix="bench-carga-") as tmp:
        directorio = Path(tmp)
        if escenario.bd == "postgresql":
            database_url = comun.url_pg_nueva(nombre_pg)
            if database_url is None:
                raise SystemExit("Sin TEST_POSTGRES_URL: source scripts/postgres.sh iniciar")
        else:
            database_url = f"sqlite:///{directorio / 'carga.db'}"
        try:
            memorias: list[comun.Memoria] = []
            nlu_url, nlu_token = "http://127.0.0.1:9", "sin-nlu"
            if escenario.con_nlu:
                nlu, nlu_url, nlu_token = comun.iniciar_nlu(directorio)
                procesos.append(nlu)
            extra: dict[str, str] = {}
            secreto = ""
            if escenario.canal == "telegram":
                doble, datos = _iniciar_doble(directorio)
                procesos.append(doble)
                secreto = secrets.token_urlsafe(24)
                extra = {"TELEGRAM_TOKEN": datos["token"], "TELEGRAM_API_URL": datos["url_api"],
                         "TELEGRAM_WEBHOOK_SECRET": secreto, "TELEGRAM_MODO": "webhook",
                         "TELEGRAM_WEBHOOK_URL": "", "TELEGRAM_RITMO_CHAT_S": "0",
                         "TELEGRAM_GLOBAL_POR_S": "100000"}
            app, url = comun.iniciar_app(directorio, database_url, nlu_url, nlu_token,
                                         escenario.workers, extra)
            procesos.append(app)
            historia = (comun.sembrar_historia(database_url, escenario.canal)
                        if escenario.bd == "postgresql" else 0)
            memorias.append(comun.Memoria(app.pid))
            if escenario.con_nlu:
                memorias.append(comun.Memoria(procesos[0].pid))
            if escenario.canal == "telegram":
                asyncio.run(_esperar_telegram(url, secreto))
            medicion, duracion = asyncio.run(generar_carga(
                url, escenario, secreto, memorias,
                base_pg=database_url if escenario.bd == "postgresql" else None))
            if escenario.canal == "telegram":
                asyncio.run(_esperar_envios(database_url, 60))
            app.detener()
            verificacion = verificar(database_url, escenario.canal, medicion.enviados,
                                     medicion.fallidos)
        finally:
            _guardar_bitacoras(directorio, escenario)
            for p in reversed(procesos):
                p.detener()
            if escenario.bd == "postgresql":
                comun.borrar_pg(nombre_pg)
    lat = medicion.latencias
    return {
        "escenario": asdict(escenario), "nombre": escenario.nombre, "modo": escenario.modo,
        "fecha": dt.datetime.now().isoformat(timespec="seconds"),
        "carga_antes": carga_antes, "carga_despues": comun.carga_sistema(),
        "pulso_cpu_ms": [pulso_antes, comun.pulso_cpu()],
        "ritmo_ofrecido": escenario.ritmo, "atrasados": medicion.atrasados,
        "calentamiento_real": escenario.calentamiento_real,
        "medidos": medicion.medidos, "por_segundo": medicion.medidos / duracion,
        "p50": statistics.median(lat) if lat else 0.0, "p95": comun.percentil(lat, 95),
        "p99": comun.percentil(lat, 99), "max": max(lat, default=0.0),
        "errores": medicion.errores, "ejemplos_error": medicion.ejemplos_error,
        "conversaciones_completas": medicion.conversaciones,
        "por_segundo_cada_10s": por_ventana(medicion.marcas, escenario.segundos),
        "rss_app_max_mib": memorias[0].maxima, "rss_app_final_mib": memorias[0].final,
        "rss_nlu_max_mib": memorias[1].maxima if len(memorias) > 1 else None,
        "historia_mensajes": historia,
        "cpu_ms_por_mensaje": _cpu_por_mensaje(medicion),
        "paginas_pg_por_mensaje": (medicion.paginas_pg / medicion.medidos
                                   if medicion.paginas_pg is not None and medicion.medidos
                                   else None),
        "postgresql": comun.durabilidad_pg() if escenario.bd == "postgresql" else None,
        "pasos_mas_lentos": _pasos_mas_lentos(medicion),
        **verificacion,
    }


def _pasos_mas_lentos(medicion: Medicion, cuantos: int = 5) -> list[dict[str, Any]]:
    """Los pasos de la conversación con mayor p95 (¿qué empuja la cola de la latencia?)."""
    orden = sorted(((comun.percentil(lat, 95), etiqueta, lat)
                    for etiqueta, lat in medicion.por_paso.items() if lat), reverse=True)
    return [{"paso": etiqueta, "n": len(lat), "p50": statistics.median(lat), "p95": p95}
            for p95, etiqueta, lat in orden[:cuantos]]


def _celda_pulso(r: dict[str, Any]) -> str:
    """El pulso de CPU antes y después (`comun.pulso_cpu`), si la corrida lo anotó."""
    pulso = r.get("pulso_cpu_ms")
    return f" (pulso {pulso[0]:.0f} → {pulso[1]:.0f} ms)" if pulso else ""


def _celda_cpu(r: dict[str, Any]) -> str:
    """«8.2 · 0.7 · 1.5 (77 %)»: CPU por mensaje de la app, del generador y del resto (la base,
    el NLU, el doble de Telegram), y el uso de la máquina (corridas viejas: «—»)."""
    cpu = r.get("cpu_ms_por_mensaje")
    if not cpu:
        return "—"
    con_pg = r["escenario"].get("bd") == "postgresql" and cpu.get("postgresql")
    pg = f" [PostgreSQL {cpu['postgresql']:.1f}{_paginas_por_mensaje(r)}]" if con_pg else ""
    return (f"{cpu['app']:.1f} · {cpu['generador']:.1f} · {cpu['resto']:.1f}{pg} "
            f"({cpu['uso_maquina'] * 100:.0f} %)")


def _paginas_por_mensaje(r: dict[str, Any]) -> str:
    """«, 52 páginas»: lo que leyó PostgreSQL por mensaje (corridas viejas: nada)."""
    paginas = r.get("paginas_pg_por_mensaje")
    return f", {paginas:.0f} páginas" if paginas else ""


def _cpu_por_mensaje(medicion: Medicion) -> dict[str, float] | None:
    """ms de CPU por mensaje medido: app, generador, resto y total de la máquina."""
    if not medicion.cpu or not medicion.medidos:
        return None
    n = medicion.medidos
    app, gen, total = (medicion.cpu["app"], medicion.cpu["generador"], medicion.cpu["sistema"])
    return {"app": 1000 * app / n, "generador": 1000 * gen / n,
            "resto": 1000 * max(0.0, total - app - gen) / n, "total": 1000 * total / n,
            "postgresql": 1000 * medicion.cpu.get("postgres", 0.0) / n,
            "uso_maquina": total / (medicion.cpu["segundos"] * (os.cpu_count() or 1))}


def _guardar_bitacoras(directorio: Path, escenario: Escenario) -> None:
    """Copia las bitácoras de la corrida a var/benchmarks/ (para revisar errores)."""
    destino = RESULTADOS.parent / "bitacoras"
    destino.mkdir(parents=True, exist_ok=True)
    modo = ("saturacion" if escenario.ritmo is None
            else f"ritmo{escenario.ritmo:g}{'-desfasados' if escenario.desfasar else ''}")
    sufijo = (f"{escenario.canal}-{'nlu' if escenario.con_nlu else 'sin_nlu'}-{escenario.bd}"
              f"-{escenario.workers}-{modo}")
    for bitacora in directorio.glob("*.log"):
        with contextlib.suppress(OSError):
            (destino / f"{bitacora.stem}-{sufijo}.log").write_bytes(bitacora.read_bytes())


def _orden(resultado: dict[str, Any]) -> tuple[Any, ...]:
    """Filas agrupadas por escenario, con la de saturación antes que las de ritmo."""
    e = Escenario.desde_dict(resultado["escenario"])
    return (e.canal, e.con_nlu, e.bd != "sqlite", e.workers, e.usuarios, e.ritmo is not None,
            e.ritmo or 0.0, e.desfasar)


def cargar() -> dict[str, dict[str, Any]]:
    """Las corridas guardadas, con la clave y el nombre de hoy (las entradas de antes no
    tenían `ritmo` en el escenario ni el modo en el nombre: eran de saturación). Si dos caen
    en la misma clave queda la más reciente."""
    if not RESULTADOS.exists():
        return {}
    todos: dict[str, dict[str, Any]] = {}
    for r in json.loads(RESULTADOS.read_text()).values():
        escenario = Escenario.desde_dict(r["escenario"])
        r = {**r, "escenario": asdict(escenario), "nombre": escenario.nombre,
             "modo": escenario.modo, "ritmo_ofrecido": escenario.ritmo}
        previo = todos.get(escenario.nombre)
        if previo is None or str(r.get("fecha", "")) >= str(previo.get("fecha", "")):
            todos[escenario.nombre] = r
    return dict(sorted(todos.items(), key=lambda kv: _orden(kv[1])))


def guardar(resultado: dict[str, Any]) -> None:
    """Guarda la corrida en var/benchmarks/carga.json (una por escenario y modo, la última)."""
    RESULTADOS.parent.mkdir(parents=True, exist_ok=True)
    todos = cargar()
    todos[resultado["nombre"]] = resultado
    todos = dict(sorted(todos.items(), key=lambda kv: _orden(kv[1])))
    RESULTADOS.write_text(json.dumps(todos, indent=1, ensure_ascii=False))


def _si(ok: bool) -> str:
    return "sí" if ok else "**NO**"


def cumple_meta(r: dict[str, Any]) -> bool:
    """Meta del issue 8, para una corrida a ritmo: ≥ 150 mensajes/s logrados (con 2 % de
    tolerancia) con 50 usuarios, p95 ≤ 100 ms, sin errores, perdidos, duplicados ni mensajes
    sin procesar."""
    return (r["escenario"]["usuarios"] >= META_USUARIOS
            and r["por_segundo"] >= META_POR_S * (1 - TOLERANCIA_RITMO)
            and r["p95"] <= META_P95_MS and r["errores"] == 0 and r["perdidos"] == 0
            and r["duplicados"] == 0 and r["sin_procesar"] == 0)


def celda_cumple(r: dict[str, Any]) -> str:
    """«¿Cumple?»: a ritmo, la meta; en saturación, la capacidad (la meta no aplica)."""
    if r["escenario"].get("ritmo") is None:
        return f"— (capacidad {r['por_segundo']:.0f}/s; la meta se juzga a ritmo)"
    return _si(cumple_meta(r))


def cuerpo_seccion(todos: dict[str, dict[str, Any]]) -> str:
    """Tabla Markdown con todas las corridas guardadas."""
    filas = [
        "Usuarios simulados (asyncio + aiohttp, en la misma máquina) que repiten la "
        "conversación completa de `benchmarks/conversaciones.py` (24 mensajes: saludo y perfil, "
        "2 preguntas libres, registro_iniciativa hasta el folio con ficha PDF y oficio DOCX, "
        "seguimiento), cada vez con un remitente nuevo, contra `hermanamientos servir` real. "
        "Dos modos: **saturación**, cada usuario manda el siguiente mensaje en cuanto recibe "
        "la respuesta, sin pausas (mide la capacidad máxima); y **ritmo R/s**, los usuarios "
        "ofrecen entre todos R mensajes/s (cada uno apunta a un mensaje cada N/R s, con "
        "arranques escalonados, y espera siempre la respuesta antes de mandar el siguiente; "
        "«desfasados»: además cada usuario empieza en otro punto de la conversación, en vez de "
        "ir todos casi en el mismo paso). "
        "Latencia = petición HTTP hasta su respuesta (REST: con las respuestas; Telegram: el 200 "
        "del webhook, que llega en cuanto el mensaje quedó guardado, o decidido si se decide "
        "en la misma transacción; el NLU y los documentos siguen al fondo y las respuestas van "
        "al doble de la Bot API sin límite de ritmo; al final se espera a que salgan todas). "
        "El pulso de CPU (ms que tarda una cuenta fija de Python, antes y después de la "
        "corrida) dice si la máquina virtual estaba lenta: en reposo va de ~53 a ~86 ms según "
        "el momento, y con ella la CPU que gasta cada mensaje. Se descartan los primeros 5 s "
        "(calentamiento; desfasados, hasta que arranca el último usuario). Perdidos/"
        "duplicados: cada id de mensaje enviado se busca en la tabla `mensaje` (una sola "
        "entrada, procesada y con respuesta). Entre corchetes, lo que gastó PostgreSQL por "
        "mensaje: ms de CPU y páginas que leyeron sus consultas (`pg_stat_database`; en caché "
        "o del disco), que dicen si cambió un plan. Con PostgreSQL, la base empieza como una "
        f"en uso: {comun.HISTORIA_CONVERSACIONES} conversaciones anteriores de "
        f"{comun.HISTORIA_MENSAJES} mensajes, analizadas (`comun.sembrar_historia`); una base "
        "recién creada pasa su primer minuto con planes de tablas vacías (ver la lectura).",
        "",
        f"Metas (issue 8): ≥ {META_POR_S:.0f} mensajes/s sostenidos con {META_USUARIOS} "
        f"usuarios, p95 ≤ {META_P95_MS:.0f} ms, 0 errores, 0 perdidos o duplicados. Se juzgan "
        f"en las filas a ritmo ({META_POR_S:.0f}/s ofrecidos; «cumple» si se logran ≥ "
        f"{META_POR_S * (1 - TOLERANCIA_RITMO):.0f} mensajes/s). En saturación no pueden "
        "cumplirse a la vez, por la ley de Little: con N usuarios sin pausa, mensajes/s = "
        f"N / latencia media, así que {META_USUARIOS} usuarios con ≤ {META_P95_MS:.0f} ms "
        f"darían ≥ {META_USUARIOS * 1000 / META_P95_MS:.0f} mensajes/s; por debajo de esa "
        "capacidad, la cola crece hasta que latencia = N / capacidad. Esas filas dan la "
        f"capacidad máxima (el margen sobre {META_POR_S:.0f}/s) y no se juzgan con la meta.",
        "",
        "| Escenario | s | Mensajes | Mensajes/s (mín–máx cada 10 s) | p50 (ms) | p95 (ms) "
        "| p99 (ms) | Errores | Perdidos | Duplicados | Sin procesar | RSS app máx (MiB) "
        "| RSS NLU máx (MiB) | CPU ms/mensaje: app · generador · resto [PostgreSQL] (uso) "
        "| Carga antes → después (pulso de CPU) | ¿Cumple? |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for nombre, r in todos.items():
        nlu = f"{r['rss_nlu_max_mib']:.0f}" if r.get("rss_nlu_max_mib") else "—"
        ventanas = r.get("por_segundo_cada_10s") or []
        rango = f" ({min(ventanas):.0f}–{max(ventanas):.0f})" if ventanas else ""
        durabilidad = f" ({r['postgresql']})" if r.get("postgresql") else ""
        filas.append(
            f"| {nombre}{durabilidad} | {r['escenario']['segundos']:.0f} | {r['medidos']} "
            f"| {r['por_segundo']:.0f}{rango} | {r['p50']:.0f} | {r['p95']:.0f} | {r['p99']:.0f} "
            f"| {r['errores']} | {r['perdidos']} | {r['duplicados']} | {r['sin_procesar']} "
            f"| {r['rss_app_max_mib']:.0f} | {nlu} | {_celda_cpu(r)} "
            f"| {r['carga_antes']} → {r['carga_despues']}{_celda_pulso(r)} "
            f"| {celda_cumple(r)} |")
    if ANALISIS.exists():
        filas += ["", ANALISIS.read_text(encoding="utf-8").strip()]
    filas += ["", "Comando: `.venv/bin/python -m benchmarks.carga --usuarios 50 --segundos 60 "
              "--canal rest|telegram [--ritmo 150 [--desfasar]] [--con-nlu] "
              "[--bd postgresql --workers 2] --escribir` (sin `--ritmo`, saturación; cada "
              "escenario y modo guarda su última corrida en `var/benchmarks/carga.json`)."]
    return "\n".join(filas)


def main() -> None:
    partes = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    partes.add_argument("--usuarios", type=int, default=50)
    partes.add_argument("--segundos", type=float, default=60.0)
    partes.add_argument("--calentamiento", type=float, default=5.0)
    partes.add_argument("--canal", choices=["rest", "telegram"], default="rest")
    nlu = partes.add_mutually_exclusive_group()
    nlu.add_argument("--con-nlu", dest="con_nlu", action="store_true")
    nlu.add_argument("--sin-nlu", dest="con_nlu", action="store_false")
    partes.add_argument("--bd", choices=["sqlite", "postgresql"], default="sqlite")
    partes.add_argument("--workers", type=int, default=1)
    partes.add_argument("--ritmo", type=float, default=None, metavar="R",
                        help="Mensajes/s ofrecidos entre todos los usuarios (cada uno, uno "
                             "cada N/R s). Sin esta opción: saturación, sin pausas.")
    partes.add_argument("--desfasar", action="store_true",
                        help="Con --ritmo: cada usuario empieza en otro punto de la "
                             "conversación (no todos en el mismo paso).")
    partes.add_argument("--escribir", action="store_true",
                        help="Rehace la sección «carga» de BENCHMARKS.md con las corridas "
                             "guardadas.")
    partes.add_argument("--solo-escribir", action="store_true",
                        help="No mide: solo rehace la sección con lo guardado.")
    args = partes.parse_args()
    if args.ritmo is not None and args.ritmo <= 0:
        partes.error("--ritmo debe ser mayor que 0")
    if args.desfasar and args.ritmo is None:
        partes.error("--desfasar va con --ritmo")
    if not args.solo_escribir:
        escenario = Escenario(args.canal, args.con_nlu, args.bd, args.workers, args.usuarios,
                              args.segundos, args.calentamiento, args.ritmo, args.desfasar)
        resultado = correr(escenario)
        guardar(resultado)
        print(json.dumps(resultado, indent=1, ensure_ascii=False))
    if args.escribir or args.solo_escribir:
        from bot.benchmarks_md import escribir_seccion

        todos = cargar()
        escribir_seccion("carga", "Carga con usuarios simulados (REST y Telegram)",
                         cuerpo_seccion(todos))


if __name__ == "__main__":
    main()
