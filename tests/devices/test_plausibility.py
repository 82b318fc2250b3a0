"""Physiological ranges (devices/plausibility.py)."""

from __future__ import annotations

import math

import pytest

from devices.errors import ImplausibleReadingError
from devices.plausibility import check_plausibility, ensure_plausible, is_plausible
from devices.readings import (
    BloodPressureReading,
    BodyCompositionReading,
    DeviceIdentity,
    GlucoseReading,
    GlucoseUnit,
    MassUnit,
    PressureUnit,
    WeightReading,
)

DEVICE = DeviceIdentity(address="AA:BB:CC:DD:EE:FF")


def bp(
    systolic: float,
    diastolic: float,
    pulse: float | None = 70,
    unit: PressureUnit = PressureUnit.MMHG,
) -> BloodPressureReading:
    return BloodPressureReading(
        device=DEVICE,
        raw=b"\x00raw",
        systolic=systolic,
        diastolic=diastolic,
        mean_arterial=None,
        unit=unit,
        pulse_rate=pulse,
    )


@pytest.mark.parametrize(
    ("systolic", "diastolic", "pulse"),
    [
        (120, 80, 70),
        (50, 20, 25),  # every lower bound is inclusive
        (300, 200, 250),  # every upper bound is inclusive
        (120, 80, None),  # no pulse sent
        (51, 50, 70),
    ],
)
def test_plausible_blood_pressure(systolic: float, diastolic: float, pulse: float | None) -> None:
    assert check_plausibility(bp(systolic, diastolic, pulse)) == ()
    assert is_plausible(bp(systolic, diastolic, pulse))


@pytest.mark.parametrize(
    ("systolic", "diastolic", "pulse", "fragment"),
    [
        (49, 30, 70, "systolic 49 mmHg outside 50..300"),
        (301, 80, 70, "systolic 301 mmHg outside 50..300"),
        (120, 19, 70, "diastolic 19 mmHg outside 20..200"),
        (250, 201, 70, "diastolic 201 mmHg outside 20..200"),
        (120, 80, 24, "pulse 24 /min outside 25..250"),
        (120, 80, 251, "pulse 251 /min outside 25..250"),
        (80, 80, 70, "systolic 80 mmHg is not above diastolic 80 mmHg"),
        (80, 120, 70, "systolic 80 mmHg is not above diastolic 120 mmHg"),
    ],
)
def test_implausible_blood_pressure(
    systolic: float, diastolic: float, pulse: float, fragment: str
) -> None:
    problems = check_plausibility(bp(systolic, diastolic, pulse))
    assert len(problems) == 1
    assert fragment in problems[0]


def test_several_problems_are_all_reported() -> None:
    problems = check_plausibility(bp(40, 250, 300))
    assert len(problems) == 4  # systolic, diastolic, order, pulse


def test_kpa_is_converted_before_checking() -> None:
    assert check_plausibility(bp(18.9, 11.0, unit=PressureUnit.KPA)) == ()  # 142/83 mmHg
    problems = check_plausibility(bp(45.0, 11.0, unit=PressureUnit.KPA))  # 337.5 mmHg
    assert len(problems) == 1
    assert problems[0].startswith("systolic 337.5 mmHg")
    # 6.6 kPa is 49.5 mmHg: below the bound, though it would display as 50.
    assert not is_plausible(bp(6.6, 4.0, unit=PressureUnit.KPA))


def test_non_finite_values_are_reported_not_crashed_on() -> None:
    problems = check_plausibility(bp(math.nan, 80))
    assert problems == ("systolic is not a number (nan)",)


def test_ensure_plausible_raises_with_raw_and_problems() -> None:
    reading = bp(320, 80, 70)
    with pytest.raises(ImplausibleReadingError) as info:
        ensure_plausible(reading)
    assert info.value.characteristic == "2a35"
    assert info.value.raw == b"\x00raw"
    assert info.value.problems == check_plausibility(reading)
    assert "320" in str(info.value)


def test_ensure_plausible_passes_good_readings() -> None:
    ensure_plausible(bp(120, 80, 70))


@pytest.mark.parametrize(
    ("value", "unit", "ok"),
    [
        (10, GlucoseUnit.MG_DL, True),
        (900, GlucoseUnit.MG_DL, True),
        (9, GlucoseUnit.MG_DL, False),
        (901, GlucoseUnit.MG_DL, False),
        (5.5, GlucoseUnit.MMOL_L, True),  # 99 mg/dL
        (60, GlucoseUnit.MMOL_L, False),  # 1080 mg/dL: a mg/dL value with the wrong unit flag
    ],
)
def test_glucose_range(value: float, unit: GlucoseUnit, ok: bool) -> None:
    reading = GlucoseReading(device=DEVICE, concentration=value, unit=unit)
    assert is_plausible(reading) is ok


def test_glucose_error_names_its_characteristic() -> None:
    with pytest.raises(ImplausibleReadingError) as info:
        ensure_plausible(GlucoseReading(device=DEVICE, concentration=1000, unit=GlucoseUnit.MG_DL))
    assert info.value.characteristic == "2a18"


@pytest.mark.parametrize(
    ("value", "unit", "ok"),
    [
        (10, MassUnit.KG, True),
        (300, MassUnit.KG, True),
        (9.9, MassUnit.KG, False),
        (300.1, MassUnit.KG, False),
        (150, MassUnit.LB, True),
        (700, MassUnit.LB, False),  # 317.5 kg
    ],
)
def test_weight_range(value: float, unit: MassUnit, ok: bool) -> None:
    assert is_plausible(WeightReading(device=DEVICE, weight=value, unit=unit)) is ok


@pytest.mark.parametrize(
    ("fat", "weight", "unit", "problems"),
    [
        (25.0, None, MassUnit.KG, 0),
        (2.0, 70.0, MassUnit.KG, 0),
        (75.0, 154.0, MassUnit.LB, 0),
        (1.9, None, MassUnit.KG, 1),
        (75.1, None, MassUnit.KG, 1),
        (25.0, 5.0, MassUnit.KG, 1),
        (80.0, 900.0, MassUnit.LB, 2),
    ],
)
def test_body_composition_range(
    fat: float, weight: float | None, unit: MassUnit, problems: int
) -> None:
    reading = BodyCompositionReading(device=DEVICE, body_fat_percent=fat, weight=weight, unit=unit)
    assert len(check_plausibility(reading)) == problems
