"""A tiny, thread-safe observer used by kiosk models so the UI can watch without Qt here."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)


class Signal(Generic[T]):
    """Callbacks run on the thread that emits; a Qt bridge re-posts them to the GUI thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._slots: list[Callable[[T], None]] = []

    def connect(self, slot: Callable[[T], None]) -> Callable[[], None]:
        with self._lock:
            self._slots.append(slot)

        def disconnect() -> None:
            with self._lock:
                if slot in self._slots:
                    self._slots.remove(slot)

        return disconnect

    def emit(self, value: T) -> None:
        with self._lock:
            slots = list(self._slots)
        for slot in slots:
            try:
                slot(value)
            except Exception:
                # One broken observer must not stop a measurement from being recorded.
                log.exception("observer %r failed", slot)
