"""ORM table for the device allowlist (migration 0002)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.store.models import Base


class AllowedDevice(Base):
    """A device staff paired with this kiosk. ``address`` is a BLE address, not a person."""

    __tablename__ = "device_allowlist"

    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    profile_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    label: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime]
    added_by: Mapped[str | None] = mapped_column(String(64))
    # Highest glucose record sequence imported (RACP "greater or equal" starts after it).
    last_sequence: Mapped[int | None] = mapped_column(Integer)
    uds_user_index: Mapped[int | None] = mapped_column(Integer)
    last_seen_at: Mapped[datetime | None]
    rssi: Mapped[int | None] = mapped_column(Integer)
    battery_percent: Mapped[int | None] = mapped_column(Integer)
    # A name staff gave it ("cuff by the window"); the profile label shows when unset (0006).
    alias: Mapped[str | None] = mapped_column(String(64))
