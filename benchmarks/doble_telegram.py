"""Arranca el doble de la Bot API de Telegram (tests/dobles/telegram_falso.py) en su propio
proceso, para que los envíos de la app no compitan con el generador de carga.

Imprime una línea JSON con `url_api` y `token`, y corre hasta recibir SIGTERM; al salir
imprime otra con los envíos recibidos por método.
Uso interno de benchmarks/carga.py: .venv/bin/python -m benchmarks.doble_telegram
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from collections import Counter

from benchmarks.comun import DIR_TESTS


def main() -> None:
    sys.path.insert(0, str(DIR_TESTS))
    from dobles.telegram_falso import TelegramFalso

    doble = TelegramFalso().iniciar()
    fin = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: fin.set())
    print(json.dumps({"url_api": doble.url_api, "token": doble.token}), flush=True)
    fin.wait()
    with doble._candado:  # noqa: SLF001 - lectura al final, con el candado del doble
        metodos = Counter(f"{c.metodo}:{c.codigo}" for c in doble.llamadas)
    doble.detener()
    print(json.dumps({"llamadas": dict(metodos)}), flush=True)


if __name__ == "__main__":
    main()
