"""The staff "today" figures, computed from the kiosk's own tables (no personal data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from kiosk.errors import StorageError
from kiosk.store.db import Store
from kiosk.store.models import Measurement, Quarantine, Visit


@dataclass(frozen=True, slots=True)
class TodaySummary:
    visitors: int
    measurements_by_kind: dict[str, int]
    failures_by_device: dict[str, int]  # device address → rejected device data (quarantine)
    average_visit_s: float | None  # over visits that ended


def today_summary(store: Store, since: datetime) -> TodaySummary:
    try:
        with Session(store.engine) as s:
            visits = s.execute(
                select(Visit.started_at, Visit.ended_at).where(Visit.started_at >= since)
            ).all()
            kinds = s.execute(
                select(Measurement.kind, func.count())
                .where(Measurement.measured_at >= since)
                .group_by(Measurement.kind)
            ).all()
            failures = s.execute(
                select(Quarantine.device_address, func.count())
                .where(Quarantine.received_at >= since)
                .group_by(Quarantine.device_address)
            ).all()
    except SQLAlchemyError as exc:
        raise StorageError(f"today summary: {exc.__class__.__name__}: {exc}") from exc
    durations = [(end - start).total_seconds() for start, end in visits if end is not None]
    return TodaySummary(
        visitors=len(visits),
        measurements_by_kind={k: int(n) for k, n in kinds},
        failures_by_device={(a or "unknown"): int(n) for a, n in failures},
        average_visit_s=sum(durations) / len(durations) if durations else None,
    )
