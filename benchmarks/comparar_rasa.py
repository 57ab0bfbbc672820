"""Las mismas conversaciones, en la misma corrida, contra nuestra app (con su NLU) y contra un
Rasa 3.6 «de fábrica» (`rasa run` con su canal REST, reglas que contestan, entrenado con los
mismos datos NLU; proyecto en benchmarks/rasa_stock/). Reporta latencia y mensajes/s como
razón respecto de Rasa.

Dos modos, como benchmarks/carga.py: saturación (por omisión; los usuarios no hacen pausas,
se compara la capacidad) y --ritmo R (los dos sistemas reciben los mismos R mensajes/s
ofrecidos entre los usuarios; se compara la latencia con la misma carga). Cada modo guarda
su última corrida en var/benchmarks/comparar_rasa.json y la sección muestra todos.

Uso: .venv/bin/python -m benchmarks.comparar_rasa [--usuarios 50] [--segundos 60]
       [--rondas 1] [--ritmo 150 [--desfasar]] [--escribir]
Entrena el Rasa stock si hace falta (unos minutos; queda en var/rasa_stock/).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import secrets
import statistics
import tempfile
from pathlib import Path
from typing import Any

import httpx

from benchmarks import comun
from benchmarks.carga import (
    RESULTADOS,
    TOLERANCIA_RITMO,
    Escenario,
    generar_carga,
    verificar,
)
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


def comparar(usuarios: int, segundos: float, rondas: int, ritmo: float | None = None,
             desfasar: bool = False, bd: str = "sqlite", workers: int = 1) -> dict[str, Any]:
    """Levanta ambos sistemas y alterna las rondas de carga entre ellos (con el mismo ritmo
    ofrecido a los dos, o sin pausas si `ritmo` es None)."""
    modelo_stock = entrenar()
    carga_antes = comun.carga_sistema()
    escenario = Escenario("rest", True, bd, workers, usuarios, segundos, ritmo=ritmo,
                          desfasar=desfasar)
    nombre_pg = f"bench_rasa_{secrets.token_hex(4)}"
    procesos: list[comun.Proceso] = []
    resultados: dict[str, list[dict[str, Any]]] = {"nuestra": [], "rasa": []}
    with tempfile.TemporaryDirectory(prefix="bench-rasa-") as tmp:
        directorio = Path(tmp)
        if bd == "postgresql":
            url_pg = comun.url_pg_nueva(nombre_pg)
            if url_pg is None:
                raise SystemExit("Sin TEST_POSTGRES_URL: source scripts/postgres.sh iniciar")
            database_url = url_pg
        else:
            database_url = f"sqlite:///{directorio / 'comparar.db'}"
        try:
            nlu, nlu_url, token = comun.iniciar_nlu(directorio)
            procesos.append(nlu)
            app, url_app = comun.iniciar_app(directorio, database_url, nlu_url, token, workers)
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
            if bd == "postgresql":
                comun.borrar_pg(nombre_pg)
    return {"usuarios": usuarios, "segundos": segundos, "rondas": rondas,
            "ritmo": ritmo, "desfasar": desfasar, "modo": escenario.modo,
            "bd": bd, "workers": workers,
            "postgresql": comun.durabilidad_pg() if bd == "postgresql" else None,
            "fecha": dt.datetime.now().isoformat(timespec="seconds"),
            "carga_antes": carga_antes, "carga_despues": comun.carga_sistema(),
            "resultados": resultados, "verificacion": verificacion,
            "rss_nlu_final_mib": memoria_nlu, "modelo_stock": modelo_stock.name}


def _modo(r: dict[str, Any]) -> Escenario:
    """El escenario de una corrida guardada (las de antes no tienen ritmo: saturación)."""
    return Escenario("rest", True, r.get("bd", "sqlite"), int(r.get("workers", 1)),
                     r["usuarios"], r["segundos"], ritmo=r.get("ritmo"),
                     desfasar=bool(r.get("desfasar")))


def _clave(r: dict[str, Any]) -> str:
    """Una corrida guardada por base, procesos y modo."""
    e = _modo(r)
    return f"{e.bd}, {e.workers} proc., {e.modo}"


def cargar() -> dict[str, dict[str, Any]]:
    """Las corridas guardadas, una por modo (saturación antes que las de ritmo). El archivo de
    antes guardaba una sola corrida, sin modo: era de saturación."""
    if not GUARDADO.exists():
        return {}
    datos = json.loads(GUARDADO.read_text(encoding="utf-8"))
    corridas = [datos] if "resultados" in datos else list(datos.values())
    todas = {_clave(r): r for r in corridas}
    return dict(sorted(todas.items(), key=lambda kv: (
        kv[1].get("bd", "sqlite"), int(kv[1].get("workers", 1)),
        kv[1].get("ritmo") is not None, kv[1].get("ritmo") or 0.0,
        bool(kv[1].get("desfasar")))))


def guardar(resultado: dict[str, Any]) -> None:
    """Guarda la corrida en var/benchmarks/comparar_rasa.json, en la clave de su modo."""
    todas = cargar()
    todas[_clave(resultado)] = resultado
    GUARDADO.parent.mkdir(parents=True, exist_ok=True)
    GUARDADO.write_text(json.dumps(todas, indent=1, ensure_ascii=False), encoding="utf-8")


def _bloque(r: dict[str, Any]) -> list[str]:
    """Subsección de un modo: tabla con ambos sistemas, razones y verificación."""
    def media(sistema: str, clave: str) -> float:
        return statistics.fmean(x[clave] for x in r["resultados"][sistema])

    def razon(clave: str) -> float:
        return media("nuestra", clave) / max(media("rasa", clave), 1e-9)

    escenario = _modo(r)
    config = (f"nuestra app con {escenario.bd}, {escenario.workers} proceso(s)"
              if escenario.workers > 1 else f"nuestra app con {escenario.bd}, 1 proceso")
    if r.get("postgresql"):
        config += f" ({r['postgresql']})"
    if escenario.ritmo is None:
        titulo = f"Saturación (sin pausas): capacidad — {config}"
        cumple_s, umbral = razon("por_segundo") >= 1, "mensajes/s × ≥ 1"
        opcion = ""
    else:
        titulo = (f"A ritmo: {escenario.ritmo:g} mensajes/s ofrecidos a cada sistema"
                  + (", usuarios desfasados" if escenario.desfasar else "") + f" — {config}")
        cumple_s = razon("por_segundo") >= 1 - TOLERANCIA_RITMO
        umbral = f"mensajes/s logrados × ≥ {1 - TOLERANCIA_RITMO:.2f}"
        opcion = f" --ritmo {escenario.ritmo:g}" + (" --desfasar" if escenario.desfasar else "")
    if escenario.bd != "sqlite" or escenario.workers != 1:
        opcion += f" --bd {escenario.bd} --workers {escenario.workers}"
    cumple = "sí" if cumple_s and razon("p95") <= 1 else "**NO**"
    filas = [
        f"### {titulo}",
        "",
        (f"Corrida del {r['fecha'][:10]}: " if r.get("fecha") else "")
        + f"{r['usuarios']} usuarios, {r['segundos']:.0f} s por ronda, {r['rondas']} ronda(s) "
        f"alternadas (nuestra app, luego Rasa). Carga del sistema antes: {r['carga_antes']}; "
        f"después: {r['carga_despues']}.",
        "",
        "| Sistema | Mensajes | Mensajes/s | p50 (ms) | p95 (ms) | p99 (ms) | Errores "
        "| RSS máx (MiB) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for sistema, nombre in (("nuestra", "Nuestra app (+ NLU aparte)"), ("rasa", "Rasa stock")):
        for i, x in enumerate(r["resultados"][sistema], 1):
            filas.append(
                f"| {nombre}, ronda {i} | {x['medidos']} | {x['por_segundo']:.0f} "
                f"| {x['p50']:.0f} | {x['p95']:.0f} | {x['p99']:.0f} | {x['errores']} "
                f"| {x['rss_max_mib']:.0f} |")
    v = r["verificacion"]
    filas += [
        "",
        f"Razón nuestra/Rasa: mensajes/s × {razon('por_segundo'):.2f}; "
        f"p50 × {razon('p50'):.2f}; p95 × {razon('p95'):.2f} "
        "(latencia: menos de 1 es mejor; mensajes/s: más de 1 es mejor). "
        f"No más lento que Rasa ({umbral} y p95 × ≤ 1): {cumple}.",
        "",
        f"Nuestra app, contra la base: {v['enviados']} enviados, {v['perdidos']} perdidos, "
        f"{v['duplicados']} duplicados, {v['sin_procesar']} sin procesar, "
        f"{v['con_error_no_guardados']} con error y no guardados. Memoria de nuestro "
        f"NLU al final: {r['rss_nlu_final_mib']:.0f} MiB (aparte de la app).",
        "",
        "Comando: `.venv/bin/python -m benchmarks.comparar_rasa --usuarios "
        f"{r['usuarios']} --segundos {r['segundos']:.0f} --rondas {r['rondas']}{opcion} "
        "--escribir`.",
    ]
    return filas


def cuerpo_seccion(todas: dict[str, dict[str, Any]]) -> str:
    """Texto común y una subsección por modo guardado."""
    filas = [
        "Usuarios simulados por REST, las mismas conversaciones de "
        "`benchmarks/conversaciones.py`, contra los dos sistemas en la misma corrida. Nuestra "
        "app: `hermanamientos servir` (con SQLite y 1 proceso, o con PostgreSQL y varios, según "
        "el título) y nuestro servidor NLU (Rasa NLU, `rasa_modelo/`), con la caché de "
        "análisis apagada (`NLU_CACHE=0`: cada texto libre va al NLU, como en Rasa). "
        "Rasa stock: `rasa run` con canal REST, el mismo pipeline NLU y los "
        "mismos datos, RulePolicy con una regla `utter_*` por intención, rastreador en memoria "
        "(`benchmarks/rasa_stock/`). Los botones van a Rasa como el payload de su intención "
        "(`/si` → `/afirmar`…), que Rasa también toma sin NLU. Ojo al leer la razón: Rasa "
        "stock no escribe nada a disco ni genera documentos; nuestra app guarda cada mensaje, "
        "respuesta y estado en la base antes de contestar y genera la ficha PDF y el oficio "
        "DOCX al confirmar (vea «Dónde se va el tiempo» en la sección de carga).",
        "",
        "Meta (issue 8): no más lento que Rasa stock con los mismos mensajes. En saturación "
        "(sin pausas) se compara la capacidad: mensajes/s y la latencia con cola. A ritmo, "
        "los dos reciben la misma carga ofrecida (como en la sección de carga) y se compara "
        "la latencia con esa carga; los mensajes/s logrados deben coincidir con lo ofrecido "
        f"(±{TOLERANCIA_RITMO * 100:.0f} %) si el sistema da abasto.",
    ]
    for r in todas.values():
        filas += [""] + _bloque(r)
    return "\n".join(filas)


def main() -> None:
    partes = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    partes.add_argument("--usuarios", type=int, default=50)
    partes.add_argument("--segundos", type=float, default=60.0)
    partes.add_argument("--rondas", type=int, default=1)
    partes.add_argument("--ritmo", type=float, default=None, metavar="R",
                        help="Mensajes/s ofrecidos entre todos los usuarios, igual a los dos "
                             "sistemas. Sin esta opción: saturación, sin pausas.")
    partes.add_argument("--desfasar", action="store_true",
                        help="Con --ritmo: cada usuario empieza en otro punto de la "
                             "conversación (vea benchmarks/carga.py).")
    partes.add_argument("--bd", choices=["sqlite", "postgresql"], default="sqlite",
                        help="Base de nuestra app (postgresql: TEST_POSTGRES_URL).")
    partes.add_argument("--workers", type=int, default=1, help="Procesos de nuestra app.")
    partes.add_argument("--escribir", action="store_true",
                        help="Escribe la sección «rasa_stock» de BENCHMARKS.md.")
    partes.add_argument("--solo-escribir", action="store_true",
                        help="No mide: reescribe la sección con las corridas guardadas.")
    args = partes.parse_args()
    if args.ritmo is not None and args.ritmo <= 0:
        partes.error("--ritmo debe ser mayor que 0")
    if args.desfasar and args.ritmo is None:
        partes.error("--desfasar va con --ritmo")
    if args.solo_escribir:
        args.escribir = True
    else:
        resultado = comparar(args.usuarios, args.segundos, args.rondas, args.ritmo,
                             args.desfasar, args.bd, args.workers)
        guardar(resultado)
        print(json.dumps(resultado, indent=1, ensure_ascii=False))
    cuerpo = cuerpo_seccion(cargar())
    print(cuerpo)
    if args.escribir:
        from bot.benchmarks_md import escribir_seccion

        escribir_seccion("rasa_stock", "Comparación con Rasa 3.6 de fábrica", cuerpo)


if __name__ == "__main__":
    main()
