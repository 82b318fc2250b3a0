"""Serial devices in the running kiosk: one reader thread per configured cable.

Qt-free. Each thread opens its port (a path, or ``auto`` to find the profile's USB VID:PID),
runs the profile's driver in short listening windows so it can be stopped promptly, and hands
readings and rejected frames to callbacks (the runtime posts them onto its own thread). An
unplugged cable is reopened with backoff; per-device state goes to ``status_changed``.

Only devices that push their records (``tanita`` and profile-defined ``line`` protocols) are
run here. Polled meters (OneTouch, CareSens, SD CodeFree) dump their whole memory, earlier
users' readings included, so they need an import-once memory like the BLE glucose import
before they can feed a visit; until then they are refused at configuration time.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from devices.errors import DecodeError, DeviceError
from devices.profiles import serial as serial_profiles
from devices.profiles.registry import Registry, default_registry
from devices.profiles.schema import Profile
from devices.readings import AnyReading, DeviceIdentity
from devices.serial.drivers import PushDriver
from devices.serial.errors import SerialTimeoutError
from devices.serial.framing import Framer
from devices.serial.transport import SerialTransport
from kiosk.errors import ConfigError
from kiosk.hub import CONNECTED, CONNECTING, ERROR, IDLE, READING, DeviceStatus
from kiosk.observable import Signal

__all__ = ["PUSH_PROTOCOLS", "SerialDeviceConfig", "SerialDeviceService"]

log = logging.getLogger(__name__)

PUSH_PROTOCOLS = frozenset({"tanita", "line"})
_STATUS_KIND = {"tanita": "body_composition"}


@dataclass(frozen=True, slots=True)
class SerialDeviceConfig:
    """``port`` is a path (a /dev/serial/by-id link survives replugging) or ``"auto"``."""

    port: str
    profile: str


@dataclass(frozen=True, slots=True)
class _Device:
    address: str  # status key and quarantine device_address: the port, never a person
    kind: str
    port: str | None
    usb_ids: tuple[str, ...]
    profile: Profile


def _resolve(config: SerialDeviceConfig, registry: Registry) -> _Device:
    try:
        profile = registry.get(config.profile)
    except KeyError:
        raise ConfigError(
            f"serial device {config.port}: no profile {config.profile!r}",
            advice="Use a profile id listed by `kiosk devices profiles`.",
        ) from None
    if profile.transport != "serial" or not isinstance(
        profile.section, serial_profiles.SerialSection
    ):
        raise ConfigError(f"profile {profile.id} is a {profile.transport} profile, not serial")
    section = profile.section
    protocol = section.procedure.protocol
    if protocol not in PUSH_PROTOCOLS:
        raise ConfigError(
            f"profile {profile.id} ({protocol}) is a polled meter; the running kiosk reads only "
            "devices that push their records",
            advice="Read polled meters with `kiosk devices read` for now.",
        )
    auto = config.port == "auto"
    if auto and not section.match.usb_ids:
        raise ConfigError(
            f"profile {profile.id} has no USB ids to look for",
            advice="Give the serial device's port path instead of auto.",
        )
    kind = _STATUS_KIND.get(protocol) or (
        section.procedure.line.kind if section.procedure.line is not None else "serial"
    )
    return _Device(
        address=f"auto:{profile.id}" if auto else config.port,
        kind=kind,
        port=None if auto else config.port,
        usb_ids=section.match.usb_ids if auto else (),
        profile=profile,
    )


class SerialDeviceService:
    def __init__(
        self,
        devices: Sequence[SerialDeviceConfig],
        *,
        on_reading: Callable[[AnyReading], None],
        on_error: Callable[[DeviceError, str], None],
        registry: Registry | None = None,
        window: float = 0.5,
        reconnect_delay: float = 0.5,
        max_reconnect_delay: float = 10.0,
    ) -> None:
        reg = registry or default_registry()
        self._devices = [_resolve(d, reg) for d in devices]
        addresses = [d.address for d in self._devices]
        if len(set(addresses)) != len(addresses):
            raise ConfigError("the same serial port is configured twice")
        self._on_reading = on_reading
        self._on_error = on_error
        self._window = window
        self._reconnect_delay = reconnect_delay
        self._max_reconnect_delay = max_reconnect_delay
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self.status: dict[str, DeviceStatus] = {}
        self.status_changed: Signal[DeviceStatus] = Signal()

    @property
    def devices(self) -> list[str]:
        return [d.address for d in self._devices]

    def start(self) -> None:
        for device in self._devices:
            thread = threading.Thread(
                target=self._run, args=(device,), name=f"serial-{device.address}", daemon=True
            )
            self._threads.append(thread)
            thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)
            if thread.is_alive():
                log.error("serial reader %s did not stop in %g s", thread.name, timeout)
        self._threads.clear()

    def _report(
        self,
        device: _Device,
        state: str,
        error: Exception | None = None,
        identity: DeviceIdentity | None = None,
    ) -> None:
        with self._lock:
            previous = self.status.get(device.address)
            if (
                previous is not None
                and previous.state == state
                and error is None
                and identity in (None, previous.identity)
            ):
                return
            status = DeviceStatus(
                address=device.address,
                kind=device.kind,
                connected=state in (CONNECTED, READING, IDLE),
                identity=identity or (previous.identity if previous else None),
                last_error=str(error) if error is not None else None,
                advice=getattr(error, "advice", None) if error is not None else None,
                state=state,
            )
            self.status[device.address] = status
        self.status_changed.emit(status)

    def _run(self, device: _Device) -> None:
        delay = self._reconnect_delay
        section = device.profile.section
        assert isinstance(section, serial_profiles.SerialSection)
        while not self._stop.is_set():
            self._report(device, CONNECTING)
            transport = SerialTransport(
                device.port, section.procedure.settings, usb_ids=device.usb_ids
            )
            try:
                transport.open()
                delay = self._reconnect_delay
                self._report(device, CONNECTED)
                self._listen(device, transport)
            except DeviceError as exc:
                log.warning("serial device %s: %s", device.address, exc)
                self._report(device, ERROR, exc)
            except Exception as exc:
                # The reader thread must outlive any bug in one frame's handling.
                log.exception("serial reader %s failed", device.address)
                self._report(device, ERROR, exc)
            finally:
                transport.close()
            if self._stop.wait(delay):
                break
            delay = min(delay * 2, self._max_reconnect_delay)

    def _listen(self, device: _Device, transport: SerialTransport) -> None:
        driver = serial_profiles.driver_for(device.profile, transport)
        if not isinstance(driver, PushDriver):  # refused in _resolve; kept for the type checker
            raise ConfigError(f"{device.profile.id} is not a pushing device")
        # One framer for the whole connection: a record that straddles two listening windows
        # must not be cut in half (the driver makes a new framer per session otherwise).
        framer: Framer = driver.framer()
        driver.framer = lambda: framer

        def rejected(error: DecodeError) -> None:
            self._on_error(error, device.address)

        while not self._stop.is_set():
            try:
                result = driver.read_session(self._window, records=1, on_rejected=rejected)
            except SerialTimeoutError:
                self._report(device, READING if framer.pending else IDLE)
                continue
            for reading in result.readings:
                self._on_reading(reading)
            if result.readings:
                self._report(device, CONNECTED, identity=result.readings[0].device)
