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
    "참고용 결과예요.\n진단이 아니에요.",
    "One reading is for reference only,\nnot a diagnosis.",
)

_ADVICE_BY_ALERT: dict[Alert, Bilingual] = {
    Alert.STAFF_NOW: Bilingual(
        "직원과 함께\n다시 확인해 보세요.",
        "Please check it again\ntogether with a staff member.",
    ),
    Alert.SEE_DOCTOR_SOON: Bilingual(
        "혈압이 높게 나왔어요.\n며칠 안에 병원에서 상담해 보세요.",
        "This reading is high.\nPlease see a doctor within the next few days.",
    ),
}
_ADVICE_BY_CATEGORY: dict[BpCategory, Bilingual] = {
    BpCategory.NORMAL: Bilingual(
        "좋은 범위예요.\n지금처럼 건강을 잘 챙기세요.",
        "This is a good range.\nKeep looking after your health.",
    ),
    BpCategory.ELEVATED: Bilingual(
        "조금 높게 나왔어요.\n가끔씩 다시 재어 보세요.",
        "A little high.\nPlease check it again from time to time.",
    ),
    BpCategory.PREHYPERTENSION: Bilingual(
        "조금 높게 나왔어요.\n가끔씩 다시 재어 보세요.",
        "A little high.\nPlease check it again from time to time.",
    ),
    BpCategory.HYPERTENSION_1: Bilingual(
        "높게 나왔어요.\n병원에 가시면 이 결과를 알려 주세요.",
        "This reading is high.\nPlease tell your doctor at your next visit.",
    ),
    BpCategory.HYPERTENSION_2: Bilingual(
        "혈압이 높게 나왔어요.\n며칠 안에 병원에서 상담해 보세요.",
        "This reading is high.\nPlease see a doctor within the next few days.",
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

# --- the visitor's flow (issue 7) -------------------------------------------------------------
WELCOME = Bilingual(
    "어서 오세요.\n혈압, 혈당, 체중을\n무료로 재어 드려요.",
    "Welcome. Check your blood pressure,\nglucose and weight here, free.",
)
START = Bilingual("시작하기", "Start")
LANGUAGE_KO = Bilingual("한국어", "한국어")  # a language's own name, in every language
LANGUAGE_EN = Bilingual("English", "English")
HOME = Bilingual("처음으로", "Start over")
IDENTIFY = Bilingual(
    "회원 번호를 누르거나\n앱의 QR 코드를\n아래 판독기에 대 주세요.",
    "Type your member number,\nor hold your app's QR code\nto the reader below.",
)
NUMBER_EMPTY = Bilingual("번호를 눌러 주세요", "Type your number")
NUMBER_WRONG = Bilingual(
    "번호를 다시 확인해 주세요.\n(6~12자리 숫자)", "Please check the number.\n(6 to 12 digits)"
)
QR_WRONG = Bilingual(
    "QR 코드를 읽지 못했어요.\n다시 대 주세요.", "The QR code was not read.\nTry again."
)
KEY_DELETE = Bilingual("지우기", "Delete")
KEY_OK = Bilingual("확인", "OK")
GUEST = Bilingual("회원이 아니에요 (손님)", "I am a guest")
CONSENT = Bilingual(
    "건강 정보 수집·이용 동의 (필수)\n잰 값을 이 키오스크에 저장하고\n"
    "결과를 보여 드리는 데에만 써요.\n언제든 철회할 수 있어요.",
    "Consent to health data (required).\nYour readings are stored on this kiosk\n"
    "and used only to show your results.\nYou may withdraw at any time.",
)
CONSENT_GUEST = Bilingual(
    "손님의 값은 이 키오스크에만\n잠시 보관되고 하루 뒤 지워져요.",
    "As a guest, your readings stay only\non this kiosk and are deleted after a day.",
)
CONSENT_CITIZEN = Bilingual(
    "회원님의 값은\n건강 기록으로 보내져요.",
    "Your readings are sent to\nyour health record.",
)
OPEN_LAB_OFF = Bilingual("연구 공유 (선택): 안 함", "Research sharing (optional): No")
OPEN_LAB_ON = Bilingual("연구 공유 (선택): 함", "Research sharing (optional): Yes")
AGREE = Bilingual("동의하고 재기", "Agree and measure")
DECLINE = Bilingual("동의하지 않아요", "I do not agree")
GUIDE_OTHER = Bilingual(
    "혈당: 검사지를 꽂아 주세요.\n체중: 맨발로 저울에 올라요.",
    "Glucose: insert a test strip.\nWeight: step on the scale barefoot.",
)
GUIDE_OTHER_NARROW = Bilingual(  # the same, for the narrow column of a landscape panel
    "혈당: 검사지를\n꽂아 주세요.\n체중: 맨발로\n저울에 올라요.",
    "Glucose: insert\na test strip.\nWeight: step on\nthe scale barefoot.",
)
SEE_RESULTS = Bilingual("결과 보기", "See results")
RESULTS_TITLE = Bilingual("오늘의 결과", "Today's results")
NO_RESULTS = Bilingual("아직 잰 값이 없어요.", "Nothing measured yet.")
MEASURE_MORE = Bilingual("더 재기", "Measure more")
FINISH = Bilingual("마치기", "Finish")
SENT = Bilingual(
    "결과를 건강 기록으로\n보내 드려요.", "Your results are being sent\nto your health record."
)
KEPT_HERE = Bilingual(
    "손님의 결과는 이 키오스크에만\n보관되고 하루 뒤 지워져요.",
    "As a guest, your results are kept\nonly on this kiosk and deleted after a day.",
)
THANKS = Bilingual("고맙습니다. 건강하세요.", "Thank you. Stay healthy.")
DONE = Bilingual("끝내기", "Done")
STAFF_COMING = Bilingual(
    "직원이 곧 와요.\n편안히 앉아서\n잠시 기다려 주세요.",
    "A staff member is coming.\nPlease sit comfortably\nand wait a moment.",
)
STAFF_RESET = Bilingual("직원 확인 후 처음으로", "Staff: start over")
MORE_TIME = Bilingual("더 쓸게요", "I need more time")


def countdown_text(seconds: int) -> Bilingual:
    return Bilingual(
        f"화면을 쓰지 않으시면\n{seconds}초 뒤 처음으로 돌아가요.",
        f"If the screen is not used,\nit starts over in {seconds} s.",
    )


def member_text(digits: int) -> Bilingual:
    # Dots only: the number is never shown in full (검증기준 10).
    dots = "●" * digits
    return Bilingual(dots, "")  # no courtesy line: the dots say it in every language


KIND_NAMES: dict[str, Bilingual] = {
    "blood_pressure": Bilingual("혈압", "Blood pressure"),
    "glucose": Bilingual("혈당", "Glucose"),
    "weight": Bilingual("체중", "Weight"),
    "body_composition": Bilingual("체지방", "Body fat"),
}
RECEIVED = Bilingual("값을 받았어요", "Reading received")
