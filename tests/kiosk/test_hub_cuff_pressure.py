"""The hub reports a linked cuff's live pressure (0x2A36) in mmHg, whatever unit the cuff uses."""

from __future__ import annotations

import asyncio

from devices.errors import DeviceError
from devices.gatt.bps import encode_intermediate_cuff_pressure
from devices.readings import AnyReading, PressureUnit
from devices.sim import SimulatedAir, SimulatedBloodPressureMonitor
from kiosk.hub import CONNECTED, CuffPressureReport, DeviceHub, DeviceStatus


def test_live_cuff_pressure_in_mmhg_from_mmhg_and_kpa_cuffs() -> None:
    air = SimulatedAir()
    cuff = SimulatedBloodPressureMonitor(live_cuff=True)
    air.add(cuff)
    readings: list[AnyReading] = []
    errors: list[DeviceError] = []
    hub = DeviceHub(
        on_reading=readings.append,
        on_error=lambda error, _address: errors.append(error),
        client_backend=air.client_backend,
    )
    live: list[CuffPressureReport] = []
    statuses: list[DeviceStatus] = []
    hub.cuff_pressure.connect(live.append)
    hub.status_changed.connect(statuses.append)

    async def go() -> None:
        await hub.add_blood_pressure_monitor(cuff.address)
        await cuff.inflate([30, 120])
        cuff.send("2a36", encode_intermediate_cuff_pressure(20.0, unit=PressureUnit.KPA))
        await cuff.flush()
        await cuff.measure(systolic=126, diastolic=80, pulse=66)
        await hub.stop()

    asyncio.run(asyncio.wait_for(go(), 10))
    assert [r.address for r in live] == [cuff.address] * 3
    assert [round(r.mmhg) for r in live] == [30, 120, 150]  # 20 kPa ≈ 150 mmHg
    assert len(readings) == 1 and errors == []
    assert statuses[-1].state == CONNECTED and statuses[-1].connected
