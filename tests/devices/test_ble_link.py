"""BloodPressureLink and discovery, driven through the real bleak facades with the simulator
injected as bleak backends (devices/sim)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

import pytest
from bleak import BleakClient, BleakScanner
from bleak.exc import (
    BleakCharacteristicNotFoundError,
    BleakDeviceNotFoundError,
    BleakError,
    BleakGATTProtocolError,
    BleakGATTProtocolErrorCode,
)

from devices.ble.link import BloodPressureLink, classify_services, discover_health_devices
from devices.errors import DecodeError, DeviceError, DeviceNotFoundError, LinkError
from devices.gatt.bps import BloodPressureFeature, decode_blood_pressure_feature
from devices.readings import (
    BloodPressureReading,
    BloodPressureStatus,
    DeviceIdentity,
    PressureUnit,
)
from devices.sim import (
    SimulatedAir,
    SimulatedBloodPressureMonitor,
    SimulatedCharacteristic,
    SimulatedPeripheral,
    SimulatedService,
)

T = TypeVar("T")
BP_SERVICE = "00001810-0000-1000-8000-00805f9b34fb"
ADDRESS = "C0:FF:EE:00:00:01"
IDENTITY = DeviceIdentity(
    address=ADDRESS,
    model="SIM-BP1",
    manufacturer="Bitgoeul Sim",
    serial_number="SIM0001",
    firmware="1.0.0",
    transport="ble",
)


def run(test: Callable[[], Awaitable[T]]) -> T:
    async def bounded() -> T:
        async with asyncio.timeout(5):
            return await test()

    return asyncio.run(bounded())


class Recorder:
    def __init__(self) -> None:
        self.readings: list[BloodPressureReading] = []
        self.errors: list[DeviceError] = []
        self.disconnects = 0

    def on_disconnect(self) -> None:
        self.disconnects += 1

    def link(self, air: SimulatedAir, address: str = ADDRESS) -> BloodPressureLink:
        return BloodPressureLink(
            address,
            on_reading=self.readings.append,
            on_error=self.errors.append,
            on_disconnect=self.on_disconnect,
            client_backend=air.client_backend,
        )


def setup() -> tuple[SimulatedAir, SimulatedBloodPressureMonitor, Recorder]:
    air = SimulatedAir()
    monitor = SimulatedBloodPressureMonitor()
    air.add(monitor)
    return air, monitor, Recorder()


# -- discovery -----------------------------------------------------------------------------


def test_discovery_finds_the_monitor_and_classifies_it() -> None:
    air, _, _ = setup()
    air.add(SimulatedPeripheral(address="11:22:33:44:55:66", name="Watch", services=(), rssi=-80))
    quiet = SimulatedBloodPressureMonitor(address="C0:FF:EE:00:00:02", name="BPM SIM-2")
    quiet.advertising = False
    air.add(quiet)

    found = run(lambda: discover_health_devices(0.05, scanner_backend=air.scanner_backend))

    assert [(d.address, d.name, d.rssi, d.kind) for d in found] == [
        (ADDRESS, "BPM SIM-1", -55, "blood_pressure"),
        ("11:22:33:44:55:66", "Watch", -80, None),
    ]
    assert found[0].service_uuids == (BP_SERVICE,)


def test_connected_devices_do_not_advertise() -> None:
    air, _, recorder = setup()

    async def scenario() -> list[str]:
        link = recorder.link(air)
        await link.connect()
        found = await discover_health_devices(0.05, scanner_backend=air.scanner_backend)
        await link.disconnect()
        return [d.address for d in found]

    assert run(scenario) == []


def test_bleak_find_device_by_address_sees_the_simulator() -> None:
    # find_device_* subscribes only after start() returns: the simulator must emit later.
    air, _, _ = setup()

    async def scenario() -> str | None:
        device = await BleakScanner.find_device_by_address(
            ADDRESS.lower(), timeout=1.0, backend=air.scanner_backend
        )
        return None if device is None else device.address

    assert run(scenario) == ADDRESS


def test_scanner_service_filter() -> None:
    air, _, _ = setup()
    air.add(SimulatedPeripheral(address="11:22:33:44:55:66", name="Watch", services=()))

    async def scenario(service: str) -> list[str]:
        found = await BleakScanner.discover(
            0.05, return_adv=True, service_uuids=[service], backend=air.scanner_backend
        )
        return sorted(found)

    assert run(lambda: scenario(BP_SERVICE.upper())) == [ADDRESS]
    # As with BlueZ, the filter compares 128-bit strings: a short UUID matches nothing.
    assert run(lambda: scenario("1810")) == []


def test_classify_services_accepts_any_spelling() -> None:
    assert classify_services(["0x1810"]) == "blood_pressure"
    assert classify_services(["180A", BP_SERVICE]) == "blood_pressure"
    assert classify_services(["not-a-uuid", "180d"]) is None


# -- connect and identity ------------------------------------------------------------------


def test_connect_reads_identity_from_device_information() -> None:
    air, monitor, recorder = setup()
    link = recorder.link(air)

    async def scenario() -> DeviceIdentity:
        identity = await link.connect()
        assert link.is_connected
        assert monitor.is_subscribed("2a35")
        await link.disconnect()
        return identity

    assert run(scenario) == IDENTITY
    assert link.identity == IDENTITY
    assert not link.is_connected
    assert not monitor.is_connected


def test_missing_device_information_gives_unknown_model() -> None:
    air, recorder = SimulatedAir(), Recorder()
    monitor = SimulatedBloodPressureMonitor()
    monitor.services = [s for s in monitor.services if not s.uuid.startswith("0000180a")]
    air.add(monitor)

    identity = run(lambda: recorder.link(air).connect())
    assert identity == DeviceIdentity(address=ADDRESS)


def test_refused_dis_read_does_not_block_the_connection() -> None:
    class LockedSerial(SimulatedBloodPressureMonitor):
        def on_read(self, char: SimulatedCharacteristic) -> bytes:
            if char.uuid.startswith("00002a25"):
                raise BleakGATTProtocolError(BleakGATTProtocolErrorCode.INSUFFICIENT_AUTHENTICATION)
            return super().on_read(char)

    air, recorder = SimulatedAir(), Recorder()
    air.add(LockedSerial())
    identity = run(lambda: recorder.link(air).connect())
    assert identity.serial_number is None
    assert identity.model == "SIM-BP1"


def test_unknown_address_is_device_not_found() -> None:
    air, _, recorder = setup()
    link = recorder.link(air, "C0:FF:EE:99:99:99")
    with pytest.raises(DeviceNotFoundError) as info:
        run(link.connect)
    assert info.value.address == "C0:FF:EE:99:99:99"
    assert isinstance(info.value.__cause__, BleakDeviceNotFoundError)
    assert not link.is_connected


def test_silent_monitor_is_not_found() -> None:
    air, monitor, recorder = setup()
    monitor.advertising = False
    with pytest.raises(DeviceNotFoundError):
        run(recorder.link(air).connect)


def test_device_without_blood_pressure_service_is_refused_and_released() -> None:
    air, recorder = SimulatedAir(), Recorder()
    scale = SimulatedPeripheral(
        address="11:22:33:44:55:66",
        name="Scale",
        services=[SimulatedService("181d", [SimulatedCharacteristic("2a9d", ("indicate",))])],
    )
    air.add(scale)
    link = recorder.link(air, scale.address)
    with pytest.raises(LinkError) as info:
        run(link.connect)
    assert not isinstance(info.value, DeviceNotFoundError)
    assert info.value.address == scale.address
    assert not scale.is_connected
    assert recorder.disconnects == 0


def test_monitor_needing_a_bond_gives_pairing_advice() -> None:
    class Bonded(SimulatedBloodPressureMonitor):
        def on_subscribe(self, char: SimulatedCharacteristic) -> None:
            raise BleakGATTProtocolError(BleakGATTProtocolErrorCode.INSUFFICIENT_ENCRYPTION)

    air, recorder = SimulatedAir(), Recorder()
    monitor = Bonded()
    air.add(monitor)
    with pytest.raises(LinkError) as info:
        run(recorder.link(air).connect)
    assert "pair" in info.value.advice.lower()
    assert not monitor.is_connected


# -- measurements ----------------------------------------------------------------------------


def test_measurement_arrives_decoded_with_the_spec_bytes() -> None:
    air, monitor, recorder = setup()

    async def scenario() -> bytes:
        await recorder.link(air).connect()
        return await monitor.measure(
            systolic=128,
            diastolic=82,
            pulse=71,
            timestamp=datetime(2024, 3, 15, 14, 30, 45),
            user_id=2,
            status=frozenset({BloodPressureStatus.IRREGULAR_PULSE}),
        )

    sent = run(scenario)
    spec = bytes.fromhex("1E 80 00 52 00 61 00 E8 07 03 0F 0E 1E 2D 47 00 02 04 00")
    assert sent == spec
    assert recorder.errors == []
    assert recorder.readings == [
        BloodPressureReading(
            device=IDENTITY,
            measured_at=datetime(2024, 3, 15, 14, 30, 45),
            user_id=2,
            raw=spec,
            systolic=128.0,
            diastolic=82.0,
            mean_arterial=97.0,  # estimated 82 + 46/3, rounded as a cuff shows it
            unit=PressureUnit.MMHG,
            pulse_rate=71.0,
            status=frozenset({BloodPressureStatus.IRREGULAR_PULSE}),
        )
    ]


def test_kpa_measurement_minimal_form() -> None:
    air, monitor, recorder = setup()

    async def scenario() -> bytes:
        await recorder.link(air).connect()
        return await monitor.measure(systolic=18.9, diastolic=11, unit="kPa", mean_arterial=15.9)

    assert run(scenario) == bytes.fromhex("01 BD F0 0B 00 9F F0")
    (reading,) = recorder.readings
    assert (reading.systolic, reading.diastolic, reading.mean_arterial) == (18.9, 11.0, 15.9)
    assert reading.unit is PressureUnit.KPA
    assert reading.pulse_rate is None


def test_implausible_readings_are_passed_on_unfiltered() -> None:
    air, monitor, recorder = setup()

    async def scenario() -> None:
        await recorder.link(air).connect()
        await monitor.measure(systolic=320, diastolic=80, pulse=70)

    run(scenario)
    assert [r.systolic for r in recorder.readings] == [320.0]


def test_stored_measurements_are_delivered_in_order_on_subscribe() -> None:
    air, monitor, recorder = setup()

    async def scenario() -> None:
        first = await monitor.measure(systolic=120, diastolic=80)
        second = await monitor.measure(systolic=130, diastolic=85)
        assert monitor.pending == (first, second)
        assert recorder.readings == []
        await recorder.link(air).connect()
        await monitor.flush()

    run(scenario)
    assert [(r.systolic, r.diastolic) for r in recorder.readings] == [(120, 80), (130, 85)]
    assert monitor.pending == ()


def test_malformed_indication_goes_to_on_error_and_the_link_survives() -> None:
    air, monitor, recorder = setup()
    link = recorder.link(air)
    garbage = bytes.fromhex("03 02 03 04 05 06 07")

    async def scenario() -> None:
        await link.connect()
        monitor.send_raw(garbage)
        await monitor.flush()
        assert link.is_connected
        await monitor.measure(systolic=120, diastolic=80)

    run(scenario)
    (error,) = recorder.errors
    assert isinstance(error, DecodeError)
    assert error.raw == garbage
    assert error.characteristic == "2a35"
    assert [r.systolic for r in recorder.readings] == [120.0]


def test_dropped_connection_calls_on_disconnect_and_keeps_later_measurements() -> None:
    air, monitor, recorder = setup()
    link = recorder.link(air)

    async def scenario() -> None:
        await link.connect()
        monitor.drop_connection()
        assert recorder.disconnects == 1
        assert not link.is_connected
        await monitor.measure(systolic=125, diastolic=81)
        assert recorder.readings == []
        await link.connect()
        await monitor.flush()

    run(scenario)
    assert [r.systolic for r in recorder.readings] == [125.0]
    assert recorder.disconnects == 1


def test_own_disconnect_does_not_call_on_disconnect() -> None:
    air, monitor, recorder = setup()
    link = recorder.link(air)

    async def scenario() -> None:
        await link.connect()
        await link.disconnect()
        await link.disconnect()  # idempotent

    run(scenario)
    assert recorder.disconnects == 0
    assert not monitor.is_connected


# -- simulator fidelity (plain bleak, no link) ------------------------------------------------


def test_simulator_behaves_like_a_bleak_backend() -> None:
    air, monitor, _ = setup()

    async def scenario() -> None:
        async with BleakClient(ADDRESS, backend=air.client_backend) as client:
            assert client.backend_id == "SimulatedBleakClient"
            assert client.name == "BPM SIM-1"
            # Short UUIDs resolve because the simulator stores lowercase 128-bit ones.
            assert client.services.get_characteristic("2A35") is not None
            feature = await client.read_gatt_char("2a49")
            assert decode_blood_pressure_feature(feature) == {
                BloodPressureFeature.BODY_MOVEMENT_DETECTION,
                BloodPressureFeature.CUFF_FIT_DETECTION,
                BloodPressureFeature.IRREGULAR_PULSE_DETECTION,
            }
            assert await client.read_gatt_char("2a24") == bytearray(b"SIM-BP1")
            with pytest.raises(BleakCharacteristicNotFoundError):
                await client.read_gatt_char("2a18")
            with pytest.raises(BleakGATTProtocolError) as read_info:
                await client.read_gatt_char("2a35")
            assert read_info.value.code is BleakGATTProtocolErrorCode.READ_NOT_PERMITTED
            with pytest.raises(BleakGATTProtocolError) as write_info:
                await client.write_gatt_char("2a29", b"x", response=True)
            assert write_info.value.code is BleakGATTProtocolErrorCode.WRITE_NOT_PERMITTED
            with pytest.raises(BleakError):
                await client.start_notify("2a24", lambda _c, _d: None)
            # A second central cannot connect while the first holds the link.
            with pytest.raises(BleakError):
                await BleakClient(ADDRESS, backend=air.client_backend).connect()
        assert not monitor.is_connected

    run(scenario)


def test_unknown_address_raises_bleaks_own_error() -> None:
    air, _, _ = setup()

    async def scenario() -> None:
        await BleakClient("00:00:00:00:00:00", backend=air.client_backend).connect()

    with pytest.raises(BleakDeviceNotFoundError):
        run(scenario)


def test_notifications_arrive_after_start_notify_returns() -> None:
    air, monitor, _ = setup()
    events: list[str] = []

    async def scenario() -> None:
        await monitor.measure(systolic=120, diastolic=80)
        async with BleakClient(ADDRESS, backend=air.client_backend) as client:
            await client.start_notify("2a35", lambda _c, _d: events.append("indication"))
            events.append("start_notify returned")
            await monitor.flush()

    run(scenario)
    assert events == ["start_notify returned", "indication"]


def test_air_is_reusable_across_event_loops() -> None:
    air, monitor, recorder = setup()

    async def once() -> None:
        link = recorder.link(air)
        await link.connect()
        await monitor.measure(systolic=120, diastolic=80)
        await link.disconnect()

    run(once)
    run(once)
    assert len(recorder.readings) == 2
