"""Alembic environment of the record database: runs on the connection handed over by
``records.db.create_schema``."""

from __future__ import annotations

from alembic import context

from records.db import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through records.db.create_schema(), not the alembic CLI")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
