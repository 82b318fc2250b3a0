"""Glucose RACP download through the real BleakClient with the simulated meter as backend."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

import pytest

from devices.ble.glucose import GlucoseMeterLink, isens_time_payload
from devices.errors import LinkError
from devices.readings import GlucoseUnit, MealContext, SampleLocation, SampleType
from devices.sim.ble import SimulatedAir
from devices.sim.glucose_meter import SimulatedGlucoseMeter

T = TypeVar("T")
AT = datetime(2026, 12, 4, 9, 0)


def run(test: Callable[[], Awaitable[T]]) -> T:
    async def bounded() -> T:
        async with asyncio.timeout(10):
            return await test()

    return asyncio.run(bounded())


def meter_in_air(records: int = 3, **kwargs: object) -> tuple[SimulatedAir, SimulatedGlucoseMeter]:
    air = SimulatedAir()
    meter = SimulatedGlucoseMeter(**kwargs)  # type: ignore[arg-type]
    for i in range(records):
        meter.add_record(100 + i, at=AT.replace(minute=i))
    air.add(meter)
    return air, meter


def test_first_visit_imports_all_then_only_new_records() -> None:
    air, meter = meter_in_air(3)
    memory: dict[str, int] = {}
    link = GlucoseMeterLink(meter.address, last_sequence=memory, client_backend=air.client_backend)

    first = run(link.download)
    assert [r.concentration for r in first.readings] == [100.0, 101.0, 102.0]
    assert all(r.unit is GlucoseUnit.MG_DL for r in first.readings)
    assert [r.sequence_number for r in first.readings] == [1, 2, 3]
    assert first.readings[0].measured_at == AT
    assert first.identity.model == "SIM-GL1"
    assert memory == {meter.address: 3}
    assert meter.racp_requests == [bytes.fromhex("0101")]

    meter.add_record(140, at=AT.replace(hour=10), meal=MealContext.POSTPRANDIAL)
    second = run(link.download)
    assert [(r.sequence_number, r.concentration, r.meal) for r in second.readings] == [
        (4, 140.0, MealContext.POSTPRANDIAL)
    ]
    assert meter.racp_requests[-1] == bytes.fromhex("01 03 01 04 00")
    assert memory == {meter.address: 4}

    third = run(link.download)  # nothing new: the meter answers "no records found"
    assert third.readings == [] and memory == {meter.address: 4}


def test_link_loss_mid_transfer_loses_and_duplicates_nothing() -> None:
    air, meter = meter_in_air(5)
    memory: dict[str, int] = {}
    link = GlucoseMeterLink(meter.address, last_sequence=memory, client_backend=air.client_backend)
    meter.drop_after = 2  # two records delivered, then the link drops

    with pytest.raises(LinkError, match="lost during the record transfer") as info:
        run(link.download)
    assert info.value.address == meter.address and info.value.advice
    assert memory == {}  # nothing committed from the partial transfer

    retry = run(link.download)
    assert [r.sequence_number for r in retry.readings] == [1, 2, 3, 4, 5]
    assert memory == {meter.address: 5}
    again = run(link.download)
    assert again.readings == []


def test_silent_meter_times_out_and_is_sent_abort() -> None:
    air, meter = meter_in_air(2)
    meter.silent = True
    memory: dict[str, int] = {}
    link = GlucoseMeterLink(
        meter.address, last_sequence=memory, client_backend=air.client_backend, timeout=0.3
    )
    with pytest.raises(LinkError, match="did not finish"):
        run(link.download)
    assert meter.racp_requests == [bytes.fromhex("0101"), bytes.fromhex("0300")]
    assert memory == {}


def test_two_meters_of_the_same_kind_keep_separate_memory() -> None:
    air = SimulatedAir()
    a = SimulatedGlucoseMeter(address="C0:FF:EE:00:01:01", name="GLS A")
    b = SimulatedGlucoseMeter(address="C0:FF:EE:00:01:02", name="GLS B")
    a.add_record(90, at=AT)
    for i in range(3):
        b.add_record(200 + i, at=AT.replace(minute=i))
    air.add(a)
    air.add(b)
    memory: dict[str, int] = {}

    async def both() -> tuple[list[float], list[float]]:
        ra, rb = await asyncio.gather(
            GlucoseMeterLink(
                a.address, last_sequence=memory, client_backend=air.client_backend
            ).download(),
            GlucoseMeterLink(
                b.address, last_sequence=memory, client_backend=air.client_backend
            ).download(),
        )
        return [r.concentration for r in ra.readings], [r.concentration for r in rb.readings]

    assert run(both) == ([90.0], [200.0, 201.0, 202.0])
    assert memory == {a.address: 1, b.address: 3}


def test_control_solution_is_never_a_reading() -> None:
    air, meter = meter_in_air(1)
    meter.add_record(
        100,
        at=AT,
        sample_type=SampleType.CONTROL_SOLUTION,
        sample_location=SampleLocation.CONTROL_SOLUTION,
    )
    memory: dict[str, int] = {}
    result = run(
        GlucoseMeterLink(
            meter.address, last_sequence=memory, client_backend=air.client_backend
        ).download
    )
    assert [r.sequence_number for r in result.readings] == [1]
    assert result.control_solution == 1
    assert memory == {meter.address: 2}  # seen, so not offered again


def test_isens_vendor_clock_is_set_before_download() -> None:
    air, meter = meter_in_air(1, isens_clock=True, name="CareSens 0123")
    now = datetime(2026, 12, 4, 21, 30, 15)
    link = GlucoseMeterLink(
        meter.address, last_sequence={}, client_backend=air.client_backend, set_time="isens_fff1"
    )
    result = run(lambda: link.download(now))
    assert len(result.readings) == 1
    assert meter.clock_writes == [isens_time_payload(now)]
    assert isens_time_payload(now) == bytes.fromhex("C0 03 01 00 EA 07 0C 04 15 1E 0F")


def test_unknown_meter_is_not_found() -> None:
    air = SimulatedAir()
    link = GlucoseMeterLink(
        "C0:FF:EE:99:99:99", last_sequence={}, client_backend=air.client_backend
    )
    with pytest.raises(LinkError):
        run(link.download)


def test_slow_notifications_still_complete() -> None:
    air, meter = meter_in_air(3)
    meter.notification_delay = 0.02
    memory: dict[str, int] = {}
    link = GlucoseMeterLink(meter.address, last_sequence=memory, client_backend=air.client_backend)
    assert [r.sequence_number for r in run(link.download).readings] == [1, 2, 3]
