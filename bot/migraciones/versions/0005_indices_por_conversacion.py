"""índices por conversación en orden y de las entradas sin procesar

Con estadísticas tomadas cuando la tabla tenía pocas conversaciones, PostgreSQL buscaba «la
primera entrada sin procesar» y «¿hubo algo antes de este mensaje?» recorriendo la llave
primaria de `mensaje` entera. Con el id dentro del índice de la conversación y un índice
parcial de lo que falta procesar, esas consultas leen unas pocas páginas en cualquier caso.

Revision ID: 0005_por_conversacion
Revises: 0004_por_enviar
Create Date: 2026-11-24 18:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_por_conversacion'
down_revision = '0004_por_enviar'
branch_labels = None
depends_on = None

SIN_PROCESAR = "direccion = 'entrada' AND procesado_en IS NULL"
# PostgreSQL analiza una tabla tras 50 cambios (+10 %): en una base nueva que recibe muchos
# mensajes, esas primeras estadísticas (dos o tres conversaciones) engañan al planificador
# hasta el siguiente análisis. Sin estadísticas usa supuestos que eligen bien los índices; con
# estos umbrales el primer análisis ya ve decenas de conversaciones. En tablas grandes manda
# el 10 %, así que en producción no cambia nada más.
PRIMER_ANALISIS = {'mensaje': 2000, 'conversacion': 500, 'usuario': 500}


def upgrade() -> None:
    op.create_index('ix_mensaje_conversacion_orden', 'mensaje', ['conversacion_id', 'id'],
                    unique=False)
    op.create_index('ix_mensaje_sin_procesar', 'mensaje', ['conversacion_id', 'id'],
                    unique=False, sqlite_where=sa.text(SIN_PROCESAR),
                    postgresql_where=sa.text(SIN_PROCESAR))
    op.drop_index('ix_mensaje_conversacion_id', table_name='mensaje')
    op.drop_index('ix_mensaje_conversacion_pendiente', table_name='mensaje')
    if op.get_bind().dialect.name == 'postgresql':
        for tabla, umbral in PRIMER_ANALISIS.items():
            op.execute(f'ALTER TABLE {tabla} SET (autovacuum_analyze_threshold = {umbral})')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for tabla in PRIMER_ANALISIS:
            op.execute(f'ALTER TABLE {tabla} RESET (autovacuum_analyze_threshold)')
    op.create_index('ix_mensaje_conversacion_pendiente', 'mensaje',
                    ['conversacion_id', 'procesado_en'], unique=False)
    op.create_index('ix_mensaje_conversacion_id', 'mensaje', ['conversacion_id'], unique=False)
    op.drop_index('ix_mensaje_sin_procesar', table_name='mensaje')
    op.drop_index('ix_mensaje_conversacion_orden', table_name='mensaje')
