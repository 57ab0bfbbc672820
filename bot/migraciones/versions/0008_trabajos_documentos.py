"""trabajos de documentos durables y huella de los documentos generados

La ficha PDF y el oficio DOCX se generaban después de confirmar, sin dejar rastro: si el
proceso caía en esos 100–150 ms, el caso se quedaba sin ellos y un reintento del mismo
mensaje solo devolvía los textos. Ahora cada pedido deja una fila en `trabajo_documentos` en
la misma transacción que lo decide; queda `hecho` en la que guarda los documentos, y lo
`pendiente` se retoma al arrancar. Además, cada documento generado guarda la huella de los
datos del caso con que se hizo: si el caso no cambió, se reutiliza en vez de escribir otro.

Revision ID: 0008_trabajos_documentos
Revises: 0007_audiencia
Create Date: 2026-11-25 10:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008_trabajos_documentos'
down_revision = '0007_audiencia'
branch_labels = None
depends_on = None

PENDIENTE = "estado = 'pendiente'"


def upgrade() -> None:
    op.create_table('trabajo_documentos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('caso_id', sa.Integer(), nullable=False),
    sa.Column('mensaje_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('estado', sa.String(length=12), nullable=False),
    sa.Column('intentos', sa.Integer(), nullable=False),
    sa.Column('huella', sa.String(length=64), nullable=True),
    sa.Column('creado_en', sa.DateTime(timezone=True), nullable=False),
    sa.Column('terminado_en', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['caso_id'], ['caso.id'], ),
    sa.ForeignKeyConstraint(['mensaje_id'], ['mensaje.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('mensaje_id')
    )
    with op.batch_alter_table('trabajo_documentos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trabajo_documentos_caso_id'), ['caso_id'], unique=False)
        batch_op.create_index('ix_trabajo_documentos_pendiente', ['id'], unique=False,
                              sqlite_where=sa.text(PENDIENTE), postgresql_where=sa.text(PENDIENTE))
    with op.batch_alter_table('documento', schema=None) as batch_op:
        batch_op.add_column(sa.Column('huella', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('documento', schema=None) as batch_op:
        batch_op.drop_column('huella')
    with op.batch_alter_table('trabajo_documentos', schema=None) as batch_op:
        batch_op.drop_index('ix_trabajo_documentos_pendiente')
        batch_op.drop_index(batch_op.f('ix_trabajo_documentos_caso_id'))
    op.drop_table('trabajo_documentos')
