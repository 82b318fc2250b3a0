"""Small building blocks: a Korean line with its English line, and a bordered bilingual button."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from ui.texts import Bilingual, spoken
from ui.theme import TextRole, TextStyle, Theme


def make_label(
    theme: Theme, role: TextStyle, colour: str, *, name: str, wrap: bool = True
) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setFont(theme.font(role))
    label.setWordWrap(wrap)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setStyleSheet(f"color: {colour}; background: transparent;")
    return label


class BilingualText(QWidget):
    """Korean on top, the English courtesy line under it in a smaller size."""

    def __init__(
        self,
        theme: Theme,
        *,
        name: str,
        ko_role: TextStyle,
        colour: str,
        en_colour: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.ko = make_label(theme, ko_role, colour, name=f"{name}Ko")
        self.en = make_label(theme, TextRole.ENGLISH, en_colour, name=f"{name}En")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(theme.metrics.px(1.5))
        layout.addWidget(self.ko)
        layout.addWidget(self.en)

        self._text = Bilingual("", "")
        self._language = "ko"

    def set_text(self, text: Bilingual) -> None:
        self._text = text
        self._render()

    def set_language(self, language: str) -> None:
        """Korean: Korean large with the English courtesy line. English: English only, at the
        Korean line's size (the ``ko`` label is the large, primary line)."""
        self._language = language
        self._render()

    def _render(self) -> None:
        text = self._text
        if self._language == "en" and text.en:
            primary, secondary = text.en, ""
        else:
            primary, secondary = text.ko, text.en
        self.ko.setText(primary)
        self.en.setText(secondary)
        self.en.setVisible(bool(secondary))
        # Screen readers and tests read the primary line; the courtesy line is visual.
        self.ko.setAccessibleName(spoken(primary))
        self.en.setAccessibleName(spoken(secondary))
        self.setAccessibleName(spoken(primary))


class BilingualButton(QPushButton):
    """A big button with a visible border (older users must see it is a button) and two lines."""

    def __init__(
        self,
        theme: Theme,
        text: Bilingual,
        *,
        name: str,
        primary: bool,
        ko_role: TextStyle | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self._language = "ko"
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        # Keypad users reach it with Tab (검증기준 3); a tap does not leave a focus ring behind.
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        height = theme.primary_target_px if primary else theme.secondary_target_px
        # A floor folded into the size hints rather than setMinimumSize(), which would let a
        # crowded layout squeeze the button below its text.
        self._floor = QSize(height * 2, height)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        colours = theme.palette
        fg = colours.ON_PRIMARY if primary else colours.TEXT
        role = ko_role or (TextRole.BUTTON if primary else TextRole.BODY)
        ko = make_label(theme, role, fg, name=f"{name}Ko", wrap=False)
        en = make_label(theme, TextRole.BUTTON_ENGLISH, fg, name=f"{name}En", wrap=False)
        self._ko, self._en, self._text = ko, en, text
        self.set_language("ko")
        for label in (ko, en):
            # Taps on the text must reach the button.
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._content = layout = QVBoxLayout(self)
        pad = theme.metrics.px(2.5)
        layout.setContentsMargins(pad * 2, pad, pad * 2, pad)
        layout.setSpacing(0)
        layout.addWidget(ko)
        layout.addWidget(en)
        bg, pressed = (
            (colours.PRIMARY, colours.PRIMARY_PRESSED)
            if primary
            else (colours.SECONDARY_BUTTON, colours.SECONDARY_PRESSED)
        )
        radius = theme.metrics.px(3)
        self.setStyleSheet(
            f"QPushButton#{name} {{ background: {bg};"
            f" border: {colours.border_px}px solid {colours.PANEL_BORDER};"
            f" border-radius: {radius}px; }}"
            f"QPushButton#{name}:pressed {{ background: {pressed}; }}"
            f"QPushButton#{name}:focus {{"
            f" border: {colours.focus_px}px solid {colours.FOCUS_RING}; }}"
        )

    def set_text(self, text: Bilingual) -> None:
        self._text = text
        self.set_language(self._language)

    def set_language(self, language: str) -> None:
        """English: the English words on the large line; runtime-supplied demo labels and
        digits have no English and stay as they are."""
        self._language = language
        text = self._text
        english = language == "en" and bool(text.en)
        self._ko.setText(text.en if english else text.ko)
        self._en.setText("" if english else text.en)
        self._en.setVisible(not english and bool(text.en))
        name = text.en if english else (f"{text.ko} / {text.en}" if text.en else text.ko)
        self.setAccessibleName(spoken(name))

    def sizeHint(self) -> QSize:
        # QPushButton sizes itself from its own (empty) text; the two labels decide here.
        return self._content.sizeHint().expandedTo(self._floor)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()
