"""DeviceHub with allowlisted devices: auto-connect/import on advert, state events, RSSI, and
glucose import that survives a link drop mid-RACP (simulators as bleak backends)."""

from __future__ import annotations

import asyncio
from datetime import datetime

from devices.errors import DeviceError
from devices.profiles.registry import default_registry
from devices.readings import AnyReading, GlucoseReading
from devices.sim import SimulatedAir, SimulatedBloodPressureMonitor, SimulatedGlucoseMeter
from kiosk.hub import CONNECTED, CONNECTING, ERROR, IDLE, READING, DeviceHub, DeviceStatus

AT = datetime(2026, 12, 4, 9, 0)


def test_scan_allowed_connects_bp_and_imports_glucose_once_despite_link_drop() -> None:
    air = SimulatedAir(advertising_interval=0.02)
    cuff = SimulatedBloodPressureMonitor(address="C0:FF:EE:00:00:01", rssi=-51)
    stranger = SimulatedBloodPressureMonitor(address="C0:FF:EE:00:00:09", rssi=-40)
    meter = SimulatedGlucoseMeter(address="C0:FF:EE:00:01:01", name="meter+0612", rssi=-66)
    for i in range(4):
        meter.add_record(100 + i, at=AT.replace(minute=i))
    meter.drop_after = 2
    for p in (cuff, stranger, meter):
        air.add(p)
    readings: list[AnyReading] = []
    errors: list[tuple[DeviceError, str | None]] = []
    states: list[tuple[str, str]] = []
    memory: dict[str, int] = {}

    async def go() -> None:
        hub = DeviceHub(
            on_reading=readings.append,
            on_error=lambda e, a: errors.append((e, a)),
            client_backend=air.client_backend,
            scanner_backend=air.scanner_backend,
            reconnect_delay=0.01,
        )

        def note(status: DeviceStatus) -> None:
            states.append((status.address, status.state))

        hub.status_changed.connect(note)
        allow = {cuff.address: "blood_pressure", meter.address: "glucose"}
        await hub.scan_allowed(default_registry(), allow, seconds=0.08, last_sequence=memory)
        while meter.address not in memory or hub.status[meter.address].state != IDLE:
            await asyncio.sleep(0.01)
        assert hub.status[cuff.address].connected and hub.status[cuff.address].rssi == -51
        assert hub.status[meter.address].rssi == -66
        assert stranger.address not in hub.status  # not on the allowlist: never connected
        await cuff.measure(systolic=128, diastolic=82, pulse=70)
        await hub.stop()

    asyncio.run(asyncio.wait_for(go(), 10))
    glucose = [r for r in readings if isinstance(r, GlucoseReading)]
    assert [r.sequence_number for r in glucose] == [1, 2, 3, 4]  # none lost, none twice
    assert memory == {meter.address: 4}
    assert [r.kind for r in readings].count("blood_pressure") == 1
    assert errors == []
    meter_states = [s for a, s in states if a == meter.address]
    assert meter_states[:3] == [IDLE, READING, ERROR]  # rssi noted, reading, dropped
    assert meter_states[-2:] == [READING, IDLE]
    assert [s for a, s in states if a == cuff.address][:3] == [IDLE, CONNECTING, CONNECTED]
