"""Scanner service: match every advertisement against the BLE device profiles.

Keeps the strongest RSSI and the most recent advert per address. With an allowlist
(addresses), ``on_known`` fires once per scan for each allowed device that advertises, which
is where the hub auto-connects.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from bleak import BleakScanner
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData, BaseBleakScanner
from bleak.exc import BleakError

from devices.ble.link import _link_error
from devices.errors import LinkError
from devices.profiles.ble import best_matches
from devices.profiles.schema import Profile

__all__ = ["ScanResult", "advert_candidate", "scan_profiles"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ScanResult:
    address: str
    name: str | None
    rssi: int
    service_uuids: tuple[str, ...]
    profiles: tuple[str, ...]  # best-matching profile ids; empty = unknown device
    kind: str | None


def advert_candidate(device: BLEDevice, adv: AdvertisementData) -> dict[str, object]:
    """An advert in the shape profile matching takes (as in ``[[must_not_match]]``)."""
    return {
        "name": adv.local_name or device.name,
        "service_uuids": list(adv.service_uuids),
        "service_data": dict(adv.service_data),
        "manufacturer_data": {str(k): v for k, v in adv.manufacturer_data.items()},
    }


async def scan_profiles(
    profiles: Iterable[Profile],
    seconds: float = 5.0,
    *,
    scanner_backend: type[BaseBleakScanner] | None = None,
    allowlist: Collection[str] = (),
    on_known: Callable[[ScanResult], None] | None = None,
) -> list[ScanResult]:
    """Scan for ``seconds``; every device seen, strongest first, with its matching profiles."""
    ble = [p for p in profiles if p.transport == "ble"]
    allowed = {a.upper() for a in allowlist}
    results: dict[str, ScanResult] = {}
    announced: set[str] = set()

    def detected(device: BLEDevice, adv: AdvertisementData) -> None:
        matched = best_matches(ble, advert_candidate(device, adv))
        kinds = {p.kind for p in matched}
        result = ScanResult(
            address=device.address,
            name=adv.local_name or device.name,
            rssi=max(adv.rssi, results[device.address].rssi)
            if device.address in results
            else adv.rssi,
            service_uuids=tuple(adv.service_uuids),
            profiles=tuple(p.id for p in matched),
            kind=kinds.pop() if len(kinds) == 1 else None,
        )
        results[device.address] = result
        key = device.address.upper()
        if on_known is not None and key in allowed and key not in announced:
            announced.add(key)
            on_known(result)

    scanner = BleakScanner(detection_callback=detected, backend=scanner_backend)
    try:
        await scanner.start()
        await asyncio.sleep(seconds)
    except FileNotFoundError as exc:  # no D-Bus socket: BlueZ is not running at all
        raise LinkError(
            f"Bluetooth scan failed: {exc}",
            advice="The kiosk's Bluetooth service (BlueZ) is not running; restart the kiosk "
            "or run `systemctl start bluetooth`.",
        ) from exc
    except (BleakError, OSError) as exc:
        raise _link_error(exc, "Bluetooth scan", None) from exc
    finally:
        try:
            await scanner.stop()
        except (BleakError, OSError) as exc:
            logger.debug("scanner stop: %r", exc)
    return sorted(results.values(), key=lambda r: (-r.rssi, r.address))
