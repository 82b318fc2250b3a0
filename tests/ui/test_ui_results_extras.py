"""The results screen's earlier-visits chart and heart-health estimate on the real window: real
VisitManager and SQLite store, real ONNX models on the runtime thread, Qt offscreen."""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget
from test_ui_result_screen import (
    DEVICE,
    LANDSCAPE,
    PORTRAIT,
    WAIT_S,
    ThreadRuntime,
    assert_lines_fit,
    bp,
    pump_until,
    qapp,  # noqa: F401  (a fixture)
    runtime,  # noqa: F401  (a fixture)
    shown_window,
    visits,  # noqa: F401  (a fixture)
)

from devices.readings import AnyReading, MassUnit, WeightReading
from kiosk import visit_flow
from kiosk.risk_estimate import (
    BIRTH_YEAR_START,
    RiskEstimate,
    RiskOutcome,
    RiskStep,
    estimate_risk,
)
from kiosk.scoring.service import ScoringService, parse_inputs
from kiosk.session import VisitorKind
from kiosk.visit_flow import Language, ResultsView, Step, member_subject_ref
from ui import texts
from ui.app import KioskWindow
from ui.screenshots import sample_readings
from ui.theme import TextRole

pytestmark = pytest.mark.qt
MEMBER = "20261234"


def tap(button: QWidget) -> None:
    assert button.isVisible(), f"{button.objectName()} is not on screen"
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def scale(kg: float, bmi: float) -> WeightReading:
    return WeightReading(device=DEVICE, weight=kg, unit=MassUnit.KG, bmi=bmi, raw=bytes(5))


def seed_history(rt: ThreadRuntime, *pairs: tuple[int, int]) -> None:
    """Earlier visits of the member (and one of another member) on the runtime thread."""
    manager = rt.visits

    def seed() -> None:
        for sbp, dbp in pairs:
            manager.start_visit(VisitorKind.MEMBER_CARD, member_subject_ref(MEMBER))
            manager.give_consent()
            manager.handle_reading(bp(sbp, dbp))
            manager.end_visit()
        manager.start_visit(VisitorKind.MEMBER_CARD, member_subject_ref("99990000"))
        manager.give_consent()
        manager.handle_reading(bp(201, 119))  # another visitor: never on this one's chart
        manager.end_visit()

    rt.submit(seed).result(WAIT_S)


def to_results(
    win: KioskWindow, rt: ThreadRuntime, *readings: AnyReading, guest: bool = False
) -> None:
    """Walk to the results through the flow on the runtime thread (the earlier screens have
    their own tests), then hand readings over as the device hub does."""
    flow = win.flow

    def call(fn: Callable[..., object], *args: object) -> None:
        rt.submit(fn, *args, time.monotonic()).result(WAIT_S)

    call(flow.start)
    if guest:
        call(flow.identify_guest)
    else:
        call(flow.identify_member, MEMBER)
    call(flow.consent, False)
    call(flow.choose_all)
    for reading in readings:
        rt.submit(rt.visits.handle_reading, reading).result(WAIT_S)
    call(flow.show_results)
    pump_until(
        lambda: win.state.step is Step.RESULTS and win.results.isVisible(), "the results screen"
    )


@pytest.mark.parametrize("size", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
def test_trend_chart_shows_only_this_visitors_earlier_visits(
    qapp: QApplication,  # noqa: F811
    runtime: ThreadRuntime,  # noqa: F811
    size: tuple[int, int],
) -> None:
    seed_history(runtime, (150, 95), (142, 90), (136, 86))
    with shown_window(runtime, size) as win:
        to_results(win, runtime, bp(128, 82))
        tap(win.results.trend_button)
        pump_until(lambda: win.results.trend.isVisible(), "the trend view")
        assert win.state.results_view is ResultsView.TREND
        chart = win.results.trend.charts["blood_pressure"]
        assert chart.isVisible() and not win.results.trend.first_visit.isVisible()
        assert not win.results.trend.charts["glucose"].isVisible()  # no glucose ever measured
        image = win.grab().toImage()
        lines = chart.plotted_points()
        # Systolic and diastolic lines: three earlier visits and today, nothing of the other.
        assert len(lines) == 2 and [len(line) for line in lines] == [4, 4]
        data = chart.data
        assert data is not None
        assert [p.values for p in data.points] == [(150, 95), (142, 90), (136, 86)]
        assert data.today is not None and data.today.values == (128, 82)
        # Systolic above diastolic, later visits to the right, oldest first.
        assert all(s.y() < d.y() for s, d in zip(lines[0], lines[1], strict=True))
        xs = [p.x() for p in lines[0]]
        assert xs == sorted(xs) and len(set(xs)) == 4
        # Higher systolic is drawn higher: 150 above 128.
        assert lines[0][0].y() < lines[0][3].y()
        # Large labels only: no text under the body size.
        floor = win.theme.text_px(TextRole.BODY)
        assert chart.label_font.pixelSize() >= floor and chart.title_font.pixelSize() >= floor
        labels = chart.date_labels()
        assert labels and labels[-1] == (3, texts.TREND_TODAY.ko)
        # The oldest and today's values are written by their points, none over another.
        values = chart.value_labels()
        assert [text for text, _ in values] == ["150", "95", "128", "82"]
        for (_, a), (_, b) in itertools.combinations(values, 2):
            assert not a.intersects(b)
        assert all(chart.rect().toRectF().contains(box) for _, box in values)
        # Today's point is drawn in today's category colour.
        bp_colour = win.state.results[0].classification.text.colour  # type: ignore[union-attr]
        today = chart.mapTo(win, lines[0][3].toPoint())
        assert image.pixelColor(today) == QColor(bp_colour)
        title = chart.mapTo(win, QPoint(chart.width() // 2, 4))
        assert image.pixelColor(title) == QColor(bp_colour)
        assert_results_fit(win, size)
        tap(win.results.trend_button)  # now "today's results"
        pump_until(lambda: win.results.rows[0].isVisible(), "today's values again")


def test_first_visit_says_so_and_guests_get_no_chart(
    qapp: QApplication,  # noqa: F811
    runtime: ThreadRuntime,  # noqa: F811
) -> None:
    with shown_window(runtime, PORTRAIT) as win:
        to_results(win, runtime, bp(128, 82))
        tap(win.results.trend_button)
        pump_until(lambda: win.results.trend.first_visit.isVisible(), "the first-visit line")
        assert win.results.trend.first_visit.ko.text() == texts.TREND_FIRST_VISIT.ko
        assert not any(c.isVisible() for c in win.results.trend.charts.values())
        runtime.submit(win.flow.reset, time.monotonic()).result(WAIT_S)
        pump_until(lambda: win.state.step is Step.WELCOME, "the welcome screen")
        to_results(win, runtime, bp(128, 82), guest=True)
        assert win.state.history is None and win.results.trend_button.isHidden()


def assert_results_fit(win: KioskWindow, size: tuple[int, int]) -> None:
    """The results screen needs no more than the room the window gives it, and no line of it
    is re-broken by Qt. (The header and side controls have their own tests.)"""
    for _ in range(5):  # pending layout requests after views were shown or hidden
        QApplication.processEvents()
    assert (win.width(), win.height()) == size
    need, room = win.results.minimumSizeHint(), win.stack.size()
    assert need.width() <= room.width() and need.height() <= room.height(), (need, room)
    for label in win.results.findChildren(QLabel):
        if label.isVisibleTo(win):
            assert_lines_fit(label)


def expected_risk(scoring: ScoringService, age: int, sex: str, smoker: bool) -> float:
    inputs = parse_inputs(
        {"sex": sex, "age": age, "systolic": 152, "diastolic": 91, "bmi": 24.6, "smoker": smoker}
    )
    risk = scoring.assess(inputs).who_cvd_10y
    assert risk is not None
    return risk


@pytest.mark.parametrize("size", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
def test_risk_question_to_estimate_in_both_languages_then_reset(
    qapp: QApplication,  # noqa: F811
    runtime: ThreadRuntime,  # noqa: F811
    size: tuple[int, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scoring_threads: list[int] = []
    real_estimate = estimate_risk

    def recording(*args: Any) -> RiskEstimate:
        scoring_threads.append(threading.get_ident())
        return real_estimate(*args)

    monkeypatch.setattr(visit_flow, "estimate_risk", recording)
    with shown_window(runtime, size) as win:
        to_results(win, runtime, bp(152, 91), scale(68.0, 24.6))
        panel = win.results.risk_panel
        tap(win.results.risk_button)
        pump_until(lambda: panel.ask.isVisible(), "the three questions")
        assert win.state.risk_step is RiskStep.ASK
        assert not panel.see.isVisible()  # not before sex and smoking are answered
        assert_results_fit(win, size)
        tap(panel.year_buttons[10])
        tap(panel.year_buttons[-1])
        tap(panel.female)
        tap(panel.non_smoker)
        pump_until(lambda: panel.see.isVisible(), "the 'see estimate' button")
        year = BIRTH_YEAR_START + 9
        assert panel.year.ko.text() == texts.birth_year_text(year).ko
        assert panel.female.accessibleName().startswith("✓")
        tap(panel.see)
        pump_until(lambda: panel.result.isVisible(), "the estimate")
        risk = win.state.risk
        assert risk is not None and risk.outcome is RiskOutcome.ESTIMATE
        # Scored on the runtime thread, never on the GUI thread.
        assert scoring_threads and threading.main_thread().ident not in scoring_threads
        # The runtime thread's estimate is the scoring service's, for the same inputs.
        age = datetime.now(UTC).year - year
        scoring = ScoringService.load(strict=True)
        assert risk.risk == pytest.approx(expected_risk(scoring, age, "F", False), abs=1e-9)
        per_100 = max(1, round(expected_risk(scoring, age, "F", False) * 100))
        assert f"약 {per_100}명" in panel.headline.ko.text()
        notes = panel.notes.ko.text().replace("\n", " ")
        assert "추정이며 진단이 아니에요" in notes and "의사와 상담" in notes
        assert "not a diagnosis" in panel.notes.en.text().replace("\n", " ")
        assert panel.band.isVisible()
        assert_results_fit(win, size)

        runtime.submit(win.flow.set_language, Language.EN, time.monotonic()).result(WAIT_S)
        pump_until(lambda: "not a diagnosis" in panel.notes.ko.text().replace("\n", " "), "EN")
        shown = (panel.notes.ko.text() + " " + panel.headline.ko.text()).replace("\n", " ")
        assert "Talk to your doctor" in shown and f"About {per_100} in 100" in shown
        assert not re.search("[가-힣]", shown)
        assert_results_fit(win, size)

        runtime.submit(win.flow.reset, time.monotonic()).result(WAIT_S)
        pump_until(lambda: win.state.step is Step.WELCOME, "the welcome screen")
        assert win.state.risk is None and win.state.risk_answers.sex is None
        assert f"{per_100}" not in panel.headline.ko.text() + panel.notes.ko.text()


def test_no_scale_no_questions_and_over_74_is_told_kindly(
    qapp: QApplication,  # noqa: F811
    runtime: ThreadRuntime,  # noqa: F811
) -> None:
    with shown_window(runtime, PORTRAIT) as win:
        to_results(win, runtime, bp(140, 88))
        panel = win.results.risk_panel
        tap(win.results.risk_button)
        pump_until(lambda: panel.result.isVisible(), "the reason")
        assert panel.notes.ko.text() == texts.RISK_NEEDS_SCALE.ko and not panel.ask.isVisible()
        runtime.submit(win.flow.reset, time.monotonic()).result(WAIT_S)
        pump_until(lambda: win.state.step is Step.WELCOME, "the welcome screen")

        to_results(win, runtime, bp(140, 88), scale(60.0, 22.5))
        tap(win.results.risk_button)
        pump_until(lambda: panel.ask.isVisible(), "the questions")
        tap(panel.year_buttons[-10])  # born ten years before the start year: over 74
        tap(panel.male)
        tap(panel.smoker)
        pump_until(lambda: panel.see.isVisible(), "the 'see estimate' button")
        tap(panel.see)
        pump_until(lambda: panel.result.isVisible(), "the answer")
        assert panel.notes.ko.text() == texts.RISK_NOT_FOR_AGE.ko and not panel.band.isVisible()
        # The questions (and "skip") are gone; "today's results" leads back.
        assert not panel.skip.isVisible()
        tap(panel.back)
        pump_until(lambda: win.results.rows[0].isVisible(), "today's values")


def assert_targets(win: KioskWindow) -> int:
    """Every visible button of the results screen: >= 12 mm, >= 150 mm², >= 2.5 mm apart."""
    px_per_mm = win.theme.metrics.px_per_mm
    buttons = [b for b in win.results.findChildren(QPushButton) if b.isVisibleTo(win)]
    rects = [QRect(b.mapTo(win, QPoint(0, 0)), b.size()) for b in buttons]
    for button, r in zip(buttons, rects, strict=True):
        assert min(r.width(), r.height()) / px_per_mm >= 12, button.objectName()
        assert r.width() * r.height() / px_per_mm**2 >= 150, button.objectName()
    for a, b in itertools.combinations(rects, 2):
        dx = max(b.left() - a.right() - 1, a.left() - b.right() - 1, 0)
        dy = max(b.top() - a.bottom() - 1, a.top() - b.bottom() - 1, 0)
        assert max(dx, dy) / px_per_mm >= 2.5
    return len(buttons)


@pytest.mark.parametrize("size", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
def test_every_view_fits_with_every_kind_measured(
    qapp: QApplication,  # noqa: F811
    runtime: ThreadRuntime,  # noqa: F811
    size: tuple[int, int],
) -> None:
    def seed() -> None:
        manager = runtime.visits
        for i in range(7):  # one more than the chart keeps
            manager.start_visit(VisitorKind.MEMBER_CARD, member_subject_ref(MEMBER))
            manager.give_consent()
            for reading in sample_readings():
                manager.handle_reading(reading)
            manager.handle_reading(bp(130 + i, 84))
            manager.end_visit()

    runtime.submit(seed).result(WAIT_S)
    with shown_window(runtime, size) as win:
        to_results(win, runtime, *sample_readings())
        assert len(win.results.rows) == 4
        # The two views' buttons sit beside the title: they cost the values no height.
        title = win.results.title
        title_rect = QRect(title.mapTo(win, QPoint(0, 0)), title.size())
        for button in (win.results.trend_button, win.results.risk_button):
            rect = QRect(button.mapTo(win, QPoint(0, 0)), button.size())
            assert rect.top() < title_rect.bottom() and rect.bottom() > title_rect.top()
        checked = assert_targets(win)
        tap(win.results.trend_button)
        pump_until(lambda: win.results.trend.isVisible(), "the trend view")
        charts = win.results.trend.charts
        assert all(c.isVisible() for c in charts.values())
        # Six earlier visits and today, per kind.
        assert [len(c.plotted_points()[0]) for c in charts.values()] == [7, 7, 7]
        assert [p.values[0] for p in charts["blood_pressure"].data.points] == [  # type: ignore[union-attr]
            131 + i for i in range(6)
        ]
        win.grab()
        assert_results_fit(win, size)
        checked += assert_targets(win)
        tap(win.results.risk_button)
        pump_until(lambda: win.results.risk_panel.ask.isVisible(), "the questions")
        assert_results_fit(win, size)
        checked += assert_targets(win)
        assert checked >= 4 + 4 + 7
