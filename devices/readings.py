"""The neutral reading model.

Every driver (BLE, serial, simulated) yields these types, so sessions, storage and scoring never
branch on the device. Units are explicit and kept as the device sent them; conversions are
methods, never silent.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

KPA_PER_MMHG = 0.133322
MGDL_PER_MMOLL = 18.0
LB_PER_KG = 2.20462


@dataclass(frozen=True, slots=True)
class DeviceIdentity:
    """Who produced a reading. ``address`` is a BLE address or a serial port path."""

    address: str
    model: str = "unknown"
    manufacturer: str | None = None
    serial_number: str | None = None
    firmware: str | None = None
    transport: str = "ble"


class PressureUnit(enum.StrEnum):
    MMHG = "mmHg"
    KPA = "kPa"


class BloodPressureStatus(enum.StrEnum):
    """Measurement Status bits of the Blood Pressure Measurement characteristic (0x2A35)."""

    BODY_MOVEMENT = "body_movement"
    CUFF_TOO_LOOSE = "cuff_too_loose"
    IRREGULAR_PULSE = "irregular_pulse"
    PULSE_ABOVE_RANGE = "pulse_above_range"
    PULSE_BELOW_RANGE = "pulse_below_range"
    IMPROPER_POSITION = "improper_position"


class GlucoseUnit(enum.StrEnum):
    MG_DL = "mg/dL"
    MMOL_L = "mmol/L"


class SampleType(enum.StrEnum):
    CAPILLARY_WHOLE_BLOOD = "capillary_whole_blood"
    CAPILLARY_PLASMA = "capillary_plasma"
    VENOUS_WHOLE_BLOOD = "venous_whole_blood"
    VENOUS_PLASMA = "venous_plasma"
    ARTERIAL_WHOLE_BLOOD = "arterial_whole_blood"
    ARTERIAL_PLASMA = "arterial_plasma"
    UNDETERMINED_WHOLE_BLOOD = "undetermined_whole_blood"
    UNDETERMINED_PLASMA = "undetermined_plasma"
    INTERSTITIAL_FLUID = "interstitial_fluid"
    CONTROL_SOLUTION = "control_solution"


class SampleLocation(enum.StrEnum):
    FINGER = "finger"
    ALTERNATE_SITE = "alternate_site"
    EARLOBE = "earlobe"
    CONTROL_SOLUTION = "control_solution"
    NOT_AVAILABLE = "not_available"


class MealContext(enum.StrEnum):
    PREPRANDIAL = "preprandial"
    POSTPRANDIAL = "postprandial"
    FASTING = "fasting"
    CASUAL = "casual"
    BEDTIME = "bedtime"


class MassUnit(enum.StrEnum):
    KG = "kg"
    LB = "lb"


@dataclass(frozen=True, slots=True, kw_only=True)
class Reading:
    """Fields shared by every reading. ``raw`` is the exact payload the device sent."""

    device: DeviceIdentity
    measured_at: datetime | None = None
    user_id: int | None = None
    raw: bytes = b""

    @property
    def kind(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True, slots=True, kw_only=True)
class BloodPressureReading(Reading):
    systolic: float
    diastolic: float
    mean_arterial: float | None
    unit: PressureUnit
    pulse_rate: float | None = None
    status: frozenset[BloodPressureStatus] = field(default_factory=frozenset)

    @property
    def kind(self) -> str:
        return "blood_pressure"

    def in_mmhg(self) -> tuple[int, int, int | None]:
        """(systolic, diastolic, mean arterial) in mmHg, rounded to whole mmHg as displayed."""
        factor = 1.0 if self.unit is PressureUnit.MMHG else 1.0 / KPA_PER_MMHG
        mean = None if self.mean_arterial is None else round(self.mean_arterial * factor)
        return (round(self.systolic * factor), round(self.diastolic * factor), mean)


@dataclass(frozen=True, slots=True, kw_only=True)
class GlucoseReading(Reading):
    concentration: float
    unit: GlucoseUnit
    sample_type: SampleType | None = None
    sample_location: SampleLocation | None = None
    meal: MealContext | None = None
    sequence_number: int | None = None

    @property
    def kind(self) -> str:
        return "glucose"

    def in_mg_dl(self) -> float:
        if self.unit is GlucoseUnit.MG_DL:
            return self.concentration
        return self.concentration * MGDL_PER_MMOLL


@dataclass(frozen=True, slots=True, kw_only=True)
class WeightReading(Reading):
    weight: float
    unit: MassUnit
    height_cm: float | None = None
    bmi: float | None = None

    @property
    def kind(self) -> str:
        return "weight"

    def in_kg(self) -> float:
        return self.weight if self.unit is MassUnit.KG else self.weight / LB_PER_KG


@dataclass(frozen=True, slots=True, kw_only=True)
class BodyCompositionReading(Reading):
    body_fat_percent: float
    unit: MassUnit = MassUnit.KG
    weight: float | None = None
    basal_metabolism_kj: float | None = None
    muscle_percent: float | None = None
    muscle_mass: float | None = None
    fat_free_mass: float | None = None
    soft_lean_mass: float | None = None
    body_water_mass: float | None = None
    impedance_ohm: float | None = None
    height_cm: float | None = None

    @property
    def kind(self) -> str:
        return "body_composition"


AnyReading = BloodPressureReading | GlucoseReading | WeightReading | BodyCompositionReading
