"""índice parcial de las salidas que esperan en la bandeja

Revision ID: 0004_por_enviar
Revises: 0003_intentos_acceso
Create Date: 2026-11-24 15:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_por_enviar'
down_revision = '0003_intentos_acceso'
branch_labels = None
depends_on = None

POR_ENVIAR = "direccion = 'salida' AND (envio IS NULL OR envio = 'reintentar')"


def upgrade() -> None:
    op.create_index('ix_mensaje_por_enviar', 'mensaje', ['conversacion_id'], unique=False,
                    sqlite_where=sa.text(POR_ENVIAR), postgresql_where=sa.text(POR_ENVIAR))


def downgrade() -> None:
    op.drop_index('ix_mensaje_por_enviar', table_name='mensaje')
