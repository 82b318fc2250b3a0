"""Connect once to a device, optionally bond, read Device Information and the battery, and let go.

Used by the staff screen to pair a device and for its "test read": it proves the kiosk can
reach and (where the profile needs it) bond with the device, without taking a measurement.
bleak has no passkey API; ``pair=True`` asks the platform stack to bond, whose agent handles
any code the device shows (docs/admin.md explains the procedure to staff).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from bleak import BleakClient
from bleak.exc import BleakError, BleakGATTProtocolError

from devices.ble.link import _link_error
from devices.errors import DecodeError
from devices.gatt.battery import decode_battery_level
from devices.gatt.dis import IDENTITY_CHARACTERISTICS, identity_from_dis
from devices.gatt.uuids import BATTERY_LEVEL, normalize_uuid
from devices.readings import DeviceIdentity

__all__ = ["ProbeResult", "probe_device"]

logger = logging.getLogger(__name__)
_BATTERY = normalize_uuid(BATTERY_LEVEL)


@dataclass(frozen=True, slots=True)
class ProbeResult:
    identity: DeviceIdentity
    battery_percent: int | None
    service_uuids: tuple[str, ...]  # lowercase 128-bit, as discovered
    bonded: bool  # a bond was asked for and the stack completed it


async def probe_device(
    address: str,
    *,
    pair: bool = False,
    client_backend: type[Any] | None = None,
    timeout: float = 10.0,
) -> ProbeResult:
    """Raises :class:`~devices.errors.LinkError` (with advice) when the device cannot be
    reached, refuses the bond, or asks for a bond that was not made."""
    try:
        client = BleakClient(address, timeout=timeout, pair=pair, backend=client_backend)
    except (BleakError, OSError) as exc:
        raise _link_error(exc, "connect", address) from exc
    try:
        async with asyncio.timeout(timeout):
            await client.connect()
            values: dict[int, bytes] = {}
            for uuid in IDENTITY_CHARACTERISTICS:
                char = client.services.get_characteristic(normalize_uuid(uuid))
                if char is None or "read" not in char.properties:
                    continue
                values[uuid] = bytes(await client.read_gatt_char(char))
            battery: int | None = None
            char = client.services.get_characteristic(_BATTERY)
            if char is not None and "read" in char.properties:
                try:
                    battery = decode_battery_level(await client.read_gatt_char(char))
                except DecodeError as exc:
                    logger.info("%s: battery level unreadable: %s", address, exc)
            services = tuple(s.uuid for s in client.services)
    except (BleakError, OSError, TimeoutError) as exc:
        await _quietly_disconnect(client, address)
        if isinstance(exc, BleakGATTProtocolError) and not pair:
            # A device that needs a bond refuses DIS reads before one; say so plainly.
            raise _link_error(exc, "read", address) from exc
        raise _link_error(exc, "connect", address) from exc
    except BaseException:
        await _quietly_disconnect(client, address)
        raise
    await _quietly_disconnect(client, address)
    return ProbeResult(identity_from_dis(address, values), battery, services, bonded=pair)


async def _quietly_disconnect(client: BleakClient, address: str) -> None:
    try:
        await client.disconnect()
    except (BleakError, OSError) as exc:
        logger.debug("disconnect from %s: %r", address, exc)
