"""The device hub: keeps links to the centre's devices and routes their readings.

Runs on the kiosk runtime's asyncio loop. Transports come from ``devices``; the hub adds the
kiosk's policy on top: which devices to hold, reconnecting with backoff when a link drops, and
one status model the staff screen can watch.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from devices.ble.link import BloodPressureLink, discover_health_devices
from devices.errors import DeviceError, LinkError
from devices.readings import AnyReading, DeviceIdentity
from kiosk.observable import Signal

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DeviceStatus:
    address: str
    kind: str
    connected: bool = False
    identity: DeviceIdentity | None = None
    last_error: str | None = None
    advice: str | None = None


class DeviceHub:
    def __init__(
        self,
        *,
        on_reading: Callable[[AnyReading], None],
        on_error: Callable[[DeviceError, str | None], None],
        client_backend: type[Any] | None = None,
        scanner_backend: type[Any] | None = None,
        reconnect_delay: float = 1.0,
        max_reconnect_delay: float = 30.0,
    ) -> None:
        self._on_reading = on_reading
        self._on_error = on_error
        self._client_backend = client_backend
        self._scanner_backend = scanner_backend
        self._reconnect_delay = reconnect_delay
        self._max_reconnect_delay = max_reconnect_delay
        self._links: dict[str, BloodPressureLink] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping = False
        self.status: dict[str, DeviceStatus] = {}
        self.status_changed: Signal[DeviceStatus] = Signal()

    def _set_status(self, status: DeviceStatus) -> None:
        self.status[status.address] = status
        self.status_changed.emit(status)

    async def discover(self, timeout: float = 5.0) -> list[str]:
        """Scan once and hold a link to every blood-pressure monitor seen."""
        found = await discover_health_devices(timeout, scanner_backend=self._scanner_backend)
        addresses = []
        for device in found:
            if device.kind == "blood_pressure" and device.address not in self._links:
                await self.add_blood_pressure_monitor(device.address)
                addresses.append(device.address)
        return addresses

    async def add_blood_pressure_monitor(self, address: str) -> None:
        def on_error(error: DeviceError) -> None:
            self._on_error(error, address)

        link = BloodPressureLink(
            address,
            on_reading=self._on_reading,
            on_error=on_error,
            on_disconnect=lambda: self._link_lost(address),
            client_backend=self._client_backend,
        )
        self._links[address] = link
        self._set_status(DeviceStatus(address=address, kind="blood_pressure"))
        await self._connect(address)

    async def _connect(self, address: str) -> bool:
        link = self._links[address]
        status = self.status[address]
        try:
            identity = await link.connect()
        except LinkError as exc:
            self._set_status(
                replace(status, connected=False, last_error=str(exc), advice=exc.advice)
            )
            self._spawn(self._reconnect(address))
            return False
        self._set_status(
            replace(status, connected=True, identity=identity, last_error=None, advice=None)
        )
        log.info("linked %s (%s)", address, identity.model)
        return True

    def _link_lost(self, address: str) -> None:
        if self._stopping or address not in self.status:
            return
        log.warning("link to %s lost; reconnecting", address)
        self._set_status(replace(self.status[address], connected=False, last_error="link lost"))
        self._spawn(self._reconnect(address))

    async def _reconnect(self, address: str) -> None:
        delay = self._reconnect_delay
        while not self._stopping:
            await asyncio.sleep(delay)
            if self._stopping or self.status[address].connected:
                return
            link = self._links[address]
            try:
                identity = await link.connect()
            except LinkError as exc:
                self._set_status(
                    replace(self.status[address], last_error=str(exc), advice=exc.advice)
                )
                delay = min(delay * 2, self._max_reconnect_delay)
                continue
            self._set_status(
                replace(self.status[address], connected=True, identity=identity, last_error=None)
            )
            return

    def _spawn(self, coro: Any) -> None:
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def stop(self) -> None:
        self._stopping = True
        for task in list(self._tasks):
            task.cancel()
        for link in self._links.values():
            try:
                await link.disconnect()
            except LinkError as exc:
                log.warning("disconnect failed: %s", exc)
