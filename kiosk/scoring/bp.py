"""Blood-pressure classification by the Korean Society of Hypertension (KSH) 2018/2022 table.

Source: scoring.md §1.1 (KSH Table 1; the 2022 focused update kept the office classification)
and §1.2 (the severe-reading rule is a project design choice, anchored to ACC/AHA and ESH).
When systolic and diastolic fall in different categories the higher one applies. Values are
rounded to whole mmHg first, so the screen and the category agree. A single kiosk reading never
establishes hypertension: labels say "high reading", not a diagnosis.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from typing import Final

from kiosk.scoring.tables import Band, Table

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


# KSH 2018 Table 1 (office classification kept by the 2022 update) as data: lower bounds
# inclusive. Grade 1/2 bounds 140/160 and 90/100 are [MEM] in scoring.md §1.1 (standard values).
# KSH has no diastolic-only "elevated" band: DBP < 80 is normal, 80-89 prehypertension.
KSH_SYSTOLIC: Final = Table(
    "ksh_systolic",
    "ksh2022.1",
    "Kim HC et al., 2018 KSH guidelines part I, Clin Hypertens 2019;25:16, Table 1",
    "V-src (hypertension >= 140/90, higher category applies); grade 1/2 bounds MEM",
    "mmHg",
    (
        Band(-math.inf, BpCategory.NORMAL.name, "정상 혈압", "Normal"),
        Band(120, BpCategory.ELEVATED.name, "주의 혈압", "Elevated"),
        Band(130, BpCategory.PREHYPERTENSION.name, "고혈압 전단계", "Prehypertension"),
        Band(140, BpCategory.HYPERTENSION_1.name, "1기 범위", "Stage 1 range"),
        Band(160, BpCategory.HYPERTENSION_2.name, "2기 범위", "Stage 2 range"),
    ),
)
KSH_DIASTOLIC: Final = Table(
    "ksh_diastolic",
    "ksh2022.1",
    KSH_SYSTOLIC.source,
    KSH_SYSTOLIC.verification,
    "mmHg",
    (
        Band(-math.inf, BpCategory.NORMAL.name, "정상 혈압", "Normal"),
        Band(80, BpCategory.PREHYPERTENSION.name, "고혈압 전단계", "Prehypertension"),
        Band(90, BpCategory.HYPERTENSION_1.name, "1기 범위", "Stage 1 range"),
        Band(100, BpCategory.HYPERTENSION_2.name, "2기 범위", "Stage 2 range"),
    ),
)


def _systolic_category(sbp: int) -> BpCategory:
    return BpCategory[KSH_SYSTOLIC.classify(sbp).code]


def _diastolic_category(dbp: int) -> BpCategory:
    return BpCategory[KSH_DIASTOLIC.classify(dbp).code]


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
