"""KSH 2018/2022 office classification (scoring.md §1.1) and the severe-reading rule (§1.2)."""

import pytest

from kiosk.scoring.bp import LABELS, Alert, BpCategory, classify_bp


@pytest.mark.parametrize(
    ("sbp", "dbp", "expected"),
    [
        (119, 79, BpCategory.NORMAL),
        (120, 79, BpCategory.ELEVATED),  # lower edge of 120-129 is inclusive
        (129, 79, BpCategory.ELEVATED),
        (119, 80, BpCategory.PREHYPERTENSION),  # DBP 80 alone lifts the category
        (130, 70, BpCategory.PREHYPERTENSION),
        (139, 89, BpCategory.PREHYPERTENSION),
        (140, 70, BpCategory.HYPERTENSION_1),
        (125, 90, BpCategory.HYPERTENSION_1),
        (159, 99, BpCategory.HYPERTENSION_1),
        (160, 70, BpCategory.HYPERTENSION_2),
        (118, 100, BpCategory.HYPERTENSION_2),
    ],
)
def test_ksh_category_edges(sbp: int, dbp: int, expected: BpCategory) -> None:
    assert classify_bp(sbp, dbp).category is expected


def test_higher_of_systolic_and_diastolic_applies() -> None:
    # SBP says elevated, DBP says grade 1: the higher one wins.
    assert classify_bp(125, 95).category is BpCategory.HYPERTENSION_1


def test_values_are_rounded_before_classifying() -> None:
    # 119.6 displays as 120, so it must classify as 120 does.
    result = classify_bp(119.6, 70.2)
    assert (result.systolic, result.diastolic) == (120, 70)
    assert result.category is BpCategory.ELEVATED


@pytest.mark.parametrize(
    ("sbp", "dbp", "crisis", "alert"),
    [
        (179, 109, False, Alert.SEE_DOCTOR_SOON),
        (180, 80, True, Alert.STAFF_NOW),
        (150, 110, True, Alert.STAFF_NOW),
        (165, 85, False, Alert.SEE_DOCTOR_SOON),
        (135, 85, False, Alert.NONE),
        (79, 50, False, Alert.STAFF_NOW),  # very low systolic: staff check
        (85, 55, False, Alert.NONE),
    ],
)
def test_severe_and_low_readings_alert_staff(
    sbp: int, dbp: int, crisis: bool, alert: Alert
) -> None:
    result = classify_bp(sbp, dbp)
    assert result.crisis is crisis
    assert result.alert is alert


def test_isolated_systolic_flag() -> None:
    assert classify_bp(150, 85).isolated_systolic
    assert not classify_bp(150, 92).isolated_systolic


def test_every_category_has_korean_and_english_text() -> None:
    assert set(LABELS) == set(BpCategory)
    for text in LABELS.values():
        assert text.ko and text.en and text.colour.startswith("#")
