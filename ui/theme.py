"""Colours, type scale and touch-target sizes for the visitor screens.

Everything a visitor reads is large, dark on white (or white on a dark band) and at least
7:1 contrast where the colour is ours; category colours come from :mod:`kiosk.scoring.bp`.
"""

from __future__ import annotations

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

# Every (text, background) pair the screens use; the accessibility test computes each ratio.
PALETTE_PAIRS: tuple[tuple[str, str], ...] = (
    (TEXT, BACKGROUND),
    (TEXT_SECONDARY, BACKGROUND),
    (ON_COLOUR, PRIMARY),
    (ON_COLOUR, PRIMARY_PRESSED),
    (ON_COLOUR, STAFF_BANNER),
    (TEXT, SECONDARY_BUTTON),
    (TEXT, SECONDARY_PRESSED),
    (TEXT, DEMO_BACKGROUND),
    (TEXT, COUNTDOWN_BACKGROUND),
    (ON_COLOUR, BAND_GOOD),
    (ON_COLOUR, BAND_WATCH),
    (ON_COLOUR, BAND_HIGH),
    (ON_COLOUR, BAND_NEUTRAL),
)


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
    """Sizes for one panel. Construct after the QApplication: the font lookup needs it."""

    metrics: PanelMetrics = DEFAULT_PANEL
    family: str = field(default_factory=pick_korean_family)

    def text_px(self, role: TextStyle) -> int:
        return self.metrics.text_px(role.mm, self.family)

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
