"""Visitor-facing wording, Korean first with an English courtesy line.

Plain, kind, short sentences with no jargon or loanwords (kiosk_ux.md §5). Result wording never
says "hypertension" or diagnoses (scoring.md §5.1); it only maps the kiosk's own category and
alert values to words. Have the centre's physician review any change.

Lines are broken by hand ("\n") at phrase boundaries: Qt wraps Korean only at spaces, and a
wrap that strands one word ("재어 / 보세요") is harder to read for older eyes.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from kiosk.scoring.bp import Alert, BpCategory


class Bilingual(NamedTuple):
    ko: str
    en: str


TITLE = Bilingual("혈압 측정", "Blood pressure")

IDLE = Bilingual(
    "어서 오세요.\n아래의 '새 방문 시작'\n버튼을 눌러 주세요.",
    "Welcome. Please press 'Start visit' below.",
)
WAITING = Bilingual(
    "혈압계 커프를 팔에 감고\n혈압계의 시작 버튼을 눌러 주세요.",
    "Wrap the cuff around your arm and press start on the monitor.",
)
WAITING_HINT = Bilingual(
    "등을 기대고 편안히 앉아,\n재는 동안에는 말씀하지 마세요.",
    "Sit back comfortably and stay quiet while it measures.",
)
RETRY_HINT = Bilingual(
    # "혈압계의" matters: the big button on screen is not the one that starts a measurement.
    "커프를 다시 감고, 준비되시면\n혈압계의 시작 버튼을 눌러 주세요.",
    "Wrap the cuff again and press start on the monitor when ready.",
)
STAFF_NOW = Bilingual(
    "가까운 직원에게 알려 주세요.\n편안히 앉아서 잠시 쉬어 주세요.",
    "Please tell a staff member nearby, and rest in your seat.",
)
DISCLAIMER = Bilingual(
    "참고용 결과예요. 진단이 아니에요.",
    "One reading is for reference only, not a diagnosis.",
)

_ADVICE_BY_ALERT: dict[Alert, Bilingual] = {
    Alert.STAFF_NOW: Bilingual(
        "직원과 함께\n다시 확인해 보세요.",
        "Please check it again together with a staff member.",
    ),
    Alert.SEE_DOCTOR_SOON: Bilingual(
        "혈압이 높게 나왔어요.\n며칠 안에 병원에서 상담해 보세요.",
        "This reading is high. Please see a doctor within the next few days.",
    ),
}
_ADVICE_BY_CATEGORY: dict[BpCategory, Bilingual] = {
    BpCategory.NORMAL: Bilingual(
        "좋은 범위예요.\n지금처럼 건강을 잘 챙기세요.",
        "This is a good range. Keep looking after your health.",
    ),
    BpCategory.ELEVATED: Bilingual(
        "조금 높게 나왔어요.\n가끔씩 다시 재어 보세요.",
        "A little high. Please check it again from time to time.",
    ),
    BpCategory.PREHYPERTENSION: Bilingual(
        "조금 높게 나왔어요.\n가끔씩 다시 재어 보세요.",
        "A little high. Please check it again from time to time.",
    ),
    BpCategory.HYPERTENSION_1: Bilingual(
        "높게 나왔어요.\n병원에 가시면 이 결과를 알려 주세요.",
        "This reading is high. Please tell your doctor at your next visit.",
    ),
    BpCategory.HYPERTENSION_2: Bilingual(
        "혈압이 높게 나왔어요.\n며칠 안에 병원에서 상담해 보세요.",
        "This reading is high. Please see a doctor within the next few days.",
    ),
}


def advice_for(category: BpCategory, alert: Alert) -> Bilingual:
    """The plain-language line under a result: the alert decides first, then the category."""
    return _ADVICE_BY_ALERT.get(alert) or _ADVICE_BY_CATEGORY[category]


NBSP = "\u00a0"


def one_sentence_per_line(text: str) -> str:
    """Lay out wording from elsewhere (the kiosk's retry message) one sentence per line.

    The last two words of each sentence are joined by a no-break space, so a sentence too long
    for one line never leaves a lone "주세요." on a line of its own.
    """
    lines = re.sub(r"([.?!])\s+", "\\1\n", text.strip()).split("\n")
    return "\n".join(NBSP.join(line.rsplit(" ", 1)) for line in lines)


def spoken(text: str) -> str:
    """The text as one plain line, for accessible names."""
    return text.replace("\n", " ").replace(NBSP, " ")


def pulse_text(pulse_per_min: int) -> Bilingual:
    return Bilingual(f"맥박 {pulse_per_min}회/분", f"Pulse {pulse_per_min} per minute")


START_VISIT = Bilingual("새 방문 시작", "Start visit")
DEMO_STRIP = Bilingual("시연용 모의 장치 (실제 측정 아님)", "Demo simulator")
