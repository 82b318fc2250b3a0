"""Korean font choice and millimetre-based sizing (kiosk_ux.md §3 and §7.5).

Sizes are set in millimetres of Hangul ink on a configured panel, not in points: Qt's logical
DPI is 96 whatever the real panel is, and the accessibility criteria (검증기준 3) are physical.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication

log = logging.getLogger(__name__)

# First installed wins. Noto Sans CJK KR ships in Debian's fonts-noto-cjk; the others are the
# common alternatives a deployment might bundle instead.
PREFERRED_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK KR",
    "Pretendard",
    "NanumBarunGothic",
    "NanumGothic",
    "Noto Sans KR",
    "Malgun Gothic",
)

# Hangul ink height per font pixel size, measured with QFontMetricsF.tightBoundingRect
# (kiosk_ux.md §3). Unknown fonts get the smallest ratio, so they come out larger, never smaller.
_INK_RATIO: dict[str, float] = {
    "Noto Sans CJK KR": 0.90,
    "Pretendard": 0.86,
    "NanumGothic": 0.93,
    "NanumBarunGothic": 0.93,
}
_DEFAULT_INK_RATIO = 0.86


def pick_korean_family() -> str:
    """The first preferred Korean family installed, else the platform's default family."""
    installed = set(QFontDatabase.families())
    for family in PREFERRED_FAMILIES:
        if family in installed:
            return family
    fallback = QGuiApplication.font().family()
    # Korean still renders through fontconfig fallback, but glyph sizes and screenshots drift.
    log.warning("no Korean font from %s installed; using %r", PREFERRED_FAMILIES, fallback)
    return fallback


@dataclass(frozen=True, slots=True)
class PanelMetrics:
    """Physical size of the kiosk panel, so millimetre rules become pixels."""

    px_per_mm: float

    @classmethod
    def from_panel(cls, diagonal_inch: float, width_px: int, height_px: int) -> PanelMetrics:
        return cls(math.hypot(width_px, height_px) / (diagonal_inch * 25.4))

    def px(self, mm: float) -> int:
        """A length (touch target, gap) in pixels, rounded up so minimums stay minimums."""
        return math.ceil(mm * self.px_per_mm)

    def text_px(self, hangul_mm: float, family: str) -> int:
        """Font pixel size whose Hangul ink (받침 included) is at least ``hangul_mm`` tall."""
        ratio = _INK_RATIO.get(family, _DEFAULT_INK_RATIO)
        return math.ceil(hangul_mm * self.px_per_mm / ratio)


# A 21.5" Full-HD panel (4.03 px/mm): the middle of the sizes in kiosk_ux.md §3. Measure the
# real panel and pass its metrics in; never tune sizes by eye on a development monitor.
DEFAULT_PANEL = PanelMetrics.from_panel(21.5, 1920, 1080)

# Hangul ink height of ordinary visitor text: the 12 mm floor of 검증기준 3.
BODY_TEXT_MM = 12.0


def kiosk_font(family: str, pixel_size: int, *, bold: bool = False) -> QFont:
    font = QFont(family)
    font.setPixelSize(pixel_size)
    font.setWeight(QFont.Weight.Bold if bold else QFont.Weight.Normal)
    # Antialiased and unhinted: glyph shapes then match between machines and screenshots.
    font.setStyleStrategy(QFont.StyleStrategy.PreferAntialias)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    return font


def apply_app_font(
    app: QGuiApplication, metrics: PanelMetrics = DEFAULT_PANEL, family: str | None = None
) -> QFont:
    """Set the application's base font explicitly (body size), so no widget falls back to the
    platform default (DejaVu Sans on offscreen) and screenshots match between machines."""
    family = family or pick_korean_family()
    font = kiosk_font(family, metrics.text_px(BODY_TEXT_MM, family))
    app.setFont(font)
    return font
