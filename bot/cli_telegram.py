"""Órdenes `hermanamientos telegram` (sondeo, sin servidor HTTP) y
`hermanamientos telegram webhook --url URL` (registra el webhook con el secreto)."""

from __future__ import annotations

import asyncio
import signal

import typer

from bot import registro
from bot.arranque import preparar_base
from bot.config import ajustes
from bot.servicios import crear_servicios

telegram_app = typer.Typer(help="Canal Telegram: sondeo o registro del webhook.",
                           invoke_without_command=True)


@telegram_app.callback(invoke_without_command=True)
def telegram(ctx: typer.Context) -> None:
    """Atiende Telegram por sondeo (getUpdates) hasta Ctrl-C. Requiere TELEGRAM_TOKEN."""
    if ctx.invoked_subcommand is not None:
        return
    from bot.canales.telegram.canal import CanalTelegram

    config = ajustes()
    if not config.telegram.token:
        typer.echo("Falta TELEGRAM_TOKEN (el token que da @BotFather).", err=True)
        raise typer.Exit(2)
    registro.configurar()
    preparar_base()

    async def correr() -> None:
        servicios = crear_servicios(config)
        sondeo = config.telegram.model_copy(update={"modo": "polling"})
        canal = CanalTelegram(servicios, config.model_copy(update={"telegram": sondeo}))
        alto = asyncio.Event()
        bucle = asyncio.get_running_loop()
        for senal in (signal.SIGINT, signal.SIGTERM):
            bucle.add_signal_handler(senal, alto.set)
        try:
            await servicios.motor.reanudar_documentos()
            await servicios.motor.procesar_pendientes_todas()
            await canal.iniciar()
            typer.echo("Telegram por sondeo en marcha; Ctrl-C para salir.")
            await alto.wait()
        finally:
            await canal.detener()
            await servicios.cerrar()

    asyncio.run(correr())


@telegram_app.command("webhook")
def webhook(
    url: str = typer.Option("", "--url", help="URL pública https://…/telegram/webhook"),
    borrar: bool = typer.Option(False, "--borrar", help="Quita el webhook (vuelve al sondeo)."),
) -> None:
    """Registra en Telegram el webhook con TELEGRAM_WEBHOOK_SECRET (o lo quita con --borrar)."""
    from telegram import Bot

    from bot.canales.telegram.ajustes import (
        ErrorConfiguracionTelegram,
        url_archivos,
        validar_secreto,
    )
    from bot.canales.telegram.canal import ACTUALIZACIONES

    config = ajustes()
    if not config.telegram.token:
        typer.echo("Falta TELEGRAM_TOKEN (el token que da @BotFather).", err=True)
        raise typer.Exit(2)
    if not borrar and not url:
        typer.echo("Indique --url (o --borrar).", err=True)
        raise typer.Exit(2)
    try:
        secreto = "" if borrar else validar_secreto(config.telegram.webhook_secret)
    except ErrorConfiguracionTelegram as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from error

    async def registrar() -> None:
        tg = config.telegram
        bot = Bot(tg.token, base_url=tg.api_url, base_file_url=url_archivos(tg.api_url))
        async with bot:
            if borrar:
                await bot.delete_webhook()
            else:
                await bot.set_webhook(url, secret_token=secreto, allowed_updates=ACTUALIZACIONES)

    asyncio.run(registrar())
    typer.echo("Webhook quitado." if borrar else f"Webhook registrado en {url}.")
