"""The optional heart-health estimate on the results screen: three short questions (birth year
on a stepper, sex, smoking), then the estimate in plain words with the non-diagnostic sentence.

It owns nothing: the answers and the estimate are in the flow state (kept for this visit only)
and every tap is posted to the flow on the runtime thread, where the model runs.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QBoxLayout, QFrame, QVBoxLayout, QWidget

from kiosk.risk_estimate import BIRTH_YEAR_START, RiskBand, RiskOutcome, RiskStep
from kiosk.visit_flow import FlowState, ResultsView, VisitFlow
from ui import texts
from ui.texts import Bilingual
from ui.theme import TextRole, TextStyle, Theme
from ui.widgets import BilingualButton, BilingualText

Post = Callable[..., None]

_OUTCOME_WORDS: dict[RiskOutcome, Bilingual] = {
    RiskOutcome.NEEDS_BP: texts.RISK_NEEDS_BP,
    RiskOutcome.NEEDS_SCALE: texts.RISK_NEEDS_SCALE,
    RiskOutcome.NOT_FOR_AGE: texts.RISK_NOT_FOR_AGE,
    RiskOutcome.UNAVAILABLE: texts.RISK_UNAVAILABLE,
}
_STEPS = (-10, -1, 1, 10)


def estimate_words(state: FlowState, *, narrow: bool = False) -> tuple[Bilingual, Bilingual] | None:
    """(band and number, notes) of the estimate in the state; notes always carry the
    non-diagnostic sentence. None while nothing is estimated."""
    risk = state.risk
    if risk is None:
        return None
    if risk.outcome is not RiskOutcome.ESTIMATE or risk.per_100 is None or risk.band is None:
        return None
    band = (texts.RISK_BANDS_NARROW if narrow else texts.RISK_BANDS)[risk.band.value]
    number = texts.risk_number_text(risk.per_100, narrow=narrow)
    headline = Bilingual(f"{band.ko}\n{number.ko}", f"{band.en}\n{number.en}")
    note = texts.RISK_NOT_DIAGNOSIS_NARROW if narrow else texts.RISK_NOT_DIAGNOSIS
    model = texts.RISK_MODEL_NOTE_NARROW if narrow else texts.RISK_MODEL_NOTE
    return headline, Bilingual(f"{note.ko}\n{model.ko}", f"{note.en}\n{model.en}")


def _two_lines(text: str) -> tuple[str, str]:
    first, _, rest = text.partition("\n")
    return first, rest.replace("\n", " ")


class RiskPanel(QWidget):
    def __init__(self, theme: Theme, flow: VisitFlow, post: Post) -> None:
        super().__init__()
        self._theme = theme
        palette = theme.palette

        def text(name: str, colour: str, role: TextStyle = TextRole.BODY) -> BilingualText:
            return BilingualText(
                theme,
                name=name,
                ko_role=role,
                colour=colour,
                en_colour=colour if colour != palette.TEXT else palette.TEXT_SECONDARY,
            )

        # --- the questions --------------------------------------------------------------
        self.ask = QWidget()
        self.question = text("riskQuestion", palette.TEXT)
        self.question.set_text(texts.RISK_QUESTION)
        self.year_buttons: dict[int, BilingualButton] = {}
        year_row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        year_row.setSpacing(theme.gap_px)
        self.year = text("riskBirthYear", palette.TEXT, TextRole.TITLE)
        for delta in _STEPS:
            label = f"+{delta}" if delta > 0 else f"−{-delta}"
            button = BilingualButton(
                theme,
                Bilingual(label, ""),
                name=f"riskYear{'Plus' if delta > 0 else 'Minus'}{abs(delta)}",
                primary=False,
            )
            button.clicked.connect(lambda _c=False, d=delta: post(flow.risk_birth_year, d))
            self.year_buttons[delta] = button
        year_row.addWidget(self.year_buttons[-10])
        year_row.addWidget(self.year_buttons[-1])
        year_row.addWidget(self.year, 1)
        year_row.addWidget(self.year_buttons[1])
        year_row.addWidget(self.year_buttons[10])
        self.male = BilingualButton(theme, texts.SEX_MALE, name="riskMale", primary=False)
        self.female = BilingualButton(theme, texts.SEX_FEMALE, name="riskFemale", primary=False)
        self.male.clicked.connect(lambda: post(flow.risk_sex, "M"))
        self.female.clicked.connect(lambda: post(flow.risk_sex, "F"))
        self.smoker = BilingualButton(theme, texts.SMOKER_YES, name="riskSmoker", primary=False)
        self.non_smoker = BilingualButton(
            theme, texts.SMOKER_NO, name="riskNonSmoker", primary=False
        )
        self.smoker.clicked.connect(lambda: post(flow.risk_smoker, True))
        self.non_smoker.clicked.connect(lambda: post(flow.risk_smoker, False))
        self.skip = BilingualButton(theme, texts.RISK_SKIP, name="riskSkip", primary=False)
        self.skip.clicked.connect(lambda: post(flow.risk_skip))
        self.see = BilingualButton(theme, texts.RISK_SEE, name="riskSee", primary=True)
        self.see.clicked.connect(lambda: post(flow.risk_submit))
        self._choices = {
            self.male: texts.SEX_MALE,
            self.female: texts.SEX_FEMALE,
            self.smoker: texts.SMOKER_YES,
            self.non_smoker: texts.SMOKER_NO,
        }
        self._base_style = {b: b.styleSheet() for b in self._choices}
        ask = QVBoxLayout(self.ask)
        ask.setContentsMargins(0, 0, 0, 0)
        ask.setSpacing(theme.gap_px)
        ask.addWidget(self.question)
        ask.addLayout(year_row)
        # Sex above smoking, or both on one row on a landscape panel (1080 px of height).
        self._answers = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self._answers.setSpacing(theme.gap_px)
        for pair in ((self.male, self.female), (self.smoker, self.non_smoker)):
            row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
            row.setSpacing(theme.gap_px)
            for button in pair:
                row.addWidget(button)
            self._answers.addLayout(row)
        ask.addLayout(self._answers)
        actions = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        actions.setSpacing(theme.gap_px)
        actions.addWidget(self.skip)
        actions.addWidget(self.see)
        ask.addLayout(actions)

        # --- the estimate -----------------------------------------------------------------
        self.result = QWidget()
        self.band = QFrame()
        self.band.setObjectName("riskBand")
        self.headline = text("riskHeadline", palette.ON_COLOUR)
        band_layout = QVBoxLayout(self.band)
        pad = theme.metrics.px(3)
        band_layout.setContentsMargins(pad, pad, pad, pad)
        band_layout.addWidget(self.headline)
        self.notes = text("riskNotes", palette.TEXT)
        result = QVBoxLayout(self.result)
        result.setContentsMargins(0, 0, 0, 0)
        result.setSpacing(theme.gap_px)
        self.back = BilingualButton(theme, texts.BACK_TO_TODAY, name="riskBack", primary=True)
        self.back.clicked.connect(lambda: post(flow.show_results_view, ResultsView.VALUES))
        # Band above the notes and the way back, or beside them on a landscape panel (1080 px
        # of height): the band in a narrow column, the notes and the way back at its right.
        self._result_row = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self._result_row.setSpacing(theme.gap_px)
        self._result_row.addWidget(self.band)
        after = QVBoxLayout()
        after.setSpacing(theme.gap_px)
        after.addWidget(self.notes)
        after.addStretch(1)
        after.addWidget(self.back)
        self._result_row.addLayout(after, 1)
        result.addLayout(self._result_row)

        self._narrow = False
        self._state: FlowState | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.ask)
        layout.addWidget(self.result)

    def set_landscape(self, landscape: bool) -> None:
        ltr, ttb = QBoxLayout.Direction.LeftToRight, QBoxLayout.Direction.TopToBottom
        self._result_row.setDirection(ltr if landscape else ttb)
        self._answers.setDirection(ltr if landscape else ttb)
        # A wide panel has room for the last two lines of the question as one.
        question = texts.RISK_QUESTION
        if landscape:
            question = Bilingual(*("\n".join(_two_lines(t)) for t in question))
        self.question.set_text(question)
        self._narrow = landscape
        if self._state is not None:
            self.apply(self._state)

    def _band_colour(self, band: RiskBand) -> str:
        palette = self._theme.palette
        if band is RiskBand.LOW:
            return palette.BAND_GOOD
        if band is RiskBand.MODERATE:
            return palette.BAND_WATCH
        return palette.BAND_HIGH

    def _mark(self, button: BilingualButton, chosen: bool) -> None:
        words = self._choices[button]
        button.set_text(texts.checked_text(words) if chosen else words)
        palette = self._theme.palette
        extra = (
            f"QPushButton#{button.objectName()} {{ background: {palette.SECONDARY_PRESSED};"
            f" border: {palette.focus_px}px solid {palette.PANEL_BORDER}; }}"
            if chosen
            else ""
        )
        button.setStyleSheet(self._base_style[button] + extra)

    def apply(self, state: FlowState) -> None:
        self._state = state  # the last drawn state, to redraw on a turn of the panel
        asking = state.risk_step is RiskStep.ASK
        self.ask.setVisible(asking)
        self.result.setVisible(state.risk_step is RiskStep.SHOWN)
        answers = state.risk_answers
        self.year.set_text(texts.birth_year_text(answers.birth_year or BIRTH_YEAR_START))
        self._mark(self.male, answers.sex == "M")
        self._mark(self.female, answers.sex == "F")
        self._mark(self.smoker, answers.smoker is True)
        self._mark(self.non_smoker, answers.smoker is False)
        # "See the estimate" appears once all three are answered (the year always is).
        self.see.setVisible(answers.complete)
        words = estimate_words(state, narrow=self._narrow)
        # The notes have the wide column beside a narrow band: their lines as in portrait.
        wide = estimate_words(state)
        risk = state.risk
        self.band.setVisible(words is not None)
        if words is not None and wide is not None and risk is not None and risk.band is not None:
            self.headline.set_text(words[0])
            notes = wide[1]
            if self._narrow:
                # Beside the band the notes' column is what the band leaves; large text needs
                # some of their lines broken once more.
                room = self.width() - self.band.sizeHint().width() - self._theme.gap_px
                ems = room / self._theme.text_px(TextRole.BODY)
                notes = Bilingual(texts.break_long_lines(notes.ko, ems), notes.en)
            self.notes.set_text(notes)
            self.band.setStyleSheet(
                f"QFrame#riskBand {{ background-color: {self._band_colour(risk.band)};"
                f" border-radius: {self._theme.metrics.px(3)}px; }}"
            )
        elif risk is not None:
            self.notes.set_text(_OUTCOME_WORDS.get(risk.outcome, texts.RISK_UNAVAILABLE))
        else:
            self.headline.set_text(Bilingual("", ""))
            self.notes.set_text(Bilingual("", ""))
        for child in (self.question, self.year, self.headline, self.notes):
            child.set_language(state.language.value)
        for button in (*self.year_buttons.values(), *self._choices, self.skip, self.see, self.back):
            button.set_language(state.language.value)
