"""Serial devices in the running kiosk: a pty simulator process speaks the Tanita bytes, the
real KioskRuntime reads them through pyserial, and the visit manager stores them."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from kiosk.errors import ConfigError
from kiosk.hub import CONNECTING, ERROR, DeviceStatus
from kiosk.runtime import KioskConfig, KioskRuntime
from kiosk.serial_service import SerialDeviceConfig, SerialDeviceService
from kiosk.session import RetryRequest, VisitorKind
from kiosk.store.db import StoredMeasurement
from tests.serial.simproc import SimProcess

TANITA = "tanita_pro_body_composition"


def wait_for(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[SimProcess]:
    proc = SimProcess("tanita", tmp_path / "tanita-port")
    yield proc
    proc.close()


@pytest.fixture
def runtime(tmp_path: Path, sim: SimProcess) -> Iterator[KioskRuntime]:
    config = KioskConfig(
        kiosk_id="kiosk-serial-01",
        data_dir=tmp_path / "data",
        serial_devices=(SerialDeviceConfig(port=str(sim.link), profile=TANITA),),
    )
    config.data_dir.mkdir()
    rt = KioskRuntime(config)
    rt.start(discover=False)
    yield rt
    rt.stop()


def consented_visit(rt: KioskRuntime) -> str:
    visit = rt.submit(rt.visits.start_visit, VisitorKind.CITIZEN_APP, "Patient/sim-0001").result(5)
    rt.submit(rt.visits.give_consent).result(5)
    return visit.id


def stored(rt: KioskRuntime, visit_id: str) -> list[StoredMeasurement]:
    return rt.submit(rt.store.measurements, visit_id).result(5)


def test_tanita_record_becomes_stored_queued_measurements(
    runtime: KioskRuntime, sim: SimProcess
) -> None:
    visit_id = consented_visit(runtime)
    sim.wait_opened()
    sim.cmd("measure")
    wait_for(lambda: len(stored(runtime, visit_id)) == 2)
    rows = stored(runtime, visit_id)
    # One Tanita record = one weight (with BMI) + one body-fat result; weight is synced once.
    assert sorted(m.kind for m in rows) == ["body_composition", "weight"]
    weight = next(m for m in rows if m.kind == "weight")
    body = next(m for m in rows if m.kind == "body_composition")
    assert weight.values["weight"] == 64.1 and weight.values["bmi"] == 23.5
    assert weight.category is not None  # BMI band from the guideline table
    assert body.values["body_fat_percent"] == 24.5
    states = runtime.store.outbox_states([m.id for m in rows])
    assert states == {weight.id: "pending", body.id: "pending"}
    due = runtime.store.due_for_send(limit=10, resend_after=timedelta(0))
    kinds = sorted(r.kind for r in due if r.kind != "consent")  # consents: test_consents.py
    assert kinds == ["bodycomp", "weight"]
    bodycomp = json.loads(next(r.payload for r in due if r.kind == "bodycomp"))
    body_obs = json.dumps(bodycomp["observation"])
    assert "24.5" in body_obs and "64.1" not in body_obs  # weight travels only in its own row
    status = runtime.submit(lambda: runtime.hub.status[str(sim.link)]).result(5)
    assert status.kind == "body_composition" and status.connected
    assert status.identity is not None and status.identity.serial_number == "SIM00001"


def test_reading_without_consent_is_not_stored(runtime: KioskRuntime, sim: SimProcess) -> None:
    visit = runtime.submit(runtime.visits.start_visit, VisitorKind.GUEST, None).result(5)
    sim.wait_opened()
    sim.cmd("measure")
    # Then consent and measure again: only the second record is kept.
    time.sleep(1.0)
    runtime.submit(runtime.visits.give_consent).result(5)
    sim.cmd("measure")
    wait_for(lambda: len(stored(runtime, visit.id)) == 2)
    assert {m.values["weight"] for m in stored(runtime, visit.id)} == {64.2}


def test_bad_checksum_is_quarantined_and_visitor_asked_again(
    runtime: KioskRuntime, sim: SimProcess
) -> None:
    retries: list[RetryRequest] = []
    runtime.visits.retry_requested.connect(retries.append)
    visit_id = consented_visit(runtime)
    sim.wait_opened()
    sim.cmd("fault badsum")
    sim.cmd("measure")
    wait_for(lambda: len(runtime.store.quarantined()) == 1)
    row = runtime.store.quarantined()[0]
    assert row.characteristic == "serial:tanita" and row.error_type == "ChecksumError"
    assert row.raw.startswith(b"{0,16,") and b"FW,24.6" in row.raw
    assert row.visit_id == visit_id and row.device_address == str(sim.link)
    wait_for(lambda: len(retries) == 1)
    assert retries[0].quarantine_id == row.id and "cable" in retries[0].advice
    assert stored(runtime, visit_id) == []
    sim.cmd("measure")  # the visitor measures again
    wait_for(lambda: len(stored(runtime, visit_id)) == 2)


def test_unplug_and_replug_mid_visit_recovers(runtime: KioskRuntime, sim: SimProcess) -> None:
    seen: list[DeviceStatus] = []
    lock = threading.Lock()

    def record(status: DeviceStatus) -> None:
        with lock:
            seen.append(status)

    runtime.hub.status_changed.connect(record)
    visit_id = consented_visit(runtime)
    sim.wait_opened()
    sim.cmd("measure")
    wait_for(lambda: len(stored(runtime, visit_id)) == 2)
    sim.cmd("unplug")
    wait_for(lambda: any(s.state == ERROR for s in seen))
    error = next(s for s in seen if s.state == ERROR)
    assert not error.connected and error.advice and "plugged" in error.advice
    time.sleep(1.0)  # the reader keeps trying with backoff while the cable is out
    assert runtime.serial.status[str(sim.link)].state in (ERROR, CONNECTING)
    sim.cmd("replug")
    sim.wait_opened(timeout=15)
    sim.cmd("measure")
    wait_for(lambda: len(stored(runtime, visit_id)) == 4)
    assert sorted(m.values["weight"] for m in stored(runtime, visit_id))[-1] == 64.2
    assert runtime.serial.status[str(sim.link)].connected


@pytest.mark.parametrize(
    ("port", "profile", "why"),
    [
        ("/dev/ttyUSB0", "no_such_profile", "no profile"),
        ("/dev/ttyUSB0", "lifescan_onetouch_ultra2", "polled meter"),
        ("auto", "example_bp_keyvalue", "no USB ids"),
    ],
)
def test_bad_serial_configuration_is_refused(port: str, profile: str, why: str) -> None:
    with pytest.raises(ConfigError, match=why):
        SerialDeviceService(
            [SerialDeviceConfig(port, profile)],
            on_reading=lambda r: None,
            on_error=lambda e, a: None,
        )


def test_record_straddling_listening_windows_is_read_whole(sim: SimProcess) -> None:
    # 3-byte chunks every 5 ms take ~0.35 s; 50 ms windows cut the record many times.
    readings: list[object] = []
    errors: list[object] = []
    service = SerialDeviceService(
        [SerialDeviceConfig(str(sim.link), TANITA)],
        on_reading=readings.append,
        on_error=lambda e, a: errors.append(e),
        window=0.05,
    )
    states: list[str] = []
    service.status_changed.connect(lambda s: states.append(s.state))
    service.start()
    try:
        sim.wait_opened()
        sim.cmd("fault split")
        sim.cmd("measure")
        wait_for(lambda: len(readings) == 2)
    finally:
        service.stop()
    assert errors == []
    assert "reading" in states  # a half-received record was reported while it arrived
