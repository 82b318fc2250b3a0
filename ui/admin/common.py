"""Shared look of the staff pages: smaller than the visitor's text (staff read, visitors glance),
but still at the 12 mm touch-target floor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton

from kiosk.observable import Signal as KioskSignal
from ui.theme import (
    FOCUS_RING,
    ON_COLOUR,
    PANEL_BORDER,
    PRIMARY,
    PRIMARY_PRESSED,
    SECONDARY_BUTTON,
    SECONDARY_PRESSED,
    TEXT,
    TextStyle,
    Theme,
)

STAFF_TEXT = TextStyle("staff", 5.0)
STAFF_TITLE = TextStyle("staff_title", 7.0, bold=True)


def label(theme: Theme, text: str = "", *, name: str, title: bool = False) -> QLabel:
    out = QLabel(text)
    out.setObjectName(name)
    out.setFont(theme.font(STAFF_TITLE if title else STAFF_TEXT))
    out.setTextFormat(Qt.TextFormat.PlainText)
    out.setWordWrap(True)
    out.setStyleSheet(f"color: {TEXT}; background: transparent;")
    return out


def button(theme: Theme, text: str, *, name: str, primary: bool = False) -> QPushButton:
    out = QPushButton(text)
    out.setObjectName(name)
    out.setFont(theme.font(STAFF_TEXT))
    out.setMinimumHeight(theme.metrics.px(12.0))
    out.setCursor(Qt.CursorShape.PointingHandCursor)
    out.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # no focus ring left behind by a tap
    bg, pressed, fg = (
        (PRIMARY, PRIMARY_PRESSED, ON_COLOUR)
        if primary
        else (SECONDARY_BUTTON, SECONDARY_PRESSED, TEXT)
    )
    out.setStyleSheet(
        f"QPushButton#{name} {{ background: {bg}; color: {fg}; border: 3px solid {PANEL_BORDER};"
        f" border-radius: {theme.metrics.px(2)}px; padding: 0 {theme.metrics.px(3)}px; }}"
        f"QPushButton#{name}:pressed {{ background: {pressed}; }}"
        f"QPushButton#{name}:focus {{ border: 5px solid {FOCUS_RING}; }}"
        f"QPushButton#{name}:disabled {{ color: #555555; background: #E0E0E0; }}"
    )
    return out


class Relay(QObject):
    """Re-deliver a kiosk Signal (emitted on the runtime thread) on the GUI thread."""

    fired = Signal(object)

    def __init__(self, source: KioskSignal[Any], slot: Callable[[Any], None]) -> None:
        super().__init__()
        self.fired.connect(slot, Qt.ConnectionType.QueuedConnection)
        self._disconnect: Callable[[], None] | None = source.connect(self.fired.emit)

    def close(self) -> None:
        if self._disconnect is not None:
            self._disconnect()
            self._disconnect = None
