"""The device hub: keeps links to the centre's devices and routes their readings.

Runs on the kiosk runtime's asyncio loop. Transports come from ``devices``; the hub adds the
kiosk's policy on top: which devices to hold, reconnecting with backoff when a link drops, and
one status model the staff screen can watch.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from devices.ble.glucose import GlucoseMeterLink
from devices.ble.link import BloodPressureLink, discover_health_devices
from devices.ble.probe import ProbeResult, probe_device
from devices.ble.scale import AdvertScaleWatcher, ScaleLink
from devices.ble.scanner import ScanResult, scan_profiles
from devices.errors import DeviceError, LinkError
from devices.gatt.bps import CuffPressure
from devices.profiles.schema import Profile
from devices.readings import AnyReading, DeviceIdentity, PressureUnit, WeightReading
from kiosk.observable import Signal

log = logging.getLogger(__name__)


# Per-device states for the staff screen.
CONNECTING = "connecting"
CONNECTED = "connected"
READING = "reading"
IDLE = "idle"
ERROR = "error"

SCALE_KINDS = frozenset({"weight", "body_composition"})


@dataclass(frozen=True, slots=True)
class DeviceStatus:
    address: str
    kind: str
    connected: bool = False
    identity: DeviceIdentity | None = None
    last_error: str | None = None
    advice: str | None = None
    state: str = IDLE
    rssi: int | None = None
    battery_percent: int | None = None


@dataclass(frozen=True, slots=True)
class CuffPressureReport:
    """A live cuff pressure while the cuff inflates (0x2A36): a gauge, never a result."""

    address: str
    mmhg: float


_MMHG_PER_KPA = 7.50062


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
        scale_timeout: float = 30.0,
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
        # Live cuff pressure of linked cuffs that send it, on the runtime thread.
        self.cuff_pressure: Signal[CuffPressureReport] = Signal()
        # address (upper case) → (UDS user index, consent code) of the kiosk's slot on a
        # multi-user scale; without one the scale measures as an unknown user (0xFF).
        self.scale_consent: dict[str, tuple[int, int]] = {}
        self.scale_timeout = scale_timeout
        self._scales_busy: set[str] = set()
        self._advert_watcher: AdvertScaleWatcher | None = None
        self._advert_allowed: dict[str, str] = {}  # address (upper case) → kind

    def _set_status(self, status: DeviceStatus) -> None:
        self.status[status.address] = status
        self.status_changed.emit(status)

    def report_status(self, status: DeviceStatus) -> None:
        """A device the hub does not drive itself (a serial cable) reports its state here, on
        the runtime thread, so the staff screen watches one status model."""
        self._set_status(status)

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

        def on_cuff(cuff: CuffPressure) -> None:
            mmhg = cuff.pressure * (_MMHG_PER_KPA if cuff.unit is PressureUnit.KPA else 1.0)
            self.cuff_pressure.emit(CuffPressureReport(address, mmhg))

        link = BloodPressureLink(
            address,
            on_reading=self._on_reading,
            on_error=on_error,
            on_disconnect=lambda: self._link_lost(address),
            client_backend=self._client_backend,
            on_cuff_pressure=on_cuff,
        )
        self._links[address] = link
        previous = self.status.get(address) or DeviceStatus(address=address, kind="blood_pressure")
        self._set_status(replace(previous, kind="blood_pressure", state=CONNECTING))
        await self._connect(address)

    async def _connect(self, address: str) -> bool:
        link = self._links[address]
        status = self.status[address]
        try:
            identity = await link.connect()
        except LinkError as exc:
            self._set_status(
                replace(
                    status, connected=False, last_error=str(exc), advice=exc.advice, state=ERROR
                )
            )
            self._spawn(self._reconnect(address))
            return False
        self._set_status(
            replace(
                status,
                connected=True,
                identity=identity,
                last_error=None,
                advice=None,
                state=CONNECTED,
            )
        )
        log.info("linked %s (%s)", address, identity.model)
        return True

    def _link_lost(self, address: str) -> None:
        if self._stopping or address not in self.status:
            return
        log.warning("link to %s lost; reconnecting", address)
        self._set_status(
            replace(self.status[address], connected=False, last_error="link lost", state=CONNECTING)
        )
        self._spawn(self._reconnect(address))

    async def _reconnect(self, address: str) -> None:
        delay = self._reconnect_delay
        while not self._stopping:
            await asyncio.sleep(delay)
            # Forgotten by staff meanwhile (release): stop trying.
            if self._stopping or address not in self._links or self.status[address].connected:
                return
            link = self._links[address]
            try:
                identity = await link.connect()
            except LinkError as exc:
                self._set_status(
                    replace(
                        self.status[address], last_error=str(exc), advice=exc.advice, state=ERROR
                    )
                )
                delay = min(delay * 2, self._max_reconnect_delay)
                continue
            self._set_status(
                replace(
                    self.status[address],
                    connected=True,
                    identity=identity,
                    last_error=None,
                    state=CONNECTED,
                )
            )
            return

    async def import_glucose(
        self,
        address: str,
        last_sequence: MutableMapping[str, int],
        *,
        set_time: str = "none",
        attempts: int = 3,
        timeout: float = 10.0,
    ) -> int:
        """Download a meter's new records (each goes to ``on_reading``); returns how many.

        A transfer cut short is retried with backoff; the download is all-or-nothing, so a
        retry neither loses nor repeats records.
        """
        status = self.status.get(address) or DeviceStatus(address=address, kind="glucose")
        link = GlucoseMeterLink(
            address,
            last_sequence=last_sequence,
            client_backend=self._client_backend,
            set_time=set_time,
            timeout=timeout,
        )
        delay = self._reconnect_delay
        for attempt in range(1, attempts + 1):
            self._set_status(replace(status, state=READING, last_error=None, advice=None))
            try:
                result = await link.download(datetime.now())
            except LinkError as exc:
                status = replace(
                    status, connected=False, last_error=str(exc), advice=exc.advice, state=ERROR
                )
                self._set_status(status)
                if attempt == attempts or self._stopping:
                    self._on_error(exc, address)
                    return 0
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._max_reconnect_delay)
                continue
            for error in result.errors:
                self._on_error(error, address)
            for reading in result.readings:
                self._on_reading(reading)
            self._set_status(replace(status, identity=result.identity, state=IDLE))
            return len(result.readings)
        return 0

    async def measure_scale(self, address: str, kind: str = "weight") -> int:
        """Connect to a WSS/BCS scale that woke up, wait for one measurement (proving UDS
        consent first when the kiosk has a slot on it) and route it; returns readings routed.

        A scale advertises when someone steps on it, so this runs when a scan sees it; a
        second call while one is waiting does nothing."""
        key = address.upper()
        if key in self._scales_busy:
            return 0
        self._scales_busy.add(key)
        status = self.status.get(address) or DeviceStatus(address=address, kind=kind)
        self._set_status(replace(status, state=READING, last_error=None, advice=None))
        link = ScaleLink(
            address,
            client_backend=self._client_backend,
            consent=self.scale_consent.get(key),
            timeout=self.scale_timeout,
        )
        try:
            result = await link.measure()
        except LinkError as exc:
            if isinstance(exc.__cause__, TimeoutError):
                # Woke up but nobody stood on it long enough: not a fault.
                self._set_status(replace(self.status[address], connected=False, state=IDLE))
                return 0
            self._set_status(
                replace(
                    self.status[address],
                    connected=False,
                    last_error=str(exc),
                    advice=exc.advice,
                    state=ERROR,
                )
            )
            self._on_error(exc, address)
            return 0
        finally:
            self._scales_busy.discard(key)
        for error in result.errors:
            self._on_error(error, address)
        # The BCS record repeats the weight; it is stored as body fat only (kiosk.session), so
        # both readings are routed and the weight is recorded once, from WSS.
        readings: list[AnyReading] = [r for r in (result.weight, result.body) if r is not None]
        for reading in readings:
            self._on_reading(reading)
        self._set_status(
            replace(
                self.status[address],
                connected=False,
                state=IDLE,
                battery_percent=result.battery_percent
                if result.battery_percent is not None
                else self.status[address].battery_percent,
            )
        )
        return len(readings)

    def _advert_reading(self, reading: WeightReading, _advert: object, _profile: Profile) -> None:
        address = reading.device.address
        kind = self._advert_allowed.get(address.upper())
        if kind is None:
            return  # a neighbour's scale
        status = self.status.get(address) or DeviceStatus(address=address, kind=kind)
        self._set_status(replace(status, identity=reading.device, state=IDLE))
        self._on_reading(reading)

    @staticmethod
    def _advert_error(error: DeviceError) -> None:
        # The watcher cannot say which device sent it: a neighbour's broken advert must not
        # ask this visitor to measure again, so it is only logged.
        log.warning("undecodable scale advert: %s", error)

    async def scan_allowed(
        self,
        profiles: Iterable[Profile],
        allowlist: Mapping[str, str],
        *,
        seconds: float = 5.0,
        last_sequence: MutableMapping[str, int] | None = None,
    ) -> list[ScanResult]:
        """Scan once; connect to (BP), import from (glucose) or measure on (WSS/BCS scales)
        every allowed device seen; readings of allowed advert-only scales are routed too.

        ``allowlist`` maps address → kind. RSSI is recorded for every allowed device seen.
        """
        allowed = {a.upper(): kind for a, kind in allowlist.items()}
        profiles = tuple(profiles)
        advert_only = {p.id for p in profiles if getattr(p.section, "advert_codec", None)}
        self._advert_allowed = {a: kind for a, kind in allowed.items() if kind in SCALE_KINDS}
        known: list[ScanResult] = []
        scan = scan_profiles(
            profiles,
            seconds,
            scanner_backend=self._scanner_backend,
            allowlist=allowed,
            on_known=known.append,
        )
        if self._advert_allowed:
            # Advert-only scales (Xiaomi) never connect: their readings are in the adverts.
            # One watcher for the hub's life, so a repeated advert is reported once.
            if self._advert_watcher is None:
                self._advert_watcher = AdvertScaleWatcher(
                    profiles,
                    on_reading=self._advert_reading,
                    on_error=self._advert_error,
                    scanner_backend=self._scanner_backend,
                )
            found, _ = await asyncio.gather(scan, self._advert_watcher.watch(seconds))
        else:
            found = await scan
        for result in known:
            kind = allowed[result.address.upper()]
            current = self.status.get(result.address) or DeviceStatus(result.address, kind)
            self._set_status(replace(current, rssi=result.rssi))
            if kind == "blood_pressure" and result.address not in self._links:
                await self.add_blood_pressure_monitor(result.address)
            elif kind == "glucose" and last_sequence is not None:
                self._spawn(self.import_glucose(result.address, last_sequence))
            elif kind in SCALE_KINDS and not advert_only.intersection(result.profiles):
                self._spawn(self.measure_scale(result.address, kind))
        return found

    # --- staff pairing (admin screen, issue 8) --------------------------------------------
    async def scan_nearby(
        self, profiles: Iterable[Profile], seconds: float = 5.0
    ) -> list[ScanResult]:
        """Every device advertising now, strongest first, with the profiles it matches."""
        return await scan_profiles(profiles, seconds, scanner_backend=self._scanner_backend)

    async def probe(
        self, address: str, kind: str, *, pair: bool = False, timeout: float = 10.0
    ) -> ProbeResult:
        """Connect once (bonding when ``pair``), read identity and battery, let go; the status
        model keeps what was read, or the error with its advice. A cuff this hub holds answers
        from its live link: a device serves one central at a time."""
        link = self._links.get(address)
        status = self.status.get(address) or DeviceStatus(address=address, kind=kind)
        if link is not None and link.is_connected and link.identity is not None:
            return ProbeResult(link.identity, status.battery_percent, (), bonded=False)
        try:
            result = await probe_device(
                address, pair=pair, client_backend=self._client_backend, timeout=timeout
            )
        except LinkError as exc:
            self._set_status(replace(status, last_error=str(exc), advice=exc.advice, state=ERROR))
            raise
        battery = (
            result.battery_percent if result.battery_percent is not None else status.battery_percent
        )
        self._set_status(
            replace(
                status,
                identity=result.identity,
                battery_percent=battery,
                last_error=None,
                advice=None,
                state=CONNECTED if status.connected else IDLE,
            )
        )
        return result

    async def hold(self, address: str, kind: str) -> None:
        """Start using a device staff just paired: cuffs are held linked; meters and scales
        are met by the next allowlist scan when they advertise."""
        if kind == "blood_pressure" and address not in self._links:
            await self.add_blood_pressure_monitor(address)

    async def release(self, address: str) -> None:
        """Stop using a device staff forgot: drop its link and its status."""
        link = self._links.pop(address, None)
        status = self.status.pop(address, None)
        if link is not None:
            try:
                await link.disconnect()
            except LinkError as exc:
                log.warning("disconnect from a forgotten device failed: %s", exc)
        if status is not None:
            # Observers refresh; the status model no longer holds this address.
            self.status_changed.emit(replace(status, connected=False, state=IDLE))

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
