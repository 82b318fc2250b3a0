"""Profile-defined line protocols for devices without a public specification.

A profile gives the record delimiter and a field map: each reading field comes from a regular
expression (first group) or a CSV column, times a scale factor. Nothing here knows a vendor;
the mapping is data, checked by the profile's examples.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from devices.errors import DecodeError
from devices.readings import (
    AnyReading,
    BloodPressureReading,
    BodyCompositionReading,
    DeviceIdentity,
    GlucoseReading,
    GlucoseUnit,
    MassUnit,
    PressureUnit,
    WeightReading,
)

__all__ = ["FIELDS", "FieldMap", "LineProtocol", "decode_line_record"]

CHARACTERISTIC = "serial:line"

# Reading fields a profile may map, per kind; the first ones are required.
FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "blood_pressure": (("systolic", "diastolic"), ("pulse_rate", "mean_arterial")),
    "glucose": (("concentration",), ()),
    "weight": (("weight",), ("height_cm", "bmi")),
    "body_composition": (
        ("body_fat_percent",),
        (
            "weight",
            "basal_metabolism_kj",
            "muscle_percent",
            "muscle_mass",
            "fat_free_mass",
            "soft_lean_mass",
            "body_water_mass",
            "impedance_ohm",
            "height_cm",
        ),
    ),
}
UNITS: dict[str, tuple[str, ...]] = {
    "blood_pressure": tuple(u.value for u in PressureUnit),
    "glucose": tuple(u.value for u in GlucoseUnit),
    "weight": tuple(u.value for u in MassUnit),
    "body_composition": tuple(u.value for u in MassUnit),
}


@dataclass(frozen=True, slots=True)
class FieldMap:
    name: str
    regex: re.Pattern[str] | None = None
    column: int | None = None
    scale: float = 1.0


@dataclass(frozen=True, slots=True)
class LineProtocol:
    kind: str
    unit: str
    fields: tuple[FieldMap, ...]
    delimiter: bytes = b"\r\n"
    csv_separator: str | None = None
    encoding: str = "ascii"
    record_pattern: re.Pattern[str] | None = None


def _value(fm: FieldMap, text: str, columns: list[str] | None, raw: bytes) -> float | None:
    if fm.regex is not None:
        match = fm.regex.search(text)
        if match is None:
            return None
        token = match.group(1)
    else:
        assert fm.column is not None and columns is not None
        if fm.column >= len(columns):
            return None
        token = columns[fm.column].strip().strip('"')
    if not token:
        return None  # an empty field is absent, as when the pattern is not found
    try:
        return float(token) * fm.scale
    except ValueError:
        raise DecodeError(
            f"field {fm.name}: {token!r} is not a number", characteristic=CHARACTERISTIC, raw=raw
        ) from None


def decode_line_record(proto: LineProtocol, raw: bytes, device: DeviceIdentity) -> AnyReading:
    """Decode one record (delimiter already removed). Missing required fields, a record that
    does not match ``record_pattern``, or a non-number raise DecodeError with the raw bytes."""
    try:
        text = raw.decode(proto.encoding)
    except UnicodeDecodeError:
        raise DecodeError(
            f"record is not {proto.encoding}", characteristic=CHARACTERISTIC, raw=raw
        ) from None
    if proto.record_pattern is not None and not proto.record_pattern.search(text):
        raise DecodeError(
            "record does not look like this device's output", characteristic=CHARACTERISTIC, raw=raw
        )
    columns = text.split(proto.csv_separator) if proto.csv_separator is not None else None
    values: dict[str, float] = {}
    for fm in proto.fields:
        value = _value(fm, text, columns, raw)
        if value is not None:
            values[fm.name] = value
    required, _ = FIELDS[proto.kind]
    missing = [name for name in required if name not in values]
    if missing:
        raise DecodeError(
            f"record lacks {', '.join(missing)}", characteristic=CHARACTERISTIC, raw=raw
        )
    return _reading(proto, values, raw, device)


def _reading(
    proto: LineProtocol, v: Mapping[str, Any], raw: bytes, device: DeviceIdentity
) -> AnyReading:
    raw = bytes(raw)
    if proto.kind == "blood_pressure":
        return BloodPressureReading(
            device=device,
            raw=raw,
            systolic=v["systolic"],
            diastolic=v["diastolic"],
            mean_arterial=v.get("mean_arterial"),
            pulse_rate=v.get("pulse_rate"),
            unit=PressureUnit(proto.unit),
        )
    if proto.kind == "glucose":
        return GlucoseReading(
            device=device, raw=raw, concentration=v["concentration"], unit=GlucoseUnit(proto.unit)
        )
    if proto.kind == "weight":
        return WeightReading(
            device=device,
            raw=raw,
            weight=v["weight"],
            unit=MassUnit(proto.unit),
            height_cm=v.get("height_cm"),
            bmi=v.get("bmi"),
        )
    return BodyCompositionReading(device=device, raw=raw, unit=MassUnit(proto.unit), **v)
