"""Blood-pressure classification by the Korean Society of Hypertension (KSH) 2018/2022 table.

Source: scoring.md §1.1 (KSH Table 1; the 2022 focused update kept the office classification)
and §1.2 (the severe-reading rule is a project design choice, anchored to ACC/AHA and ESH).
When systolic and diastolic fall in different categories the higher one applies. Values are
rounded to whole mmHg first, so the screen and the category agree. A single kiosk reading never
establishes hypertension: labels say "high reading", not a diagnosis.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

CRISIS_SYSTOLIC = 180
CRISIS_DIASTOLIC = 110
LOW_SYSTOLIC_CHECK = 80  # below this staff check regardless of symptoms (scoring.md §1.2)


class BpCategory(enum.IntEnum):
    """Ordered so that ``max`` picks the higher category."""

    NORMAL = 0
    ELEVATED = 1
    PREHYPERTENSION = 2
    HYPERTENSION_1 = 3
    HYPERTENSION_2 = 4


class Alert(enum.StrEnum):
    NONE = "none"
    SEE_DOCTOR_SOON = "see_doctor_soon"  # amber
    STAFF_NOW = "staff_now"  # red: call staff at once


@dataclass(frozen=True, slots=True)
class CategoryText:
    ko: str
    en: str
    colour: str  # hex, chosen for contrast with white text at 7:1 or better


LABELS: dict[BpCategory, CategoryText] = {
    BpCategory.NORMAL: CategoryText("정상 혈압", "Normal", "#1B5E20"),
    BpCategory.ELEVATED: CategoryText("주의 혈압", "Elevated", "#2E5A1B"),
    BpCategory.PREHYPERTENSION: CategoryText("고혈압 전단계", "Prehypertension", "#7A4100"),
    BpCategory.HYPERTENSION_1: CategoryText(
        "높은 혈압 (1기 범위)", "High (stage 1 range)", "#9A3100"
    ),
    BpCategory.HYPERTENSION_2: CategoryText(
        "높은 혈압 (2기 범위)", "High (stage 2 range)", "#8E0000"
    ),
}


@dataclass(frozen=True, slots=True)
class BpClassification:
    systolic: int
    diastolic: int
    category: BpCategory
    isolated_systolic: bool
    crisis: bool
    alert: Alert

    @property
    def text(self) -> CategoryText:
        return LABELS[self.category]


def _systolic_category(sbp: int) -> BpCategory:
    if sbp >= 160:
        return BpCategory.HYPERTENSION_2
    if sbp >= 140:
        return BpCategory.HYPERTENSION_1
    if sbp >= 130:
        return BpCategory.PREHYPERTENSION
    if sbp >= 120:
        return BpCategory.ELEVATED
    return BpCategory.NORMAL


def _diastolic_category(dbp: int) -> BpCategory:
    # KSH has no diastolic-only "elevated" band: DBP < 80 is normal, 80-89 prehypertension.
    if dbp >= 100:
        return BpCategory.HYPERTENSION_2
    if dbp >= 90:
        return BpCategory.HYPERTENSION_1
    if dbp >= 80:
        return BpCategory.PREHYPERTENSION
    return BpCategory.NORMAL


def classify_bp(systolic_mmhg: float, diastolic_mmhg: float) -> BpClassification:
    sbp, dbp = round(systolic_mmhg), round(diastolic_mmhg)
    category = max(_systolic_category(sbp), _diastolic_category(dbp))
    crisis = sbp >= CRISIS_SYSTOLIC or dbp >= CRISIS_DIASTOLIC
    if crisis or sbp < LOW_SYSTOLIC_CHECK:
        alert = Alert.STAFF_NOW
    elif sbp >= 160 or dbp >= 100:
        alert = Alert.SEE_DOCTOR_SOON
    else:
        alert = Alert.NONE
    return BpClassification(
        systolic=sbp,
        diastolic=dbp,
        category=category,
        isolated_systolic=sbp >= 140 and dbp < 90,
        crisis=crisis,
        alert=alert,
    )
