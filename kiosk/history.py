"""A returning visitor's earlier results on this kiosk, for the trend chart on the results screen.

Only for citizens and members (a pseudonymous ``subject_ref``); a guest has no history. Only the
visitor's own visits are read, never the visit in progress. Queried on the kiosk runtime thread
when the results are shown; the immutable :class:`VisitorHistory` travels to the screen in the
flow state.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from devices.readings import KPA_PER_MMHG, LB_PER_KG, MGDL_PER_MMOLL
from kiosk.errors import StorageError
from kiosk.store import Store
from kiosk.store.models import Measurement, Visit

log = logging.getLogger(__name__)

# Kinds with a chart; body composition is left out (one number, rarely repeated).
TREND_KINDS: tuple[str, ...] = ("blood_pressure", "glucose", "weight")
LAST_VISITS = 6
# Enough rows for six visits of every kind even when a visitor re-measured many times.
_ROW_LIMIT = 400


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """One visit's newest value of a kind. Blood pressure: (systolic, diastolic) mmHg; glucose:
    (mg/dL,); weight: (kg,)."""

    measured_at: datetime
    values: tuple[float, ...]
    category: str | None


@dataclass(frozen=True, slots=True)
class VisitorHistory:
    """Earlier visits' points per kind, oldest first; at most ``LAST_VISITS`` per kind."""

    trends: tuple[tuple[str, tuple[TrendPoint, ...]], ...] = field(default_factory=tuple)

    def of(self, kind: str) -> tuple[TrendPoint, ...]:
        for name, points in self.trends:
            if name == kind:
                return points
        return ()

    @property
    def empty(self) -> bool:
        return not any(points for _, points in self.trends)


def point_values(kind: str, values: dict[str, Any]) -> tuple[float, ...] | None:
    """A stored reading's values in the chart's units, or None for a kind without a chart."""
    if kind == "blood_pressure":
        factor = 1.0 if values.get("unit") == "mmHg" else 1.0 / KPA_PER_MMHG
        return (round(values["systolic"] * factor), round(values["diastolic"] * factor))
    if kind == "glucose":
        factor = 1.0 if values.get("unit") == "mg/dL" else MGDL_PER_MMOLL
        return (round(values["concentration"] * factor),)
    if kind == "weight":
        kg = values["weight"] if values.get("unit") == "kg" else values["weight"] / LB_PER_KG
        return (round(kg, 1),)
    return None


def previous_results(
    store: Store,
    subject_ref: str | None,
    *,
    current_visit_id: str | None,
    last_visits: int = LAST_VISITS,
    kinds: tuple[str, ...] = TREND_KINDS,
) -> VisitorHistory:
    """This subject's earlier results on this kiosk: per kind, the newest reading of each of the
    last ``last_visits`` visits that measured it, oldest first. Guests (no subject) get none."""
    if subject_ref is None or last_visits <= 0:
        return VisitorHistory()
    query = (
        select(Measurement.visit_id, Measurement.kind, Measurement.measured_at)
        .add_columns(Measurement.values, Measurement.category)
        .join(Visit, Visit.id == Measurement.visit_id)
        .where(
            Visit.subject_ref == subject_ref,
            Visit.visitor_kind != "guest",
            Measurement.kind.in_(kinds),
        )
        .order_by(Measurement.measured_at.desc(), Measurement.id.desc())
        .limit(_ROW_LIMIT)
    )
    if current_visit_id is not None:
        query = query.where(Visit.id != current_visit_id)
    try:
        with Session(store.engine) as session:
            rows = session.execute(query).all()
    except SQLAlchemyError as exc:
        raise StorageError(f"earlier results could not be read: {exc.__class__.__name__}") from exc
    newest: dict[str, dict[str, TrendPoint]] = {kind: {} for kind in kinds}
    for visit_id, kind, measured_at, values, category in rows:
        per_visit = newest[kind]
        # Rows come newest first: the first row of a visit is its newest reading.
        if visit_id in per_visit or len(per_visit) >= last_visits:
            continue
        numbers = point_values(kind, values)
        if numbers is not None:
            per_visit[visit_id] = TrendPoint(measured_at, numbers, category)
    return VisitorHistory(
        tuple(
            (kind, tuple(sorted(newest[kind].values(), key=lambda p: p.measured_at)))
            for kind in kinds
        )
    )


def history_for_visit(
    store: Store, subject_ref: str | None, visit_id: str | None, *, guest: bool
) -> VisitorHistory | None:
    """The history the results screen shows: None for a guest (no chart at all); an empty
    history when the store cannot be read, so the visit's own results still show."""
    if guest or subject_ref is None:
        return None
    try:
        return previous_results(store, subject_ref, current_visit_id=visit_id)
    except StorageError as exc:
        # No subject reference in the log: the error names the failure only.
        log.warning("trend chart left empty: %s", exc)
        return VisitorHistory()
