"""Preguntas reales por la aplicación de verdad: `shared/evaluacion/preguntas_reales_dev.yaml`.

Cada pregunta la hace una funcionaria que ya dio su consentimiento y su perfil, en una
conversación nueva (un remitente nuevo por pregunta), contra la aplicación real
(`hermanamientos servir` en un proceso aparte, por el canal REST, con una SQLite temporal).
Las respuestas se revisan con las reglas de la cabecera del archivo: cada grupo de `debe`
necesita al menos una alternativa presente, ninguna frase de `no_debe` y la palabra «Fuente».

El NLU: si hay un servidor que responde en `NLU_URL`, la aplicación lo usa (el camino de
producción); si no, su respaldo por palabras clave. El informe dice cuál fue.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import unicodedata
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml
from pydantic import BaseModel, ConfigDict, Field

from bot.config import RAIZ

ARCHIVO_DEV = RAIZ.parent / "shared" / "evaluacion" / "preguntas_reales_dev.yaml"
"""`../shared/evaluacion/preguntas_reales_dev.yaml`, relativo a la raíz del proyecto."""

# La bienvenida completa: consentimiento y perfil (rol, estado, municipio, nombre).
PERFIL = ("hola", "/si", "funcionario", "Nuevo León", "San Pedro Garza García", "Ana Pérez")
PALABRA_FUENTE = "fuente"


class CasoReal(BaseModel):
    """Una pregunta tal como se escribió y lo que su respuesta debe (y no debe) decir."""

    model_config = ConfigDict(extra="ignore")

    q: str = Field(min_length=1)
    debe: list[list[str]] = Field(min_length=1)
    no_debe: list[str] = Field(default_factory=list)
    tema: str = ""


def leer_casos(ruta: Path) -> list[CasoReal]:
    """Lee el archivo de preguntas reales (clave `casos`)."""
    datos = yaml.safe_load(ruta.read_text(encoding="utf-8")) or {}
    return [CasoReal.model_validate(c) for c in datos.get("casos", [])]


def forma_revisable(texto: str) -> str:
    """Minúsculas, sin acentos (la ñ también pierde la tilde) y sin `*` ni `_`."""
    descompuesto = unicodedata.normalize("NFKD", texto.casefold())
    sin_marcas = "".join(c for c in descompuesto if not unicodedata.combining(c))
    return sin_marcas.replace("*", "").replace("_", "")


def revisar(caso: CasoReal, respuestas: list[dict[str, Any]]) -> list[str]:
    """Los motivos por los que las respuestas no bastan (vacío si está bien)."""
    partes: list[str] = []
    for r in respuestas:
        partes.append(str(r.get("text") or ""))
        partes += [str(b.get("title") or "") for b in r.get("buttons") or []]
    texto = forma_revisable("\n".join(partes))
    motivos = []
    for grupo in caso.debe:
        if not any(forma_revisable(alternativa) in texto for alternativa in grupo):
            motivos.append(f"falta uno de {grupo[:4]}{'…' if len(grupo) > 4 else ''}")
    for frase in caso.no_debe:
        if forma_revisable(frase) in texto:
            motivos.append(f"dice «{frase}»")
    if PALABRA_FUENTE not in texto:
        motivos.append("no cita «Fuente»")
    return motivos


@dataclass
class ResultadoCaso:
    """Una pregunta, lo que se respondió y por qué falló (si falló)."""

    caso: CasoReal
    respuestas: list[dict[str, Any]]
    motivos: list[str]
    ms: float

    @property
    def bien(self) -> bool:
        """True si la respuesta cumple todas las reglas."""
        return not self.motivos


@dataclass
class InformeReal:
    """Resultado sobre el conjunto completo."""

    resultados: list[ResultadoCaso] = field(default_factory=list)
    con_nlu: bool = False

    @property
    def aciertos(self) -> int:
        """Preguntas bien respondidas y con fuente."""
        return sum(r.bien for r in self.resultados)

    @property
    def total(self) -> int:
        """Preguntas evaluadas."""
        return len(self.resultados)

    @property
    def tasa(self) -> float:
        """Proporción de preguntas bien respondidas."""
        return self.aciertos / self.total if self.total else 0.0

    @property
    def fallos_sin_fuente(self) -> int:
        """Fallos en los que ninguna respuesta citó fuente: contestó otra ruta del motor (un
        flujo, privacidad, el saludo) o un menú, no una respuesta de la base."""
        return sum(not r.bien and "no cita «Fuente»" in r.motivos for r in self.resultados)

    def fallos(self, largo: int = 260) -> list[str]:
        """Una línea por pregunta fallida: la pregunta, los motivos y el inicio de la respuesta."""
        lineas = []
        for r in self.resultados:
            if r.bien:
                continue
            inicio = " / ".join(str(x.get("text") or "") for x in r.respuestas)
            inicio = " ".join(inicio.split())[:largo]
            lineas.append(f"«{r.caso.q}» [{r.caso.tema}]: {'; '.join(r.motivos)}\n"
                          f"      respondió: {inicio}")
        return lineas


def _puerto_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def nlu_responde(url: str, token: str) -> bool:
    """True si hay un servidor NLU con modelo cargado en `url`."""
    try:
        resp = httpx.get(f"{url.rstrip('/')}/status", params={"token": token}, timeout=1.5)
    except httpx.HTTPError:
        return False
    return resp.status_code == 200 and bool(resp.json().get("model_file"))


@contextmanager
def aplicacion_real(nlu_url: str | None) -> Iterator[str]:
    """`hermanamientos servir` en un puerto libre con una SQLite temporal; da su URL.

    Con `nlu_url` usa ese servidor NLU; sin él, apunta a un puerto donde nada escucha y la
    aplicación usa su respaldo por palabras clave."""
    with tempfile.TemporaryDirectory(prefix="preguntas-reales-") as tmp:
        directorio = Path(tmp)
        puerto = _puerto_libre()
        entorno = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{directorio / 'evaluacion.db'}",
            "DOCUMENTOS_DIR": str(directorio / "documentos"),
            "NLU_URL": nlu_url or "http://127.0.0.1:9",
            # Un solo cliente local hace de cientos de personas nuevas: los límites de ritmo
            # (para el público) lo cortarían a los pocos casos.
            "LIMITE_MENSAJES_POR_MINUTO": "0",
            "LIMITE_REMITENTES_NUEVOS_POR_HORA": "0",
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(RAIZ), os.environ.get("PYTHONPATH", "")) if p),
        }
        bitacora = directorio / "servidor.log"
        with open(bitacora, "wb") as salida:
            proceso = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "servir", "--sin-nlu", "--port", str(puerto)],
                cwd=RAIZ, env=entorno, stdout=salida, stderr=salida,
            )
            url = f"http://127.0.0.1:{puerto}"
            try:
                limite = time.monotonic() + 90
                while True:
                    if proceso.poll() is not None:
                        raise RuntimeError("la aplicación terminó al arrancar:\n"
                                           + bitacora.read_text(errors="replace")[-2000:])
                    try:
                        if httpx.get(f"{url}/salud", timeout=1).status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    if time.monotonic() > limite:
                        raise RuntimeError("la aplicación no respondió a tiempo")
                    time.sleep(0.2)
                yield url
            finally:
                proceso.terminate()
                try:
                    proceso.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proceso.kill()
                    proceso.wait()


def _enviar(cliente: httpx.Client, url: str, remitente: str, mensaje: str
            ) -> list[dict[str, Any]]:
    resp = cliente.post(f"{url}/webhooks/rest/webhook",
                        json={"sender": remitente, "message": mensaje}, timeout=30)
    resp.raise_for_status()
    datos = resp.json()
    return datos if isinstance(datos, list) else []


def preguntar(cliente: httpx.Client, url: str, pregunta: str) -> tuple[list[dict[str, Any]], float]:
    """Una persona nueva: da su consentimiento y su perfil y luego hace la pregunta."""
    remitente = f"eval-{uuid.uuid4().hex[:12]}"
    for mensaje in PERFIL:
        _enviar(cliente, url, remitente, mensaje)
    inicio = time.perf_counter()
    respuestas = _enviar(cliente, url, remitente, pregunta)
    return respuestas, (time.perf_counter() - inicio) * 1000


def evaluar_casos(casos: list[CasoReal], nlu_url: str | None) -> InformeReal:
    """Corre cada caso por la aplicación real y revisa sus respuestas."""
    informe = InformeReal(con_nlu=nlu_url is not None)
    with aplicacion_real(nlu_url) as url, httpx.Client() as cliente:
        for caso in casos:
            respuestas, ms = preguntar(cliente, url, caso.q)
            informe.resultados.append(ResultadoCaso(caso, respuestas, revisar(caso, respuestas),
                                                    ms))
    return informe
