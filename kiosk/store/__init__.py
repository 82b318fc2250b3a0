"""Local storage: SQLite (WAL) through SQLAlchemy 2, schema managed by alembic."""

from kiosk.store.db import OutboxCounts, OutboxRow, Store, StoredMeasurement

__all__ = ["OutboxCounts", "OutboxRow", "Store", "StoredMeasurement"]
