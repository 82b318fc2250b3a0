"""The kiosk window and the Qt entry point (``bitgoeul_kiosk.frontends: qt``)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint, QSize, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeyEvent, QMouseEvent, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QBoxLayout,
    QFrame,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.settings import KioskSettings, SettingsStore
from kiosk.visit_flow import FlowState, Language, Step, VisitFlow
from ui import texts
from ui.admin import AdminRuntimeLike, AdminScreen
from ui.bridge import ModelBridge
from ui.flow_screens import (
    ConsentScreen,
    FinishScreen,
    FlowScreen,
    IdentifyScreen,
    MeasureScreen,
    ResultsScreen,
    StaffScreen,
    WelcomeScreen,
)
from ui.fonts import apply_app_font
from ui.guidance import ChooseScreen
from ui.modes import OptionsPanel
from ui.result_screen import ResultScreen
from ui.summary_print import SummaryPrinter
from ui.texts import Bilingual
from ui.theme import TextRole, Theme
from ui.voice import VoiceGuide
from ui.widgets import BilingualButton, BilingualText, make_label

if TYPE_CHECKING:
    from ui.protocol import RuntimeLike

_ACTIVITY = frozenset({QEvent.Type.MouseButtonPress, QEvent.Type.KeyPress, QEvent.Type.TouchBegin})
# Every event of the application passes the window's filter (tens of thousands while screens
# are built): one type lookup, and out at once for all but these (bench/bench_ui.py).
_FILTERED = _ACTIVITY | {QEvent.Type.MouseButtonRelease}
# Staff entry: hold the top-left corner this long (docs/admin.md); visitors do not hold corners.
ADMIN_HOLD_MS = 3000
ADMIN_CORNER_MM = 15.0


class CurrentPageStack(QStackedWidget):
    """A stack that needs only the room of the screen it shows: screens that are not on show
    (a crowded measure screen behind the staff screen) must not squeeze the one that is."""

    def __init__(self) -> None:
        super().__init__()
        self.currentChanged.connect(lambda _index: self.updateGeometry())

    def sizeHint(self) -> QSize:
        page = self.currentWidget()
        return page.sizeHint() if page is not None else super().sizeHint()

    def minimumSizeHint(self) -> QSize:
        page = self.currentWidget()
        return page.minimumSizeHint() if page is not None else super().minimumSizeHint()


class KioskWindow(QMainWindow):
    """The visitor's window: one screen per step of the visit flow, (demo only) simulators."""

    def __init__(
        self,
        runtime: RuntimeLike,
        *,
        theme: Theme | None = None,
        large_text: bool | None = None,
        high_contrast: bool | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._runtime = runtime
        self.theme = theme = theme or Theme()
        self.setWindowTitle(texts.WINDOW_TITLE.ko)
        # The flow runs on the runtime thread like the visit manager it wraps; the window only
        # posts intent to it and draws the states it publishes.
        # The real runtime carries the technician's settings (language default, idle reset).
        self.flow = VisitFlow(
            runtime.visits,
            settings=getattr(runtime, "settings", None),
            # The runtime's hash-verified risk models (the heart-health estimate on results).
            scoring=getattr(runtime, "scoring", None),
            # Device status, live cuff pressure, allowlisted kinds and the broker's state for
            # the guidance and the finish screen (the real runtime; stand-ins have none).
            devices=getattr(runtime, "hub", None),
            device_kinds=getattr(runtime, "allowlisted_kinds", None),
            sync_link=getattr(runtime, "sync_link_up", None),
        )
        self.bridge = ModelBridge(runtime.visits, self.flow, parent=self)
        # The optional printed summary: a PDF in the kiosk's print spool (and the configured
        # printer); only where the runtime has a data directory.
        config = getattr(runtime, "config", None)
        spool = getattr(config, "print_spool_dir", None)
        self.printer = (
            SummaryPrinter(
                spool,
                theme.family,
                printer_name=getattr(config, "printer_name", None),
                parent=self,
            )
            if isinstance(spool, Path)
            else None
        )
        self.state = self.flow.state
        self._language: Language | None = None
        if large_text is not None or high_contrast is not None:
            # A stand-in runtime without settings: the kiosk's defaults come from the caller.
            self.flow.set_display_defaults(
                large_text=bool(large_text), high_contrast=bool(high_contrast)
            )
            self.state = self.flow.state
        self._base_theme = theme

        # The staff admin screen, an overlay over the whole window; only with a runtime that has
        # the staff service (the real one), so visitor-only stand-ins need not fake it.
        self.admin: AdminScreen | None = None
        self._admin_hold = QTimer(self)
        self._admin_hold.setSingleShot(True)
        self._admin_hold.setInterval(ADMIN_HOLD_MS)
        self._admin_hold.timeout.connect(self.open_admin)
        if isinstance(runtime, AdminRuntimeLike):
            self.admin = AdminScreen.for_runtime(theme, runtime, parent=self)
            self.admin.closed.connect(self.admin.hide)
            self.admin.hide()

        self.bridge.flow_changed.connect(self.apply)
        # The clock of the idle reset; the flow decides, this only tells it the time.
        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(lambda: self._post(self.flow.tick))
        self._clock.start()
        self._last_touch = 0.0
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

        # Spoken guidance outlives display-mode rebuilds; each visitor starts at the kiosk's
        # volume and voice setting (see _reset_voice).
        self.voice = VoiceGuide(parent=self)
        self.voice.muted_changed.connect(lambda _muted: self._show_voice())
        self._voice_step: Step | None = None

        self._build(
            theme.with_modes(
                large_text=self.state.large_text, high_contrast=self.state.high_contrast
            )
        )
        self.apply(self.flow.state)

    def _build(self, theme: Theme) -> None:
        """Every visitor screen, the header and the overlays, in one display mode. Run again with
        a new theme when the visitor switches large text or high contrast (see apply)."""
        self.theme = theme
        self._language = None  # the new widgets are in Korean until apply says otherwise
        self._applied_step: Step | None = None  # and every new screen needs its first apply
        self.result_screen = ResultScreen(self.bridge, theme=theme)
        post = self._post
        self.welcome = WelcomeScreen(theme, self.flow, post)
        self.identify = IdentifyScreen(theme, self.flow, post)
        self.consent = ConsentScreen(theme, self.flow, post)
        self.choose = ChooseScreen(theme, self.flow, post)
        self.measure = MeasureScreen(theme, self.flow, post, self.result_screen)
        self.results = ResultsScreen(theme, self.flow, post)
        self.finish = FinishScreen(theme, self.flow, post, self.printer)
        self.staff = StaffScreen(theme, self.flow, post)
        self.start_button = self.welcome.start_button
        self.screens: dict[Step, FlowScreen] = {
            Step.WELCOME: self.welcome,
            Step.IDENTIFY: self.identify,
            Step.CONSENT: self.consent,
            Step.CHOOSE: self.choose,
            Step.MEASURE: self.measure,
            Step.RESULTS: self.results,
            Step.FINISH: self.finish,
            Step.STAFF: self.staff,
        }
        self.stack = CurrentPageStack()
        for screen in self.screens.values():
            self.stack.addWidget(screen)

        # Every screen but the welcome: switch language, start over (검증기준 7).
        self.header = QWidget()
        header = self._header = QBoxLayout(QBoxLayout.Direction.LeftToRight, self.header)
        header.setContentsMargins(0, 0, 0, 0)
        header.setSpacing(theme.gap_px)
        # The header keeps its size in large text: the buttons that switch a mode stay where
        # the finger was, so the same tap undoes it (and four of them fit one portrait row).
        chrome = theme.with_modes(large_text=False, high_contrast=theme.high_contrast)
        self.language_button = BilingualButton(
            chrome, Bilingual(texts.LANGUAGE_EN.ko, ""), name="langToggle", primary=False
        )
        self.language_button.clicked.connect(self._toggle_language)
        self.home_button = BilingualButton(chrome, texts.HOME, name="home", primary=False)
        self.home_button.clicked.connect(lambda: self._post(self.flow.reset))
        # Large text, high contrast and sound on every screen (검증기준 3, 5: easy to switch on),
        # behind one button so the header stays one portrait row and a narrow landscape column.
        self.options_button = BilingualButton(
            chrome, texts.OPTIONS, name="optionsOpen", primary=False
        )
        self.options_button.clicked.connect(
            lambda: self._post(self.flow.show_options, not self.state.options_open)
        )
        header.addWidget(self.language_button)
        header.addWidget(self.options_button)
        header.addStretch(1)
        header.addWidget(self.home_button)
        self.options = OptionsPanel(theme, self.flow, self._post, self.voice)
        self.mode_toggles = self.options.toggles
        self.voice_button = self.options.voice_button
        self.volume_down = self.options.volume_down
        self.volume_up = self.options.volume_up
        self.options.setVisible(False)

        # The idle warning: a visible countdown and one big "more time" button (검증기준 2).
        self.countdown = QFrame()
        self.countdown.setObjectName("countdown")
        self.countdown.setStyleSheet(
            f"QFrame#countdown {{ background-color: {theme.palette.COUNTDOWN_BACKGROUND};"
            f" border: {theme.palette.border_px}px solid {theme.palette.PANEL_BORDER};"
            f" border-radius: {theme.metrics.px(3)}px; }}"
        )
        self.countdown_text = BilingualText(
            theme,
            name="countdownText",
            ko_role=TextRole.BODY,
            colour=theme.palette.TEXT,
            en_colour=theme.palette.TEXT,
        )
        self.more_time = BilingualButton(theme, texts.MORE_TIME, name="moreTime", primary=True)
        self.more_time.clicked.connect(lambda: self._post(self.flow.more_time))
        countdown = QVBoxLayout(self.countdown)
        pad = theme.metrics.px(3)
        countdown.setContentsMargins(pad, pad, pad, pad)
        countdown.addWidget(self.countdown_text)
        countdown.addWidget(self.more_time)
        self.countdown.setVisible(False)

        self.demo_strip: QFrame | None = None
        self.demo_buttons: list[BilingualButton] = []
        if self._runtime.demo_actions:
            self.demo_strip = self._build_demo_strip(theme)

        central = QWidget()
        central.setObjectName("kioskCentral")
        central.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        central.setStyleSheet(
            f"QWidget#kioskCentral {{ background-color: {theme.palette.BACKGROUND}; }}"
        )
        # Portrait: header on top, demo strip at the bottom. Landscape: both in a side column,
        # so the screens get the scarce height. See resizeEvent.
        self._outer = QBoxLayout(QBoxLayout.Direction.TopToBottom, central)
        m = theme.margin_px // 2
        self._outer.setContentsMargins(m, m, m, m)
        self._outer.setSpacing(theme.gap_px)
        side = QWidget()
        self._side = QBoxLayout(QBoxLayout.Direction.TopToBottom, side)
        self._side.setContentsMargins(0, 0, 0, 0)
        self._side.setSpacing(theme.gap_px)
        self._side.addWidget(self.header)
        main = QWidget()
        self._main = QVBoxLayout(main)
        self._main.setContentsMargins(0, 0, 0, 0)
        self._main.setSpacing(theme.gap_px)
        self._main.addWidget(self.stack, 1)
        if self.demo_strip is not None:
            self._main.addWidget(self.demo_strip)
        self._outer.addWidget(side)
        self._outer.addWidget(main, 1)
        # Overlays, not layout items: neither pushes the screen's content off.
        self.options.setParent(central)
        self.countdown.setParent(central)
        self.setCentralWidget(central)
        # The window takes the panel's size, not the content's: otherwise a layout built for
        # the other orientation first grows the window past the screen before resizeEvent can
        # rearrange it. Tests check the content's minimum size fits each orientation.
        self.setMinimumSize(1, 1)
        self._landscape = False

    # --- intent ---------------------------------------------------------------------------
    def _post(self, method: Callable[..., object], *args: object) -> None:
        """Run a flow method on the runtime thread with the time of the tap; never waits."""
        self._runtime.call_soon(method, *args, time.monotonic())

    def _toggle_language(self) -> None:
        other = Language.KO if self.state.language is Language.EN else Language.EN
        self._post(self.flow.set_language, other)

    def open_admin(self) -> None:
        if self.admin is None:
            return
        self.admin.reset()
        self.admin.setGeometry(self.rect())
        self.admin.show()
        self.admin.raise_()
        self.admin.pin_pad.setFocus()

    def _watch_admin_corner(self, watched: QObject, event: QEvent) -> None:
        if event.type() == QEvent.Type.MouseButtonRelease:
            self._admin_hold.stop()
        elif (
            event.type() == QEvent.Type.MouseButtonPress
            and isinstance(event, QMouseEvent)
            and isinstance(watched, QWidget)
            and watched.window() is self
        ):
            pos = self.mapFromGlobal(event.globalPosition().toPoint())
            corner = self.theme.metrics.px(ADMIN_CORNER_MM)
            if 0 <= pos.x() < corner and 0 <= pos.y() < corner:
                self._admin_hold.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in _FILTERED:
            return False
        if self.admin is not None and not self.admin.isVisible():
            self._watch_admin_corner(watched, event)
        # Any press or key on this window is activity: it restarts the idle clock.
        if (
            kind in _ACTIVITY
            and isinstance(watched, QWidget)
            and watched.window() is self
            and time.monotonic() - self._last_touch > 0.5  # one post per burst is enough
        ):
            self._last_touch = time.monotonic()
            self._post(self.flow.touch)
        return False

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # A keyboard-wedge QR reader and a physical keypad type here (검증기준 3).
        if self.state.step is Step.IDENTIFY:
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.identify.submit()
            elif event.key() == Qt.Key.Key_Backspace:
                self.identify.press("del")
            elif event.text().isprintable() and event.text():
                self.identify.type_text(event.text())
            return
        super().keyPressEvent(event)

    # --- drawing the flow's state ---------------------------------------------------------
    def apply(self, state: FlowState) -> None:
        if (state.large_text, state.high_contrast) != (
            self.theme.large_text,
            self.theme.high_contrast,
        ):
            self._switch_mode(state)
        self.state = state
        # Every screen on a change of step (a reset clears them all); within a step (live cuff
        # pressure, guidance) only the one on show: hidden screens are drawn again before they
        # are shown. bench/bench_ui.py measures the stalls this keeps short.
        everything = state.step is not self._applied_step
        self._applied_step = state.step
        for step, screen in self.screens.items():
            if everything or step is state.step:
                screen.apply(state)
        screen = self.screens[state.step]
        if self.stack.currentWidget() is not screen:
            self.stack.setCurrentWidget(screen)
            # No focus ring on a fresh screen (it looks like a choice already made); Tab from
            # a physical keypad still reaches every button in order.
            central = self.centralWidget()
            if central is not None:
                central.setFocus()
        self.header.setVisible(state.step is not Step.WELCOME)
        self.home_button.setVisible(state.step is not Step.STAFF)
        if state.countdown_s is not None:
            self.countdown_text.set_text(texts.countdown_text(state.countdown_s))
        self.countdown.setVisible(state.countdown_s is not None)
        if state.countdown_s is not None:
            self._place_countdown()
        if state.language is not self._language:
            self._language = state.language
            for text in self.findChildren(BilingualText):
                text.set_language(state.language.value)
            for button in self.findChildren(BilingualButton):
                if button not in self.demo_buttons:
                    button.set_language(state.language.value)
        # The other language's own name, one line: it reads the same in either language.
        other = texts.LANGUAGE_KO if state.language is Language.EN else texts.LANGUAGE_EN
        self.language_button.set_text(Bilingual(other.ko, ""))
        self.options.apply(state)
        self.options.setVisible(state.options_open and state.step is not Step.WELCOME)
        if self.options.isVisible():
            self._place_options()
        # A visit ended: the next visitor starts at the kiosk's volume. Then say this screen.
        if state.step is Step.WELCOME and self._voice_step is not Step.WELCOME:
            self._reset_voice()
        self._voice_step = state.step
        self.voice.follow(state)

    # --- voice guidance -------------------------------------------------------------------
    def _reset_voice(self) -> None:
        # The real runtime has the technician's settings; a visitor-only stand-in the defaults.
        # Reading .current is an attribute read, no database access on the GUI thread.
        settings = getattr(self._runtime, "settings", None)
        current = settings.current if isinstance(settings, SettingsStore) else KioskSettings()
        self.voice.set_defaults(current.voice_volume, current.voice_enabled)
        self.voice.reset()

    def _show_voice(self) -> None:
        if hasattr(self, "options"):  # the voice guide exists before the first build
            self.options.show_muted(self.voice.muted)

    def _switch_mode(self, state: FlowState) -> None:
        """Build every screen again in the new display mode. On the GUI thread, like any drawing;
        bench/bench_ui.py measures how long it takes."""
        typed, open_lab = self.identify.typed, self.consent.open_lab.isChecked()
        old = self.centralWidget()
        if old is not None:
            # Hidden, then deleted later by setCentralWidget: cheaper than taking it out.
            old.hide()
        self._build(
            self._base_theme.with_modes(
                large_text=state.large_text, high_contrast=state.high_contrast
            )
        )
        central = self.centralWidget()
        if central is not None and self.isVisible():
            central.show()  # now, not on the next pass of the event loop: no empty frame
        # What the visitor had entered but not sent yet stays.
        if typed:
            self.identify.type_text(typed)
        self.consent.open_lab.setChecked(open_lab)
        # Arrange the new widgets for the panel's orientation, as a resize does.
        size = self.size()
        self.resizeEvent(QResizeEvent(size, size))
        if self.admin is not None and self.admin.isVisible():
            self.admin.raise_()

    def _build_demo_strip(self, theme: Theme) -> QFrame:
        strip = QFrame()
        strip.setObjectName("demoStrip")
        strip.setAccessibleName(f"{texts.DEMO_STRIP.ko} / {texts.DEMO_STRIP.en}")
        # Dashed and grey so nobody mistakes it for part of the visitor's flow.
        strip.setStyleSheet(
            f"QFrame#demoStrip {{ background-color: {theme.palette.DEMO_BACKGROUND};"
            f" border: 3px dashed {theme.palette.PANEL_BORDER};"
            f" border-radius: {theme.metrics.px(3)}px; }}"
        )
        heading = make_label(theme, TextRole.DEMO, theme.palette.TEXT, name="demoHeading")
        heading.setText(f"{texts.DEMO_STRIP.ko} · {texts.DEMO_STRIP.en}")
        self._demo_heading = heading
        row = self._demo_row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        row.setSpacing(theme.gap_px)
        for label, action in self._runtime.demo_actions:
            # Labels come from the runtime and are already one language; show them as given.
            # "혈압 모의 측정 · Simulate BP": Korean line and English line, as everywhere else.
            ko, _, en = label.partition(" · ")
            button = BilingualButton(
                theme,
                texts.Bilingual(ko, en),
                name=f"demo{len(self.demo_buttons)}",
                primary=False,
                ko_role=TextRole.DEMO,
            )
            # Demo actions post to the runtime themselves, so calling them here cannot block.
            button.clicked.connect(lambda _checked=False, act=action: act())
            row.addWidget(button)
            self.demo_buttons.append(button)
        layout = QVBoxLayout(strip)
        pad = theme.metrics.px(3)
        layout.setContentsMargins(pad, pad, pad, pad)
        layout.setSpacing(pad)
        layout.addWidget(heading)
        layout.addLayout(row)
        return strip

    @property
    def landscape(self) -> bool:
        return self._landscape

    def resizeEvent(self, event: QResizeEvent) -> None:
        # Physical text sizes are fixed (mm), so a wide panel gets a wider arrangement instead
        # of smaller text. Only switch on an actual change, to avoid layout ping-pong.
        size = event.size()
        landscape = size.width() > size.height()
        if landscape != self._landscape:
            self._landscape = landscape
            self.result_screen.set_landscape(landscape)
            self.identify.set_landscape(landscape)
            self.measure.set_landscape(landscape)
            self.choose.set_landscape(landscape)
            self.consent.set_landscape(landscape)
            self.results.set_landscape(landscape)
            ltr, ttb = QBoxLayout.Direction.LeftToRight, QBoxLayout.Direction.TopToBottom
            if self.demo_strip is not None:
                # Bottom of the screen (portrait), or a column at the foot of the side column
                # (landscape): the screens keep the scarce height and most of the width.
                self._demo_row.setDirection(ttb if landscape else ltr)
                (self._main if landscape else self._side).removeWidget(self.demo_strip)
                strip = texts.DEMO_STRIP
                self._demo_heading.setText(
                    # A narrow column: break at the phrase boundaries by hand.
                    strip.ko.replace(" (", "\n(") + "\n" + strip.en
                    if landscape
                    else f"{strip.ko} · {strip.en}"
                )
                if landscape:
                    self._side.addStretch(1)
                    self._side.addWidget(self.demo_strip)
                else:
                    self._side.takeAt(self._side.count() - 1)  # the stretch
                    self._main.addWidget(self.demo_strip)
                # Lay out now, not on a later pass: the first frame must already fit.
                self._side.activate()
                self._outer.activate()
            self._outer.setDirection(ltr if landscape else ttb)
            self._header.setDirection(ttb if landscape else ltr)
        if self.admin is not None:
            self.admin.setGeometry(0, 0, size.width(), size.height())
        super().resizeEvent(event)
        self._place_countdown()
        self._place_options()

    def _place_countdown(self) -> None:
        central = self.centralWidget()
        if central is None:
            return
        top_left = self.stack.mapTo(central, QPoint(0, 0))
        layout = self.countdown.layout()
        width = self.stack.width()
        # Wrapped text needs the height for this width, not the unwrapped size hint.
        height = max(
            self.countdown.sizeHint().height(),
            layout.totalHeightForWidth(width) if layout is not None else 0,
        )
        self.countdown.setGeometry(top_left.x(), top_left.y(), width, height)
        self.countdown.raise_()

    def _place_options(self) -> None:
        """Over the top of the screen area, full width, as tall as its content."""
        central = self.centralWidget()
        if central is None or not hasattr(self, "options"):
            return
        top_left = self.stack.mapTo(central, QPoint(0, 0))
        width = self.stack.width()
        layout = self.options.layout()
        height = max(
            self.options.sizeHint().height(),
            layout.totalHeightForWidth(width) if layout is not None else 0,
        )
        self.options.setGeometry(top_left.x(), top_left.y(), width, height)
        self.options.raise_()
        self.countdown.raise_()  # the privacy warning stays on top of everything

    def closeEvent(self, event: QCloseEvent) -> None:
        self._clock.stop()
        self.voice.stop()
        self._admin_hold.stop()
        if self.admin is not None:
            self.admin.close()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.bridge.close()
        self.flow.close()
        super().closeEvent(event)


def _application() -> QApplication:
    existing = QApplication.instance()
    if existing is None:
        return QApplication(sys.argv)
    if not isinstance(existing, QApplication):
        raise RuntimeError("a non-widget Qt application already exists; the kiosk needs widgets")
    return existing


def build_kiosk_window(
    runtime: RuntimeLike,
    *,
    theme: Theme | None = None,
    large_text: bool | None = None,
    high_contrast: bool | None = None,
) -> KioskWindow:
    """Create (or reuse) the QApplication, set the Korean font and build the window unshown.
    ``large_text`` / ``high_contrast``: the kiosk's default display modes for a runtime without
    settings (the real runtime's settings decide otherwise)."""
    app = _application()
    if theme is None:
        font = apply_app_font(app)
        theme = Theme(family=font.family())
    else:
        apply_app_font(app, theme.metrics, theme.family)
    return KioskWindow(runtime, theme=theme, large_text=large_text, high_contrast=high_contrast)


def run_kiosk_window(runtime: RuntimeLike, *, fullscreen: bool = False) -> int:
    """Show the kiosk window and run the Qt event loop on this (the GUI) thread until it quits."""
    app = _application()
    window = build_kiosk_window(runtime)
    if fullscreen:
        window.showFullScreen()
    else:
        # Text is sized in millimetres for the kiosk panel; give it the whole desktop so
        # nothing is squeezed (a window manager may still shrink it).
        screen = app.primaryScreen()
        if screen is not None:
            window.resize(screen.availableGeometry().size())
        window.show()
    try:
        return app.exec()
    finally:
        window.bridge.close()
        window.flow.close()
