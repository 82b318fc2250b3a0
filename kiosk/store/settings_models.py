"""ORM table of kiosk settings (migration 0006): one row per setting a technician changed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.store.models import Base


class SettingRow(Base):
    __tablename__ = "kiosk_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(256))
    changed_at: Mapped[datetime]
    changed_by: Mapped[str | None] = mapped_column(String(16))
