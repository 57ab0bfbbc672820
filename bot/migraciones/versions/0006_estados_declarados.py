"""estados declarados: CHECK de los conjuntos cerrados

El estado del traspaso, el modo de la conversación, y la dirección y el estado de envío de un
mensaje ya se guardaban como estas cadenas; ahora la base solo admite las de bot/db/estados.py.
Los valores se copian aquí (y no se importan) para que la migración no cambie si cambia el
código. `Mensaje.tipo` no lleva CHECK: `no_soportado:<tipo>` y `archivo_rechazado:<motivo>`
son abiertos. En SQLite, agregar un CHECK rehace la tabla (modo batch); sus índices, también
los parciales, se vuelven a crear.

Revision ID: 0006_estados
Revises: 0005_por_conversacion
Create Date: 2026-11-25 10:00:00
"""
from alembic import op


revision = '0006_estados'
down_revision = '0005_por_conversacion'
branch_labels = None
depends_on = None

# (tabla, restricción, columna, valores admitidos); NULL siempre pasa un CHECK.
RESTRICCIONES = (
    ('conversacion', 'ck_conversacion_modo', 'modo', ('bot', 'humano')),
    ('mensaje', 'ck_mensaje_direccion', 'direccion', ('entrada', 'salida')),
    ('mensaje', 'ck_mensaje_envio', 'envio',
     ('pendiente', 'enviado', 'plantilla', 'reintentar', 'vencido', 'fallido', 'bloqueado',
      'en_respuesta')),
    ('escalamiento', 'ck_escalamiento_estado', 'estado',
     ('solicitada', 'tomada', 'atendida', 'cerrada')),
)


def _condicion(columna: str, admitidos: tuple[str, ...]) -> str:
    return f"{columna} IN ({', '.join(repr(v) for v in admitidos)})"


def upgrade() -> None:
    for tabla in dict.fromkeys(t for t, *_ in RESTRICCIONES):
        with op.batch_alter_table(tabla, schema=None) as batch_op:
            for de_tabla, nombre, columna, admitidos in RESTRICCIONES:
                if de_tabla == tabla:
                    batch_op.create_check_constraint(nombre, _condicion(columna, admitidos))


def downgrade() -> None:
    for tabla in dict.fromkeys(t for t, *_ in reversed(RESTRICCIONES)):
        with op.batch_alter_table(tabla, schema=None) as batch_op:
            for de_tabla, nombre, _columna, _admitidos in RESTRICCIONES:
                if de_tabla == tabla:
                    batch_op.drop_constraint(nombre, type_='check')
