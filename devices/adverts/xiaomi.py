"""Xiaomi Mi Smart Scale (v1, service data 0x181D) and Mi Body Composition Scale 2 (v2, 0x181B).

Proprietary layouts despite the SIG UUIDs (devices.md §8.9)::

    v1, 10 B: control | weight u16 | Date Time
              control bit0 lb, bit4 jin, bit5 stabilized, bit7 load removed
    v2, 13 B: unit byte (bit0 lb) | control | Date Time | impedance u16 Ω | weight u16
              control bit1 impedance valid, bit5 stabilized, bit6 jin, bit7 load removed

Weight steps: kg 1/200, lb and jin 1/100 (1 jin = 0.5 kg). "Stabilized" is reported only when
the stabilized bit is set and the load-removed bit is not: a removed-load frame repeats the
last weight and must not be stored as a new measurement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from devices.errors import DecodeError
from devices.gatt.datetime import encode_date_time, parse_date_time
from devices.readings import LB_PER_KG, DeviceIdentity, MassUnit, WeightReading

__all__ = [
    "ScaleAdvert",
    "decode_mi_scale_v1",
    "decode_mi_scale_v2",
    "encode_mi_scale_v1",
    "encode_mi_scale_v2",
]

V1 = "adv:181d"
V2 = "adv:181b"


@dataclass(frozen=True, slots=True, kw_only=True)
class ScaleAdvert:
    weight: float
    unit: str  # "kg", "lb" or "jin", as sent
    stabilized: bool
    load_removed: bool
    measured_at: datetime | None
    impedance_ohm: float | None = None  # v2 only, and only when the scale marks it valid
    raw: bytes = b""

    def weight_kg(self) -> float:
        if self.unit == "lb":
            return self.weight / LB_PER_KG
        if self.unit == "jin":
            return float(Decimal(repr(self.weight)) / 2)
        return self.weight

    def to_reading(self, device: DeviceIdentity) -> WeightReading:
        return WeightReading(
            device=device,
            measured_at=self.measured_at,
            raw=self.raw,
            weight=self.weight_kg(),
            unit=MassUnit.KG,
        )


def _weight(raw: int, unit: str) -> float:
    return float(Decimal(raw) / (200 if unit == "kg" else 100))


def _check_length(data: bytes, length: int, char: str) -> None:
    if len(data) != length:
        raise DecodeError(
            f"expected {length} bytes of service data, got {len(data)}",
            characteristic=char,
            raw=data,
            offset=min(len(data), length),
        )


def decode_mi_scale_v1(data: bytes | bytearray) -> ScaleAdvert:
    data = bytes(data)
    _check_length(data, 10, V1)
    control = data[0]
    unit = "lb" if control & 0x01 else "jin" if control & 0x10 else "kg"
    removed = bool(control & 0x80)
    return ScaleAdvert(
        weight=_weight(int.from_bytes(data[1:3], "little"), unit),
        unit=unit,
        stabilized=bool(control & 0x20) and not removed,
        load_removed=removed,
        measured_at=parse_date_time(data, 3, characteristic=V1),
        raw=data,
    )


def decode_mi_scale_v2(data: bytes | bytearray) -> ScaleAdvert:
    data = bytes(data)
    _check_length(data, 13, V2)
    control = data[1]
    unit = "lb" if data[0] & 0x01 else "jin" if control & 0x40 else "kg"
    removed = bool(control & 0x80)
    impedance = int.from_bytes(data[9:11], "little")
    return ScaleAdvert(
        weight=_weight(int.from_bytes(data[11:13], "little"), unit),
        unit=unit,
        stabilized=bool(control & 0x20) and not removed,
        load_removed=removed,
        measured_at=parse_date_time(data, 2, characteristic=V2),
        impedance_ohm=float(impedance) if control & 0x02 and impedance else None,
        raw=data,
    )


def _raw_weight(weight: float, unit: str) -> bytes:
    step = 200 if unit == "kg" else 100
    return int((Decimal(repr(weight)) * step).to_integral_value()).to_bytes(2, "little")


def encode_mi_scale_v1(
    weight: float,
    *,
    unit: str = "kg",
    stabilized: bool = True,
    removed: bool = False,
    measured_at: datetime | None = None,
) -> bytes:
    control = {"kg": 0, "lb": 0x01, "jin": 0x10}[unit]
    control |= (0x20 if stabilized else 0) | (0x80 if removed else 0)
    return bytes((control,)) + _raw_weight(weight, unit) + encode_date_time(measured_at)


def encode_mi_scale_v2(
    weight: float,
    *,
    unit: str = "kg",
    stabilized: bool = True,
    removed: bool = False,
    impedance_ohm: int | None = None,
    measured_at: datetime | None = None,
) -> bytes:
    control = (0x40 if unit == "jin" else 0) | (0x20 if stabilized else 0)
    control |= (0x80 if removed else 0) | (0x02 if impedance_ohm else 0)
    head = bytes((0x01 if unit == "lb" else 0x02, control))
    impedance = (impedance_ohm or 0).to_bytes(2, "little")
    return head + encode_date_time(measured_at) + impedance + _raw_weight(weight, unit)
