"""ORM tables of the kiosk's local database. Changes need an alembic migration."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """Stores UTC, returns aware UTC datetimes (SQLite itself keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime}


class OutboxState(enum.StrEnum):
    PENDING = "pending"  # written, not yet accepted by the broker
    SENT = "sent"  # broker PUBACKed; waiting for the record service's commit ack
    COMMITTED = "committed"  # the record service committed it; done
    REJECTED = "rejected"  # refused (broker reason code >= 0x80 or record validation); staff look


class Visit(Base):
    __tablename__ = "visits"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    visitor_kind: Mapped[str] = mapped_column(String(16))  # citizen_app | member_card | guest
    # Pseudonymous subject reference from the citizen record; never a name or RRN.
    subject_ref: Mapped[str | None] = mapped_column(String(64))
    consented_at: Mapped[datetime | None] = mapped_column()
    started_at: Mapped[datetime] = mapped_column()
    ended_at: Mapped[datetime | None] = mapped_column()

    # Guest purge (migration 0003).
    __table_args__ = (Index("ix_visits_kind_ended", "visitor_kind", "ended_at"),)


class Measurement(Base):
    __tablename__ = "measurements"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # = outbox msg_id
    visit_id: Mapped[str] = mapped_column(ForeignKey("visits.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    device_address: Mapped[str] = mapped_column(String(64))
    device_model: Mapped[str] = mapped_column(String(64))
    measured_at: Mapped[datetime] = mapped_column()
    values: Mapped[dict[str, Any]] = mapped_column(JSON)
    category: Mapped[str | None] = mapped_column(String(32))
    alert: Mapped[str | None] = mapped_column(String(32))
    raw: Mapped[bytes] = mapped_column(LargeBinary)


class Outbox(Base):
    __tablename__ = "outbox"

    # A measurement's id, or a consent message's (0005 dropped the measurements FK).
    msg_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    state: Mapped[str] = mapped_column(String(16), default=OutboxState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column()
    sent_at: Mapped[datetime | None] = mapped_column()
    done_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_outbox_state_created", "state", "created_at"),)


class Quarantine(Base):
    """Device data that could not be accepted, kept byte-for-byte for inspection."""

    __tablename__ = "quarantine"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    received_at: Mapped[datetime] = mapped_column()
    visit_id: Mapped[str | None] = mapped_column(String(32), index=True)  # 0003
    device_address: Mapped[str | None] = mapped_column(String(64))
    characteristic: Mapped[str] = mapped_column(String(64))
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    error_type: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text)
