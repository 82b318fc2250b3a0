"""The visit manager: consent gates storage, readings become scored results with an outbox
row, and bad input is quarantined with a kind retry message."""

import json
from datetime import timedelta
from pathlib import Path

import pytest

from devices.errors import DecodeError
from devices.readings import BloodPressureReading, DeviceIdentity, PressureUnit
from kiosk.errors import SessionError
from kiosk.scoring.bp import Alert, BpCategory
from kiosk.session import MEASURE_AGAIN_KO, BpResult, RetryRequest, VisitManager, VisitorKind
from kiosk.store import Store
from records.wire import Envelope, validate_observation

DEVICE = DeviceIdentity(address="C0:FF:EE:00:00:01", model="SIM-BP1")


def bp(sbp: float, dbp: float, unit: PressureUnit = PressureUnit.MMHG) -> BloodPressureReading:
    return BloodPressureReading(
        device=DEVICE,
        systolic=sbp,
        diastolic=dbp,
        mean_arterial=None,
        unit=unit,
        pulse_rate=68,
        raw=b"raw-bytes",
    )


@pytest.fixture
def manager(tmp_path: Path) -> VisitManager:
    store = Store.open(tmp_path / "kiosk.db")
    yield VisitManager(store, "kiosk-test-01")
    store.close()


def consented(manager: VisitManager, subject: str | None = None) -> None:
    kind = VisitorKind.CITIZEN_APP if subject else VisitorKind.GUEST
    manager.start_visit(kind, subject)
    manager.give_consent()


def test_reading_without_consent_is_not_stored(manager: VisitManager) -> None:
    assert manager.handle_reading(bp(120, 80)) is None
    manager.start_visit()
    assert manager.handle_reading(bp(120, 80)) is None
    assert manager.store.measurements() == []


def test_consented_reading_is_scored_stored_and_queued(manager: VisitManager) -> None:
    results: list[BpResult] = []
    manager.result_added.connect(results.append)
    consented(manager, subject="pseudo-0001")
    result = manager.handle_reading(bp(138, 86))
    assert isinstance(result, BpResult)
    assert result.classification.category is BpCategory.PREHYPERTENSION
    assert results == [result]
    [stored] = manager.store.measurements()
    assert stored.id == result.measurement_id and stored.category == "prehypertension"
    [row] = manager.store.due_for_send(limit=5, resend_after=timedelta(0))
    envelope = Envelope.from_json(row.payload)
    assert envelope.kiosk_id == "kiosk-test-01" and envelope.msg_id == result.measurement_id
    validate_observation("bp", envelope.observation, envelope.msg_id)  # the service will accept it
    # The pseudonym travels in the payload, never a name; the topic carries only the kiosk id.
    assert envelope.observation["subject"]["identifier"]["value"] == "pseudo-0001"
    assert "pseudo-0001" not in json.dumps(envelope.observation["code"])


def test_kpa_reading_is_sent_in_mmhg(manager: VisitManager) -> None:
    consented(manager)
    result = manager.handle_reading(bp(18.9, 11.0, PressureUnit.KPA))
    assert isinstance(result, BpResult)
    assert (result.classification.systolic, result.classification.diastolic) == (142, 83)


def test_crisis_reading_alerts_staff_without_personal_data(manager: VisitManager) -> None:
    alerts = []
    manager.staff_alert.connect(alerts.append)
    consented(manager, subject="pseudo-0002")
    manager.handle_reading(bp(192, 118))
    [alert] = alerts
    assert alert.alert is Alert.STAFF_NOW
    assert alert.summary == "BP 192/118 mmHg"


def test_implausible_reading_is_quarantined_and_visitor_asked_again(
    manager: VisitManager,
) -> None:
    retries: list[RetryRequest] = []
    manager.retry_requested.connect(retries.append)
    consented(manager)
    outcome = manager.handle_reading(bp(80, 120))  # diastolic above systolic
    assert isinstance(outcome, RetryRequest)
    assert retries == [outcome] and outcome.message_ko == MEASURE_AGAIN_KO
    assert manager.store.measurements() == []
    [row] = manager.store.quarantined()
    assert row.raw == b"raw-bytes" and row.error_type == "ImplausibleReadingError"
    assert row.id == outcome.quarantine_id


def test_malformed_bytes_are_quarantined(manager: VisitManager) -> None:
    retries: list[RetryRequest] = []
    manager.retry_requested.connect(retries.append)
    consented(manager)
    err = DecodeError("too short", characteristic="2a35", raw=b"\x01\x02\x03", offset=1)
    manager.handle_device_error(err, "C0:FF:EE:00:00:01")
    [row] = manager.store.quarantined()
    assert row.raw == b"\x01\x02\x03" and row.characteristic == "2a35"
    assert retries and "DecodeError" in retries[0].detail


def test_guest_cannot_carry_a_subject(manager: VisitManager) -> None:
    with pytest.raises(SessionError):
        manager.start_visit(VisitorKind.GUEST, "pseudo-0003")


def test_consent_needs_a_visit(manager: VisitManager) -> None:
    with pytest.raises(SessionError):
        manager.give_consent()
