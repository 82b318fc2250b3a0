"""Weight Scale Service codecs: 0x2A9D Weight Measurement, 0x2A9E Weight Scale Feature.

Weight Measurement (little-endian)::

    flags u8 | weight u16 (SI 0.005 kg, imperial 0.01 lb; 0xFFFF = measurement unsuccessful)
    [time stamp 7 B, bit1] [user id u8, bit2; 0xFF unknown] [BMI u16 0.1 + height u16, bit3]

Height is 0.001 m (SI) or 0.1 in (imperial). The resolution never depends on the Feature
characteristic. The length must equal what the flags announce.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from devices.errors import DecodeError
from devices.gatt.datetime import DATE_TIME_LENGTH, encode_date_time, parse_date_time
from devices.readings import LB_PER_KG, DeviceIdentity, MassUnit, WeightReading

__all__ = [
    "UNSUCCESSFUL",
    "WeightMeasurement",
    "WeightScaleFeature",
    "decode_weight_measurement",
    "decode_weight_scale_feature",
    "encode_weight_measurement",
    "encode_weight_scale_feature",
    "mass_value",
]

WM = "2a9d"
WSF = "2a9e"
UNSUCCESSFUL = 0xFFFF
M_PER_INCH = 0.0254
_UNKNOWN_USER = 0xFF

# (SI step, imperial step) for the resolution codes 1..7 of 0x2A9E / 0x2A9B.
_MASS_RESOLUTION = {
    1: (0.5, 1.0),
    2: (0.2, 0.5),
    3: (0.1, 0.2),
    4: (0.05, 0.1),
    5: (0.02, 0.05),
    6: (0.01, 0.02),
    7: (0.005, 0.01),
}
_HEIGHT_RESOLUTION = {1: (0.01, 1.0), 2: (0.005, 0.5), 3: (0.001, 0.1)}


def mass_value(raw: int, imperial: bool) -> float:
    """uint16 mass field → kg (0.005) or lb (0.01), exact in decimal; NaN for 0xFFFF."""
    if raw == UNSUCCESSFUL:
        return math.nan
    return float(Decimal(raw) * (Decimal("0.01") if imperial else Decimal("0.005")))


def _encode_mass(value: float, imperial: bool) -> bytes:
    if math.isnan(value):
        return UNSUCCESSFUL.to_bytes(2, "little")
    step = Decimal("0.01") if imperial else Decimal("0.005")
    raw = int((Decimal(repr(value)) / step).to_integral_value())
    if not 0 <= raw < UNSUCCESSFUL:
        raise ValueError(f"mass {value} does not fit a uint16 field")
    return raw.to_bytes(2, "little")


@dataclass(frozen=True, slots=True, kw_only=True)
class WeightMeasurement:
    weight: float  # NaN when the scale reports "measurement unsuccessful"
    unit: MassUnit
    measured_at: datetime | None = None
    user_id: int | None = None
    bmi: float | None = None
    height: float | None = None  # m (SI) or in (imperial), as sent
    raw: bytes = b""

    def weight_kg(self) -> float:
        return self.weight if self.unit is MassUnit.KG else self.weight / LB_PER_KG

    def height_m(self) -> float | None:
        if self.height is None or self.unit is MassUnit.KG:
            return self.height
        return float(Decimal(repr(self.height)) * Decimal(repr(M_PER_INCH)))

    def to_reading(self, device: DeviceIdentity) -> WeightReading:
        height_m = self.height_m()
        return WeightReading(
            device=device,
            measured_at=self.measured_at,
            user_id=self.user_id,
            raw=self.raw,
            weight=self.weight,
            unit=self.unit,
            height_cm=None if height_m is None else float(Decimal(repr(height_m)) * 100),
            bmi=self.bmi,
        )


def _expected(flags: int) -> int:
    return 3 + (7 if flags & 0x02 else 0) + (1 if flags & 0x04 else 0) + (4 if flags & 0x08 else 0)


def decode_weight_measurement(data: bytes | bytearray) -> WeightMeasurement:
    data = bytes(data)
    if not data:
        raise DecodeError("empty payload", characteristic=WM, raw=data, offset=0)
    flags = data[0]
    expected = _expected(flags)
    if len(data) != expected:
        raise DecodeError(
            f"flags {flags:#04x} need {expected} bytes, got {len(data)}",
            characteristic=WM,
            raw=data,
            offset=min(len(data), expected),
        )
    imperial = bool(flags & 0x01)
    pos = 3
    measured_at = None
    if flags & 0x02:
        measured_at = parse_date_time(data, pos, characteristic=WM)
        pos += DATE_TIME_LENGTH
    user_id = None
    if flags & 0x04:
        user_id = None if data[pos] == _UNKNOWN_USER else data[pos]
        pos += 1
    bmi = height = None
    if flags & 0x08:
        bmi = float(Decimal(int.from_bytes(data[pos : pos + 2], "little")) / 10)
        raw_height = Decimal(int.from_bytes(data[pos + 2 : pos + 4], "little"))
        height = float(raw_height / 10 if imperial else raw_height / 1000)
    return WeightMeasurement(
        weight=mass_value(int.from_bytes(data[1:3], "little"), imperial),
        unit=MassUnit.LB if imperial else MassUnit.KG,
        measured_at=measured_at,
        user_id=user_id,
        bmi=bmi,
        height=height,
        raw=data,
    )


def encode_weight_measurement(
    weight: float,
    *,
    unit: MassUnit = MassUnit.KG,
    timestamp: datetime | None = None,
    user_id: int | None = None,
    bmi: float | None = None,
    height: float | None = None,
) -> bytes:
    """Spec bytes for 0x2A9D; ``bmi`` and ``height`` (m or in) go together. NaN = unsuccessful."""
    imperial = unit is MassUnit.LB
    flags = 0x01 if imperial else 0
    body = _encode_mass(weight, imperial)
    if timestamp is not None:
        flags |= 0x02
        body += encode_date_time(timestamp)
    if user_id is not None:
        flags |= 0x04
        body += bytes((user_id,))
    if bmi is not None or height is not None:
        if bmi is None or height is None:
            raise ValueError("BMI and height are sent together")
        flags |= 0x08
        scale = Decimal(10) if imperial else Decimal(1000)
        body += int(Decimal(repr(bmi)) * 10).to_bytes(2, "little")
        body += int((Decimal(repr(height)) * scale).to_integral_value()).to_bytes(2, "little")
    return bytes((flags,)) + body


@dataclass(frozen=True, slots=True, kw_only=True)
class WeightScaleFeature:
    time_stamp: bool
    multiple_users: bool
    bmi: bool
    weight_resolution: tuple[float, float] | None  # (kg, lb) step, None = not specified
    height_resolution: tuple[float, float] | None  # (m, in) step


def decode_weight_scale_feature(data: bytes | bytearray) -> WeightScaleFeature:
    """0x2A9E, exactly 4 bytes. Reserved resolution codes read as "not specified"."""
    data = bytes(data)
    if len(data) != 4:
        raise DecodeError(
            f"Weight Scale Feature is 4 bytes, got {len(data)}",
            characteristic=WSF,
            raw=data,
            offset=min(len(data), 4),
        )
    word = int.from_bytes(data, "little")
    return WeightScaleFeature(
        time_stamp=bool(word & 0x01),
        multiple_users=bool(word & 0x02),
        bmi=bool(word & 0x04),
        weight_resolution=_MASS_RESOLUTION.get((word >> 3) & 0x0F),
        height_resolution=_HEIGHT_RESOLUTION.get((word >> 7) & 0x07),
    )


def encode_weight_scale_feature(feature: WeightScaleFeature) -> bytes:
    word = int(feature.time_stamp) | int(feature.multiple_users) << 1 | int(feature.bmi) << 2
    for code, steps in _MASS_RESOLUTION.items():
        if steps == feature.weight_resolution:
            word |= code << 3
    for code, steps in _HEIGHT_RESOLUTION.items():
        if steps == feature.height_resolution:
            word |= code << 7
    return word.to_bytes(4, "little")
