"""Choosing measurements, the per-device guidance, the finish screen's sync state and the printed
summary, on the real stack: the kiosk runtime with simulated BLE devices behind the real bleak
client code, a private mosquitto and the record service (kiosk.demo.DemoStack), and the real
window offscreen. No pytest-qt: bounded event pumping, as in the other UI tests."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QApplication, QPushButton
from test_ui_flow import all_label_texts, on_screen_texts, tap, wait_step
from test_ui_result_screen import (
    PORTRAIT,
    WAIT_S,
    pump_until,
    qapp,  # noqa: F401  (a fixture)
    shown_window,
)

from kiosk.demo import DemoStack
from kiosk.session import BpResult, MeasurementResult, VisitManager, VisitorKind
from kiosk.store import Store
from kiosk.visit_flow import Guide, MeasureKind, Step, SyncState, member_subject_ref
from ui import texts
from ui.app import KioskWindow
from ui.screenshots import sample_readings
from ui.summary_print import PrintOutcome, SummaryPrinter

pytestmark = pytest.mark.qt
DEVICE_S = 30.0  # meters and scales are found on the runtime's next scan (every second)


def pdf_pages_and_text(path: Path) -> tuple[int, str]:
    document = QPdfDocument(None)
    assert document.load(str(path)) == QPdfDocument.Error.None_, path
    try:
        pages = document.pageCount()
        return pages, "\n".join(document.getAllText(i).text() for i in range(pages))
    finally:
        document.close()


def enter_member(win: KioskWindow, number: str) -> None:
    tap(win.start_button)
    wait_step(win, Step.IDENTIFY)
    for key in number:
        tap(win.identify.keys[key])
    tap(win.identify.keys["ok"])
    wait_step(win, Step.CONSENT)
    tap(win.consent.agree)
    wait_step(win, Step.CHOOSE)


def says(button: QPushButton, text: texts.Bilingual) -> bool:
    """The button shows these words (its accessible name is what it shows, in Korean)."""
    return button.accessibleName() == texts.spoken(f"{text.ko} / {text.en}")


def received_text(win: KioskWindow) -> str:
    return win.measure.received.ko.text() if win.measure.received.isVisible() else ""


@pytest.mark.broker
def test_member_checks_everything_on_simulated_devices_and_the_finish_follows_the_network(
    qapp: QApplication,  # noqa: F811
    tmp_path: Path,
) -> None:
    with DemoStack(tmp_path / "demo", seed=11) as stack:
        runtime, broker = stack.runtime, stack.broker
        assert runtime is not None and broker is not None, stack.broker_problem
        with shown_window(runtime, PORTRAIT) as win:  # type: ignore[arg-type]
            broker.stop()  # the network is down for this whole visit
            pump_until(lambda: not runtime.sync_link_up(), "the kiosk to see the broker gone")
            enter_member(win, "20261234")
            # The demo kiosk has a cuff, a meter and a scale allowlisted: all three offered.
            assert all(b.isVisible() for b in win.choose.kinds.values())
            tap(win.choose.check_all)
            wait_step(win, Step.MEASURE)
            guidance = win.measure.guidance
            assert guidance.picture.kind is MeasureKind.BLOOD_PRESSURE
            assert guidance.title.ko.text() == texts.measuring_title("blood_pressure", 1, 3).ko
            pump_until(lambda: win.state.guide is Guide.READY, "the linked cuff")
            assert guidance.live.ko.text() == texts.GUIDE_READY.ko

            # The demo strip's cuff: live pressure while it inflates, then the result.
            tap(win.demo_buttons[0])
            pump_until(lambda: guidance.cuff_value.isVisible(), "the live cuff pressure")
            pressure = guidance.cuff_value.text()
            assert pressure.endswith(" mmHg") and int(pressure.split()[0]) >= 20
            assert guidance.live.ko.text() == texts.GUIDE_MEASURING.ko
            pump_until(lambda: win.result_screen.isVisible(), "the blood-pressure result")
            assert not guidance.isVisible() and win.state.cuff_mmhg is None
            assert win.measure.next.isVisible() and win.measure.skip.isHidden()

            tap(win.measure.next)
            pump_until(lambda: guidance.picture.kind is MeasureKind.GLUCOSE, "the meter guidance")
            assert guidance.instruction.ko.text() == texts.GUIDE_INSTRUCTION["glucose"].ko
            tap(win.demo_buttons[1])
            pump_until(lambda: "혈당" in received_text(win), "the glucose value", DEVICE_S)

            tap(win.measure.next)
            pump_until(lambda: guidance.picture.kind is MeasureKind.BODY, "the scale guidance")
            assert win.measure.next.isHidden() and win.measure.skip.isVisible()
            tap(win.demo_buttons[2])
            pump_until(lambda: "체중" in received_text(win), "the weight", DEVICE_S)
            assert says(win.measure.next, texts.SEE_RESULTS)  # the last kind

            tap(win.measure.next)
            wait_step(win, Step.RESULTS)
            kinds = {r.reading.kind for r in win.state.results}
            assert {"blood_pressure", "glucose", "weight"} <= kinds
            tap(win.results.finish)
            wait_step(win, Step.FINISH)
            assert win.state.sync is SyncState.WAITING_NETWORK
            assert win.finish.sync.ko.text() == texts.SYNC_WAITING.ko

            # The optional printed summary: a one-page PDF in the kiosk's spool.
            tap(win.finish.print_button)
            pump_until(lambda: win.finish.last_print is not None, "the printed summary")
            outcome = win.finish.last_print
            assert outcome is not None and outcome.error is None and outcome.pdf is not None
            assert not outcome.printed  # no printer configured: the PDF only
            assert says(win.finish.print_button, texts.PRINT_SAVED)
            assert outcome.pdf.parent == runtime.config.print_spool_dir
            pages, text = pdf_pages_and_text(outcome.pdf)
            assert pages == 1
            bp = next(r for r in win.state.results if isinstance(r, BpResult))
            c = bp.classification
            assert f"{c.systolic} / {c.diastolic} mmHg" in text
            assert "20261234" not in text and member_subject_ref("20261234") not in text

            # The network returns: the record service acknowledges, the screen says so.
            broker.start()
            pump_until(
                lambda: win.finish.sync.ko.text() == texts.SYNC_SENT.ko,
                "'sent to your health record'",
                60.0,
            )
            ids = [r.measurement_id for r in win.state.results]
            assert set(runtime.store.outbox_states(ids).values()) == {"committed"}
            tap(win.finish.done)
            wait_step(win, Step.WELCOME)
            assert win.state.sync is SyncState.NONE
            left = all_label_texts(win)  # the privacy reset, hidden labels included
            assert pressure not in left and f"{c.systolic} / {c.diastolic}" not in left


def test_guest_measures_one_kind_through_a_device_fault_then_a_crisis_calls_staff(
    qapp: QApplication,  # noqa: F811
    tmp_path: Path,
) -> None:
    with DemoStack(tmp_path / "demo", with_broker=False, seed=5) as stack:
        runtime = stack.runtime
        assert runtime is not None
        with shown_window(runtime, PORTRAIT) as win:  # type: ignore[arg-type]
            tap(win.start_button)
            wait_step(win, Step.IDENTIFY)
            tap(win.identify.guest)
            wait_step(win, Step.CONSENT)
            tap(win.consent.agree)
            wait_step(win, Step.CHOOSE)
            assert not win.choose.measure_chosen.isEnabled()  # nothing chosen yet
            tap(win.choose.kinds[MeasureKind.BLOOD_PRESSURE])
            pump_until(lambda: win.choose.measure_chosen.isEnabled(), "the choice")
            chosen = texts.choice_text("blood_pressure", True)
            assert says(win.choose.kinds[MeasureKind.BLOOD_PRESSURE], chosen)
            tap(win.choose.measure_chosen)
            wait_step(win, Step.MEASURE)
            assert win.state.chosen == (MeasureKind.BLOOD_PRESSURE,) and win.state.last_kind
            pump_until(lambda: win.state.guide is Guide.READY, "the linked cuff")

            # The cuff goes out of range mid-measurement; its reconnects fail.
            monitor, air = stack.monitor, stack.air

            def out_of_range() -> None:
                air.remove(monitor.address)
                monitor.drop_connection()

            runtime.call_soon(out_of_range)
            pump_until(lambda: win.state.guide is Guide.DEVICE_ERROR, "the device fault", DEVICE_S)
            shown = texts.spoken("\n".join(on_screen_texts(win)))
            assert texts.spoken(texts.GUIDE_DEVICE_ERROR.ko) in shown
            assert "Error" not in shown and monitor.address not in shown  # staff detail only
            assert win.measure.retry.isVisible() and win.measure.skip.isVisible()
            assert runtime.hub.status[monitor.address].advice  # for staff (admin devices page)

            runtime.call_soon(air.add, monitor)  # back in range
            tap(win.measure.retry)
            pump_until(lambda: win.state.guide is Guide.READY, "the cuff linked again", DEVICE_S)
            assert win.measure.retry.isHidden()

            # A crisis reading: the calm staff screen, no numbers.
            runtime.spawn(monitor.measure(systolic=192, diastolic=121, pulse=88))
            wait_step(win, Step.STAFF)
            shown = "\n".join(on_screen_texts(win))
            assert texts.STAFF_COMING.ko in shown and "192" not in shown
            visit = runtime.visits.current
            assert visit is not None and visit.visitor_kind is VisitorKind.GUEST


def test_printed_summary_has_the_values_on_one_page_and_a_missing_printer_is_reported(
    qapp: QApplication,  # noqa: F811
    tmp_path: Path,
) -> None:
    store = Store.open(tmp_path / "k.db")
    try:
        visits = VisitManager(store, "kiosk-print-01")
        visits.start_visit(VisitorKind.MEMBER_CARD, member_subject_ref("20261234"))
        visits.give_consent()
        results = [visits.handle_reading(r) for r in sample_readings()]
        stored = [r for r in results if isinstance(r, BpResult | MeasurementResult)]
        assert len(stored) == 4
        outcomes: list[PrintOutcome] = []
        printer = SummaryPrinter(tmp_path / "spool", QApplication.font().family())
        printer.finished.connect(outcomes.append)
        printer.print_results(stored, datetime(2026, 12, 4, 10, 30))
        pump_until(lambda: bool(outcomes), "the summary", WAIT_S)
        [outcome] = outcomes
        assert outcome.error is None and outcome.pdf is not None and not outcome.printed
        pages, text = pdf_pages_and_text(outcome.pdf)
        assert pages == 1
        flat = " ".join(text.split())
        for value in ("128 / 82 mmHg", "105 mg/dL", "63.2 kg", "24.5 %", "2026-12-04"):
            assert value in flat, value
        assert texts.DISCLAIMER.en.replace("\n", " ") in flat
        assert "20261234" not in flat and "member-" not in flat
        assert "20261234" not in outcome.pdf.name

        missing = SummaryPrinter(
            tmp_path / "spool", QApplication.font().family(), printer_name="no-such-printer"
        )
        missing.finished.connect(outcomes.append)
        missing.print_results(stored, datetime(2026, 12, 4, 10, 31))
        pump_until(lambda: len(outcomes) == 2, "the failed print", WAIT_S)
        failed = outcomes[1]
        assert failed.error is not None and "no-such-printer" in failed.error
        assert not failed.printed and failed.pdf is not None  # the PDF is still spooled
    finally:
        store.close()
