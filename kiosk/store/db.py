"""The kiosk's local store.

A measurement and its outbox row are written in ONE transaction, so a result that the visitor
saw is always either queued for sync or not stored at all. SQLite runs in WAL mode with
synchronous=FULL: health data must survive a power cut, and WAL keeps readers (the admin screen,
the sync publisher) from blocking the writer.
"""

from __future__ import annotations

import dataclasses
import enum
import logging
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    Engine,
    String,
    create_engine,
    delete,
    event,
    func,
    select,
    type_coerce,
    update,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from devices.readings import AnyReading
from kiosk.errors import StorageError
from kiosk.store.models import Measurement, Outbox, OutboxState, Quarantine, Visit

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).with_name("migrations")


def _now() -> datetime:
    return datetime.now(UTC)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def reading_values(reading: AnyReading) -> dict[str, Any]:
    """The reading's measured fields as JSON-ready values (enums as strings, sets sorted)."""
    out: dict[str, Any] = {"kind": reading.kind}
    for f in dataclasses.fields(reading):
        if f.name in ("device", "raw", "measured_at"):
            continue
        value = getattr(reading, f.name)
        if isinstance(value, frozenset):
            value = sorted(str(v) for v in value)
        elif isinstance(value, enum.Enum):
            value = value.value
        out[f.name] = value
    return out


@dataclass(frozen=True, slots=True)
class StoredMeasurement:
    id: str
    visit_id: str
    kind: str
    measured_at: datetime
    values: dict[str, Any]
    category: str | None
    alert: str | None


@dataclass(frozen=True, slots=True)
class OutboxRow:
    msg_id: str
    kind: str
    payload: bytes
    state: str
    attempts: int


@dataclass(frozen=True, slots=True)
class OutboxCounts:
    pending: int = 0
    sent: int = 0
    committed: int = 0
    rejected: int = 0


@contextmanager
def transaction(engine: Engine, what: str) -> Iterator[Session]:
    """One session and transaction on ``engine``; database errors become a StorageError that
    names ``what`` (the part of the kiosk that was writing)."""
    try:
        with Session(engine, expire_on_commit=False) as session, session.begin():
            yield session
    except SQLAlchemyError as exc:
        raise StorageError(f"{what}: {exc.__class__.__name__}: {exc}") from exc


class Store:
    def __init__(self, url: str) -> None:
        self.url = url
        try:
            self.engine: Engine = create_engine(url)
        except SQLAlchemyError as exc:
            raise StorageError(f"cannot open kiosk database {url!r}: {exc}") from exc
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def open(cls, path: Path | str) -> Store:
        """Open (creating if needed) the SQLite file at ``path`` and bring its schema up to date."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        store = cls(f"sqlite:///{path}")
        store.migrate()
        return store

    def migrate(self) -> None:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        try:
            with self.engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        except SQLAlchemyError as exc:
            raise StorageError(f"database migration failed: {exc}") from exc

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _tx(self) -> Iterator[Session]:
        try:
            with self._sessions.begin() as session:
                yield session
        except SQLAlchemyError as exc:
            raise StorageError(f"kiosk database error: {exc.__class__.__name__}: {exc}") from exc

    # --- visits -----------------------------------------------------------------------
    def start_visit(self, visit_id: str, visitor_kind: str, subject_ref: str | None) -> None:
        with self._tx() as s:
            s.add(
                Visit(
                    id=visit_id,
                    visitor_kind=visitor_kind,
                    subject_ref=subject_ref,
                    started_at=_now(),
                )
            )

    def record_consent(self, visit_id: str) -> None:
        with self._tx() as s:
            s.execute(update(Visit).where(Visit.id == visit_id).values(consented_at=_now()))

    def end_visit(self, visit_id: str) -> None:
        with self._tx() as s:
            s.execute(update(Visit).where(Visit.id == visit_id).values(ended_at=_now()))

    # --- measurements -----------------------------------------------------------------
    def record_measurement(
        self,
        *,
        msg_id: str,
        visit_id: str,
        reading: AnyReading,
        measured_at: datetime,
        category: str | None,
        alert: str | None,
        sync_kind: str,
        payload: bytes,
        sync: bool = True,
    ) -> StoredMeasurement:
        """Write the measurement and its outbox row atomically. ``sync=False`` (a guest visit):
        the measurement stays on the kiosk, no outbox row, purged after the guest retention."""
        values = reading_values(reading)
        with self._tx() as s:
            s.add(
                Measurement(
                    id=msg_id,
                    visit_id=visit_id,
                    kind=reading.kind,
                    device_address=reading.device.address,
                    device_model=reading.device.model,
                    measured_at=measured_at,
                    values=values,
                    category=category,
                    alert=alert,
                    raw=reading.raw,
                )
            )
            if not sync:
                return StoredMeasurement(
                    id=msg_id,
                    visit_id=visit_id,
                    kind=reading.kind,
                    measured_at=measured_at,
                    values=values,
                    category=category,
                    alert=alert,
                )
            s.flush()  # the outbox row references the measurement
            s.add(
                Outbox(
                    msg_id=msg_id,
                    kind=sync_kind,
                    payload=payload,
                    state=OutboxState.PENDING,
                    attempts=0,
                    created_at=_now(),
                )
            )
        return StoredMeasurement(
            id=msg_id,
            visit_id=visit_id,
            kind=reading.kind,
            measured_at=measured_at,
            values=values,
            category=category,
            alert=alert,
        )

    def measurements(self, visit_id: str | None = None) -> list[StoredMeasurement]:
        with self._tx() as s:
            q = select(Measurement).order_by(Measurement.id)
            if visit_id is not None:
                q = q.where(Measurement.visit_id == visit_id)
            return [
                StoredMeasurement(
                    id=m.id,
                    visit_id=m.visit_id,
                    kind=m.kind,
                    measured_at=m.measured_at,
                    values=m.values,
                    category=m.category,
                    alert=m.alert,
                )
                for m in s.scalars(q)
            ]

    def quarantine(
        self,
        *,
        characteristic: str,
        raw: bytes,
        error: BaseException,
        visit_id: str | None,
        device_address: str | None,
    ) -> int:
        with self._tx() as s:
            row = Quarantine(
                received_at=_now(),
                visit_id=visit_id,
                device_address=device_address,
                characteristic=characteristic,
                raw=bytes(raw),
                error_type=type(error).__name__,
                detail=str(error),
            )
            s.add(row)
            s.flush()
            return row.id

    def quarantined(self) -> list[Quarantine]:
        with self._tx() as s:
            return list(s.scalars(select(Quarantine).order_by(Quarantine.id)))

    # --- outbox -----------------------------------------------------------------------
    def due_for_send(
        self, *, limit: int, resend_after: timedelta, exclude: Collection[str] = ()
    ) -> list[OutboxRow]:
        """Pending rows, plus rows sent long ago whose commit ack never came (oldest first).

        ``exclude``: msg ids the caller already has in flight."""
        stale = _now() - resend_after
        cols = (Outbox.msg_id, Outbox.kind, Outbox.payload, Outbox.state, Outbox.attempts)
        skip = list(exclude)
        # created_at only orders the merge below: read as stored (fixed-width ISO text on
        # SQLite, so text order is time order); parsing a datetime per row cost more than the
        # query. Core on the session's connection skips the ORM's per-row result handling.
        created = type_coerce(Outbox.created_at, String)
        with self._tx() as s:
            conn = s.connection()
            # Two queries on the (state, created_at) index instead of one OR: with a backlog
            # the OR scanned and sorted the whole table on every drain pass.
            found: list[Any] = []
            for cond in (
                Outbox.state == OutboxState.PENDING,
                (Outbox.state == OutboxState.SENT) & (Outbox.sent_at < stale),
            ):
                q = select(created, *cols).where(cond)
                if skip:
                    q = q.where(Outbox.msg_id.not_in(skip))
                q = q.order_by(Outbox.created_at, Outbox.msg_id).limit(limit)
                found.extend(conn.execute(q).all())
        found.sort(key=lambda r: (r[0], r[1]))
        return [OutboxRow(m, k, p, st, a) for _, m, k, p, st, a in found[:limit]]

    def mark_sent(self, msg_id: str) -> None:
        """Broker accepted it. Never downgrades a row the record service already committed."""
        with self._tx() as s:
            s.execute(
                update(Outbox)
                .where(Outbox.msg_id == msg_id, Outbox.state.in_(["pending", "sent"]))
                .values(state=OutboxState.SENT, sent_at=_now(), attempts=Outbox.attempts + 1)
            )

    def mark_sent_many(self, msg_ids: Sequence[str]) -> None:
        """``mark_sent`` for many rows in one transaction (one fsync per batch of PUBACKs)."""
        if not msg_ids:
            return
        with self._tx() as s:
            s.connection().execute(
                update(Outbox)
                .where(Outbox.msg_id.in_(list(msg_ids)), Outbox.state.in_(["pending", "sent"]))
                .values(state=OutboxState.SENT, sent_at=_now(), attempts=Outbox.attempts + 1)
            )

    def mark_committed(self, msg_ids: Sequence[str]) -> int:
        if not msg_ids:
            return 0
        with self._tx() as s:
            # Core on the connection: the ORM's bulk-update bookkeeping is not needed here.
            result = s.connection().execute(
                update(Outbox)
                .where(Outbox.msg_id.in_(list(msg_ids)), Outbox.state != OutboxState.COMMITTED)
                .values(state=OutboxState.COMMITTED, done_at=_now(), last_error=None)
            )
            return int(getattr(result, "rowcount", 0) or 0)

    def mark_rejected(self, msg_id: str, reason: str) -> None:
        with self._tx() as s:
            s.execute(
                update(Outbox)
                .where(Outbox.msg_id == msg_id, Outbox.state != OutboxState.COMMITTED)
                .values(state=OutboxState.REJECTED, done_at=_now(), last_error=reason[:500])
            )

    def note_send_error(self, msg_id: str, error: str) -> None:
        """A publish attempt failed without a verdict; the row stays due for another try."""
        with self._tx() as s:
            s.execute(
                update(Outbox)
                .where(Outbox.msg_id == msg_id)
                .values(last_error=error[:500], attempts=Outbox.attempts + 1)
            )

    def outbox_counts(self) -> OutboxCounts:
        with self._tx() as s:
            rows = s.execute(select(Outbox.state, func.count()).group_by(Outbox.state)).all()
        counts = {state: int(n) for state, n in rows}
        return OutboxCounts(
            pending=counts.get(OutboxState.PENDING, 0),
            sent=counts.get(OutboxState.SENT, 0),
            committed=counts.get(OutboxState.COMMITTED, 0),
            rejected=counts.get(OutboxState.REJECTED, 0),
        )

    def outbox_state(self, msg_id: str) -> str | None:
        with self._tx() as s:
            return s.scalar(select(Outbox.state).where(Outbox.msg_id == msg_id))

    def outbox_states(self, msg_ids: Sequence[str]) -> dict[str, str]:
        with self._tx() as s:
            rows = s.execute(
                select(Outbox.msg_id, Outbox.state).where(Outbox.msg_id.in_(list(msg_ids)))
            ).all()
        return {m: st for m, st in rows}

    def oldest_unsettled(self) -> datetime | None:
        """created_at of the oldest row still waiting for the record service (pending or sent)."""
        with self._tx() as s:
            return s.scalar(
                select(func.min(Outbox.created_at)).where(
                    Outbox.state.in_([OutboxState.PENDING, OutboxState.SENT])
                )
            )

    def rejected_rows(self) -> list[tuple[str, str | None]]:
        """(msg_id, reason) of rows refused by the broker or the record service, for staff."""
        with self._tx() as s:
            rows = s.execute(
                select(Outbox.msg_id, Outbox.last_error)
                .where(Outbox.state == OutboxState.REJECTED)
                .order_by(Outbox.msg_id)
            ).all()
        return [(m, e) for m, e in rows]

    def retry_rejected(self, msg_id: str) -> bool:
        """Put a rejected row back in the queue (after staff fixed the cause). False if ``msg_id``
        is not a rejected row. The reason is kept in last_error until the row settles again."""
        with self._tx() as s:
            result = s.execute(
                update(Outbox)
                .where(Outbox.msg_id == msg_id, Outbox.state == OutboxState.REJECTED)
                .values(state=OutboxState.PENDING, done_at=None, sent_at=None)
            )
            return int(getattr(result, "rowcount", 0) or 0) == 1

    def purge_guest_visits(self, ended_before: datetime) -> int:
        """Delete guest visits that ended before ``ended_before`` with everything they left
        (measurements, outbox rows from older versions, quarantined bytes). Returns visits."""
        with self._tx() as s:
            visit_ids = list(
                s.scalars(
                    select(Visit.id).where(
                        Visit.visitor_kind == "guest",
                        Visit.ended_at.is_not(None),
                        Visit.ended_at < ended_before,
                    )
                )
            )
            if not visit_ids:
                return 0
            measurement_ids = select(Measurement.id).where(Measurement.visit_id.in_(visit_ids))
            s.execute(delete(Outbox).where(Outbox.msg_id.in_(measurement_ids)))
            s.execute(delete(Measurement).where(Measurement.visit_id.in_(visit_ids)))
            s.execute(delete(Quarantine).where(Quarantine.visit_id.in_(visit_ids)))
            s.execute(delete(Visit).where(Visit.id.in_(visit_ids)))
            return len(visit_ids)
