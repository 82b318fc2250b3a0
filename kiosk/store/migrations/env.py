"""Alembic environment: runs on the connection handed over by ``kiosk.store.db.migrate``."""

from __future__ import annotations

from alembic import context

from kiosk.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through kiosk.store.db.migrate(), not the alembic CLI")

# render_as_batch: SQLite cannot ALTER most things in place; batch mode rebuilds tables.
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
