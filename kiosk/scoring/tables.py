"""Guideline classification tables as versioned data (scoring.md §1), plus one generic lookup.

A table is an ordered tuple of bands; each band starts at ``lower`` (inclusive) and runs up to the
next band's lower bound (exclusive) — the edge convention of scoring.md §0. Where a guideline says
"more than", the table records it explicitly with ``inclusive=False``. Every table carries its
version, source and verification mark; [MEM] marks values scoring.md could not verify.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class Band:
    lower: float  # -inf for the first band
    code: str
    ko: str
    en: str
    inclusive: bool = True  # False: the band starts strictly above ``lower``


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    version: str
    source: str
    verification: str
    unit: str
    bands: tuple[Band, ...]

    def classify(self, value: float) -> Band:
        if math.isnan(value):
            raise ValueError(f"{self.name}: value is NaN")
        chosen = self.bands[0]
        for band in self.bands[1:]:
            if value > band.lower or (band.inclusive and value == band.lower):
                chosen = band
            else:
                break
        return chosen


_NEG_INF: Final = -math.inf

# KDA 2023 diagnostic cut-points (scoring.md §1.5) [V-src]. A kiosk capillary value is screening
# information only; "diabetes_range" is a reading in the range, never a diagnosis.
GLUCOSE_FASTING: Final = Table(
    "glucose_fasting",
    "kda2023.1",
    "KDA 2023 Clinical Practice Guidelines, Diabetes Metab J 2024;48:546-708, diagnostic criteria",
    "V-src",
    "mg/dL",
    (
        Band(_NEG_INF, "normal", "정상 범위", "Normal range"),
        Band(100, "prediabetes_range", "공복혈당장애 범위", "Impaired fasting glucose range"),
        Band(126, "diabetes_range", "당뇨병 범위의 높은 수치", "High reading (diabetes range)"),
    ),
)
# The 140/200 cut-points are for a 75 g OGTT; after an ordinary meal they are orientation only.
GLUCOSE_POSTPRANDIAL: Final = Table(
    "glucose_postprandial",
    "kda2023.1",
    "KDA 2023 (2-h 75 g OGTT cut-points used as orientation for a 2-h post-meal reading)",
    "V-src (OGTT values); use after an ordinary meal is a project choice",
    "mg/dL",
    (
        Band(_NEG_INF, "normal", "정상 범위", "Normal range"),
        Band(140, "prediabetes_range", "내당능장애 범위", "Impaired glucose tolerance range"),
        Band(200, "diabetes_range", "당뇨병 범위의 높은 수치", "High reading (diabetes range)"),
    ),
)
GLUCOSE_RANDOM: Final = Table(
    "glucose_random",
    "kda2023.1",
    "KDA 2023: random >= 200 mg/dL with classic symptoms",
    "V-src",
    "mg/dL",
    (
        Band(_NEG_INF, "no_criterion", "기준 없음 (참고)", "No cut-off for random readings"),
        Band(200, "diabetes_range", "당뇨병 범위의 높은 수치", "High reading (diabetes range)"),
    ),
)
GLUCOSE_BY_CONTEXT: Final = {
    "fasting": GLUCOSE_FASTING,
    "postprandial": GLUCOSE_POSTPRANDIAL,
    "random": GLUCOSE_RANDOM,
}
# ADA Standards of Care, Section 6, current editions: Level 1 < 70 and >= 54; Level 2 < 54 [V-src].
HYPOGLYCAEMIA: Final = Table(
    "hypoglycaemia",
    "ada2025.1",
    "ADA Standards of Care, Section 6, hypoglycaemia classification",
    "V-src",
    "mg/dL",
    (
        Band(_NEG_INF, "level2", "저혈당 (2단계)", "Low glucose (level 2)"),
        Band(54, "level1", "저혈당 (1단계)", "Low glucose (level 1)"),
        Band(70, "none", "저혈당 아님", "Not low"),
    ),
)
# KSSO 2022 (scoring.md §1.6): overweight >= 23, obesity >= 25 [V-src]; 25/30/35 stages [V-src
# secondary]; Korean terms [MEM].
BMI_KSSO: Final = Table(
    "bmi_ksso",
    "ksso2022.1",
    "Haam JH et al., KSSO 2022 update, J Obes Metab Syndr 2023;32:121-129",
    "V-src (cut-points); Korean labels MEM",
    "kg/m2",
    (
        Band(_NEG_INF, "underweight", "저체중", "Underweight"),
        Band(18.5, "normal", "정상", "Normal"),
        Band(23.0, "pre_obese", "비만 전단계", "Pre-obese"),
        Band(25.0, "obesity_1", "1단계 비만", "Obesity class 1"),
        Band(30.0, "obesity_2", "2단계 비만", "Obesity class 2"),
        Band(35.0, "obesity_3", "3단계 비만", "Obesity class 3"),
    ),
)
# KSSO 2022 abdominal obesity: men >= 90 cm, women >= 85 cm [V-src].
WAIST_KSSO: Final = {
    sex: Table(
        f"waist_ksso_{sex.lower()}",
        "ksso2022.1",
        "Haam JH et al., KSSO 2022 update (waist cut-offs)",
        "V-src",
        "cm",
        (
            Band(_NEG_INF, "normal", "정상 허리둘레", "Normal waist"),
            Band(cut, "abdominal_obesity", "복부비만 범위", "Abdominal obesity range"),
        ),
    )
    for sex, cut in (("M", 90.0), ("F", 85.0))
}

# Gallagher 2000 "healthy" %BF (white, 4C model) by sex and age band (scoring.md §1.8) [V-impl].
# Project choice: the upper bound is inclusive (healthy up to and including it). Reference only.
BODY_FAT_HEALTHY: Final[dict[tuple[str, int, int], tuple[float, float]]] = {
    ("F", 20, 39): (21.0, 33.0),
    ("F", 40, 59): (23.0, 34.0),
    ("F", 60, 79): (24.0, 36.0),
    ("M", 20, 39): (8.0, 20.0),
    ("M", 40, 59): (11.0, 22.0),
    ("M", 60, 79): (13.0, 25.0),
}
BODY_FAT_SOURCE: Final = (
    "Gallagher D et al., Am J Clin Nutr 2000;72:694-701 (white, 4C) [V-impl]; not device-validated"
)


def body_fat_reference(sex: str, age: float, percent: float) -> str | None:
    """'below' / 'within' / 'above' the healthy range, or None outside the tabulated ages."""
    for (s, lo_age, hi_age), (low, high) in BODY_FAT_HEALTHY.items():
        if s == sex and lo_age <= age < hi_age + 1:
            if percent < low:
                return "below"
            return "within" if percent <= high else "above"
    return None


# AWGS 2019 (scoring.md §1.9) [V-src]. ASM/height^2 cut-offs apply to appendicular muscle (BIA).
AWGS_CALF_CM: Final = {"M": 34.0, "F": 33.0}  # case finding: below
AWGS_GRIP_KG: Final = {"M": 28.0, "F": 18.0}  # low strength: below
AWGS_GAIT_M_S: Final = 1.0  # low performance: below
AWGS_CHAIR_S: Final = 12.0  # low performance: at or above
AWGS_ASM_BIA: Final = {"M": 7.0, "F": 5.7}  # low muscle mass: below


def sarcopenia_screen(
    sex: str,
    *,
    calf_cm: float | None = None,
    grip_kg: float | None = None,
    gait_m_s: float | None = None,
    chair_stand_s: float | None = None,
    asm_index_bia: float | None = None,
) -> str | None:
    """AWGS 2019 logic from whatever inputs exist; None when nothing can be said."""
    low_strength = None if grip_kg is None else grip_kg < AWGS_GRIP_KG[sex]
    perf = [
        v
        for v in (
            None if gait_m_s is None else gait_m_s < AWGS_GAIT_M_S,
            None if chair_stand_s is None else chair_stand_s >= AWGS_CHAIR_S,
        )
        if v is not None
    ]
    low_perf = any(perf) if perf else None
    low_mass = None if asm_index_bia is None else asm_index_bia < AWGS_ASM_BIA[sex]
    if low_mass and low_strength and low_perf:
        return "severe_sarcopenia"
    if low_mass and (low_strength or low_perf):
        return "sarcopenia"
    if low_strength or low_perf:
        return "possible_sarcopenia"
    if low_mass:
        return "low_muscle_mass_ask_staff"  # no strength test: staff may offer a grip test
    if calf_cm is not None and calf_cm < AWGS_CALF_CM[sex]:
        return "case_finding_positive"
    if low_strength is None and low_perf is None and low_mass is None and calf_cm is None:
        return None
    return "not_indicated"


def metabolic_syndrome_screen(
    sex: str,
    *,
    waist_cm: float | None,
    systolic: float | None,
    diastolic: float | None,
    bp_treated: bool,
    fasting_glucose: float | None,
) -> str:
    """Modified NCEP-ATP III with Korean waist (scoring.md §1.10): never 'no metabolic syndrome'."""
    waist = None if waist_cm is None else waist_cm >= WAIST_KSSO[sex].bands[1].lower
    bp = None
    if systolic is not None and diastolic is not None:
        bp = systolic >= 130 or diastolic >= 85 or bp_treated
    glucose = None if fasting_glucose is None else fasting_glucose >= 100
    if waist and bp and glucose:
        return "likely_lipids_needed"
    return "undetermined_lipids_needed"
