"""The visitor's screens, one per step of :class:`kiosk.visit_flow.VisitFlow`.

Each screen draws a :class:`~kiosk.visit_flow.FlowState` in ``apply`` and turns taps into
intent through ``post(method, *args)``, which the window sends to the runtime thread.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Union

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QFrame, QGridLayout, QVBoxLayout, QWidget

from devices.readings import GlucoseReading, WeightReading
from kiosk.risk_estimate import RiskStep
from kiosk.scoring.bp import Alert
from kiosk.session import BpResult, MeasurementResult, VisitorKind
from kiosk.visit_flow import (
    FlowState,
    Guide,
    Language,
    MeasureKind,
    ResultsView,
    Step,
    SyncState,
    VisitFlow,
)
from ui import texts
from ui.guidance import ChooseScreen, GuidancePanel
from ui.modes import mode_toggles
from ui.risk_panel import RiskPanel
from ui.texts import Bilingual
from ui.theme import STANDARD, Palette, TextRole, TextStyle, Theme
from ui.trend_chart import TrendView
from ui.widgets import BilingualButton, BilingualText

if TYPE_CHECKING:
    from ui.result_screen import ResultScreen
    from ui.summary_print import PrintOutcome, SummaryPrinter

Post = Callable[..., None]
QWIDGETSIZE_MAX = (1 << 24) - 1  # Qt's "no maximum"
FlowScreen = Union[
    "WelcomeScreen",
    "IdentifyScreen",
    "ConsentScreen",
    "ChooseScreen",
    "MeasureScreen",
    "ResultsScreen",
    "FinishScreen",
    "StaffScreen",
]


def _text(theme: Theme, name: str, role: TextStyle = TextRole.BODY) -> BilingualText:
    colours = theme.palette
    return BilingualText(
        theme, name=name, ko_role=role, colour=colours.TEXT, en_colour=colours.TEXT_SECONDARY
    )


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
        # Large text and high contrast, easy to switch on before anything else (검증기준 3).
        self.modes = mode_toggles(theme, flow, post, prefix="welcome")
        modes = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        modes.setSpacing(theme.gap_px)
        for toggle in self.modes:
            modes.addWidget(toggle)
        layout = _column(self, theme)
        layout.addStretch(1)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addWidget(self.start_button)
        layout.addLayout(languages)
        layout.addLayout(modes)

    def apply(self, state: FlowState) -> None:
        for toggle in self.modes:
            toggle.apply(state)


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
        # Large text: the two answers are too wide side by side, so they stack as in landscape.
        self._large = theme.large_text
        self.buttons = QBoxLayout(
            QBoxLayout.Direction.TopToBottom if self._large else QBoxLayout.Direction.LeftToRight
        )
        self.buttons.setSpacing(theme.gap_px)
        self.buttons.addWidget(self.decline)
        self.buttons.addWidget(self.agree)
        choices_layout.addLayout(self.buttons)
        self.body = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)
        self.body.setContentsMargins(0, 0, 0, 0)
        self.body.setSpacing(theme.gap_px * 2)
        self.body.addWidget(words, 1)
        self.body.addWidget(choices)

        self._landscape, self._english = False, False

    def set_landscape(self, landscape: bool) -> None:
        self._landscape = landscape
        self._arrange()

    def _arrange(self) -> None:
        ltr, ttb = QBoxLayout.Direction.LeftToRight, QBoxLayout.Direction.TopToBottom
        # Large English wraps to twice the lines of Korean: on a landscape panel it needs the
        # whole width, the choices under it (the two answers side by side have room then).
        beside = self._landscape and not (self._large and self._english)
        self.body.setDirection(ltr if beside else ttb)
        # Side by side the choices column is narrow: its buttons stack, the main one lowest.
        stack = beside or (self._large and not self._landscape)
        self.buttons.setDirection(ttb if stack else ltr)

    def apply(self, state: FlowState) -> None:
        english = state.language is Language.EN
        if english is not self._english:
            self._english = english
            self._arrange()
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


def band_of(
    result: BpResult | MeasurementResult, palette: Palette = STANDARD
) -> tuple[str, Bilingual]:
    """Colour and plain words of a result's guideline band; the kiosk's classification decides."""
    if isinstance(result, BpResult):
        label = result.classification.text
        return palette.band_colour(label.colour), Bilingual(label.ko, label.en)
    fallback = texts.NO_CRITERION
    words = Bilingual(result.label_ko or fallback.ko, result.label_en or fallback.en)
    if result.alert is Alert.STAFF_NOW:
        return palette.BAND_HIGH, words
    if result.alert is Alert.SEE_DOCTOR_SOON:
        return palette.BAND_WATCH, words
    if result.category == "normal":
        return palette.BAND_GOOD, words
    if result.category in (None, "no_criterion", "none"):
        return palette.BAND_NEUTRAL, words
    return palette.BAND_WATCH, words


class MeasureScreen(QWidget):
    """One chosen kind at a time: its guidance (picture, instruction, live state, live cuff
    pressure), the blood-pressure result screen once the cuff reports, and the way on."""

    def __init__(self, theme: Theme, flow: VisitFlow, post: Post, bp: ResultScreen) -> None:
        super().__init__()
        self.bp = bp
        self.guidance = GuidancePanel(theme)
        self.received = _text(theme, "received")
        self.retry = BilingualButton(theme, texts.RETRY_KIND, name="retryKind", primary=False)
        self.retry.clicked.connect(lambda: post(flow.retry_kind))
        self.skip = BilingualButton(theme, texts.SKIP_KIND, name="skipKind", primary=False)
        self.skip.clicked.connect(lambda: post(flow.skip_kind))
        self.next = BilingualButton(theme, texts.NEXT_KIND, name="nextKind", primary=True)
        self.next.clicked.connect(lambda: post(flow.next_kind))
        self.buttons = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.buttons.setSpacing(theme.gap_px)
        self.buttons.addWidget(self.retry)
        self.buttons.addWidget(self.skip)
        self.buttons.addWidget(self.next)
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(0, 0, 0, 0)
        self.body.setSpacing(theme.gap_px)
        self.body.addWidget(self.guidance, 1)
        self.body.addWidget(bp, 1)
        self.body.addWidget(self.received)
        self.body.addLayout(self.buttons)
        self._landscape = False
        self._palette = theme.palette
        # Large text: the result needs the title's room in portrait too (the guidance has
        # already said what is measured).
        self._large = theme.large_text
        bp.set_compact(self._large)
        bp.setVisible(False)

    def set_landscape(self, landscape: bool) -> None:
        self._landscape = landscape
        self.guidance.set_landscape(landscape)
        self.bp.set_compact(landscape or self._large)

    def apply(self, state: FlowState) -> None:
        self.guidance.apply(state)
        kind = state.measuring
        done = state.guide is Guide.RESULT
        # Blood pressure has its own big result screen, which also asks kindly to measure
        # again after a refused reading; the guidance makes room for it.
        bp_shows = state.guide in (Guide.RESULT, Guide.RETRY)
        bp_result = kind is MeasureKind.BLOOD_PRESSURE and bp_shows
        self.bp.setVisible(bp_result)
        self.guidance.setVisible(kind is not None and not bp_result)
        results = state.round_results(kind) if kind is not None and done else ()
        others = [r for r in results if isinstance(r, MeasurementResult)]
        self.received.setVisible(bool(others))
        lines = [(value_text(r), band_of(r, self._palette)[1]) for r in others]
        # Always rewritten: nothing of a previous visitor or kind stays behind.
        self.received.set_text(
            Bilingual(
                # The value, then its words on a line of their own: long bands must fit.
                "\n".join(f"{v.ko}\n{w.ko}" for v, w in lines),
                "\n".join(f"{v.en} · {w.en}" for v, w in lines),
            )
        )
        self.retry.setVisible(state.guide in (Guide.RETRY, Guide.DEVICE_ERROR))
        self.skip.setVisible(kind is not None and not done)
        self.next.setVisible(kind is not None and done)
        self.next.set_text(texts.SEE_RESULTS if state.last_kind else texts.NEXT_KIND)


class ResultRow(QFrame):
    """One kind's newest result on its band colour: the value and its plain words side by side
    where the row is wide enough, else the words under the value (:meth:`fit`)."""

    def __init__(self, theme: Theme, result: BpResult | MeasurementResult, index: int) -> None:
        super().__init__()
        colours = theme.palette
        colour, words = band_of(result, colours)
        name = f"resultRow{index}"
        self.setObjectName(name)
        # High contrast: a white edge, so a dark band still stands out from the black.
        self._edge = colours.border_px if theme.high_contrast else 0
        edge = f" border: {colours.border_px}px solid {colours.PANEL_BORDER};"
        self.setStyleSheet(
            f"QFrame#{name} {{ background-color: {colour};"
            f"{edge if theme.high_contrast else ''}"
            f" border-radius: {theme.metrics.px(3)}px; }}"
        )

        def part(suffix: str) -> BilingualText:
            return BilingualText(
                theme,
                name=f"{name}{suffix}",
                ko_role=TextRole.BODY,
                colour=colours.ON_COLOUR,
                en_colour=colours.ON_COLOUR,
            )

        # ``text`` is the value ("혈압 128 / 82 mmHg"), ``words`` its band in plain words.
        self._value, self._words = value_text(result), words
        self.text, self.words = part("Text"), part("Words")
        self._parts = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self._parts.addWidget(self.text)
        self._parts.addWidget(self.words)
        self._gap = theme.gap_px
        layout = QVBoxLayout(self)
        self._pad = pad = theme.metrics.px(3)
        layout.setContentsMargins(pad, pad, pad, pad)
        layout.addLayout(self._parts)
        self._language = "ko"
        self._side = True
        self._render()

    def set_language(self, language: str) -> None:
        self._language = language
        self._render()

    def _render(self) -> None:
        value, words, side = self._value, self._words, self._side
        # Korean: side by side each part has its English under it; stacked, one English line
        # under both (the height is what is scarce then). English: English only, and it may
        # wrap at its spaces; Korean lines and courtesy lines fit as they are.
        english = self._language == "en"
        if side or english:
            self.text.set_text(value)
            self.words.set_text(words)
        else:
            self.text.set_text(Bilingual(value.ko, ""))
            self.words.set_text(Bilingual(words.ko, f"{value.en} · {words.en}"))
        for part, edge in (
            (self.text, Qt.AlignmentFlag.AlignLeft),
            (self.words, Qt.AlignmentFlag.AlignRight),
        ):
            part.set_language(self._language)
            part.ko.setWordWrap(english)
            part.en.setWordWrap(False)
            # Side by side: the value at the left edge, its words at the right; else centred.
            for label in (part.ko, part.en):
                across = edge if side else Qt.AlignmentFlag.AlignHCenter
                label.setAlignment(across | Qt.AlignmentFlag.AlignVCenter)
        self._parts.setDirection(
            QBoxLayout.Direction.LeftToRight if side else QBoxLayout.Direction.TopToBottom
        )
        self._parts.setSpacing(self._gap if side else self._gap // 2)

    def need(self, side: bool) -> int:
        """The width the row needs for its lines unbroken, side by side or stacked."""
        value, words = self._value, self._words
        if self._language == "en":
            lines = [value.en, words.en]
            metrics = self.text.ko.fontMetrics()
        else:
            lines = [value.ko, words.ko]
            metrics = self.text.ko.fontMetrics()
        small = self.text.en.fontMetrics()
        widths = [metrics.horizontalAdvance(line) for line in lines]
        if self._language != "en":
            courtesy = (value.en, words.en) if side else (f"{value.en} · {words.en}",)
            widths += [0] * (2 - len(courtesy)) + [small.horizontalAdvance(c) for c in courtesy]
            if side:
                widths = [max(widths[0], widths[2]), max(widths[1], widths[3])]
            else:
                widths = [max(widths)]
        inner = widths[0] + self._gap + widths[1] if side else max(widths)
        return inner + 2 * (self._pad + self._edge) + 2  # 2: rounding inside the labels

    def fit(self, width: int) -> None:
        """Side by side if the lines fit ``width`` so, else stacked."""
        side = self.need(True) <= width
        if side is not self._side:
            self._side = side
            self._render()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit(self.width())


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
        self._rows = QVBoxLayout()
        self._rows.setSpacing(theme.gap_px)
        # Rows on show at once: all of them, but two in large text on a landscape panel, where
        # four do not fit 1080 px of height; a button turns to the others (no scrolling).
        self._per_page = 0
        self.page_button = BilingualButton(
            theme, texts.MORE_RESULTS, name="moreResults", primary=False
        )
        self.page_button.setCheckable(True)
        self.page_button.toggled.connect(lambda _on: self._place_rows())
        self.page_button.setVisible(False)
        self.disclaimer = _text(theme, "resultsDisclaimer")
        self.disclaimer.set_text(texts.DISCLAIMER)
        # Earlier visits and the optional heart-health estimate replace the values on the
        # same screen (one view at a time: everything fits the panel without scrolling).
        self._view = ResultsView.VALUES
        self.trend = TrendView(theme, lambda r: band_of(r, theme.palette))
        self.risk_panel = RiskPanel(theme, flow, post)
        self.trend_button = BilingualButton(theme, texts.SEE_TREND, name="seeTrend", primary=False)
        self.trend_button.clicked.connect(
            lambda: post(flow.show_results_view, self._toggle(ResultsView.TREND))
        )
        self.risk_button = BilingualButton(theme, texts.SEE_RISK, name="seeRisk", primary=False)
        self.risk_button.clicked.connect(
            lambda: post(flow.show_results_view, self._toggle(ResultsView.RISK))
        )
        # Beside the title: the two views cost no height of their own.
        top = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        top.setSpacing(theme.gap_px)
        top.addWidget(self.title, 1)
        top.addWidget(self.trend_button)
        top.addWidget(self.risk_button)
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
        if theme.large_text:  # an upright panel needs every row's height for the words
            values_layout.setSpacing(theme.gap_px)
        values_layout.addLayout(top)
        values_layout.addWidget(self.empty)
        values_layout.addLayout(self._rows)
        values_layout.addWidget(self.trend)
        values_layout.addWidget(self.risk_panel)
        values_layout.addStretch(1)
        after = self._after = QWidget()
        after_layout = _column(after, theme)
        after_layout.addStretch(1)
        after_layout.addWidget(self.disclaimer)
        after_layout.addWidget(self.page_button)
        after_layout.addLayout(buttons)
        self.body = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)
        self.body.setContentsMargins(0, 0, 0, 0)
        self.body.setSpacing(theme.gap_px * 2)
        self.body.addWidget(values, 1)
        self.body.addWidget(after)
        self.set_landscape(False)

    def set_landscape(self, landscape: bool) -> None:
        # Landscape: the values in one wide column on the left, the disclaimer and the way on
        # in a narrow column at the right. Portrait: the disclaimer on one line (the full
        # width has room) under the values, and the height goes to the rows.
        ltr, ttb = QBoxLayout.Direction.LeftToRight, QBoxLayout.Direction.TopToBottom
        self.body.setDirection(ltr if landscape else ttb)
        self._buttons.setDirection(ttb if landscape else ltr)
        self._per_page = 2 if landscape and self._theme.large_text else 0
        disclaimer = texts.DISCLAIMER
        if not landscape:
            disclaimer = Bilingual(*(line.replace("\n", " ") for line in disclaimer))
        self.disclaimer.set_text(disclaimer)
        self._narrow_after()
        self.trend.set_columns(2 if landscape else 1)
        self.risk_panel.set_landscape(landscape)
        self._place_rows()

    def _toggle(self, view: ResultsView) -> ResultsView:
        """A view's button opens it, and from it leads back to today's values."""
        return ResultsView.VALUES if self._view is view else view

    def _narrow_after(self) -> None:
        """The right-hand column of a landscape panel only as wide as its lines and buttons
        need (English as the main line wraps at its spaces there): the rows get the rest."""
        if self.body.direction() is QBoxLayout.Direction.TopToBottom:
            self._after.setMaximumWidth(QWIDGETSIZE_MAX)
            return
        language = self._language
        for widget in (self.disclaimer, self.more, self.finish, self.page_button):
            widget.set_language(language)  # before the window's pass: measured now
        text = self.disclaimer
        lines = [
            (text.en, line) for line in text.en.text().split("\n") if text.en.isVisibleTo(self)
        ]
        if language != "en":
            lines += [(text.ko, line) for line in text.ko.text().split("\n")]
        widest = max(
            (label.fontMetrics().horizontalAdvance(line) for label, line in lines), default=0
        )
        buttons = [b.sizeHint().width() for b in (self.more, self.finish)]
        for words in (texts.MORE_RESULTS, texts.EARLIER_RESULTS):  # either page's words
            self.page_button.set_text(words)
            buttons.append(self.page_button.sizeHint().width())
        self._after.setMaximumWidth(max(widest + 2, *buttons))

    def _rows_width(self) -> int:
        """The rows' width once this screen shows: the stack's (a hidden page keeps an old
        size), less the narrow column at the right in landscape (it keeps its own width)."""
        stack = self.parentWidget()
        width = stack.width() if stack is not None else self.width()
        if self.body.direction() is QBoxLayout.Direction.TopToBottom:
            return width
        after = min(self._after.sizeHint().width(), self._after.maximumWidth())
        return width - after - self.body.spacing()

    def _place_rows(self) -> None:
        for row in self.rows:
            self._rows.removeWidget(row)
        paged = 0 < self._per_page < len(self.rows)
        page = 1 if paged and self.page_button.isChecked() else 0
        per_page = self._per_page if paged else len(self.rows)
        shown = self.rows[page * per_page : (page + 1) * per_page]
        values = self._view is ResultsView.VALUES
        for row in self.rows:
            row.setVisible(values and row in shown)
        for row in shown:
            self._rows.addWidget(row)
        self.page_button.setVisible(values and paged)
        self.page_button.set_text(texts.EARLIER_RESULTS if page else texts.MORE_RESULTS)

    def apply(self, state: FlowState) -> None:
        latest: dict[str, BpResult | MeasurementResult] = {}
        for result in state.results:
            latest[result.reading.kind] = result  # one row per kind: the newest reading
        ids = tuple(r.measurement_id for r in latest.values())
        if state.step is not Step.RESULTS:
            self.page_button.setChecked(False)  # the next visit starts on the first page
        if ids != self._shown or state.language.value != self._language:
            for row in self.rows:
                row.setParent(None)
                row.deleteLater()
            self.rows = [ResultRow(self._theme, r, i) for i, r in enumerate(latest.values())]
            self._shown, self._language = ids, state.language.value
            self._narrow_after()
            for row in self.rows:
                row.set_language(state.language.value)
                # Laid out at the panel's width already (shown or not): arranged before the
                # first frame, not on a later resize.
                row.fit(self._rows_width())
        self._apply_extras(state)

    def _apply_extras(self, state: FlowState) -> None:
        view = self._view = state.results_view
        titles = {
            ResultsView.VALUES: texts.RESULTS_TITLE,
            ResultsView.TREND: texts.TREND_TITLE,
            ResultsView.RISK: texts.RISK_TITLE,
        }
        self.title.set_text(titles[view])
        # Only today's values need the title: each chart, the estimate's band and the
        # questions say what they are, and the room goes to them. In large text the two
        # views' buttons need the title's room in the row (they say what is on offer).
        crowded = self._theme.large_text and state.history is not None
        self.title.setVisible(view is ResultsView.VALUES and not crowded)
        self._place_rows()
        self.empty.setVisible(view is ResultsView.VALUES and not self.rows)
        self.trend.setVisible(view is ResultsView.TREND)
        self.risk_panel.setVisible(view is ResultsView.RISK)
        # The charts and the estimate get the whole screen; "today's results" (or "skip")
        # leads back to the disclaimer, "measure more" and "finish". The estimate carries its
        # own non-diagnostic sentence.
        self._after.setVisible(view is ResultsView.VALUES)
        self.trend.apply(state)
        self.risk_panel.apply(state)
        # Guests have no history to show; a skipped estimate is not offered again.
        risk_view = view is ResultsView.RISK  # the panel has its own "skip" and "back"
        self.trend_button.setVisible(state.history is not None and not risk_view)
        self.risk_button.setVisible(state.risk_step is not RiskStep.SKIPPED and not risk_view)
        back = texts.BACK_TO_TODAY
        trend = back if view is ResultsView.TREND else texts.SEE_TREND
        risk = back if view is ResultsView.RISK else texts.SEE_RISK
        if self._theme.large_text:
            # Large English: two short lines each ("Earlier / visits"), or the two buttons
            # are wider than an upright panel.
            trend, risk = (Bilingual(t.ko, t.en.replace(" ", "\n", 1)) for t in (trend, risk))
        self.trend_button.set_text(trend)
        self.risk_button.set_text(risk)


class FinishScreen(QWidget):
    """Where the results went (sent, waiting for the network, or kept here for a guest), and
    the optional printed summary."""

    def __init__(
        self, theme: Theme, flow: VisitFlow, post: Post, printer: SummaryPrinter | None = None
    ) -> None:
        super().__init__()
        self.sync = _text(theme, "syncState", TextRole.MESSAGE)
        self.thanks = _text(theme, "thanks")
        self.thanks.set_text(texts.THANKS)
        self.printer = printer
        self.print_button = BilingualButton(theme, texts.PRINT, name="printSummary", primary=False)
        self.print_button.clicked.connect(self._print)
        self.print_button.setVisible(False)
        if printer is not None:
            printer.finished.connect(self._printed)
        self.last_print: PrintOutcome | None = None
        self.done = BilingualButton(theme, texts.DONE, name="done", primary=True)
        self.done.clicked.connect(lambda: post(flow.reset))
        layout = _column(self, theme)
        layout.addStretch(1)
        layout.addWidget(self.sync)
        layout.addWidget(self.thanks)
        layout.addStretch(1)
        layout.addWidget(self.print_button)
        layout.addWidget(self.done)
        self._state: FlowState | None = None
        self._printing = False

    def _print(self) -> None:
        state = self._state
        if self.printer is None or state is None or self._printing:
            return
        self._printing = True
        self.print_button.set_text(texts.PRINTING)
        self.print_button.setEnabled(False)
        self.printer.print_results(state.results, datetime.now())

    def _printed(self, outcome: PrintOutcome) -> None:  # GUI thread (queued)
        self.last_print = outcome
        if not self._printing:
            return  # the visitor has gone; the next one sees a fresh button
        self._printing = False
        if outcome.error is not None:
            self.print_button.set_text(texts.PRINT_FAILED)
        else:
            self.print_button.set_text(texts.PRINTED if outcome.printed else texts.PRINT_SAVED)

    def apply(self, state: FlowState) -> None:
        self._state = state
        sync = {
            SyncState.KEPT_HERE: texts.KEPT_HERE,
            SyncState.SENDING: texts.SYNC_SENDING,
            SyncState.SENT: texts.SYNC_SENT,
            SyncState.WAITING_NETWORK: texts.SYNC_WAITING,
            SyncState.HELD: texts.SYNC_HELD,
        }.get(state.sync)
        if sync is None:  # nothing measured, or a guest before the flow knew
            guest = state.visitor_kind in (None, VisitorKind.GUEST)
            sync = texts.KEPT_HERE if guest and state.results else texts.NO_RESULTS
        self.sync.set_text(sync)
        at_finish = state.step is Step.FINISH
        self.print_button.setVisible(self.printer is not None and bool(state.results))
        if not at_finish:
            self._printing = False
            self.print_button.set_text(texts.PRINT)
            self.print_button.setEnabled(True)


class StaffScreen(QFrame):
    """A crisis reading: calm, no flashing, no numbers to alarm; staff reset it."""

    def __init__(self, theme: Theme, flow: VisitFlow, post: Post) -> None:
        super().__init__()
        self.setObjectName("staffScreen")
        self.setStyleSheet(
            f"QFrame#staffScreen {{ background-color: {theme.palette.STAFF_BANNER};"
            f" border-radius: {theme.metrics.px(4)}px; }}"
        )
        self.message = BilingualText(
            theme, name="staffComing", ko_role=TextRole.MESSAGE, colour=theme.palette.ON_COLOUR,
            en_colour=theme.palette.ON_COLOUR,
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
