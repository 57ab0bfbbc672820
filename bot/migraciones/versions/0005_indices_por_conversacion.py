"""índices por conversación en orden y de las entradas sin procesar

Con estadísticas tomadas cuando la tabla tenía pocas conversaciones, PostgreSQL buscaba «la
primera entrada sin procesar» y «¿hubo algo antes de este mensaje?» recorriendo la llave
primaria de `mensaje` entera. Con el id dentro del índice de la conversación y un índice
parcial de lo que falta procesar, esas consultas van por índice. Además, el número de
conversaciones distintas en `mensaje` se fija proporcional a la tabla (unos 50 mensajes por
conversación), para que un análisis hecho con dos o tres conversaciones no haga creer que cada
una tiene la mitad de los mensajes. Y las respuestas del REST y de la terminal, que salen en la
respuesta misma, dejan el índice de lo por enviar (`en_respuesta`).

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
# Negativo: una fracción de las filas (PostgreSQL la escala con el tamaño de la tabla). Manda
# sobre lo que estime ANALYZE, que en una base nueva ve muy pocas conversaciones.
CONVERSACIONES_POR_MENSAJE = -0.02
RESPUESTAS_YA_ENTREGADAS = ("direccion = 'salida' AND autor = 'bot' AND canal IN "
                            "('rest', 'terminal')")


def upgrade() -> None:
    op.create_index('ix_mensaje_conversacion_orden', 'mensaje', ['conversacion_id', 'id'],
                    unique=False)
    op.create_index('ix_mensaje_sin_procesar', 'mensaje', ['conversacion_id', 'id'],
                    unique=False, sqlite_where=sa.text(SIN_PROCESAR),
                    postgresql_where=sa.text(SIN_PROCESAR))
    op.drop_index('ix_mensaje_conversacion_id', table_name='mensaje')
    op.drop_index('ix_mensaje_conversacion_pendiente', table_name='mensaje')
    op.execute(f"UPDATE mensaje SET envio = 'en_respuesta' "
               f"WHERE envio IS NULL AND {RESPUESTAS_YA_ENTREGADAS}")
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE mensaje ALTER COLUMN conversacion_id '
                   f'SET (n_distinct = {CONVERSACIONES_POR_MENSAJE})')
        op.execute('ANALYZE mensaje')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE mensaje ALTER COLUMN conversacion_id RESET (n_distinct)')
    op.execute(f"UPDATE mensaje SET envio = NULL "
               f"WHERE envio = 'en_respuesta' AND {RESPUESTAS_YA_ENTREGADAS}")
    op.create_index('ix_mensaje_conversacion_pendiente', 'mensaje',
                    ['conversacion_id', 'procesado_en'], unique=False)
    op.create_index('ix_mensaje_conversacion_id', 'mensaje', ['conversacion_id'], unique=False)
    op.drop_index('ix_mensaje_sin_procesar', table_name='mensaje')
    op.drop_index('ix_mensaje_conversacion_orden', table_name='mensaje')
