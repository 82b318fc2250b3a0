"""``python -m ui.admin.screenshots [DIR]``: every admin page, as staff see it, for the manual.

Runs the real kiosk runtime on a temporary data folder with simulated devices (a cuff and a
glucose meter, as in the demo), taps through the screen as a person would and saves PNGs
(default ``docs/screenshots/admin/``). Part of ``make screenshots``. The staff pages show
Korean and English together, so there is one set.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from devices.readings import BloodPressureReading, DeviceIdentity, PressureUnit
from devices.sim.ble import SimulatedAir
from devices.sim.glucose_meter import SimulatedGlucoseMeter
from kiosk.demo import demo_monitor
from kiosk.runtime import KioskConfig, KioskRuntime
from kiosk.scoring.bp import Alert
from kiosk.session import StaffAlert
from kiosk.staff import DEMO_PINS, Role
from ui.admin.screen import AdminScreen
from ui.fonts import apply_app_font
from ui.theme import Theme

SIZE = (1920, 1080)
DEFAULT_OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "admin"


class _Events:
    # Not QCoreApplication.processEvents: in PySide6 6.12 each call of the static one drops a
    # reference to None, and a few thousand calls crash the interpreter.
    loop: QEventLoop | None = None

    @classmethod
    def process(cls) -> None:
        if cls.loop is None:
            cls.loop = QEventLoop()
        cls.loop.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)


def _pump_until(predicate: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waiting for {what}")
        _Events.process()
        time.sleep(0.002)


class Walk:
    def __init__(self, out: Path, data_dir: Path) -> None:
        self.out = out
        self.air = SimulatedAir()
        self.air.add(demo_monitor())
        self.air.add(SimulatedGlucoseMeter(address="C0:FF:EE:00:01:01", name="GLS SIM-1"))
        self.runtime = KioskRuntime(
            KioskConfig(kiosk_id="demo-kiosk-01", data_dir=data_dir, discover_timeout=1.0),
            client_backend=self.air.client_backend,
            scanner_backend=self.air.scanner_backend,
        )
        self.runtime.start(discover=False)
        self.runtime.staff.seed_demo_pins()
        self.screen = AdminScreen.for_runtime(Theme(), self.runtime)
        self.screen.resize(*SIZE)
        self.screen.show()
        self.idle()

    def idle(self) -> None:
        _pump_until(lambda: not self.screen.busy, "the admin screen")
        end = time.monotonic() + 0.1
        while time.monotonic() < end:  # queued shows of freshly added widgets
            _Events.process()
            time.sleep(0.002)

    def tap(self, widget: QWidget) -> None:
        QTest.mouseClick(widget, Qt.MouseButton.LeftButton)
        self.idle()

    def pin(self, pin: str) -> None:
        for digit in pin:
            self.tap(self.screen.pin_pad.keys[digit])
        self.tap(self.screen.pin_pad.keys["ok"])

    def shot(self, name: str) -> None:
        self.idle()
        path = self.out / f"{name}.png"
        if not self.screen.grab().save(str(path)):
            raise OSError(f"could not write {path}")
        print(path)

    def run(self) -> None:
        s, rt = self.screen, self.runtime
        for digit in DEMO_PINS[Role.STAFF][:3]:
            self.tap(s.pin_pad.keys[digit])
        self.shot("01_pin_pad")
        s.pin_pad.clear()
        for _ in range(5):
            self.pin("0000")
        self.shot("02_locked")
        self.tap(s.pin_pad.unlock)
        self.pin(DEMO_PINS[Role.TECHNICIAN])
        # A crisis reading arrives.
        alert = StaffAlert(
            "0f3a9c2e41d84b7a9e55c0de12ab7f3e", "m-1", Alert.STAFF_NOW, "182/121 mmHg"
        )
        rt.call_soon(rt.visits.staff_alert.emit, alert)
        _pump_until(lambda: bool(s.alerts.open_ids), "the alert")
        self.idle()
        keyboard = s.alerts.keyboard
        self.tap(keyboard.keys["간호사 호출함"])
        self.shot("03_alert_open")
        self.tap(s.alerts.ack_buttons[s.alerts.open_ids[0]])
        self.shot("04_alert_acknowledged")
        # Pairing.
        self.tap(s.nav["devices"])
        d = s.devices
        self.tap(d.add_button)
        self.shot("05_pair_scan")
        meter = [n.address for n in d.nearby].index("C0:FF:EE:00:01:01")
        d.nearby_table.selectRow(meter)
        self.idle()
        self.shot("06_pair_passkey")
        self.tap(d.pair_button)
        self.tap(d.add_button)
        d.nearby_table.selectRow([n.address for n in d.nearby].index("C0:FF:EE:00:00:01"))
        self.idle()
        self.tap(d.pair_button)
        _pump_until(lambda: d.table.rowCount() == 2, "two paired devices")
        d.table.selectRow(0)
        self.tap(d.test_button)
        self.shot("07_devices")
        d.table.selectRow(0)
        self.tap(d.rename_button)
        self.tap(d.rename_keyboard.keys["비우기 · Clear"])
        self.tap(d.rename_keyboard.keys["창가"])
        self.shot("08_rename")
        self.tap(d.rename_cancel)
        # Sync: one result waiting, one refused by the record service.
        visit = "a" * 32
        rt.store.start_visit(visit, "guest", None)
        for msg_id in ("0190d3f0-demo-0001", "0190d3f0-demo-0002"):
            rt.store.record_measurement(
                msg_id=msg_id,
                visit_id=visit,
                reading=_bp(),
                measured_at=datetime.now(UTC),
                category="normal",
                alert="none",
                sync_kind="bp",
                payload=b"{}",
            )
        rt.store.mark_rejected("0190d3f0-demo-0002", "schema: systolic missing")
        rt.store.end_visit(visit)
        self.tap(s.nav["sync"])
        self.shot("09_sync")
        self.tap(s.nav["today"])
        self.shot("10_today")
        self.tap(s.nav["settings"])
        page = s.settings
        self.tap(page.controls["language_default"][1])
        self.tap(page.controls["inactivity_timeout_s"][0])
        self.shot("11_settings")
        self.tap(page.undo_button)
        self.tap(s.nav["audit"])
        self.shot("12_audit")

    def close(self) -> None:
        self.screen.close()
        self.runtime.stop()


def _bp() -> BloodPressureReading:
    return BloodPressureReading(
        device=DeviceIdentity(address="C0:FF:EE:00:00:01", model="SIM-BP1"),
        systolic=128,
        diastolic=82,
        mean_arterial=97,
        unit=PressureUnit.MMHG,
        pulse_rate=70,
        raw=b"\x04\x80\x00R\x00a\x00F\x00",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("out", nargs="?", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    apply_app_font(app)
    with tempfile.TemporaryDirectory(prefix="kiosk-admin-shots-") as tmp:
        walk = Walk(args.out, Path(tmp))
        try:
            walk.run()
        finally:
            walk.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
