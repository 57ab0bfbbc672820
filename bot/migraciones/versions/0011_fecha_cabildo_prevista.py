"""fecha prevista de la sesión de Cabildo

- `caso.fecha_cabildo_prevista`: cuando el Cabildo aún no aprueba la iniciativa, la fecha en
  que la persona dijo que sesionará («aún no, la sesión es el 15 de enero»). El oficio la usa
  en vez del hueco «[fecha prevista de la sesión de Cabildo]».

Revision ID: 0011_cabildo_prevista
Revises: 0010_borrado
Create Date: 2026-12-03 12:00:00
"""
import sqlalchemy as sa
from alembic import op


revision = '0011_cabildo_prevista'
down_revision = '0010_borrado'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("caso") as tabla:
        tabla.add_column(sa.Column("fecha_cabildo_prevista", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("caso") as tabla:
        tabla.drop_column("fecha_cabildo_prevista")
