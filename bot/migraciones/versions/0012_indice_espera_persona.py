"""índice parcial de lo que espera a una persona de REST o del chat web

Cada mensaje de la persona pregunta si algo la espera (la respuesta de un asesor, un aviso):
con el índice, esa pregunta no recorre toda su conversación.

Revision ID: 0012_espera_persona
Revises: 0011_cabildo_prevista
Create Date: 2026-12-03 14:00:00
"""
import sqlalchemy as sa
from alembic import op


revision = '0012_espera_persona'
down_revision = '0011_cabildo_prevista'
branch_labels = None
depends_on = None

ESPERAN_A_LA_PERSONA = ("direccion = 'salida' AND envio = 'pendiente' "
                        "AND responde_a_id IS NULL")


def upgrade() -> None:
    op.create_index('ix_mensaje_espera_persona', 'mensaje', ['conversacion_id', 'id'],
                    unique=False, sqlite_where=sa.text(ESPERAN_A_LA_PERSONA),
                    postgresql_where=sa.text(ESPERAN_A_LA_PERSONA))


def downgrade() -> None:
    op.drop_index('ix_mensaje_espera_persona', table_name='mensaje')
