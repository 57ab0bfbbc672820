"""Configuración desde variables de entorno (y un `.env` opcional), validada al arrancar.

Un solo `Ajustes`, con una sección tipada por canal (`ajustes.telegram.token`,
`ajustes.whatsapp.phone_id`). Las variables siguen siendo planas: la sección es el prefijo y
el resto, el campo (`TELEGRAM_WEBHOOK_SECRET` → `telegram.webhook_secret`), porque el
separador de secciones es «_» y se parte solo una vez (`env_nested_max_split=1`).

`ejemplo_env()` escribe el `.env.example` (cada variable con su valor por omisión y su
descripción) y `tabla_markdown()` la tabla de la configuración del README; una prueba
compara ambos con lo que hay en el repositorio.
"""

from __future__ import annotations

import textwrap
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal, NamedTuple

from pydantic import AfterValidator, BaseModel, Field
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, SettingsConfigDict

RAIZ = Path(__file__).resolve().parent.parent


def _desde_la_raiz(ruta: Path) -> Path:
    """Una ruta relativa de un archivo de datos del proyecto, desde la raíz del proyecto."""
    return ruta if ruta.is_absolute() else RAIZ / ruta


class AjustesTelegram(BaseModel):
    """Los ajustes del canal Telegram (TELEGRAM_*).

    Es una sección de `Ajustes` (no lee el entorno por sí sola): úsela como
    `ajustes().telegram`."""

    token: str = Field(default="", description="Token de @BotFather; sin él el canal no "
                       "arranca.")
    modo: Literal["polling", "webhook", "no"] = Field(
        default="polling", description="polling (sondeo), webhook o no (canal apagado aunque "
        "haya token).")
    webhook_secret: str = Field(
        default="", description="Obligatorio en modo webhook: 16 a 256 caracteres (letras, "
        "números, _ o -); el servidor se niega a arrancar con uno vacío o de ejemplo. Genere "
        "uno con: python -c \"import secrets; print(secrets.token_urlsafe(32))\"")
    webhook_url: str = Field(
        default="", description="Opcional: si se da en modo webhook, el servidor registra el "
        "webhook al arrancar.")
    api_url: str = Field(
        default="https://api.telegram.org/bot", description="Base de la Bot API (la pública, "
        "un servidor propio como http://servidor:8081/bot o, en las pruebas, su doble).")
    api_file_url: str = Field(
        default="", description="Base de descargas; vacía, se deduce de TELEGRAM_API_URL "
        "(…/file/bot).")
    ritmo_chat_s: float = Field(default=1.0, description="Segundos entre mensajes a un mismo "
                                "chat.")
    global_por_s: float = Field(
        default=25.0, description="Mensajes por segundo en total, bajo el límite de ~30 (con N "
        "procesos, ≈ 25/N).")
    reintentos: int = Field(default=3, description="Reintentos tras un 429 (se espera lo que "
                            "indique retry_after).")


class AjustesWhatsApp(BaseModel):
    """Los ajustes del canal WhatsApp (WHATSAPP_*).

    Es una sección de `Ajustes` (no lee el entorno por sí sola): úsela como
    `ajustes().whatsapp`."""

    phone_id: str = Field(default="", description="Phone number ID del número de WhatsApp "
                          "Business; con él y WHATSAPP_TOKEN, el canal arranca.")
    token: str = Field(default="", description="Token de acceso (en producción, el permanente "
                       "de un usuario del sistema del Business Manager).")
    app_secret: str = Field(
        default="", description="Secreto de la app: valida X-Hub-Signature-256 de cada entrega "
        "(obligatorio, al menos 8 caracteres, no vacío ni de ejemplo).")
    verify_token: str = Field(
        default="", description="Texto que usted inventa para la verificación del webhook "
        "(obligatorio, al menos 8 caracteres).")
    api_url: str = Field(default="https://graph.facebook.com",
                         description="Base de la Graph API (las pruebas apuntan a su doble).")
    version_api: str = Field(default="22.0", description="Versión de la Graph API.")
    plantilla_aviso: str = Field(
        default="", description="Plantilla aprobada para avisos fuera de la ventana de 24 h "
        "(sin ella, esos avisos no salen).")
    plantilla_respuesta_asesor: str = Field(
        default="", description="Plantilla para la respuesta de un asesor fuera de la ventana "
        "(vacía: la de aviso).")
    plantilla_cambio_estatus: str = Field(
        default="", description="Plantilla para un cambio de estatus de caso fuera de la "
        "ventana (vacía: la de aviso).")
    plantilla_idioma: str = Field(default="es_MX", description="Idioma de las plantillas.")
    plantilla_con_texto: bool = Field(
        default=True, description="true si la plantilla tiene un parámetro {{1}} para el texto "
        "del mensaje.")
    ritmo_usuario_s: float = Field(default=0.5, description="Segundos entre mensajes a un "
                                   "mismo usuario.")
    global_por_s: float = Field(default=70.0, description="Mensajes por segundo en total.")

    def plantilla(self, clave: str | None) -> str:
        """El nombre de la plantilla aprobada para `clave` (respuesta_asesor, cambio_estatus…);
        un nombre que no es clave se usa tal cual; sin clave, la de aviso general."""
        configuradas = {"aviso": self.plantilla_aviso,
                        "respuesta_asesor": self.plantilla_respuesta_asesor,
                        "cambio_estatus": self.plantilla_cambio_estatus}
        if not clave:
            return self.plantilla_aviso
        if clave in configuradas:
            return configuradas[clave] or self.plantilla_aviso
        return clave


class Ajustes(BaseSettings):
    """Todos los ajustes del asistente. Cada uno se fija con la variable del mismo nombre en
    mayúsculas; los de una sección, con la sección delante (`telegram.token`:
    TELEGRAM_TOKEN)."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore",
                                      env_nested_delimiter="_", env_nested_max_split=1)

    database_url: str = Field(
        default=f"sqlite:///{RAIZ / 'var' / 'hermanamientos.db'}",
        description="Almacén central (URL de SQLAlchemy). SQLite por omisión (modo WAL); con "
        "postgresql://usuario:clave@servidor:5432/hermanamientos la aplicación usa asyncpg y "
        "las migraciones psycopg 3 (la misma URL; sslmode y connect_timeout se traducen para "
        "asyncpg).")
    host: str = Field(default="127.0.0.1", description="Dirección en la que escucha la "
                      "aplicación.")
    port: int = Field(default=8000, description="Puerto en el que escucha la aplicación.")

    nlu_url: str = Field(
        default="http://127.0.0.1:5005", description="Servidor NLU (Rasa 3.6, en su propio "
        "entorno); varias réplicas, separadas por comas.")
    nlu_token: str = Field(default="cambie-este-token-nlu", description="Token del servidor "
                           "NLU (escucha solo en 127.0.0.1).")
    nlu_timeout_s: float = Field(default=0.8, description="Espera máxima por un análisis del "
                                 "NLU, en segundos.")
    nlu_cache: int = Field(
        default=2048, description="Análisis del NLU recordados por proceso (0: sin caché; los "
        "benchmarks contra Rasa la apagan para medir el peor caso).")
    nlu_confianza_minima: float = Field(default=0.55, description="Confianza mínima para "
                                        "tomar el intent que da el NLU.")

    documentos_dir: Path = Field(default=RAIZ / "var" / "documentos",
                                 description="Carpeta de los archivos recibidos y generados.")
    documento_max_bytes: int = Field(default=10 * 1024 * 1024, description="Tamaño máximo de "
                                     "un archivo recibido, en bytes (10 MiB).")

    bandeja_barrido_s: float = Field(
        default=60.0, description="Cada cuántos segundos se buscan respuestas de "
        "Telegram/WhatsApp que quedaron sin enviar (p. ej. tras una caída); 0: solo al arrancar "
        "el canal.")
    panel_secreto: str = Field(default="", description="Secreto para firmar las cookies de "
                               "sesión del panel de asesores (obligatorio en producción).")
    retencion_dias: int = Field(default=365, description="Días tras los que se anonimizan las "
                                "conversaciones inactivas sin caso.")
    identificadores_secreto: str = Field(
        default="", description="Secreto del HMAC-SHA256 con que se guardan los ids de "
        "WhatsApp (el número y los ids de mensaje) en vez del número mismo. Vacío: uno "
        "aleatorio guardado en var/secreto_identificadores. Con varias máquinas, fíjelo igual "
        "en todas; si cambia, cada persona de WhatsApp aparece como nueva.")
    sla_primera_respuesta_min: int = Field(default=30, description="Minutos hábiles para la "
                                           "primera respuesta de un asesor.")
    traspaso_acuse_min: int = Field(
        default=10, description="Mientras una persona atiende: minutos sin escribir tras los "
        "que el siguiente mensaje recibe el acuse completo («Le hice llegar su mensaje a…»); "
        "antes, solo una confirmación breve.")
    directorio_oficinas: Annotated[Path, AfterValidator(_desde_la_raiz)] = Field(
        default=RAIZ / "bot" / "escalamiento" / "datos" / "directorio_oficinas.yaml",
        description="Directorio público de las oficinas estatales de enlace (YAML por clave "
        "INEGI: oficina, teléfono, correo, horario); se muestra cuando no hay quién atienda "
        "por el chat. Una ruta relativa es relativa a la raíz del proyecto.")
    zona_horaria: str = Field(
        default="America/Mexico_City", description="Zona horaria (IANA) de la oficina: el «hoy» "
        "de los trámites, el horario de atención de los estados que no fijan otro y las fechas "
        "que se muestran.")

    telegram: AjustesTelegram = Field(
        default_factory=AjustesTelegram,
        description="Telegram (python-telegram-bot). Sin TELEGRAM_TOKEN, el canal está apagado.")
    whatsapp: AjustesWhatsApp = Field(
        default_factory=AjustesWhatsApp, description="WhatsApp Cloud API (pywa). Con "
        "WHATSAPP_PHONE_ID y WHATSAPP_TOKEN, el canal arranca.")

    rest_token: str = Field(default="", description=(
        "Token que exige POST /webhooks/rest/webhook en «Authorization: Bearer …». Vacío: el "
        "canal REST queda abierto, solo para desarrollo local."))
    limite_mensajes_por_minuto: int = Field(default=60, ge=0, description=(
        "Mensajes por minuto de un mismo remitente (REST y chat web); 0 lo apaga."))
    limite_remitentes_nuevos_por_hora: int = Field(default=30, ge=0, description=(
        "Remitentes nuevos por hora desde una misma IP (chat web y REST sin token); 0 lo apaga."))
    forwarded_allow_ips: str = Field(default="", description=(
        "IPs de los proxies de confianza (separadas por comas) cuyas cabeceras X-Forwarded-For "
        "y X-Forwarded-Proto se creen. Vacío: ninguna, la IP es la de la conexión."))
    documentacion_api: bool = Field(default=False, description=(
        "Publica /openapi.json y /docs (apagado: no se anuncia la API)."))


@lru_cache
def ajustes() -> Ajustes:
    """Los ajustes del proceso (se leen una vez)."""
    return Ajustes()


# --- El .env de ejemplo y la tabla del README, generados de las clases de arriba ---

class Variable(NamedTuple):
    """Una variable de entorno: nombre, valor por omisión (como texto) y para qué sirve."""

    nombre: str
    omision: str
    descripcion: str


class Seccion(NamedTuple):
    """Un grupo de variables (el general o el de una sección) con su título."""

    titulo: str
    variables: list[Variable]


def _como_texto(valor: object) -> str:
    """El valor como va en el .env (rutas del proyecto relativas a su raíz)."""
    if isinstance(valor, bool):
        return "true" if valor else "false"
    if isinstance(valor, float) and valor.is_integer():
        return str(int(valor))
    if isinstance(valor, Path) and valor.is_relative_to(RAIZ):
        return valor.relative_to(RAIZ).as_posix()
    return str(valor).replace(f"{RAIZ.as_posix()}/", "")


def _variable(nombre: str, campo: FieldInfo) -> Variable:
    return Variable(nombre.upper(), _como_texto(campo.get_default(call_default_factory=True)),
                    campo.description or "")


def secciones() -> list[Seccion]:
    """Las variables de `Ajustes`: las generales y luego las de cada sección (canal)."""
    generales: list[Variable] = []
    propias: list[Seccion] = []
    for nombre, campo in Ajustes.model_fields.items():
        tipo = campo.annotation
        if isinstance(tipo, type) and issubclass(tipo, BaseModel):
            propias.append(Seccion(campo.description or nombre, [
                _variable(f"{nombre}_{interno}", subcampo)
                for interno, subcampo in tipo.model_fields.items()]))
        else:
            generales.append(_variable(nombre, campo))
    return [Seccion("Generales.", generales), *propias]


def _comentario(texto: str, ancho: int = 96) -> list[str]:
    return textwrap.wrap(texto, ancho - 2, initial_indent="# ", subsequent_indent="# ",
                         break_on_hyphens=False, break_long_words=False)


def ejemplo_env() -> str:
    """El `.env.example`: cada variable con su descripción y su valor por omisión."""
    lineas = _comentario(
        "Ajustes del asistente: copie este archivo a .env (o exporte las variables) y cambie "
        "lo necesario. Todo tiene un valor por omisión para correr en una sola máquina; los "
        "canales públicos exigen sus secretos. Las rutas por omisión se muestran relativas a "
        "la raíz del proyecto (sin la variable, se toman de ahí).")
    lineas += _comentario(
        "Generado de bot/config.py con «hermanamientos ajustes > .env.example»: no lo edite a "
        "mano (una prueba lo compara).")
    for seccion in secciones():
        lineas += ["", "", *_comentario(f"== {seccion.titulo}")]
        for variable in seccion.variables:
            lineas += ["", *_comentario(variable.descripcion),
                       f"{variable.nombre}={variable.omision}"]
    return "\n".join(lineas) + "\n"


def tabla_markdown() -> str:
    """La tabla de la configuración del README (la misma información que `ejemplo_env`)."""
    filas = ["| variable | por omisión | para qué |", "|---|---|---|"]
    for seccion in secciones():
        for v in seccion.variables:
            omision = f"`{v.omision}`" if v.omision else "vacío"
            filas.append(f"| `{v.nombre}` | {omision} | {v.descripcion} |")
    return "\n".join(filas) + "\n"
