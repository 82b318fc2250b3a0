"""Bluetooth SIG 16-bit UUIDs used by the kiosk, and UUID normalisation.

bleak compares UUIDs as lowercase 128-bit strings, so everything that talks to bleak goes
through :func:`normalize_uuid`; codecs and error messages use the short form ``"2a35"``.
"""

from __future__ import annotations

import re
import uuid as _uuid

__all__ = [
    "BATTERY_LEVEL",
    "BATTERY_SERVICE",
    "BLOOD_PRESSURE_FEATURE",
    "BLOOD_PRESSURE_MEASUREMENT",
    "BLOOD_PRESSURE_SERVICE",
    "BODY_COMPOSITION_FEATURE",
    "BODY_COMPOSITION_MEASUREMENT",
    "BODY_COMPOSITION_SERVICE",
    "CLIENT_CHARACTERISTIC_CONFIGURATION",
    "CURRENT_TIME",
    "CURRENT_TIME_SERVICE",
    "DATABASE_CHANGE_INCREMENT",
    "DATE_TIME",
    "DEVICE_INFORMATION_SERVICE",
    "FIRMWARE_REVISION",
    "GLUCOSE_FEATURE",
    "GLUCOSE_MEASUREMENT",
    "GLUCOSE_MEASUREMENT_CONTEXT",
    "GLUCOSE_SERVICE",
    "HARDWARE_REVISION",
    "INTERMEDIATE_CUFF_PRESSURE",
    "MANUFACTURER_NAME",
    "MODEL_NUMBER",
    "RECORD_ACCESS_CONTROL_POINT",
    "SERIAL_NUMBER",
    "SOFTWARE_REVISION",
    "USER_CONTROL_POINT",
    "USER_DATA_SERVICE",
    "USER_INDEX",
    "WEIGHT_MEASUREMENT",
    "WEIGHT_SCALE_FEATURE",
    "WEIGHT_SCALE_SERVICE",
    "normalize_uuid",
    "short_uuid",
    "uuid16",
]

# Services
BLOOD_PRESSURE_SERVICE = 0x1810
DEVICE_INFORMATION_SERVICE = 0x180A
GLUCOSE_SERVICE = 0x1808
WEIGHT_SCALE_SERVICE = 0x181D
BODY_COMPOSITION_SERVICE = 0x181B

# Blood Pressure Service characteristics
BLOOD_PRESSURE_MEASUREMENT = 0x2A35
INTERMEDIATE_CUFF_PRESSURE = 0x2A36
BLOOD_PRESSURE_FEATURE = 0x2A49

# Other measurement characteristics
GLUCOSE_MEASUREMENT = 0x2A18
WEIGHT_MEASUREMENT = 0x2A9D
BODY_COMPOSITION_MEASUREMENT = 0x2A9C

# Glucose Service characteristics
GLUCOSE_MEASUREMENT_CONTEXT = 0x2A34
GLUCOSE_FEATURE = 0x2A51
RECORD_ACCESS_CONTROL_POINT = 0x2A52

# Weight Scale / Body Composition / User Data
WEIGHT_SCALE_FEATURE = 0x2A9E
BODY_COMPOSITION_FEATURE = 0x2A9B
USER_DATA_SERVICE = 0x181C
USER_INDEX = 0x2A9A
USER_CONTROL_POINT = 0x2A9F
DATABASE_CHANGE_INCREMENT = 0x2A99

# Battery
BATTERY_SERVICE = 0x180F
BATTERY_LEVEL = 0x2A19

# Time
CURRENT_TIME_SERVICE = 0x1805
DATE_TIME = 0x2A08
CURRENT_TIME = 0x2A2B

# Device Information Service characteristics
MANUFACTURER_NAME = 0x2A29
MODEL_NUMBER = 0x2A24
SERIAL_NUMBER = 0x2A25
HARDWARE_REVISION = 0x2A27
FIRMWARE_REVISION = 0x2A26
SOFTWARE_REVISION = 0x2A28

# Descriptors
CLIENT_CHARACTERISTIC_CONFIGURATION = 0x2902

_BASE_SUFFIX = "-0000-1000-8000-00805f9b34fb"
_SHORT = re.compile(r"(?:0x)?([0-9a-f]{4}|[0-9a-f]{8})", re.IGNORECASE)


def normalize_uuid(value: str | int) -> str:
    """Lowercase 128-bit form of a UUID given as int, ``"2a35"``, ``"0x2A35"`` or 128-bit text.

    Raises ValueError for anything else.
    """
    if isinstance(value, int):
        if not 0 <= value <= 0xFFFFFFFF:
            raise ValueError(f"not a 16- or 32-bit UUID: {value:#x}")
        return f"{value:08x}{_BASE_SUFFIX}"
    text = value.strip()
    short = _SHORT.fullmatch(text)
    if short:
        return f"{int(short.group(1), 16):08x}{_BASE_SUFFIX}"
    try:
        return str(_uuid.UUID(text))
    except ValueError:
        raise ValueError(f"not a Bluetooth UUID: {value!r}") from None


def short_uuid(value: str | int) -> int:
    """The 16-bit SIG number of a UUID; ValueError if it is not on the SIG base UUID."""
    full = normalize_uuid(value)
    if not full.endswith(_BASE_SUFFIX) or not full.startswith("0000"):
        raise ValueError(f"not a 16-bit SIG UUID: {value!r}")
    return int(full[4:8], 16)


def uuid16(value: str | int) -> str:
    """Short lowercase text form, e.g. ``"2a35"``, as used in error messages and the CLI."""
    return f"{short_uuid(value):04x}"
