"""Visitor-facing wording, Korean first with an English courtesy line.

Plain, kind, short sentences with no jargon or loanwords (kiosk_ux.md §5). Result wording never
says "hypertension" or diagnoses (scoring.md §5.1); it only maps the kiosk's own category and
alert values to words. Have the centre's physician review any change.

Lines are broken by hand ("\n") at phrase boundaries: Qt wraps Korean only at spaces, and a
wrap that strands one word ("재어 / 보세요") is harder to read for older eyes.

Korean is the source: write ``translate("Kiosk", "한국어")``; the English is in
ui/i18n/kiosk_en.ts (``make translations``, docs/ui.md "Translations"). Placeholders are named
(``{seconds}``) and filled with ``.format(seconds=...)``.
"""

from __future__ import annotations

import re
import unicodedata

from kiosk.scoring.bp import Alert, BpCategory
from ui.i18n import Bilingual as Bilingual  # re-exported: the screens import it from here
from ui.i18n import translate

TITLE = translate("Kiosk", "혈압 측정")

IDLE = translate("Kiosk", "어서 오세요.\n아래의 '새 방문 시작'\n버튼을 눌러 주세요.")
WAITING = translate("Kiosk", "혈압계 커프를 팔에 감고\n혈압계의 시작 버튼을 눌러 주세요.")
WAITING_HINT = translate("Kiosk", "등을 기대고 편안히 앉아,\n재는 동안에는 말씀하지 마세요.")
# "혈압계의" matters: the big button on screen is not the one that starts a measurement.
RETRY_HINT = translate("Kiosk", "커프를 다시 감고, 준비되시면\n혈압계의 시작 버튼을 눌러 주세요.")
STAFF_NOW = translate("Kiosk", "가까운 직원에게 알려 주세요.\n편안히 앉아서 잠시 쉬어 주세요.")
DISCLAIMER = translate("Kiosk", "참고용 결과예요.\n진단이 아니에요.")

_ADVICE_BY_ALERT: dict[Alert, Bilingual] = {
    Alert.STAFF_NOW: translate("Kiosk", "직원과 함께\n다시 확인해 보세요."),
    Alert.SEE_DOCTOR_SOON: translate(
        "Kiosk", "혈압이 높게 나왔어요.\n며칠 안에 병원에서 상담해 보세요."
    ),
}
_ADVICE_BY_CATEGORY: dict[BpCategory, Bilingual] = {
    BpCategory.NORMAL: translate("Kiosk", "좋은 범위예요.\n지금처럼 건강을 잘 챙기세요."),
    BpCategory.ELEVATED: translate("Kiosk", "조금 높게 나왔어요.\n가끔씩 다시 재어 보세요."),
    BpCategory.PREHYPERTENSION: translate("Kiosk", "조금 높게 나왔어요.\n가끔씩 다시 재어 보세요."),
    BpCategory.HYPERTENSION_1: translate(
        "Kiosk", "높게 나왔어요.\n병원에 가시면 이 결과를 알려 주세요."
    ),
    BpCategory.HYPERTENSION_2: translate(
        "Kiosk", "혈압이 높게 나왔어요.\n며칠 안에 병원에서 상담해 보세요."
    ),
}


def advice_for(category: BpCategory, alert: Alert) -> Bilingual:
    """The plain-language line under a result: the alert decides first, then the category."""
    return _ADVICE_BY_ALERT.get(alert) or _ADVICE_BY_CATEGORY[category]


NBSP = "\u00a0"


def one_sentence_per_line(text: str, max_ems: float = 14.0) -> str:
    """Lay out wording from elsewhere (the kiosk's retry message) one sentence per line.

    The last two words of each sentence are joined by a no-break space, so a sentence too long
    for one line never leaves a lone "주세요." on a line of its own. A Korean sentence wider than
    ``max_ems`` (14: what the message size fits across an upright panel) is broken once more
    (:func:`break_long_lines`); English wraps at its spaces by itself.
    """
    lines = re.sub(r"([.?!])\s+", "\\1\n", text.strip()).split("\n")
    joined = "\n".join(NBSP.join(line.rsplit(" ", 1)) for line in lines)
    return break_long_lines(joined, max_ems) if re.search("[가-힣]", joined) else joined


def text_ems(text: str) -> float:
    """Rough width in ems (Noto Sans CJK): Hangul 0.92, Latin letters and digits about half,
    spaces and stops 0.3."""
    return sum(
        0.92 if unicodedata.east_asian_width(c) in "WF" else 0.3 if c in " .,!?" + NBSP else 0.55
        for c in text
    )


def break_long_lines(text: str, max_ems: float) -> str:
    """Break every line wider than ``max_ems`` at a space, for a narrow column. The end of the
    line stays as whole as it can (Korean ends on the verb phrase: "편안히 앉아 / 다시 한 번
    측정해 주세요."), the last two words never part, and hand breaks stay where they are."""

    def split(line: str, *, last: bool = True) -> list[str]:
        if last and text_ems(line) > max_ems and NBSP not in line.rsplit(" ", 1)[-1]:
            line = NBSP.join(line.rsplit(" ", 1))  # never a lone last word ("주세요.")
        words = line.split(" ")
        if text_ems(line) <= max_ems or len(words) < 2:
            return [line]
        tails = [i for i in range(1, len(words)) if text_ems(" ".join(words[i:])) <= max_ems]
        both = [i for i in tails if text_ems(" ".join(words[:i])) <= max_ems]
        if both:
            # Two lines: after a clause ("앉아", "감고", a comma) if there is one, else where
            # the two lines are most even.
            def cost(i: int) -> tuple[bool, float]:
                widest = max(text_ems(" ".join(words[:i])), text_ems(" ".join(words[i:])))
                return (words[i - 1][-1] not in "아어고며서,", widest)

            cut = min(both, key=cost)
        else:
            cut = (tails or [len(words) - 1])[0]
        return [*split(" ".join(words[:cut]), last=False), " ".join(words[cut:])]

    return "\n".join(part for line in text.split("\n") for part in split(line))


def spoken(text: str) -> str:
    """The text as one plain line, for accessible names."""
    return text.replace("\n", " ").replace(NBSP, " ")


def pulse_text(pulse_per_min: int) -> Bilingual:
    return translate("Kiosk", "맥박 {pulse_per_min}회/분").format(pulse_per_min=pulse_per_min)


START_VISIT = translate("Kiosk", "새 방문 시작")
DEMO_STRIP = translate("Kiosk", "시연용 모의 장치 (실제 측정 아님)")

# --- the visitor's flow (issue 7) -------------------------------------------------------------
WELCOME = translate("Kiosk", "어서 오세요.\n혈압, 혈당, 체중을\n무료로 재어 드려요.")
#: The welcome screen's one big button.
START = translate("Kiosk", "시작하기")
LANGUAGE_KO = Bilingual("한국어", "한국어")  # a language's own name, in every language
LANGUAGE_EN = Bilingual("English", "English")
#: Header button: end this visit and go back to the welcome screen.
HOME = translate("Kiosk", "처음으로")
IDENTIFY = translate("Kiosk", "회원 번호를 누르거나\n앱의 QR 코드를\n아래 판독기에 대 주세요.")
NUMBER_EMPTY = translate("Kiosk", "번호를 눌러 주세요")
NUMBER_WRONG = translate("Kiosk", "번호를 다시 확인해 주세요.\n(6~12자리 숫자)")
QR_WRONG = translate("Kiosk", "QR 코드를 읽지 못했어요.\n다시 대 주세요.")
#: Keypad key: delete the last digit.
KEY_DELETE = translate("Kiosk", "지우기")
#: Keypad key: done typing the member number.
KEY_OK = translate("Kiosk", "확인")
GUEST = translate("Kiosk", "회원이 아니에요 (손님)")
CONSENT = translate(
    "Kiosk",
    "건강 정보 수집·이용 동의 (필수)\n잰 값을 저장하고\n"
    "결과를 보여 드리는 데 써요.\n언제든 철회할 수 있어요.",
)
CONSENT_GUEST = translate("Kiosk", "손님의 값은 이 키오스크에만\n잠시 보관되고 하루 뒤 지워져요.")
CONSENT_CITIZEN = translate("Kiosk", "회원님의 값은\n건강 기록으로 보내져요.")
OPEN_LAB_OFF = translate("Kiosk", "연구 공유 (선택): 안 함")
OPEN_LAB_ON = translate("Kiosk", "연구 공유 (선택): 함")
AGREE = translate("Kiosk", "동의하고 재기")
DECLINE = translate("Kiosk", "동의하지 않아요")
GUIDE_OTHER = translate("Kiosk", "혈당: 검사지를 꽂아 주세요.\n체중: 맨발로 저울에 올라요.")
GUIDE_OTHER_NARROW = translate(  # the same, for the narrow column of a landscape panel
    "Kiosk", "혈당: 검사지를\n꽂아 주세요.\n체중: 맨발로\n저울에 올라요."
)
SEE_RESULTS = translate("Kiosk", "결과 보기")
RESULTS_TITLE = translate("Kiosk", "오늘의 결과")
NO_RESULTS = translate("Kiosk", "아직 잰 값이 없어요.")
MEASURE_MORE = translate("Kiosk", "더 재기")
FINISH = translate("Kiosk", "마치기")
SENT = translate("Kiosk", "결과를 건강 기록으로\n보내 드려요.")
KEPT_HERE = translate("Kiosk", "손님의 결과는 이 키오스크에만\n보관되고 하루 뒤 지워져요.")
THANKS = translate("Kiosk", "고맙습니다. 건강하세요.")
#: Last button of a visit; the screen is cleared for the next visitor.
DONE = translate("Kiosk", "끝내기")
STAFF_COMING = translate("Kiosk", "직원이 곧 와요.\n편안히 앉아서\n잠시 기다려 주세요.")
STAFF_RESET = translate("Kiosk", "직원 확인 후 처음으로")
#: On the "starting over soon" warning: keep this visit going.
MORE_TIME = translate("Kiosk", "더 쓸게요")


def countdown_text(seconds: int) -> Bilingual:
    return translate("Kiosk", "화면을 쓰지 않으시면\n{seconds}초 뒤 처음으로 돌아가요.").format(
        seconds=seconds
    )


def member_text(digits: int) -> Bilingual:
    # Dots only: the number is never shown in full (검증기준 10).
    dots = "●" * digits
    return Bilingual(dots, "")  # no courtesy line: the dots say it in every language


KIND_NAMES: dict[str, Bilingual] = {
    "blood_pressure": translate("Kiosk", "혈압"),
    "glucose": translate("Kiosk", "혈당"),
    "weight": translate("Kiosk", "체중"),
    "body_composition": translate("Kiosk", "체지방"),
}
RECEIVED = translate("Kiosk", "값을 받았어요")


# --- choosing measurements, device guidance, sync state, printed summary (issue 7 item 1) ----
CHOOSE = translate("Kiosk", "무엇을 재어 볼까요?\n재고 싶은 것을 눌러 주세요.")
CHECK_ALL = translate("Kiosk", "모두 재기")
MEASURE_CHOSEN = translate("Kiosk", "고른 것만 재기")


# A choice button's words: the kind and, in words (not only colour), whether it is on.
CHOICE_ON: dict[str, Bilingual] = {
    "blood_pressure": translate("Kiosk", "혈압: 잴게요"),
    "glucose": translate("Kiosk", "혈당: 잴게요"),
    "body": translate("Kiosk", "체중·체지방: 잴게요"),
}
CHOICE_OFF: dict[str, Bilingual] = {
    "blood_pressure": translate("Kiosk", "혈압: 안 재요"),
    "glucose": translate("Kiosk", "혈당: 안 재요"),
    "body": translate("Kiosk", "체중·체지방: 안 재요"),
}
_MEASURING_TITLE: dict[str, Bilingual] = {
    "blood_pressure": translate("Kiosk", "혈압 ({number}/{total})"),
    "glucose": translate("Kiosk", "혈당 ({number}/{total})"),
    "body": translate("Kiosk", "체중·체지방 ({number}/{total})"),
}


def choice_text(kind: str, chosen: bool) -> Bilingual:
    return (CHOICE_ON if chosen else CHOICE_OFF)[kind]


def measuring_title(kind: str, number: int, total: int) -> Bilingual:
    return _MEASURING_TITLE[kind].format(number=number, total=total)


GUIDE_INSTRUCTION: dict[str, Bilingual] = {
    "blood_pressure": translate("Kiosk", "팔에 커프를 감고\n혈압계의 시작 버튼을\n눌러 주세요."),
    "glucose": translate("Kiosk", "혈당계에 검사지를 꽂고\n손가락 끝의 피를\n검사지에 대 주세요."),
    "body": translate("Kiosk", "신발과 양말을 벗고\n맨발로 저울에\n올라 서 주세요."),
}
GUIDE_WAITING = translate("Kiosk", "준비되시면 시작해 주세요.")
GUIDE_READY = translate("Kiosk", "기기가 준비됐어요.")
GUIDE_MEASURING = translate("Kiosk", "재는 중이에요.\n움직이지 말고 기다려 주세요.")
CUFF_PRESSURE = translate("Kiosk", "커프 압력")
GUIDE_DEVICE_ERROR = translate(
    "Kiosk", "기기가 지금 응답하지 않아요.\n다시 해 보시거나 건너뛰세요.\n직원에게 물어보셔도 돼요."
)
GUIDE_DONE = translate("Kiosk", "잘 재었어요.")
RETRY_KIND = translate("Kiosk", "다시 재기")
SKIP_KIND = translate("Kiosk", "이것은 건너뛰기")
NEXT_KIND = translate("Kiosk", "다음으로")
SYNC_SENDING = translate("Kiosk", "결과를 건강 기록으로\n보내고 있어요.")
SYNC_SENT = translate("Kiosk", "결과를 건강 기록으로\n보냈어요.")
SYNC_WAITING = translate("Kiosk", "인터넷이 다시 되면\n건강 기록으로 보내 드려요.")
SYNC_HELD = translate("Kiosk", "결과는 이 키오스크에 있어요.\n직원이 확인하고 보내 드려요.")
PRINT = translate("Kiosk", "결과 인쇄하기")
PRINTING = translate("Kiosk", "인쇄하는 중이에요")
PRINTED = translate("Kiosk", "인쇄했어요")
PRINT_SAVED = translate("Kiosk", "결과지를 준비했어요")
PRINT_FAILED = translate("Kiosk", "인쇄하지 못했어요")
SUMMARY_TITLE = translate("Kiosk", "빛고을 건강 키오스크 오늘의 결과")

# --- display modes: large text and high contrast (issue 7 item 2) ------------------------------
# A switch that is on is drawn latched (pressed shade, heavier edge) and says "켜짐" to screen
# readers.
#: Header switch. English in two short lines: four header buttons share one portrait row.
LARGE_TEXT = translate("Kiosk", "글자 크게")
#: Header switch (white on black). English in two short lines, like "Large / text".
HIGH_CONTRAST = translate("Kiosk", "고대비")
MODE_ON = translate("Kiosk", "켜짐")
MODE_OFF = translate("Kiosk", "꺼짐")

# --- results: earlier visits (trend) and the heart-health estimate (issue 7 item 1, results) ----
# The estimate never diagnoses (scoring.md §5.1): it names the model, the 10-year horizon, that it
# may not fit Koreans, and sends the visitor to a doctor. Bands are the WHO chart bands.
SEE_TREND = translate("Kiosk", "지난 기록")
SEE_RISK = translate("Kiosk", "심장 건강 추정")
BACK_TO_TODAY = translate("Kiosk", "오늘 결과")
TREND_TITLE = translate("Kiosk", "지난 기록", "TREND_TITLE")
TREND_FIRST_VISIT = translate("Kiosk", "처음 오셨네요.\n아직 지난 결과가 없어요.")
TREND_TODAY = translate("Kiosk", "오늘")
RISK_TITLE = translate("Kiosk", "심장 건강 추정", "RISK_TITLE")
RISK_QUESTION = translate(
    "Kiosk", "심장 건강을 추정해 볼까요?\n세 가지를 골라 주세요.\n답은 저장하지 않아요."
)
SEX_MALE = translate("Kiosk", "남자")
SEX_FEMALE = translate("Kiosk", "여자")
SMOKER_YES = translate("Kiosk", "담배를 피워요")
SMOKER_NO = translate("Kiosk", "안 피워요")
RISK_SEE = translate("Kiosk", "추정 보기")
RISK_SKIP = translate("Kiosk", "건너뛰기")
RISK_NOT_DIAGNOSIS = translate("Kiosk", "이것은 추정이며 진단이 아니에요.\n의사와 상담해 보세요.")
RISK_MODEL_NOTE = translate(
    "Kiosk", "WHO 2019 모델로 계산했어요.\n한국인에게 꼭 맞지 않을 수 있어요."
)
# The same two, for the narrow column of a landscape panel.
RISK_NOT_DIAGNOSIS_NARROW = translate(
    "Kiosk", "이것은 추정이며\n진단이 아니에요.\n의사와 상담해 보세요."
)
RISK_MODEL_NOTE_NARROW = translate(
    "Kiosk", "WHO 2019 모델로\n계산했어요. 한국인에게\n꼭 맞지 않을 수 있어요."
)
RISK_NEEDS_SCALE = translate(
    "Kiosk", "이 추정에는 체중계 측정이\n필요해요. '더 재기'에서\n체중을 재 주세요."
)
RISK_NEEDS_BP = translate(
    "Kiosk", "이 추정에는 혈압 측정이\n필요해요. '더 재기'에서\n혈압을 재 주세요."
)
RISK_NOT_FOR_AGE = translate(
    "Kiosk", "죄송해요. 이 추정은\n40~74세를 위해 만든 것이라\n보여 드리기 어려워요."
)
RISK_UNAVAILABLE = translate("Kiosk", "지금은 추정을\n보여 드릴 수 없어요.")
RISK_BANDS: dict[str, Bilingual] = {
    "low": translate("Kiosk", "심장 건강 추정: 낮은 편"),
    "moderate": translate("Kiosk", "심장 건강 추정: 중간"),
    "high": translate("Kiosk", "심장 건강 추정: 높은 편"),
    "very_high": translate("Kiosk", "심장 건강 추정: 매우 높은 편"),
}
RISK_BANDS_NARROW: dict[str, Bilingual] = {
    "low": translate("Kiosk", "심장 건강 추정:\n낮은 편"),
    "moderate": translate("Kiosk", "심장 건강 추정:\n중간"),
    "high": translate("Kiosk", "심장 건강 추정:\n높은 편"),
    "very_high": translate("Kiosk", "심장 건강 추정:\n매우 높은 편"),
}


def birth_year_text(year: int) -> Bilingual:
    return translate("Kiosk", "{year}년생").format(year=year)


def risk_number_text(per_100: int, *, narrow: bool = False) -> Bilingual:
    if narrow:
        return translate(
            "Kiosk",
            "나와 비슷한 100명 중\n약 {per_100}명이 10년 안에\n심장병이나 뇌졸중을\n겪을 수 있어요.",  # noqa: E501
        ).format(per_100=per_100)
    return translate(
        "Kiosk",
        "나와 비슷한 100명 중 약 {per_100}명이\n10년 안에 심장병이나 뇌졸중을\n겪을 수 있어요.",
    ).format(per_100=per_100)


def trend_date_text(day: int, month: int) -> Bilingual:
    # Korean reads month first ("12.4."); the English line is day/month.
    return Bilingual(f"{month}.{day}.", f"{day}/{month}")


def checked_text(text: Bilingual) -> Bilingual:
    """A chosen answer: the check mark says it is chosen, not the colour alone (검증기준 4)."""
    return Bilingual(f"✓ {text.ko}", f"✓ {text.en}")


# --- visitor text audit (issue 7 item 4): wording that was inline in the screens -------------
NO_CRITERION = translate("Kiosk", "기준 없음 (참고)")  # a value with no guideline band
WINDOW_TITLE = translate("Kiosk", "빛고을 건강 키오스크")

# --- voice guidance (issue 7 item 3): the speaker controls in the header ---------------------
VOICE_OFF = translate("Kiosk", "소리 끄기")
VOICE_ON = translate("Kiosk", "소리 켜기")
VOLUME_DOWN = translate("Kiosk", "작게")
VOLUME_UP = translate("Kiosk", "크게")
# The header button that opens the panel of display modes and sound, and the panel's close.
OPTIONS = translate("Kiosk", "글자·소리")
OPTIONS_TITLE = translate("Kiosk", "글자와 화면, 소리")
OPTIONS_CLOSE = translate("Kiosk", "닫기")


# --- guidance pictures (issue 7 item 1: choosing and measuring) ------------------------------
# What each guidance picture shows, for screen readers.
PICTURE_NAMES: dict[str, Bilingual] = {
    "blood_pressure": translate("Kiosk", "커프를 감은 팔과 혈압계"),
    "glucose": translate("Kiosk", "검사지를 꽂은 혈당계와 손가락"),
    "body": translate("Kiosk", "저울 위의 맨발"),
}


# --- results that do not fit one page (issue 7 item 2: every screen fits the panel) ---------
# Large text on a landscape panel shows two results at a time; this button turns the page.
MORE_RESULTS = translate("Kiosk", "다음 결과 보기")
EARLIER_RESULTS = translate("Kiosk", "앞 결과 보기")
