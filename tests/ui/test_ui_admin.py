"""The staff admin screen offscreen on a real SQLite store, a real (unstarted) device hub whose
status model is fed from another thread as the runtime does, and alerts emitted from a foreign
thread like the visit manager's. Taps go through QTest; screenshots land in
build/screenshots/admin/; a reviewed copy is in docs/screenshots/admin/."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget
from test_ui_result_screen import ThreadRuntime, pump_for, pump_until, qapp  # noqa: F401

from devices.readings import BloodPressureReading, DeviceIdentity, PressureUnit
from kiosk.hub import DeviceHub, DeviceStatus
from kiosk.observable import Signal
from kiosk.runtime import KioskConfig
from kiosk.scoring.bp import Alert
from kiosk.scoring.service import ScoringService
from kiosk.session import StaffAlert, VisitManager
from kiosk.staff import MAX_FAILURES, Role, StaffService
from kiosk.store import Store
from kiosk.store.devices import DeviceAllowlist
from ui.admin import AdminRuntimeLike, AdminScreen
from ui.app import KioskWindow, build_kiosk_window
from ui.theme import Theme

pytestmark = pytest.mark.qt
# Test runs write here (ignored by git); docs/screenshots/admin holds a reviewed copy.
SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots" / "admin"
SIZE = (1280, 800)
BP_ADDRESS = "C0:FF:EE:00:00:21"


class Kit:
    def __init__(self, tmp_path: Path, timeout: timedelta) -> None:
        self.store = Store.open(tmp_path / "kiosk.db")
        self.staff = StaffService(self.store, timeout=timeout)
        self.staff.add_pin("2468", role=Role.STAFF, label="front desk")
        self.staff.add_pin("13579", role=Role.TECHNICIAN, label="tech")
        self.allowlist = DeviceAllowlist(self.store)
        self.allowlist.add(BP_ADDRESS, profile_id="omron", kind="blood_pressure", label="혈압계 1")
        self.hub = DeviceHub(on_reading=lambda _r: None, on_error=lambda _e, _a: None)
        self.alerts: Signal[StaffAlert] = Signal()
        self.alerts.connect(self.staff.record_alert)  # as KioskRuntime does, before the UI
        self.screen = AdminScreen(
            Theme(),
            self.staff,
            store=self.store,
            allowlist=self.allowlist,
            device_status=lambda: dict(self.hub.status),
            broker_state=lambda: "connected",
            staff_alerts=self.alerts,
            device_changes=self.hub.status_changed,
        )
        self.screen.resize(*SIZE)
        self.screen.show()
        pump_until(self.screen.isVisible, "the admin screen to show")

    def on_runtime_thread(self, fn: object, *args: object) -> None:
        t = threading.Thread(target=fn, args=args)  # type: ignore[arg-type]
        t.start()
        t.join(5)

    def close(self) -> None:
        self.screen.close()
        self.screen.deleteLater()
        QApplication.processEvents()
        self.store.close()


@pytest.fixture
def kit(qapp: QApplication, tmp_path: Path) -> Iterator[Kit]:  # noqa: F811
    k = Kit(tmp_path, timedelta(minutes=3))
    try:
        yield k
    finally:
        k.close()


def tap(widget: QWidget) -> None:
    assert widget.isVisible() and widget.isEnabled(), widget.objectName()
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


def enter_pin(screen: AdminScreen, pin: str) -> None:
    for digit in pin:
        tap(screen.pin_pad.keys[digit])
    tap(screen.pin_pad.keys["ok"])
    pump_until(lambda: not screen.login_pending, "the PIN check")


def shot(widget: QWidget, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    QApplication.processEvents()
    assert widget.grab().save(str(SHOTS / f"{name}.png"))


def test_pin_masks_and_logs_in_by_role(kit: Kit) -> None:
    s = kit.screen
    for digit in "246":
        tap(s.pin_pad.keys[digit])
    assert s.pin_pad.display.text() == "●●●"  # never the digits
    shot(s, "01_pin_pad")
    tap(s.pin_pad.keys["8"])
    tap(s.pin_pad.keys["ok"])
    assert s.login_pending  # the scrypt check runs off the GUI thread
    pump_until(lambda: not s.login_pending, "the PIN check")
    assert s.session is not None and s.session.role is Role.STAFF
    assert s.stack.currentWidget() is s.admin_area
    assert s.current_page() == "devices"  # no open alerts
    assert not s.devices.forget_button.isEnabled()  # staff may not forget devices
    assert kit.staff.audit_log()[0].action == "login"


def test_wrong_pins_lock_the_pad(kit: Kit) -> None:
    s = kit.screen
    for n in range(1, MAX_FAILURES):
        enter_pin(s, "0000")
        assert f"({MAX_FAILURES - n} left)" in s.pin_pad.message.text()
    enter_pin(s, "0000")
    assert s.session is None
    assert not s.pin_pad.keys["1"].isEnabled() and not s.pin_pad.keys["ok"].isEnabled()
    assert s.pin_pad.message.text().startswith("잠김 · Locked: ")
    assert kit.staff.locked_until() is not None
    shot(s, "02_locked")
    actions = [e.action for e in kit.staff.audit_log()]
    assert actions.count("pin_failed") == MAX_FAILURES and "pin_lockout" in actions


def test_alert_arrives_live_and_is_acknowledged(kit: Kit) -> None:
    s = kit.screen
    enter_pin(s, "2468")
    assert s.current_page() == "devices"
    alert = StaffAlert(
        visit_id="0f3a9c2e41d84b7a9e55c0de12ab7f3e",
        measurement_id="m-1",
        alert=Alert.STAFF_NOW,
        summary="182/121 mmHg",
    )
    kit.on_runtime_thread(kit.alerts.emit, alert)
    pump_until(lambda: s.current_page() == "alerts" and bool(s.alerts.open_ids), "the alert")
    (alert_id,) = s.alerts.open_ids
    head = s.alerts.findChild(QWidget, f"alertHead_{alert_id}")
    assert head is not None and "7F3E" in head.property("text")
    assert "0f3a9c2e" not in head.property("text")  # alias, not the visit id
    assert "182/121" in head.property("text")
    shot(s, "03_alert_open")
    # No note: refused with advice, the alert stays open.
    tap(s.alerts.ack_buttons[alert_id])
    assert "note" in s.alerts.status.text() and s.alerts.open_ids == [alert_id]
    note = s.alerts.notes[alert_id]
    assert isinstance(note, QLineEdit)
    QTest.keyClicks(note, "nurse called")
    tap(s.alerts.ack_buttons[alert_id])
    assert s.alerts.open_ids == []
    stale = s.alerts.findChild(QWidget, f"alertAck_{alert_id}")
    assert stale is None or not stale.isVisible()  # the open card is gone, not drawn under
    (entry,) = kit.staff.alerts()
    assert entry.ack_note == "nurse called" and entry.ack_role == "staff"
    shot(s, "04_alert_acknowledged")
    assert kit.staff.audit_log()[0].action == "alert_ack"


def test_devices_page_live_status_and_forget(kit: Kit) -> None:
    s = kit.screen
    enter_pin(s, "13579")
    assert s.current_page() == "devices"
    table = s.devices.table
    assert table.rowCount() == 1 and table.item(0, 2).text() == "—"
    status = DeviceStatus(
        address=BP_ADDRESS,
        kind="blood_pressure",
        connected=True,
        identity=DeviceIdentity(address=BP_ADDRESS, model="SIM-BP1"),
        rssi=-61,
        battery_percent=80,
    )
    kit.on_runtime_thread(kit.hub.report_status, status)
    pump_until(lambda: table.item(0, 2).text().startswith("연결됨"), "the live status")
    assert table.item(0, 3).text() == "80%" and table.item(0, 4).text() == "-61 dBm"
    assert "SIM-BP1" in table.item(0, 0).text()
    failed = DeviceStatus(
        address=BP_ADDRESS,
        kind="blood_pressure",
        state="error",
        last_error="cuff not detected",
        advice="Wrap the cuff and press start.",
    )
    kit.on_runtime_thread(kit.hub.report_status, failed)
    pump_until(lambda: "Wrap the cuff" in table.item(0, 7).text(), "the error and advice")
    shot(s, "05_devices")
    assert s.devices.forget_button.isEnabled()  # technician
    table.selectRow(0)
    tap(s.devices.forget_button)
    assert kit.allowlist.entries() == []
    assert kit.staff.audit_log()[0].action == "device_forget"


def _reading() -> BloodPressureReading:
    return BloodPressureReading(
        device=DeviceIdentity(address=BP_ADDRESS, model="SIM-BP1"),
        systolic=128,
        diastolic=82,
        mean_arterial=97,
        unit=PressureUnit.MMHG,
        pulse_rate=70,
        raw=b"\x04\x80\x00R\x00a\x00F\x00",
    )


def test_sync_page_shows_queue_and_retries(kit: Kit) -> None:
    visit = "v" * 32
    kit.store.start_visit(visit, "guest", None)
    for msg_id in ("msg-1", "msg-2"):
        kit.store.record_measurement(
            msg_id=msg_id,
            visit_id=visit,
            reading=_reading(),
            measured_at=datetime.now(UTC),
            category="normal",
            alert="none",
            sync_kind="bp",
            payload=b'{"x":1}',
        )
    kit.store.mark_rejected("msg-2", "schema: systolic missing")
    s = kit.screen
    enter_pin(s, "2468")
    tap(s.nav["sync"])
    assert s.current_page() == "sync"
    text = s.sync.summary.text()
    assert "Broker: connected" in text and "Queue depth: 1" in text and "Rejected: 1" in text
    assert s.sync.table.rowCount() == 1
    assert s.sync.table.item(0, 1).text() == "schema: systolic missing"
    shot(s, "06_sync")
    s.sync.table.selectRow(0)
    tap(s.sync.retry_button)
    assert kit.store.outbox_counts().rejected == 0 and kit.store.outbox_counts().pending == 2
    assert "Queue depth: 2" in s.sync.summary.text()
    assert kit.staff.audit_log()[0].action == "sync_retry"
    tap(s.nav["audit"])
    assert s.audit.table.rowCount() >= 4
    assert s.audit.table.item(0, 2).text() == "sync_retry"
    shot(s, "07_audit")


def test_session_times_out_to_the_pin_pad(qapp: QApplication, tmp_path: Path) -> None:  # noqa: F811
    k = Kit(tmp_path, timedelta(milliseconds=300))
    try:
        closed: list[bool] = []
        k.screen.closed.connect(lambda: closed.append(True))
        enter_pin(k.screen, "2468")
        assert k.screen.session is not None
        pump_until(lambda: k.screen.session is None, "the admin session to time out", 5)
        assert closed == [True]
        assert k.screen.stack.currentWidget() is k.screen.pin_pad
        assert k.staff.audit_log()[0].detail == "reason=timeout"
    finally:
        k.close()


class AdminThreadRuntime(ThreadRuntime):
    """The visitor stand-in plus the members the admin screen needs, all real."""

    def __init__(self, store: Store, tmp_path: Path) -> None:
        super().__init__(VisitManager(store, "kiosk-test-01"))
        self.store = store
        self.staff = StaffService(store)
        self.allowlist = DeviceAllowlist(store)
        self.hub = DeviceHub(on_reading=lambda _r: None, on_error=lambda _e, _a: None)
        self.config = KioskConfig(kiosk_id="kiosk-test-01", data_dir=tmp_path, broker_url=None)
        self.scoring = ScoringService.load()

    def admin_broker_state(self) -> str:
        return "not configured"


def test_corner_long_press_opens_admin_from_the_visitor_window(
    qapp: QApplication,  # noqa: F811
    tmp_path: Path,
) -> None:
    store = Store.open(tmp_path / "kiosk.db")
    rt = AdminThreadRuntime(store, tmp_path)
    assert isinstance(rt, AdminRuntimeLike)
    win: KioskWindow = build_kiosk_window(rt)
    try:
        assert win.admin is not None
        assert "kiosk staff add-pin" in win.admin.pin_pad.message.text()  # none yet
        rt.staff.add_pin("2468", role=Role.STAFF, label="front desk")
        win.resize(*SIZE)
        win.show()
        pump_until(win.isVisible, "the window")
        assert win.admin is not None and not win.admin.isVisible()
        win._admin_hold.setInterval(300)  # the real hold is 3 s
        central = win.centralWidget()
        # A tap in the corner, and a long press away from it, do not open it.
        QTest.mouseClick(central, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
        QTest.mousePress(central, Qt.MouseButton.LeftButton, pos=QPoint(600, 400))
        pump_for(0.6)
        QTest.mouseRelease(central, Qt.MouseButton.LeftButton, pos=QPoint(600, 400))
        assert not win.admin.isVisible()
        QTest.mousePress(central, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
        pump_until(win.admin.isVisible, "the admin screen", 5)
        assert win.admin.pin_pad.message.text() == ""  # a PIN exists now
        QTest.mouseRelease(central, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
        assert win.admin.geometry() == win.rect()
        enter_pin(win.admin, "2468")
        assert win.admin.session is not None
        tap(win.admin.nav["settings"])
        table = win.admin.settings.table
        rows = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
        assert rows["키오스크 ID · Kiosk id"] == "kiosk-test-01"
        assert rows["브로커 · Broker"] == "설정 안 됨 · not configured"
        assert rows["손님 기록 보관 · Guest data retention"] == "1 day, 0:00:00"
        models = [v for k, v in rows.items() if k.startswith("모델")]
        assert models and all(v.endswith("… ok") for v in models)  # loaded = hash verified
        assert table.editTriggers() == table.EditTrigger.NoEditTriggers
        shot(win.admin, "09_settings")
        tap(win.admin.logout_button)
        assert not win.admin.isVisible() and win.admin.session is None
        assert [e.action for e in rt.staff.audit_log()][:2] == ["logout", "login"]
    finally:
        win.close()
        win.deleteLater()
        QApplication.processEvents()
        rt.close()
        store.close()


def test_today_page_counts(kit: Kit) -> None:
    kit.store.start_visit("a" * 32, "guest", None)
    kit.store.start_visit("b" * 32, "guest", None)
    kit.store.record_measurement(
        msg_id="msg-t",
        visit_id="a" * 32,
        reading=_reading(),
        measured_at=datetime.now(UTC),
        category="normal",
        alert="none",
        sync_kind="bp",
        payload=b'{"x":1}',
    )
    kit.store.end_visit("a" * 32)
    kit.store.quarantine(
        characteristic="2a35",
        raw=b"\x00",
        error=ValueError("short frame"),
        visit_id="b" * 32,
        device_address=BP_ADDRESS,
    )
    s = kit.screen
    enter_pin(s, "2468")
    tap(s.nav["today"])
    assert s.current_page() == "today"
    assert "Visitors: 2" in s.today.summary.text()
    assert "Average visit: 0.0 min" in s.today.summary.text()  # one ended, just now
    rows = {
        s.today.table.item(r, 0).text(): s.today.table.item(r, 1).text()
        for r in range(s.today.table.rowCount())
    }
    assert rows == {
        "측정 Measured: blood_pressure": "1",
        f"기기 오류 Device failures: {BP_ADDRESS}": "1",
    }
    shot(s, "08_today")
