"""La orden `hermanamientos` y sus subórdenes."""

from __future__ import annotations

import asyncio
import getpass
import ipaddress
import json
import logging

import typer

from bot import __version__
from bot.arranque import preparar_base
from bot.cli_telegram import telegram_app
from bot.config import Ajustes, ajustes
from bot.conocimiento.cli import conocimiento_app
from bot.escalamiento.cli import asesores_app
from bot.flujos.cli import flujos_app
from bot.nlu.cli import nlu_app
from bot.privacidad.cli import privacidad_app

app = typer.Typer(help="Asistente del Programa Mexicano de Ciudades Hermanas.",
                  no_args_is_help=True, add_completion=False)
catalogos_app = typer.Typer(help="Catálogo INEGI de estados y municipios.", no_args_is_help=True)
app.add_typer(catalogos_app, name="catalogos")


@app.command()
def version() -> None:
    """Muestra la versión."""
    typer.echo(__version__)


@app.command("ajustes")
def ajustes_de_ejemplo(
    markdown: bool = typer.Option(False, "--markdown", help="La tabla del README, no el .env."),
) -> None:
    """Escribe cada variable de entorno con su valor por omisión y para qué sirve
    (`hermanamientos ajustes > .env.example`)."""
    from bot.config import ejemplo_env, tabla_markdown

    typer.echo(tabla_markdown() if markdown else ejemplo_env(), nl=False)


@app.command()
def migrar() -> None:
    """Aplica las migraciones pendientes a la base de datos (DATABASE_URL)."""
    from bot.db.migrar import migrar as aplicar

    aplicar(ajustes().database_url)
    typer.echo("Base de datos al día.")


@catalogos_app.command("cargar")
def catalogos_cargar() -> None:
    """Carga los 32 estados y 2,478 municipios (se puede correr varias veces)."""
    r = preparar_base()
    typer.echo(f"Catálogo cargado: {r.estados_nuevos} estados y {r.municipios_nuevos} "
               f"municipios nuevos, {r.actualizados} actualizados.")


@catalogos_app.command("buscar")
def catalogos_buscar(texto: str) -> None:
    """Busca un municipio como lo escribiría una persona (prueba del buscador)."""
    from bot.catalogos.busqueda import catalogo

    encontrados = catalogo().buscar_municipio(texto)
    if not encontrados:
        typer.echo("No encontré ese municipio.")
    for m in encontrados:
        typer.echo(f"{m.clave_inegi}  {m.etiqueta}  ({m.puntaje:.0f})")


TOKENS_DE_EJEMPLO = {"", "cambie-este-token-nlu", "cambie-este-token-rest", "cambie-este-token",
                     "changeme", "token", "secret", "secreto"}
"""Valores que no protegen nada: el de `.env.example` y los de siempre."""


def _es_local(host: str) -> bool:
    """¿Escucha solo en esta máquina (127.0.0.0/8, ::1, localhost)?"""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # un nombre: puede resolver a cualquier interfaz
        return False


def revisar_exposicion(config: Ajustes, host: str) -> list[str]:
    """Fuera de 127.0.0.1, los problemas que impiden arrancar (tokens de ejemplo); el canal
    REST sin REST_TOKEN solo se advierte en la bitácora."""
    if _es_local(host):
        return []
    problemas = []
    if config.nlu_token.strip().lower() in TOKENS_DE_EJEMPLO:
        problemas.append(
            f"NLU_TOKEN tiene el valor de ejemplo y la aplicación escucharía en {host}, fuera "
            "de esta máquina: el asistente no arranca así. Ponga un token propio en NLU_TOKEN, "
            "p. ej. el que da: python -c \"import secrets; print(secrets.token_urlsafe(32))\"")
    if not config.rest_token:
        logging.getLogger("bot.cli").warning(
            f"El canal REST (/webhooks/rest/webhook) queda abierto en {host} sin REST_TOKEN: "
            "cualquiera puede escribir como cualquier «sender» y leer sus datos. Es solo para "
            "desarrollo local; fuera de esta máquina ponga REST_TOKEN.")
    elif config.rest_token.strip().lower() in TOKENS_DE_EJEMPLO or len(config.rest_token) < 16:
        problemas.append(
            f"REST_TOKEN es el de ejemplo o tiene menos de 16 caracteres y la aplicación "
            f"escucharía en {host}: el asistente no arranca así. Ponga uno propio, p. ej. el "
            "que da: python -c \"import secrets; print(secrets.token_urlsafe(32))\"")
    return problemas


@app.command()
def servir(
    host: str = typer.Option(None, help="Dirección (por omisión HOST o 127.0.0.1)."),
    port: int = typer.Option(None, help="Puerto (por omisión PORT o 8000)."),
    sin_nlu: bool = typer.Option(False, "--sin-nlu", help="No arrancar el servidor NLU."),
    workers: int = typer.Option(
        1, help="Procesos de la aplicación (más de 1 requiere PostgreSQL)."
    ),
    bitacora: str = typer.Option(
        "INFO", help="Nivel de la bitácora JSON en stderr (make run usa WARNING: solo avisos "
        "y errores)."
    ),
) -> None:
    """Migra, carga catálogos, arranca el NLU si hay modelo y sirve la aplicación.

    Cuando ya atiende, lo dice en una línea con la dirección. Ctrl-C la detiene en orden
    (con código 0)."""
    import socket

    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from bot import registro
    from bot.app import crear_app
    from bot.arranque import iniciar_dependencias
    from bot.db.sesion import es_sqlite

    if bitacora.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise typer.BadParameter("use DEBUG, INFO, WARNING o ERROR", param_hint="--bitacora")
    registro.configurar(bitacora.upper())
    config = ajustes()
    host = host or config.host
    problemas = revisar_exposicion(config, host)
    for problema in problemas:
        typer.echo(problema, err=True)
    if problemas:
        raise typer.Exit(2)
    if workers > 1 and es_sqlite(config.database_url):
        typer.echo("Con SQLite se usa un solo proceso. Para varios, use PostgreSQL "
                   "(DATABASE_URL=postgresql://…).", err=True)
        raise typer.Exit(2)
    port = port or config.port
    direccion = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
    listo = f"Asistente listo en {direccion} (Ctrl-C para detener)"

    class Servidor(uvicorn.Server):
        """uvicorn (que a nivel warning no escribe nada al arrancar) y una línea al atender."""

        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if self.started:
                typer.echo(listo)

    preparar_base()
    detener = iniciar_dependencias(config, con_nlu=not sin_nlu)
    # X-Forwarded-For/-Proto solo de los proxies de FORWARDED_ALLOW_IPS (vacío: de nadie; la
    # IP del cliente es la de la conexión y con ella se cuentan los límites).
    con_proxy = bool(config.forwarded_allow_ips)
    proxies = config.forwarded_allow_ips or None
    try:
        if workers > 1:
            # Como uvicorn.run: este proceso abre el puerto y los N procesos atienden en
            # cuanto arrancan (mientras, las conexiones esperan en la cola del puerto).
            varios = uvicorn.Config("bot.app:crear_app", factory=True, workers=workers,
                                    host=host, port=port, log_level="warning", access_log=False,
                                    proxy_headers=con_proxy, forwarded_allow_ips=proxies)
            puerto_abierto = varios.bind_socket()
            typer.echo(listo)
            Multiprocess(varios, sockets=[puerto_abierto]).run()
        else:
            Servidor(uvicorn.Config(crear_app(config), host=host, port=port,
                                    log_level="warning", access_log=False,
                                    proxy_headers=con_proxy, forwarded_allow_ips=proxies)).run()
    except KeyboardInterrupt:
        pass  # uvicorn ya se detuvo en orden y repite el Ctrl-C al salir
    finally:
        detener()


@app.command()
def chat(
    usuario: str = typer.Option("terminal", help="Id del usuario de la conversación."),
) -> None:
    """Conversa con el asistente desde la terminal (también lee de una tubería)."""
    from bot import registro
    from bot.canales.terminal import correr
    from bot.servicios import crear_servicios

    registro.configurar("ERROR")
    preparar_base()
    servicios = crear_servicios(ajustes())
    correr(servicios.motor, usuario, servicios.cerrar)


@app.command()
def salud() -> None:
    """Muestra el estado de la base de datos y del NLU."""
    from bot.salud import estado_salud
    from bot.servicios import crear_servicios

    async def consultar() -> dict[str, object]:
        servicios = crear_servicios(ajustes())
        try:
            return await estado_salud(servicios)
        finally:
            await servicios.cerrar()

    typer.echo(json.dumps(asyncio.run(consultar()), ensure_ascii=False, indent=2))


def leer_contrasena(desde_stdin: bool) -> str:
    """Contraseña pedida en la terminal (sin eco) o leída de la entrada estándar."""
    import sys

    if desde_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    primera = getpass.getpass("Contraseña: ")
    if primera != getpass.getpass("Repítala: "):
        raise typer.BadParameter("Las contraseñas no coinciden.")
    return primera


for _subordenes, _nombre in ((nlu_app, "nlu"), (conocimiento_app, "conocimiento"),
                            (flujos_app, "flujos"), (asesores_app, "asesores"),
                            (privacidad_app, "privacidad"), (telegram_app, "telegram")):
    app.add_typer(_subordenes, name=_nombre)


if __name__ == "__main__":
    app()
