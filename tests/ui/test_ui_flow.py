"""The whole visitor flow on the real window: a real VisitManager and SQLite store, readings on a
runtime thread, Qt offscreen, taps through QTest. No pytest-qt: bounded event pumping."""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget
from sqlalchemy import text
from test_ui_result_screen import (
    LANDSCAPE,
    PORTRAIT,
    WAIT_S,
    ThreadRuntime,
    assert_fits,
    bp,
    contrast,
    pixel_inside_top_of,
    pump_until,
    qapp,  # noqa: F401  (a fixture)
    runtime,  # noqa: F401  (a fixture)
    shown_window,
    visits,  # noqa: F401  (a fixture)
    window,  # noqa: F401  (a fixture)
)

from kiosk.scoring.bp import LABELS
from kiosk.session import VisitorKind
from kiosk.visit_flow import Language, LiveState, MeasureKind, Step, member_subject_ref
from ui import texts, theme
from ui.app import KioskWindow
from ui.screenshots import render_all, sample_readings

pytestmark = pytest.mark.qt
HANGUL = re.compile("[가-힣]")


def tap(button: QWidget) -> None:
    assert button.isVisible(), f"{button.objectName()} is not on screen"
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def wait_step(win: KioskWindow, step: Step) -> None:
    def shown() -> bool:
        current = win.stack.currentWidget()
        return win.state.step is step and current is not None and current.isVisible()

    pump_until(shown, step)


def on_screen_texts(win: KioskWindow) -> list[str]:
    """Text a visitor can see now, outside the demo strip."""
    strip = win.demo_strip
    return [
        label.text()
        for label in win.findChildren(QLabel)
        if label.isVisibleTo(win)
        and label.text()
        and (strip is None or not strip.isAncestorOf(label))
    ]


def all_label_texts(win: KioskWindow) -> str:
    """Every label's text, shown or not: what a reset must have cleared."""
    return "\n".join(label.text() for label in win.findChildren(QLabel))


def choose_everything(win: KioskWindow) -> None:
    wait_step(win, Step.CHOOSE)
    tap(win.choose.check_all)
    wait_step(win, Step.MEASURE)


def walk_to_results(win: KioskWindow, check: Callable[[], object] | None = None) -> None:
    """Through every chosen kind: "next" after its result, "skip this one" without one."""
    while win.state.step is Step.MEASURE:
        if check is not None:
            check()
        position = win.state.position
        tap(win.measure.next if win.measure.next.isVisible() else win.measure.skip)

        def moved(before: int = position) -> bool:
            return win.state.step is not Step.MEASURE or win.state.position != before

        pump_until(moved, "the next kind")
    wait_step(win, Step.RESULTS)


def identify_guest_and_consent(win: KioskWindow) -> None:
    tap(win.start_button)
    wait_step(win, Step.IDENTIFY)
    tap(win.identify.guest)
    wait_step(win, Step.CONSENT)
    assert win.consent.open_lab.isHidden()  # a guest has nothing to share
    tap(win.consent.agree)
    choose_everything(win)


def test_registered_visitor_from_welcome_to_privacy_reset(
    window: KioskWindow,  # noqa: F811
    runtime: ThreadRuntime,  # noqa: F811
) -> None:
    win = window
    tap(win.start_button)
    wait_step(win, Step.IDENTIFY)
    for key in "2026":
        tap(win.identify.keys[key])
    assert win.identify.display.ko.text() == "●●●●"  # masked while typed
    tap(win.identify.keys["ok"])  # four digits: not a member number
    pump_until(lambda: win.identify.error.isVisible(), "the 'check the number' line")
    assert win.identify.error.ko.text() == texts.NUMBER_WRONG.ko
    for key in "20261234":
        tap(win.identify.keys[key])
    tap(win.identify.keys["del"])
    tap(win.identify.keys["4"])
    tap(win.identify.keys["ok"])
    wait_step(win, Step.CONSENT)
    assert "20261234" not in all_label_texts(win)  # never shown in full
    visit = runtime.visits.current
    assert visit is not None and visit.visitor_kind is VisitorKind.MEMBER_CARD
    assert visit.subject_ref == member_subject_ref("20261234") and not visit.consented

    assert win.consent.where.ko.text() == texts.CONSENT_CITIZEN.ko
    tap(win.consent.open_lab)  # optional sharing, separate from the health-data consent
    tap(win.consent.agree)
    choose_everything(win)
    assert win.flow.state.open_lab and win.flow.state.consent_version
    assert win.result_screen.message.ko.text() == texts.WAITING.ko
    instruction = texts.GUIDE_INSTRUCTION["blood_pressure"]
    assert win.measure.guidance.instruction.ko.text() == instruction.ko

    for reading in sample_readings():
        runtime.submit(runtime.visits.handle_reading, reading).result(WAIT_S)
    pump_until(lambda: len(win.state.results) == len(sample_readings()), "every result")
    assert win.result_screen.isVisible() and not win.measure.guidance.isVisible()
    tap(win.measure.next)
    pump_until(lambda: win.state.position == 1, "the glucose step")
    assert win.measure.received.isVisible()  # measured already: its value, not the guidance
    assert win.measure.received.ko.text().startswith("혈당 105 mg/dL")
    tap(win.measure.next)
    pump_until(lambda: win.state.position == 2, "the scale step")
    assert "체중 63.2 kg" in win.measure.received.ko.text()
    assert "체지방 24.5 %" in win.measure.received.ko.text()
    assert win.measure.next.isVisible() and win.measure.skip.isHidden()
    walk_to_results(win)
    rows = win.results.rows
    assert [r.text.ko.text().split("\n")[0] for r in rows] == [
        "혈압 128 / 82 mmHg",
        "혈당 105 mg/dL",
        "체중 63.2 kg",
        "체지방 24.5 %",
    ]
    image = win.grab().toImage()
    bp_colour = LABELS[win.state.results[0].classification.category].colour  # type: ignore[union-attr]
    assert pixel_inside_top_of(rows[0], image, win, dy=4) == QColor(bp_colour)
    assert win.results.disclaimer.isVisible()

    tap(win.results.finish)
    wait_step(win, Step.FINISH)
    # This stand-in runtime has no broker: the results wait in the outbox.
    assert win.finish.sync.ko.text() == texts.SYNC_WAITING.ko
    tap(win.finish.done)
    wait_step(win, Step.WELCOME)
    assert runtime.visits.current is None
    left = all_label_texts(win)
    for trace in ("128 / 82", "105 mg/dL", "63.2", "●"):
        assert trace not in left, trace


def test_guest_by_qr_reader_error_mid_measurement_and_kept_on_kiosk(
    window: KioskWindow,  # noqa: F811
    runtime: ThreadRuntime,  # noqa: F811
) -> None:
    win = window
    tap(win.start_button)
    wait_step(win, Step.IDENTIFY)
    # A keyboard-wedge barcode reader types the QR text and Enter into the window.
    QTest.keyClicks(win, "not-our-code")
    QTest.keyClick(win, Qt.Key.Key_Return)
    pump_until(lambda: win.identify.error.isVisible(), "the QR error line")
    assert win.identify.error.ko.text() == texts.QR_WRONG.ko
    tap(win.home_button)
    wait_step(win, Step.WELCOME)
    assert runtime.visits.current is None

    identify_guest_and_consent(win)
    visit = runtime.visits.current
    assert visit is not None and visit.visitor_kind is VisitorKind.GUEST and visit.consented

    runtime.submit(runtime.visits.handle_reading, bp(400, 82)).result(WAIT_S)  # implausible
    pump_until(lambda: win.state.live is LiveState.RETRY, "please measure again")
    shown = texts.spoken("\n".join(on_screen_texts(win)))
    assert "측정이 잘 되지 않았어요" in shown and "Implausible" not in shown
    assert win.measure.retry.isVisible() and win.measure.skip.isVisible()
    runtime.submit(runtime.visits.handle_reading, bp(118, 76)).result(WAIT_S)
    pump_until(lambda: win.state.live is LiveState.RESULT, "the result")
    walk_to_results(win)  # glucose and the scale skipped
    assert win.state.skipped == (MeasureKind.GLUCOSE, MeasureKind.BODY)
    tap(win.results.finish)
    wait_step(win, Step.FINISH)
    assert win.finish.sync.ko.text() == texts.KEPT_HERE.ko
    with runtime.visits.store.engine.connect() as c:
        assert c.execute(text("select count(*) from outbox")).scalar() == 0


def test_qr_reader_identifies_a_citizen(
    window: KioskWindow,  # noqa: F811
    runtime: ThreadRuntime,  # noqa: F811
) -> None:
    tap(window.start_button)
    wait_step(window, Step.IDENTIFY)
    QTest.keyClicks(window, "GJHC1:abcDEF0123456789xyz")
    QTest.keyClick(window, Qt.Key.Key_Return)
    wait_step(window, Step.CONSENT)
    visit = runtime.visits.current
    assert visit is not None and visit.visitor_kind is VisitorKind.CITIZEN_APP
    assert window.consent.open_lab.isVisible()


def test_idle_countdown_more_time_then_reset_leaves_nothing(
    window: KioskWindow,  # noqa: F811
    runtime: ThreadRuntime,  # noqa: F811
) -> None:
    win, flow = window, window.flow
    identify_guest_and_consent(win)
    runtime.submit(runtime.visits.handle_reading, bp(131, 84)).result(WAIT_S)
    pump_until(lambda: win.state.live is LiveState.RESULT, "the result")
    assert flow.warning_s >= 20

    later = time.monotonic() + flow.idle_after_s + 1
    runtime.submit(flow.tick, later).result(WAIT_S)
    pump_until(lambda: win.countdown.isVisible(), "the countdown")
    seconds = win.state.countdown_s
    assert seconds is not None and seconds >= 20
    assert str(seconds) in win.countdown_text.ko.text()
    # The warning sits over the screen, large, with one big "more time" button.
    px_per_mm = win.theme.metrics.px_per_mm
    assert win.more_time.height() / px_per_mm >= 16
    tap(win.more_time)
    pump_until(lambda: not win.countdown.isVisible(), "the countdown to go")
    assert win.state.step is Step.MEASURE  # nothing was lost

    # A press anywhere on the window is activity too, not just the button.
    runtime.submit(flow.tick, time.monotonic() + flow.idle_after_s + 1).result(WAIT_S)
    pump_until(lambda: win.countdown.isVisible(), "the countdown again")
    time.sleep(0.6)  # past the window's one-post-per-burst window
    QTest.mouseClick(win.result_screen.bp_value, Qt.MouseButton.LeftButton)
    pump_until(lambda: not win.countdown.isVisible(), "the countdown to go after a press")

    # Then nobody comes back: the visit ends and the screen forgets the visitor.
    runtime.submit(flow.tick, time.monotonic() + flow.idle_after_s + flow.warning_s + 1).result(
        WAIT_S
    )
    wait_step(win, Step.WELCOME)
    assert runtime.visits.current is None and win.state.reset_by_idle
    assert "131 / 84" not in all_label_texts(win)
    assert not win.countdown.isVisible()
    # The next visitor starts on an empty screen.
    identify_guest_and_consent(win)
    assert win.result_screen.message.ko.text() == texts.WAITING.ko
    assert win.state.results == ()


def test_english_is_complete_and_switchable_at_every_step(
    window: KioskWindow,  # noqa: F811
    runtime: ThreadRuntime,  # noqa: F811
) -> None:
    win = window
    tap(win.welcome.english)
    pump_until(lambda: win.state.language is Language.EN, "English")

    def assert_english() -> None:
        for line in on_screen_texts(win):
            # The one Korean word allowed: the name of the language to switch back to.
            assert not HANGUL.search(line) or line == "한국어", (win.state.step, line)

    assert_english()
    tap(win.start_button)
    wait_step(win, Step.IDENTIFY)
    assert_english()
    tap(win.language_button)  # back to Korean mid-flow, and again to English
    pump_until(lambda: win.state.language is Language.KO, "Korean")
    assert win.identify.message.ko.text() == texts.IDENTIFY.ko
    tap(win.language_button)
    pump_until(lambda: win.state.language is Language.EN, "English again")
    tap(win.identify.guest)
    wait_step(win, Step.CONSENT)
    assert_english()
    tap(win.consent.agree)
    wait_step(win, Step.CHOOSE)
    assert_english()
    tap(win.choose.check_all)
    wait_step(win, Step.MEASURE)
    assert_english()
    runtime.submit(runtime.visits.handle_reading, bp(400, 82)).result(WAIT_S)
    pump_until(lambda: win.state.live is LiveState.RETRY, "please measure again")
    assert_english()
    for reading in sample_readings():
        runtime.submit(runtime.visits.handle_reading, reading).result(WAIT_S)
    pump_until(lambda: len(win.state.results) == len(sample_readings()), "every result")
    assert_english()
    walk_to_results(win, assert_english)
    assert_english()
    tap(win.results.finish)
    wait_step(win, Step.FINISH)
    assert_english()
    runtime.submit(runtime.visits.handle_reading, bp(120, 80)).result(WAIT_S)
    tap(win.finish.done)
    wait_step(win, Step.WELCOME)
    assert win.state.language is Language.KO  # the next visitor starts in Korean


def test_every_visitor_string_has_english() -> None:
    found = 0
    for name, value in vars(texts).items():
        if isinstance(value, texts.Bilingual) and name not in ("LANGUAGE_KO", "LANGUAGE_EN"):
            found += 1
            assert value.en.strip(), f"texts.{name} has no English"
            assert not HANGUL.search(value.en), f"texts.{name} English has Hangul"
    for value in [texts.countdown_text(25), *texts.KIND_NAMES.values()]:
        found += 1
        assert value.en.strip() and not HANGUL.search(value.en), value
    assert found > 30


def _gap_mm(a: QRect, b: QRect, px_per_mm: float) -> float:
    dx = max(b.left() - a.right() - 1, a.left() - b.right() - 1, 0)
    dy = max(b.top() - a.bottom() - 1, a.top() - b.bottom() - 1, 0)
    return max(dx, dy) / px_per_mm


def _check_targets(win: KioskWindow) -> int:
    px_per_mm = win.theme.metrics.px_per_mm
    buttons = [
        b for b in win.findChildren(QPushButton) if b.isVisibleTo(win) and b not in win.demo_buttons
    ]
    rects = {b: QRect(b.mapTo(win, b.rect().topLeft()), b.size()) for b in buttons}
    for b, r in rects.items():
        short_mm = min(r.width(), r.height()) / px_per_mm
        area_mm2 = r.width() * r.height() / px_per_mm**2
        assert short_mm >= 12 and area_mm2 >= 150, (win.state.step, b.objectName(), short_mm)
    for (a, ra), (b, rb) in itertools.combinations(rects.items(), 2):
        if win.countdown.isVisible() and win.countdown.isAncestorOf(
            a
        ) != win.countdown.isAncestorOf(b):
            continue  # the warning lies over the screen on purpose
        gap = _gap_mm(ra, rb, px_per_mm)
        assert gap >= 2.5, (win.state.step, a.objectName(), b.objectName(), gap)
    return len(rects)


@pytest.mark.parametrize("size", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
def test_targets_gaps_and_fit_on_every_screen(
    qapp: QApplication,  # noqa: F811
    runtime: ThreadRuntime,  # noqa: F811
    size: tuple[int, int],
) -> None:
    with shown_window(runtime, size) as win:
        checked = _check_targets(win)
        assert_fits(win, size)
        tap(win.start_button)
        wait_step(win, Step.IDENTIFY)
        checked += _check_targets(win)
        assert_fits(win, size)
        tap(win.identify.keys["2"])
        tap(win.identify.keys["ok"])
        pump_until(lambda: win.identify.error.isVisible(), "the error line")
        assert_fits(win, size)
        QTest.keyClicks(win, "GJHC1:abcDEF0123456789xyz")
        QTest.keyClick(win, Qt.Key.Key_Return)
        wait_step(win, Step.CONSENT)
        checked += _check_targets(win)
        assert_fits(win, size)
        tap(win.consent.agree)
        wait_step(win, Step.CHOOSE)
        checked += _check_targets(win)
        assert_fits(win, size)
        tap(win.choose.kinds[MeasureKind.GLUCOSE])  # a choice shows in words on the button
        pump_until(lambda: win.choose.measure_chosen.isEnabled(), "the choice")
        checked += _check_targets(win)
        assert_fits(win, size)
        tap(win.choose.check_all)
        wait_step(win, Step.MEASURE)
        checked += _check_targets(win)
        assert_fits(win, size)
        runtime.submit(runtime.visits.handle_reading, bp(400, 82)).result(WAIT_S)  # refused
        pump_until(lambda: win.measure.retry.isVisible(), "try again")
        checked += _check_targets(win)
        assert_fits(win, size)
        for reading in sample_readings():
            runtime.submit(runtime.visits.handle_reading, reading).result(WAIT_S)
        pump_until(lambda: len(win.state.results) == len(sample_readings()), "every result")
        checked += _check_targets(win)
        assert_fits(win, size)

        def check() -> None:
            nonlocal checked
            checked += _check_targets(win)
            assert_fits(win, size)

        walk_to_results(win, check)
        runtime.submit(win.flow.tick, time.monotonic() + win.flow.idle_after_s + 1).result(WAIT_S)
        pump_until(lambda: win.countdown.isVisible(), "the countdown")
        checked += _check_targets(win)
        assert_fits(win, size)
        tap(win.more_time)
        pump_until(lambda: not win.countdown.isVisible(), "the countdown to go")
        tap(win.results.finish)
        wait_step(win, Step.FINISH)
        checked += _check_targets(win)
        assert_fits(win, size)
        tap(win.finish.done)
        wait_step(win, Step.WELCOME)
        identify_guest_and_consent(win)
        runtime.submit(runtime.visits.handle_reading, bp(192, 121)).result(WAIT_S)
        wait_step(win, Step.STAFF)
        checked += _check_targets(win)
        assert_fits(win, size)
        assert checked >= 30


def test_contrast_of_every_palette_pair() -> None:
    pairs = [*theme.PALETTE_PAIRS, *((label.colour, theme.ON_COLOUR) for label in LABELS.values())]
    for fg, bg in pairs:
        assert contrast(fg, bg) >= 4.5, (fg, bg, contrast(fg, bg))
    assert contrast("#FF0000", "#00FF00") < 4.5  # the formula does tell pairs apart


def test_make_screenshots_renders_every_screen_in_both_languages(
    qapp: QApplication,  # noqa: F811
    tmp_path: Path,
) -> None:
    paths = render_all(tmp_path)
    names = {p.name for p in paths}
    # 20 screens (the guidance, the results extras, the text-and-sound panel and the results
    # in large text with high contrast included) in two languages.
    assert len(paths) == 40 and len(names) == 40
    for step in (
        "welcome",
        "identify",
        "consent",
        "choose",
        "measure",
        "cuff_pressure",
        "device_error",
        "results",
        "results_trend",
        "results_risk_question",
        "results_risk_estimate",
        "text_and_sound_panel",
        "results_large_high_contrast",
        "finish",
        "staff",
    ):
        for language in ("ko", "en"):
            assert any(step in n and f"_{language}_" in n for n in names), (step, language)
    for path in paths:
        assert path.stat().st_size > 20_000, path
