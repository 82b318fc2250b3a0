"""Scales in the device hub: allowlisted WSS/BCS scales are measured when a scan sees them
(UDS consent proven when the kiosk has a slot), allowlisted advert-only scales are read from
their adverts, and a neighbour's scale is ignored."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

import pytest

from devices.errors import DeviceError, LinkError
from devices.profiles.registry import default_registry
from devices.readings import AnyReading, BodyCompositionReading, WeightReading
from devices.sim.ble import SimulatedAir
from devices.sim.scale import SimulatedSigScale, SimulatedXiaomiScale
from kiosk.hub import ERROR, IDLE, READING, DeviceHub, DeviceStatus

T = TypeVar("T")
AT = datetime(2026, 12, 4, 10, 0)


def run(test: Callable[[], Awaitable[T]]) -> T:
    async def bounded() -> T:
        async with asyncio.timeout(10):
            return await test()

    return asyncio.run(bounded())


class Routed:
    def __init__(self, air: SimulatedAir, *, scale_timeout: float = 5.0) -> None:
        self.readings: list[AnyReading] = []
        self.errors: list[tuple[DeviceError, str | None]] = []
        self.statuses: list[DeviceStatus] = []
        self.hub = DeviceHub(
            on_reading=self.readings.append,
            on_error=lambda e, a: self.errors.append((e, a)),
            client_backend=air.client_backend,
            scanner_backend=air.scanner_backend,
            scale_timeout=scale_timeout,
        )
        self.hub.status_changed.connect(self.statuses.append)


async def _until(check: Callable[[], bool]) -> None:
    while not check():
        await asyncio.sleep(0.01)


def test_allowed_sig_scale_is_measured_with_consent() -> None:
    air = SimulatedAir(advertising_interval=0.02)
    scale = SimulatedSigScale(users={3: 1234})
    neighbour = SimulatedSigScale(address="C0:FF:EE:00:02:99", users={3: 1234})
    air.add(scale)
    air.add(neighbour)
    r = Routed(air)
    r.hub.scale_consent[scale.address] = (3, 1234)

    async def session() -> None:
        await r.hub.scan_allowed(
            default_registry().for_transport("ble"),
            {scale.address: "body_composition"},
            seconds=0.1,
        )
        await _until(lambda: scale.is_subscribed("2a9c") and scale.current_user == 3)
        # A second scan while the scale is being read does not open a second session.
        await r.hub.scan_allowed(
            default_registry().for_transport("ble"),
            {scale.address: "body_composition"},
            seconds=0.1,
        )
        await scale.step_on(71.2, body_fat_percent=27.5, impedance_ohm=500.0, at=AT, split=True)
        await _until(lambda: r.hub.status[scale.address].state == IDLE)
        await r.hub.stop()

    run(session)
    assert sorted(type(x).__name__ for x in r.readings) == [
        "BodyCompositionReading",
        "WeightReading",
    ]
    weight = next(x for x in r.readings if isinstance(x, WeightReading))
    body = next(x for x in r.readings if isinstance(x, BodyCompositionReading))
    assert weight.weight == 71.2 and weight.user_id == 3
    assert body.body_fat_percent == 27.5 and body.impedance_ohm == 500.0
    assert not neighbour.is_connected and r.errors == []
    states = [s.state for s in r.statuses if s.address == scale.address]
    assert states.count(READING) == 1 and states[-1] == IDLE
    assert r.hub.status[scale.address].battery_percent == 87


def test_refused_consent_reaches_staff_with_advice() -> None:
    air = SimulatedAir(advertising_interval=0.02)
    scale = SimulatedSigScale(users={3: 1234})
    air.add(scale)
    r = Routed(air)
    r.hub.scale_consent[scale.address] = (3, 9999)

    async def session() -> None:
        await r.hub.scan_allowed(
            default_registry().for_transport("ble"), {scale.address: "weight"}, seconds=0.1
        )
        await _until(lambda: r.hub.status[scale.address].state == ERROR)
        await r.hub.stop()

    run(session)
    status = r.hub.status[scale.address]
    assert status.advice is not None and "Register" in status.advice
    [(error, address)] = r.errors
    assert isinstance(error, LinkError) and address == scale.address
    assert r.readings == []


def test_nobody_stepping_on_is_idle_not_an_error() -> None:
    air = SimulatedAir(advertising_interval=0.02)
    scale = SimulatedSigScale()
    air.add(scale)
    r = Routed(air, scale_timeout=0.2)

    async def session() -> None:
        await r.hub.scan_allowed(
            default_registry().for_transport("ble"), {scale.address: "weight"}, seconds=0.05
        )
        # Connected and waiting (reading), then back to idle when the timeout passes.
        await _until(lambda: [s.state for s in r.statuses][-2:] == [READING, IDLE])
        await r.hub.stop()

    run(session)
    assert r.errors == [] and r.readings == []
    assert [s.state for s in r.statuses][-2:] == [READING, IDLE]


def test_allowed_advert_scale_is_read_once_and_neighbours_ignored(
    caplog: pytest.LogCaptureFixture,
) -> None:
    air = SimulatedAir(advertising_interval=0.02)
    mine = SimulatedXiaomiScale(version=2, address="C0:FF:EE:00:03:01")
    neighbour = SimulatedXiaomiScale(version=2, address="C0:FF:EE:00:03:02")
    air.add(mine)
    air.add(neighbour)
    mine.show(66.85, impedance_ohm=480, at=AT)
    neighbour.show(80.0, at=AT)
    r = Routed(air)
    allowed = {mine.address: "body_composition"}

    async def session() -> None:
        profiles = default_registry().for_transport("ble")
        await r.hub.scan_allowed(profiles, allowed, seconds=0.15)
        await r.hub.scan_allowed(profiles, allowed, seconds=0.15)  # same advert again
        mine.show_raw("181b", b"\x02\x22\x00")  # a truncated advert is logged, not quarantined
        await r.hub.scan_allowed(profiles, allowed, seconds=0.1)
        await r.hub.stop()

    run(session)
    [reading] = r.readings
    assert isinstance(reading, WeightReading)
    assert reading.device.address == mine.address and reading.weight == 66.85
    assert not mine.is_connected  # advert-only: never connected to
    assert r.errors == []
    assert r.hub.status[mine.address].kind == "body_composition"
    assert "undecodable scale advert" in caplog.text
