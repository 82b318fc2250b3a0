"""Errors raised by the device layer.

Every error carries structured fields and ``advice`` for staff. Library exceptions (bleak,
pyserial) are translated into these at the transport boundary so callers never catch
third-party types.
"""

from __future__ import annotations


class DeviceError(Exception):
    """Root of all device-layer errors."""

    advice: str = "Check the device and try again."

    def __init__(self, message: str, *, advice: str | None = None) -> None:
        super().__init__(message)
        if advice is not None:
            self.advice = advice


class DecodeError(DeviceError):
    """Bytes from a device could not be decoded; ``raw`` keeps them for inspection."""

    advice = "The device sent data the kiosk cannot read. Keep the raw bytes and report the model."

    def __init__(
        self,
        message: str,
        *,
        characteristic: str,
        raw: bytes,
        offset: int | None = None,
        advice: str | None = None,
    ) -> None:
        super().__init__(message, advice=advice)
        self.characteristic = characteristic
        self.raw = bytes(raw)
        self.offset = offset


class ImplausibleReadingError(DeviceError):
    """Bytes decoded, but the values are outside the physiological range."""

    advice = "Ask the visitor to measure again; if it repeats, check the cuff and the device."

    def __init__(
        self, message: str, *, characteristic: str, raw: bytes, problems: tuple[str, ...]
    ) -> None:
        super().__init__(message)
        self.characteristic = characteristic
        self.raw = bytes(raw)
        self.problems = problems


class LinkError(DeviceError):
    """A transport failed: not found, connection lost, GATT error."""

    advice = "Check the device is on and nearby, then pair it again from the staff screen."

    def __init__(self, message: str, *, address: str | None = None, advice: str | None = None):
        super().__init__(message, advice=advice)
        self.address = address


class DeviceNotFoundError(LinkError):
    advice = "The device was not seen. Switch it on, put it in transfer mode, and stay within 2 m."


class UnsupportedCharacteristicError(DeviceError):
    """No decoder exists for this characteristic (or the UUID itself is malformed)."""

    advice = "The kiosk cannot read this kind of data. Check the characteristic UUID."

    def __init__(self, message: str, *, characteristic: str, advice: str | None = None) -> None:
        super().__init__(message, advice=advice)
        self.characteristic = characteristic
