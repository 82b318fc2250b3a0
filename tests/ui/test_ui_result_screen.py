"""The visitor's result screen, driven end to end: a real VisitManager on a real SQLite store,
readings handled on a runtime thread, and widgets rendered offscreen and checked by pixel.

No pytest-qt: one QApplication for the module, and events pumped in bounded loops.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import queue
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import pytest

# The root conftest sets this too; repeated here so this file also runs on its own.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, QEventLoop, QPoint, Qt
from PySide6.QtGui import QColor, QFontDatabase, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from devices.readings import BloodPressureReading, DeviceIdentity, PressureUnit
from kiosk.scoring.bp import LABELS, Alert, classify_bp
from kiosk.session import BpResult, MeasurementResult, RetryRequest, VisitManager
from kiosk.store import Store
from kiosk.visit_flow import Step
from ui import texts, theme
from ui.app import KioskWindow, build_kiosk_window
from ui.bridge import ModelBridge
from ui.fonts import BODY_TEXT_MM, apply_app_font
from ui.protocol import DemoAction, RuntimeLike
from ui.result_screen import ResultScreen, ScreenState

T = TypeVar("T")

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "build" / "screenshots"
DEVICE = DeviceIdentity(address="C0:FF:EE:00:00:01", model="SIM-BP1")
PORTRAIT = (1080, 1920)  # a 21.5" Full-HD panel stood upright, the usual kiosk orientation
LANDSCAPE = (1920, 1080)
WAIT_S = 10.0

pytestmark = pytest.mark.qt


# --- a small real runtime: posted calls run in order on one plain worker thread ------------
class ThreadRuntime:
    """Stand-in for kiosk.runtime.KioskRuntime with the members the UI uses, plus ``submit``."""

    def __init__(self, visits: VisitManager, demo_actions: Sequence[DemoAction] = ()) -> None:
        self.visits = visits
        self.demo_actions = demo_actions
        self.errors: list[BaseException] = []
        self._queue: queue.SimpleQueue[tuple[Callable[..., object], tuple[object, ...]] | None]
        self._queue = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._main, name="test-runtime", daemon=True)
        self.thread.start()

    def call_soon(self, fn: Callable[..., object], *args: object) -> None:
        self._queue.put((fn, args))

    def submit(self, fn: Callable[..., T], *args: object) -> concurrent.futures.Future[T]:
        future: concurrent.futures.Future[T] = concurrent.futures.Future()

        def run() -> None:
            try:
                future.set_result(fn(*args))
            except BaseException as exc:  # the caller sees it through the future
                future.set_exception(exc)

        self.call_soon(run)
        return future

    def _main(self) -> None:
        while (item := self._queue.get()) is not None:
            fn, args = item
            try:
                fn(*args)
            except Exception as exc:  # kept for the test to assert on, like the runtime's log
                self.errors.append(exc)

    def close(self) -> None:
        self._queue.put(None)
        self.thread.join(WAIT_S)
        assert not self.thread.is_alive(), "runtime thread did not stop"


def _as_runtime(runtime: ThreadRuntime) -> RuntimeLike:
    return runtime  # checked by mypy: the stand-in satisfies the UI's protocol


# --- helpers ------------------------------------------------------------------------------
def pump_until(predicate: Callable[[], bool], what: str, timeout: float = WAIT_S) -> None:
    """Process Qt events until ``predicate`` holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.002)  # bounded by the deadline; only to not spin a core


def pump_for(seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.002)


def bp(
    sbp: float, dbp: float, pulse: float | None = 71, device: DeviceIdentity = DEVICE
) -> BloodPressureReading:
    return BloodPressureReading(
        device=device,
        systolic=sbp,
        diastolic=dbp,
        mean_arterial=None,
        unit=PressureUnit.MMHG,
        pulse_rate=pulse,
        raw=b"\x1e" + bytes(6),  # synthetic bytes; only stored, never decoded here
    )


def visible_texts(root: QWidget) -> list[str]:
    """Every piece of text a visitor can see under ``root``."""
    return [label.text() for label in root.findChildren(QLabel) if label.isVisibleTo(root)] + [
        root.windowTitle()
    ]


def assert_fits(window: KioskWindow, size: tuple[int, int]) -> None:
    """Everything fits the panel: no growing past the screen, no squeezed or stranded text."""
    assert (window.width(), window.height()) == size
    central = window.centralWidget()
    assert central is not None
    need = central.minimumSizeHint()
    assert need.width() <= size[0] and need.height() <= size[1], f"needs {need} on {size}"
    for label in window.findChildren(QLabel):
        if label.isVisibleTo(window) and label.textFormat() is Qt.TextFormat.PlainText:
            assert_lines_fit(label)


def assert_lines_fit(label: QLabel) -> None:
    # Our wording is broken by hand at phrase boundaries; Qt must not break it again.
    room = label.contentsRect().width()
    for line in label.text().split("\n"):
        assert label.fontMetrics().horizontalAdvance(line) <= room, (label.objectName(), line)


def pixel_inside_top_of(widget: QWidget, image: QImage, root: QWidget, dy: int = 6) -> QColor:
    """Colour just inside the top edge of ``widget``, horizontally centred: background, no text."""
    point = widget.mapTo(root, QPoint(widget.width() // 2, dy))
    return image.pixelColor(point)


def contrast(a: str, b: str) -> float:
    def luminance(hex_colour: str) -> float:
        c = QColor(hex_colour)
        channels = [c.redF(), c.greenF(), c.blueF()]
        lin = [x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4 for x in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def save_screenshot(widget: QWidget, tmp_path: Path, name: str) -> QImage:
    image = widget.grab().toImage()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for path in (tmp_path / name, SCREENSHOTS / name):
        # Format from the .png suffix (the stubs and the runtime disagree on its type).
        assert image.save(str(path)), f"could not write {path}"
        assert path.stat().st_size > 20_000, f"{path} is suspiciously small"
    # Not a blank or single-colour image: sample a grid and count distinct colours.
    step = 40
    colours = {
        image.pixel(x, y)
        for x in range(0, image.width(), step)
        for y in range(0, image.height(), step)
    }
    assert len(colours) >= 4, f"{name} looks uniform ({len(colours)} colours)"
    return image


# --- fixtures -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def qapp() -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([])
    if "Noto Sans CJK KR" not in QFontDatabase.families():
        pytest.fail("Korean font missing: sudo apt-get install fonts-noto-cjk", pytrace=False)
    apply_app_font(app)
    return app


@pytest.fixture
def visits(tmp_path: Path) -> Iterator[VisitManager]:
    store = Store.open(tmp_path / "k.db")
    try:
        yield VisitManager(store, "kiosk-test-01")
    finally:
        store.close()


@pytest.fixture
def runtime(visits: VisitManager) -> Iterator[ThreadRuntime]:
    rt = ThreadRuntime(visits)
    try:
        yield rt
    finally:
        rt.close()
    assert rt.errors == [], f"runtime calls failed: {rt.errors!r}"


@pytest.fixture
def gui_ident(qapp: QApplication) -> int:
    assert threading.current_thread() is threading.main_thread()
    return threading.get_ident()


@pytest.fixture
def reading_threads(
    visits: VisitManager, monkeypatch: pytest.MonkeyPatch, gui_ident: int
) -> list[int]:
    """Thread ids of every handle_reading call; the GUI thread must never be one of them."""
    seen: list[int] = []
    original = visits.handle_reading

    def recording(reading: Any) -> BpResult | MeasurementResult | RetryRequest | None:
        seen.append(threading.get_ident())
        return original(reading)

    monkeypatch.setattr(visits, "handle_reading", recording)
    return seen


def _close(window: QWidget) -> None:
    window.close()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, 0)  # DeferredDelete, so windows don't pile up
    QCoreApplication.processEvents()


@contextlib.contextmanager
def shown_window(runtime: ThreadRuntime, size: tuple[int, int]) -> Iterator[KioskWindow]:
    win = build_kiosk_window(_as_runtime(runtime))
    win.resize(*size)
    win.show()
    pump_until(win.isVisible, "the window to show")
    try:
        yield win
    finally:
        _close(win)


@pytest.fixture
def window(qapp: QApplication, runtime: ThreadRuntime) -> Iterator[KioskWindow]:
    with shown_window(runtime, PORTRAIT) as win:
        yield win


def tap(button: QWidget) -> None:
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def start_visit(window: KioskWindow) -> None:
    """Start, come as a guest and consent like a visitor; wait until the screen asks for the
    cuff."""
    tap(window.start_button)
    pump_until(lambda: window.state.step is Step.IDENTIFY, "the identify screen")
    tap(window.identify.guest)
    pump_until(lambda: window.state.step is Step.CONSENT, "the consent screen")
    tap(window.consent.agree)
    pump_until(lambda: window.state.step is Step.CHOOSE, "the choose screen")
    tap(window.choose.check_all)  # blood pressure comes first
    pump_until(lambda: window.state.step is Step.MEASURE, "the measure screen")
    pump_until(lambda: window.result_screen.state is ScreenState.WAITING, "the waiting screen")


def measure(
    runtime: ThreadRuntime, reading: BloodPressureReading
) -> BpResult | MeasurementResult | RetryRequest:
    """Hand a reading to the visit manager on the runtime thread, as the device hub does."""
    outcome = runtime.submit(runtime.visits.handle_reading, reading).result(WAIT_S)
    assert outcome is not None, "reading was dropped (no consented visit?)"
    return outcome


# --- tests --------------------------------------------------------------------------------
def test_waiting_screen_before_any_reading(window: KioskWindow) -> None:
    screen = window.result_screen
    assert screen.state is ScreenState.IDLE
    assert screen.message.ko.text() == texts.IDLE.ko

    start_visit(window)

    assert screen.message.ko.text() == texts.WAITING.ko
    assert screen.message.en.text() == texts.WAITING.en
    assert screen.staff_banner.isHidden()
    assert_fits(window, PORTRAIT)


def test_result_shows_numbers_category_band_and_screenshot(
    window: KioskWindow,
    runtime: ThreadRuntime,
    reading_threads: list[int],
    gui_ident: int,
    tmp_path: Path,
) -> None:
    screen = window.result_screen
    start_visit(window)

    result = measure(runtime, bp(128, 82, pulse=71))
    pump_until(lambda: screen.state is ScreenState.RESULT, "the result screen")

    expected = classify_bp(128, 82)
    assert isinstance(result, BpResult) and result.classification == expected
    assert screen.bp_value.accessibleName() == "혈압 128 / 82 mmHg"
    assert re.sub(r"<[^>]+>", "", screen.bp_value.text()).replace("&nbsp;", " ") == (
        "128 / 82 mmHg"
    )
    assert screen.pulse.ko.text() == "맥박 71회/분"
    assert screen.category.ko.text() == expected.text.ko
    assert screen.category.en.text() == expected.text.en
    assert screen.category_band.accessibleName() == expected.text.ko
    advice = texts.advice_for(expected.category, expected.alert)
    assert (screen.advice.ko.text(), screen.advice.en.text()) == advice
    assert screen.disclaimer.ko.text() == texts.DISCLAIMER.ko
    assert screen.staff_banner.isHidden()

    # The band is painted in the category colour, and the text on it is white. The saved
    # screenshot is the whole window: what the visitor sees, start button included.
    image = screen.grab().toImage()
    assert pixel_inside_top_of(screen.category_band, image, screen) == QColor(expected.text.colour)
    shot = save_screenshot(window, tmp_path, "result_screen.png")
    assert pixel_inside_top_of(screen.category_band, shot, window) == QColor(expected.text.colour)
    assert screen.category.ko.palette().color(screen.category.ko.foregroundRole()) == QColor(
        theme.ON_COLOUR
    )

    # The reading was handled on the runtime thread, never on the GUI thread.
    assert reading_threads == [runtime.thread.ident]
    assert gui_ident not in reading_threads


def test_missing_pulse_hides_the_pulse_line(window: KioskWindow, runtime: ThreadRuntime) -> None:
    screen = window.result_screen
    start_visit(window)
    measure(runtime, bp(112, 74, pulse=None))
    pump_until(lambda: screen.state is ScreenState.RESULT, "the result screen")
    assert screen.pulse.isHidden()
    assert screen.category.ko.text() == classify_bp(112, 74).text.ko


def test_implausible_reading_asks_kindly_and_hides_staff_detail(
    window: KioskWindow,
    runtime: ThreadRuntime,
    reading_threads: list[int],
    gui_ident: int,
    tmp_path: Path,
) -> None:
    screen = window.result_screen
    start_visit(window)

    request = measure(runtime, bp(400, 82))
    pump_until(lambda: screen.state is ScreenState.RETRY, "the retry message")

    assert isinstance(request, RetryRequest)
    # The kiosk's own kind wording, laid out one sentence per line.
    assert screen.message.accessibleName() == request.message_ko
    assert screen.message.ko.text() == texts.one_sentence_per_line(request.message_ko)
    assert texts.spoken(screen.message.en.text()) == request.message_en
    shown = "\n".join(visible_texts(window))
    assert request.detail and request.detail not in shown
    assert request.advice not in shown
    assert "Error" not in shown and "400" not in shown
    assert screen.staff_banner.isHidden()
    assert screen.hint.ko.text() == texts.RETRY_HINT.ko
    assert_lines_fit(screen.hint.ko)
    save_screenshot(window, tmp_path, "result_screen_retry.png")
    assert gui_ident not in reading_threads and len(reading_threads) == 1


def test_crisis_reading_shows_calm_staff_screen(
    window: KioskWindow, runtime: ThreadRuntime, tmp_path: Path
) -> None:
    screen = window.result_screen
    start_visit(window)

    measure(runtime, bp(190, 120, pulse=88))
    pump_until(lambda: window.state.step is Step.STAFF, "the staff screen")

    expected = classify_bp(190, 120)
    assert expected.alert is Alert.STAFF_NOW
    # The whole screen turns to a calm "staff are coming"; no numbers to alarm the visitor.
    assert window.stack.currentWidget() is window.staff
    shown = visible_texts(window.staff)
    assert window.staff.message.ko.text() == texts.STAFF_COMING.ko
    assert not any(re.search(r"\d", t) for t in shown), shown
    assert window.home_button.isHidden()  # staff reset it, not a stray tap
    image = save_screenshot(window, tmp_path, "result_screen_staff.png")
    assert pixel_inside_top_of(window.staff, image, window, dy=20) == QColor(theme.STAFF_BANNER)
    # The measure screen underneath already carries the banner and the category.
    assert screen.staff_banner.isVisibleTo(screen)
    assert screen.category.ko.text() == expected.text.ko

    # A calmer second reading in the same visit keeps the staff screen and the banner.
    measure(runtime, bp(150, 92))
    pump_until(lambda: screen.category.ko.text() == classify_bp(150, 92).text.ko, "2nd result")
    assert window.state.step is Step.STAFF and screen.staff_banner.isVisibleTo(screen)

    # Staff reset it; the next visitor starts clean.
    tap(window.staff.staff_reset)
    pump_until(lambda: window.state.step is Step.WELCOME, "the welcome screen")
    start_visit(window)
    assert screen.staff_banner.isHidden()


def test_start_button_posts_to_runtime_and_never_blocks(
    window: KioskWindow, runtime: ThreadRuntime, gui_ident: int
) -> None:
    gate = threading.Event()
    runtime.call_soon(gate.wait, WAIT_S)  # the runtime is busy (e.g. a slow BLE connect)

    started = time.monotonic()
    QTest.mouseClick(window.start_button, Qt.MouseButton.LeftButton)
    assert time.monotonic() - started < 0.5, "the tap waited for the runtime"
    assert window.flow.state.step is Step.WELCOME  # nothing ran on the GUI thread

    gate.set()
    pump_until(lambda: window.state.step is Step.IDENTIFY, "the identify screen")
    second_gate = threading.Event()
    runtime.call_soon(second_gate.wait, WAIT_S)
    started = time.monotonic()
    tap(window.identify.guest)
    assert time.monotonic() - started < 0.5, "the tap waited for the runtime"
    assert runtime.visits.current is None
    second_gate.set()
    pump_until(lambda: window.state.step is Step.CONSENT, "the consent screen")
    tap(window.consent.agree)
    pump_until(lambda: window.result_screen.state is ScreenState.WAITING, "the waiting screen")
    current = runtime.visits.current
    assert current is not None and current.consented


def test_bridge_delivers_on_gui_thread_in_order_and_stops_after_close(
    qapp: QApplication, runtime: ThreadRuntime, gui_ident: int
) -> None:
    bridge = ModelBridge(runtime.visits)
    got: list[tuple[str, int]] = []
    bridge.visit_changed.connect(lambda v: got.append(("visit", threading.get_ident())))
    bridge.result_added.connect(lambda r: got.append(("result", threading.get_ident())))
    bridge.staff_alert.connect(lambda a: got.append(("staff", threading.get_ident())))

    runtime.submit(runtime.visits.start_visit).result(WAIT_S)
    runtime.submit(runtime.visits.give_consent).result(WAIT_S)
    measure(runtime, bp(185, 95))
    pump_until(lambda: len(got) == 4, "four deliveries")

    assert [kind for kind, _ in got] == ["visit", "visit", "result", "staff"]
    assert {ident for _, ident in got} == {gui_ident}

    bridge.close()
    bridge.close()  # idempotent
    runtime.submit(runtime.visits.end_visit).result(WAIT_S)
    pump_for(0.3)
    assert len(got) == 4, "a closed bridge still delivered"
    bridge.deleteLater()


def test_events_queued_before_close_are_dropped(qapp: QApplication, visits: VisitManager) -> None:
    bridge = ModelBridge(visits)
    got: list[object] = []
    bridge.visit_changed.connect(got.append)
    emitter = threading.Thread(target=visits.visit_changed.emit, args=(None,))
    emitter.start()
    emitter.join(WAIT_S)
    bridge.close()  # the event is queued but not yet delivered
    pump_for(0.2)
    assert got == []
    bridge.deleteLater()


def test_screen_shows_current_visit_on_first_paint(
    qapp: QApplication, runtime: ThreadRuntime
) -> None:
    runtime.submit(runtime.visits.start_visit).result(WAIT_S)
    runtime.submit(runtime.visits.give_consent).result(WAIT_S)
    measure(runtime, bp(185, 100))  # staff called ...
    measure(runtime, bp(118, 76))  # ... and a calmer repeat before the screen existed
    bridge = ModelBridge(runtime.visits)
    screen = ResultScreen(bridge)
    try:
        assert screen.state is ScreenState.RESULT
        assert screen.category.ko.text() == classify_bp(118, 76).text.ko
        assert screen.staff_banner.isVisibleTo(screen) and screen.title.isHidden()
    finally:
        bridge.close()
        _close(screen)


def test_demo_strip_has_one_labelled_button_per_action(
    qapp: QApplication, visits: VisitManager
) -> None:
    pressed: list[str] = []
    actions: list[DemoAction] = [
        ("정상 혈압 재기", lambda: pressed.append("normal")),
        ("높은 혈압 재기", lambda: pressed.append("high")),
    ]
    rt = ThreadRuntime(visits, demo_actions=actions)
    win = build_kiosk_window(_as_runtime(rt))
    try:
        assert win.demo_strip is not None
        assert texts.DEMO_STRIP.ko in win.demo_strip.accessibleName()
        assert [b.accessibleName() for b in win.demo_buttons] == [
            "정상 혈압 재기",
            "높은 혈압 재기",
        ]
        win.resize(*PORTRAIT)
        win.show()
        pump_until(win.isVisible, "the window to show")
        QTest.mouseClick(win.demo_buttons[1], Qt.MouseButton.LeftButton)
        assert pressed == ["high"]
    finally:
        _close(win)
        rt.close()


@pytest.mark.parametrize("size", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
def test_every_state_fits_portrait_and_landscape_panels(
    qapp: QApplication, visits: VisitManager, size: tuple[int, int], tmp_path: Path
) -> None:
    # Worst case: demo strip shown and the staff banner up.
    actions: list[DemoAction] = [
        ("정상 혈압 재기", lambda: None),
        ("높은 혈압 재기", lambda: None),
        ("잘못된 값 보내기", lambda: None),
    ]
    rt = ThreadRuntime(visits, demo_actions=actions)
    try:
        with shown_window(rt, size) as win:
            screen = win.result_screen
            assert win.landscape is (size == LANDSCAPE)
            assert_fits(win, size)  # idle
            start_visit(win)
            assert_fits(win, size)  # waiting
            measure(rt, bp(128, 82))
            pump_until(lambda: screen.state is ScreenState.RESULT, "the result screen")
            assert_fits(win, size)
            measure(rt, bp(190, 120))
            pump_until(lambda: screen.staff_banner.isVisibleTo(screen), "the staff banner")
            assert_fits(win, size)
            orientation = "landscape" if size == LANDSCAPE else "portrait"
            save_screenshot(win, tmp_path, f"kiosk_demo_staff_{orientation}.png")
    finally:
        rt.close()
    assert rt.errors == []


def test_no_demo_strip_without_demo_actions(window: KioskWindow) -> None:
    assert window.demo_strip is None and window.demo_buttons == []


def test_sizes_meet_the_kiosk_accessibility_rules(
    window: KioskWindow, runtime: ThreadRuntime
) -> None:
    screen = window.result_screen
    start_visit(window)
    measure(runtime, bp(128, 82))
    pump_until(lambda: screen.state is ScreenState.RESULT, "the result screen")
    px_per_mm = screen.theme.metrics.px_per_mm

    # Touch target: ≥ 12 mm shortest side and ≥ 150 mm² (검증기준 1).
    button = window.start_button
    short_mm = min(button.width(), button.height()) / px_per_mm
    assert short_mm >= 12 and button.width() * button.height() / px_per_mm**2 >= 150

    # Every visible Korean line outside the demo strip is ≥ 12 mm of Hangul ink (검증기준 3).
    min_px = screen.theme.metrics.text_px(BODY_TEXT_MM, screen.theme.family)
    for label in window.findChildren(QLabel):
        if label.isVisibleTo(window) and re.search("[가-힣]", label.text()):
            assert label.font().pixelSize() >= min_px, label.objectName()

    # The kiosk's own colours against white, and white on every category colour.
    for ours in (theme.TEXT, theme.TEXT_SECONDARY, theme.PRIMARY, theme.STAFF_BANNER):
        assert contrast(ours, "#FFFFFF") >= 7.0, ours
    for label_text in LABELS.values():
        assert contrast(label_text.colour, theme.ON_COLOUR) >= 4.5, label_text


def test_app_font_is_set_explicitly_to_noto_cjk_kr(qapp: QApplication) -> None:
    font = QApplication.font()
    assert font.family() == "Noto Sans CJK KR"
    assert font.pixelSize() >= 48  # 12 mm Hangul on the default 21.5" panel
