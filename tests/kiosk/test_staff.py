"""Staff entry and records on a real SQLite store: KDF, lockout growth, roles, timeout, alerts,
audit. Time is a hand-moved clock so lock lengths are checked exactly, without sleeping."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from kiosk.scoring.bp import Alert
from kiosk.session import StaffAlert
from kiosk.staff import (
    MAX_FAILURES,
    AdminSession,
    InvalidPinError,
    PermissionDeniedError,
    PinLockedError,
    Role,
    StaffError,
    StaffService,
    WrongPinError,
    hash_pin,
    lockout_delay,
    verify_pin,
)
from kiosk.staff import Permission as P
from kiosk.store import Store


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@pytest.fixture
def store(tmp_data_dir: Path) -> Iterator[Store]:
    s = Store.open(tmp_data_dir / "kiosk.db")
    yield s
    s.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def staff(store: Store, clock: Clock) -> StaffService:
    service = StaffService(store, clock=clock)
    service.add_pin("2468", role=Role.STAFF, label="front desk")
    service.add_pin("13579", role=Role.TECHNICIAN, label="tech")
    return service


def test_migration_creates_staff_tables(store: Store) -> None:
    tables = set(inspect(store.engine).get_table_names())
    assert {"staff_pins", "staff_lockout", "staff_alerts", "audit_events"} <= tables


def assert_only_salt_and_key(stored: str, pin: str) -> None:
    """The stored form is exactly scheme, cost, a random salt and the scrypt key of the PIN:
    nothing else, so no field can carry the PIN. (Looking for the PIN's digits in the hex
    would fail by chance now and then: hex is made of digits.)"""
    scheme, n, r, p, salt_hex, key_hex = stored.split("$")
    assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1")
    salt, key = bytes.fromhex(salt_hex), bytes.fromhex(key_hex)
    assert (len(salt), len(key)) == (16, 32)
    assert key == hashlib.scrypt(pin.encode(), salt=salt, n=16384, r=8, p=1, dklen=32)


def test_pin_hash_is_salted_scrypt_and_verifies() -> None:
    a, b = hash_pin("2468"), hash_pin("2468")
    assert a != b  # fresh salt each time
    assert a.startswith("scrypt$16384$8$1$")
    assert_only_salt_and_key(a, "2468")
    assert verify_pin("2468", a) and verify_pin("2468", b)
    assert not verify_pin("2469", a)
    assert not verify_pin("2468", "bcrypt$whatever")
    assert not verify_pin("2468", "scrypt$16384$8$1$zz$00")


def test_pin_hash_is_slow_enough() -> None:
    # The documented cost must actually cost: at least 5 ms per try on any machine we run on.
    start = time.perf_counter()
    hash_pin("2468")
    took = time.perf_counter() - start
    assert took > 0.005, took


def test_stored_pin_is_only_a_hash(staff: StaffService, store: Store) -> None:
    with store.engine.connect() as c:
        hashes = [r[0] for r in c.execute(text("SELECT pin_hash FROM staff_pins"))]
    assert len(hashes) == 2
    by_pin = sorted(hashes, key=lambda h: verify_pin("2468", h))  # the technician's first
    for stored, pin in zip(by_pin, ["13579", "2468"], strict=True):
        assert_only_salt_and_key(stored, pin)


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", "", "١٢٣٤"])
def test_bad_pins_are_refused(staff: StaffService, pin: str) -> None:
    with pytest.raises(InvalidPinError):
        staff.add_pin(pin, role=Role.STAFF, label=f"x{pin}")


def test_duplicate_label_is_a_staff_error(staff: StaffService) -> None:
    with pytest.raises(StaffError, match="exists"):
        staff.add_pin("9999", role=Role.STAFF, label="front desk")


def test_login_gives_role(staff: StaffService) -> None:
    assert staff.login("2468").role is Role.STAFF
    assert staff.login("13579").role is Role.TECHNICIAN


def test_lockout_after_five_and_growing(staff: StaffService, clock: Clock) -> None:
    for left in range(MAX_FAILURES - 1, 0, -1):
        with pytest.raises(WrongPinError) as wrong:
            staff.login("0000")
        assert wrong.value.attempts_left == left
    with pytest.raises(PinLockedError) as locked:
        staff.login("0000")
    assert locked.value.retry_after_s == 30
    # While locked even the right PIN is refused.
    clock.advance(seconds=29)
    with pytest.raises(PinLockedError):
        staff.login("2468")
    clock.advance(seconds=1)
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(WrongPinError):
            staff.login("1111")
    with pytest.raises(PinLockedError) as locked:
        staff.login("1111")
    assert locked.value.retry_after_s == 60
    clock.advance(seconds=60)
    assert staff.login("2468").role is Role.STAFF
    # A good login restarts the growth.
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(WrongPinError):
            staff.login("1111")
    with pytest.raises(PinLockedError) as locked:
        staff.login("1111")
    assert locked.value.retry_after_s == 30


def test_lockout_survives_restart(store: Store, staff: StaffService, clock: Clock) -> None:
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(WrongPinError):
            staff.login("0000")
    with pytest.raises(PinLockedError):
        staff.login("0000")
    fresh = StaffService(store, clock=clock)
    with pytest.raises(PinLockedError):
        fresh.login("2468")
    assert fresh.locked_until() == clock.now + timedelta(seconds=30)


def test_success_resets_the_failure_count(staff: StaffService) -> None:
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(WrongPinError):
            staff.login("0000")
    staff.login("2468")
    with pytest.raises(WrongPinError) as wrong:
        staff.login("0000")
    assert wrong.value.attempts_left == MAX_FAILURES - 1


def test_lockout_delay_doubles_and_caps() -> None:
    assert [lockout_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert lockout_delay(50) == timedelta(hours=1)


def test_roles(staff: StaffService) -> None:
    s, t = staff.login("2468"), staff.login("13579")
    assert s.can(P.ACK_ALERT) and s.can(P.RETRY_SYNC) and s.can(P.VIEW)
    for p in (P.PAIR_DEVICE, P.FORGET_DEVICE, P.CHANGE_SETTINGS):
        assert not s.can(p) and t.can(p)
        with pytest.raises(PermissionDeniedError) as denied:
            staff.check(s, p)
        assert denied.value.permission is p and denied.value.advice
    staff.check(t, P.PAIR_DEVICE)


def test_session_timeout(staff: StaffService, clock: Clock) -> None:
    session = staff.login("2468")
    assert isinstance(session, AdminSession)
    clock.advance(seconds=staff.timeout.total_seconds() - 1)
    assert not session.expired(clock())
    session.touch(clock())
    clock.advance(seconds=staff.timeout.total_seconds() - 1)
    assert not session.expired(clock())
    clock.advance(seconds=1)
    assert session.expired(clock())


def _alert(measurement: str = "m1", visit: str = "0f3a9c2e41d84b7a9e55c0de12ab7f3e") -> StaffAlert:
    return StaffAlert(
        visit_id=visit, measurement_id=measurement, alert=Alert.STAFF_NOW, summary="182/121 mmHg"
    )


def test_alert_log_alias_ack_and_order(staff: StaffService, clock: Clock) -> None:
    first = staff.record_alert(_alert("m1"))
    assert staff.record_alert(_alert("m1")).id == first.id  # idempotent per measurement
    clock.advance(seconds=5)
    second = staff.record_alert(_alert("m2", visit="aaaabbbbccccddddeeeeffff00001234"))
    assert first.visit_alias == "7F3E" and second.visit_alias == "1234"
    assert [a.id for a in staff.alerts(open_only=True)] == [first.id, second.id]

    session = staff.login("2468")
    with pytest.raises(StaffError, match="note"):
        staff.acknowledge(session, first.id, "   ")
    clock.advance(seconds=10)
    done = staff.acknowledge(session, first.id, "nurse called, re-measured")
    assert done.acknowledged_at == clock.now and done.ack_role == "staff"
    assert done.ack_note == "nurse called, re-measured"
    with pytest.raises(StaffError, match="already"):
        staff.acknowledge(session, first.id, "again")
    # Open ones stay on top.
    assert [a.id for a in staff.alerts()] == [second.id, first.id]
    assert [a.id for a in staff.alerts(open_only=True)] == [second.id]


def test_audit_log_records_admin_actions(staff: StaffService) -> None:
    with pytest.raises(WrongPinError):
        staff.login("0000")
    session = staff.login("13579")
    alert = staff.record_alert(_alert())
    staff.acknowledge(session, alert.id, "seen")
    staff.logout(session, reason="timeout")
    log = staff.audit_log()
    actions = [e.action for e in reversed(log)]
    assert actions == ["pin_added", "pin_added", "pin_failed", "login", "alert_ack", "logout"]
    assert log[0].role == "technician" and log[0].detail == "reason=timeout"
    assert log[3].action == "pin_failed" and log[3].role is None  # a failed PIN has no role
    # Nothing personal: no PIN digits and no full visit id in the log.
    blob = " ".join(e.detail for e in log)
    assert "13579" not in blob and "0f3a9c2e" not in blob


def test_cli_add_pin_and_audit_export(
    tmp_data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io
    import json

    from kiosk.cli import main

    db = tmp_data_dir / "kiosk.db"
    Store.open(db).close()
    base = ["staff", "add-pin", "--db", str(db), "--pin-stdin"]
    monkeypatch.setattr("sys.stdin", io.StringIO("13579\n"))
    assert main([*base, "--role", "technician", "--label", "tech"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("12\n"))
    assert main([*base, "--label", "short"]) == 1
    err = capsys.readouterr().err
    assert "4 to 8 digits" in err and "advice:" in err
    store = Store.open(db)
    try:
        assert StaffService(store).login("13579").role is Role.TECHNICIAN
    finally:
        store.close()
    out = tmp_data_dir / "audit.jsonl"
    assert main(["audit", "export", "--db", str(db), "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["action"] for r in rows] == ["pin_added", "login"]
    assert rows[1]["role"] == "technician" and "13579" not in out.read_text()


def test_runtime_keeps_visit_manager_alerts_in_the_log(tmp_path: Path) -> None:
    from kiosk.runtime import KioskConfig, KioskRuntime

    runtime = KioskRuntime(KioskConfig(kiosk_id="kiosk-test-01", data_dir=tmp_path))
    try:
        runtime.visits.staff_alert.emit(_alert("m-rt"))  # what VisitManager emits on a crisis
        (entry,) = runtime.staff.alerts(open_only=True)
        assert entry.measurement_id == "m-rt" and entry.visit_alias == "7F3E"
    finally:
        runtime.stop()


def test_settings_rows_hide_secrets_and_check_cert_files(tmp_path: Path) -> None:
    from kiosk.runtime import KioskConfig
    from kiosk.scoring.service import ScoringService
    from kiosk.staff import settings_rows
    from kiosk.sync.publisher import PublisherSettings

    ca = tmp_path / "ca.pem"
    ca.write_text("not a real cert; only its presence is checked\n")
    config = KioskConfig(
        kiosk_id="kiosk-test-01",
        data_dir=tmp_path,
        broker_url="mqtts://kiosk:s3cret@broker.example:8883",
        publisher=PublisherSettings(tls_ca=str(ca), tls_key=str(tmp_path / "gone.key")),
    )
    rows = dict(settings_rows(config, ScoringService.load()))
    assert rows["브로커 · Broker"] == "mqtts://broker.example:8883"
    assert "s3cret" not in " ".join(rows.values())
    assert rows["CA 인증서 · CA certificate"] == "있음 · present"
    assert rows["키오스크 개인키 · Client key"].startswith("없음 · MISSING")
    assert rows["키오스크 인증서 · Client certificate"] == "설정 안 됨 · not set"


# --- technician actions (issue 8, second cut) ----------------------------------------------
def _lock(staff: StaffService) -> None:
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(WrongPinError):
            staff.login("0000")
    with pytest.raises(PinLockedError):
        staff.login("0000")


def test_technician_unlock_one_try_per_lock(staff: StaffService, clock: Clock) -> None:
    _lock(staff)
    first_until = staff.locked_until()
    assert first_until == clock.now + timedelta(seconds=30)
    with pytest.raises(PinLockedError):
        staff.login("13579")  # the normal pad stays shut, even for a technician
    # A staff PIN is no technician PIN: the lock grows and this lock's one try is used.
    with pytest.raises(PinLockedError) as grown:
        staff.technician_unlock("2468")
    assert grown.value.until == clock.now + timedelta(seconds=60)
    with pytest.raises(PinLockedError):
        staff.technician_unlock("13579")  # right PIN, but no second try in this lock
    clock.advance(seconds=61)
    assert staff.login("2468").role is Role.STAFF  # the lock ended on its own
    _lock(staff)
    session = staff.technician_unlock("13579")
    assert session.role is Role.TECHNICIAN and staff.locked_until() is None
    assert staff.lockout_state() == (0, None)
    log = staff.audit_log()
    assert [e.action for e in log[:2]] == ["login", "lockout_reset"]
    assert log[1].role == "technician" and log[1].detail == "via=pin pad"
    with pytest.raises(StaffError, match="not locked"):
        staff.technician_unlock("13579")


def test_reset_lockout_is_for_technicians_and_audited(staff: StaffService) -> None:
    s, t = staff.login("2468"), staff.login("13579")
    with pytest.raises(WrongPinError):
        staff.login("0000")
    with pytest.raises(PermissionDeniedError):
        staff.reset_lockout(s)
    assert staff.lockout_state()[0] == 1
    assert staff.reset_lockout(t) is True
    assert staff.lockout_state() == (0, None)
    assert staff.audit_log()[0].action == "lockout_reset"
    assert staff.audit_log()[0].detail == "via=screen cleared=true"
    assert staff.console_reset_lockout() is False  # nothing left to clear
    assert staff.audit_log()[0].detail == "via=console cleared=false"


def test_change_settings_validates_audits_old_and_new(staff: StaffService, store: Store) -> None:
    from kiosk.settings import SettingsError, SettingsStore

    settings = SettingsStore(store)
    s, t = staff.login("2468"), staff.login("13579")
    with pytest.raises(PermissionDeniedError):
        staff.change_settings(s, settings, {"voice_volume": 30})
    with pytest.raises(SettingsError) as bad:
        staff.change_settings(t, settings, {"inactivity_timeout_s": 30, "voice_volume": 30})
    assert bad.value.field == "inactivity_timeout_s" and "60 to 900" in bad.value.advice
    assert settings.current.voice_volume == 70  # nothing of a refused change is kept
    before = len(staff.audit_log())
    new = staff.change_settings(t, settings, {"voice_volume": 30, "language_default": "ko"})
    assert new.voice_volume == 30
    log = staff.audit_log()
    assert len(log) == before + 1  # the unchanged language is not audited
    assert (log[0].action, log[0].role, log[0].detail) == (
        "settings_change",
        "technician",
        "voice_volume: 70 -> 30",
    )
    assert SettingsStore(store).current.voice_volume == 30  # persisted


def test_demo_pins_only_on_an_empty_kiosk(store: Store) -> None:
    from kiosk.staff import DEMO_PINS

    fresh = StaffService(store)
    assert fresh.seed_demo_pins() == DEMO_PINS
    assert fresh.login(DEMO_PINS[Role.STAFF]).role is Role.STAFF
    assert fresh.login(DEMO_PINS[Role.TECHNICIAN]).role is Role.TECHNICIAN
    assert fresh.seed_demo_pins() == DEMO_PINS  # a kept demo dir: still only the demo's PINs
    fresh.add_pin("555555", role=Role.STAFF, label="front desk")
    assert fresh.seed_demo_pins() == {}  # a real PIN exists: never advertise any


def test_real_kiosk_gets_no_demo_pins(staff: StaffService) -> None:
    assert staff.seed_demo_pins() == {}
    with pytest.raises(WrongPinError):
        staff.login("1234")


def test_cli_reset_lockout_and_settings(
    tmp_data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from kiosk.cli import main

    db = tmp_data_dir / "kiosk.db"
    store = Store.open(db)
    try:
        _lock(StaffService(store))
    finally:
        store.close()
    assert main(["staff", "reset-lockout", "--db", str(db)]) == 0
    assert "cleared" in capsys.readouterr().out
    assert main(["settings", "set", "--db", str(db), "voice_volume=40", "language_default=en"]) == 0
    capsys.readouterr()
    assert main(["settings", "set", "--db", str(db), "inactivity_timeout_s=5"]) == 1
    assert "60 to 900" in capsys.readouterr().err
    assert main(["settings", "set", "--db", str(db), "voice_enabled=maybe"]) == 1
    capsys.readouterr()
    assert main(["settings", "show", "--db", str(db), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["voice_volume"] == 40 and shown["language_default"] == "en"
    assert shown["inactivity_timeout_s"] == 180
    store = Store.open(db)
    try:
        staff = StaffService(store)
        assert staff.locked_until() is None
        log = staff.audit_log()
    finally:
        store.close()
    changes = sorted(e.detail for e in log if e.action == "settings_change")
    assert changes == ["language_default: ko -> en", "voice_volume: 70 -> 40"]
    assert all(e.role == "technician" for e in log if e.action == "settings_change")
    assert any(e.action == "lockout_reset" and e.detail.startswith("via=console") for e in log)
