"""consentimiento y borrado: ids de WhatsApp seudónimos y consentimiento del traspaso

- `usuario.numero_whatsapp`: el número para escribirle a la persona, aparte de su llave. En
  `usuario.id_externo` ya no va el número sino su HMAC-SHA256; el borrado vacía esta columna.
- `escalamiento.compartir_aceptado_en`: cuándo aceptó compartir la conversación con la oficina
  quien no había dado su consentimiento general.
- Datos: los usuarios de WhatsApp ya guardados pasan el número a `numero_whatsapp` y su llave a
  HMAC; los ids de mensaje de WhatsApp (el «wamid», que lleva el número en base64) también
  pasan a HMAC. La cuenta está copiada de bot/privacidad/identificadores.py (y no importada)
  para que la migración no cambie si cambia el código; el secreto es el mismo de los ajustes
  (IDENTIFICADORES_SECRETO o var/secreto_identificadores).

Al deshacerla, la llave del usuario vuelve a ser su número (si aún se tiene); los ids de
mensaje se quedan como HMAC (no se pueden recuperar, y solo sirven para reconocer reenvíos).

Revision ID: 0010_borrado
Revises: 0009_acceso
Create Date: 2026-11-26 10:00:00
"""
import hashlib
import hmac
import re
import secrets

import sqlalchemy as sa
from alembic import op


revision = '0010_borrado'
down_revision = '0009_acceso'
branch_labels = None
depends_on = None

_SEUDONIMO = re.compile(r"^[0-9a-f]{64}$")
_LOTE = 1000


def _secreto() -> bytes:
    from bot.config import RAIZ, ajustes

    configurado = ajustes().identificadores_secreto
    if configurado:
        return configurado.encode("utf-8")
    archivo = RAIZ / "var" / "secreto_identificadores"
    if not archivo.exists():
        archivo.parent.mkdir(parents=True, exist_ok=True)
        archivo.write_text(secrets.token_hex(32))
        archivo.chmod(0o600)
    return archivo.read_text().strip().encode("utf-8")


def _seudonimo(clave: bytes, dominio: str, valor: str) -> str:
    return hmac.new(clave, f"{dominio}:{valor}".encode(), hashlib.sha256).hexdigest()


def _por_lotes(conexion: sa.Connection, sql: str, filas: list[dict[str, object]]) -> None:
    for i in range(0, len(filas), _LOTE):
        conexion.execute(sa.text(sql), filas[i:i + _LOTE])


def upgrade() -> None:
    with op.batch_alter_table('usuario', schema=None) as batch_op:
        batch_op.add_column(sa.Column('numero_whatsapp', sa.String(length=32), nullable=True))
    with op.batch_alter_table('escalamiento', schema=None) as batch_op:
        batch_op.add_column(sa.Column('compartir_aceptado_en', sa.DateTime(timezone=True),
                                      nullable=True))

    conexion = op.get_bind()
    usuarios = [(i, e) for i, e in conexion.execute(sa.text(
        "SELECT id, id_externo FROM usuario WHERE canal = 'whatsapp'")).all()
        if e and not _SEUDONIMO.match(e) and not e.startswith("anonimo-")]
    mensajes = [(i, e) for i, e in conexion.execute(sa.text(
        "SELECT id, id_externo FROM mensaje WHERE canal = 'whatsapp' "
        "AND id_externo IS NOT NULL")).all() if not _SEUDONIMO.match(e)]
    if not usuarios and not mensajes:
        return
    clave = _secreto()
    _por_lotes(conexion, "UPDATE usuario SET numero_whatsapp = :numero, id_externo = :llave "
                         "WHERE id = :id",
               [{"id": i, "numero": e[:32], "llave": _seudonimo(clave, "whatsapp-usuario", e)}
                for i, e in usuarios])
    _por_lotes(conexion, "UPDATE mensaje SET id_externo = :llave WHERE id = :id",
               [{"id": i, "llave": _seudonimo(clave, "whatsapp-mensaje", e)}
                for i, e in mensajes])


def downgrade() -> None:
    conexion = op.get_bind()
    conexion.execute(sa.text(
        "UPDATE usuario SET id_externo = numero_whatsapp "
        "WHERE canal = 'whatsapp' AND numero_whatsapp IS NOT NULL"))
    with op.batch_alter_table('escalamiento', schema=None) as batch_op:
        batch_op.drop_column('compartir_aceptado_en')
    with op.batch_alter_table('usuario', schema=None) as batch_op:
        batch_op.drop_column('numero_whatsapp')
