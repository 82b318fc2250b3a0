"""Decode a characteristic value given as hex, for ``kiosk devices decode CHAR HEX...``.

Returns plain JSON-ready dicts so the CLI only prints them. Staff use this with bytes copied
from logs or btsnoop captures, so hex input is accepted in the usual spellings.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from devices.errors import UnsupportedCharacteristicError
from devices.gatt import uuids
from devices.gatt.bps import (
    decode_blood_pressure_feature,
    decode_blood_pressure_measurement,
    decode_intermediate_cuff_pressure,
)
from devices.gatt.datetime import decode_date_time
from devices.plausibility import is_plausible
from devices.readings import DeviceIdentity

__all__ = ["SUPPORTED_CHARACTERISTICS", "decode_characteristic", "parse_hex_args"]

_CLI_DEVICE = DeviceIdentity(address="cli", transport="cli")


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _blood_pressure(data: bytes) -> dict[str, Any]:
    reading = decode_blood_pressure_measurement(data, _CLI_DEVICE)
    return {
        "kind": reading.kind,
        "systolic": reading.systolic,
        "diastolic": reading.diastolic,
        "mean_arterial": reading.mean_arterial,
        "unit": str(reading.unit),
        "pulse_rate": reading.pulse_rate,
        "timestamp": _iso(reading.measured_at),
        "user_id": reading.user_id,
        "status": sorted(str(s) for s in reading.status),
        "plausible": is_plausible(reading),
    }


def _cuff_pressure(data: bytes) -> dict[str, Any]:
    cuff = decode_intermediate_cuff_pressure(data)
    return {
        "kind": "intermediate_cuff_pressure",
        "cuff_pressure": cuff.pressure,
        "unit": str(cuff.unit),
        "pulse_rate": cuff.pulse_rate,
        "timestamp": _iso(cuff.measured_at),
        "user_id": cuff.user_id,
        "status": sorted(str(s) for s in cuff.status),
    }


def _feature(data: bytes) -> dict[str, Any]:
    features = decode_blood_pressure_feature(data)
    return {"kind": "blood_pressure_feature", "features": sorted(str(f) for f in features)}


def _date_time(data: bytes) -> dict[str, Any]:
    return {"kind": "date_time", "timestamp": _iso(decode_date_time(data))}


_DECODERS: dict[int, Callable[[bytes], dict[str, Any]]] = {
    uuids.BLOOD_PRESSURE_MEASUREMENT: _blood_pressure,
    uuids.INTERMEDIATE_CUFF_PRESSURE: _cuff_pressure,
    uuids.BLOOD_PRESSURE_FEATURE: _feature,
    uuids.DATE_TIME: _date_time,
}

SUPPORTED_CHARACTERISTICS: tuple[str, ...] = tuple(f"{u:04x}" for u in sorted(_DECODERS))


def decode_characteristic(char: str, data: bytes | bytearray) -> dict[str, Any]:
    """Decode ``data`` as characteristic ``char`` ("2a35", "0x2A35" or the 128-bit form).

    Raises UnsupportedCharacteristicError for an unknown or malformed UUID and DecodeError
    (raw bytes kept) for malformed data.
    """
    try:
        number = uuids.short_uuid(char)
    except ValueError:
        raise UnsupportedCharacteristicError(
            f"{char!r} is not a 16-bit Bluetooth characteristic UUID", characteristic=char
        ) from None
    decoder = _DECODERS.get(number)
    if decoder is None:
        raise UnsupportedCharacteristicError(
            f"no decoder for characteristic {number:04x}; "
            f"supported: {', '.join(SUPPORTED_CHARACTERISTICS)}",
            characteristic=f"{number:04x}",
        )
    return decoder(bytes(data))


_SEPARATORS = re.compile(r"[\s:,\-]+")
_HEX_PAIRS = re.compile(r"(?:[0-9a-fA-F]{2})+")


def parse_hex_args(args: list[str]) -> bytes:
    """Bytes from hex given as ``["1E", "8A", "00"]``, ``["1e8a00"]``, ``["1E:8A"]`` or mixed.

    Each group may carry a ``0x`` prefix. A group with an odd number of digits is refused
    rather than guessed. Raises ValueError on bad input or when no bytes are given.
    """
    out = bytearray()
    for arg in args:
        for group in _SEPARATORS.split(arg):
            if not group:
                continue
            digits = group[2:] if group[:2].lower() == "0x" else group
            if not _HEX_PAIRS.fullmatch(digits):
                raise ValueError(f"not hex bytes: {group!r}")
            out += bytes.fromhex(digits)
    if not out:
        raise ValueError("no bytes given")
    return bytes(out)
