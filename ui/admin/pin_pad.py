"""A numeric PIN pad: digits are masked, typed by tap or keypad, submitted with 확인/OK."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QGridLayout, QVBoxLayout, QWidget

from ui.admin.common import button, label
from ui.theme import Theme

MAX_DIGITS = 8


class PinPad(QWidget):
    submitted = Signal(str)
    # While locked: one technician PIN may clear the lock (StaffService.technician_unlock).
    unlock_submitted = Signal(str)
    cancelled = Signal()

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pinPad")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._digits = ""
        self.title = label(theme, "직원 PIN 입력 · Staff PIN", name="pinTitle", title=True)
        self.display = label(theme, "", name="pinDisplay", title=True)
        self.display.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message = label(theme, "", name="pinMessage")
        # Only the demo sets it (its seeded PINs); a real kiosk's PINs are never shown.
        self.hint = label(theme, "", name="pinHint")
        self.hint.hide()
        grid = QGridLayout()
        grid.setSpacing(theme.metrics.px(3))
        self.keys: dict[str, QWidget] = {}
        layout_keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "del", "0", "ok"]
        texts = {"del": "지움 · Del", "ok": "확인 · OK"}
        for i, key in enumerate(layout_keys):
            b = button(theme, texts.get(key, key), name=f"pinKey_{key}", primary=key == "ok")
            b.setMinimumSize(theme.metrics.px(22), theme.metrics.px(16))
            b.clicked.connect(lambda _c=False, k=key: self.press(k))
            grid.addWidget(b, i // 3, i % 3)
            self.keys[key] = b
        self.unlock = button(
            theme, "기술 담당자 PIN으로 풀기 · Technician unlock", name="pinUnlock"
        )
        self.unlock.clicked.connect(self.start_unlock)
        self.unlock.hide()
        self.unlocking = False
        self.cancel = button(theme, "닫기 · Close", name="pinCancel")
        self.cancel.clicked.connect(self._cancel)
        layout = QVBoxLayout(self)
        layout.setSpacing(theme.metrics.px(3.0))
        layout.addWidget(self.title)
        layout.addWidget(self.display)
        layout.addWidget(self.message)
        layout.addWidget(self.hint)
        layout.addLayout(grid)
        layout.addWidget(self.unlock)
        layout.addWidget(self.cancel)
        layout.addStretch(1)

    def set_hint(self, text: str) -> None:
        self.hint.setText(text)
        self.hint.setVisible(bool(text))

    @property
    def entered(self) -> int:
        return len(self._digits)

    def press(self, key: str) -> None:
        if key == "del":
            self._digits = self._digits[:-1]
        elif key == "ok":
            pin, self._digits = self._digits, ""
            self._show()
            if pin and self.unlocking:
                self.unlocking = False
                self.unlock_submitted.emit(pin)
            elif pin:
                self.submitted.emit(pin)
            return
        elif key.isdigit() and len(self._digits) < MAX_DIGITS:
            self._digits += key
        self._show()

    def set_message(self, text: str) -> None:
        self.message.setText(text)

    def set_locked(self, locked: bool, *, unlock: bool = True) -> None:
        if not locked:
            self.unlocking = False
        keys_on = not locked or self.unlocking
        for key in self.keys.values():
            key.setEnabled(keys_on)
        self.unlock.setVisible(locked and unlock and not self.unlocking)
        self.title.setText(
            "기술 담당자 PIN · Technician PIN (한 번 · one try)"
            if self.unlocking
            else "직원 PIN 입력 · Staff PIN"
        )

    def start_unlock(self) -> None:
        self.unlocking = True
        self.clear()
        self.set_locked(True)

    def clear(self) -> None:
        self._digits = ""
        self._show()

    def _cancel(self) -> None:
        self.clear()
        self.unlocking = False
        self.message.setText("")
        self.cancelled.emit()

    def _show(self) -> None:
        # Masked: a visitor standing behind must not read the PIN.
        self.display.setText("●" * len(self._digits))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.press("ok")
        elif event.key() == Qt.Key.Key_Backspace:
            self.press("del")
        elif event.text().isdigit():
            self.press(event.text())
        else:
            super().keyPressEvent(event)
