"""The visit manager: consent gates storage, readings become scored results with an outbox
row, and bad input is quarantined with a kind retry message."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from fhir.resources.R4B.observation import Observation

from devices.errors import DecodeError
from devices.readings import (
    BloodPressureReading,
    BodyCompositionReading,
    DeviceIdentity,
    GlucoseReading,
    GlucoseUnit,
    MassUnit,
    MealContext,
    PressureUnit,
    WeightReading,
)
from kiosk.errors import SessionError
from kiosk.scoring.bp import Alert, BpCategory
from kiosk.session import (
    MEASURE_AGAIN_KO,
    BpResult,
    MeasurementResult,
    RetryRequest,
    StaffAlert,
    VisitManager,
    VisitorKind,
)
from kiosk.store import OutboxRow, Store
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


def observation_rows(manager: VisitManager) -> list[OutboxRow]:
    """Queued measurements; a citizen's consent messages share the outbox (tests/kiosk/
    test_consents.py covers those)."""
    rows = manager.store.due_for_send(limit=10, resend_after=timedelta(0))
    return [r for r in rows if r.kind != "consent"]


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
    [row] = observation_rows(manager)
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
    assert alert.summary == "BP 192/118 mmHg, pulse 68/min"


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


# --- other kinds: glucose, weight, body composition -------------------------------------


def glucose(mg_dl: float, meal: MealContext | None) -> GlucoseReading:
    return GlucoseReading(
        device=DEVICE, concentration=mg_dl, unit=GlucoseUnit.MG_DL, meal=meal, raw=b"g"
    )


@pytest.mark.parametrize(
    ("mg_dl", "meal", "category", "alert"),
    [
        (99, MealContext.FASTING, "normal", Alert.NONE),
        (126, MealContext.PREPRANDIAL, "diabetes_range", Alert.NONE),
        (199, MealContext.POSTPRANDIAL, "prediabetes_range", Alert.NONE),
        (150, None, "no_criterion", Alert.NONE),  # no context: judged as a random reading
        (65, MealContext.FASTING, "level1", Alert.SEE_DOCTOR_SOON),
        (50, MealContext.CASUAL, "level2", Alert.STAFF_NOW),
        (320, MealContext.CASUAL, "diabetes_range", Alert.STAFF_NOW),
    ],
)
def test_glucose_is_categorised_by_context_and_synced(
    manager: VisitManager, mg_dl: float, meal: MealContext | None, category: str, alert: Alert
) -> None:
    alerts: list[StaffAlert] = []
    manager.staff_alert.connect(alerts.append)
    consented(manager, subject="pseudo-0004")
    result = manager.handle_reading(glucose(mg_dl, meal))
    assert isinstance(result, MeasurementResult)
    assert (result.category, result.alert) == (category, alert)
    assert [a.alert for a in alerts] == ([] if alert is Alert.NONE else [alert])
    [row] = observation_rows(manager)
    envelope = Envelope.from_json(row.payload)
    assert envelope.kind == "glucose"
    validate_observation("glucose", envelope.observation, envelope.msg_id)
    Observation.model_validate(envelope.observation)  # FHIR R4 structure
    assert envelope.observation["valueQuantity"]["code"] == "mg/dL"


def test_mmol_glucose_is_sent_in_mg_dl(manager: VisitManager) -> None:
    consented(manager, subject="pseudo-0005")
    reading = GlucoseReading(
        device=DEVICE, concentration=7.0, unit=GlucoseUnit.MMOL_L, meal=MealContext.FASTING
    )
    result = manager.handle_reading(reading)
    assert isinstance(result, MeasurementResult) and result.category == "diabetes_range"
    [row] = observation_rows(manager)
    assert Envelope.from_json(row.payload).observation["valueQuantity"]["value"] == 126.0


def test_weight_with_bmi_and_body_fat_are_stored_and_valid_fhir(manager: VisitManager) -> None:
    consented(manager, subject="pseudo-0006")
    w = manager.handle_reading(
        WeightReading(device=DEVICE, weight=70.0, unit=MassUnit.KG, bmi=26.1, height_cm=163.8)
    )
    b = manager.handle_reading(BodyCompositionReading(device=DEVICE, body_fat_percent=31.5))
    assert isinstance(w, MeasurementResult) and w.category == "obesity_1"
    assert isinstance(b, MeasurementResult) and b.category is None  # needs sex and age
    rows = observation_rows(manager)
    kinds = {}
    for row in rows:
        env = Envelope.from_json(row.payload)
        validate_observation(env.kind, env.observation, env.msg_id)
        Observation.model_validate(env.observation)
        kinds[env.kind] = env.observation["valueQuantity"]
    assert kinds["weight"]["value"] == 70.0 and kinds["weight"]["code"] == "kg"
    assert kinds["bodycomp"]["value"] == 31.5 and kinds["bodycomp"]["code"] == "%"


def test_guest_glucose_is_stored_but_never_queued(manager: VisitManager) -> None:
    consented(manager)
    result = manager.handle_reading(glucose(110, MealContext.FASTING))
    assert isinstance(result, MeasurementResult)
    assert [m.id for m in manager.store.measurements()] == [result.measurement_id]
    assert manager.store.due_for_send(limit=5, resend_after=timedelta(0)) == []


def test_very_slow_pulse_on_a_normal_bp_alerts_staff(manager: VisitManager) -> None:
    alerts: list[StaffAlert] = []
    manager.staff_alert.connect(alerts.append)
    consented(manager)
    reading = BloodPressureReading(
        device=DEVICE, systolic=118, diastolic=76, mean_arterial=None,
        unit=PressureUnit.MMHG, pulse_rate=36,
    )  # fmt: skip
    manager.handle_reading(reading)
    [alert] = alerts
    assert alert.alert is Alert.STAFF_NOW and alert.summary == "BP 118/76 mmHg, pulse 36/min"


def test_runtime_loads_and_verifies_every_risk_model(tmp_path: Path) -> None:
    from kiosk.runtime import KioskConfig, KioskRuntime

    runtime = KioskRuntime(KioskConfig(kiosk_id="kiosk-test-01", data_dir=tmp_path))
    try:
        assert runtime.scoring.unavailable == {}
        assert {"findrisc", "framingham2008_office"} <= set(runtime.scoring.model_set.models)
    finally:
        runtime.stop()
