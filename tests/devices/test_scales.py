"""Scales through the real bleak facades: SIG WSS/BCS with UDS consent and the two-packet
form, and Xiaomi advert-only scales read from the scanner."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

import pytest

from devices.adverts.xiaomi import ScaleAdvert
from devices.ble.scale import AdvertScaleWatcher, ScaleLink, ScaleResult
from devices.errors import DecodeError, DeviceError, LinkError
from devices.profiles.registry import default_registry
from devices.profiles.schema import Profile
from devices.readings import MassUnit, WeightReading
from devices.sim.ble import SimulatedAir
from devices.sim.scale import SimulatedSigScale, SimulatedXiaomiScale

T = TypeVar("T")
AT = datetime(2026, 12, 4, 10, 0)


def run(test: Callable[[], Awaitable[T]]) -> T:
    async def bounded() -> T:
        async with asyncio.timeout(10):
            return await test()

    return asyncio.run(bounded())


@pytest.mark.parametrize("split", [False, True])
def test_sig_scale_with_consent(split: bool) -> None:
    air = SimulatedAir()
    scale = SimulatedSigScale(users={2: 1234})
    air.add(scale)
    link = ScaleLink(scale.address, client_backend=air.client_backend, consent=(2, 1234), timeout=5)

    async def session() -> tuple[ScaleResult, list[bytes]]:
        task = asyncio.create_task(link.measure())
        while scale.current_user != 2:
            await asyncio.sleep(0.01)
        sent = await scale.step_on(
            66.85, body_fat_percent=23.4, impedance_ohm=512.3, at=AT, split=split
        )
        return await task, sent

    result, sent = run(session)
    assert len(sent) == (3 if split else 2)
    assert result.weight is not None and result.weight.weight == 66.85
    assert result.weight.user_id == 2
    body = result.body
    assert body is not None
    assert (body.body_fat_percent, body.impedance_ohm, body.weight, body.user_id) == (
        23.4,
        512.3,
        66.85,
        2,
    )
    assert body.measured_at == AT and body.unit is MassUnit.KG
    assert result.battery_percent == 87 and result.errors == []


def test_wrong_consent_is_refused_with_advice() -> None:
    air = SimulatedAir()
    scale = SimulatedSigScale(users={2: 1234})
    air.add(scale)
    link = ScaleLink(scale.address, client_backend=air.client_backend, consent=(2, 9999), timeout=5)
    with pytest.raises(LinkError, match="refused the consent") as info:
        run(link.measure)
    assert "Register" in info.value.advice


def test_scale_timeout_when_nobody_steps_on() -> None:
    air = SimulatedAir()
    scale = SimulatedSigScale()
    air.add(scale)
    with pytest.raises(LinkError, match="timed out"):
        run(ScaleLink(scale.address, client_backend=air.client_backend, timeout=0.2).measure)


def test_malformed_weight_is_reported_not_raised() -> None:
    air = SimulatedAir()
    scale = SimulatedSigScale()
    scale.services = [s for s in scale.services if not s.uuid.startswith("0000181b")]  # WSS only
    air.add(scale)

    async def session() -> ScaleResult:
        task = asyncio.create_task(
            ScaleLink(scale.address, client_backend=air.client_backend, timeout=5).measure()
        )
        while not scale.is_subscribed("2a9d"):
            await asyncio.sleep(0.01)
        scale.send("2a9d", b"\x02\xb0")  # flags say time stamp; bytes missing
        scale.send("2a9d", bytes.fromhex("00B036"))
        return await task

    result = run(session)
    assert result.weight is not None and result.weight.weight == 70.0
    assert len(result.errors) == 1 and isinstance(result.errors[0], DecodeError)
    assert result.errors[0].raw == b"\x02\xb0"


def test_advert_scales_two_in_range_with_noise() -> None:
    air = SimulatedAir(advertising_interval=0.02)
    v2 = SimulatedXiaomiScale(version=2, address="C0:FF:EE:00:03:01")
    v1 = SimulatedXiaomiScale(version=1, address="C0:FF:EE:00:03:02")
    other = SimulatedXiaomiScale(version=2, address="C0:FF:EE:00:03:03")
    for s in (v2, v1, other):
        air.add(s)
    v2.show(66.85, impedance_ohm=480, at=AT)
    v1.show(72.4, at=AT)
    other.show(80.0, stabilized=False)  # live value while stepping on: not a reading
    readings: list[tuple[WeightReading, ScaleAdvert, Profile]] = []
    errors: list[DeviceError] = []
    watcher = AdvertScaleWatcher(
        default_registry(),
        on_reading=lambda r, a, p: readings.append((r, a, p)),
        on_error=errors.append,
        scanner_backend=air.scanner_backend,
    )

    async def scan() -> None:
        await watcher.watch(0.15)  # several advertising intervals: repeats must be deduplicated

    run(scan)
    got = sorted((r.device.address, r.weight, p.id, a.impedance_ohm) for r, a, p in readings)
    assert got == [
        ("C0:FF:EE:00:03:01", 66.85, "xiaomi_mi_scale_v2", 480.0),
        ("C0:FF:EE:00:03:02", 72.4, "xiaomi_mi_scale_v1", None),
    ]
    assert errors == []

    other.show_raw("181b", b"\x02\x22\x00")  # truncated frame
    run(scan)
    assert errors and all(isinstance(e, DecodeError) for e in errors)
    assert len(readings) == 2
