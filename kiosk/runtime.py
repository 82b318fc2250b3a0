"""The kiosk runtime: one asyncio thread that owns the device hub and the visit manager, plus
the outbox publisher's threads. Front ends (Qt, the headless demo, tests) talk to it through
``call_soon``/``submit``/``run`` so nothing slow ever runs on a GUI thread.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from devices.errors import DeviceError
from devices.profiles.registry import default_registry
from devices.readings import AnyReading
from kiosk.device_admin import DeviceAdmin
from kiosk.errors import KioskError
from kiosk.hub import DeviceHub
from kiosk.scoring.bp import Alert
from kiosk.scoring.service import ScoringService
from kiosk.serial_service import SerialDeviceConfig, SerialDeviceService
from kiosk.session import StaffAlert, VisitManager
from kiosk.settings import SettingsStore
from kiosk.staff import StaffService
from kiosk.store import Store
from kiosk.store.devices import DeviceAllowlist
from kiosk.sync.publisher import OutboxPublisher, PublisherSettings
from records.wire import check_kiosk_id

log = logging.getLogger(__name__)
T = TypeVar("T")
_PURGE_EVERY_S = 3600.0


@dataclass(frozen=True, slots=True)
class KioskConfig:
    kiosk_id: str
    data_dir: Path
    broker_url: str | None = None
    publisher: PublisherSettings = field(default_factory=PublisherSettings)
    discover_timeout: float = 5.0
    # Allowlisted devices are looked for this often: meters and scales advertise only for a
    # short while after a measurement, so a single scan at start-up would miss them.
    rescan_interval: float = 10.0
    # Serial cables (body-composition analysers, pushing meters): port path or "auto" + profile.
    serial_devices: tuple[SerialDeviceConfig, ...] = ()
    # The visitor's optional printed summary: always a PDF in print_spool_dir, and sent to this
    # printer (a QPrinter name) when one is configured.
    printer_name: str | None = None

    @property
    def db_path(self) -> Path:
        return self.data_dir / "kiosk.db"

    @property
    def print_spool_dir(self) -> Path:
        return self.data_dir / "print"


class KioskRuntime:
    def __init__(
        self,
        config: KioskConfig,
        *,
        client_backend: type[Any] | None = None,
        scanner_backend: type[Any] | None = None,
    ) -> None:
        check_kiosk_id(config.kiosk_id)
        self.config = config
        # Built first: a bad serial profile is a ConfigError before anything is opened.
        # Readers run on their own threads; what they hand over is re-posted onto the
        # runtime thread, where the visit manager and the hub's status live.
        self.serial = SerialDeviceService(
            config.serial_devices,
            on_reading=lambda reading: self.call_soon(self._on_reading, reading),
            on_error=lambda error, port: self.call_soon(self._on_device_error, error, port),
        )
        self.serial.status_changed.connect(
            lambda status: self.call_soon(self.hub.report_status, status)
        )
        self.store = Store.open(config.db_path)
        # Technician-editable settings (admin screen); defaults in kiosk/settings.py.
        self.settings = SettingsStore(self.store)
        self.visits = VisitManager(self.store, config.kiosk_id)
        self.hub = DeviceHub(
            on_reading=self._on_reading,
            on_error=self._on_device_error,
            client_backend=client_backend,
            scanner_backend=scanner_backend,
        )
        self.publisher: OutboxPublisher | None = None
        if config.broker_url:
            self.publisher = OutboxPublisher(
                self.store, config.kiosk_id, config.broker_url, config.publisher
            )
            self.visits.measurement_stored.connect(self.publisher.wake)
            self.visits.consent_stored.connect(self.publisher.wake)
        self.visits.staff_alert.connect(self._on_staff_alert)
        self.allowlist = DeviceAllowlist(self.store)
        # Staff PINs, the alert log kept until acknowledged, the audit log (issue 8).
        self.staff = StaffService(self.store)
        # Staff scan/pair/rename/forget/test-read, permission-checked and audited.
        self.device_admin = DeviceAdmin(
            self.hub, self.allowlist, self.staff, scan_seconds=config.discover_timeout
        )
        # A retention a technician shortens applies now, not at the next hourly purge.
        self.settings.changed.connect(lambda _s: self._purge_once())
        self._last_sequence = self.allowlist.last_sequences()
        # Risk models are loaded and hash-verified once; a refused model is reported, never run,
        # and the guideline categories work without any model.
        self.scoring = ScoringService.load()
        for name, reason in self.scoring.unavailable.items():
            log.error("risk model %s unavailable: %s", name, reason)
        self.demo_actions: Sequence[tuple[str, Callable[[], None]]] = ()
        self.demo_pin_hint = ""  # the demo's seeded PINs, shown on the staff PIN pad
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop_main, name="kiosk-runtime", daemon=True)
        self._started = False
        self._rescan: concurrent.futures.Future[None] | None = None

    def _on_staff_alert(self, alert: StaffAlert) -> None:
        try:
            self.staff.record_alert(alert)
        except KioskError:
            log.exception("staff alert could not be written to the alert log")
        # Values and ids only: the alert travels to staff tooling and logs.
        level = logging.WARNING if alert.alert is Alert.STAFF_NOW else logging.INFO
        log.log(
            level,
            "staff alert %s: %s (measurement %s)",
            alert.alert,
            alert.summary,
            alert.measurement_id,
        )
        body = {
            "alert": alert.alert.value,
            "summary": alert.summary,
            "measurement_id": alert.measurement_id,
            "visit_id": alert.visit_id,
        }
        if self.publisher is None or not self.publisher.publish_event("alert", body):
            log.error("staff alert could not be sent over MQTT; the kiosk screen shows it")

    # --- for the staff admin screen (GUI thread) -----------------------------------------
    def admin_broker_state(self) -> str:
        if self.publisher is None:
            return "not configured"
        return "connected" if self.publisher.connected else "disconnected"

    # --- for the visitor flow (runtime thread) -------------------------------------------
    def sync_link_up(self) -> bool:
        """The broker is reachable now: queued results are on their way."""
        return self.publisher is not None and self.publisher.connected

    def allowlisted_kinds(self) -> list[str]:
        return [entry.kind for entry in self.allowlist.entries()]

    # --- device callbacks (runtime thread) ----------------------------------------------
    def _on_reading(self, reading: AnyReading) -> None:
        try:
            self.visits.handle_reading(reading)
        except KioskError:
            log.exception("reading could not be recorded")

    def _on_device_error(self, error: DeviceError, address: str | None) -> None:
        try:
            self.visits.handle_device_error(error, address)
        except KioskError:
            log.exception("device error could not be recorded")

    # --- lifecycle ----------------------------------------------------------------------
    def _loop_main(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()

    def _purge_once(self) -> None:
        # The technician's setting (admin screen), read at each purge.
        retention = timedelta(hours=self.settings.current.guest_retention_hours)
        try:
            n = self.store.purge_guest_visits(datetime.now(UTC) - retention)
            if n:
                log.info("purged %d guest visit(s) past retention", n)
        except KioskError:
            log.exception("guest purge failed; trying again later")

    def _purge_guests(self) -> None:
        self._purge_once()
        self._loop.call_later(_PURGE_EVERY_S, self._purge_guests)

    def start(self, *, discover: bool = True, wait_for_devices: bool = True) -> None:
        """Start the runtime thread, the publisher, the serial readers and device discovery.

        ``wait_for_devices=False`` returns before the first Bluetooth scan ends (a window shows
        at once and its screens follow devices as they connect); headless runs and tests that
        measure right away keep the default and wait for it.
        """
        self._thread.start()
        self._started = True
        self._loop.call_soon_threadsafe(self._purge_guests)
        if self.publisher is not None:
            self.publisher.start()
        self.serial.start()
        if not discover:
            return
        if wait_for_devices:
            self.run(self._first_scan())
            self._rescan = self.spawn(self._rescan_forever())
        else:
            self._rescan = self.spawn(self._first_scan_then_rescan())

    async def _first_scan(self) -> None:
        if self.allowlist.entries():
            # Staff paired devices: hold the cuffs, import meters when they advertise.
            await self._scan_allowed_once()
        else:
            # Nothing paired yet (first start): hold every blood-pressure monitor in range.
            found = await self.hub.discover(self.config.discover_timeout)
            log.info("devices linked: %d", len(found))

    async def _first_scan_then_rescan(self) -> None:
        try:
            await self._first_scan()
        except (DeviceError, KioskError) as exc:
            log.warning("first device scan failed: %s", exc)
        # Also on a first start: devices staff pair later are met by the next scan.
        await self._rescan_forever()

    async def _scan_allowed_once(self) -> None:
        allowed = {e.address: e.kind for e in self.allowlist.entries()}
        await self.hub.scan_allowed(
            default_registry().for_transport("ble"),
            allowed,
            seconds=self.config.discover_timeout,
            last_sequence=self._last_sequence,
        )

    async def _rescan_forever(self) -> None:
        while True:
            await asyncio.sleep(self.config.rescan_interval)
            try:
                await self._scan_allowed_once()
            except (DeviceError, KioskError) as exc:
                log.warning("device scan failed: %s", exc)

    def stop(self) -> None:
        self.serial.stop()
        if self._started:
            try:
                if self._rescan is not None:
                    self._rescan.cancel()
                self.run(self.hub.stop(), timeout=10)
            finally:
                self._loop.call_soon_threadsafe(self._loop.stop)
                self._thread.join(10)
                self._started = False
        if self.publisher is not None:
            self.publisher.stop()
        if not self._loop.is_closed() and not self._loop.is_running():
            self._loop.close()
        self.store.close()

    def __enter__(self) -> KioskRuntime:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- cross-thread entry points ------------------------------------------------------
    def call_soon(self, fn: Callable[..., object], *args: object) -> None:
        """Run ``fn(*args)`` on the runtime thread; errors are logged, not raised."""

        def guarded() -> None:
            try:
                fn(*args)
            except Exception:
                log.exception("runtime call %r failed", fn)

        self._loop.call_soon_threadsafe(guarded)

    def submit(self, fn: Callable[..., T], *args: Any) -> concurrent.futures.Future[T]:
        """Run ``fn(*args)`` on the runtime thread and return a future for its result."""
        future: concurrent.futures.Future[T] = concurrent.futures.Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(fn(*args))
            except BaseException as exc:
                future.set_exception(exc)

        self._loop.call_soon_threadsafe(run)
        return future

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = 30.0) -> T:
        """Run a coroutine on the runtime loop from another thread and wait for it."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def spawn(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        return asyncio.run_coroutine_threadsafe(coro, self._loop)
