"""ORM table of consents (migration 0005). One row per purpose a visitor agreed to."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.store.models import Base


class ConsentPurpose(enum.StrEnum):
    HEALTH_DATA = "health_data"  # required to measure and store (PIPA Art. 23)
    OPEN_LAB = "open_lab"  # optional, separate: sharing for research


class Consent(Base):
    __tablename__ = "consents"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # travels as consent_id
    visit_id: Mapped[str] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    # Pseudonymous subject reference; None for a guest (never leaves the kiosk).
    subject_ref: Mapped[str | None] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(String(16))
    version: Mapped[str] = mapped_column(String(32))  # the consent text's version
    granted_at: Mapped[datetime] = mapped_column()
    withdrawn_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (Index("ix_consents_subject_purpose", "subject_ref", "purpose"),)
