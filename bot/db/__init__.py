"""Almacén central: modelos SQLAlchemy 2, conexión y migraciones Alembic."""
