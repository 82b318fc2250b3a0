"""Colours, type scale and touch-target sizes for the visitor screens.

Everything a visitor reads is large, dark on white (or white on a dark band) and at least
7:1 contrast where the colour is ours; category colours come from :mod:`kiosk.scoring.bp`.

Two display modes a visitor can switch on (kiosk_ux.md §2, 검증기준 3), each carried by the
:class:`Theme`: a high-contrast :class:`Palette` (white and yellow on black) and large text
(every text role :data:`LARGE_TEXT_SCALE` times taller). Screens read colours as
``theme.palette.NAME``; the module constants below are the standard palette.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from PySide6.QtGui import QFont

from ui.fonts import BODY_TEXT_MM, DEFAULT_PANEL, PanelMetrics, kiosk_font, pick_korean_family

BACKGROUND = "#FFFFFF"
TEXT = "#111111"  # 18.9:1 on white
TEXT_SECONDARY = "#333333"  # 12.6:1 on white: English lines and the disclaimer
ON_COLOUR = "#FFFFFF"  # text on category bands, banners and primary buttons
PRIMARY = "#0B3D91"  # 10.0:1 with white: the one main action
PRIMARY_PRESSED = "#072A66"
STAFF_BANNER = "#9B1C1C"  # 8.2:1 with white; a calm deep red, never flashing (검증기준 8)
FOCUS_RING = "#FFB000"  # keypad focus must be visible (검증기준 3)
PANEL_BORDER = "#111111"  # buttons need a visible edge (kiosk_ux.md §5: flat buttons fail)
SECONDARY_BUTTON = "#FFFFFF"
SECONDARY_PRESSED = "#D9DEE6"
DEMO_BACKGROUND = "#EEF1F5"
COUNTDOWN_BACKGROUND = "#FFF3C4"  # a soft yellow band; text on it is TEXT
# Bands for glucose, weight and body composition (white text), chosen by alert and band code.
BAND_GOOD = "#1B5E20"
BAND_WATCH = "#7A4100"
BAND_HIGH = "#8E0000"
BAND_NEUTRAL = "#37474F"  # no cut-off applies (e.g. a random glucose below 200)


@dataclass(frozen=True, slots=True)
class Palette:
    """Every colour the visitor screens use, by role. Text on a primary button is ON_PRIMARY;
    text on a band or banner is ON_COLOUR."""

    name: str
    BACKGROUND: str
    TEXT: str
    TEXT_SECONDARY: str
    ON_COLOUR: str
    ON_PRIMARY: str
    PRIMARY: str
    PRIMARY_PRESSED: str
    STAFF_BANNER: str
    FOCUS_RING: str
    PANEL_BORDER: str
    SECONDARY_BUTTON: str
    SECONDARY_PRESSED: str
    DEMO_BACKGROUND: str
    COUNTDOWN_BACKGROUND: str
    BAND_GOOD: str
    BAND_WATCH: str
    BAND_HIGH: str
    BAND_NEUTRAL: str
    # Pixels of a button's and a panel's edge, and of the keypad focus ring.
    border_px: int = 4
    focus_px: int = 6

    def pairs(self) -> tuple[tuple[str, str], ...]:
        """Every (text, background) pair the screens draw; tests compute each ratio."""
        return (
            (self.TEXT, self.BACKGROUND),
            (self.TEXT_SECONDARY, self.BACKGROUND),
            (self.ON_PRIMARY, self.PRIMARY),
            (self.ON_PRIMARY, self.PRIMARY_PRESSED),
            (self.ON_COLOUR, self.STAFF_BANNER),
            (self.TEXT, self.SECONDARY_BUTTON),
            (self.TEXT, self.SECONDARY_PRESSED),
            (self.TEXT, self.DEMO_BACKGROUND),
            (self.TEXT, self.COUNTDOWN_BACKGROUND),
            (self.ON_COLOUR, self.BAND_GOOD),
            (self.ON_COLOUR, self.BAND_WATCH),
            (self.ON_COLOUR, self.BAND_HIGH),
            (self.ON_COLOUR, self.BAND_NEUTRAL),
        )

    def band_colour(self, colour: str) -> str:
        """A band colour from outside the palette (the kiosk's blood-pressure categories):
        kept as it is, the words on it say the category (never colour alone, 검증기준 4)."""
        return colour


STANDARD = Palette(
    name="standard",
    BACKGROUND=BACKGROUND,
    TEXT=TEXT,
    TEXT_SECONDARY=TEXT_SECONDARY,
    ON_COLOUR=ON_COLOUR,
    ON_PRIMARY=ON_COLOUR,
    PRIMARY=PRIMARY,
    PRIMARY_PRESSED=PRIMARY_PRESSED,
    STAFF_BANNER=STAFF_BANNER,
    FOCUS_RING=FOCUS_RING,
    PANEL_BORDER=PANEL_BORDER,
    SECONDARY_BUTTON=SECONDARY_BUTTON,
    SECONDARY_PRESSED=SECONDARY_PRESSED,
    DEMO_BACKGROUND=DEMO_BACKGROUND,
    COUNTDOWN_BACKGROUND=COUNTDOWN_BACKGROUND,
    BAND_GOOD=BAND_GOOD,
    BAND_WATCH=BAND_WATCH,
    BAND_HIGH=BAND_HIGH,
    BAND_NEUTRAL=BAND_NEUTRAL,
)

# White text on black, the one main action yellow with black words (19.6:1, kiosk_ux.md §3),
# and heavier white edges so every button and band stands out from the black. No yellow on blue
# and no red on green (검증기준 4). Every pair is at least 7:1 (WCAG 1.4.6, AAA).
HIGH_CONTRAST = Palette(
    name="high",
    BACKGROUND="#000000",
    TEXT="#FFFFFF",  # 21:1
    TEXT_SECONDARY="#FFFF00",  # 19.6:1: the English courtesy line
    ON_COLOUR="#FFFFFF",
    ON_PRIMARY="#000000",
    PRIMARY="#FFFF00",
    PRIMARY_PRESSED="#FFFFFF",  # pressing turns it white: a change anyone can see
    STAFF_BANNER="#8E0000",  # 9.8:1 with white
    FOCUS_RING="#00FFFF",
    PANEL_BORDER="#FFFFFF",
    SECONDARY_BUTTON="#000000",
    SECONDARY_PRESSED="#333333",  # 12.6:1 with white
    DEMO_BACKGROUND="#1A1A1A",
    COUNTDOWN_BACKGROUND="#000000",  # the white border sets it apart
    BAND_GOOD="#1B5E20",  # 7.9:1
    BAND_WATCH="#6B3900",  # darker than standard: 9.5:1
    BAND_HIGH="#8E0000",
    BAND_NEUTRAL="#37474F",  # 9.6:1
    border_px=6,
    focus_px=8,
)

PALETTES: dict[str, Palette] = {p.name: p for p in (STANDARD, HIGH_CONTRAST)}

# Every (text, background) pair the screens use; the accessibility test computes each ratio.
PALETTE_PAIRS: tuple[tuple[str, str], ...] = STANDARD.pairs()

# Large text: the visitor's reading text at 1.3 times the body size (12 → 15.6 mm Hangul); larger
# roles (36 mm result figures) and the English courtesy line keep their size (Theme.text_mm).
# The most that still lays out a full visit on a 21.5" panel in portrait and landscape without
# clipping or scrolling (tests/ui/test_ui_modes.py).
LARGE_TEXT_SCALE = 1.3


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two ``#RRGGBB`` colours."""

    def luminance(hex_colour: str) -> float:
        value = hex_colour.lstrip("#")
        channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        lin = [x / 12.92 if x <= 0.04045 else ((x + 0.055) / 1.055) ** 2.4 for x in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@dataclass(frozen=True, slots=True)
class TextStyle:
    """Hangul ink height in millimetres (받침 included) and weight."""

    name: str  # also keeps equal-sized styles distinct
    mm: float
    bold: bool = False


class TextRole:
    """The type scale. Korean visitor text never drops below 12 mm (검증기준 3)."""

    TITLE = TextStyle("title", BODY_TEXT_MM, bold=True)
    BODY = TextStyle("body", BODY_TEXT_MM)
    MESSAGE = TextStyle("message", 15.0, bold=True)  # the one instruction on a message page
    CATEGORY = TextStyle("category", 15.0, bold=True)
    VALUE = TextStyle("value", 36.0, bold=True)  # "results figures much larger" (kiosk_ux §3)
    UNIT = TextStyle("unit", BODY_TEXT_MM)
    # English is a courtesy line under the Korean, deliberately smaller so Korean leads.
    ENGLISH = TextStyle("english", 7.0)
    BUTTON = TextStyle("button", BODY_TEXT_MM, bold=True)
    BUTTON_ENGLISH = TextStyle("button_english", 6.0)
    # Simulator controls are for the demo operator, not the visitor: kept out of the way.
    DEMO = TextStyle("demo", 7.0)


@dataclass(frozen=True, slots=True)
class Theme:
    """Sizes and colours for one panel and one display mode. Construct after the QApplication:
    the font lookup needs it."""

    metrics: PanelMetrics = DEFAULT_PANEL
    family: str = field(default_factory=pick_korean_family)
    palette: Palette = STANDARD
    text_scale: float = 1.0

    @property
    def large_text(self) -> bool:
        return self.text_scale > 1.0

    @property
    def high_contrast(self) -> bool:
        return self.palette is HIGH_CONTRAST

    def with_modes(self, *, large_text: bool, high_contrast: bool) -> Theme:
        """The same panel and font in another display mode."""
        return dataclasses.replace(
            self,
            palette=HIGH_CONTRAST if high_contrast else STANDARD,
            text_scale=LARGE_TEXT_SCALE if large_text else 1.0,
        )

    def text_mm(self, role: TextStyle) -> float:
        """Large text lifts the visitor's reading text (body size and up) to the large body size;
        text already larger (result figures) keeps its size. The smaller English courtesy line
        under Korean stays as it is: in English, English is the large line and grows."""
        if self.text_scale <= 1.0 or role.mm < BODY_TEXT_MM:
            return role.mm
        return max(role.mm, BODY_TEXT_MM * self.text_scale)

    def text_px(self, role: TextStyle) -> int:
        return self.metrics.text_px(self.text_mm(role), self.family)

    def font(self, role: TextStyle) -> QFont:
        return kiosk_font(self.family, self.text_px(role), bold=role.bold)

    @property
    def primary_target_px(self) -> int:
        # 20 mm: the top of the 16–20 mm range that suits tremor (legal floor is 12 mm).
        return self.metrics.px(20.0)

    @property
    def secondary_target_px(self) -> int:
        return self.metrics.px(16.0)

    @property
    def gap_px(self) -> int:
        # Twice the 2.5 mm minimum between controls, for unsteady hands.
        return self.metrics.px(5.0)

    @property
    def margin_px(self) -> int:
        return self.metrics.px(12.0)
