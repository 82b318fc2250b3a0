"""Physiological-range checks: decoded correctly, but could this be a real person?

The limits are a design choice, not clinical thresholds. They are wide on purpose: they catch
misfits (cuff off the arm, a bag on the scale, wrong unit flag, a glucose control solution
read as blood) and never judge health — scoring does that. Values beyond them are not
survivable or not measurable by home/kiosk devices:

* blood pressure, in mmHg: systolic 50..300, diastolic 20..200, systolic above diastolic,
  pulse 25..250 /min when sent;
* glucose 10..900 mg/dL (meters read roughly 20..600; margin for lab-grade devices);
* weight 10..300 kg (kiosk scales top out at 150..300 kg);
* body fat 2..75 % (essential fat ≈ 2–5 %; bioimpedance reads no higher than ~75 %).

Bounds are inclusive. Checks return human-readable problems for staff logs; empty means
plausible. Dispatch is by reading type; a new reading type fails mypy here until it has ranges.
"""

from __future__ import annotations

import math
from typing import assert_never

from devices.errors import ImplausibleReadingError
from devices.readings import (
    KPA_PER_MMHG,
    LB_PER_KG,
    AnyReading,
    BloodPressureReading,
    BodyCompositionReading,
    GlucoseReading,
    MassUnit,
    PressureUnit,
    WeightReading,
)

__all__ = [
    "BODY_FAT_PERCENT",
    "DIASTOLIC_MMHG",
    "GLUCOSE_MG_DL",
    "PULSE_PER_MIN",
    "SYSTOLIC_MMHG",
    "WEIGHT_KG",
    "check_plausibility",
    "ensure_plausible",
    "is_plausible",
]

SYSTOLIC_MMHG = (50.0, 300.0)
DIASTOLIC_MMHG = (20.0, 200.0)
PULSE_PER_MIN = (25.0, 250.0)
GLUCOSE_MG_DL = (10.0, 900.0)
WEIGHT_KG = (10.0, 300.0)
BODY_FAT_PERCENT = (2.0, 75.0)


def _range(name: str, value: float, bounds: tuple[float, float], unit: str) -> list[str]:
    low, high = bounds
    if not math.isfinite(value):
        return [f"{name} is not a number ({value})"]
    if not low <= value <= high:
        return [f"{name} {round(value, 1):g} {unit} outside {low:g}..{high:g} {unit}"]
    return []


def _mmhg(value: float, unit: PressureUnit) -> float:
    # Unrounded: in_mmhg() rounds for display, and round() fails on NaN.
    return value if unit is PressureUnit.MMHG else value / KPA_PER_MMHG


def _blood_pressure(reading: BloodPressureReading) -> tuple[str, ...]:
    systolic = _mmhg(reading.systolic, reading.unit)
    diastolic = _mmhg(reading.diastolic, reading.unit)
    problems = _range("systolic", systolic, SYSTOLIC_MMHG, "mmHg")
    problems += _range("diastolic", diastolic, DIASTOLIC_MMHG, "mmHg")
    if math.isfinite(systolic) and math.isfinite(diastolic) and systolic <= diastolic:
        problems.append(
            f"systolic {round(systolic, 1):g} mmHg is not above "
            f"diastolic {round(diastolic, 1):g} mmHg"
        )
    if reading.pulse_rate is not None:
        problems += _range("pulse", reading.pulse_rate, PULSE_PER_MIN, "/min")
    return tuple(problems)


def _glucose(reading: GlucoseReading) -> tuple[str, ...]:
    return tuple(_range("glucose", reading.in_mg_dl(), GLUCOSE_MG_DL, "mg/dL"))


def _weight(reading: WeightReading) -> tuple[str, ...]:
    return tuple(_range("weight", reading.in_kg(), WEIGHT_KG, "kg"))


def _body_composition(reading: BodyCompositionReading) -> tuple[str, ...]:
    problems = _range("body fat", reading.body_fat_percent, BODY_FAT_PERCENT, "%")
    if reading.weight is not None:
        kg = reading.weight if reading.unit is MassUnit.KG else reading.weight / LB_PER_KG
        problems += _range("weight", kg, WEIGHT_KG, "kg")
    return tuple(problems)


def check_plausibility(reading: AnyReading) -> tuple[str, ...]:
    """Problems found in ``reading``; ``()`` when every value is in its physiological range."""
    if isinstance(reading, BloodPressureReading):
        return _blood_pressure(reading)
    if isinstance(reading, GlucoseReading):
        return _glucose(reading)
    if isinstance(reading, WeightReading):
        return _weight(reading)
    if isinstance(reading, BodyCompositionReading):
        return _body_composition(reading)
    assert_never(reading)


def is_plausible(reading: AnyReading) -> bool:
    return not check_plausibility(reading)


# Where each kind's bytes come from, for ImplausibleReadingError.characteristic.
_CHARACTERISTIC = {
    "blood_pressure": "2a35",
    "glucose": "2a18",
    "weight": "2a9d",
    "body_composition": "2a9c",
}


def ensure_plausible(reading: AnyReading) -> None:
    """Raise :class:`ImplausibleReadingError` (raw bytes and problems kept) if implausible."""
    problems = check_plausibility(reading)
    if problems:
        raise ImplausibleReadingError(
            f"implausible {reading.kind} reading: " + "; ".join(problems),
            characteristic=_CHARACTERISTIC[reading.kind],
            raw=reading.raw,
            problems=problems,
        )
