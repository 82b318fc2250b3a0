"""Small drivers: one measurement session over a SerialTransport.

Drivers never store anything: damaged frames come back in ``SessionResult.rejected`` (typed
errors with their raw bytes) for the kiosk to quarantine. An unplug during a session is
survived by waiting for the port to return within the session's time budget.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from devices.errors import DecodeError
from devices.readings import AnyReading, DeviceIdentity
from devices.serial import caresens, otultra2, sdcodefree
from devices.serial.errors import PortGoneError, SerialTimeoutError
from devices.serial.framing import Framer, LineFramer
from devices.serial.transport import SerialTransport

__all__ = [
    "CareSensDriver",
    "OneTouchUltra2Driver",
    "PushDriver",
    "SdCodeFreeDriver",
    "SessionResult",
]

log = logging.getLogger(__name__)

Decode = Callable[[bytes, DeviceIdentity], Sequence[AnyReading]]


@dataclass(slots=True)
class SessionResult:
    readings: list[AnyReading] = field(default_factory=list)
    rejected: list[DecodeError] = field(default_factory=list)
    reconnects: int = 0


class _Budget:
    def __init__(self, timeout: float) -> None:
        self.deadline = time.monotonic() + timeout

    def left(self) -> float:
        return max(0.0, self.deadline - time.monotonic())


def _identity(transport: SerialTransport, model: str) -> DeviceIdentity:
    return DeviceIdentity(
        address=transport.port or transport.opened_path or "serial", model=model, transport="serial"
    )


class PushDriver:
    """Devices that push one record per measurement (Tanita, profile-defined line protocols).

    ``decode`` turns one frame into readings; frames failing it are rejected and the driver
    keeps listening, since the visitor measures again on the device itself."""

    def __init__(
        self,
        transport: SerialTransport,
        decode: Decode,
        *,
        framer: Callable[[], Framer] = lambda: LineFramer(b"\r\n"),
        model: str = "unknown",
        start_marker: bytes = b"",
    ) -> None:
        self.transport = transport
        self.decode = decode
        self.framer = framer
        self.model = model
        self.start_marker = start_marker

    def read_session(
        self,
        timeout: float,
        *,
        records: int = 1,
        on_rejected: Callable[[DecodeError], None] | None = None,
    ) -> SessionResult:
        result = SessionResult()
        budget = _Budget(timeout)
        stream = self.transport.frames(self.framer())
        device = _identity(self.transport, self.model)
        while len(result.readings) < records:
            try:
                frame = stream.next(budget.left())
            except PortGoneError:
                if not self.transport.wait_reconnect(budget.left()):
                    raise
                result.reconnects += 1
                stream = self.transport.frames(self.framer())  # a cut record is gone
                continue
            if self.start_marker and (at := frame.find(self.start_marker)) > 0:
                frame = frame[at:]  # line noise before the record
            try:
                readings = self.decode(frame, device)
            except DecodeError as exc:
                log.warning("rejected %s frame: %s", exc.characteristic, exc)
                result.rejected.append(exc)
                if on_rejected is not None:
                    on_rejected(exc)
                continue
            result.readings.extend(readings)
        return result


class OneTouchUltra2Driver:
    """Polled: ``DMP`` dumps the memory; a damaged line makes the driver poll again."""

    def __init__(
        self, transport: SerialTransport, *, polls: int = 3, reply_timeout: float = 1.5
    ) -> None:
        self.transport = transport
        self.polls = polls
        self.reply_timeout = reply_timeout

    def _dump(self, device: DeviceIdentity, budget: _Budget) -> list[AnyReading]:
        self.transport.discard_input()
        self.transport.write(otultra2.encode_command("DMP"))
        stream = self.transport.frames(LineFramer(b"\r"))
        header = otultra2.decode_dump_header(stream.next(min(self.reply_timeout, budget.left())))
        lines = stream.take(header.count, min(self.reply_timeout, budget.left()))
        return [otultra2.decode_dump_record(line, device) for line in lines]

    def read_session(self, timeout: float) -> SessionResult:
        result = SessionResult()
        budget = _Budget(timeout)
        device = _identity(self.transport, "OneTouch Ultra 2")
        silent: SerialTimeoutError | None = None
        for _ in range(self.polls):
            if budget.left() <= 0:
                break
            try:
                result.readings = self._dump(device, budget)
                return result
            except DecodeError as exc:
                log.warning("OneTouch dump rejected, polling again: %s", exc)
                result.rejected.append(exc)
            except SerialTimeoutError as exc:
                silent = exc
            except PortGoneError:
                if not self.transport.wait_reconnect(budget.left()):
                    raise
                result.reconnects += 1
        if silent is not None and not result.rejected:
            raise SerialTimeoutError(
                f"the meter did not answer {self.polls} polls",
                address=self.transport.opened_path,
                waited_s=timeout,
                partial=silent.partial,
            )
        return result


class CareSensDriver:
    """i-SENS protocol 3: probe 0x80, NCOT count, GLUE in blocks of ≤27 records."""

    def __init__(
        self, transport: SerialTransport, *, reply_timeout: float = 1.5, attempts: int = 3
    ) -> None:
        self.transport = transport
        self.reply_timeout = reply_timeout
        self.attempts = attempts

    def _request(
        self, command: str, payload: bytes, budget: _Budget, result: SessionResult
    ) -> caresens.CareSensFrame:
        """Send one request; a damaged reply is kept in ``result.rejected`` and asked again."""
        for attempt in range(self.attempts):
            self.transport.write(caresens.encode_frame(command, payload))
            stream = self.transport.frames(caresens.framer())
            raw = stream.next(min(self.reply_timeout, budget.left()))
            try:
                frame = caresens.decode_frame(raw)
                if frame.command != command:
                    raise DecodeError(
                        f"asked {command}, meter answered {frame.command}",
                        characteristic=caresens.CHARACTERISTIC,
                        raw=raw,
                    )
                return frame
            except DecodeError as exc:
                result.rejected.append(exc)
                if attempt + 1 == self.attempts:
                    raise
        raise AssertionError("unreachable")

    def read_session(self, timeout: float) -> SessionResult:
        budget = _Budget(timeout)
        result = SessionResult()
        device = _identity(self.transport, "CareSens")
        self.transport.discard_input()
        self.transport.write(caresens.PROBE)
        # Protocol 3 answers with a byte run ending in 0x2E; 1 and 2 are not supported.
        reply = self.transport.frames(LineFramer(b"\x2e")).next(
            min(self.reply_timeout, budget.left())
        )
        caresens.probe_protocol(reply + b"\x2e")
        count = caresens.decode_count(self._request("NCOT", b"", budget, result))
        index = 1
        while index <= count:
            n = min(caresens.MAX_RECORDS_PER_GLUE, count - index + 1)
            frame = self._request("GLUE", index.to_bytes(2, "big") + bytes([n]), budget, result)
            try:
                result.readings += caresens.decode_glue_records(
                    frame.payload, device, first_index=index
                )
            except DecodeError as exc:
                result.rejected.append(exc)
            index += n
        return result


class SdCodeFreeDriver:
    """The meter speaks first (challenge); the host acknowledges, reads the count, fetches."""

    def __init__(self, transport: SerialTransport, *, reply_timeout: float = 1.5) -> None:
        self.transport = transport
        self.reply_timeout = reply_timeout

    def read_session(self, timeout: float) -> SessionResult:
        budget = _Budget(timeout)
        result = SessionResult()
        device = _identity(self.transport, "SD CodeFree")
        stream = self.transport.frames(sdcodefree.framer())
        sdcodefree.decode_packet(stream.next(budget.left()))  # the challenge
        self.transport.write(sdcodefree.encode_packet(sdcodefree.CHALLENGE_ACK))
        count = sdcodefree.decode_count(
            sdcodefree.decode_packet(stream.next(min(self.reply_timeout, budget.left())))
        )
        for _ in range(count):
            self.transport.write(sdcodefree.encode_packet(sdcodefree.FETCH))
            raw = stream.next(min(self.reply_timeout, budget.left()))
            try:
                result.readings.append(
                    sdcodefree.decode_reading(sdcodefree.decode_packet(raw), device)
                )
            except DecodeError as exc:
                result.rejected.append(exc)
        return result
