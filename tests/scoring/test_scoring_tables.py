"""Every edge of the guideline tables (scoring.md §1): lower bounds inclusive, as §0 states."""

from __future__ import annotations

import math

import pytest

from kiosk.scoring import tables as t
from kiosk.scoring.bp import KSH_DIASTOLIC, KSH_SYSTOLIC, classify_bp


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (99, "normal"),
        (100, "prediabetes_range"),
        (125, "prediabetes_range"),
        (126, "diabetes_range"),
    ],
)
def test_fasting_glucose_edges(value: float, code: str) -> None:
    assert t.GLUCOSE_FASTING.classify(value).code == code


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (139, "normal"),
        (140, "prediabetes_range"),
        (199, "prediabetes_range"),
        (200, "diabetes_range"),
    ],
)
def test_postprandial_glucose_edges(value: float, code: str) -> None:
    assert t.GLUCOSE_POSTPRANDIAL.classify(value).code == code


@pytest.mark.parametrize(("value", "code"), [(199, "no_criterion"), (200, "diabetes_range")])
def test_random_glucose_edges(value: float, code: str) -> None:
    assert t.GLUCOSE_RANDOM.classify(value).code == code


@pytest.mark.parametrize(
    ("value", "code"), [(53, "level2"), (54, "level1"), (69, "level1"), (70, "none")]
)
def test_hypoglycaemia_edges(value: float, code: str) -> None:
    # Current ADA editions: Level 1 is < 70 (not the 2017 "<= 70").
    assert t.HYPOGLYCAEMIA.classify(value).code == code


@pytest.mark.parametrize(
    ("bmi", "code"),
    [
        (18.4, "underweight"),
        (18.5, "normal"),
        (22.9, "normal"),
        (23.0, "pre_obese"),
        (24.9, "pre_obese"),
        (25.0, "obesity_1"),
        (29.9, "obesity_1"),
        (30.0, "obesity_2"),
        (34.9, "obesity_2"),
        (35.0, "obesity_3"),
    ],
)
def test_ksso_bmi_edges(bmi: float, code: str) -> None:
    assert t.BMI_KSSO.classify(bmi).code == code


@pytest.mark.parametrize(
    ("sex", "waist", "code"),
    [
        ("M", 89.9, "normal"),
        ("M", 90.0, "abdominal_obesity"),
        ("F", 84.9, "normal"),
        ("F", 85.0, "abdominal_obesity"),
    ],
)
def test_ksso_waist_edges(sex: str, waist: float, code: str) -> None:
    assert t.WAIST_KSSO[sex].classify(waist).code == code


def test_exclusive_band_starts_strictly_above_its_bound() -> None:
    table = t.Table(
        "x",
        "1",
        "test",
        "n/a",
        "u",
        (t.Band(-math.inf, "a", "", ""), t.Band(30, "b", "", "", False)),
    )
    assert table.classify(30).code == "a"
    assert table.classify(30.01).code == "b"


def test_nan_is_rejected() -> None:
    with pytest.raises(ValueError, match="NaN"):
        t.BMI_KSSO.classify(math.nan)


def test_tables_are_versioned_and_sourced() -> None:
    for table in (t.GLUCOSE_FASTING, t.GLUCOSE_POSTPRANDIAL, t.GLUCOSE_RANDOM, t.HYPOGLYCAEMIA,
                  t.BMI_KSSO, *t.WAIST_KSSO.values()):  # fmt: skip
        assert table.version and table.source and table.verification
        lowers = [b.lower for b in table.bands]
        assert lowers == sorted(lowers) and lowers[0] == -math.inf
        assert all(b.ko and b.en for b in table.bands)


@pytest.mark.parametrize(
    ("sex", "age", "pct", "want"),
    [
        ("M", 65, 12.9, "below"),
        ("M", 65, 13.0, "within"),
        ("M", 65, 25.0, "within"),  # upper bound inclusive (documented project choice)
        ("M", 65, 25.1, "above"),
        ("F", 39, 33.0, "within"),
        ("F", 40, 33.5, "within"),  # 40 is in the 40-59 band (23-34)
        ("F", 59.5, 34.5, "above"),
        ("F", 80, 30.0, None),  # outside the tabulated ages: no reference
    ],
)
def test_body_fat_reference(sex: str, age: float, pct: float, want: str | None) -> None:
    assert t.body_fat_reference(sex, age, pct) == want


@pytest.mark.parametrize(
    ("sex", "kwargs", "want"),
    [
        ("M", {}, None),
        ("M", {"calf_cm": 33.9}, "case_finding_positive"),
        ("M", {"calf_cm": 34.0}, "not_indicated"),
        ("F", {"calf_cm": 33.0}, "not_indicated"),
        ("M", {"grip_kg": 27.9}, "possible_sarcopenia"),
        ("M", {"grip_kg": 28.0}, "not_indicated"),
        ("F", {"grip_kg": 17.9}, "possible_sarcopenia"),
        ("F", {"grip_kg": 18.0}, "not_indicated"),
        ("M", {"gait_m_s": 0.99}, "possible_sarcopenia"),
        ("M", {"gait_m_s": 1.0}, "not_indicated"),
        ("M", {"chair_stand_s": 12.0}, "possible_sarcopenia"),
        ("M", {"chair_stand_s": 11.9}, "not_indicated"),
        ("M", {"asm_index_bia": 6.99}, "low_muscle_mass_ask_staff"),
        ("M", {"asm_index_bia": 7.0}, "not_indicated"),
        ("F", {"asm_index_bia": 5.69, "grip_kg": 17}, "sarcopenia"),
        ("F", {"asm_index_bia": 5.7, "grip_kg": 17}, "possible_sarcopenia"),
        ("M", {"asm_index_bia": 6.0, "grip_kg": 20, "gait_m_s": 0.8}, "severe_sarcopenia"),
    ],
)
def test_awgs_2019_screening(sex: str, kwargs: dict[str, float], want: str | None) -> None:
    assert t.sarcopenia_screen(sex, **kwargs) == want


@pytest.mark.parametrize(
    ("waist", "sbp", "dbp", "treated", "glucose", "want"),
    [
        (90, 130, 70, False, 100, "likely_lipids_needed"),
        (89.9, 130, 70, False, 100, "undetermined_lipids_needed"),
        (90, 129, 84, False, 100, "undetermined_lipids_needed"),
        (90, 120, 85, False, 100, "likely_lipids_needed"),
        (90, 120, 70, True, 100, "likely_lipids_needed"),
        (90, 130, 70, False, 99, "undetermined_lipids_needed"),
        (90, 130, 70, False, None, "undetermined_lipids_needed"),  # never "no syndrome"
    ],
)
def test_metabolic_syndrome_screen_men(
    waist: float, sbp: float, dbp: float, treated: bool, glucose: float | None, want: str
) -> None:
    got = t.metabolic_syndrome_screen(
        "M", waist_cm=waist, systolic=sbp, diastolic=dbp, bp_treated=treated,
        fasting_glucose=glucose,
    )  # fmt: skip
    assert got == want


@pytest.mark.parametrize(
    ("sbp", "dbp", "isolated"),
    [(140, 89, True), (139, 70, False), (140, 90, False), (185, 70, True), (160, 89.4, True)],
)
def test_isolated_systolic_edges(sbp: float, dbp: float, isolated: bool) -> None:
    # KSH: SBP >= 140 and DBP < 90, after rounding to whole mmHg.
    assert classify_bp(sbp, dbp).isolated_systolic is isolated


@pytest.mark.parametrize(
    ("sbp", "dbp", "crisis"),
    [(179, 109, False), (180, 60, True), (120, 110, True), (179.4, 109.4, False)],
)
def test_crisis_edges(sbp: float, dbp: float, crisis: bool) -> None:
    assert classify_bp(sbp, dbp).crisis is crisis


def test_ksh_tables_are_versioned_data() -> None:
    for table in (KSH_SYSTOLIC, KSH_DIASTOLIC):
        assert table.version == "ksh2022.1" and "MEM" in table.verification
    assert [b.lower for b in KSH_SYSTOLIC.bands[1:]] == [120, 130, 140, 160]
    assert [b.lower for b in KSH_DIASTOLIC.bands[1:]] == [80, 90, 100]
