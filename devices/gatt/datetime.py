"""Date Time (0x2A08): year uint16, month, day, hours, minutes, seconds — 7 bytes.

Year, month or day 0 means "unknown"; such a stamp decodes to ``None`` (the time of day alone
cannot place a measurement). The result is naive: the profiles carry no time zone, the
device clock is whatever local time it was set to.
"""

from __future__ import annotations

import datetime as _dt

from devices.errors import DecodeError

__all__ = ["DATE_TIME_LENGTH", "decode_date_time", "encode_date_time", "parse_date_time"]

DATE_TIME_LENGTH = 7
_CHARACTERISTIC = "2a08"

# (field, byte offset within the 7 bytes, lowest, highest); 0 = unknown for the date fields.
_RANGES = (
    ("month", 2, 1, 12),
    ("day", 3, 1, 31),
    ("hours", 4, 0, 23),
    ("minutes", 5, 0, 59),
    ("seconds", 6, 0, 59),
)
_YEAR_RANGE = (1582, 9999)


def parse_date_time(
    data: bytes, offset: int = 0, *, characteristic: str = _CHARACTERISTIC
) -> _dt.datetime | None:
    """Read a Date Time embedded at ``data[offset:offset + 7]`` (e.g. inside 0x2A35).

    Errors carry the whole ``data`` and absolute offsets, so they point into the payload the
    device actually sent.
    """
    end = offset + DATE_TIME_LENGTH
    if len(data) < end:
        raise DecodeError(
            f"Date Time needs {DATE_TIME_LENGTH} bytes at offset {offset}, "
            f"only {max(len(data) - offset, 0)} left",
            characteristic=characteristic,
            raw=data,
            offset=len(data),
        )
    year = int.from_bytes(data[offset : offset + 2], "little")
    if year != 0 and not _YEAR_RANGE[0] <= year <= _YEAR_RANGE[1]:
        raise DecodeError(
            f"Date Time year {year} outside {_YEAR_RANGE[0]}..{_YEAR_RANGE[1]}",
            characteristic=characteristic,
            raw=data,
            offset=offset,
        )
    values = {"year": year}
    for name, position, low, high in _RANGES:
        value = data[offset + position]
        unknown_allowed = name in ("month", "day")
        if not (low <= value <= high or (unknown_allowed and value == 0)):
            raise DecodeError(
                f"Date Time {name} {value} outside {low}..{high}",
                characteristic=characteristic,
                raw=data,
                offset=offset + position,
            )
        values[name] = value
    if values["year"] == 0 or values["month"] == 0 or values["day"] == 0:
        return None
    try:
        return _dt.datetime(
            values["year"],
            values["month"],
            values["day"],
            values["hours"],
            values["minutes"],
            values["seconds"],
        )
    except ValueError as exc:  # e.g. 31 February
        raise DecodeError(
            f"Date Time is not a calendar date: {exc}",
            characteristic=characteristic,
            raw=data,
            offset=offset + 3,
        ) from None


def decode_date_time(data: bytes | bytearray) -> _dt.datetime | None:
    """Decode a standalone Date Time characteristic value (exactly 7 bytes)."""
    data = bytes(data)
    if len(data) != DATE_TIME_LENGTH:
        raise DecodeError(
            f"Date Time is {DATE_TIME_LENGTH} bytes, got {len(data)}",
            characteristic=_CHARACTERISTIC,
            raw=data,
            offset=min(len(data), DATE_TIME_LENGTH),
        )
    return parse_date_time(data)


def encode_date_time(value: _dt.datetime | None) -> bytes:
    """7-byte Date Time; ``None`` encodes an unknown date (all zeros). Sub-seconds are dropped."""
    if value is None:
        return bytes(DATE_TIME_LENGTH)
    if not _YEAR_RANGE[0] <= value.year <= _YEAR_RANGE[1]:
        raise ValueError(f"year {value.year} cannot be sent in a Date Time")
    return value.year.to_bytes(2, "little") + bytes(
        (value.month, value.day, value.hour, value.minute, value.second)
    )
