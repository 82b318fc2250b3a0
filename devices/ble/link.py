"""Blood-pressure cuffs over bleak: scan, connect, read identity, receive indications.

This is the boundary where bleak exceptions become :mod:`devices.errors` types (with the
address). Decoding is the pure codec in :mod:`devices.gatt.bps`; plausibility is left to the
caller. ``client_backend`` / ``scanner_backend`` go to bleak as ``backend=`` (None = the
platform stack), which is how tests run this code against :mod:`devices.sim`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from bleak import BleakClient, BleakScanner
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData, BaseBleakScanner
from bleak.exc import (
    BleakBluetoothNotAvailableError,
    BleakDeviceNotFoundError,
    BleakError,
    BleakGATTProtocolError,
    BleakGATTProtocolErrorCode,
)

from devices.errors import DecodeError, DeviceError, DeviceNotFoundError, LinkError
from devices.gatt.bps import (
    CuffPressure,
    decode_blood_pressure_measurement,
    decode_intermediate_cuff_pressure,
)
from devices.gatt.cts import encode_current_time
from devices.gatt.dis import IDENTITY_CHARACTERISTICS, identity_from_dis
from devices.gatt.uuids import (
    BLOOD_PRESSURE_MEASUREMENT,
    BLOOD_PRESSURE_SERVICE,
    CURRENT_TIME,
    INTERMEDIATE_CUFF_PRESSURE,
    normalize_uuid,
)
from devices.readings import BloodPressureReading, DeviceIdentity

__all__ = ["BloodPressureLink", "DiscoveredDevice", "classify_services", "discover_health_devices"]

logger = logging.getLogger(__name__)

_BPM = normalize_uuid(BLOOD_PRESSURE_MEASUREMENT)
_ICP = normalize_uuid(INTERMEDIATE_CUFF_PRESSURE)
_CTS = normalize_uuid(CURRENT_TIME)
# Only kinds that have a link class here, so a caller can connect to whatever is classified.
_KIND_BY_SERVICE = {normalize_uuid(BLOOD_PRESSURE_SERVICE): "blood_pressure"}
_NEEDS_BOND = {
    BleakGATTProtocolErrorCode.INSUFFICIENT_AUTHENTICATION,
    BleakGATTProtocolErrorCode.INSUFFICIENT_ENCRYPTION,
    BleakGATTProtocolErrorCode.INSUFFICIENT_ENCRYPTION_KEY_SIZE,
}


@dataclass(frozen=True, slots=True)
class DiscoveredDevice:
    address: str
    name: str | None
    rssi: int
    service_uuids: tuple[str, ...]  # lowercase 128-bit
    kind: str | None  # "blood_pressure", or None when the advertisement does not say


def classify_services(service_uuids: Iterable[str]) -> str | None:
    """Device kind from advertised service UUIDs (any spelling), or None."""
    for uuid in service_uuids:
        try:
            kind = _KIND_BY_SERVICE.get(normalize_uuid(uuid))
        except ValueError:
            continue
        if kind is not None:
            return kind
    return None


def _link_error(exc: BaseException, action: str, address: str | None) -> LinkError:
    where = f" ({address})" if address else ""
    if isinstance(exc, BleakDeviceNotFoundError):
        return DeviceNotFoundError(f"device not found{where}", address=address)
    if isinstance(exc, BleakBluetoothNotAvailableError):
        return LinkError(
            f"Bluetooth is not available: {exc}",
            address=address,
            advice="Bluetooth is off or missing on the kiosk. Restart the kiosk or call support.",
        )
    if isinstance(exc, BleakGATTProtocolError) and exc.code in _NEEDS_BOND:
        return LinkError(
            f"{action} refused{where}: the device requires pairing ({exc.code.name})",
            address=address,
            advice="Pair the device from the staff screen (put it in pairing mode first).",
        )
    if isinstance(exc, TimeoutError):
        return LinkError(f"{action} timed out{where}", address=address)
    return LinkError(f"{action} failed{where}: {exc}", address=address)


async def discover_health_devices(
    timeout: float = 5.0, *, scanner_backend: type[BaseBleakScanner] | None = None
) -> list[DiscoveredDevice]:
    """Scan for ``timeout`` seconds; every device seen, strongest signal first.

    Devices with ``kind=None`` are kept: many cuffs advertise no service UUID, so staff may
    still need to pick one by name.
    """
    try:
        if scanner_backend is None:
            found = await BleakScanner.discover(timeout, return_adv=True)
        else:
            found = await BleakScanner.discover(timeout, return_adv=True, backend=scanner_backend)
    except (BleakError, OSError) as exc:
        raise _link_error(exc, "Bluetooth scan", None) from exc
    devices = [_discovered(device, adv) for device, adv in found.values()]
    return sorted(devices, key=lambda d: (-d.rssi, d.address))


def _discovered(device: BLEDevice, adv: AdvertisementData) -> DiscoveredDevice:
    uuids = tuple(adv.service_uuids)
    return DiscoveredDevice(
        address=device.address,
        name=adv.local_name or device.name,
        rssi=adv.rssi,
        service_uuids=uuids,
        kind=classify_services(uuids),
    )


class BloodPressureLink:
    """One cuff connection. Readings and decode errors arrive through the callbacks.

    Callbacks run inside bleak's notification handler on the event loop: keep them short and
    do not raise. ``on_reading`` gets every decoded reading, plausible or not.
    """

    def __init__(
        self,
        address: str,
        *,
        on_reading: Callable[[BloodPressureReading], None],
        on_error: Callable[[DeviceError], None],
        on_disconnect: Callable[[], None] | None = None,
        client_backend: type[BaseBleakClient] | None = None,
        pair: bool = False,
        on_cuff_pressure: Callable[[CuffPressure], None] | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """``on_cuff_pressure`` gets live 0x2A36 values while the cuff inflates (if the cuff
        has them); with ``clock``, the cuff's Current Time is set at connect when writable."""
        self.address = address
        self._on_cuff_pressure = on_cuff_pressure
        self._clock = clock
        self._on_reading = on_reading
        self._on_error = on_error
        self._on_disconnect = on_disconnect
        self._client_backend = client_backend
        self._pair = pair
        self._client: BleakClient | None = None
        self._identity: DeviceIdentity | None = None

    @property
    def identity(self) -> DeviceIdentity | None:
        """Identity read at the last successful connect (kept after a disconnect)."""
        return self._identity

    @property
    def is_connected(self) -> bool:
        return self._client is not None and self._client.is_connected

    async def connect(self, timeout: float = 10.0) -> DeviceIdentity:
        """Connect, read Device Information, enable 0x2A35 indications; return the identity.

        Raises DeviceNotFoundError or LinkError; on failure the link is left disconnected.
        """
        if self._client is not None and self._client.is_connected and self._identity:
            return self._identity
        try:
            client = BleakClient(
                self.address,
                disconnected_callback=self._bleak_disconnected,
                timeout=timeout,
                pair=self._pair,
                backend=self._client_backend,
            )
        except (BleakError, OSError) as exc:
            raise _link_error(exc, "connect", self.address) from exc
        self._client = client
        try:
            async with asyncio.timeout(timeout):
                await client.connect()
                if client.services.get_characteristic(_BPM) is None:
                    raise LinkError(
                        f"{self.address} has no Blood Pressure Measurement characteristic",
                        address=self.address,
                        advice="This device is not a blood-pressure monitor; pair the cuff.",
                    )
                self._identity = await self._read_identity(client)
                await self._set_time(client)
                await client.start_notify(_BPM, self._indicated)
                icp = client.services.get_characteristic(_ICP)
                if self._on_cuff_pressure is not None and icp is not None:
                    await client.start_notify(icp, self._cuff_notified)
        except LinkError:
            await self._abandon(client)
            raise
        except (BleakError, OSError, TimeoutError) as exc:
            await self._abandon(client)
            raise _link_error(exc, "connect", self.address) from exc
        except BaseException:  # cancellation: do not leave a half-open link behind
            await self._abandon(client)
            raise
        return self._identity

    async def disconnect(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            await client.disconnect()
        except (BleakError, OSError) as exc:
            raise _link_error(exc, "disconnect", self.address) from exc

    async def _abandon(self, client: BleakClient) -> None:
        if self._client is client:
            self._client = None
        try:
            await client.disconnect()
        except (BleakError, OSError) as exc:
            logger.debug("disconnect after failed connect to %s: %r", self.address, exc)

    async def _read_identity(self, client: BleakClient) -> DeviceIdentity:
        values: dict[int, bytes] = {}
        for uuid in IDENTITY_CHARACTERISTICS:
            char = client.services.get_characteristic(normalize_uuid(uuid))
            if char is None or "read" not in char.properties:
                continue
            try:
                values[uuid] = bytes(await client.read_gatt_char(char))
            except BleakGATTProtocolError as exc:
                # Device Information is optional; a refused read must not block measuring.
                logger.info("%s: cannot read DIS %04x: %s", self.address, uuid, exc)
        return identity_from_dis(self.address, values)

    async def _set_time(self, client: BleakClient) -> None:
        char = client.services.get_characteristic(_CTS)
        # CTS makes writing optional: only set the clock where the cuff allows it.
        if self._clock is None or char is None or "write" not in char.properties:
            return
        try:
            await client.write_gatt_char(char, encode_current_time(self._clock()), response=True)
        except BleakGATTProtocolError as exc:
            logger.info("%s: cannot set the clock: %s", self.address, exc)

    def _cuff_notified(self, _char: BleakGATTCharacteristic, data: bytearray) -> None:
        try:
            cuff = decode_intermediate_cuff_pressure(bytes(data))
        except DecodeError as exc:
            self._on_error(exc)
            return
        if self._on_cuff_pressure is not None:
            self._on_cuff_pressure(cuff)

    def _indicated(self, _char: BleakGATTCharacteristic, data: bytearray) -> None:
        identity = self._identity or DeviceIdentity(address=self.address)
        try:
            reading = decode_blood_pressure_measurement(bytes(data), identity)
        except DecodeError as exc:
            self._on_error(exc)
            return
        self._on_reading(reading)

    def _bleak_disconnected(self, client: BleakClient) -> None:
        # Ignore our own disconnects (BlueZ reports those too) and stale clients.
        if client is not self._client:
            return
        self._client = None
        if self._on_disconnect is not None:
            self._on_disconnect()
