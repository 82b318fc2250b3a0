"""ORM tables for staff PINs, the entry lockout, the alert log and the audit log (migration 0004).

No names: a PIN has a free label chosen by the centre (e.g. "night shift"), alerts carry the
visit alias, never the visitor."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.store.models import Base


class StaffPin(Base):
    __tablename__ = "staff_pins"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    label: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    pin_hash: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime]


class StaffLockout(Base):
    """One row (id 1): persisted so a restart does not reset a PIN-guessing lockout."""

    __tablename__ = "staff_lockout"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    lockouts: Mapped[int] = mapped_column(Integer)
    locked_until: Mapped[datetime | None]


class StaffAlertRow(Base):
    __tablename__ = "staff_alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    measurement_id: Mapped[str] = mapped_column(String(64), unique=True)
    visit_alias: Mapped[str] = mapped_column(String(16))
    alert: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(String(256))
    raised_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    ack_role: Mapped[str | None] = mapped_column(String(16))
    ack_note: Mapped[str | None] = mapped_column(String(500))


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime]
    role: Mapped[str | None] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(String(500))
