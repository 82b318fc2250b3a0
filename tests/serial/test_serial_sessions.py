"""Whole sessions: each simulator runs as its own process on a pty; the drivers open the real
tty through pyserial. Faults: line noise, split frames, bad checksums, a half record followed
by silence, a silent meter, unplug/replug."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from devices.readings import BodyCompositionReading, GlucoseReading, MealContext, WeightReading
from devices.serial import tanita
from devices.serial.drivers import (
    CareSensDriver,
    OneTouchUltra2Driver,
    PushDriver,
    SdCodeFreeDriver,
    SessionResult,
)
from devices.serial.errors import ChecksumError, PortBusyError, PortGoneError, SerialTimeoutError
from devices.serial.transport import LineSettings, SerialTransport
from kiosk.store import Store
from tests.serial.simproc import SimProcess

NINE_SIX = LineSettings(baudrate=9600)


StartSim = Callable[[str], SimProcess]


@pytest.fixture
def sim_factory(tmp_path: Path) -> Iterator[StartSim]:
    started: list[SimProcess] = []

    def start(protocol: str) -> SimProcess:
        sim = SimProcess(protocol, tmp_path / f"{protocol}-port")
        started.append(sim)
        return sim

    yield start
    for sim in started:
        sim.close()


def _glucose(result: SessionResult) -> list[GlucoseReading]:
    out = [r for r in result.readings if isinstance(r, GlucoseReading)]
    assert len(out) == len(result.readings)
    return out


def _tanita(transport: SerialTransport) -> PushDriver:
    return PushDriver(
        transport,
        lambda raw, dev: tanita.decode_tanita_record(raw, dev).readings(),
        model="Tanita",
        start_marker=b"{0,",
    )


def test_tanita_push_with_noise_and_split_frames(sim_factory: StartSim) -> None:
    sim = sim_factory("tanita")
    with SerialTransport(str(sim.link), NINE_SIX) as transport:
        sim.cmd("fault noise")
        sim.cmd("measure")
        sim.cmd("fault split")
        sim.cmd("measure")
        result = _tanita(transport).read_session(5.0, records=4)
    assert not result.rejected
    body = [r for r in result.readings if isinstance(r, BodyCompositionReading)]
    scale = [r for r in result.readings if isinstance(r, WeightReading)]
    assert [b.weight for b in body] == [64.1, 64.2]
    assert [b.body_fat_percent for b in body] == [24.5, 24.5]
    assert [s.bmi for s in scale] == [23.5, 23.5]
    assert body[0].raw.startswith(b"{0,16,") and body[0].device.serial_number == "SIM00001"


def test_tanita_bad_checksum_is_quarantined_and_next_measurement_read(
    sim_factory: StartSim, tmp_data_dir: Path
) -> None:
    sim = sim_factory("tanita")
    store = Store.open(tmp_data_dir / "kiosk.sqlite3")
    asked_again: list[str] = []
    with SerialTransport(str(sim.link), NINE_SIX) as transport:
        sim.cmd("fault badsum")
        sim.cmd("measure")
        sim.cmd("measure")
        result = _tanita(transport).read_session(
            5.0, on_rejected=lambda exc: asked_again.append(exc.advice)
        )
    (bad,) = result.rejected
    assert isinstance(bad, ChecksumError) and b"FW,24.6" in bad.raw
    assert asked_again == [bad.advice]
    assert result.readings[0].raw.count(b"FW,24.5") == 1
    # The API the hub uses for each rejected frame.
    store.quarantine(
        characteristic=bad.characteristic,
        raw=bad.raw,
        error=bad,
        visit_id=None,
        device_address=str(sim.link),
    )
    (row,) = store.quarantined()
    assert (row.characteristic, row.raw, row.error_type) == (
        "serial:tanita",
        bad.raw,
        "ChecksumError",
    )


def test_tanita_half_record_then_silence_times_out_with_partial(
    sim_factory: StartSim,
) -> None:
    sim = sim_factory("tanita")
    with SerialTransport(str(sim.link), NINE_SIX) as transport:
        sim.cmd("fault half")
        sim.cmd("measure")
        started = time.monotonic()
        with pytest.raises(SerialTimeoutError) as exc:
            _tanita(transport).read_session(0.8)
        waited = time.monotonic() - started
    assert 0.75 <= waited < 2.0
    assert exc.value.partial.startswith(b"{0,16,") and b"CS," not in exc.value.partial


def test_tanita_unplug_and_replug_during_session(sim_factory: StartSim) -> None:
    sim = sim_factory("tanita")
    transport = SerialTransport(str(sim.link), NINE_SIX)
    transport.open()
    out: list[SessionResult] = []
    reader = threading.Thread(target=lambda: out.append(_tanita(transport).read_session(8.0)))
    reader.start()
    sim.wait_opened()
    sim.cmd("fault half")
    sim.cmd("measure")  # half a record arrives, then the cable is pulled
    time.sleep(0.2)
    sim.cmd("unplug")
    time.sleep(0.3)
    sim.cmd("replug")
    # The analyser pushes whether or not the host listens; measure until the kiosk hears one.
    while reader.is_alive():
        sim.cmd("measure")
        reader.join(0.2)
    transport.close()
    (result,) = out
    assert result.reconnects == 1
    # The cut record was dropped with the old connection, not glued to the next one.
    assert not result.rejected
    assert isinstance(result.readings[0], BodyCompositionReading)
    assert result.readings[0].raw.count(b"{0,16") == 1


def test_port_is_exclusive(sim_factory: StartSim) -> None:
    sim = sim_factory("tanita")
    with SerialTransport(str(sim.link), NINE_SIX), pytest.raises(PortBusyError):
        SerialTransport(str(sim.link), NINE_SIX).open()


def test_otultra2_dump_and_repoll_after_bad_checksum(sim_factory: StartSim) -> None:
    sim = sim_factory("otultra2")
    sim.cmd("fault badsum")
    with SerialTransport(str(sim.link), NINE_SIX) as transport:
        result = OneTouchUltra2Driver(transport).read_session(5.0)
    (bad,) = result.rejected
    assert isinstance(bad, ChecksumError) and b" 163 " in bad.raw
    values = [(r.concentration, r.meal) for r in _glucose(result)]
    assert values == [(104.0, MealContext.PREPRANDIAL), (162.0, MealContext.POSTPRANDIAL)]


def test_otultra2_split_reply_and_noise(sim_factory: StartSim) -> None:
    sim = sim_factory("otultra2")
    sim.cmd("fault split")
    with SerialTransport(str(sim.link), NINE_SIX) as transport:
        result = OneTouchUltra2Driver(transport).read_session(5.0)
        assert [r.raw.strip()[-5:] for r in _glucose(result)] == [b" 0994", b" 099C"]
        sim.cmd("fault noise")
        # Noise before the header corrupts it; the driver polls again and succeeds.
        again = OneTouchUltra2Driver(transport).read_session(5.0)
    assert len(again.rejected) == 1 and len(again.readings) == 2


def test_otultra2_silent_meter_times_out_cleanly(sim_factory: StartSim) -> None:
    sim = sim_factory("otultra2")
    for _ in range(3):
        sim.cmd("fault silent")
    with SerialTransport(str(sim.link), NINE_SIX) as transport:
        started = time.monotonic()
        with pytest.raises(SerialTimeoutError) as exc:
            OneTouchUltra2Driver(transport, reply_timeout=0.3).read_session(3.0)
        assert time.monotonic() - started < 1.5
    assert exc.value.partial == b"" and "did not answer" in exc.value.advice


def test_otultra2_replugged_before_session(sim_factory: StartSim) -> None:
    sim = sim_factory("otultra2")
    sim.cmd("unplug")
    threading.Timer(0.3, sim.cmd, args=("replug",)).start()
    transport = SerialTransport(str(sim.link), NINE_SIX)
    try:
        result = OneTouchUltra2Driver(transport).read_session(5.0)
    finally:
        transport.close()
    assert result.reconnects == 1 and len(result.readings) == 2


def test_caresens_session(sim_factory: StartSim) -> None:
    sim = sim_factory("caresens")
    with SerialTransport(str(sim.link), NINE_SIX) as transport:
        result = CareSensDriver(transport).read_session(5.0)
    got = [(r.concentration, r.meal, r.sequence_number) for r in _glucose(result)]
    assert got == [(98.0, MealContext.FASTING, 1), (171.0, MealContext.POSTPRANDIAL, 2)]


def test_sdcodefree_session(sim_factory: StartSim) -> None:
    sim = sim_factory("sdcodefree")
    with SerialTransport(str(sim.link), LineSettings(baudrate=38400)) as transport:
        sim.cmd("measure")
        result = SdCodeFreeDriver(transport).read_session(5.0)
    assert [(r.concentration, r.meal) for r in _glucose(result)] == [
        (180.0, MealContext.POSTPRANDIAL),
        (95.0, MealContext.PREPRANDIAL),
    ]


def test_caresens_damaged_reply_is_asked_again(sim_factory: StartSim) -> None:
    sim = sim_factory("caresens")
    sim.cmd("fault silent")  # first session: the meter ignores the probe
    sim.cmd("fault clean")  # second session: probe answered, NCOT reply damaged
    sim.cmd("fault badsum")
    with SerialTransport(str(sim.link), NINE_SIX) as transport:
        with pytest.raises(SerialTimeoutError):
            CareSensDriver(transport, reply_timeout=0.3).read_session(5.0)
        result = CareSensDriver(transport).read_session(5.0)
    (bad,) = result.rejected
    assert isinstance(bad, ChecksumError) and bad.raw[:5] == b"\x02iSPc"
    assert [r.concentration for r in _glucose(result)] == [98.0, 171.0]


def test_sdcodefree_damaged_record_is_rejected_with_raw(sim_factory: StartSim) -> None:
    sim = sim_factory("sdcodefree")
    with SerialTransport(str(sim.link), LineSettings(baudrate=38400)) as transport:
        sim.cmd("fault clean")  # challenge
        sim.cmd("fault noise")  # count message, after line noise
        sim.cmd("fault badsum")  # first record
        sim.cmd("measure")
        result = SdCodeFreeDriver(transport).read_session(5.0)
    (bad,) = result.rejected
    assert isinstance(bad, ChecksumError) and bad.raw[:2] == b"\x53\x20"
    assert [r.concentration for r in _glucose(result)] == [95.0]


def test_usb_id_lookup_without_such_cable_is_a_typed_error() -> None:
    transport = SerialTransport(None, NINE_SIX, usb_ids=["ffff:0001"])
    with pytest.raises(PortGoneError, match="ffff:0001") as exc:
        transport.open()
    assert "plugged in" in exc.value.advice
    with pytest.raises(ValueError):
        SerialTransport(None, NINE_SIX)
