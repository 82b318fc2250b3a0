"""Every Observation the kiosk emits validates as FHIR R4 (fhir.resources R4B models) and
carries the codes and units of the table in sync_records.md §1.6; the publisher's MQTT 5
properties are on the wire."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from fhir.resources.R4B.observation import Observation
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.readings import (
    BloodPressureReading,
    BloodPressureStatus,
    DeviceIdentity,
    PressureUnit,
)
from kiosk.ids import new_msg_id
from kiosk.localbroker import PrivateMosquitto
from kiosk.store import Store
from kiosk.sync.bench import KIOSK, fill_outbox
from kiosk.sync.fhir import blood_pressure_observation
from kiosk.sync.publisher import OutboxPublisher, PublisherSettings
from records.wire import LOINC, MDC, SCHEMA, UCUM, obs_topic, validate_observation
from tests.servers import MqttProbe, wait_until

DEVICE = DeviceIdentity(address="C0:FF:EE:00:00:02", model="SIM-BP1")
KST = datetime(2026, 12, 4, 9, 30, tzinfo=timezone(timedelta(hours=9)))

# (LOINC, MDC, UCUM) per BP part, from sync_records.md §1.6 (KR Core fixes mm[Hg] and /min).
TABLE = {
    "panel": ("85354-9", "150020", None),
    "systolic": ("8480-6", "150021", "mm[Hg]"),
    "diastolic": ("8462-4", "150022", "mm[Hg]"),
    "mean": ("8478-0", "150023", "mm[Hg]"),
    "pulse": ("8867-4", "149546", "/min"),
}


def _codes(concept: dict[str, Any]) -> dict[str, str]:
    return {c["system"]: c["code"] for c in concept["coding"]}


def _emit(reading: BloodPressureReading, subject: str | None) -> tuple[str, dict[str, Any]]:
    msg_id = new_msg_id()
    obs = blood_pressure_observation(
        reading, msg_id=msg_id, measured_at=KST, subject_ref=subject, visit_id=new_msg_id()
    )
    return msg_id, obs


readings = st.builds(
    BloodPressureReading,
    device=st.just(DEVICE),
    systolic=st.integers(80, 250),
    diastolic=st.integers(40, 79),
    mean_arterial=st.none() | st.integers(50, 150),
    unit=st.just(PressureUnit.MMHG),
    pulse_rate=st.none() | st.integers(30, 200),
    status=st.frozensets(st.sampled_from(list(BloodPressureStatus))),
    raw=st.just(b"\x00"),
)


@settings(max_examples=60, deadline=None)
@given(reading=readings, subject=st.none() | st.just("Patient/pseudo-7f3a"))
def test_every_bp_observation_validates_as_r4_and_matches_the_code_table(
    reading: BloodPressureReading, subject: str | None
) -> None:
    msg_id, obs = _emit(reading, subject)
    model = Observation.model_validate(obs)  # raises on any structural error
    assert model.status == "final"
    assert _codes(obs["code"]) == {LOINC: TABLE["panel"][0], MDC: TABLE["panel"][1]}
    parts = {}
    for comp in obs["component"]:
        codes = _codes(comp["code"])
        name = next(k for k, (loinc, _, _) in TABLE.items() if loinc == codes[LOINC])
        assert codes[MDC] == TABLE[name][1], name
        assert comp["valueQuantity"]["system"] == UCUM
        assert comp["valueQuantity"]["code"] == TABLE[name][2], name
        parts[name] = comp["valueQuantity"]["value"]
    assert parts["systolic"] == reading.systolic
    assert parts["diastolic"] == reading.diastolic
    assert ("mean" in parts) == (reading.mean_arterial is not None)
    assert ("pulse" in parts) == (reading.pulse_rate is not None)
    # The stable identifier the record service de-duplicates on.
    assert obs["identifier"][0]["value"] == msg_id
    assert obs["effectiveDateTime"] == KST.isoformat()
    assert obs["device"]["identifier"]["value"] == DEVICE.address
    validate_observation("bp", obs, msg_id)


def test_kpa_reading_is_sent_in_mmhg_and_validates() -> None:
    reading = BloodPressureReading(
        device=DEVICE,
        systolic=16.0,
        diastolic=10.7,
        mean_arterial=None,
        unit=PressureUnit.KPA,
        raw=b"\x01",
    )
    _, obs = _emit(reading, "Patient/pseudo-7f3a")
    Observation.model_validate(obs)
    units = {c["valueQuantity"]["code"] for c in obs["component"]}
    assert units == {"mm[Hg]"}
    assert any("kPa" in n["text"] for n in obs["note"])


def test_a_malformed_observation_is_caught_by_the_r4_model() -> None:
    reading = BloodPressureReading(
        device=DEVICE, systolic=120, diastolic=80, mean_arterial=None, unit=PressureUnit.MMHG,
        raw=b"\x00",
    )  # fmt: skip
    _, obs = _emit(reading, None)
    # fhir.resources checks structure, not value sets (sync_records.md §1.9): break structure.
    obs["effectiveDateTime"] = "yesterday"
    try:
        Observation.model_validate(obs)
    except ValueError:
        return
    raise AssertionError("fhir.resources accepted a bad dateTime; the check above proves nothing")


def test_publisher_sets_mqtt5_properties(mosquitto: PrivateMosquitto, tmp_data_dir: Path) -> None:
    store = Store.open(tmp_data_dir / "kiosk.db")
    fill_outbox(store, 1)
    msg_id = store.due_for_send(limit=1, resend_after=timedelta(0))[0].msg_id
    with MqttProbe(mosquitto.port, subscriptions=(obs_topic(KIOSK, "bp"),)) as probe:
        pub = OutboxPublisher(store, KIOSK, mosquitto.url, PublisherSettings(poll_interval=0.05))
        pub.start()
        try:
            wait_until(lambda: len(probe.messages()) >= 1, 10, "the observation")
        finally:
            pub.stop()
        props = probe.messages()[0].properties
    store.close()
    assert props is not None
    assert props.ContentType == "application/json"
    assert dict(props.UserProperty) == {"msg_id": msg_id, "schema": SCHEMA}
    # Set by the publisher; the broker forwards the remaining lifetime (<= what was set).
    assert 0 < props.MessageExpiryInterval <= 3600
