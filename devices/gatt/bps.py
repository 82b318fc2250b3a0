"""Blood Pressure Service codecs: 0x2A35 measurement, 0x2A36 cuff pressure, 0x2A49 feature.

Layout (little-endian)::

    flags u8 | systolic SFLOAT | diastolic SFLOAT | MAP SFLOAT
    [time stamp, 7 B, flags bit1] [pulse SFLOAT, bit2] [user id u8, bit3] [status u16, bit4]

The length must equal exactly what the flags announce; a short or over-long payload means we
would be guessing which field is which, so both are decode errors.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from devices.errors import DecodeError
from devices.gatt.datetime import DATE_TIME_LENGTH, encode_date_time, parse_date_time
from devices.ieee11073 import decode_sfloat, encode_sfloat
from devices.readings import (
    BloodPressureReading,
    BloodPressureStatus,
    DeviceIdentity,
    PressureUnit,
)

__all__ = [
    "BloodPressureFeature",
    "CuffPressure",
    "decode_blood_pressure_feature",
    "decode_blood_pressure_measurement",
    "decode_intermediate_cuff_pressure",
    "encode_blood_pressure_feature",
    "encode_blood_pressure_measurement",
    "encode_intermediate_cuff_pressure",
]

BPM = "2a35"
ICP = "2a36"
FEATURE = "2a49"

_FLAG_KPA = 0x01
_FLAG_TIMESTAMP = 0x02
_FLAG_PULSE = 0x04
_FLAG_USER = 0x08
_FLAG_STATUS = 0x10

_UNKNOWN_USER = 0xFF

_STATUS_BITS = {
    0x0001: BloodPressureStatus.BODY_MOVEMENT,
    0x0002: BloodPressureStatus.CUFF_TOO_LOOSE,
    0x0004: BloodPressureStatus.IRREGULAR_PULSE,
    0x0020: BloodPressureStatus.IMPROPER_POSITION,
}
_PULSE_RANGE_SHIFT = 3
_PULSE_RANGE = {
    1: BloodPressureStatus.PULSE_ABOVE_RANGE,
    2: BloodPressureStatus.PULSE_BELOW_RANGE,
}


class BloodPressureFeature(enum.StrEnum):
    """Blood Pressure Feature (0x2A49) bits 0..5 (BLS 1.0)."""

    BODY_MOVEMENT_DETECTION = "body_movement_detection"
    CUFF_FIT_DETECTION = "cuff_fit_detection"
    IRREGULAR_PULSE_DETECTION = "irregular_pulse_detection"
    PULSE_RATE_RANGE_DETECTION = "pulse_rate_range_detection"
    MEASUREMENT_POSITION_DETECTION = "measurement_position_detection"
    MULTIPLE_BOND = "multiple_bond"


_FEATURE_BITS = dict(enumerate(BloodPressureFeature))


@dataclass(frozen=True, slots=True, kw_only=True)
class CuffPressure:
    """One Intermediate Cuff Pressure notification: a live gauge value, never a result."""

    pressure: float
    unit: PressureUnit
    pulse_rate: float | None = None
    user_id: int | None = None
    measured_at: datetime | None = None
    status: frozenset[BloodPressureStatus] = frozenset()
    raw: bytes = b""


@dataclass(frozen=True, slots=True)
class _Fields:
    unit: PressureUnit
    first: float  # systolic, or current cuff pressure for 0x2A36
    second: float
    third: float
    measured_at: datetime | None
    pulse_rate: float | None
    user_id: int | None
    status: frozenset[BloodPressureStatus]


def _expected_length(flags: int) -> int:
    length = 7
    if flags & _FLAG_TIMESTAMP:
        length += DATE_TIME_LENGTH
    if flags & _FLAG_PULSE:
        length += 2
    if flags & _FLAG_USER:
        length += 1
    if flags & _FLAG_STATUS:
        length += 2
    return length


def _decode_status(word: int) -> frozenset[BloodPressureStatus]:
    found = {status for bit, status in _STATUS_BITS.items() if word & bit}
    pulse_range = _PULSE_RANGE.get((word >> _PULSE_RANGE_SHIFT) & 0x03)  # 3 is RFU: ignored
    if pulse_range is not None:
        found.add(pulse_range)
    return frozenset(found)


def _parse(data: bytes, characteristic: str) -> _Fields:
    if not data:
        raise DecodeError("empty payload", characteristic=characteristic, raw=data, offset=0)
    flags = data[0]  # bits 5..7 are RFU; receivers ignore them
    expected = _expected_length(flags)
    if len(data) < expected:
        raise DecodeError(
            f"too short: flags {flags:#04x} need {expected} bytes, got {len(data)}",
            characteristic=characteristic,
            raw=data,
            offset=len(data),
        )
    if len(data) > expected:
        raise DecodeError(
            f"{len(data) - expected} trailing byte(s): flags {flags:#04x} need {expected} bytes",
            characteristic=characteristic,
            raw=data,
            offset=expected,
        )
    pos = 7
    measured_at = None
    if flags & _FLAG_TIMESTAMP:
        measured_at = parse_date_time(data, pos, characteristic=characteristic)
        pos += DATE_TIME_LENGTH
    pulse_rate = None
    if flags & _FLAG_PULSE:
        pulse_rate = _optional_value(data, pos, characteristic, "pulse rate")
        pos += 2
    user_id = None
    if flags & _FLAG_USER:
        user_id = None if data[pos] == _UNKNOWN_USER else data[pos]
        pos += 1
    status: frozenset[BloodPressureStatus] = frozenset()
    if flags & _FLAG_STATUS:
        status = _decode_status(int.from_bytes(data[pos : pos + 2], "little"))
    return _Fields(
        unit=PressureUnit.KPA if flags & _FLAG_KPA else PressureUnit.MMHG,
        first=decode_sfloat(data, 1),
        second=decode_sfloat(data, 3),
        third=decode_sfloat(data, 5),
        measured_at=measured_at,
        pulse_rate=pulse_rate,
        user_id=user_id,
        status=status,
    )


def _required_value(
    value: float, offset: int, data: bytes, characteristic: str, name: str
) -> float:
    if not math.isfinite(value):
        raise DecodeError(
            f"{name} is {value} (special value), not a measurement",
            characteristic=characteristic,
            raw=data,
            offset=offset,
        )
    return value


def _optional_value(data: bytes, offset: int, characteristic: str, name: str) -> float | None:
    # NaN / NRes / reserved = "no value"; ±INF claims a reading beyond the device's range,
    # which we refuse rather than store as a number or silently drop.
    value = decode_sfloat(data, offset)
    if math.isnan(value):
        return None
    return _required_value(value, offset, data, characteristic, name)


def decode_blood_pressure_measurement(
    data: bytes | bytearray, device: DeviceIdentity
) -> BloodPressureReading:
    """Decode one 0x2A35 indication. Raises DecodeError (raw bytes kept) on malformed input.

    Values stay in the unit the device sent. Non-finite systolic or diastolic is an error;
    a NaN mean arterial pressure or pulse rate becomes ``None``; user id 0xFF becomes ``None``.
    No physiological check here: see :mod:`devices.plausibility`.
    """
    data = bytes(data)
    fields = _parse(data, BPM)
    systolic = _required_value(fields.first, 1, data, BPM, "systolic")
    diastolic = _required_value(fields.second, 3, data, BPM, "diastolic")
    mean_arterial = None
    if not math.isnan(fields.third):
        mean_arterial = _required_value(fields.third, 5, data, BPM, "mean arterial pressure")
    return BloodPressureReading(
        device=device,
        measured_at=fields.measured_at,
        user_id=fields.user_id,
        raw=data,
        systolic=systolic,
        diastolic=diastolic,
        mean_arterial=mean_arterial,
        unit=fields.unit,
        pulse_rate=fields.pulse_rate,
        status=fields.status,
    )


def decode_intermediate_cuff_pressure(data: bytes | bytearray) -> CuffPressure:
    """Decode one 0x2A36 notification (same layout as 0x2A35; diastolic and MAP unused)."""
    data = bytes(data)
    fields = _parse(data, ICP)
    return CuffPressure(
        pressure=_required_value(fields.first, 1, data, ICP, "cuff pressure"),
        unit=fields.unit,
        pulse_rate=fields.pulse_rate,
        user_id=fields.user_id,
        measured_at=fields.measured_at,
        status=fields.status,
        raw=data,
    )


def decode_blood_pressure_feature(data: bytes | bytearray) -> frozenset[BloodPressureFeature]:
    """Decode 0x2A49 (exactly 2 bytes). RFU bits 6..15 are ignored."""
    data = bytes(data)
    if len(data) != 2:
        raise DecodeError(
            f"Blood Pressure Feature is 2 bytes, got {len(data)}",
            characteristic=FEATURE,
            raw=data,
            offset=min(len(data), 2),
        )
    word = int.from_bytes(data, "little")
    return frozenset(feature for bit, feature in _FEATURE_BITS.items() if word >> bit & 1)


def _encode_status(status: Iterable[BloodPressureStatus]) -> bytes:
    wanted = set(status)
    word = 0
    for bit, flag in _STATUS_BITS.items():
        if flag in wanted:
            word |= bit
    ranges = [code for code, flag in _PULSE_RANGE.items() if flag in wanted]
    if len(ranges) > 1:
        raise ValueError("pulse cannot be both above and below range")
    if ranges:
        word |= ranges[0] << _PULSE_RANGE_SHIFT
    return word.to_bytes(2, "little")


def _encode(
    *,
    values: tuple[float, float, float],
    unit: PressureUnit | str,
    timestamp: datetime | None,
    pulse_rate: float | None,
    user_id: int | None,
    status: Iterable[BloodPressureStatus] | None,
) -> bytes:
    flags = _FLAG_KPA if PressureUnit(unit) is PressureUnit.KPA else 0
    body = b"".join(encode_sfloat(v) for v in values)
    if timestamp is not None:
        flags |= _FLAG_TIMESTAMP
        body += encode_date_time(timestamp)
    if pulse_rate is not None:
        flags |= _FLAG_PULSE
        body += encode_sfloat(pulse_rate)
    if user_id is not None:
        if not 0 <= user_id <= _UNKNOWN_USER:
            raise ValueError(f"user id {user_id} outside 0..255")
        flags |= _FLAG_USER
        body += bytes((user_id,))
    if status is not None:
        flags |= _FLAG_STATUS
        body += _encode_status(status)
    return bytes((flags,)) + body


def encode_blood_pressure_measurement(
    *,
    systolic: float,
    diastolic: float,
    mean_arterial: float | None,
    unit: PressureUnit | str = PressureUnit.MMHG,
    timestamp: datetime | None = None,
    pulse_rate: float | None = None,
    user_id: int | None = None,
    status: Iterable[BloodPressureStatus] | None = None,
) -> bytes:
    """Spec bytes for a 0x2A35 value (used by simulators and tests).

    Optional fields are present exactly when given (``status=frozenset()`` sends a zero status
    word; ``None`` omits it). Each SFLOAT uses the fewest decimals that represent its value, so
    18.9 kPa is ``BD F0``. ``mean_arterial=None`` sends NaN.
    """
    return _encode(
        values=(systolic, diastolic, math.nan if mean_arterial is None else mean_arterial),
        unit=unit,
        timestamp=timestamp,
        pulse_rate=pulse_rate,
        user_id=user_id,
        status=status,
    )


def encode_intermediate_cuff_pressure(
    pressure: float,
    *,
    unit: PressureUnit | str = PressureUnit.MMHG,
    timestamp: datetime | None = None,
    pulse_rate: float | None = None,
    user_id: int | None = None,
    status: Iterable[BloodPressureStatus] | None = None,
) -> bytes:
    """Spec bytes for a 0x2A36 value; the unused diastolic/MAP fields are zero, as devices send."""
    return _encode(
        values=(pressure, 0, 0),
        unit=unit,
        timestamp=timestamp,
        pulse_rate=pulse_rate,
        user_id=user_id,
        status=status,
    )


def encode_blood_pressure_feature(features: Iterable[BloodPressureFeature]) -> bytes:
    wanted = set(features)
    word = sum(1 << bit for bit, feature in _FEATURE_BITS.items() if feature in wanted)
    return word.to_bytes(2, "little")
