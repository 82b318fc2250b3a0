"""The kiosk store: migrations, the one-transaction measurement+outbox write, outbox states."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from devices.readings import BloodPressureReading, DeviceIdentity, PressureUnit
from kiosk.errors import StorageError
from kiosk.store import Store

DEVICE = DeviceIdentity(address="C0:FF:EE:00:00:01", model="SIM-BP1")


def reading(sbp: float = 128, dbp: float = 82) -> BloodPressureReading:
    return BloodPressureReading(
        device=DEVICE,
        systolic=sbp,
        diastolic=dbp,
        mean_arterial=97,
        unit=PressureUnit.MMHG,
        pulse_rate=70,
        raw=b"\x04\x80\x00R\x00a\x00F\x00",
    )


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store.open(tmp_path / "kiosk.db")
    yield s
    s.close()


def record(store: Store, msg_id: str, visit_id: str = "v" * 32) -> None:
    store.record_measurement(
        msg_id=msg_id,
        visit_id=visit_id,
        reading=reading(),
        measured_at=datetime.now(UTC),
        category="prehypertension",
        alert="none",
        sync_kind="bp",
        payload=b'{"x":1}',
    )


def test_migration_creates_schema_in_wal_mode(store: Store) -> None:
    tables = set(inspect(store.engine).get_table_names())
    assert {"visits", "measurements", "outbox", "quarantine", "alembic_version"} <= tables
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0006"


def test_reopening_an_existing_database_is_a_no_op(tmp_path: Path) -> None:
    Store.open(tmp_path / "k.db").close()
    again = Store.open(tmp_path / "k.db")
    assert again.outbox_counts().pending == 0
    again.close()


def test_measurement_and_outbox_row_are_written_together(store: Store) -> None:
    store.start_visit("v" * 32, "guest", None)
    record(store, "a" * 32)
    [m] = store.measurements("v" * 32)
    assert m.values["systolic"] == 128 and m.values["unit"] == "mmHg"
    assert store.outbox_state("a" * 32) == "pending"
    with store.engine.connect() as conn:
        raw = conn.execute(text("SELECT raw FROM measurements")).scalar()
    assert raw == reading().raw


def test_failed_write_leaves_neither_measurement_nor_outbox_row(store: Store) -> None:
    # The visit does not exist: the FK on measurements fails, so the whole transaction rolls back.
    with pytest.raises(StorageError):
        record(store, "b" * 32, visit_id="missing".ljust(32, "0"))
    assert store.measurements() == []
    assert store.outbox_state("b" * 32) is None


def test_same_msg_id_cannot_be_stored_twice(store: Store) -> None:
    store.start_visit("v" * 32, "guest", None)
    record(store, "c" * 32)
    with pytest.raises(StorageError):
        record(store, "c" * 32)
    assert len(store.measurements()) == 1


def test_outbox_state_machine(store: Store) -> None:
    store.start_visit("v" * 32, "guest", None)
    for ch in "def":
        record(store, ch * 32)
    due = store.due_for_send(limit=10, resend_after=timedelta(seconds=30))
    assert [r.msg_id for r in due] == ["d" * 32, "e" * 32, "f" * 32]

    store.mark_sent("d" * 32)
    store.mark_sent("e" * 32)
    store.mark_rejected("f" * 32, "broker reason 0x87 Not authorized")
    # Sent rows are not due again until resend_after has passed.
    assert store.due_for_send(limit=10, resend_after=timedelta(seconds=30)) == []
    assert [r.msg_id for r in store.due_for_send(limit=10, resend_after=timedelta(0))] == [
        "d" * 32,
        "e" * 32,
    ]
    assert store.mark_committed(["d" * 32]) == 1
    assert store.mark_committed(["d" * 32]) == 0  # a repeated ack changes nothing
    store.mark_sent("d" * 32)  # a late PUBACK must not reopen a committed row
    assert store.outbox_state("d" * 32) == "committed"
    counts = store.outbox_counts()
    assert (counts.pending, counts.sent, counts.committed, counts.rejected) == (0, 1, 1, 1)


def test_quarantine_keeps_raw_bytes(store: Store) -> None:
    qid = store.quarantine(
        characteristic="2a35",
        raw=b"\x03\x02\x03",
        error=ValueError("too short"),
        visit_id=None,
        device_address="C0:FF:EE:00:00:01",
    )
    [row] = store.quarantined()
    assert row.id == qid and row.raw == b"\x03\x02\x03" and row.error_type == "ValueError"


def test_naive_datetimes_are_refused(store: Store) -> None:
    store.start_visit("v" * 32, "guest", None)
    with pytest.raises((StorageError, ValueError)):
        store.record_measurement(
            msg_id="9" * 32,
            visit_id="v" * 32,
            reading=reading(),
            measured_at=datetime.now(),  # naive on purpose
            category=None,
            alert=None,
            sync_kind="bp",
            payload=b"{}",
        )
