"""Shared look and plumbing of the staff pages: smaller text than the visitor's (staff read,
visitors glance) but the same 12 mm touch-target floor, and :class:`Worker`, which runs every
database read and device action on the kiosk runtime thread and hands the result back to the
GUI thread through a queued signal."""

from __future__ import annotations

import concurrent.futures
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any, Protocol, TypeVar

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton

from kiosk.errors import KioskError
from kiosk.observable import Signal as KioskSignal
from ui.theme import TextStyle, Theme

log = logging.getLogger(__name__)
T = TypeVar("T")

STAFF_TEXT = TextStyle("staff", 5.0)
STAFF_TITLE = TextStyle("staff_title", 7.0, bold=True)
STAFF_SMALL = TextStyle("staff_small", 4.0)  # tables and technical notes only
# Every staff button: 13 mm square at least, so both floors hold (12 mm side, 150 mm² area).
TARGET_MM = 13.0
GAP_MM = 3.0  # ≥ 2.5 mm between buttons


def label(theme: Theme, text: str = "", *, name: str, title: bool = False) -> QLabel:
    out = QLabel(text)
    out.setObjectName(name)
    out.setFont(theme.font(STAFF_TITLE if title else STAFF_TEXT))
    out.setTextFormat(Qt.TextFormat.PlainText)
    out.setWordWrap(True)
    out.setStyleSheet(f"color: {theme.palette.TEXT}; background: transparent;")
    return out


def button(theme: Theme, text: str, *, name: str, primary: bool = False) -> QPushButton:
    p = theme.palette
    out = QPushButton(text)
    out.setObjectName(name)
    out.setFont(theme.font(STAFF_TEXT))
    out.setMinimumHeight(theme.metrics.px(TARGET_MM))
    out.setMinimumWidth(theme.metrics.px(TARGET_MM))
    out.setCursor(Qt.CursorShape.PointingHandCursor)
    out.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # no focus ring left behind by a tap
    bg, pressed, fg = (
        (p.PRIMARY, p.PRIMARY_PRESSED, p.ON_PRIMARY)
        if primary
        else (p.SECONDARY_BUTTON, p.SECONDARY_PRESSED, p.TEXT)
    )
    out.setStyleSheet(
        f"QPushButton#{name} {{ background: {bg}; color: {fg}; border: 3px solid"
        f" {p.PANEL_BORDER}; border-radius: {theme.metrics.px(2)}px;"
        f" padding: 0 {theme.metrics.px(3)}px; }}"
        f"QPushButton#{name}:pressed {{ background: {pressed}; }}"
        # A chosen option (settings): the primary colours, and a heavier edge as a second cue.
        f"QPushButton#{name}:checked {{ background: {p.PRIMARY}; color: {p.ON_PRIMARY};"
        f" border: 5px solid {p.PANEL_BORDER}; }}"
        f"QPushButton#{name}:focus {{ border: 5px solid {p.FOCUS_RING}; }}"
        # Disabled (a staff PIN on a technician action): 7.5:1, still readable.
        f"QPushButton#{name}:disabled {{ color: #444444; background: #E0E0E0; }}"
    )
    # Never narrower than its words and padding: a squeezed button cuts its label.
    out.ensurePolished()
    out.setMinimumWidth(max(theme.metrics.px(TARGET_MM), out.sizeHint().width()))
    return out


class Relay(QObject):
    """Re-deliver a kiosk Signal (emitted on the runtime thread) on the GUI thread."""

    fired = Signal(object)

    def __init__(self, source: KioskSignal[Any], slot: Callable[[Any], None]) -> None:
        super().__init__()
        self.fired.connect(slot, Qt.ConnectionType.QueuedConnection)
        self._disconnect: Callable[[], None] | None = source.connect(self._emit)

    def _emit(self, value: object) -> None:
        with contextlib.suppress(
            RuntimeError
        ):  # the screen was deleted while the runtime still emitted
            self.fired.emit(value)

    def close(self) -> None:
        if self._disconnect is not None:
            self._disconnect()
            self._disconnect = None


class Runner(Protocol):
    """The runtime's two entry points the admin screen needs (KioskRuntime has both)."""

    def submit(self, fn: Callable[..., T], *args: Any) -> concurrent.futures.Future[T]: ...

    def spawn(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]: ...


Done = Callable[[Any], None]
Failed = Callable[[KioskError], None]


class Worker(QObject):
    """Runs work on the runtime thread; ``then`` / ``failed`` run later on the GUI thread.

    Only typed kiosk errors reach ``failed`` (they carry advice for staff); anything else is
    a bug and is logged. ``pending`` counts work in flight (tests wait for 0)."""

    # One tuple (then, failed, future): PySide6 6.12 mis-counts references to a bare None
    # passed through a queued object signal and eventually crashes the interpreter.
    _finished = Signal(object)

    def __init__(self, runner: Runner) -> None:
        super().__init__()
        self._runner = runner
        self.pending = 0
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def call(
        self, fn: Callable[..., Any], *args: Any, then: Done, failed: Failed | None = None
    ) -> None:
        self._track(self._runner.submit(fn, *args), then, failed)

    def run(
        self, coro: Coroutine[Any, Any, Any], *, then: Done, failed: Failed | None = None
    ) -> None:
        self._track(self._runner.spawn(coro), then, failed)

    def _track(
        self, future: concurrent.futures.Future[Any], then: Done, failed: Failed | None
    ) -> None:
        self.pending += 1

        def done(f: concurrent.futures.Future[Any]) -> None:
            with contextlib.suppress(
                RuntimeError
            ):  # the screen is gone; nobody waits for this result
                self._finished.emit((then, failed or _log_failure, f))

        future.add_done_callback(done)

    def _deliver(self, done: tuple[Done, Failed, concurrent.futures.Future[Any]]) -> None:
        then, failed, future = done
        self.pending -= 1
        exc = future.exception()
        if exc is None:
            then(future.result())
        elif isinstance(exc, KioskError):
            failed(exc)
        else:
            log.error("admin work failed", exc_info=exc)


def _log_failure(exc: KioskError) -> None:
    log.error("admin work failed: %s (%s)", exc, exc.advice)


def error_text(exc: KioskError) -> str:
    """What staff see for a failed action: what happened, then what to do."""
    return f"{exc}\n→ {exc.advice}"
