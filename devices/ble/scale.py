"""Scales: SIG WSS/BCS over GATT (with UDS consent), and advert-only scales from the scanner.

``ScaleLink.measure()`` connects, subscribes, proves UDS consent when a user slot is known,
and returns the first weight (and body composition, if the scale has BCS) it indicates. Two
0x2A9C packets with the multiple-packet flag are merged into one measurement.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from bleak import BleakClient, BleakScanner
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData, BaseBleakScanner
from bleak.exc import BleakError

from devices.adverts.xiaomi import ScaleAdvert
from devices.ble.link import _link_error
from devices.errors import DecodeError, DeviceError, LinkError
from devices.gatt import uuids
from devices.gatt.battery import decode_battery_level
from devices.gatt.bcs import MULTI_PACKET, decode_body_composition
from devices.gatt.uds import UcpResult, decode_ucp_response, encode_consent
from devices.gatt.wss import decode_weight_measurement
from devices.profiles.ble import best_matches
from devices.profiles.schema import Profile
from devices.readings import BodyCompositionReading, DeviceIdentity, WeightReading

__all__ = ["AdvertScaleWatcher", "ScaleLink", "ScaleResult"]

logger = logging.getLogger(__name__)

_WM = uuids.normalize_uuid(uuids.WEIGHT_MEASUREMENT)
_BCM = uuids.normalize_uuid(uuids.BODY_COMPOSITION_MEASUREMENT)
_UCP = uuids.normalize_uuid(uuids.USER_CONTROL_POINT)
_BATTERY = uuids.normalize_uuid(uuids.BATTERY_LEVEL)


@dataclass
class ScaleResult:
    weight: WeightReading | None = None
    body: BodyCompositionReading | None = None
    battery_percent: int | None = None
    errors: list[DeviceError] = field(default_factory=list)


class ScaleLink:
    def __init__(
        self,
        address: str,
        *,
        client_backend: type[BaseBleakClient] | None = None,
        consent: tuple[int, int] | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.address = address
        self._backend = client_backend
        self._consent = consent  # (UDS user index, consent code)
        self._timeout = timeout

    async def measure(self) -> ScaleResult:
        """Wait for one measurement. Raises LinkError (not found, refused consent, timeout)."""
        client = BleakClient(self.address, timeout=self._timeout, backend=self._backend)
        try:
            async with asyncio.timeout(self._timeout):
                await client.connect()
                return await self._session(client)
        except DeviceError:
            raise
        except (BleakError, OSError, TimeoutError) as exc:
            raise _link_error(exc, "scale measurement", self.address) from exc
        finally:
            try:
                await client.disconnect()
            except (BleakError, OSError) as exc:
                logger.debug("disconnect %s: %r", self.address, exc)

    async def _session(self, client: BleakClient) -> ScaleResult:
        result = ScaleResult()
        identity = DeviceIdentity(address=self.address)
        has_bcs = client.services.get_characteristic(_BCM) is not None
        done = asyncio.Event()
        ucp: asyncio.Queue[bytes] = asyncio.Queue()
        pending: list[bytes] = []

        def finished() -> None:
            if result.weight is not None and (result.body is not None or not has_bcs):
                done.set()

        def on_weight(_c: BleakGATTCharacteristic, data: bytearray) -> None:
            try:
                result.weight = decode_weight_measurement(data).to_reading(identity)
            except DecodeError as exc:
                result.errors.append(exc)
            finished()

        def on_body(_c: BleakGATTCharacteristic, data: bytearray) -> None:
            packet = bytes(data)
            flags = int.from_bytes(packet[:2], "little") if len(packet) >= 2 else 0
            if flags & MULTI_PACKET and not pending:
                pending.append(packet)  # first half: wait for the second
                return
            packets = [*pending, packet]
            pending.clear()
            try:
                result.body = decode_body_composition(packets).to_reading(identity)
            except DecodeError as exc:
                result.errors.append(exc)
            finished()

        battery = client.services.get_characteristic(_BATTERY)
        if battery is not None and "read" in battery.properties:
            try:
                result.battery_percent = decode_battery_level(await client.read_gatt_char(battery))
            except DecodeError as exc:
                result.errors.append(exc)
        await client.start_notify(_WM, on_weight)
        if has_bcs:
            await client.start_notify(_BCM, on_body)
        if self._consent is not None:
            await client.start_notify(_UCP, lambda _c, d: ucp.put_nowait(bytes(d)))
            await client.write_gatt_char(_UCP, encode_consent(*self._consent), response=True)
            response = decode_ucp_response(await ucp.get())
            if response.result == UcpResult.USER_NOT_AUTHORIZED:
                raise LinkError(
                    f"scale {self.address} refused the consent code for user {self._consent[0]}",
                    address=self.address,
                    advice="Register the visitor on the scale again from the staff screen.",
                )
            if not response.success:
                raise LinkError(f"consent failed: {response.result}", address=self.address)
        await done.wait()
        return result


@dataclass(frozen=True, slots=True)
class _Seen:
    address: str
    weight: float
    measured_at: object


class AdvertScaleWatcher:
    """Scan for advert-only scales (profiles with ``procedure.type = "advert"``).

    Only stabilized frames with the load still on become readings, and each is reported once
    even though the scale repeats it for seconds.
    """

    def __init__(
        self,
        profiles: Iterable[Profile],
        *,
        on_reading: Callable[[WeightReading, ScaleAdvert, Profile], None],
        on_error: Callable[[DeviceError], None],
        scanner_backend: type[BaseBleakScanner] | None = None,
    ) -> None:
        self._profiles = [p for p in profiles if p.transport == "ble"]
        self._on_reading = on_reading
        self._on_error = on_error
        self._backend = scanner_backend
        self._seen: set[_Seen] = set()

    async def watch(self, seconds: float) -> None:
        scanner = BleakScanner(detection_callback=self._detected, backend=self._backend)
        try:
            await scanner.start()
            await asyncio.sleep(seconds)
        except (BleakError, OSError) as exc:
            raise _link_error(exc, "Bluetooth scan", None) from exc
        finally:
            try:
                await scanner.stop()
            except (BleakError, OSError) as exc:
                logger.debug("scanner stop: %r", exc)

    def _detected(self, device: BLEDevice, adv: AdvertisementData) -> None:
        from devices.decode import ADVERT_DECODERS

        candidate = {
            "name": adv.local_name or device.name,
            "service_uuids": list(adv.service_uuids),
            "service_data": dict(adv.service_data),
            "manufacturer_data": {str(k): v for k, v in adv.manufacturer_data.items()},
        }
        for profile in best_matches(self._profiles, candidate):
            codec = profile.section.advert_codec
            if codec is None:
                continue
            for uuid in profile.section.match.service_data_uuids:
                data = adv.service_data.get(uuid)
                if data is None:
                    continue
                try:
                    advert = ADVERT_DECODERS[codec](bytes(data))
                except DecodeError as exc:
                    self._on_error(exc)
                    continue
                if not advert.stabilized:
                    continue
                key = _Seen(device.address, advert.weight, advert.measured_at)
                if key in self._seen:
                    continue
                self._seen.add(key)
                identity = DeviceIdentity(address=device.address, model=profile.name)
                self._on_reading(advert.to_reading(identity), advert, profile)
