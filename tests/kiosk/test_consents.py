"""Consents persisted in the kiosk store, queued with their outbox rows, and withdrawn."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import inspect

from devices.readings import BloodPressureReading, DeviceIdentity, PressureUnit
from kiosk.session import DEFAULT_CONSENT_VERSION, BpResult, VisitManager, VisitorKind
from kiosk.store import Store
from kiosk.store.consent_models import ConsentPurpose
from kiosk.store.db import MIGRATIONS
from kiosk.visit_flow import CONSENT_VERSION, VisitFlow
from records.wire import CONSENT_KIND, ConsentMessage, WireError, obs_topic, parse_obs_topic

SUBJECT = "pseudo-c-0001"
MEMBER_NUMBER = "00001234"  # made up
DEVICE = DeviceIdentity(address="C0:FF:EE:00:00:01", model="SIM-BP1")


def bp(sbp: float = 128, dbp: float = 82) -> BloodPressureReading:
    return BloodPressureReading(
        device=DEVICE,
        systolic=sbp,
        diastolic=dbp,
        mean_arterial=None,
        unit=PressureUnit.MMHG,
        pulse_rate=68,
        raw=b"raw-bytes",
    )


@pytest.fixture
def manager(tmp_path: Path) -> Iterator[VisitManager]:
    store = Store.open(tmp_path / "kiosk.db")
    yield VisitManager(store, "kiosk-test-01")
    store.close()


def queued(manager: VisitManager, kind: str | None = None) -> list[tuple[str, str, bytes]]:
    rows = manager.store.due_for_send(limit=50, resend_after=timedelta(0))
    return [(r.msg_id, r.kind, r.payload) for r in rows if kind is None or r.kind == kind]


def consent_messages(manager: VisitManager) -> list[ConsentMessage]:
    return [ConsentMessage.from_json(p) for _, _, p in queued(manager, CONSENT_KIND)]


def test_citizen_consents_are_persisted_with_version_and_queued(manager: VisitManager) -> None:
    visit = manager.start_visit(VisitorKind.CITIZEN_APP, SUBJECT)
    before = datetime.now(UTC)
    manager.give_consent(version="2026-12-v9", open_lab=True)

    rows = manager.consents.consents(visit_id=visit.id)
    assert sorted(r.purpose for r in rows) == ["health_data", "open_lab"]
    assert {r.version for r in rows} == {"2026-12-v9"}
    assert all(r.subject_ref == SUBJECT and r.withdrawn_at is None for r in rows)
    assert all(before <= r.granted_at <= datetime.now(UTC) for r in rows)
    # Written in the same transaction as their outbox messages, which carry the same facts.
    msgs = {m.consent_id: m for m in consent_messages(manager)}
    assert set(msgs) == {r.id for r in rows}
    for row in rows:
        msg = msgs[row.id]
        assert (msg.subject_ref, msg.purpose, msg.version) == (SUBJECT, row.purpose, "2026-12-v9")
        assert datetime.fromisoformat(msg.granted_at) == row.granted_at
        assert msg.withdrawn_at is None and msg.kiosk_id == "kiosk-test-01"
    # The consent topic stays under the kiosk's obs/ branch and holds no personal data.
    topic = obs_topic("kiosk-test-01", CONSENT_KIND)
    assert parse_obs_topic(topic) == ("kiosk-test-01", "consent") and SUBJECT not in topic


def test_no_argument_consent_records_the_default_version_without_open_lab(
    manager: VisitManager,
) -> None:
    visit = manager.start_visit(VisitorKind.MEMBER_CARD, SUBJECT)
    changed: list[object] = []
    manager.visit_changed.connect(changed.append)
    after = manager.give_consent()
    assert after.consented and changed == [after]  # signal shape unchanged: one Visit
    [row] = manager.consents.consents(visit_id=visit.id)
    assert (row.purpose, row.version) == ("health_data", DEFAULT_CONSENT_VERSION)
    assert [m.purpose for m in consent_messages(manager)] == ["health_data"]


def test_guest_consent_is_stored_locally_never_queued_and_purged(manager: VisitManager) -> None:
    visit = manager.start_visit(VisitorKind.GUEST)
    manager.give_consent(version="2026-12-v1", open_lab=True)
    [row] = manager.consents.consents(visit_id=visit.id)
    # A guest cannot share with Open Lab, and has no subject to send anything to.
    assert (row.purpose, row.subject_ref, row.version) == ("health_data", None, "2026-12-v1")
    assert isinstance(manager.handle_reading(bp()), BpResult)
    assert queued(manager) == []
    manager.end_visit()
    assert manager.store.purge_guest_visits(datetime.now(UTC) + timedelta(seconds=1)) == 1
    assert manager.consents.consents() == []


def test_withdrawal_stops_sync_for_the_subject_and_is_itself_queued(
    manager: VisitManager,
) -> None:
    # An earlier visit whose reading the record already committed, and one still queued.
    manager.start_visit(VisitorKind.CITIZEN_APP, SUBJECT)
    manager.give_consent(open_lab=True)
    first = manager.handle_reading(bp(120, 80))
    assert isinstance(first, BpResult)
    manager.store.mark_committed([first.measurement_id])
    manager.end_visit()
    visit = manager.start_visit(VisitorKind.CITIZEN_APP, SUBJECT)
    manager.give_consent()
    second = manager.handle_reading(bp(150, 95))
    assert isinstance(second, BpResult)
    # Another citizen's queued reading is not touched.
    manager.end_visit()
    manager.start_visit(VisitorKind.CITIZEN_APP, "pseudo-c-0002")
    manager.give_consent()
    other = manager.handle_reading(bp(118, 76))
    assert isinstance(other, BpResult)
    manager.end_visit()
    manager.start_visit(VisitorKind.CITIZEN_APP, SUBJECT)
    manager.give_consent()
    grants_before = len(consent_messages(manager))

    withdrawn = manager.withdraw(SUBJECT, ConsentPurpose.HEALTH_DATA)

    # Every active consent of the subject (both purposes, all visits) is withdrawn once.
    assert sorted(c.purpose for c in withdrawn) == ["health_data"] * 3 + ["open_lab"]
    assert all(c.withdrawn_at is not None for c in manager.consents.consents(subject_ref=SUBJECT))
    assert not manager.consents.is_active(SUBJECT, ConsentPurpose.HEALTH_DATA)
    assert manager.consents.is_active("pseudo-c-0002", ConsentPurpose.HEALTH_DATA)
    # The withdrawals travel too, each naming the consent it ends.
    msgs = consent_messages(manager)
    withdrawals = [m for m in msgs if m.withdrawn_at is not None]
    assert len(msgs) == grants_before + 4
    assert {m.consent_id for m in withdrawals} == {c.id for c in withdrawn}
    # The subject's unsent reading leaves the queue; the committed one and others' stay.
    assert manager.store.outbox_state(second.measurement_id) is None
    assert manager.store.outbox_state(first.measurement_id) == "committed"
    assert manager.store.outbox_state(other.measurement_id) == "pending"
    # The visit in progress stops storing: no consent, no storage.
    assert manager.current is not None and not manager.current.consented
    assert manager.handle_reading(bp(130, 85)) is None
    assert len(manager.store.measurements()) == 3
    assert visit.id != manager.current.id
    # A repeat withdrawal finds nothing active and queues nothing.
    assert manager.withdraw(SUBJECT, ConsentPurpose.HEALTH_DATA) == []
    assert len(consent_messages(manager)) == grants_before + 4


def test_withdrawing_open_lab_keeps_health_data_sync(manager: VisitManager) -> None:
    manager.start_visit(VisitorKind.CITIZEN_APP, SUBJECT)
    manager.give_consent(open_lab=True)
    [w] = manager.withdraw(SUBJECT, ConsentPurpose.OPEN_LAB)
    assert w.purpose == "open_lab"
    assert manager.consents.is_active(SUBJECT, ConsentPurpose.HEALTH_DATA)
    assert manager.current is not None and manager.current.consented
    result = manager.handle_reading(bp())
    assert isinstance(result, BpResult)
    assert manager.store.outbox_state(result.measurement_id) == "pending"


def _message(**changes: object) -> bytes:
    body = json.loads(
        ConsentMessage(
            msg_id="0" * 31 + "1",
            kiosk_id="kiosk-test-01",
            consent_id="0" * 31 + "2",
            subject_ref=SUBJECT,
            purpose="health_data",
            version="2026-12-v1",
            granted_at="2026-12-04T22:00:00+00:00",
        ).to_json()
    )
    body.update(changes)
    return json.dumps(body).encode()


def test_consent_message_round_trips() -> None:
    msg = ConsentMessage.from_json(_message())
    assert ConsentMessage.from_json(msg.to_json()) == msg
    assert msg.purpose == "health_data" and msg.withdrawn_at is None


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"schema": "gjhc.obs/1"}, "unsupported schema"),
        ({"purpose": "marketing"}, "purpose must be"),
        ({"granted_at": "2026-12-04T22:00:00"}, "needs a UTC offset"),
        ({"withdrawn_at": "yesterday"}, "not an ISO 8601"),
        ({"subject_ref": None}, "subject_ref"),
        ({"consent_id": "X" * 32}, "consent_id"),
        ({"version": ""}, "version"),
    ],
)
def test_bad_consent_messages_are_refused(changes: dict[str, object], reason: str) -> None:
    with pytest.raises(WireError, match=reason):
        ConsentMessage.from_json(_message(**changes))


def test_migration_0005_keeps_queued_rows_both_ways(manager: VisitManager) -> None:
    manager.start_visit(VisitorKind.CITIZEN_APP, SUBJECT)
    manager.give_consent()
    reading = manager.handle_reading(bp())
    assert isinstance(reading, BpResult)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    engine = manager.store.engine
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0004")
    tables = inspect(engine).get_table_names()
    assert "consents" not in tables
    # Back on 0004 the outbox references measurements again; consent messages had to go.
    assert [fk["referred_table"] for fk in inspect(engine).get_foreign_keys("outbox")] == [
        "measurements"
    ]
    assert [r.kind for r in manager.store.due_for_send(limit=5, resend_after=timedelta(0))] == [
        "bp"
    ]
    manager.store.migrate()
    assert inspect(engine).get_foreign_keys("outbox") == []
    assert "ix_outbox_state_created" in {i["name"] for i in inspect(engine).get_indexes("outbox")}
    assert manager.store.outbox_state(reading.measurement_id) == "pending"


@pytest.mark.parametrize("open_lab", [True, False])
def test_visit_flow_records_its_consent_version_and_open_lab_choice(
    manager: VisitManager, open_lab: bool
) -> None:
    flow = VisitFlow(manager)
    flow.start(0.0)
    assert flow.identify_member(MEMBER_NUMBER, 1.0)
    flow.consent(open_lab=open_lab, now=2.0)
    assert manager.current is not None
    rows = manager.consents.consents(visit_id=manager.current.id)
    expected = ["health_data", "open_lab"] if open_lab else ["health_data"]
    assert sorted(r.purpose for r in rows) == expected
    assert {r.version for r in rows} == {CONSENT_VERSION} == {flow.state.consent_version}
    flow.close()
