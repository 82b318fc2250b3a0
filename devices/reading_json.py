"""Neutral readings as JSON-ready dicts: one shape for ``kiosk devices decode`` (Bluetooth
characteristics), ``kiosk devices read`` (serial) and the profile examples, so staff compare
serial and Bluetooth output alike."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from devices.plausibility import is_plausible
from devices.readings import (
    LB_PER_KG,
    AnyReading,
    BloodPressureReading,
    BodyCompositionReading,
    GlucoseReading,
    MassUnit,
    SampleType,
    WeightReading,
)

__all__ = ["json_number", "json_time", "reading_to_json"]


def json_time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def json_number(value: float | None, digits: int = 3) -> float | None:
    """JSON-safe number: NaN/±INF (no value, out of range) become null; noise rounded off."""
    if value is None or not math.isfinite(value):
        return None
    return round(value, digits)


def _kg(value: float | None, unit: MassUnit) -> float | None:
    if value is None:
        return None
    return value if unit is MassUnit.KG else value / LB_PER_KG


def reading_to_json(reading: AnyReading) -> dict[str, Any]:
    if isinstance(reading, BloodPressureReading):
        return {
            "kind": "blood_pressure",
            "systolic": reading.systolic,
            "diastolic": reading.diastolic,
            "mean_arterial": reading.mean_arterial,
            "unit": str(reading.unit),
            "pulse_rate": reading.pulse_rate,
            "timestamp": json_time(reading.measured_at),
            "user_id": reading.user_id,
            "status": sorted(str(s) for s in reading.status),
            "plausible": is_plausible(reading),
        }
    if isinstance(reading, GlucoseReading):
        control = reading.sample_type is SampleType.CONTROL_SOLUTION
        return {
            "kind": "glucose",
            "sequence": reading.sequence_number,
            "timestamp": json_time(reading.measured_at),
            "glucose_mg_dl": json_number(reading.in_mg_dl(), 1),
            "sample_type": None if reading.sample_type is None else str(reading.sample_type),
            "sample_location": (
                None if reading.sample_location is None else str(reading.sample_location)
            ),
            "status": [],
            "context_follows": False,
            "control_solution": control,
            "meal": None if reading.meal is None else str(reading.meal),
            "plausible": is_plausible(reading) and not control,
        }
    if isinstance(reading, WeightReading):
        return {
            "kind": "weight",
            "weight_kg": json_number(reading.in_kg()),
            "unit": str(reading.unit),
            "timestamp": json_time(reading.measured_at),
            "user_id": reading.user_id,
            "bmi": json_number(reading.bmi, 1),
            "height_m": json_number(None if reading.height_cm is None else reading.height_cm / 100),
            "plausible": is_plausible(reading),
        }
    assert isinstance(reading, BodyCompositionReading)
    out: dict[str, Any] = {
        "kind": "body_composition",
        "body_fat_percent": json_number(reading.body_fat_percent, 1),
        "unit": str(reading.unit),
        "timestamp": json_time(reading.measured_at),
        "user_id": reading.user_id,
    }
    u = reading.unit
    optional = {
        "weight_kg": _kg(reading.weight, u),
        "impedance_ohm": reading.impedance_ohm,
        "muscle_mass_kg": _kg(reading.muscle_mass, u),
        "fat_free_mass_kg": _kg(reading.fat_free_mass, u),
        "soft_lean_mass_kg": _kg(reading.soft_lean_mass, u),
        "body_water_kg": _kg(reading.body_water_mass, u),
        "muscle_percent": reading.muscle_percent,
        "basal_metabolism_kj": reading.basal_metabolism_kj,
        "height_m": None if reading.height_cm is None else reading.height_cm / 100,
    }
    out.update({k: json_number(v) for k, v in optional.items() if v is not None})
    out["plausible"] = is_plausible(reading)
    return out
