"""The visitor's optional printed summary: this visit's results on one page.

Values, guideline categories in plain words, the date and the non-diagnostic line; never a
name or a member number. Always written as a PDF into the kiosk's print spool, and also sent
to a printer when one is configured. Rendering and printing run on a worker thread (QPainter
on QPdfWriter/QPrinter is allowed off the GUI thread); the outcome comes back as a queued Qt
signal, so the button only says "printing…" and then "printed".
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QMarginsF, QObject, QRectF, Qt, Signal
from PySide6.QtGui import QFont, QPagedPaintDevice, QPageLayout, QPageSize, QPainter, QPdfWriter
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from kiosk.session import BpResult, MeasurementResult
from ui import texts
from ui.flow_screens import band_of, value_text  # the results screen's own wording
from ui.texts import Bilingual

log = logging.getLogger(__name__)

# Spooled summaries hold health values (no names): they are deleted after this long.
SPOOL_KEEP_S = 24 * 3600.0


@dataclass(frozen=True, slots=True)
class PrintOutcome:
    pdf: Path | None
    printed: bool  # sent to a configured printer
    error: str | None = None  # for the log and staff; the visitor sees kind words


def summary_lines(
    results: Sequence[BpResult | MeasurementResult],
) -> list[tuple[Bilingual, Bilingual]]:
    """(value, plain words) of the newest result of each kind, as the results screen shows."""
    latest: dict[str, BpResult | MeasurementResult] = {}
    for result in results:
        latest[result.reading.kind] = result
    return [(value_text(r), band_of(r)[1]) for r in latest.values()]


def paint_summary(
    device: QPagedPaintDevice,
    lines: Sequence[tuple[Bilingual, Bilingual]],
    when: datetime,
    family: str,
) -> None:
    """Draw the one-page summary on a PDF writer or a printer."""
    device.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A5),
            QPageLayout.Orientation.Portrait,
            QMarginsF(12, 12, 12, 12),
            QPageLayout.Unit.Millimeter,
        )
    )
    painter = QPainter()
    if not painter.begin(device):
        raise OSError("the page could not be opened for painting")
    try:
        dpi = device.logicalDpiY()
        width = device.width()

        def font(points: float, bold: bool = False) -> QFont:
            f = QFont(family)
            f.setPixelSize(max(1, round(points * dpi / 72)))
            f.setBold(bold)
            return f

        y = 0.0

        def write(text: str, f: QFont) -> None:
            nonlocal y
            painter.setFont(f)
            rect = painter.boundingRect(
                QRectF(0, y, width, 10_000), int(Qt.TextFlag.TextWordWrap), text
            )
            painter.drawText(rect, int(Qt.TextFlag.TextWordWrap), text)
            y = rect.bottom() + dpi * 0.04

        title = texts.SUMMARY_TITLE
        write(title.ko, font(18, bold=True))
        write(title.en, font(11))
        write(when.strftime("%Y-%m-%d %H:%M"), font(13))
        y += dpi * 0.15
        if not lines:
            write(f"{texts.NO_RESULTS.ko} / {texts.NO_RESULTS.en}", font(13))
        for value, words in lines:
            write(value.ko, font(16, bold=True))
            write(words.ko.replace("\n", " "), font(14))
            write(f"{value.en} · {words.en}".replace("\n", " "), font(11))
            y += dpi * 0.12
        y += dpi * 0.1
        write(texts.DISCLAIMER.ko.replace("\n", " "), font(13))
        write(texts.DISCLAIMER.en.replace("\n", " "), font(11))
    finally:
        painter.end()


class SummaryPrinter(QObject):
    """Prints summaries on a worker thread; ``finished`` fires on this object's thread."""

    finished = Signal(object)  # PrintOutcome

    def __init__(
        self,
        spool_dir: Path,
        family: str,
        *,
        printer_name: str | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.spool_dir = spool_dir
        self.family = family
        self.printer_name = printer_name
        self._threads: list[threading.Thread] = []

    def print_results(
        self, results: Sequence[BpResult | MeasurementResult], when: datetime
    ) -> None:
        lines = summary_lines(results)  # plain values: safe to hand to the worker
        thread = threading.Thread(
            target=self._work, args=(lines, when), name="summary-print", daemon=True
        )
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    def wait(self, timeout: float) -> None:
        """Join the workers (tests, shutdown)."""
        for thread in self._threads:
            thread.join(timeout)

    def _work(self, lines: list[tuple[Bilingual, Bilingual]], when: datetime) -> None:
        started = time.monotonic()
        pdf: Path | None = None
        try:
            self.spool_dir.mkdir(parents=True, exist_ok=True)
            self._clean_spool()
            # No personal data in the name: a time and a random part.
            pdf = self.spool_dir / f"summary-{when:%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.pdf"
            writer = QPdfWriter(str(pdf))
            writer.setResolution(300)
            writer.setTitle("summary")
            paint_summary(writer, lines, when, self.family)
            del writer  # flushes the file
            printed = False
            if self.printer_name:
                info = QPrinterInfo.printerInfo(self.printer_name)
                if info.isNull():
                    raise OSError(f"printer {self.printer_name!r} not found")
                printer = QPrinter(info, QPrinter.PrinterMode.HighResolution)
                paint_summary(printer, lines, when, self.family)
                printed = True
            outcome = PrintOutcome(pdf, printed)
            log.info("summary printed in %.0f ms (printer: %s)", _ms(started), printed)
        except OSError as exc:
            log.warning("summary could not be printed: %s", exc)
            outcome = PrintOutcome(pdf if pdf and pdf.exists() else None, False, str(exc))
        self.finished.emit(outcome)  # queued to the GUI thread's receivers

    def _clean_spool(self) -> None:
        cutoff = time.time() - SPOOL_KEEP_S
        for old in self.spool_dir.glob("summary-*.pdf"):
            if old.stat().st_mtime < cutoff:
                old.unlink(missing_ok=True)


def _ms(started: float) -> float:
    return (time.monotonic() - started) * 1000
