"""audiencia de los eventos de un caso: la persona o solo el equipo

Una nota interna de un asesor salía, palabra por palabra, en el seguimiento que ve la persona,
en la ficha PDF y en «mis datos». Cada evento dice ahora quién lo puede ver: `persona` (la
persona que registró el caso, y el equipo) o `equipo` (solo asesores, coordinaciones y SRE).
Lo de omisión es `equipo`. Los eventos que ya existen se clasifican por su tipo, como los crea
el código: los del trámite (registro, estatus, documentos recibidos, comité) son de la
persona; las notas, los traspasos (solicitud, toma, primera respuesta, cierre) y el SLA, del
equipo. La lista va escrita aquí, no importada: la migración no cambia si cambia el código.

Revision ID: 0007_audiencia
Revises: 0005_por_conversacion
Create Date: 2026-11-25 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_audiencia'
down_revision = '0006_estados'
branch_labels = None
depends_on = None

TIPOS_DE_LA_PERSONA = ('creado', 'estatus', 'documento', 'comite')


def upgrade() -> None:
    with op.batch_alter_table('evento_caso', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audiencia', sa.String(length=8), nullable=False,
                                      server_default='equipo'))
    tipos = ", ".join(f"'{t}'" for t in TIPOS_DE_LA_PERSONA)
    op.execute(f"UPDATE evento_caso SET audiencia = 'persona' WHERE tipo IN ({tipos})")


def downgrade() -> None:
    with op.batch_alter_table('evento_caso', schema=None) as batch_op:
        batch_op.drop_column('audiencia')
