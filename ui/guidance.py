"""Choosing measurements and the guidance for each device (issue 7 item 1).

:class:`ChooseScreen` offers the kinds this kiosk has devices for, and one big "check everything".
:class:`GuidancePanel` shows, for the kind being measured, a simple high-contrast picture drawn
with QPainter (no image files), the one instruction in large text, the live state the core
reports, and the live cuff pressure while the cuff inflates. Both only draw
:class:`~kiosk.visit_flow.FlowState` and post intent.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk.visit_flow import MEASURE_ORDER, FlowState, Guide, MeasureKind, Step, VisitFlow
from ui import texts
from ui.texts import Bilingual
from ui.theme import TextRole, TextStyle, Theme
from ui.widgets import BilingualButton, BilingualText, make_label

Post = Callable[..., None]


def _text(theme: Theme, name: str, role: TextStyle = TextRole.BODY) -> BilingualText:
    colours = theme.palette
    return BilingualText(
        theme, name=name, ko_role=role, colour=colours.TEXT, en_colour=colours.TEXT_SECONDARY
    )


class ChooseScreen(QWidget):
    """Large on/off buttons per kind (the state in words, not colour alone) and "check all"."""

    def __init__(self, theme: Theme, flow: VisitFlow, post: Post) -> None:
        super().__init__()
        self.message = _text(theme, "chooseMessage", TextRole.MESSAGE)
        self.message.set_text(texts.CHOOSE)
        self.kinds: dict[MeasureKind, BilingualButton] = {}
        choices = QVBoxLayout()
        choices.setSpacing(theme.gap_px)
        for kind in MEASURE_ORDER:
            button = BilingualButton(
                theme, texts.choice_text(kind.value, False), name=f"choose_{kind.value}",
                primary=False,
            )  # fmt: skip
            button.setCheckable(True)
            button.toggled.connect(lambda on, k=kind: self._toggled(k, on))
            choices.addWidget(button)
            self.kinds[kind] = button
        self.check_all = BilingualButton(theme, texts.CHECK_ALL, name="checkAll", primary=True)
        self.check_all.clicked.connect(lambda: post(flow.choose_all))
        self.measure_chosen = BilingualButton(
            theme, texts.MEASURE_CHOSEN, name="measureChosen", primary=False
        )
        self.measure_chosen.clicked.connect(lambda: post(flow.choose, self.selected()))
        self.measure_chosen.setEnabled(False)
        actions = QVBoxLayout()
        actions.setSpacing(theme.gap_px * 2)
        actions.addStretch(1)
        actions.addWidget(self.measure_chosen)
        actions.addWidget(self.check_all)
        # Portrait: the choices above the two ways on. Landscape: side by side, under the
        # question, so the question keeps the whole width.
        self.buttons = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.buttons.setSpacing(theme.gap_px * 2)
        self.buttons.addLayout(choices)
        self.buttons.addLayout(actions)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(theme.gap_px * 2)
        layout.addStretch(1)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addLayout(self.buttons)
        self._landscape, self._english, self._large = False, False, theme.large_text

    def selected(self) -> tuple[MeasureKind, ...]:
        return tuple(k for k, b in self.kinds.items() if b.isVisible() and b.isChecked())

    def _toggled(self, kind: MeasureKind, on: bool) -> None:
        self.kinds[kind].set_text(texts.choice_text(kind.value, on))
        self.measure_chosen.setEnabled(any(b.isChecked() for b in self.kinds.values()))

    def set_landscape(self, landscape: bool) -> None:
        self._landscape = landscape
        self._arrange()

    def _arrange(self) -> None:
        ltr, ttb = QBoxLayout.Direction.LeftToRight, QBoxLayout.Direction.TopToBottom
        # Large English buttons are too wide for two columns: one column, as in portrait.
        beside = self._landscape and not (self._large and self._english)
        self.buttons.setDirection(ltr if beside else ttb)

    def apply(self, state: FlowState) -> None:
        english = state.language.value == "en"
        if english is not self._english:
            self._english = english
            self._arrange()
        for kind, button in self.kinds.items():
            button.setVisible(kind in state.available)
            if state.step is not Step.CHOOSE:
                button.setChecked(False)  # every choice starts afresh


# --- pictograms ----------------------------------------------------------------------------
class Pictogram(QWidget):
    """A plain, high-contrast drawing of what to do with one device; no motion, no image files."""

    def __init__(self, theme: Theme, *, size_mm: float = 80.0) -> None:
        super().__init__()
        self.setObjectName("pictogram")
        self._theme = theme
        self.kind: MeasureKind | None = None
        self._side = theme.metrics.px(size_mm)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def set_kind(self, kind: MeasureKind | None) -> None:
        if kind is not self.kind:
            self.kind = kind
            name = texts.PICTURE_NAMES[kind.value] if kind is not None else None
            self.setAccessibleName(f"{name.ko} / {name.en}" if name is not None else "")
            self.update()

    def set_size_mm(self, size_mm: float) -> None:
        self._side = self._theme.metrics.px(size_mm)
        self.updateGeometry()

    def sizeHint(self) -> QSize:
        return QSize(self._side, self._side)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def paintEvent(self, _event: QPaintEvent) -> None:
        colours = self._theme.palette
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(colours.BACKGROUND))
        side = min(self.width(), self.height())
        painter.translate((self.width() - side) / 2, (self.height() - side) / 2)
        painter.scale(side / 100.0, side / 100.0)  # draw in a 100 × 100 box
        ink, accent = QColor(colours.TEXT), QColor(colours.PRIMARY)
        paper = QColor(colours.BACKGROUND)
        pen = QPen(ink, 3.0)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        if self.kind is MeasureKind.BLOOD_PRESSURE:
            _draw_arm_with_cuff(painter, ink, accent, paper)
        elif self.kind is MeasureKind.GLUCOSE:
            _draw_meter_and_finger(painter, ink, accent, paper, QColor(colours.BAND_HIGH))
        elif self.kind is MeasureKind.BODY:
            _draw_feet_on_scale(painter, ink, accent, paper)
        painter.end()


def _draw_arm_with_cuff(p: QPainter, ink: QColor, accent: QColor, paper: QColor) -> None:
    # Upper arm hanging down, forearm resting forward on the table; the cuff on the upper arm.
    arm = QPainterPath()
    arm.moveTo(18, 8)
    arm.lineTo(36, 8)
    arm.lineTo(36, 58)
    arm.lineTo(80, 58)
    arm.quadTo(88, 66, 80, 74)
    arm.lineTo(26, 74)
    arm.quadTo(18, 74, 18, 64)
    arm.closeSubpath()
    p.setBrush(paper)
    p.drawPath(arm)
    p.setBrush(accent)
    p.drawRoundedRect(QRectF(13, 22, 28, 22), 3, 3)
    # The tube to the monitor, and the monitor with its big start button.
    p.setBrush(Qt.BrushStyle.NoBrush)
    tube = QPainterPath()
    tube.moveTo(41, 33)
    tube.cubicTo(55, 33, 55, 20, 62, 20)
    p.drawPath(tube)
    p.setBrush(paper)
    p.drawRoundedRect(QRectF(62, 8, 30, 26), 3, 3)
    p.setBrush(accent)
    p.drawEllipse(QPointF(77, 27), 4, 4)
    p.setBrush(ink)
    p.drawRect(QRectF(66, 12, 22, 7))
    p.drawLine(QPointF(8, 86), QPointF(92, 86))  # the table


def _draw_meter_and_finger(
    p: QPainter, ink: QColor, accent: QColor, paper: QColor, blood: QColor
) -> None:
    # The meter with its screen, a strip in its top, and a fingertip with a drop on the strip.
    p.setBrush(paper)
    p.drawRoundedRect(QRectF(20, 44, 36, 50), 6, 6)
    p.setBrush(ink)
    p.drawRect(QRectF(26, 52, 24, 14))
    p.setBrush(accent)
    p.drawRect(QRectF(33, 24, 10, 21))  # the strip
    finger = QPainterPath()
    finger.moveTo(92, 6)
    finger.lineTo(56, 14)
    finger.quadTo(44, 18, 48, 26)
    finger.quadTo(52, 32, 62, 28)
    finger.lineTo(96, 20)
    p.setBrush(paper)
    p.drawPath(finger)
    drop = QPainterPath()
    drop.moveTo(44, 18)
    drop.quadTo(38, 24, 42, 27)
    drop.quadTo(47, 27, 44, 18)
    p.setBrush(blood)
    p.drawPath(drop)


def _draw_feet_on_scale(p: QPainter, ink: QColor, accent: QColor, paper: QColor) -> None:
    # A scale seen from above with its display, and two bare feet with toes.
    p.setBrush(paper)
    p.drawRoundedRect(QRectF(8, 10, 84, 84), 10, 10)
    p.setBrush(ink)
    p.drawRoundedRect(QRectF(34, 16, 32, 12), 2, 2)
    p.setBrush(accent)
    for x in (22.0, 54.0):
        p.drawEllipse(QRectF(x, 40, 24, 46))
        for i, r in enumerate((4.2, 3.4, 3.0, 2.7, 2.4)):
            p.drawEllipse(QPointF(x + 4 + i * 4.2, 36 - (i % 2)), r, r)


# --- the guidance for the kind being measured ---------------------------------------------
PICTURE_MM = 80.0
PICTURE_MM_LANDSCAPE = 62.0


class GuidancePanel(QWidget):
    """Picture, instruction, live state and live cuff pressure of the kind being measured."""

    def __init__(self, theme: Theme) -> None:
        super().__init__()
        self.setObjectName("guidance")
        self.title = _text(theme, "guideTitle", TextRole.TITLE)
        self.picture = Pictogram(theme, size_mm=PICTURE_MM)
        self.instruction = _text(theme, "guideInstruction", TextRole.MESSAGE)
        self.live = _text(theme, "guideLive")
        self.cuff_value = make_label(
            theme, TextRole.VALUE, theme.palette.TEXT, name="cuffValue", wrap=False
        )
        self.cuff_caption = _text(theme, "cuffCaption")
        self.cuff_caption.set_text(texts.CUFF_PRESSURE)
        cuff = QWidget()
        cuff_layout = QVBoxLayout(cuff)
        cuff_layout.setContentsMargins(0, 0, 0, 0)
        cuff_layout.setSpacing(0)
        cuff_layout.addWidget(self.cuff_caption)
        cuff_layout.addWidget(self.cuff_value)
        self.cuff = cuff
        words = QWidget()
        words_layout = QVBoxLayout(words)
        words_layout.setContentsMargins(0, 0, 0, 0)
        words_layout.setSpacing(theme.gap_px * 2)
        words_layout.addStretch(1)
        words_layout.addWidget(self.instruction)
        words_layout.addWidget(self.live)
        words_layout.addWidget(cuff)
        words_layout.addStretch(1)
        self.body = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.body.setSpacing(theme.gap_px * 2)
        self.body.addWidget(self.picture, 0, Qt.AlignmentFlag.AlignCenter)
        self.body.addWidget(words, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(theme.gap_px)
        layout.addWidget(self.title)
        layout.addLayout(self.body, 1)
        self._theme = theme
        self.cuff.setVisible(False)

    def set_landscape(self, landscape: bool) -> None:
        ltr, ttb = QBoxLayout.Direction.LeftToRight, QBoxLayout.Direction.TopToBottom
        self.body.setDirection(ltr if landscape else ttb)
        self.picture.set_size_mm(PICTURE_MM_LANDSCAPE if landscape else PICTURE_MM)

    def apply(self, state: FlowState) -> None:
        kind = state.measuring
        self.picture.set_kind(kind)
        if kind is None:
            # Not measuring (or a new visitor): nothing of the last one stays, even hidden.
            self.cuff.setVisible(False)
            self.cuff_value.setText("")
            self.live.set_text(Bilingual("", ""))
            return
        self.title.set_text(
            texts.measuring_title(kind.value, state.position + 1, len(state.chosen))
        )
        self.instruction.set_text(texts.GUIDE_INSTRUCTION[kind.value])
        # Once the device measures or has measured, the instruction is done: the room goes
        # to what is happening now (and landscape has no more).
        # A failing device needs the visitor's choice (try again, skip), not the instruction.
        self.instruction.setVisible(state.guide in (Guide.WAITING, Guide.READY, Guide.RETRY))
        self.live.set_text(live_text(state))
        # After a result the values under the guidance say it all (and need the room).
        self.live.setVisible(state.guide is not Guide.RESULT)
        show_cuff = state.guide is Guide.MEASURING and state.cuff_mmhg is not None
        self.cuff.setVisible(show_cuff)
        # Numbers and the unit read the same in both languages.
        self.cuff_value.setText(f"{state.cuff_mmhg} mmHg" if show_cuff else "")
        self.cuff_value.setAccessibleName(self.cuff_value.text())


def live_text(state: FlowState) -> Bilingual:
    """The one line of live state under the instruction."""
    guide = state.guide
    if guide is Guide.RETRY and state.retry_ko and state.retry_en:
        return Bilingual(
            texts.one_sentence_per_line(state.retry_ko),
            texts.one_sentence_per_line(state.retry_en),
        )
    return {
        Guide.WAITING: texts.GUIDE_WAITING,
        Guide.READY: texts.GUIDE_READY,
        Guide.MEASURING: texts.GUIDE_MEASURING,
        Guide.RESULT: texts.GUIDE_DONE,
        Guide.RETRY: texts.RETRY_HINT,
        Guide.DEVICE_ERROR: texts.GUIDE_DEVICE_ERROR,
    }[guide]
