"""The one place pyserial is used. Opens a port by path or by USB VID:PID, reads with a
deadline, and turns pyserial/OS exceptions into typed errors (devices.serial.errors)."""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import serial
from serial.tools import list_ports

from devices.serial.errors import PortBusyError, PortGoneError, SerialTimeoutError
from devices.serial.framing import Framer

__all__ = [
    "FrameStream",
    "LineSettings",
    "PortInfo",
    "SerialTransport",
    "find_port",
    "list_serial_ports",
]

log = logging.getLogger(__name__)

_PARITY = {"N": serial.PARITY_NONE, "E": serial.PARITY_EVEN, "O": serial.PARITY_ODD}


@dataclass(frozen=True, slots=True)
class LineSettings:
    baudrate: int = 9600
    bytesize: int = 8
    parity: str = "N"
    stopbits: int = 1
    xonxoff: bool = False
    rtscts: bool = False

    def __post_init__(self) -> None:
        if self.parity not in _PARITY:
            raise ValueError(f"parity must be one of N, E, O, not {self.parity!r}")
        if self.bytesize not in (5, 6, 7, 8) or self.stopbits not in (1, 2):
            raise ValueError("bytesize must be 5-8 and stopbits 1 or 2")


@dataclass(frozen=True, slots=True)
class PortInfo:
    device: str
    description: str
    vid: int | None
    pid: int | None

    @property
    def usb_id(self) -> str | None:
        return None if self.vid is None or self.pid is None else f"{self.vid:04x}:{self.pid:04x}"


def list_serial_ports() -> list[PortInfo]:
    return [
        PortInfo(p.device, p.description, p.vid, p.pid)
        for p in sorted(list_ports.comports(), key=lambda p: p.device)
    ]


def find_port(usb_ids: Iterable[str], ports: Sequence[PortInfo] | None = None) -> str | None:
    """First port whose ``vvvv:pppp`` is in ``usb_ids`` (case-insensitive), else None."""
    wanted = {u.lower() for u in usb_ids}
    for info in list_serial_ports() if ports is None else ports:
        if info.usb_id is not None and info.usb_id in wanted:
            return info.device
    return None


class SerialTransport:
    """A serial port the kiosk owns exclusively. ``port`` may be a path (a udev by-id link is
    best: it survives replugging) or ``None`` with ``usb_ids`` to find the cable."""

    def __init__(
        self,
        port: str | None,
        settings: LineSettings,
        *,
        usb_ids: Sequence[str] = (),
        exclusive: bool = True,
    ) -> None:
        if port is None and not usb_ids:
            raise ValueError("give a port or USB VID:PID ids to look for")
        self.port = port
        self.settings = settings
        self.usb_ids = tuple(usb_ids)
        self.exclusive = exclusive
        self._serial: serial.Serial | None = None
        self.opened_path: str | None = None

    @property
    def is_open(self) -> bool:
        return self._serial is not None

    def _resolve(self) -> str:
        if self.port is not None:
            return self.port
        found = find_port(self.usb_ids)
        if found is None:
            raise PortGoneError(f"no serial port with USB id {', '.join(self.usb_ids)}")
        return found

    def open(self) -> None:
        if self._serial is not None:
            return
        path = self._resolve()
        s = self.settings
        try:
            self._serial = serial.Serial(
                port=path,
                baudrate=s.baudrate,
                bytesize=s.bytesize,
                parity=_PARITY[s.parity],
                stopbits=s.stopbits,
                xonxoff=s.xonxoff,
                rtscts=s.rtscts,
                timeout=0.05,
                write_timeout=2.0,
                exclusive=self.exclusive,
            )
        except serial.SerialException as exc:
            if "lock" in str(exc).lower():
                raise PortBusyError(f"{path} is in use: {exc}", address=path) from None
            raise PortGoneError(f"cannot open {path}: {exc}", address=path) from None
        self.opened_path = path
        log.debug("opened %s at %s", path, s)

    def close(self) -> None:
        if self._serial is not None:
            with contextlib.suppress(serial.SerialException, OSError):
                self._serial.close()
            self._serial = None

    def __enter__(self) -> SerialTransport:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _port(self) -> serial.Serial:
        if self._serial is None:
            self.open()
        assert self._serial is not None
        return self._serial

    def _gone(self, exc: BaseException) -> PortGoneError:
        path = self.opened_path
        self.close()
        return PortGoneError(f"serial port {path} went away: {exc}", address=path)

    def write(self, data: bytes) -> None:
        port = self._port()
        try:
            port.write(data)
            port.flush()
        except (serial.SerialException, OSError) as exc:
            raise self._gone(exc) from None

    def read_available(self) -> bytes:
        """Whatever arrives within one short poll (possibly nothing)."""
        port = self._port()
        try:
            waiting = port.in_waiting
            return bytes(port.read(max(1, waiting)))
        except (serial.SerialException, OSError) as exc:
            raise self._gone(exc) from None

    def discard_input(self) -> None:
        try:
            self._port().reset_input_buffer()
        except (serial.SerialException, OSError) as exc:
            raise self._gone(exc) from None

    def read_frames(self, framer: Framer, timeout: float, *, want: int = 1) -> list[bytes]:
        """Read until the framer has produced at least ``want`` frames or ``timeout`` s pass.
        May return more than ``want`` when they arrived in one chunk; callers keep them.

        On timeout raises SerialTimeoutError with the frames' bytes so far (a half-sent
        record followed by silence lands here, its bytes kept)."""
        deadline = time.monotonic() + timeout
        frames: list[bytes] = []
        while len(frames) < want:
            if time.monotonic() >= deadline:
                raise SerialTimeoutError(
                    f"no complete frame from {self.opened_path} within {timeout:g} s",
                    address=self.opened_path,
                    waited_s=timeout,
                    partial=framer.pending,
                )
            chunk = self.read_available()
            if chunk:
                frames += framer.feed(chunk)
        return frames

    def frames(self, framer: Framer) -> FrameStream:
        return FrameStream(self, framer)

    def wait_reconnect(self, timeout: float, *, poll: float = 0.1) -> bool:
        """After an unplug: reopen once the port is back (same path or same USB id)."""
        self.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            path = self.port if self.port is not None else find_port(self.usb_ids)
            if path is not None and os.path.exists(path):
                try:
                    self.open()
                    return True
                except PortGoneError:
                    pass
            time.sleep(poll)
        return False


class FrameStream:
    """Frames from one framer, one at a time, keeping any that arrived together."""

    def __init__(self, transport: SerialTransport, framer: Framer) -> None:
        self.transport = transport
        self.framer = framer
        self._queue: list[bytes] = []

    def next(self, timeout: float) -> bytes:
        if not self._queue:
            self._queue = self.transport.read_frames(self.framer, timeout)
        return self._queue.pop(0)

    def take(self, count: int, timeout: float) -> list[bytes]:
        if len(self._queue) < count:
            self._queue += self.transport.read_frames(
                self.framer, timeout, want=count - len(self._queue)
            )
        out, self._queue = self._queue[:count], self._queue[count:]
        return out
