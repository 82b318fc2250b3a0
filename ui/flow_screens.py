"""The visitor's screens, one per step of :class:`kiosk.visit_flow.VisitFlow`.

Each screen draws a :class:`~kiosk.visit_flow.FlowState` in ``apply`` and turns taps into
intent through ``post(method, *args)``, which the window sends to the runtime thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Union

from PySide6.QtWidgets import QBoxLayout, QFrame, QGridLayout, QVBoxLayout, QWidget

from devices.readings import GlucoseReading, WeightReading
from kiosk.scoring.bp import Alert
from kiosk.session import BpResult, MeasurementResult, VisitorKind
from kiosk.visit_flow import FlowState, Language, LiveState, VisitFlow
from ui import texts
from ui.texts import Bilingual
from ui.theme import (
    BAND_GOOD,
    BAND_HIGH,
    BAND_NEUTRAL,
    BAND_WATCH,
    ON_COLOUR,
    STAFF_BANNER,
    TEXT,
    TEXT_SECONDARY,
    TextRole,
    TextStyle,
    Theme,
)
from ui.widgets import BilingualButton, BilingualText

if TYPE_CHECKING:
    from ui.result_screen import ResultScreen

Post = Callable[..., None]
FlowScreen = Union[
    "WelcomeScreen",
    "IdentifyScreen",
    "ConsentScreen",
    "MeasureScreen",
    "ResultsScreen",
    "FinishScreen",
    "StaffScreen",
]


def _text(theme: Theme, name: str, role: TextStyle = TextRole.BODY) -> BilingualText:
    return BilingualText(theme, name=name, ko_role=role, colour=TEXT, en_colour=TEXT_SECONDARY)


def _column(widget: QWidget, theme: Theme) -> QVBoxLayout:
    layout = QVBoxLayout(widget)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(theme.gap_px * 2)
    return layout


class WelcomeScreen(QWidget):
    def __init__(self, theme: Theme, flow: VisitFlow, post: Post) -> None:
        super().__init__()
        self.message = _text(theme, "welcomeMessage", TextRole.MESSAGE)
        self.message.set_text(texts.WELCOME)
        self.start_button = BilingualButton(theme, texts.START, name="startVisit", primary=True)
        self.start_button.clicked.connect(lambda: post(flow.start))
        self.korean = BilingualButton(
            theme, Bilingual(texts.LANGUAGE_KO.ko, ""), name="langKo", primary=False
        )
        self.english = BilingualButton(
            theme, Bilingual(texts.LANGUAGE_EN.ko, ""), name="langEn", primary=False
        )
        self.korean.clicked.connect(lambda: post(flow.set_language, Language.KO))
        self.english.clicked.connect(lambda: post(flow.set_language, Language.EN))
        languages = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        languages.setSpacing(theme.gap_px)
        languages.addWidget(self.korean)
        languages.addWidget(self.english)
        layout = _column(self, theme)
        layout.addStretch(1)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addWidget(self.start_button)
        layout.addLayout(languages)

    def apply(self, state: FlowState) -> None:
        return None


class IdentifyScreen(QWidget):
    """Member number on a large keypad (masked), or the app's QR through the reader, or guest."""

    def __init__(self, theme: Theme, flow: VisitFlow, post: Post) -> None:
        super().__init__()
        self._flow, self._post = flow, post
        self.typed = ""  # pending input, like a text field's contents; cleared every reset
        self.message = _text(theme, "identifyMessage")
        self.message.set_text(texts.IDENTIFY)
        self.display = _text(theme, "memberDisplay", TextRole.CATEGORY)
        self.error = _text(theme, "identifyError")
        self.keys: dict[str, BilingualButton] = {}
        grid = QGridLayout()
        grid.setSpacing(theme.gap_px)
        labels = [*"123456789", "del", "0", "ok"]
        for i, key in enumerate(labels):
            text = {"del": texts.KEY_DELETE, "ok": texts.KEY_OK}.get(key, Bilingual(key, ""))
            button = BilingualButton(theme, text, name=f"key_{key}", primary=key == "ok")
            button.clicked.connect(lambda _c=False, k=key: self.press(k))
            grid.addWidget(button, i // 3, i % 3)
            self.keys[key] = button
        self.guest = BilingualButton(theme, texts.GUEST, name="guest", primary=False)
        self.guest.clicked.connect(lambda: post(flow.identify_guest))
        left = QWidget()
        left_layout = _column(left, theme)
        left_layout.addStretch(1)
        left_layout.addWidget(self.message)
        left_layout.addWidget(self.display)
        left_layout.addWidget(self.error)
        left_layout.addStretch(1)
        right = QWidget()
        right_layout = _column(right, theme)
        right_layout.setSpacing(theme.gap_px)
        right_layout.addLayout(grid)
        right_layout.addWidget(self.guest)
        self.body = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)
        self.body.setContentsMargins(0, 0, 0, 0)
        self.body.setSpacing(theme.gap_px * 2)
        self.body.addWidget(left, 1)
        self.body.addWidget(right)
        self._show_typed()

    def press(self, key: str) -> None:
        if key == "del":
            self.typed = self.typed[:-1]
        elif key == "ok":
            self.submit()
            return
        elif len(self.typed) < 12:
            self.typed += key
        self._show_typed()

    def submit(self) -> None:
        typed, self.typed = self.typed, ""
        self._show_typed()
        if typed.isdigit():
            self._post(self._flow.identify_member, typed)
        else:
            self._post(self._flow.identify_qr, typed)

    def type_text(self, text: str) -> None:
        """Keys from a keyboard-wedge QR reader or a physical keypad."""
        self.typed = (self.typed + text)[-80:]
        self._show_typed()

    def _show_typed(self) -> None:
        digits = self.typed.isdigit()
        self.display.set_text(texts.member_text(len(self.typed)) if digits else texts.NUMBER_EMPTY)

    def set_landscape(self, landscape: bool) -> None:
        self.body.setDirection(
            QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom
        )

    def apply(self, state: FlowState) -> None:
        if state.step.value != "identify":
            self.typed = ""
            self._show_typed()
        error = {"member": texts.NUMBER_WRONG, "qr": texts.QR_WRONG}.get(state.identify_error or "")
        self.error.setVisible(error is not None)
        if error is not None:
            self.error.set_text(error)


class ConsentScreen(QWidget):
    def __init__(self, theme: Theme, flow: VisitFlow, post: Post) -> None:
        super().__init__()
        self.message = _text(theme, "consentMessage")
        self.message.set_text(texts.CONSENT)
        self.where = _text(theme, "consentWhere")
        self.open_lab = BilingualButton(theme, texts.OPEN_LAB_OFF, name="openLab", primary=False)
        self.open_lab.setCheckable(True)
        self.open_lab.toggled.connect(
            lambda on: self.open_lab.set_text(texts.OPEN_LAB_ON if on else texts.OPEN_LAB_OFF)
        )
        self.agree = BilingualButton(theme, texts.AGREE, name="agree", primary=True)
        self.agree.clicked.connect(lambda: post(flow.consent, self.open_lab.isChecked()))
        self.decline = BilingualButton(theme, texts.DECLINE, name="decline", primary=False)
        self.decline.clicked.connect(lambda: post(flow.reset))
        words = QWidget()
        words_layout = _column(words, theme)
        words_layout.addStretch(1)
        words_layout.addWidget(self.message)
        words_layout.addWidget(self.where)
        words_layout.addStretch(1)
        choices = QWidget()
        choices_layout = _column(choices, theme)
        choices_layout.setSpacing(theme.gap_px)
        choices_layout.addStretch(1)
        choices_layout.addWidget(self.open_lab)
        self.buttons = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.buttons.setSpacing(theme.gap_px)
        self.buttons.addWidget(self.decline)
        self.buttons.addWidget(self.agree)
        choices_layout.addLayout(self.buttons)
        self.body = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)
        self.body.setContentsMargins(0, 0, 0, 0)
        self.body.setSpacing(theme.gap_px * 2)
        self.body.addWidget(words, 1)
        self.body.addWidget(choices)

    def set_landscape(self, landscape: bool) -> None:
        ltr, ttb = QBoxLayout.Direction.LeftToRight, QBoxLayout.Direction.TopToBottom
        self.body.setDirection(ltr if landscape else ttb)
        # Side by side the choices column is narrow: its buttons stack, the main one lowest.
        self.buttons.setDirection(ttb if landscape else ltr)

    def apply(self, state: FlowState) -> None:
        self.where.set_text(texts.CONSENT_CITIZEN if state.syncs else texts.CONSENT_GUEST)
        # A guest's readings never leave the kiosk, so there is nothing to share.
        self.open_lab.setVisible(state.syncs)
        if state.step.value != "consent":
            self.open_lab.setChecked(False)


def value_text(result: BpResult | MeasurementResult) -> Bilingual:
    if isinstance(result, BpResult):
        c = result.classification
        name = texts.KIND_NAMES["blood_pressure"]
        value = f"{c.systolic} / {c.diastolic} mmHg"
    else:
        reading = result.reading
        name = texts.KIND_NAMES[reading.kind]
        if isinstance(reading, GlucoseReading):
            value = f"{reading.in_mg_dl():.0f} mg/dL"
        elif isinstance(reading, WeightReading):
            value = f"{reading.in_kg():.1f} kg"
        else:
            value = f"{reading.body_fat_percent:.1f} %"
    return Bilingual(f"{name.ko} {value}", f"{name.en} {value}")


def band_of(result: BpResult | MeasurementResult) -> tuple[str, Bilingual]:
    """Colour and plain words of a result's guideline band; the kiosk's classification decides."""
    if isinstance(result, BpResult):
        label = result.classification.text
        return label.colour, Bilingual(label.ko, label.en)
    words = Bilingual(result.label_ko or "기준 없음 (참고)", result.label_en or "For reference")
    if result.alert is Alert.STAFF_NOW:
        return BAND_HIGH, words
    if result.alert is Alert.SEE_DOCTOR_SOON:
        return BAND_WATCH, words
    if result.category == "normal":
        return BAND_GOOD, words
    if result.category in (None, "no_criterion", "none"):
        return BAND_NEUTRAL, words
    return BAND_WATCH, words


class MeasureScreen(QWidget):
    """Blood pressure live (the result screen), guidance for the other devices, and the way on."""

    def __init__(self, theme: Theme, flow: VisitFlow, post: Post, bp: ResultScreen) -> None:
        super().__init__()
        self.bp = bp
        self.guide = _text(theme, "guideOther")
        self.guide.set_text(texts.GUIDE_OTHER)
        self.received = _text(theme, "received")
        self.see_results = BilingualButton(
            theme, texts.SEE_RESULTS, name="seeResults", primary=True
        )
        self.see_results.clicked.connect(lambda: post(flow.show_results))
        side = QWidget()
        side_layout = _column(side, theme)
        # Tight: a landscape panel has this and the blood-pressure result in 1080 px.
        side_layout.setSpacing(theme.gap_px)
        side_layout.addWidget(self.guide)
        side_layout.addWidget(self.received)
        side_layout.addStretch(1)
        side_layout.addWidget(self.see_results)
        self.body = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)
        self.body.setContentsMargins(0, 0, 0, 0)
        self.body.setSpacing(theme.gap_px)
        self.body.addWidget(bp, 1)
        self.body.addWidget(side)

        self._landscape = False
        self._has_bp = False

    def set_landscape(self, landscape: bool) -> None:
        self._landscape = landscape
        self._arrange()

    def _arrange(self) -> None:
        # Guidance beside the cuff instructions on a wide panel; once blood pressure is on
        # screen, its numbers need the width and the rest goes underneath.
        beside = self._landscape and not self._has_bp
        self.body.setDirection(
            QBoxLayout.Direction.LeftToRight if beside else QBoxLayout.Direction.TopToBottom
        )
        self.guide.set_text(texts.GUIDE_OTHER_NARROW if beside else texts.GUIDE_OTHER)
        self.bp.set_compact(self._landscape and self._has_bp)

    def apply(self, state: FlowState) -> None:
        # Once blood pressure is on screen the room goes to it (portrait has no more); the
        # other devices still report below, and "measure more" is one tap away.
        has_bp = any(isinstance(r, BpResult) for r in state.results)
        if has_bp != self._has_bp:
            self._has_bp = has_bp
            self._arrange()
        self.guide.setVisible(not has_bp)
        last = state.results[-1] if state.results else None
        # Blood pressure shows on the result screen above; other kinds get a line here.
        show = isinstance(last, MeasurementResult) and state.live is LiveState.RESULT
        self.received.setVisible(show)
        if not any(isinstance(r, MeasurementResult) for r in state.results):
            self.received.set_text(Bilingual("", ""))  # nothing of a previous visitor stays
        if isinstance(last, MeasurementResult):
            words = band_of(last)[1]
            value = value_text(last)
            self.received.set_text(Bilingual(f"{value.ko}\n{words.ko}", f"{value.en} · {words.en}"))


class ResultRow(QFrame):
    def __init__(self, theme: Theme, result: BpResult | MeasurementResult, index: int) -> None:
        super().__init__()
        colour, words = band_of(result)
        name = f"resultRow{index}"
        self.setObjectName(name)
        self.setStyleSheet(
            f"QFrame#{name} {{ background-color: {colour};"
            f" border-radius: {theme.metrics.px(3)}px; }}"
        )
        self._value, self._words = value_text(result), words
        self.text = BilingualText(
            theme, name=f"{name}Text", ko_role=TextRole.BODY, colour=ON_COLOUR, en_colour=ON_COLOUR
        )
        self.set_narrow(False)
        layout = QVBoxLayout(self)
        pad = theme.metrics.px(3)
        layout.setContentsMargins(pad, pad, pad, pad)
        layout.addWidget(self.text)

    def set_narrow(self, narrow: bool) -> None:
        """The English courtesy line on one line (full width) or two (half width)."""
        value, words = self._value, self._words
        join = "\n" if narrow else " · "
        self.text.set_text(Bilingual(f"{value.ko}\n{words.ko}", f"{value.en}{join}{words.en}"))


class ResultsScreen(QWidget):
    """The latest result of every kind measured in this visit, with its band and plain words."""

    def __init__(self, theme: Theme, flow: VisitFlow, post: Post) -> None:
        super().__init__()
        self._theme = theme
        self._shown: tuple[str, ...] = ()
        self._language = "ko"
        self.title = _text(theme, "resultsTitle", TextRole.TITLE)
        self.title.set_text(texts.RESULTS_TITLE)
        self.empty = _text(theme, "noResults")
        self.empty.set_text(texts.NO_RESULTS)
        self.rows: list[ResultRow] = []
        self._columns = 1
        self._rows = QGridLayout()
        self._rows.setSpacing(theme.gap_px)
        self.disclaimer = _text(theme, "resultsDisclaimer")
        self.disclaimer.set_text(texts.DISCLAIMER)
        self.more = BilingualButton(theme, texts.MEASURE_MORE, name="measureMore", primary=False)
        self.more.clicked.connect(lambda: post(flow.measure_more))
        self.finish = BilingualButton(theme, texts.FINISH, name="finish", primary=True)
        self.finish.clicked.connect(lambda: post(flow.finish))
        buttons = self._buttons = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        buttons.setSpacing(theme.gap_px)
        buttons.addWidget(self.more)
        buttons.addWidget(self.finish)
        values = QWidget()
        values_layout = _column(values, theme)
        values_layout.addWidget(self.title)
        values_layout.addWidget(self.empty)
        values_layout.addLayout(self._rows)
        values_layout.addStretch(1)
        after = QWidget()
        after_layout = _column(after, theme)
        after_layout.addStretch(1)
        after_layout.addWidget(self.disclaimer)
        after_layout.addLayout(buttons)
        self.body = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)
        self.body.setContentsMargins(0, 0, 0, 0)
        self.body.setSpacing(theme.gap_px * 2)
        self.body.addWidget(values, 1)
        self.body.addWidget(after)

    def set_landscape(self, landscape: bool) -> None:
        # Landscape: the values in two columns on the left, the disclaimer and the way on in a
        # narrow column at the right; four kinds of result then fit 1080 px of height.
        ltr, ttb = QBoxLayout.Direction.LeftToRight, QBoxLayout.Direction.TopToBottom
        self.body.setDirection(ltr if landscape else ttb)
        self._buttons.setDirection(ttb if landscape else ltr)
        self._columns = 2 if landscape else 1
        self._place_rows()

    def _place_rows(self) -> None:
        for row in self.rows:
            self._rows.removeWidget(row)
        for i, row in enumerate(self.rows):
            row.set_narrow(self._columns > 1)
            self._rows.addWidget(row, i // self._columns, i % self._columns)

    def apply(self, state: FlowState) -> None:
        latest: dict[str, BpResult | MeasurementResult] = {}
        for result in state.results:
            latest[result.reading.kind] = result  # one row per kind: the newest reading
        ids = tuple(r.measurement_id for r in latest.values())
        if ids != self._shown or state.language.value != self._language:
            for row in self.rows:
                row.setParent(None)
                row.deleteLater()
            self.rows = [ResultRow(self._theme, r, i) for i, r in enumerate(latest.values())]
            for row in self.rows:
                row.text.set_language(state.language.value)
            self._place_rows()
            self._shown, self._language = ids, state.language.value
        self.empty.setVisible(not self.rows)


class FinishScreen(QWidget):
    def __init__(self, theme: Theme, flow: VisitFlow, post: Post) -> None:
        super().__init__()
        self.sync = _text(theme, "syncState", TextRole.MESSAGE)
        self.thanks = _text(theme, "thanks")
        self.thanks.set_text(texts.THANKS)
        self.done = BilingualButton(theme, texts.DONE, name="done", primary=True)
        self.done.clicked.connect(lambda: post(flow.reset))
        layout = _column(self, theme)
        layout.addStretch(1)
        layout.addWidget(self.sync)
        layout.addWidget(self.thanks)
        layout.addStretch(1)
        layout.addWidget(self.done)

    def apply(self, state: FlowState) -> None:
        guest = state.visitor_kind in (None, VisitorKind.GUEST)
        self.sync.set_text(texts.KEPT_HERE if guest else texts.SENT)


class StaffScreen(QFrame):
    """A crisis reading: calm, no flashing, no numbers to alarm; staff reset it."""

    def __init__(self, theme: Theme, flow: VisitFlow, post: Post) -> None:
        super().__init__()
        self.setObjectName("staffScreen")
        self.setStyleSheet(
            f"QFrame#staffScreen {{ background-color: {STAFF_BANNER};"
            f" border-radius: {theme.metrics.px(4)}px; }}"
        )
        self.message = BilingualText(
            theme, name="staffComing", ko_role=TextRole.MESSAGE, colour=ON_COLOUR,
            en_colour=ON_COLOUR,
        )  # fmt: skip
        self.message.set_text(texts.STAFF_COMING)
        self.staff_reset = BilingualButton(
            theme, texts.STAFF_RESET, name="staffReset", primary=False
        )
        self.staff_reset.clicked.connect(lambda: post(flow.reset))
        layout = QVBoxLayout(self)
        pad = theme.metrics.px(6)
        layout.setContentsMargins(pad, pad, pad, pad)
        layout.addStretch(1)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addWidget(self.staff_reset)

    def apply(self, state: FlowState) -> None:
        return None
