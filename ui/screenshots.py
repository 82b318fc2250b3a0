"""Render every visitor screen in Korean and English to PNG files (``make screenshots``).

A real VisitManager on a real SQLite store in a temporary directory, the real window offscreen,
and readings handed to the visit manager on a runtime thread as the device hub does. Synthetic
values only. Run: ``python -m ui.screenshots [out_dir] [--landscape]``.
"""

from __future__ import annotations

import argparse
import os
import queue
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from devices.readings import (
    AnyReading,
    BloodPressureReading,
    BodyCompositionReading,
    DeviceIdentity,
    GlucoseReading,
    GlucoseUnit,
    MassUnit,
    MealContext,
    PressureUnit,
    WeightReading,
)
from kiosk.hub import CONNECTED, ERROR, IDLE, CuffPressureReport, DeviceHub, DeviceStatus
from kiosk.ids import new_msg_id
from kiosk.risk_estimate import RiskStep
from kiosk.session import VisitManager
from kiosk.store import Store
from kiosk.visit_flow import Guide, Language, MeasureKind, ResultsView, Step, member_subject_ref

DEVICE = DeviceIdentity(address="C0:FF:EE:00:00:09", model="SIM")
WAIT_S = 10.0


class QueueRuntime:
    """The members of the kiosk runtime the window uses: calls run in order on one thread."""

    def __init__(self, visits: VisitManager) -> None:
        self.visits = visits
        # A hub without radios: the guidance follows its status and cuff-pressure signals.
        self.hub = DeviceHub(on_reading=self._route, on_error=visits.handle_device_error)
        for address, kind in (
            ("C0:FF:EE:00:00:09", "blood_pressure"),
            ("C0:FF:EE:00:01:09", "glucose"),
            ("C0:FF:EE:00:02:09", "body_composition"),
        ):
            linked = kind == "blood_pressure"  # a cuff stays linked; meters and scales wake up
            self.hub.report_status(
                DeviceStatus(address, kind, connected=linked, state=CONNECTED if linked else IDLE)
            )
        self.demo_actions: tuple[tuple[str, Callable[[], None]], ...] = ()
        self._queue: queue.SimpleQueue[tuple[Callable[..., object], tuple[object, ...]] | None]
        self._queue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._main, name="shots-runtime", daemon=True)
        self._thread.start()

    def call_soon(self, fn: Callable[..., object], *args: object) -> None:
        self._queue.put((fn, args))

    def _route(self, reading: AnyReading) -> None:
        self.visits.handle_reading(reading)

    def _main(self) -> None:
        while (item := self._queue.get()) is not None:
            fn, args = item
            try:
                fn(*args)
            except Exception as exc:  # like the runtime: report, keep serving
                print(f"runtime call {fn!r} failed: {exc!r}")

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(WAIT_S)


def sample_readings() -> list[AnyReading]:
    return [
        BloodPressureReading(
            device=DEVICE,
            systolic=128,
            diastolic=82,
            mean_arterial=None,
            unit=PressureUnit.MMHG,
            pulse_rate=71,
            raw=b"\x1e" + bytes(6),
        ),
        GlucoseReading(
            device=DEVICE,
            concentration=105,
            unit=GlucoseUnit.MG_DL,
            meal=MealContext.FASTING,
            raw=bytes(10),
        ),
        WeightReading(device=DEVICE, weight=63.2, unit=MassUnit.KG, bmi=23.4, raw=bytes(5)),
        BodyCompositionReading(device=DEVICE, body_fat_percent=24.5, weight=63.2, raw=bytes(8)),
    ]


def seed_earlier_visits(store: Store, subject_ref: str) -> None:
    """Five earlier monthly visits of one member (synthetic values), for the trend chart."""
    now = datetime.now(UTC)
    for i, (sbp, dbp, mg_dl, kg) in enumerate(
        [
            (146, 92, 118, 66.0),
            (141, 90, 112, 65.1),
            (137, 88, 109, 64.6),
            (134, 86, 104, 64.0),
            (131, 84, 101, 63.5),
        ]
    ):
        when = now - timedelta(days=30 * (5 - i))
        visit_id = new_msg_id()
        store.start_visit(visit_id, "member_card", subject_ref)
        readings: list[AnyReading] = [
            BloodPressureReading(
                device=DEVICE,
                systolic=sbp,
                diastolic=dbp,
                mean_arterial=None,
                unit=PressureUnit.MMHG,
                raw=bytes(7),
            ),
            GlucoseReading(
                device=DEVICE,
                concentration=mg_dl,
                unit=GlucoseUnit.MG_DL,
                meal=MealContext.FASTING,
                raw=bytes(10),
            ),
            WeightReading(device=DEVICE, weight=kg, unit=MassUnit.KG, raw=bytes(5)),
        ]
        for reading in readings:
            store.record_measurement(
                msg_id=new_msg_id(),
                visit_id=visit_id,
                reading=reading,
                measured_at=when,
                category=None,
                alert=None,
                sync_kind="bp",
                payload=b"{}",
                sync=False,  # screenshots only: nothing to send
            )
        store.end_visit(visit_id)


def render_all(out_dir: Path, *, landscape: bool = False) -> list[Path]:
    """Walk a member's visit and a crisis screen; write one PNG per screen and language."""
    from PySide6.QtCore import QCoreApplication, QEventLoop

    from ui.app import build_kiosk_window

    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "shots.db")
        runtime = QueueRuntime(VisitManager(store, "kiosk-shots-01"))
        window = build_kiosk_window(runtime)
        size = (1920, 1080) if landscape else (1080, 1920)
        window.resize(*size)
        window.show()

        def settle(until: Callable[[], bool]) -> None:
            deadline = time.monotonic() + WAIT_S
            while not until():
                if time.monotonic() > deadline:
                    raise RuntimeError("the kiosk window did not reach the expected screen")
                QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
                time.sleep(0.002)
            for _ in range(5):  # let layouts settle before grabbing
                QCoreApplication.processEvents()

        def post(fn: Callable[..., object], *args: object) -> None:
            runtime.call_soon(fn, *args, time.monotonic())

        def shoot(name: str, prepare: Callable[[], None] | None = None) -> None:
            orientation = "landscape" if landscape else "portrait"
            for language in (Language.KO, Language.EN):
                post(window.flow.set_language, language)
                settle(partial(lambda lang: window.state.language is lang, language))
                if prepare is not None:
                    prepare()
                path = out_dir / f"{name}_{language.value}_{orientation}.png"
                if not window.grab().save(str(path)):
                    raise RuntimeError(f"could not write {path}")
                written.append(path)
            post(window.flow.set_language, Language.KO)
            settle(lambda: window.state.language is Language.KO)

        flow = window.flow
        try:
            seed_earlier_visits(store, member_subject_ref("20261234"))
            settle(window.isVisible)
            shoot("01_welcome")
            post(flow.start)
            settle(lambda: window.state.step is Step.IDENTIFY)
            for key in "2026":
                window.identify.press(key)
            shoot("02_identify")
            post(flow.identify_member, "20261234")
            settle(lambda: window.state.step is Step.CONSENT)
            shoot("03_consent")
            post(flow.consent, True)
            settle(lambda: window.state.step is Step.CHOOSE)
            shoot("03b_choose")
            post(flow.choose_all)
            settle(lambda: window.state.step is Step.MEASURE)
            shoot("04_measure_waiting")
            # The cuff's live pressure while it inflates, as the hub reports it from 0x2A36.
            hub = runtime.hub
            runtime.call_soon(hub.cuff_pressure.emit, CuffPressureReport(DEVICE.address, 146.0))
            settle(lambda: window.state.cuff_mmhg == 146)
            shoot("04b_measure_cuff_pressure")
            readings = sample_readings()
            runtime.call_soon(runtime.visits.handle_reading, readings[0])
            settle(lambda: len(window.state.results) == 1)
            shoot("05_measure_result")
            post(flow.next_kind)
            settle(lambda: window.state.measuring is MeasureKind.GLUCOSE)
            shoot("05b_measure_glucose_guidance")
            # A meter that stops answering: kind words for the visitor, detail for staff.
            failing = DeviceStatus(
                "C0:FF:EE:00:01:09", "glucose", state=ERROR, last_error="timeout"
            )
            runtime.call_soon(hub.report_status, failing)
            settle(lambda: window.state.guide is Guide.DEVICE_ERROR)
            shoot("05c_measure_device_error")
            post(flow.retry_kind)
            settle(lambda: window.state.guide is not Guide.DEVICE_ERROR)
            for reading in readings[1:]:
                runtime.call_soon(runtime.visits.handle_reading, reading)
            settle(lambda: len(window.state.results) == len(readings))
            post(flow.next_kind)
            settle(lambda: window.state.measuring is MeasureKind.BODY)
            shoot("05d_measure_scale_result")
            post(flow.show_results)
            settle(lambda: window.state.step is Step.RESULTS)
            shoot("06_results")
            post(flow.show_results_view, ResultsView.TREND)
            settle(lambda: window.state.results_view is ResultsView.TREND)
            shoot("06b_results_trend")
            post(flow.show_results_view, ResultsView.RISK)
            settle(lambda: window.state.risk_step is RiskStep.ASK)
            post(flow.risk_birth_year, 10)
            post(flow.risk_sex, "F")
            post(flow.risk_smoker, False)
            settle(lambda: window.state.risk_answers.complete)
            shoot("06c_results_risk_question")
            post(flow.risk_submit)
            settle(lambda: window.state.risk is not None)
            shoot("06d_results_risk_estimate")
            post(flow.show_results_view, ResultsView.VALUES)
            settle(lambda: window.state.results_view is ResultsView.VALUES)
            # The header's "text and sound" panel, then the results in both display modes.
            post(flow.show_options, True)
            settle(window.options.isVisible)
            shoot("06e_text_and_sound_panel")
            post(flow.show_options, False)
            post(flow.set_large_text, True)
            post(flow.set_high_contrast, True)
            settle(lambda: window.theme.large_text and window.theme.high_contrast)
            shoot("06f_results_large_high_contrast")
            post(flow.set_large_text, False)
            post(flow.set_high_contrast, False)
            settle(lambda: not window.theme.large_text and not window.theme.high_contrast)

            def idle() -> None:  # as if nobody had touched the screen for a while
                runtime.call_soon(flow.tick, time.monotonic() + flow.idle_after_s + 2)
                settle(lambda: window.state.countdown_s is not None)

            shoot("07_idle_warning", idle)
            post(flow.finish)
            settle(lambda: window.state.step is Step.FINISH)
            shoot("08_finish")
            post(flow.reset)
            settle(lambda: window.state.step is Step.WELCOME)
            post(flow.start)
            settle(lambda: window.state.step is Step.IDENTIFY)
            post(flow.identify_guest)
            settle(lambda: window.state.step is Step.CONSENT)
            shoot("09_consent_guest")
            post(flow.consent, False)
            settle(lambda: window.state.step is Step.CHOOSE)
            post(flow.choose, [MeasureKind.BLOOD_PRESSURE])
            settle(lambda: window.state.step is Step.MEASURE)
            crisis = BloodPressureReading(
                device=DEVICE,
                systolic=192,
                diastolic=121,
                mean_arterial=None,
                unit=PressureUnit.MMHG,
                pulse_rate=88,
                raw=b"\x1e" + bytes(6),
            )
            runtime.call_soon(runtime.visits.handle_reading, crisis)
            settle(lambda: window.state.step is Step.STAFF)
            shoot("10_staff")
        finally:
            window.close()
            window.deleteLater()
            QCoreApplication.sendPostedEvents(None, 0)  # DeferredDelete before the store goes
            runtime.close()
            store.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out_dir", nargs="?", default="docs/screenshots", type=Path)
    parser.add_argument("--landscape", action="store_true")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    paths = render_all(args.out_dir, landscape=args.landscape)
    print(f"{len(paths)} screenshots in {args.out_dir}")
    app.processEvents()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
