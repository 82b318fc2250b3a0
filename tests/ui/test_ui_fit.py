"""Every visitor screen fits the panel in every display mode (issue 7 item 2): the results rows
that arrange themselves by width, the results that turn pages in large text on a landscape panel,
and Korean lines from elsewhere broken at phrases. Real window, Qt offscreen, pytest-qt."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint
from pytestqt.qtbot import QtBot
from test_ui_modes import SIZES, button, check_screen, mode_window, tap, wait_step
from test_ui_result_screen import (
    ThreadRuntime,
    qapp,  # noqa: F401  (a fixture)
    runtime,  # noqa: F401  (a fixture)
    visits,  # noqa: F401  (a fixture)
)
from test_ui_results_extras import seed_history, to_results

from kiosk.risk_estimate import RiskStep
from kiosk.session import MEASURE_AGAIN_KO
from kiosk.visit_flow import Language, ResultsView, Step
from ui import texts
from ui.app import KioskWindow
from ui.flow_screens import ResultRow
from ui.screenshots import sample_readings

pytestmark = pytest.mark.qt


def top_left(win: KioskWindow, row: ResultRow, part: str) -> QPoint:
    widget = row.text if part == "value" else row.words
    return widget.ko.mapTo(win, QPoint(0, 0))


def test_long_korean_lines_break_at_phrases_and_keep_every_word() -> None:
    cases = [
        ("조금 높게 나왔어요.\n가끔씩 다시 재어 보세요.", 9.0),
        ("혈압이 높게 나왔어요.\n며칠 안에 병원에서 상담해 보세요.", 9.0),
        ("높게 나왔어요.\n병원에 가시면 이 결과를 알려 주세요.", 9.0),
        ("좋은 범위예요.\n지금처럼 건강을 잘 챙기세요.", 12.0),
    ]
    for text, ems in cases:
        laid = texts.break_long_lines(text, ems)
        lines = laid.split("\n")
        assert texts.spoken(laid).split() == text.split(), laid  # the same words, in order
        assert len(lines) > len(text.split("\n")), laid  # something was too wide
        for line in lines:
            assert texts.text_ems(line) <= ems, (line, laid)
        # The hand breaks stay, and no hand line ends on a lone word ("보세요.").
        plain = [texts.spoken(line) for line in lines]
        for hand in text.split("\n"):
            first = next(i for i, line in enumerate(plain) if hand.startswith(line))
            last = next(line for line in plain[first:] if hand.endswith(line))
            assert " " in last, (hand, laid)
    assert texts.break_long_lines("좋은 범위예요.", 9.0) == "좋은 범위예요."  # fits: as it is
    # The retry message: the second sentence breaks after its clause, the verb phrase whole.
    assert texts.one_sentence_per_line(MEASURE_AGAIN_KO).split("\n")[1:] == [
        "편안히 앉아",
        f"다시 한 번 측정해{texts.NBSP}주세요.",
    ]
    # English is left to wrap at its spaces.
    english = "Please sit comfortably and measure once more, slowly and calmly."
    assert "\n" not in texts.one_sentence_per_line(english)


@pytest.mark.parametrize(
    ("large_text", "orientation", "side_by_side"),
    [(False, "portrait", [True] * 4), (True, "portrait", [False, False, True, True])],
    ids=["normal", "large"],
)
def test_result_rows_put_words_beside_the_value_when_they_fit(
    qtbot: QtBot,
    runtime: ThreadRuntime,  # noqa: F811
    large_text: bool,
    orientation: str,
    side_by_side: list[bool],
) -> None:
    size = SIZES[orientation]
    with mode_window(qtbot, runtime, size, large_text=large_text) as win:
        to_results(win, runtime, *sample_readings(), guest=True)
        rows = win.results.rows
        assert len(rows) == 4 and all(r.isVisible() for r in rows)
        check_screen(win, size)
        for row, beside in zip(rows, side_by_side, strict=True):
            value, words = top_left(win, row, "value"), top_left(win, row, "words")
            if beside:  # the band's words at the right of the value, on the same line
                assert words.x() > value.x() + row.text.ko.width() // 2 and words.y() == value.y()
                assert row.text.en.isVisible()  # each part keeps its English under it
            else:  # under it, and one English line for both
                assert words.y() > value.y() + row.text.ko.height() // 2
                assert row.text.en.isHidden() and " · " in row.words.en.text()


@pytest.mark.parametrize("language", ["ko", "en"])
@pytest.mark.parametrize("high_contrast", [False, True], ids=["standard", "high"])
def test_large_text_on_a_landscape_panel_turns_the_results_page(
    qtbot: QtBot,
    runtime: ThreadRuntime,  # noqa: F811
    high_contrast: bool,
    language: str,
) -> None:
    size = SIZES["landscape"]
    with mode_window(qtbot, runtime, size, large_text=True, high_contrast=high_contrast) as win:
        runtime.call_soon(win.flow.set_language, Language(language), 0.0)
        qtbot.waitUntil(lambda: win.state.language.value == language)
        to_results(win, runtime, *sample_readings(), guest=True)
        rows = win.results.rows
        assert len(rows) == 4

        def shown() -> list[int]:
            return [i for i, row in enumerate(rows) if row.isVisible()]

        assert shown() == [0, 1]
        check_screen(win, size)
        tap(qtbot, win, "moreResults")
        qtbot.waitUntil(lambda: shown() == [2, 3])
        page = win.results.page_button.accessibleName()
        assert page.startswith(texts.EARLIER_RESULTS.ko if language == "ko" else "Previous")
        check_screen(win, size)
        tap(qtbot, win, "moreResults")
        qtbot.waitUntil(lambda: shown() == [0, 1])
        # Leaving the results: the next visit starts on the first page.
        tap(qtbot, win, "moreResults")
        qtbot.waitUntil(lambda: shown() == [2, 3])
        tap(qtbot, win, "finish")
        wait_step(qtbot, win, Step.FINISH)
        assert not win.results.page_button.isChecked()


def test_normal_text_never_pages(
    qtbot: QtBot,
    runtime: ThreadRuntime,  # noqa: F811
) -> None:
    for orientation in ("portrait", "landscape"):
        with mode_window(qtbot, runtime, SIZES[orientation], high_contrast=True) as win:
            to_results(win, runtime, *sample_readings(), guest=True)
            assert all(r.isVisible() for r in win.results.rows)
            assert win.results.page_button.isHidden()
            check_screen(win, SIZES[orientation])
            tap(qtbot, win, "finish")
            wait_step(qtbot, win, Step.FINISH)
            tap(qtbot, win, "done")
            wait_step(qtbot, win, Step.WELCOME)


@pytest.mark.parametrize("language", ["ko", "en"])
@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
@pytest.mark.parametrize("large_text", [False, True], ids=["normal", "large"])
@pytest.mark.parametrize("high_contrast", [False, True], ids=["standard", "high"])
def test_a_members_results_views_fit_in_every_mode(
    qtbot: QtBot,
    runtime: ThreadRuntime,  # noqa: F811
    high_contrast: bool,
    large_text: bool,
    orientation: str,
    language: str,
) -> None:
    """A returning member sees two view buttons beside the title, the trend charts, the three
    questions and the estimate: each fits with every kind measured (test_ui_modes walks a guest,
    who has neither history nor these buttons)."""
    size = SIZES[orientation]
    seed_history(runtime, (120, 80), (125, 82))
    with mode_window(
        qtbot, runtime, size, large_text=large_text, high_contrast=high_contrast
    ) as win:
        runtime.call_soon(win.flow.set_language, Language(language), 0.0)
        qtbot.waitUntil(lambda: win.state.language.value == language)
        to_results(win, runtime, *sample_readings())
        assert win.results.trend_button.isVisible() and win.results.risk_button.isVisible()
        settled_check(qtbot, win, size)
        tap(qtbot, win, "seeTrend")
        qtbot.waitUntil(lambda: win.results.trend.isVisible())
        settled_check(qtbot, win, size)
        tap(qtbot, win, "seeTrend")  # back to today's values
        qtbot.waitUntil(lambda: win.state.results_view is ResultsView.VALUES)
        tap(qtbot, win, "seeRisk")
        qtbot.waitUntil(lambda: win.state.risk_step is RiskStep.ASK)
        for name in ("riskYearPlus10", "riskFemale", "riskNonSmoker"):
            tap(qtbot, win, name)
        qtbot.waitUntil(lambda: win.state.risk_answers.complete)
        qtbot.waitUntil(lambda: button_shown(win, "riskSee"))
        settled_check(qtbot, win, size)
        tap(qtbot, win, "riskSee")
        qtbot.waitUntil(lambda: win.results.risk_panel.band.isVisible())
        settled_check(qtbot, win, size)


def button_shown(win: KioskWindow, name: str) -> bool:
    return button(win, name).isVisible()


def settled_check(qtbot: QtBot, win: KioskWindow, size: tuple[int, int]) -> None:
    """check_screen on the frame the visitor sees: a new view lays its nested rows out over a
    few passes of the event loop (wrapped English asks its height for the final width)."""
    qtbot.wait(100)
    check_screen(win, size)
