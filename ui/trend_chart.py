"""A returning visitor's earlier results as a simple line chart, one per kind.

Drawn with QPainter from the immutable :class:`~kiosk.history.VisitorHistory` in the flow state
(plus today's value): no state of its own. Visits are evenly spaced left to right, oldest
first; every label is at least the body text size (no small print for older eyes), and a date
label is left out rather than drawn over its neighbour.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QGridLayout, QSizePolicy, QVBoxLayout, QWidget

from devices.readings import GlucoseReading, WeightReading
from kiosk.history import TREND_KINDS, TrendPoint, VisitorHistory
from kiosk.session import BpResult, MeasurementResult
from kiosk.visit_flow import FlowState
from ui import texts
from ui.texts import Bilingual
from ui.theme import TextRole, Theme
from ui.widgets import BilingualText

# Extra plot height a chart asks for beyond its minimum, when the screen has room.
EXTRA_PLOT_MM = 20.0


@dataclass(frozen=True, slots=True)
class ChartData:
    """What one chart draws: earlier points, today's (if measured), the title and its band."""

    kind: str
    points: tuple[TrendPoint, ...]
    today: TrendPoint | None
    title: Bilingual
    band_colour: str  # today's category colour, or the neutral band
    language: str = "ko"


class TrendChart(QWidget):
    def __init__(self, theme: Theme, *, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self._theme = theme
        self._data: ChartData | None = None
        self.label_font: QFont = theme.font(TextRole.BODY)
        self.title_font: QFont = theme.font(TextRole.TITLE)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_data(self, data: ChartData) -> None:
        self._data = data
        self.updateGeometry()  # the minimum height depends on the number of lines
        name = data.title.en if data.language == "en" else data.title.ko
        self.setAccessibleName(texts.spoken(name))
        self.update()

    @property
    def data(self) -> ChartData | None:
        return self._data

    def sizeHint(self) -> QSize:
        extra = self._theme.metrics.px(EXTRA_PLOT_MM)
        least = self.minimumSizeHint()
        return QSize(max(self._theme.metrics.px(120), least.width()), least.height() + extra)

    def minimumSizeHint(self) -> QSize:
        """From the fonts, so large text never squeezes the plot away: the title band, half a
        label above and below the plot, the dates, and a plot with room for one written
        value per line (blood pressure writes two at each end)."""
        label = QFontMetrics(self.label_font).height()
        lines = len(self._all_points()[0].values) if self._all_points() else 1
        plot = label * lines if lines > 1 else label // 2
        height = self._title_rect().height() + self._theme.metrics.px(3) + 2 * label + plot
        # The title is drawn, not a label: the chart is never narrower than it.
        data = self._data
        words = "" if data is None else data.title.en if data.language == "en" else data.title.ko
        title = QFontMetrics(self.title_font).horizontalAdvance(words)
        width = max(self._theme.metrics.px(90), title + 2 * self._theme.metrics.px(3))
        return QSize(width, int(height))

    # --- geometry, shared by painting and the tests ---------------------------------------
    def _all_points(self) -> tuple[TrendPoint, ...]:
        data = self._data
        if data is None:
            return ()
        return (*data.points, data.today) if data.today is not None else data.points

    def _title_rect(self) -> QRectF:
        height = QFontMetrics(self.title_font).height() + self._theme.metrics.px(2)
        return QRectF(0, 0, self.width(), height)

    def _y_range(self) -> tuple[float, float]:
        values = [v for p in self._all_points() for v in p.values]
        low, high = (min(values), max(values)) if values else (0.0, 1.0)
        # Small changes stay small: at least 20 units of height (mmHg, mg/dL, kg).
        middle, half = (low + high) / 2, max(high - low, 20.0) / 2
        return middle - half, middle + half

    def _value_texts(self, index: int) -> tuple[str, ...]:
        points = self._all_points()
        return tuple(f"{v:g}" for v in points[index].values) if points else ()

    def _plot_rect(self) -> QRectF:
        metrics = QFontMetrics(self.label_font)
        pad = self._theme.metrics.px(3)
        points = self._all_points()

        def widest(index: int) -> int:
            texts_ = self._value_texts(index) if points else ()
            return max((metrics.horizontalAdvance(t) for t in texts_), default=0)

        # The first and last values are written beside their points, vertically centred.
        half = metrics.height() / 2
        top = self._title_rect().bottom() + half + pad
        bottom = self.height() - metrics.height() - half
        left = widest(0) + 2 * pad
        right = self.width() - widest(len(points) - 1) - 2 * pad
        return QRectF(QPointF(left, top), QPointF(max(right, left + 1), max(bottom, top + 1)))

    def plotted_points(self) -> tuple[tuple[QPointF, ...], ...]:
        """Widget coordinates of every point, one tuple per line (blood pressure: systolic,
        then diastolic)."""
        points = self._all_points()
        if not points:
            return ()
        plot = self._plot_rect()
        low, high = self._y_range()
        span = (high - low) or 1.0
        n = len(points)

        def x(i: int) -> float:
            return plot.center().x() if n == 1 else plot.left() + plot.width() * i / (n - 1)

        lines = len(points[0].values)
        return tuple(
            tuple(
                QPointF(x(i), plot.bottom() - plot.height() * (p.values[k] - low) / span)
                for i, p in enumerate(points)
            )
            for k in range(lines)
        )

    def value_labels(self) -> tuple[tuple[str, QRectF], ...]:
        """The numbers written at the first and last point of each line (the oldest and the
        newest value), pushed apart where two would touch."""
        points = self._all_points()
        if not points:
            return ()
        metrics = QFontMetrics(self.label_font)
        pad = self._theme.metrics.px(3)
        height = metrics.height()
        lines = self.plotted_points()
        out: list[tuple[str, QRectF]] = []
        ends = [0] if len(points) == 1 else [0, len(points) - 1]
        for index in ends:
            boxes: list[tuple[str, QRectF]] = []
            for k, text in enumerate(self._value_texts(index)):
                width = metrics.horizontalAdvance(text)
                point = lines[k][index]
                x = point.x() - pad - width if index == 0 else point.x() + pad
                boxes.append((text, QRectF(x, point.y() - height / 2, width, height)))
            if len(boxes) == 2 and boxes[0][1].bottom() > boxes[1][1].top():
                shift = (boxes[0][1].bottom() - boxes[1][1].top()) / 2
                boxes[0][1].translate(0, -shift)
                boxes[1][1].translate(0, shift)
            out.extend(boxes)
        return tuple(out)

    def date_labels(self) -> tuple[tuple[int, str], ...]:
        """(point index, text) of the dates drawn; a label that would touch its neighbour is
        left out, today's (the last) always stays."""
        data = self._data
        points = self._all_points()
        if data is None or not points:
            return ()
        metrics = QFontMetrics(self.label_font)
        lines = self.plotted_points()
        gap = self._theme.metrics.px(3)
        chosen: list[tuple[int, str, float, float]] = []
        order = [len(points) - 1, *range(len(points) - 1)]
        for i in order:
            point = points[i]
            if data.today is not None and i == len(points) - 1:
                words = texts.TREND_TODAY
            else:
                local = point.measured_at.astimezone()
                words = texts.trend_date_text(local.day, local.month)
            label = words.en if data.language == "en" else words.ko
            width = metrics.horizontalAdvance(label)
            centre = lines[0][i].x()
            left = max(0.0, min(centre - width / 2, self.width() - width))
            if all(left + width + gap <= a or left >= b + gap for _, _, a, b in chosen):
                chosen.append((i, label, left, left + width))
        return tuple((i, label) for i, label, _, _ in sorted(chosen))

    # --- painting ----------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        data = self._data
        if data is None:
            return
        palette = self._theme.palette
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(palette.BACKGROUND))
        # The title on today's category colour, with words: never colour alone (검증기준 4).
        title = self._title_rect()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(palette.band_colour(data.band_colour)))
        radius = self._theme.metrics.px(2)
        painter.drawRoundedRect(title, radius, radius)
        painter.setFont(self.title_font)
        painter.setPen(QColor(palette.ON_COLOUR))
        words = data.title.en if data.language == "en" else data.title.ko
        painter.drawText(
            title.adjusted(self._theme.metrics.px(3), 0, 0, 0),
            int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
            words,
        )

        metrics = QFontMetrics(self.label_font)
        painter.setFont(self.label_font)
        painter.setPen(QColor(palette.TEXT))
        for text, box in self.value_labels():
            painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter), text)

        lines = self.plotted_points()
        styles = (Qt.PenStyle.SolidLine, Qt.PenStyle.DashLine)
        width = self._theme.metrics.px(1.2)
        dot = self._theme.metrics.px(2.2)
        for k, line in enumerate(lines):
            painter.setPen(QPen(QColor(palette.TEXT), width, styles[k % 2]))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            for a, b in itertools.pairwise(line):
                painter.drawLine(a, b)
            painter.setPen(QPen(QColor(palette.TEXT), width))
            for i, point in enumerate(line):
                today = data.today is not None and i == len(line) - 1
                # Today's point is larger and filled with its category colour.
                fill = palette.band_colour(data.band_colour) if today else palette.BACKGROUND
                painter.setBrush(QColor(fill))
                r = dot * (1.5 if today else 1.0)
                painter.drawEllipse(point, r, r)

        painter.setPen(QColor(palette.TEXT))
        for i, label in self.date_labels():
            centre = lines[0][i].x()
            text_width = metrics.horizontalAdvance(label)
            left = max(0.0, min(centre - text_width / 2, self.width() - text_width))
            box = QRectF(left, self.height() - metrics.height(), text_width, metrics.height())
            painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter), label)
        painter.end()


def today_point(result: BpResult | MeasurementResult) -> TrendPoint | None:
    """This visit's value of a charted kind, in the chart's units."""
    reading = result.reading
    if isinstance(result, BpResult):
        c = result.classification
        return TrendPoint(result.measured_at, (c.systolic, c.diastolic), None)
    if isinstance(reading, GlucoseReading):
        return TrendPoint(result.measured_at, (round(reading.in_mg_dl()),), result.category)
    if isinstance(reading, WeightReading):
        return TrendPoint(result.measured_at, (round(reading.in_kg(), 1),), result.category)
    return None


_UNITS = {"blood_pressure": "mmHg", "glucose": "mg/dL", "weight": "kg"}


class TrendView(QWidget):
    """The results screen's "earlier visits": a chart per kind with earlier results, or the
    kind "first visit" line. Only this visitor's own history (the flow reads it by subject)."""

    def __init__(
        self,
        theme: Theme,
        band_of: Callable[[BpResult | MeasurementResult], tuple[str, Bilingual]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._theme = theme
        self._band_of = band_of
        palette = theme.palette
        self.first_visit = BilingualText(
            theme,
            name="trendFirstVisit",
            ko_role=TextRole.BODY,
            colour=palette.TEXT,
            en_colour=palette.TEXT_SECONDARY,
        )
        self.first_visit.set_text(texts.TREND_FIRST_VISIT)
        self.charts: dict[str, TrendChart] = {
            kind: TrendChart(theme, name=f"trend_{kind}") for kind in TREND_KINDS
        }
        self._grid = QGridLayout()
        self._grid.setSpacing(theme.gap_px)
        self._columns = 1
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.first_visit)
        layout.addLayout(self._grid)
        self._shown: tuple[str, ...] = ()

    def set_columns(self, columns: int) -> None:
        self._columns = columns
        self._place(self._shown)

    def _place(self, kinds: tuple[str, ...]) -> None:
        for chart in self.charts.values():
            self._grid.removeWidget(chart)
            chart.setVisible(False)
        # Large text on an upright panel: three charts one above another need more height
        # than there is, so they go two to a row.
        columns = self._columns
        if self._theme.large_text and len(kinds) > 2:
            columns = 2
        for i, kind in enumerate(kinds):
            chart = self.charts[kind]
            self._grid.addWidget(chart, i // columns, i % columns)
            chart.setVisible(True)
        self._shown = kinds

    def apply(self, state: FlowState) -> None:
        history = state.history or VisitorHistory()
        language = state.language.value
        latest: dict[str, BpResult | MeasurementResult] = {}
        for result in state.results:
            latest[result.reading.kind] = result
        kinds = tuple(kind for kind in TREND_KINDS if history.of(kind))
        for kind in kinds:
            today = latest.get(kind)
            name = texts.KIND_NAMES[kind]
            unit = _UNITS[kind]
            colour = self._band_of(today)[0] if today else self._theme.palette.BAND_NEUTRAL
            self.charts[kind].set_data(
                ChartData(
                    kind=kind,
                    points=history.of(kind),
                    today=today_point(today) if today else None,
                    title=Bilingual(f"{name.ko} ({unit})", f"{name.en} ({unit})"),
                    band_colour=colour,
                    language=language,
                )
            )
        if kinds != self._shown:
            self._place(kinds)
        self.first_visit.setVisible(not kinds)
        self.first_visit.set_language(language)
