"""BloodPressureLink: live cuff pressure from 0x2A36 and setting the cuff's clock (CTS)."""

from __future__ import annotations

import asyncio
from datetime import datetime

from devices.ble.link import BloodPressureLink
from devices.errors import DecodeError, DeviceError
from devices.gatt.bps import CuffPressure
from devices.gatt.cts import decode_current_time
from devices.readings import BloodPressureReading
from devices.sim import SimulatedAir, SimulatedBloodPressureMonitor

NOW = datetime(2026, 12, 4, 21, 15, 30)


def test_live_cuff_pressure_then_result_and_clock_set() -> None:
    air = SimulatedAir()
    cuff = SimulatedBloodPressureMonitor(live_cuff=True, clock=True)
    air.add(cuff)
    live: list[CuffPressure] = []
    readings: list[BloodPressureReading] = []
    errors: list[DeviceError] = []

    async def go() -> None:
        link = BloodPressureLink(
            cuff.address,
            on_reading=readings.append,
            on_error=errors.append,
            client_backend=air.client_backend,
            on_cuff_pressure=live.append,
            clock=lambda: NOW,
        )
        await link.connect()
        await cuff.inflate([20, 80, 150])
        cuff.send("2a36", b"\x00\x14")  # malformed: 2 of 7 bytes
        await cuff.flush()
        await cuff.measure(systolic=132, diastolic=85, pulse=72)
        await link.disconnect()

    asyncio.run(asyncio.wait_for(go(), 5))
    assert [c.pressure for c in live] == [20.0, 80.0, 150.0]
    assert [(r.systolic, r.diastolic) for r in readings] == [(132.0, 85.0)]
    assert len(errors) == 1 and isinstance(errors[0], DecodeError)
    assert errors[0].characteristic == "2a36" and errors[0].raw == b"\x00\x14"
    assert [decode_current_time(w).timestamp for w in cuff.clock_writes] == [NOW]


def test_clock_left_alone_without_writable_cts() -> None:
    air = SimulatedAir()
    cuff = SimulatedBloodPressureMonitor()  # no CTS, no 0x2A36
    air.add(cuff)
    live: list[CuffPressure] = []

    async def go() -> None:
        link = BloodPressureLink(
            cuff.address,
            on_reading=lambda r: None,
            on_error=lambda e: None,
            client_backend=air.client_backend,
            on_cuff_pressure=live.append,
            clock=lambda: NOW,
        )
        await link.connect()
        assert link.is_connected
        await link.disconnect()

    asyncio.run(asyncio.wait_for(go(), 5))
    assert cuff.clock_writes == [] and live == []
