"""Typed errors of the serial layer; pyserial exceptions never leave ``transport``."""

from __future__ import annotations

from devices.errors import DecodeError, LinkError


class ChecksumError(DecodeError):
    """A frame arrived whole but its checksum is wrong (line noise or a damaged cable)."""

    advice = "The reading was damaged on the cable. Ask the visitor to measure again."

    def __init__(
        self, message: str, *, characteristic: str, raw: bytes, expected: int, actual: int
    ) -> None:
        super().__init__(message, characteristic=characteristic, raw=raw)
        self.expected = expected
        self.actual = actual


class SerialTimeoutError(LinkError):
    """Nothing (or only part of a frame) arrived in time; ``partial`` keeps what did."""

    advice = "The device did not answer. Check the cable and that the device is switched on."

    def __init__(self, message: str, *, address: str | None, waited_s: float, partial: bytes):
        super().__init__(message, address=address)
        self.waited_s = waited_s
        self.partial = bytes(partial)


class PortGoneError(LinkError):
    """The port disappeared (cable unplugged) or could not be opened."""

    advice = "Check the serial cable is plugged in; the kiosk reconnects when it comes back."


class PortBusyError(LinkError):
    """Another process holds the port (exclusive lock)."""

    advice = "Another program is using this cable. Close it or restart the kiosk."
