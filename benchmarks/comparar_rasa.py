"""Las mismas conversaciones, en la misma corrida, contra nuestra app (con su NLU) y contra un
Rasa 3.6 «de fábrica» (`rasa run` con su canal REST, reglas que contestan, entrenado con los
mismos datos NLU; proyecto en benchmarks/rasa_stock/). Reporta latencia y mensajes/s como
razón respecto de Rasa.

Uso: .venv/bin/python -m benchmarks.comparar_rasa [--usuarios 50] [--segundos 60]
       [--rondas 1] [--escribir]
Entrena el Rasa stock si hace falta (unos minutos; queda en var/rasa_stock/).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
from pathlib import Path
from typing import Any

import httpx

from benchmarks import comun
from benchmarks.carga import RESULTADOS, Escenario, generar_carga, verificar
from benchmarks.rasa_stock.preparar import AQUI as DIR_STOCK
from benchmarks.rasa_stock.preparar import entrenar

# Botones de nuestra app → el payload de intención equivalente en el Rasa stock (que, como
# nosotros, los toma sin pasar por el NLU).
GUARDADO = RESULTADOS.parent / "comparar_rasa.json"
BOTONES_RASA = {"/si": "/afirmar", "/omitir": "/negar", "/iniciar seguimiento": "/estado_tramite"}


def traducir_para_rasa(mensaje: str) -> str:
    """El mismo mensaje; un botón se manda como el payload de su intención en Rasa."""
    if mensaje.startswith("/"):
        return BOTONES_RASA.get(mensaje, "/afirmar")
    return mensaje


def iniciar_rasa_stock(directorio: Path, modelo: Path) -> tuple[comun.Proceso, str]:
    """`rasa run` con el canal REST en un puerto libre."""
    puerto = comun.puerto_libre()
    proceso = comun.Proceso(
        [str(comun.RASA), "run", "-m", str(modelo), "-i", "127.0.0.1", "-p", str(puerto),
         "--credentials", "credentials.yml", "--endpoints", "endpoints.yml"],
        comun.entorno_rasa(), directorio / "rasa_stock.log", cwd=DIR_STOCK,
    )
    url = f"http://127.0.0.1:{puerto}"
    try:
        comun.esperar_http(url + "/", proceso.popen, 240, proceso.bitacora)
        httpx.post(url + "/webhooks/rest/webhook", json={"sender": "x", "message": "hola"},
                   timeout=60).raise_for_status()
    except Exception:
        proceso.detener()
        raise
    return proceso, url


def _guardar_bitacoras(directorio: Path) -> None:
    """Copia las bitácoras a var/benchmarks/bitacoras/ (para revisar errores)."""
    destino = RESULTADOS.parent / "bitacoras"
    destino.mkdir(parents=True, exist_ok=True)
    for bitacora in directorio.glob("*.log"):
        (destino / f"comparar-{bitacora.name}").write_bytes(bitacora.read_bytes())


def _resumen(medicion: Any, duracion: float, memoria: comun.Memoria) -> dict[str, Any]:
    lat = medicion.latencias
    return {"medidos": medicion.medidos, "por_segundo": medicion.medidos / duracion,
            "p50": statistics.median(lat) if lat else 0.0, "p95": comun.percentil(lat, 95),
            "p99": comun.percentil(lat, 99), "errores": medicion.errores,
            "ejemplos_error": medicion.ejemplos_error, "rss_max_mib": memoria.maxima}


def comparar(usuarios: int, segundos: float, rondas: int) -> dict[str, Any]:
    """Levanta ambos sistemas y alterna las rondas de carga entre ellos."""
    modelo_stock = entrenar()
    carga_antes = comun.carga_sistema()
    escenario = Escenario("rest", True, "sqlite", 1, usuarios, segundos)
    procesos: list[comun.Proceso] = []
    resultados: dict[str, list[dict[str, Any]]] = {"nuestra": [], "rasa": []}
    with tempfile.TemporaryDirectory(prefix="bench-rasa-") as tmp:
        directorio = Path(tmp)
        database_url = f"sqlite:///{directorio / 'comparar.db'}"
        try:
            nlu, nlu_url, token = comun.iniciar_nlu(directorio)
            procesos.append(nlu)
            app, url_app = comun.iniciar_app(directorio, database_url, nlu_url, token)
            procesos.append(app)
            stock, url_stock = iniciar_rasa_stock(directorio, modelo_stock)
            procesos.append(stock)
            enviados: list[str] = []
            fallidos: list[str] = []
            for ronda in range(rondas):
                memoria_app = comun.Memoria(app.pid)
                medicion, duracion = asyncio.run(
                    generar_carga(url_app, escenario, "", [memoria_app, comun.Memoria(nlu.pid)],
                                  ronda=ronda))
                enviados += medicion.enviados
                fallidos += medicion.fallidos
                resultados["nuestra"].append(_resumen(medicion, duracion, memoria_app))
                memoria_stock = comun.Memoria(stock.pid)
                medicion, duracion = asyncio.run(generar_carga(
                    url_stock, escenario, "", [memoria_stock], traducir_para_rasa, ronda))
                resultados["rasa"].append(_resumen(medicion, duracion, memoria_stock))
            memoria_nlu = comun.rss_mib(nlu.pid)
            app.detener()
            verificacion = verificar(database_url, "rest", enviados, fallidos)
        finally:
            for p in reversed(procesos):
                p.detener()
            _guardar_bitacoras(directorio)
    return {"usuarios": usuarios, "segundos": segundos, "rondas": rondas,
            "carga_antes": carga_antes, "carga_despues": comun.carga_sistema(),
            "resultados": resultados, "verificacion": verificacion,
            "rss_nlu_final_mib": memoria_nlu, "modelo_stock": modelo_stock.name}


def cuerpo_seccion(r: dict[str, Any]) -> str:
    """Tabla Markdown con ambos sistemas y las razones."""
    def media(sistema: str, clave: str) -> float:
        return statistics.fmean(x[clave] for x in r["resultados"][sistema])

    filas = [
        f"{r['usuarios']} usuarios simulados por REST, {r['segundos']:.0f} s por ronda, "
        f"{r['rondas']} ronda(s) alternadas (nuestra app, luego Rasa), las mismas "
        "conversaciones de `benchmarks/conversaciones.py`. Nuestra app: `hermanamientos "
        "servir` con SQLite y nuestro servidor NLU (Rasa NLU, `rasa_modelo/`). Rasa stock: "
        "`rasa run` con canal REST, el mismo pipeline NLU y los mismos datos, RulePolicy con "
        "una regla `utter_*` por intención, rastreador en memoria "
        "(`benchmarks/rasa_stock/`). Los botones van a Rasa como el payload de su intención "
        "(`/si` → `/afirmar`…), que Rasa también toma sin NLU. Ojo al leer la razón: Rasa "
        "stock no escribe nada a disco ni genera documentos; nuestra app guarda cada mensaje, "
        "respuesta y estado en SQLite antes de contestar y genera la ficha PDF y el oficio "
        "DOCX al confirmar (vea «Dónde se va el tiempo» en la sección de carga).",
        "",
        f"Carga del sistema antes: {r['carga_antes']}; después: {r['carga_despues']}.",
        "",
        "| Sistema | Mensajes | Mensajes/s | p50 (ms) | p95 (ms) | p99 (ms) | Errores "
        "| RSS máx (MiB) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for sistema, titulo in (("nuestra", "Nuestra app (+ NLU aparte)"), ("rasa", "Rasa stock")):
        for i, x in enumerate(r["resultados"][sistema], 1):
            filas.append(
                f"| {titulo}, ronda {i} | {x['medidos']} | {x['por_segundo']:.0f} "
                f"| {x['p50']:.0f} | {x['p95']:.0f} | {x['p99']:.0f} | {x['errores']} "
                f"| {x['rss_max_mib']:.0f} |")
    v = r["verificacion"]
    razon_s = media("nuestra", "por_segundo") / max(media("rasa", "por_segundo"), 1e-9)
    razon_p95 = media("nuestra", "p95") / max(media("rasa", "p95"), 1e-9)
    cumple = "sí" if razon_s >= 1 and razon_p95 <= 1 else "**NO**"
    filas += [
        "",
        f"Meta (issue 8): no más lento que Rasa stock con los mismos mensajes → cumple: {cumple}.",
        "",
        f"Razón nuestra/Rasa: mensajes/s × {media('nuestra', 'por_segundo') / max(media('rasa', 'por_segundo'), 1e-9):.2f}; "  # noqa: E501
        f"p50 × {media('nuestra', 'p50') / max(media('rasa', 'p50'), 1e-9):.2f}; "
        f"p95 × {media('nuestra', 'p95') / max(media('rasa', 'p95'), 1e-9):.2f} "
        "(latencia: menos de 1 es mejor; mensajes/s: más de 1 es mejor).",
        "",
        f"Nuestra app, contra la base: {v['enviados']} enviados, {v['perdidos']} perdidos, "
        f"{v['duplicados']} duplicados, {v['sin_procesar']} sin procesar, "
        f"{v['con_error_no_guardados']} con error y no guardados. Memoria de nuestro "
        f"NLU al final: {r['rss_nlu_final_mib']:.0f} MiB (aparte de la app).",
        "",
        "Comando: `.venv/bin/python -m benchmarks.comparar_rasa --usuarios "
        f"{r['usuarios']} --segundos {r['segundos']:.0f} --rondas {r['rondas']} --escribir`.",
    ]
    return "\n".join(filas)


def main() -> None:
    partes = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    partes.add_argument("--usuarios", type=int, default=50)
    partes.add_argument("--segundos", type=float, default=60.0)
    partes.add_argument("--rondas", type=int, default=1)
    partes.add_argument("--escribir", action="store_true",
                        help="Escribe la sección «rasa_stock» de BENCHMARKS.md.")
    partes.add_argument("--solo-escribir", action="store_true",
                        help="No mide: reescribe la sección con la última corrida guardada.")
    args = partes.parse_args()
    if args.solo_escribir:
        resultado = json.loads(GUARDADO.read_text(encoding="utf-8"))
        args.escribir = True
    else:
        resultado = comparar(args.usuarios, args.segundos, args.rondas)
        GUARDADO.parent.mkdir(parents=True, exist_ok=True)
        GUARDADO.write_text(json.dumps(resultado, indent=1, ensure_ascii=False),
                            encoding="utf-8")
        print(json.dumps(resultado, indent=1, ensure_ascii=False))
    cuerpo = cuerpo_seccion(resultado)
    print(cuerpo)
    if args.escribir:
        from bot.benchmarks_md import escribir_seccion

        escribir_seccion("rasa_stock", "Comparación con Rasa 3.6 de fábrica", cuerpo)


if __name__ == "__main__":
    main()
