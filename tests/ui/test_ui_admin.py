"""The staff admin screen offscreen on the real kiosk runtime: a real SQLite store, the real
device hub driving bleak with simulated devices injected as its backend (a SIG cuff that pairs
without a code and a SIG glucose meter whose profile needs a passkey), and, where the page shows
broker state, a private mosquitto. Taps go through QTest. Every test also checks that no admin
code touched the database on the GUI thread. Screenshots land in build/screenshots/admin/
(`python -m ui.admin.screenshots` writes the reviewed set in docs/screenshots/admin/)."""

from __future__ import annotations

import concurrent.futures
import itertools
import json
import re
import threading
import time
import traceback
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEventLoop, QPoint, QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
from sqlalchemy import event, text
from test_ui_result_screen import qapp  # noqa: F401

from devices.readings import BloodPressureReading, DeviceIdentity, PressureUnit
from devices.sim.ble import SimulatedAir
from devices.sim.glucose_meter import SimulatedGlucoseMeter
from kiosk.demo import demo_monitor
from kiosk.localbroker import PrivateMosquitto
from kiosk.runtime import KioskConfig, KioskRuntime
from kiosk.scoring.bp import Alert
from kiosk.session import StaffAlert
from kiosk.settings import SettingsStore
from kiosk.staff import MAX_FAILURES, Role
from kiosk.visit_flow import Language
from tests.servers import MqttProbe
from ui.admin import AdminRuntimeLike, AdminScreen
from ui.admin.sound import CHIME, chime_samples, render_chime
from ui.app import KioskWindow, build_kiosk_window
from ui.theme import Theme

pytestmark = pytest.mark.qt
SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots" / "admin"
SIZE = (1920, 1080)  # the kiosk's 21.5" panel, landscape
BP = "C0:FF:EE:00:00:01"  # demo_monitor(): SIG BPS, pairing "none"
METER = "C0:FF:EE:00:01:01"  # SIG GLS: the profile asks for a passkey
STAFF_PIN, TECH_PIN = "2468", "13579"
ADMIN_CODE = f"{Path(__file__).resolve().parents[2] / 'ui' / 'admin'}"
WAIT_S = 10.0


# PySide6 6.12's static QCoreApplication.processEvents (and QTest.qWait) drop one reference to
# None per call; enough calls crash the interpreter ("deallocating None"). A QEventLoop
# instance's processEvents does the same work without the leak.
class _Events:
    loop: QEventLoop | None = None

    @classmethod
    def process(cls) -> None:
        if cls.loop is None:
            cls.loop = QEventLoop()
        cls.loop.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)


def pump_until(predicate: Callable[[], bool], what: str, timeout: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        _Events.process()
        time.sleep(0.002)  # bounded by the deadline; only to not spin a core


def pump_for(seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        _Events.process()
        time.sleep(0.002)


class Kit:
    """A started runtime (no auto-discovery: staff pair) and its admin screen."""

    def __init__(self, tmp_path: Path, *, broker_url: str | None = None) -> None:
        self.air = SimulatedAir()
        self.monitor = demo_monitor()
        self.meter = SimulatedGlucoseMeter(address=METER, name="GLS SIM-1")
        self.air.add(self.monitor)
        self.air.add(self.meter)
        self.data_dir = tmp_path / "kiosk"
        config = KioskConfig(
            kiosk_id="kiosk-test-01",
            data_dir=self.data_dir,
            broker_url=broker_url,
            discover_timeout=0.3,
        )
        self.runtime = KioskRuntime(
            config,
            client_backend=self.air.client_backend,
            scanner_backend=self.air.scanner_backend,
        )
        self.runtime.start(discover=False)
        assert isinstance(self.runtime, AdminRuntimeLike)
        self.staff = self.runtime.staff
        self.staff.add_pin(STAFF_PIN, role=Role.STAFF, label="front desk")
        self.staff.add_pin(TECH_PIN, role=Role.TECHNICIAN, label="tech")
        # Every SQL statement run by admin UI code on the GUI (main) thread is a failure.
        self.gui_db: list[str] = []
        event.listen(self.runtime.store.engine, "before_cursor_execute", self._sql)
        self.screen = AdminScreen.for_runtime(Theme(), self.runtime)
        self.screen.resize(*SIZE)
        self.screen.show()
        pump_until(self.screen.isVisible, "the admin screen to show")
        self.idle()

    def _sql(self, *_args: Any) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        frames = [f for f in traceback.extract_stack() if f.filename.startswith(ADMIN_CODE)]
        if frames:
            self.gui_db.append(f"{frames[-1].filename}:{frames[-1].lineno} {frames[-1].name}")

    def idle(self, timeout: float = 10.0) -> None:
        pump_until(lambda: not self.screen.busy, "the admin screen's work", timeout)
        # Widgets a page just added are shown by a queued call: let it run.
        pump_for(0.05)

    def close(self) -> None:
        self.screen.close()
        self.screen.deleteLater()
        _Events.process()
        self.runtime.stop()
        assert self.gui_db == [], f"database used on the GUI thread: {self.gui_db}"

    def actions(self) -> list[str]:
        return [e.action for e in self.staff.audit_log()]


@pytest.fixture
def kit(qapp: QApplication, tmp_path: Path) -> Iterator[Kit]:  # noqa: F811
    k = Kit(tmp_path)
    try:
        yield k
    finally:
        k.close()


def tap(widget: QWidget) -> None:
    assert widget.isVisible() and widget.isEnabled(), widget.objectName()
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


def enter_pin(kit: Kit, pin: str) -> None:
    for digit in pin:
        tap(kit.screen.pin_pad.keys[digit])
    tap(kit.screen.pin_pad.keys["ok"])
    kit.idle()


def shot(widget: QWidget, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    _Events.process()
    assert widget.grab().save(str(SHOTS / f"{name}.png"))


def cell(table: Any, row: int, col: int) -> str:
    item = table.item(row, col)
    return "" if item is None else str(item.text())


def _reading(address: str = BP) -> BloodPressureReading:
    return BloodPressureReading(
        device=DeviceIdentity(address=address, model="SIM-BP1"),
        systolic=128,
        diastolic=82,
        mean_arterial=97,
        unit=PressureUnit.MMHG,
        pulse_rate=70,
        raw=b"\x04\x80\x00R\x00a\x00F\x00",
    )


# --- entry ---------------------------------------------------------------------------------
def test_pin_masks_and_logs_in_by_role(kit: Kit) -> None:
    s = kit.screen
    for digit in "246":
        tap(s.pin_pad.keys[digit])
    assert s.pin_pad.display.text() == "●●●"  # never the digits
    shot(s, "01_pin_pad")
    tap(s.pin_pad.keys["8"])
    tap(s.pin_pad.keys["ok"])
    assert s.login_pending  # the scrypt check runs off the GUI thread
    kit.idle()
    assert s.session is not None and s.session.role is Role.STAFF
    assert s.stack.currentWidget() is s.admin_area
    assert s.current_page() == "devices"  # no open alerts
    d = s.devices
    # Staff may test a device, not add, rename or forget one.
    assert d.test_button.isEnabled()
    assert not d.add_button.isEnabled()
    assert not d.rename_button.isEnabled()
    assert not d.forget_button.isEnabled()
    assert kit.actions()[0] == "login"


def test_lockout_then_a_technician_pin_unlocks(kit: Kit) -> None:
    s = kit.screen
    for n in range(1, MAX_FAILURES):
        enter_pin(kit, "0000")
        assert f"({MAX_FAILURES - n} left)" in s.pin_pad.message.text()
    enter_pin(kit, "0000")
    assert s.session is None
    assert not s.pin_pad.keys["1"].isEnabled() and not s.pin_pad.keys["ok"].isEnabled()
    assert s.pin_pad.message.text().startswith("잠김 · Locked: ")
    assert kit.staff.locked_until() is not None
    # Even the right staff PIN is refused while locked (the pad does not take it at all).
    assert s.pin_pad.unlock.isVisible()
    shot(s, "02_locked")
    tap(s.pin_pad.unlock)
    assert s.pin_pad.keys["1"].isEnabled() and "Technician" in s.pin_pad.title.text()
    enter_pin(kit, TECH_PIN)
    assert s.session is not None and s.session.role is Role.TECHNICIAN
    assert kit.staff.locked_until() is None
    actions = kit.actions()
    assert actions[:2] == ["login", "lockout_reset"]
    assert actions.count("pin_failed") == MAX_FAILURES and "pin_lockout" in actions


def test_a_wrong_technician_unlock_spends_the_lock(kit: Kit) -> None:
    s = kit.screen
    for _ in range(MAX_FAILURES):
        enter_pin(kit, "0000")
    tap(s.pin_pad.unlock)
    enter_pin(kit, STAFF_PIN)  # a staff PIN is no technician PIN
    assert s.session is None
    assert not s.pin_pad.keys["ok"].isEnabled()
    assert not s.pin_pad.unlock.isVisible()  # one try per lock, and it is spent
    until = kit.staff.locked_until()
    assert until is not None and (until - datetime.now(UTC)).total_seconds() > 50  # it grew
    assert kit.actions()[:2] == ["pin_lockout", "pin_failed"]


def test_session_times_out_to_the_pin_pad(kit: Kit) -> None:
    kit.staff.timeout = timedelta(milliseconds=300)
    closed: list[bool] = []
    kit.screen.closed.connect(lambda: closed.append(True))
    enter_pin(kit, STAFF_PIN)
    assert kit.screen.session is not None
    pump_until(lambda: kit.screen.session is None, "the admin session to time out", 5)
    kit.idle()
    assert closed == [True]
    assert kit.screen.stack.currentWidget() is kit.screen.pin_pad
    assert kit.staff.audit_log()[0].detail == "reason=timeout"


# --- alerts --------------------------------------------------------------------------------
def test_alert_arrives_with_a_chime_and_is_acknowledged_with_the_on_screen_keyboard(
    kit: Kit,
) -> None:
    s = kit.screen
    chimes: list[str] = []
    s.sound.requested.connect(chimes.append)
    assert not s.sound.available  # offscreen: no audio output, silent but still requested
    enter_pin(kit, STAFF_PIN)
    assert s.current_page() == "devices"
    alert = StaffAlert(
        visit_id="0f3a9c2e41d84b7a9e55c0de12ab7f3e",
        measurement_id="m-1",
        alert=Alert.STAFF_NOW,
        summary="182/121 mmHg",
    )
    kit.runtime.call_soon(kit.runtime.visits.staff_alert.emit, alert)  # as the visit manager
    pump_until(lambda: s.current_page() == "alerts" and bool(s.alerts.open_ids), "the alert")
    kit.idle()
    assert chimes == ["m-1"]
    (alert_id,) = s.alerts.open_ids
    head = s.alerts.findChild(QWidget, f"alertHead_{alert_id}")
    assert head is not None and "7F3E" in head.property("text")
    assert "0f3a9c2e" not in head.property("text")  # alias, not the visit id
    assert "182/121" in head.property("text")
    # No note: refused with advice, the alert stays open.
    tap(s.alerts.ack_buttons[alert_id])
    kit.idle()
    assert "note" in s.alerts.status.text() and s.alerts.open_ids == [alert_id]
    # The note from the on-screen keyboard only: a quick phrase, a space, a room number.
    keyboard = s.alerts.keyboard
    assert keyboard.target is s.alerts.notes[alert_id]
    tap(keyboard.keys["간호사 호출함"])
    tap(keyboard.keys["띄어쓰기 · Space"])
    for key in "R102":
        tap(keyboard.keys[key])
    assert s.alerts.notes[alert_id].text() == "간호사 호출함 R102"
    shot(s, "03_alert_open")
    tap(s.alerts.ack_buttons[alert_id])
    kit.idle()
    assert s.alerts.open_ids == []
    stale = s.alerts.findChild(QWidget, f"alertAck_{alert_id}")
    assert stale is None or not stale.isVisible()  # the open card is gone, not drawn under
    (entry,) = kit.staff.alerts()
    assert entry.ack_note == "간호사 호출함 R102" and entry.ack_role == "staff"
    assert not keyboard.isVisible()  # nothing left to write a note for
    shot(s, "04_alert_acknowledged")
    assert kit.actions()[0] == "alert_ack"


def test_see_doctor_soon_alert_is_listed_without_a_chime(kit: Kit) -> None:
    chimes: list[str] = []
    kit.screen.sound.requested.connect(chimes.append)
    enter_pin(kit, STAFF_PIN)
    alert = StaffAlert("a" * 32, "m-2", Alert.SEE_DOCTOR_SOON, "165/95 mmHg")
    kit.runtime.call_soon(kit.runtime.visits.staff_alert.emit, alert)
    pump_until(lambda: bool(kit.screen.alerts.open_ids), "the alert")
    kit.idle()
    assert chimes == []


# --- devices -------------------------------------------------------------------------------
def test_pairing_scan_choose_pair_with_the_procedure_explained(kit: Kit) -> None:
    s = kit.screen
    enter_pin(kit, TECH_PIN)
    d = s.devices
    assert d.table.rowCount() == 0
    tap(d.add_button)
    assert d.views.currentWidget() is d.pair_view
    assert "Looking for devices" in d.scan_status.text()
    kit.idle()
    assert d.nearby_table.rowCount() == 2
    by_address = {n.address: i for i, n in enumerate(d.nearby)}
    assert set(by_address) == {BP, METER}
    # The meter's profile needs a passkey: the steps come before pairing.
    d.nearby_table.selectRow(by_address[METER])
    kit.idle()
    assert d.help is not None and d.help.needs_steps
    assert "6자리" in d.help_label.text() and "6-digit code" in d.help_label.text()
    assert "6자리 번호" in cell(d.nearby_table, by_address[METER], 3)
    assert d.pair_button.isEnabled()
    shot(s, "05_pair_passkey")
    # The cuff needs nothing: say so, then pair it.
    d.nearby_table.selectRow(by_address[BP])
    kit.idle()
    assert d.help is not None and not d.help.needs_steps
    assert "Nothing to do" in d.help_label.text()
    tap(d.pair_button)
    kit.idle()
    assert d.views.currentWidget() is d.list_view
    assert "Paired" in d.message.text()
    (entry,) = kit.runtime.allowlist.entries()
    assert (entry.address, entry.profile_id, entry.kind) == (BP, "sig_bps", "blood_pressure")
    assert entry.label == "SIM-BP1"  # the model read from the device
    # The hub now holds the cuff: the row goes live.
    pump_until(lambda: d.table.rowCount() == 1 and "연결됨" in cell(d.table, 0, 2), "the link")
    assert cell(d.table, 0, 1) == "SIM-BP1"
    # The meter pairs too (the bond is asked for; the simulator grants it).
    tap(d.add_button)
    kit.idle()
    d.nearby_table.selectRow([n.address for n in d.nearby].index(METER))
    kit.idle()
    tap(d.pair_button)
    kit.idle()
    assert {e.address for e in kit.runtime.allowlist.entries()} == {BP, METER}
    kit.idle()
    shot(s, "06_devices")
    actions = kit.actions()
    assert actions.count("device_pair") == 2 and actions.count("device_scan") == 2


def test_rename_test_read_and_forget(kit: Kit) -> None:
    rt = kit.runtime
    rt.allowlist.add(BP, profile_id="sig_bps", kind="blood_pressure", label="BP 1")
    visit = "v" * 32
    rt.store.start_visit(visit, "guest", None)
    rt.store.record_measurement(
        msg_id="msg-r",
        visit_id=visit,
        reading=_reading(),
        measured_at=datetime.now(UTC),
        category="normal",
        alert="none",
        sync_kind="bp",
        payload=b'{"x":1}',
    )
    s = kit.screen
    enter_pin(kit, TECH_PIN)
    d = s.devices
    assert d.table.rowCount() == 1 and cell(d.table, 0, 0) == "BP 1"
    assert cell(d.table, 0, 7) != "—"  # last reading time, from the stored measurement
    assert cell(d.table, 0, 6) == "—"  # firmware unknown until the device is reached
    # Rename on the on-screen keyboard.
    d.table.selectRow(0)
    tap(d.rename_button)
    assert d.rename_field.text() == "BP 1"
    tap(d.rename_keyboard.keys["비우기 · Clear"])
    tap(d.rename_keyboard.keys["창가"])
    tap(d.rename_keyboard.keys["띄어쓰기 · Space"])
    tap(d.rename_keyboard.keys["1"])
    shot(s, "07_rename")
    tap(d.rename_save)
    kit.idle()
    assert d.views.currentWidget() is d.list_view
    assert cell(d.table, 0, 0) == "창가 1"
    entry = rt.allowlist.get(BP)
    assert entry is not None and entry.alias == "창가 1" and entry.label == "BP 1"
    # Test read: identity and firmware from the device.
    d.table.selectRow(0)
    tap(d.test_button)
    kit.idle()
    assert "OK: SIM-BP1" in d.message.text() and "1.0.0" in d.message.text()
    pump_until(lambda: cell(d.table, 0, 6) == "1.0.0", "the firmware column")
    assert cell(d.table, 0, 5) != "—"  # last seen: just now
    # The device goes away: the error and what to do about it.
    kit.air.remove(BP)
    d.table.selectRow(0)
    tap(d.test_button)
    kit.idle()
    assert "not found" in d.message.text()
    assert "Switch it on" in d.message.text()  # the device layer's advice
    pump_until(lambda: "Switch it on" in cell(d.table, 0, 8), "the error column")
    # Forget.
    d.table.selectRow(0)
    tap(d.forget_button)
    kit.idle()
    assert rt.allowlist.entries() == [] and d.table.rowCount() == 0
    actions = kit.actions()
    assert {"device_rename", "device_test", "device_forget"} <= set(actions)
    details = [e.detail for e in kit.staff.audit_log() if e.action == "device_test"]
    assert any("failed" in x for x in details) and any("ok model=SIM-BP1" in x for x in details)


def test_staff_role_is_refused_technician_actions(kit: Kit) -> None:
    from kiosk.device_admin import NearbyDevice
    from kiosk.staff import PermissionDeniedError

    rt = kit.runtime
    rt.allowlist.add(BP, profile_id="sig_bps", kind="blood_pressure", label="BP 1")
    enter_pin(kit, STAFF_PIN)
    session = kit.screen.session
    assert session is not None
    tap(kit.screen.nav["settings"])
    kit.idle()
    settings = kit.screen.settings
    assert not settings.save_button.isEnabled()
    assert all(not b.isEnabled() for bs in settings.controls.values() for b in bs)
    assert "Only a technician" in settings.role_note.text()
    device = NearbyDevice(BP, "x", -50, "blood_pressure", "sig_bps", "x", (), "none", False)
    refused: list[concurrent.futures.Future[Any]] = [
        rt.spawn(rt.device_admin.scan(session)),
        rt.spawn(rt.device_admin.pair(session, device)),
        rt.spawn(rt.device_admin.forget(session, BP)),
        rt.submit(rt.device_admin.rename, session, BP, "x"),
        rt.submit(rt.staff.change_settings, session, rt.settings, {"voice_volume": 10}),
        rt.submit(rt.staff.reset_lockout, session),
    ]
    for future in refused:
        with pytest.raises(PermissionDeniedError):
            future.result(10)
    assert rt.allowlist.get(BP) is not None and rt.settings.current.voice_volume == 70


# --- sync, export and audit ----------------------------------------------------------------
def test_sync_page_broker_retry_and_support_export_without_personal_data(
    qapp: QApplication,  # noqa: F811
    tmp_path: Path,
    mosquitto: PrivateMosquitto,
) -> None:
    k = Kit(tmp_path, broker_url=mosquitto.url)
    try:
        rt = k.runtime
        subject = "citizen-SECRETSUBJECTTOKEN0001"
        visit = "0f3a9c2e41d84b7a9e55c0de12ab7f3e"
        rt.store.start_visit(visit, "citizen_app", subject)
        for msg_id in ("msg-1", "msg-2"):
            rt.store.record_measurement(
                msg_id=msg_id,
                visit_id=visit,
                reading=_reading(),
                measured_at=datetime.now(UTC),
                category="normal",
                alert="none",
                sync_kind="bp",
                payload=b'{"x":1}',
            )
        rt.store.mark_rejected("msg-2", "schema: systolic missing")
        (usb := k.data_dir / "usb" / "STICK1").mkdir(parents=True)
        with MqttProbe(mosquitto.port, subscriptions=("gjhc/v1/kiosk/+/evt/alert",)) as probe:
            enter_pin(k, STAFF_PIN)
            alert = StaffAlert(visit, "msg-1", Alert.STAFF_NOW, "182/121 mmHg")
            pump_until(lambda: rt.admin_broker_state() == "connected", "the broker link")
            rt.call_soon(rt.visits.staff_alert.emit, alert)
            pump_until(lambda: bool(k.screen.alerts.open_ids), "the alert")
            k.idle()
            (alert_id,) = k.screen.alerts.open_ids
            k.screen.alerts.notes[alert_id].setText("PRIVATE NOTE Mr Kim")
            tap(k.screen.alerts.ack_buttons[alert_id])
            k.idle()
            pump_until(lambda: bool(probe.messages()), "the alert on the alert topic")
            body = json.loads(probe.messages()[0].payload)
            assert body["alert"] == "staff_now" and body["summary"] == "182/121 mmHg"
        s = k.screen
        tap(s.nav["sync"])
        k.idle()
        text_ = s.sync.summary.text()
        assert "Broker: connected" in text_ and "Queue depth: 1" in text_ and "Rejected: 1" in text_
        assert cell(s.sync.table, 0, 1) == "schema: systolic missing"
        assert len(s.sync.target_buttons) == 2 and s.sync.target_buttons[0].isChecked()
        shot(s, "08_sync")
        s.sync.table.selectRow(0)
        tap(s.sync.retry_button)
        k.idle()
        assert rt.store.outbox_counts().rejected == 0
        assert "Queue depth: 2" in s.sync.summary.text()
        # Export for support, to the USB stick.
        tap(s.sync.target_buttons[1])
        assert s.sync.target == usb
        tap(s.sync.export_button)
        k.idle()
        (zip_path,) = usb.glob("kiosk-support-kiosk-test-01-*.zip")
        assert str(zip_path) in s.sync.message.text()
        with zipfile.ZipFile(zip_path) as z:
            raw = z.read("support.json").decode()
        content = json.loads(raw)
        assert subject not in raw and visit not in raw
        for secret in ("7F3E", "PRIVATE NOTE", "Mr Kim", "front desk", "2468"):
            # Short ones as a token of their own: hashes and times in the export are made of
            # digits and hex too, so a bare substring test would fail by chance.
            token = rf"(?<![0-9A-Za-z]){re.escape(secret)}(?![0-9A-Za-z])"
            assert re.search(token, raw, flags=re.IGNORECASE) is None, secret
        assert content["kiosk_id"] == "kiosk-test-01"
        assert content["outbox"]["rejected"] == 0 and content["outbox"]["pending"] >= 0
        assert content["settings"]["inactivity_timeout_s"] == 180
        assert content["versions"]["bitgoeul-kiosk"]
        assert all(m["status"] == "ok" for m in content["models"].values())
        tail = [e["action"] for e in content["audit_tail"]]
        assert {"login", "alert_ack", "sync_retry"} <= set(tail)
        assert "label=<redacted>" in raw
        assert k.actions()[0] == "support_export"
        tap(s.nav["audit"])
        k.idle()
        assert s.audit.table.rowCount() >= 5
        assert cell(s.audit.table, 0, 2) == "support_export"
        shot(s, "10_audit")
    finally:
        k.close()


def test_export_refuses_a_folder_outside_the_data_dir(kit: Kit, tmp_path: Path) -> None:
    from kiosk.support import SupportExportError, write_export

    enter_pin(kit, STAFF_PIN)
    session = kit.screen.session
    assert session is not None
    with pytest.raises(SupportExportError):
        write_export(session, kit.staff, {"kiosk_id": "k"}, tmp_path, data_dir=kit.data_dir)
    assert not list(tmp_path.glob("*.zip"))


def test_today_page_counts(kit: Kit) -> None:
    store = kit.runtime.store
    store.start_visit("a" * 32, "guest", None)
    store.start_visit("b" * 32, "guest", None)
    store.record_measurement(
        msg_id="msg-t",
        visit_id="a" * 32,
        reading=_reading(),
        measured_at=datetime.now(UTC),
        category="normal",
        alert="none",
        sync_kind="bp",
        payload=b'{"x":1}',
    )
    store.end_visit("a" * 32)
    store.quarantine(
        characteristic="2a35",
        raw=b"\x00",
        error=ValueError("short frame"),
        visit_id="b" * 32,
        device_address=BP,
    )
    s = kit.screen
    enter_pin(kit, STAFF_PIN)
    tap(s.nav["today"])
    kit.idle()
    assert s.current_page() == "today"
    assert "Visitors: 2" in s.today.summary.text()
    assert "Average visit: 0.0 min" in s.today.summary.text()  # one ended, just now
    rows = {cell(s.today.table, r, 0): cell(s.today.table, r, 1) for r in range(2)}
    assert rows == {"측정 Measured: blood_pressure": "1", f"기기 오류 Device failures: {BP}": "1"}
    shot(s, "09_today")


# --- settings, from the visitor window ------------------------------------------------------
def test_corner_opens_admin_and_settings_apply_to_the_next_visit(
    qapp: QApplication,  # noqa: F811
    tmp_path: Path,
) -> None:
    k = Kit(tmp_path)
    k.screen.close()  # this test uses the window's own admin screen
    rt = k.runtime
    win: KioskWindow = build_kiosk_window(rt)
    try:
        admin = win.admin
        assert admin is not None
        k.screen = admin  # so Kit.idle() waits for the window's admin work
        win.resize(*SIZE)
        win.show()
        pump_until(win.isVisible, "the window")
        assert not admin.isVisible()
        win._admin_hold.setInterval(300)  # the real hold is 3 s
        central = win.centralWidget()
        assert central is not None
        # A tap in the corner, and a long press away from it, do not open it.
        QTest.mouseClick(central, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
        QTest.mousePress(central, Qt.MouseButton.LeftButton, pos=QPoint(600, 400))
        pump_for(0.6)
        QTest.mouseRelease(central, Qt.MouseButton.LeftButton, pos=QPoint(600, 400))
        assert not admin.isVisible()
        QTest.mousePress(central, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
        pump_until(admin.isVisible, "the admin screen", 5)
        QTest.mouseRelease(central, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
        assert admin.geometry() == win.rect()
        enter_pin(k, TECH_PIN)
        tap(admin.nav["settings"])
        k.idle()
        page = admin.settings
        fixed = {cell(page.table, r, 0): cell(page.table, r, 1) for r in range(4)}
        assert fixed["키오스크 ID · Kiosk id"] == "kiosk-test-01"
        assert fixed["브로커 · Broker"] == "설정 안 됨 · not configured"
        models = [cell(page.table, r, 1) for r in range(page.table.rowCount())]
        assert any(v.endswith("… ok") for v in models)  # loaded = hash verified
        assert page.table.editTriggers() == page.table.EditTrigger.NoEditTriggers
        # Below the floor: refused with the reason and what to choose.
        for _ in range(5):
            tap(page.controls["inactivity_timeout_s"][0])
        assert "30초" in page.value_labels["inactivity_timeout_s"].property("text")
        tap(page.save_button)
        k.idle()
        assert "Not saved" in page.message.text() and "from 60 to 900" in page.message.text()
        assert rt.settings.current.inactivity_timeout_s == 180
        # Valid: 60 s, English first, guests kept 12 h.
        tap(page.controls["inactivity_timeout_s"][1])
        tap(page.controls["language_default"][1])
        tap(page.controls["guest_retention_hours"][0])
        assert page.controls["language_default"][1].isChecked()
        old_guest = "c" * 32
        rt.store.start_visit(old_guest, "guest", None)
        rt.store.end_visit(old_guest)
        with rt.store.engine.begin() as c:  # ended 13 h ago
            c.execute(
                text("UPDATE visits SET ended_at = :t WHERE id = :v"),
                {"t": datetime.now(UTC) - timedelta(hours=13), "v": old_guest},
            )
        shot(admin, "11_settings")
        tap(page.save_button)
        k.idle()
        assert "Saved (3)" in page.message.text()
        # Persisted, audited with old -> new, applied.
        stored = SettingsStore(rt.store).current
        assert (stored.inactivity_timeout_s, stored.language_default) == (60, "en")
        assert stored.guest_retention_hours == 12
        changes = sorted(e.detail for e in k.staff.audit_log() if e.action == "settings_change")
        assert changes == [
            "guest_retention_hours: 24 -> 12",
            "inactivity_timeout_s: 180 -> 60",
            "language_default: ko -> en",
        ]
        assert all(e.role == "technician" for e in k.staff.audit_log()[:3])
        pump_until(lambda: _visits(rt) == set(), "the guest purge with the new retention")
        tap(admin.logout_button)
        k.idle()
        assert not admin.isVisible() and admin.session is None
        # The visit in progress keeps its language; the next visit starts in English with
        # the technician's idle time.
        assert win.state.language is Language.KO
        win._post(win.flow.reset)
        pump_until(lambda: win.state.language is Language.EN, "the next visit in English")
        assert win.flow.idle_after_s == 60.0
    finally:
        win.close()
        win.deleteLater()
        _Events.process()
        k.close()


def _visits(rt: KioskRuntime) -> set[str]:
    with rt.store.engine.connect() as c:
        return {row[0] for row in c.execute(text("SELECT id FROM visits"))}


# --- the chime -----------------------------------------------------------------------------
def test_chime_is_the_rendered_sound(tmp_path: Path) -> None:
    fresh = render_chime(tmp_path / "chime.wav")
    assert fresh.read_bytes() == CHIME.read_bytes(), "re-render: python -m ui.admin.sound"
    samples = chime_samples()
    assert 0.5 < len(samples) / 16_000 < 1.5  # short
    assert max(abs(x) for x in samples) < 32767 * 0.5  # not at full scale: a chime, not alarm


# --- touch targets -------------------------------------------------------------------------
def _gap_mm(a: QRect, b: QRect, px_per_mm: float) -> float:
    dx = max(b.left() - a.right() - 1, a.left() - b.right() - 1, 0)
    dy = max(b.top() - a.bottom() - 1, a.top() - b.bottom() - 1, 0)
    return max(dx, dy) / px_per_mm


def _check_targets(screen: AdminScreen, where: str) -> int:
    px_per_mm = Theme().metrics.px_per_mm
    # Everything fits the panel it was sized to: nothing pushes the screen past its edge.
    need = screen.minimumSizeHint()
    assert need.width() <= screen.width() and need.height() <= screen.height(), (where, need)
    buttons = [b for b in screen.findChildren(QPushButton) if b.isVisibleTo(screen)]
    rects = {b: QRect(b.mapTo(screen, b.rect().topLeft()), b.size()) for b in buttons}
    for b, r in rects.items():
        short_mm = min(r.width(), r.height()) / px_per_mm
        area_mm2 = r.width() * r.height() / px_per_mm**2
        assert short_mm >= 12 and area_mm2 >= 150, (where, b.objectName(), short_mm)
        # Staff must read every word: no button squeezed below the width its text and padding
        # need (the style's size hint), which is where labels get cut off.
        need = b.sizeHint().width()
        assert r.width() >= need - 1, (where, b.objectName(), b.text(), need, r.width())
    for (a, ra), (b, rb) in itertools.combinations(rects.items(), 2):
        gap = _gap_mm(ra, rb, px_per_mm)
        assert gap >= 2.5, (where, a.objectName(), b.objectName(), gap)
    return len(rects)


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)], ids=["landscape", "portrait"])
def test_every_admin_view_meets_the_touch_target_rules(kit: Kit, size: tuple[int, int]) -> None:
    s = kit.screen
    s.resize(*size)
    kit.idle()
    assert _check_targets(s, "pin pad") >= 13
    for _ in range(MAX_FAILURES):
        enter_pin(kit, "0000")
    assert _check_targets(s, "locked pin pad") >= 3  # unlock and close
    tap(s.pin_pad.unlock)
    enter_pin(kit, TECH_PIN)
    alert = StaffAlert("b" * 32, "m-9", Alert.STAFF_NOW, "182/121 mmHg")
    kit.runtime.call_soon(kit.runtime.visits.staff_alert.emit, alert)
    pump_until(lambda: bool(s.alerts.open_ids), "the alert")
    kit.idle()
    assert _check_targets(s, "alerts with keyboard") > 50
    (kit.data_dir / "usb" / "STICK1").mkdir(parents=True)
    for page in ("devices", "sync", "today", "audit", "settings"):
        tap(s.nav[page])
        kit.idle()
        assert _check_targets(s, page) >= 7
    tap(s.nav["devices"])
    kit.idle()
    tap(s.devices.add_button)
    kit.idle()
    s.devices.nearby_table.selectRow(0)
    kit.idle()
    _check_targets(s, "pairing")
    tap(s.devices.pair_button)
    kit.idle()
    s.devices.table.selectRow(0)
    tap(s.devices.rename_button)
    kit.idle()
    assert _check_targets(s, "rename with keyboard") > 40
