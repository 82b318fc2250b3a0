"""A simulated Bluetooth LE environment, plugged into the real bleak facades as backends.

``SimulatedAir`` holds simulated peripherals. ``air.client_backend`` / ``air.scanner_backend``
are ``BaseBleakClient`` / ``BaseBleakScanner`` subclasses bound to that air; pass them as
``BleakClient(..., backend=...)`` / ``BleakScanner(..., backend=...)``. Production code then
runs unchanged, bleak's own argument handling and UUID resolution included.

Behaviour copied from real stacks (so code tested here works on hardware):

* UUIDs are stored as lowercase 128-bit strings, as bleak's lookups expect;
* advertisements are emitted from the event loop after ``start()`` returns;
* unknown addresses raise ``BleakDeviceNotFoundError``; reading or writing without the
  property raises ``BleakGATTProtocolError`` (read/write not permitted);
* notifications arrive from the event loop, never inside ``start_notify()``;
* like BlueZ, the disconnected callback also fires on a disconnect we asked for.

Everything is deterministic: no randomness, no wall-clock dependence.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from bleak.args import SizedBuffer
from bleak.assigned_numbers import CharacteristicPropertyName
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient, NotifyCallback
from bleak.backends.descriptor import BleakGATTDescriptor
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData, BaseBleakScanner
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection
from bleak.exc import (
    BleakDeviceNotFoundError,
    BleakError,
    BleakGATTProtocolError,
    BleakGATTProtocolErrorCode,
)

from devices.gatt.uuids import CLIENT_CHARACTERISTIC_CONFIGURATION, normalize_uuid

__all__ = ["SimulatedAir", "SimulatedCharacteristic", "SimulatedPeripheral", "SimulatedService"]

logger = logging.getLogger(__name__)

_CCCD = normalize_uuid(CLIENT_CHARACTERISTIC_CONFIGURATION)
_ATT_MTU = 23


@dataclass
class SimulatedCharacteristic:
    uuid: str
    properties: tuple[CharacteristicPropertyName, ...]
    value: bytes = b""

    def __post_init__(self) -> None:
        self.uuid = normalize_uuid(self.uuid)

    @property
    def can_subscribe(self) -> bool:
        return "notify" in self.properties or "indicate" in self.properties


@dataclass
class SimulatedService:
    uuid: str
    characteristics: list[SimulatedCharacteristic] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.uuid = normalize_uuid(self.uuid)


class SimulatedPeripheral:
    """A GATT server with an advertisement. Subclasses add behaviour (see bp_monitor)."""

    def __init__(
        self,
        *,
        address: str,
        name: str | None,
        services: Iterable[SimulatedService],
        advertised_service_uuids: Iterable[str] = (),
        rssi: int = -60,
    ) -> None:
        self.address = address
        self.name = name
        self.rssi = rssi
        self.services = list(services)
        self.advertised_service_uuids = [normalize_uuid(u) for u in advertised_service_uuids]
        # Real health devices advertise only in transfer/pairing mode; tests can switch it off.
        self.advertising = True
        # Advert payloads (service data by UUID, manufacturer data by company id).
        self.service_data: dict[str, bytes] = {}
        self.manufacturer_data: dict[int, bytes] = {}
        # Misbehaviour: seconds between queued notifications (slow or bursty devices).
        self.notification_delay = 0.0
        self._connection: _SimulatedClient | None = None
        self._queue: deque[tuple[str, bytes]] = deque()
        self._pumping = False
        self._pump_run = 0
        # Futures, not an asyncio.Event: a peripheral may outlive one event loop (tests).
        self._idle_waiters: list[asyncio.Future[None]] = []

    # -- GATT server side ---------------------------------------------------------------

    def characteristic(self, uuid: str | int) -> SimulatedCharacteristic | None:
        wanted = normalize_uuid(uuid)
        for service in self.services:
            for char in service.characteristics:
                if char.uuid == wanted:
                    return char
        return None

    def on_read(self, char: SimulatedCharacteristic) -> bytes:
        """Value for a read; subclasses may raise BleakGATTProtocolError to refuse."""
        return char.value

    def on_write(self, char: SimulatedCharacteristic, data: bytes, response: bool) -> None:
        char.value = data

    def on_subscribe(self, char: SimulatedCharacteristic) -> None:
        """A client writes the CCCD of ``char``; raise BleakGATTProtocolError to refuse
        (e.g. INSUFFICIENT_ENCRYPTION for a device that needs a bond)."""

    @property
    def is_connected(self) -> bool:
        return self._connection is not None

    def is_subscribed(self, uuid: str | int) -> bool:
        conn = self._connection
        return conn is not None and normalize_uuid(uuid) in conn.subscriptions

    # -- outgoing notifications ---------------------------------------------------------

    def send(self, uuid: str | int, data: bytes) -> None:
        """Queue a notification/indication; it is delivered from the event loop, in order,
        while a client is subscribed, and kept until then."""
        self._queue.append((normalize_uuid(uuid), bytes(data)))
        self._pump()

    @property
    def pending(self) -> tuple[bytes, ...]:
        """Values queued but not yet delivered (e.g. while nobody is subscribed)."""
        return tuple(data for _, data in self._queue)

    async def flush(self) -> None:
        """Wait until everything deliverable right now has been delivered."""
        if self._pumping:
            waiter = asyncio.get_running_loop().create_future()
            self._idle_waiters.append(waiter)
            await waiter

    def _set_idle(self) -> None:
        self._pumping = False
        waiters, self._idle_waiters = self._idle_waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def _pump(self) -> None:
        if self._pumping or not self._queue or not self.is_subscribed(self._queue[0][0]):
            return
        self._pumping = True
        self._pump_run += 1
        asyncio.get_running_loop().call_soon(self._deliver_next, self._pump_run)

    def _deliver_next(self, run: int) -> None:
        if run != self._pump_run:  # a stale callback from before a disconnect
            return
        conn = self._connection
        if not self._queue or conn is None or self._queue[0][0] not in conn.subscriptions:
            self._set_idle()
            return
        uuid, data = self._queue.popleft()
        try:
            conn.subscriptions[uuid](bytearray(data))
        except Exception:  # a real stack logs callback errors and keeps the link
            logger.exception("notification callback for %s failed", uuid)
        loop = asyncio.get_running_loop()
        if self.notification_delay > 0:
            loop.call_later(self.notification_delay, self._deliver_next, run)
        else:
            loop.call_soon(self._deliver_next, run)

    # -- link -----------------------------------------------------------------------------

    def drop_connection(self) -> None:
        """Simulate losing the link (out of range, device switched off)."""
        conn = self._connection
        if conn is not None:
            conn._lost()

    def _attach(self, conn: _SimulatedClient) -> None:
        if self._connection is not None:
            raise BleakError(f"{self.address} is already connected to another central")
        self._connection = conn

    def _detach(self, conn: _SimulatedClient) -> None:
        if self._connection is conn:
            self._connection = None
            self._pump_run += 1
            self._set_idle()

    def _advertisement(self) -> AdvertisementData:
        return AdvertisementData(
            local_name=self.name,
            manufacturer_data=dict(self.manufacturer_data),
            service_data={normalize_uuid(k): v for k, v in self.service_data.items()},
            service_uuids=list(self.advertised_service_uuids),
            tx_power=None,
            rssi=self.rssi,
            platform_data=(),
        )


class SimulatedAir:
    """The radio space: peripherals in range, and bleak backends that see only them."""

    def __init__(self, *, advertising_interval: float = 0.1) -> None:
        self.advertising_interval = advertising_interval
        self._peripherals: dict[str, SimulatedPeripheral] = {}
        air = self

        class SimulatedBleakClient(_SimulatedClient):
            _air = air

        class SimulatedBleakScanner(_SimulatedScanner):
            _air = air

        self._client_backend: type[BaseBleakClient] = SimulatedBleakClient
        self._scanner_backend: type[BaseBleakScanner] = SimulatedBleakScanner

    @property
    def client_backend(self) -> type[BaseBleakClient]:
        return self._client_backend

    @property
    def scanner_backend(self) -> type[BaseBleakScanner]:
        return self._scanner_backend

    def add(self, peripheral: SimulatedPeripheral) -> None:
        key = peripheral.address.upper()
        if key in self._peripherals:
            raise ValueError(f"a peripheral with address {peripheral.address} is already here")
        self._peripherals[key] = peripheral

    def add_noise(self, count: int) -> list[SimulatedPeripheral]:
        """Add ``count`` non-health advertisers (phones, beacons) with deterministic data."""
        added = []
        for i in range(count):
            noise = SimulatedPeripheral(
                address=f"0E:15:E0:00:00:{i:02X}",
                name=None if i % 3 == 0 else f"Phone {i}",
                services=[],
                advertised_service_uuids=["180f"] if i % 2 else [],
                rssi=-90 + i % 30,
            )
            noise.manufacturer_data = {0x004C: bytes((i, 0x15, 0x02))}
            if i % 4 == 1:
                noise.service_data = {"fe9f": bytes(range(i % 16))}
            self.add(noise)
            added.append(noise)
        return added

    def remove(self, address: str) -> None:
        """Take a peripheral out of range; a live connection to it is lost."""
        peripheral = self._peripherals.pop(address.upper())
        peripheral.drop_connection()

    def get(self, address: str) -> SimulatedPeripheral | None:
        return self._peripherals.get(address.upper())

    @property
    def peripherals(self) -> tuple[SimulatedPeripheral, ...]:
        return tuple(self._peripherals.values())


class _SimulatedClient(BaseBleakClient):
    _air: SimulatedAir

    def __init__(
        self,
        address_or_ble_device: BLEDevice | str,
        *,
        disconnected_callback: Callable[[], None] | None = None,
        services: set[str] | None = None,
        timeout: float = 10.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            address_or_ble_device, disconnected_callback=disconnected_callback, timeout=timeout
        )
        self._service_filter = services
        self._peripheral: SimulatedPeripheral | None = None
        self._bonded = False
        self.subscriptions: dict[str, NotifyCallback] = {}
        self._chars: dict[int, SimulatedCharacteristic] = {}

    @property
    def name(self) -> str:
        peripheral = self._air.get(self.address)
        if peripheral is not None and peripheral.name:
            return peripheral.name
        return self.address.replace(":", "-")

    @property
    def mtu_size(self) -> int:
        return _ATT_MTU

    @property
    def is_connected(self) -> bool:
        return self._peripheral is not None

    async def connect(self, pair: bool, **kwargs: Any) -> None:
        if self._peripheral is not None:
            return
        peripheral = self._air.get(self.address)
        if peripheral is None or not peripheral.advertising:
            raise BleakDeviceNotFoundError(
                self.address, f"Device with address {self.address} was not found."
            )
        await asyncio.sleep(0)  # connecting is never instantaneous
        peripheral._attach(self)
        self._peripheral = peripheral
        self._bonded = self._bonded or pair
        self.services = self._build_services(peripheral)

    def _build_services(self, peripheral: SimulatedPeripheral) -> BleakGATTServiceCollection:
        collection = BleakGATTServiceCollection()
        self._chars = {}
        handle = 0
        for sim_service in peripheral.services:
            if self._service_filter is not None and sim_service.uuid not in self._service_filter:
                continue
            handle += 1
            service = BleakGATTService(None, handle, sim_service.uuid)
            collection.add_service(service)
            for sim_char in sim_service.characteristics:
                handle += 2  # declaration + value, as ATT lays them out
                char = BleakGATTCharacteristic(
                    None,
                    handle,
                    sim_char.uuid,
                    list(sim_char.properties),
                    lambda: _ATT_MTU - 3,
                    service,
                )
                collection.add_characteristic(char)
                self._chars[handle] = sim_char
                if sim_char.can_subscribe:
                    handle += 1
                    collection.add_descriptor(BleakGATTDescriptor(None, handle, _CCCD, char))
        return collection

    async def disconnect(self) -> None:
        if self._peripheral is None:
            return
        await asyncio.sleep(0)
        self._lost()

    def _lost(self) -> None:
        peripheral, self._peripheral = self._peripheral, None
        self.subscriptions.clear()
        if peripheral is not None:
            peripheral._detach(self)
            if self._disconnected_callback is not None:
                self._disconnected_callback()

    async def pair(self, *args: Any, **kwargs: Any) -> None:
        self._bonded = True

    async def unpair(self) -> None:
        self._bonded = False
        await self.disconnect()

    def _server_char(self, characteristic: BleakGATTCharacteristic) -> SimulatedCharacteristic:
        if self._peripheral is None:
            raise BleakError("Not connected")
        sim_char = self._chars.get(characteristic.handle)
        if sim_char is None or sim_char.uuid != characteristic.uuid:
            raise BleakGATTProtocolError(BleakGATTProtocolErrorCode.INVALID_HANDLE)
        return sim_char

    async def read_gatt_char(
        self,
        characteristic: BleakGATTCharacteristic,
        *,
        use_cached: bool = False,
        **kwargs: Any,
    ) -> bytearray:
        sim_char = self._server_char(characteristic)
        if "read" not in sim_char.properties:
            raise BleakGATTProtocolError(BleakGATTProtocolErrorCode.READ_NOT_PERMITTED)
        assert self._peripheral is not None
        await asyncio.sleep(0)
        return bytearray(self._peripheral.on_read(sim_char))

    async def read_gatt_descriptor(
        self,
        descriptor: BleakGATTDescriptor,
        *,
        use_cached: bool = False,
        **kwargs: Any,
    ) -> bytearray:
        if self._peripheral is None:
            raise BleakError("Not connected")
        if descriptor.uuid != _CCCD:
            raise BleakGATTProtocolError(BleakGATTProtocolErrorCode.INVALID_HANDLE)
        sim_char = self._chars.get(descriptor.characteristic_handle)
        if sim_char is None or sim_char.uuid not in self.subscriptions:
            return bytearray(b"\x00\x00")
        return bytearray(b"\x02\x00" if "indicate" in sim_char.properties else b"\x01\x00")

    async def write_gatt_char(
        self, characteristic: BleakGATTCharacteristic, data: SizedBuffer, response: bool
    ) -> None:
        sim_char = self._server_char(characteristic)
        wanted = "write" if response else "write-without-response"
        if wanted not in sim_char.properties:
            raise BleakGATTProtocolError(BleakGATTProtocolErrorCode.WRITE_NOT_PERMITTED)
        assert self._peripheral is not None
        await asyncio.sleep(0)
        self._peripheral.on_write(sim_char, bytes(data), response)

    async def write_gatt_descriptor(
        self, descriptor: BleakGATTDescriptor, data: SizedBuffer
    ) -> None:
        if self._peripheral is None:
            raise BleakError("Not connected")
        raise BleakGATTProtocolError(BleakGATTProtocolErrorCode.WRITE_NOT_PERMITTED)

    async def start_notify(
        self,
        characteristic: BleakGATTCharacteristic,
        callback: NotifyCallback,
        **kwargs: Any,
    ) -> None:
        sim_char = self._server_char(characteristic)
        if not sim_char.can_subscribe:
            raise BleakError("characteristic does not support notifications or indications")
        await asyncio.sleep(0)  # the CCCD write round trip
        assert self._peripheral is not None
        self._peripheral.on_subscribe(sim_char)
        self.subscriptions[sim_char.uuid] = callback
        self._peripheral._pump()

    async def stop_notify(self, characteristic: BleakGATTCharacteristic) -> None:
        sim_char = self._server_char(characteristic)
        self.subscriptions.pop(sim_char.uuid, None)


class _SimulatedScanner(BaseBleakScanner):
    _air: SimulatedAir

    def __init__(
        self,
        detection_callback: Any,
        service_uuids: list[str] | None,
        scanning_mode: str = "active",
        **kwargs: Any,
    ) -> None:
        super().__init__(detection_callback, service_uuids)
        self._handle: asyncio.TimerHandle | asyncio.Handle | None = None

    async def start(self) -> None:
        self.seen_devices = {}
        # After start() returns: bleak registers find_device_* callbacks only then.
        self._handle = asyncio.get_running_loop().call_soon(self._advertise)

    async def stop(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _advertise(self) -> None:
        for peripheral in self._air.peripherals:
            if not peripheral.advertising or peripheral.is_connected:
                continue
            adv = peripheral._advertisement()
            if not self.is_allowed_uuid(adv.service_uuids):
                continue
            device = self.create_or_update_device(
                peripheral.address, peripheral.address, peripheral.name, None, adv
            )
            self.call_detection_callbacks(device, adv)
        self._handle = asyncio.get_running_loop().call_later(
            self._air.advertising_interval, self._advertise
        )
