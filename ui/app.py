"""The kiosk window and the Qt entry point (``bitgoeul_kiosk.frontends: qt``)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from PySide6.QtGui import QCloseEvent, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QMainWindow,
    QVBoxLayout,
    QWidget,
)

from ui import texts
from ui.bridge import ModelBridge
from ui.fonts import apply_app_font
from ui.result_screen import ResultScreen
from ui.theme import BACKGROUND, DEMO_BACKGROUND, PANEL_BORDER, TEXT, TextRole, Theme
from ui.widgets import BilingualButton, make_label

if TYPE_CHECKING:
    from ui.protocol import RuntimeLike


class KioskWindow(QMainWindow):
    """The visitor's window: the result screen, the start button and (demo only) simulators."""

    def __init__(
        self, runtime: RuntimeLike, *, theme: Theme | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._runtime = runtime
        theme = theme or Theme()
        self.setWindowTitle("빛고을 건강 키오스크")

        self.bridge = ModelBridge(runtime.visits, parent=self)
        self.result_screen = ResultScreen(self.bridge, theme=theme)

        self.start_button = BilingualButton(
            theme, texts.START_VISIT, name="startVisit", primary=True
        )
        self.start_button.clicked.connect(self._start_visit)

        self.demo_strip: QFrame | None = None
        self.demo_buttons: list[BilingualButton] = []
        if runtime.demo_actions:
            self.demo_strip = self._build_demo_strip(theme)

        # The main action sits in the same large bottom position on every screen (kiosk_ux §5);
        # the demo strip goes under it (portrait) or beside it (landscape).
        self._bottom = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self._bottom.setSpacing(theme.gap_px)
        self._bottom.addWidget(self.start_button, 1)
        if self.demo_strip is not None:
            self._bottom.addWidget(self.demo_strip, 2)

        central = QWidget()
        central.setObjectName("kioskCentral")
        central.setStyleSheet(f"QWidget#kioskCentral {{ background-color: {BACKGROUND}; }}")
        layout = QVBoxLayout(central)
        m = theme.margin_px // 2
        layout.setContentsMargins(m, m, m, m)
        layout.setSpacing(theme.gap_px)
        layout.addWidget(self.result_screen, 1)
        layout.addLayout(self._bottom)
        self.setCentralWidget(central)
        # The window takes the panel's size, not the content's: otherwise a layout built for
        # the other orientation first grows the window past the screen before resizeEvent can
        # rearrange it. Tests check the content's minimum size fits each orientation.
        self.setMinimumSize(1, 1)

    def _build_demo_strip(self, theme: Theme) -> QFrame:
        strip = QFrame()
        strip.setObjectName("demoStrip")
        strip.setAccessibleName(f"{texts.DEMO_STRIP.ko} / {texts.DEMO_STRIP.en}")
        # Dashed and grey so nobody mistakes it for part of the visitor's flow.
        strip.setStyleSheet(
            f"QFrame#demoStrip {{ background-color: {DEMO_BACKGROUND};"
            f" border: 3px dashed {PANEL_BORDER}; border-radius: {theme.metrics.px(3)}px; }}"
        )
        heading = make_label(theme, TextRole.DEMO, TEXT, name="demoHeading")
        heading.setText(f"{texts.DEMO_STRIP.ko} · {texts.DEMO_STRIP.en}")
        row = QHBoxLayout()
        row.setSpacing(theme.gap_px)
        for label, action in self._runtime.demo_actions:
            # Labels come from the runtime and are already one language; show them as given.
            button = BilingualButton(
                theme,
                texts.Bilingual(label, ""),
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

    def _start_visit(self) -> None:
        visits = self._runtime.visits
        # Demo simplification: a guest visit and its consent in one tap. The real flow needs an
        # identify step and a consent screen the visitor reads and accepts (PIPA).
        # Both run on the runtime thread, in this order; the GUI never touches the store.
        self._runtime.call_soon(visits.start_visit)
        self._runtime.call_soon(visits.give_consent)

    @property
    def landscape(self) -> bool:
        return self.result_screen.landscape

    def resizeEvent(self, event: QResizeEvent) -> None:
        # Physical text sizes are fixed (mm), so a wide panel gets a wider arrangement instead
        # of smaller text. Only switch on an actual change, to avoid layout ping-pong.
        size = event.size()
        landscape = size.width() > size.height()
        if landscape != self.landscape:
            self.result_screen.set_landscape(landscape)
            self._bottom.setDirection(
                QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom
            )
        super().resizeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.bridge.close()
        super().closeEvent(event)


def _application() -> QApplication:
    existing = QApplication.instance()
    if existing is None:
        return QApplication(sys.argv)
    if not isinstance(existing, QApplication):
        raise RuntimeError("a non-widget Qt application already exists; the kiosk needs widgets")
    return existing


def build_kiosk_window(runtime: RuntimeLike, *, theme: Theme | None = None) -> KioskWindow:
    """Create (or reuse) the QApplication, set the Korean font and build the window unshown."""
    app = _application()
    if theme is None:
        font = apply_app_font(app)
        theme = Theme(family=font.family())
    else:
        apply_app_font(app, theme.metrics, theme.family)
    return KioskWindow(runtime, theme=theme)


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
