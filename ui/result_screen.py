"""The visitor's blood-pressure screen: one measurement, big numbers, a plain-language band.

It renders what the :class:`~ui.bridge.ModelBridge` reports and keeps nothing but what is on
screen: the category, colour and alert all come from the kiosk's classification.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.scoring.bp import Alert
from ui import texts
from ui.texts import Bilingual
from ui.theme import TextRole, Theme
from ui.widgets import BilingualText

if TYPE_CHECKING:
    from kiosk.session import BpResult, RetryRequest, Visit
    from ui.bridge import ModelBridge


# The advice column beside the result figures on a landscape panel, at most: what is left of
# a 21.5" Full-HD panel beside the header column and the 36 mm figures.
ADVICE_COLUMN_MM = 163.0


class ScreenState(enum.Enum):
    IDLE = "idle"  # no visit: invite the visitor to start
    WAITING = "waiting"  # consented visit, no reading yet: how to put the cuff on
    RESULT = "result"
    RETRY = "retry"  # the kiosk rejected a reading: kindly ask for another


def _band(name: str, colour: str, radius: int, pad: int) -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame()
    frame.setObjectName(name)
    frame.setStyleSheet(
        f"QFrame#{name} {{ background-color: {colour}; border-radius: {radius}px; }}"
    )
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(pad, pad, pad, pad)
    return frame, layout


class ResultScreen(QWidget):
    """Shows the latest blood-pressure result of the current visit, or what to do next."""

    def __init__(
        self, bridge: ModelBridge, *, theme: Theme | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._theme = theme = theme or Theme()
        self._state = ScreenState.IDLE
        # Only which visit the banner belongs to: staff stay called for the rest of that visit,
        # even if a later reading is calmer.
        self._staff_visit_id: str | None = None
        self._compact = False
        self._advice = Bilingual("", "")

        self.setObjectName("resultScreen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        colours = theme.palette
        self.setStyleSheet(f"QWidget#resultScreen {{ background-color: {colours.BACKGROUND}; }}")
        radius, pad = theme.metrics.px(4), theme.metrics.px(4)
        # The mode's colours under the names the standard palette's constants had.
        TEXT, TEXT_SECONDARY, ON_COLOUR = colours.TEXT, colours.TEXT_SECONDARY, colours.ON_COLOUR

        self.title = BilingualText(
            theme, name="title", ko_role=TextRole.TITLE, colour=TEXT, en_colour=TEXT_SECONDARY
        )
        self.title.set_text(texts.TITLE)

        self.staff_banner, banner_layout = _band("staffBanner", colours.STAFF_BANNER, radius, pad)
        self.staff_text = BilingualText(
            theme, name="staffText", ko_role=TextRole.TITLE, colour=ON_COLOUR, en_colour=ON_COLOUR
        )
        self.staff_banner.setAccessibleName(texts.spoken(texts.STAFF_NOW.ko))
        banner_layout.addWidget(self.staff_text)
        self.staff_banner.setVisible(False)

        # --- message page: idle, waiting and retry share one calm layout ------------------
        self.message = BilingualText(
            theme, name="message", ko_role=TextRole.MESSAGE, colour=TEXT, en_colour=TEXT_SECONDARY
        )
        self.hint = BilingualText(
            theme, name="hint", ko_role=TextRole.BODY, colour=TEXT, en_colour=TEXT_SECONDARY
        )
        message_page = QWidget()
        message_layout = QVBoxLayout(message_page)
        message_layout.setContentsMargins(0, 0, 0, 0)
        message_layout.setSpacing(theme.metrics.px(12))
        message_layout.addStretch(1)
        message_layout.addWidget(self.message)
        message_layout.addWidget(self.hint)
        message_layout.addStretch(2)

        # --- result page ------------------------------------------------------------------
        self.bp_value = QLabel()
        self.bp_value.setObjectName("bpValue")
        # Rich text so "mmHg" shares the numbers' baseline at a smaller size.
        self.bp_value.setTextFormat(Qt.TextFormat.RichText)
        self.bp_value.setFont(theme.font(TextRole.VALUE))
        self.bp_value.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.bp_value.setStyleSheet(f"color: {TEXT}; background: transparent;")

        self.pulse = BilingualText(
            theme, name="pulse", ko_role=TextRole.BODY, colour=TEXT, en_colour=TEXT_SECONDARY
        )
        self.category_band, band_layout = _band("categoryBand", colours.BACKGROUND, radius, pad)
        self.category = BilingualText(
            theme,
            name="category",
            ko_role=TextRole.CATEGORY,
            colour=ON_COLOUR,
            en_colour=ON_COLOUR,
        )
        band_layout.addWidget(self.category)
        self.advice = BilingualText(
            theme, name="advice", ko_role=TextRole.BODY, colour=TEXT, en_colour=TEXT_SECONDARY
        )
        self.disclaimer = BilingualText(
            theme,
            name="disclaimer",
            ko_role=TextRole.BODY,
            colour=TEXT_SECONDARY,
            en_colour=TEXT_SECONDARY,
        )
        self.disclaimer.set_text(texts.DISCLAIMER)

        # Two groups: what was measured, and what it means. Stacked on a portrait panel, side
        # by side on a landscape one (set_landscape), so neither orientation needs scrolling.
        measured = QWidget()
        self._measured = measured_layout = QVBoxLayout(measured)
        measured_layout.setContentsMargins(0, 0, 0, 0)
        measured_layout.setSpacing(theme.metrics.px(3))
        measured_layout.addStretch(1)
        measured_layout.addWidget(self.bp_value)
        measured_layout.addWidget(self.pulse)
        measured_layout.addStretch(1)
        meaning = QWidget()
        self._meaning = meaning_layout = QVBoxLayout(meaning)
        meaning_layout.setContentsMargins(0, 0, 0, 0)
        meaning_layout.setSpacing(theme.metrics.px(4))
        meaning_layout.addStretch(1)
        meaning_layout.addWidget(self.category_band)
        meaning_layout.addWidget(self.advice)
        meaning_layout.addWidget(self.disclaimer)
        meaning_layout.addStretch(1)

        result_page = QWidget()
        self._result_body = QBoxLayout(QBoxLayout.Direction.TopToBottom, result_page)
        self._result_body.setContentsMargins(0, 0, 0, 0)
        self._result_body.setSpacing(theme.metrics.px(8))
        self._result_body.addStretch()
        self._result_body.addWidget(measured)
        self._result_body.addWidget(meaning)
        self._result_body.addStretch()

        self._pages = QStackedWidget()
        self._message_page = self._pages.addWidget(message_page)
        self._result_page = self._pages.addWidget(result_page)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)  # the window owns the outer margin
        layout.setSpacing(theme.metrics.px(6))
        layout.addWidget(self.title)
        layout.addWidget(self.staff_banner)
        layout.addWidget(self._pages, 1)

        self.set_landscape(False)
        bridge.visit_changed.connect(self.show_visit)
        bridge.result_added.connect(self.show_result)
        bridge.retry_requested.connect(self.show_retry)
        self.show_visit(bridge.current_visit())

    @property
    def state(self) -> ScreenState:
        return self._state

    @property
    def theme(self) -> Theme:
        return self._theme

    @property
    def landscape(self) -> bool:
        return self._result_body.direction() is QBoxLayout.Direction.LeftToRight

    def set_landscape(self, landscape: bool) -> None:
        """Numbers beside their meaning (landscape) or above it (portrait)."""
        body = self._result_body
        body.setDirection(
            QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom
        )
        # Portrait: the two groups sit together in the middle (spare height goes to the outer
        # stretches). Landscape: each group takes half the width.
        outer, inner = (0, 1) if landscape else (1, 0)
        for index, factor in enumerate((outer, inner, inner, outer)):
            body.setStretch(index, factor)
        # Landscape: the disclaimer under the pulse, so the meaning column keeps the height for
        # the band and the advice (large text needs all of 1080 px otherwise).
        for column in (self._measured, self._meaning):
            column.removeWidget(self.disclaimer)
        column = self._measured if landscape else self._meaning
        column.insertWidget(column.count() - 1, self.disclaimer)
        self._set_staff_text(landscape)
        self._show_advice()

    def _show_advice(self) -> None:
        advice = self._advice
        if self.landscape and advice.ko:
            # Beside the 36 mm figures the column is narrower than the hand-broken lines: at
            # most ADVICE_COLUMN_MM wide (the figures take the rest of a 21.5" panel).
            theme = self._theme
            ems = theme.metrics.px(ADVICE_COLUMN_MM) / theme.text_px(TextRole.BODY)
            advice = Bilingual(texts.break_long_lines(advice.ko, ems), advice.en)
        self.advice.set_text(advice)

    def _set_staff_text(self, landscape: bool) -> None:
        # A wide panel has room for the banner on one line, and its height is what is scarce.
        ko = texts.STAFF_NOW.ko.replace("\n", " ") if landscape else texts.STAFF_NOW.ko
        self.staff_text.set_text(Bilingual(ko, texts.STAFF_NOW.en))

    # --- slots: called on the GUI thread by the bridge ------------------------------------
    def show_visit(self, visit: Visit | None) -> None:
        if visit is None or visit.id != self._staff_visit_id:
            self._staff_visit_id = None
            self._show_staff_banner(False)
        if visit is not None and any(
            r.classification.alert is Alert.STAFF_NOW for r in visit.results
        ):
            # First paint mid-visit: staff were already called for an earlier reading.
            self._staff_visit_id = visit.id
            self._show_staff_banner(True)
        if visit is None or not visit.consented:
            # Readings are dropped until consent (PIPA), so there is nothing to measure yet.
            # The last visitor's figures go too, even from the hidden result page.
            self.bp_value.clear()
            self.bp_value.setAccessibleName("")
            for text in (self.pulse, self.category, self.advice):
                text.set_text(Bilingual("", ""))
            self._advice = Bilingual("", "")
            self._show_message(ScreenState.IDLE, texts.IDLE, None)
        elif visit.results:
            self.show_result(visit.results[-1])
        else:
            self._show_message(ScreenState.WAITING, texts.WAITING, texts.WAITING_HINT)

    def show_result(self, result: BpResult) -> None:
        c = result.classification
        unit_px = self._theme.text_px(TextRole.UNIT)
        self.bp_value.setText(
            f"{c.systolic} / {c.diastolic}"
            f'<span style="font-size:{unit_px}px; font-weight:400;">&nbsp;mmHg</span>'
        )
        name = texts.KIND_NAMES["blood_pressure"].ko
        self.bp_value.setAccessibleName(f"{name} {c.systolic} / {c.diastolic} mmHg")

        pulse = result.reading.pulse_rate
        if pulse is None:
            self.pulse.hide()
        else:
            self.pulse.set_text(texts.pulse_text(round(pulse)))
            self.pulse.show()

        label = c.text
        self.category.set_text(Bilingual(label.ko, label.en))
        colours = self._theme.palette
        # High contrast: a white edge, so a dark band still stands out from the black.
        edge = f" border: {colours.border_px}px solid {colours.PANEL_BORDER};"
        self.category_band.setStyleSheet(
            f"QFrame#categoryBand {{ background-color: {colours.band_colour(label.colour)};"
            f"{edge if self._theme.high_contrast else ''}"
            f" border-radius: {self._theme.metrics.px(4)}px; }}"
        )
        self.category_band.setAccessibleName(label.ko)
        self.category_band.setAccessibleDescription(label.en)
        self._advice = texts.advice_for(c.category, c.alert)
        self._show_advice()

        if c.alert is Alert.STAFF_NOW:
            self._staff_visit_id = result.visit_id
            self._show_staff_banner(True)
        self._state = ScreenState.RESULT
        self._pages.setCurrentIndex(self._result_page)

    def show_retry(self, request: RetryRequest) -> None:
        if request.visit_id is None:
            # Bad bytes with no visit in progress: nobody is measuring, so the start screen stays.
            # Staff see the quarantined bytes on their own screen.
            return
        # Only the kind visitor message: request.detail and request.advice are for staff.
        message = Bilingual(
            texts.one_sentence_per_line(request.message_ko),
            texts.one_sentence_per_line(request.message_en),
        )
        self._show_message(ScreenState.RETRY, message, texts.RETRY_HINT)

    def _show_message(self, state: ScreenState, text: Bilingual, hint: Bilingual | None) -> None:
        self.message.set_text(text)
        if hint is None:
            self.hint.hide()
        else:
            self.hint.set_text(hint)
            self.hint.show()
        self._state = state
        self._pages.setCurrentIndex(self._message_page)

    def _show_staff_banner(self, visible: bool) -> None:
        # The banner takes the title's place: it is the most important line on the screen then,
        # and the space keeps everything on one screen without scrolling.
        self.staff_banner.setVisible(visible)
        self.title.setVisible(not visible and not self._compact)

    def set_compact(self, compact: bool) -> None:
        """Without the title: a landscape panel showing a result needs the height."""
        self._compact = compact
        self.title.setVisible(not compact and self.staff_banner.isHidden())
