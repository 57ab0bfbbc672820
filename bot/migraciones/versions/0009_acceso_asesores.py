"""acceso de asesores: sesiones revocables, códigos de vinculación que vencen, bloqueos con
espera creciente y traspasos con el estado de su caso

- `asesor.sesion_version`: va en la cookie del panel; «Salir» la sube y las cookies
  anteriores dejan de valer.
- `asesor.codigo_vinculacion_vence`: el código de `/vincular` vale 24 h. Los códigos que ya
  existían no tenían fecha: se borran (se pide otro con `hermanamientos asesores codigo`).
- `bloqueo_acceso`: fallos seguidos por clave (cuenta e IP del panel, cuenta desde
  dispositivos desconocidos, cuenta de Telegram que prueba códigos) y el momento del último.
- Los traspasos con caso quedan en el estado del caso (antes tomaban el del perfil de la
  persona, que puede ser otro): así los ve la oficina que atiende ese caso.

Revision ID: 0009_acceso
Revises: 0008_trabajos_documentos
Create Date: 2026-11-25 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_acceso'
down_revision = '0008_trabajos_documentos'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('asesor', schema=None) as batch_op:
        batch_op.add_column(sa.Column('codigo_vinculacion_vence', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('sesion_version', sa.Integer(), nullable=False,
                                      server_default=sa.text('0')))
    op.create_table('bloqueo_acceso',
    sa.Column('clave', sa.String(length=64), nullable=False),
    sa.Column('fallos', sa.Integer(), nullable=False),
    sa.Column('ultimo', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('clave')
    )
    with op.batch_alter_table('bloqueo_acceso', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bloqueo_acceso_ultimo'), ['ultimo'], unique=False)
    op.execute("UPDATE asesor SET codigo_vinculacion = NULL")
    op.execute("UPDATE escalamiento SET estado_id = "
               "(SELECT caso.estado_id FROM caso WHERE caso.id = escalamiento.caso_id) "
               "WHERE caso_id IS NOT NULL")


def downgrade() -> None:
    # El estado de los traspasos no se regresa: el del caso es el correcto.
    with op.batch_alter_table('bloqueo_acceso', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bloqueo_acceso_ultimo'))
    op.drop_table('bloqueo_acceso')
    with op.batch_alter_table('asesor', schema=None) as batch_op:
        batch_op.drop_column('sesion_version')
        batch_op.drop_column('codigo_vinculacion_vence')
