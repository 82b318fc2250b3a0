"""Current Time 0x2A2B (10 bytes): Date Time | day of week | fractions256 | adjust reason.

Day of week 1 = Monday … 7 = Sunday, 0 = unknown. The kiosk writes it to set a device clock
(only when the characteristic has the ``write`` property: CTS makes writing optional).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from devices.errors import DecodeError
from devices.gatt.datetime import DATE_TIME_LENGTH, encode_date_time, parse_date_time

__all__ = ["CURRENT_TIME_LENGTH", "CurrentTime", "decode_current_time", "encode_current_time"]

CURRENT_TIME_LENGTH = 10
CT = "2a2b"
ADJUST_REASONS = ("manual_update", "external_reference_update", "time_zone_change", "dst_change")


@dataclass(frozen=True, slots=True)
class CurrentTime:
    timestamp: _dt.datetime | None
    day_of_week: int | None
    fractions256: int
    adjust_reasons: frozenset[str]


def decode_current_time(data: bytes | bytearray) -> CurrentTime:
    data = bytes(data)
    if len(data) != CURRENT_TIME_LENGTH:
        raise DecodeError(
            f"Current Time is {CURRENT_TIME_LENGTH} bytes, got {len(data)}",
            characteristic=CT,
            raw=data,
            offset=min(len(data), CURRENT_TIME_LENGTH),
        )
    timestamp = parse_date_time(data, 0, characteristic=CT)
    day = data[DATE_TIME_LENGTH]
    if day > 7:
        raise DecodeError(
            f"day of week {day} outside 0..7", characteristic=CT, raw=data, offset=DATE_TIME_LENGTH
        )
    if timestamp is not None and day and day != timestamp.isoweekday():
        raise DecodeError(
            f"day of week {day} does not match {timestamp.date()}",
            characteristic=CT,
            raw=data,
            offset=DATE_TIME_LENGTH,
        )
    reason = data[9]
    return CurrentTime(
        timestamp=timestamp,
        day_of_week=day or None,
        fractions256=data[8],
        adjust_reasons=frozenset(n for bit, n in enumerate(ADJUST_REASONS) if reason >> bit & 1),
    )


def encode_current_time(
    value: _dt.datetime, *, adjust_reasons: frozenset[str] = frozenset()
) -> bytes:
    """10 bytes for a CTS write; fractions from microseconds (1/256 s, truncated)."""
    reason = sum(1 << ADJUST_REASONS.index(r) for r in adjust_reasons)
    fractions = value.microsecond * 256 // 1_000_000
    return encode_date_time(value) + bytes((value.isoweekday(), fractions, reason))
