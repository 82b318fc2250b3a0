"""An on-screen keyboard for staff notes and device names: the kiosk has only its touchscreen.

Quick phrases in Korean (what staff write most after an alert) put a whole note in one tap;
a Latin/number layout covers the rest (a room number, a nurse's extension, "BP 1"). There is no
Hangul composition keyboard here: notes are short and mostly from the quick phrases, and a
two-set (두벌식) composer is a project of its own (docs/admin.md explains the choice).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.admin.common import GAP_MM, TARGET_MM, button
from ui.theme import Theme

# What staff write most after a crisis alert (centre staff's own words, plain).
ALERT_PHRASES = (
    "간호사 호출함",
    "다시 측정함",
    "안정 후 재측정 안내",
    "보호자에게 연락함",
    "119 신고함",
    "병원 방문 안내함",
)
DEVICE_NAMES = ("창가", "입구", "1번", "2번", "상담실")
_ROWS = ("1234567890", "QWERTYUIOP", "ASDFGHJKL-", "ZXCVBNM/.,")


class OnScreenKeyboard(QWidget):
    """Types into ``target`` (a QLineEdit). Keys never take focus, so the field keeps its
    cursor; ``edited`` fires after every key."""

    edited = Signal()

    def __init__(
        self, theme: Theme, *, phrases: Sequence[str] = (), name: str = "keyboard"
    ) -> None:
        super().__init__()
        self.setObjectName(name)
        self.target: QLineEdit | None = None
        self.keys: dict[str, QWidget] = {}
        gap = theme.metrics.px(GAP_MM)
        key_px = theme.metrics.px(TARGET_MM + 1)
        outer = QVBoxLayout(self)
        outer.setSpacing(gap)
        outer.setContentsMargins(0, 0, 0, 0)
        if phrases:
            quick = QGridLayout()
            quick.setSpacing(gap)
            for i, phrase in enumerate(phrases):
                b = self._key(theme, phrase, f"{name}_phrase{i}", key_px)
                b.clicked.connect(lambda _c=False, t=phrase: self.put(t, whole=True))
                quick.addWidget(b, i // 3, i % 3)
            outer.addLayout(quick)
        grid = QGridLayout()
        grid.setSpacing(gap)
        for r, row in enumerate(_ROWS):
            for c, ch in enumerate(row):
                b = self._key(theme, ch, f"{name}_key_{ord(ch)}", key_px)
                b.clicked.connect(lambda _c=False, t=ch: self.put(t))
                grid.addWidget(b, r, c)
        outer.addLayout(grid)
        last = QHBoxLayout()
        last.setSpacing(gap)
        space = self._key(theme, "띄어쓰기 · Space", f"{name}_space", key_px)
        space.clicked.connect(lambda: self.put(" "))
        back = self._key(theme, "⌫ 지움 · Del", f"{name}_back", key_px)
        back.clicked.connect(self.backspace)
        clear = self._key(theme, "비우기 · Clear", f"{name}_clear", key_px)
        clear.clicked.connect(self.clear)
        last.addWidget(space, 3)
        last.addWidget(back, 1)
        last.addWidget(clear, 1)
        outer.addLayout(last)

    def _key(self, theme: Theme, text: str, name: str, px: int) -> QPushButton:
        b = button(theme, text, name=name)
        b.setMinimumSize(px, px)
        b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.keys[text] = b
        return b

    def attach(self, target: QLineEdit | None) -> None:
        self.target = target

    def put(self, text: str, *, whole: bool = False) -> None:
        if self.target is None:
            return
        if whole and self.target.text().strip():
            text = ", " + text  # a second phrase adds to the note
        self.target.insert(text)
        self.edited.emit()

    def backspace(self) -> None:
        if self.target is not None:
            self.target.backspace()
            self.edited.emit()

    def clear(self) -> None:
        if self.target is not None:
            self.target.clear()
            self.edited.emit()
