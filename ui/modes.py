"""The visitor's display-mode switches: large text and high contrast (kiosk_ux.md §2, 검증기준 3).

The mode lives in the Qt-free :class:`~kiosk.visit_flow.FlowState` (so the privacy reset returns
it to the kiosk's default); a switch only posts the visitor's wish. The window rebuilds its
screens, these switches included, in the new :class:`~ui.theme.Theme` when the state changes.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QFrame, QHBoxLayout, QVBoxLayout

from kiosk.visit_flow import FlowState, VisitFlow
from ui import texts
from ui.texts import Bilingual
from ui.theme import TextRole, Theme
from ui.voice import VoiceGuide
from ui.widgets import BilingualButton, BilingualText

Post = Callable[..., None]


class ModeToggle(BilingualButton):
    """One display mode, on or off. Switching rebuilds the screens, so the state is fixed for the
    life of a toggle: on, it is drawn latched (pressed shade, heavier edge); its words stay the
    same and its accessible description says on or off (never colour alone, 검증기준 4). Not a
    checkable button: the flow's state decides, so an intent the core has not applied yet never
    looks applied."""

    def __init__(
        self,
        theme: Theme,
        text: Bilingual,
        *,
        name: str,
        on: bool,
        switch: Callable[[bool, float], None],
        post: Post,
    ) -> None:
        # Mode switches keep their size in large text: the same tap in the same place undoes it.
        chrome = theme.with_modes(large_text=False, high_contrast=theme.high_contrast)
        super().__init__(chrome, text, name=name, primary=False)
        self.on = on
        if on:
            # Latched: the pressed shade and a heavier edge, not the main action's colour (the
            # yellow or blue button on each screen is the one way on).
            colours = chrome.palette
            self.setStyleSheet(
                self.styleSheet()
                + f"QPushButton#{name} {{ background: {colours.SECONDARY_PRESSED};"
                f" border: {colours.focus_px}px solid {colours.PANEL_BORDER}; }}"
            )
        self.clicked.connect(lambda: post(switch, not on))

    def set_language(self, language: str) -> None:
        super().set_language(language)
        if language != "en":
            # The English is in two lines (texts.LARGE_TEXT) for when it is the main line; as
            # the small courtesy line under the Korean, one line is enough.
            self._en.setText(self._text.en.replace("\n", " "))
        # The button's size comes from its labels (BilingualButton.sizeHint): tell the row.
        self.updateGeometry()

    def apply(self, state: FlowState) -> None:
        word = texts.MODE_ON if self.on else texts.MODE_OFF
        self.setAccessibleDescription(word.en if state.language.value == "en" else word.ko)


def mode_toggles(theme: Theme, flow: VisitFlow, post: Post, *, prefix: str) -> list[ModeToggle]:
    """The "large text" and "high contrast" switches for a screen built in ``theme``'s mode,
    named ``{prefix}LargeText`` and ``{prefix}HighContrast`` (tests and the benchmark find them
    by name)."""
    return [
        ModeToggle(
            theme,
            texts.LARGE_TEXT,
            name=f"{prefix}LargeText",
            on=theme.large_text,
            switch=flow.set_large_text,
            post=post,
        ),
        ModeToggle(
            theme,
            texts.HIGH_CONTRAST,
            name=f"{prefix}HighContrast",
            on=theme.high_contrast,
            switch=flow.set_high_contrast,
            post=post,
        ),
    ]


class OptionsPanel(QFrame):
    """ "Text and sound": the display modes, sound off/on and volume, over the top of the screen.

    One header button opens it, so every screen keeps a short header (three buttons fit a
    portrait row and a narrow landscape column) while the switches stay two taps away on every
    screen; the welcome screen shows the mode switches directly. Open or closed is flow state
    (``FlowState.options_open``): it survives a display-mode rebuild and a new step closes it.
    """

    def __init__(self, theme: Theme, flow: VisitFlow, post: Post, voice: VoiceGuide) -> None:
        super().__init__()
        self.setObjectName("optionsPanel")
        colours = theme.palette
        self.setStyleSheet(
            f"QFrame#optionsPanel {{ background-color: {colours.BACKGROUND};"
            f" border: {colours.border_px + 1}px solid {colours.PANEL_BORDER};"
            f" border-radius: {theme.metrics.px(3)}px; }}"
        )
        # Like the header, the controls keep their size in large text: the same tap undoes it.
        chrome = theme.with_modes(large_text=False, high_contrast=theme.high_contrast)
        self.title = BilingualText(
            chrome,
            name="optionsTitle",
            ko_role=TextRole.TITLE,
            colour=colours.TEXT,
            en_colour=colours.TEXT_SECONDARY,
        )
        self.title.set_text(texts.OPTIONS_TITLE)
        self.toggles = mode_toggles(theme, flow, post, prefix="options")
        self.voice_button = BilingualButton(
            chrome, texts.VOICE_OFF, name="voiceMute", primary=False
        )
        self.voice_button.clicked.connect(voice.toggle_mute)
        self.volume_down = BilingualButton(
            chrome, texts.VOLUME_DOWN, name="volumeDown", primary=False
        )
        self.volume_down.clicked.connect(voice.volume_down)
        self.volume_up = BilingualButton(chrome, texts.VOLUME_UP, name="volumeUp", primary=False)
        self.volume_up.clicked.connect(voice.volume_up)
        self.close_button = BilingualButton(
            chrome, texts.OPTIONS_CLOSE, name="optionsClose", primary=True
        )
        self.close_button.clicked.connect(lambda: post(flow.show_options, False))

        gap = theme.gap_px
        layout = QVBoxLayout(self)
        pad = theme.metrics.px(4)
        layout.setContentsMargins(pad, pad, pad, pad)
        layout.setSpacing(gap)
        layout.addWidget(self.title)
        for row_widgets in (self.toggles, [self.voice_button, self.volume_down, self.volume_up]):
            row = QHBoxLayout()
            row.setSpacing(gap)
            for widget in row_widgets:
                row.addWidget(widget)
            row.addStretch(1)
            layout.addLayout(row)
        layout.addWidget(self.close_button)
        self.show_muted(voice.muted)

    def show_muted(self, muted: bool) -> None:
        self.voice_button.set_text(texts.VOICE_ON if muted else texts.VOICE_OFF)

    def apply(self, state: FlowState) -> None:
        for toggle in self.toggles:
            toggle.apply(state)
