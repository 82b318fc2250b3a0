"""Staff entry and the staff-side records (issue 8), Qt-free.

* PINs are stored as scrypt hashes (N=2**14, r=8, p=1, 16-byte random salt, 32-byte key): about
  16 MiB and some tens of milliseconds per try, so a stolen kiosk.db cannot be brute-forced over
  the 10**4..10**8 PIN space in seconds, while one login stays instant for staff.
* Five wrong PINs in a row lock entry for 30 s, doubling with each further lockout (cap 1 h).
  The counters live in the database, so restarting the kiosk does not reset them. During a
  lock one technician PIN may be tried (a wrong one grows the lock); the console can clear it.
* Roles: staff (see everything, acknowledge alerts, retry sync, test-read devices, export for
  support) and technician (also pair, rename and forget devices, change settings, clear the
  lock). Settings changes are audited with old -> new.
* An admin session ends after ``timeout`` without a touch.
* The alert log keeps crisis readings by visit alias (last 4 of the visit id) until a person
  acknowledges them with a note. Every admin action goes to the append-only audit log.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk.errors import KioskError, StorageError
from kiosk.session import StaffAlert
from kiosk.settings import KioskSettings, SettingsStore
from kiosk.store import Store
from kiosk.store.db import transaction
from kiosk.store.staff_models import AuditEvent, StaffAlertRow, StaffLockout, StaffPin

if TYPE_CHECKING:
    from kiosk.runtime import KioskConfig
    from kiosk.scoring.service import ScoringService

__all__ = [
    "DEMO_PINS",
    "MAX_FAILURES",
    "AdminSession",
    "AlertEntry",
    "AuditEntry",
    "Permission",
    "PermissionDeniedError",
    "PinLockedError",
    "Role",
    "StaffError",
    "StaffService",
    "WrongPinError",
    "broker_address",
    "hash_pin",
    "lockout_delay",
    "settings_rows",
    "verify_pin",
    "visit_alias",
]

SCRYPT_N, SCRYPT_R, SCRYPT_P, SALT_BYTES, KEY_BYTES = 2**14, 8, 1, 16, 32
MAX_FAILURES = 5
BASE_LOCK = timedelta(seconds=30)
MAX_LOCK = timedelta(hours=1)
DEFAULT_TIMEOUT = timedelta(minutes=3)


class Role(enum.StrEnum):
    STAFF = "staff"
    TECHNICIAN = "technician"


class Permission(enum.StrEnum):
    VIEW = "view"
    ACK_ALERT = "ack_alert"
    RETRY_SYNC = "retry_sync"
    TEST_DEVICE = "test_device"
    EXPORT_SUPPORT = "export_support"
    PAIR_DEVICE = "pair_device"
    RENAME_DEVICE = "rename_device"
    FORGET_DEVICE = "forget_device"
    CHANGE_SETTINGS = "change_settings"
    RESET_LOCKOUT = "reset_lockout"


_GRANTS = {
    Role.STAFF: frozenset(
        {
            Permission.VIEW,
            Permission.ACK_ALERT,
            Permission.RETRY_SYNC,
            Permission.TEST_DEVICE,
            Permission.EXPORT_SUPPORT,
        }
    ),
    Role.TECHNICIAN: frozenset(Permission),
}
# Shown in the demo strip and README; seeded only by the demo stack (kiosk/demo.py).
DEMO_PINS = {Role.STAFF: "1234", Role.TECHNICIAN: "9876"}


class StaffError(KioskError):
    advice = "Ask the centre's technician."


class InvalidPinError(StaffError):
    advice = "A PIN is 4 to 8 digits."


class WrongPinError(StaffError):
    advice = "Check the PIN and try again; after 5 wrong tries entry is locked for a while."

    def __init__(self, attempts_left: int) -> None:
        super().__init__(f"wrong PIN ({attempts_left} tries left before lockout)")
        self.attempts_left = attempts_left


class PinLockedError(StaffError):
    advice = "Wait until the lock ends; if nobody knows the PIN, a technician sets a new one."

    def __init__(self, until: datetime, now: datetime) -> None:
        self.until = until
        self.retry_after_s = max(0.0, (until - now).total_seconds())
        super().__init__(f"staff entry locked for {self.retry_after_s:.0f} s more")


class PermissionDeniedError(StaffError):
    advice = "This needs a technician PIN."

    def __init__(self, role: Role, permission: Permission) -> None:
        super().__init__(f"role {role} may not {permission}")
        self.role = role
        self.permission = permission


def hash_pin(pin: str, *, salt: bytes | None = None) -> str:
    """``scrypt$N$r$p$salt$key`` (hex); the parameters travel with the hash so they can grow."""
    salt = secrets.token_bytes(SALT_BYTES) if salt is None else salt
    key = hashlib.scrypt(
        pin.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=KEY_BYTES
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${key.hex()}"


def verify_pin(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        want = bytes.fromhex(key)
        got = hashlib.scrypt(
            pin.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=len(want)
        )
    except ValueError:
        return False
    return hmac.compare_digest(got, want)


def lockout_delay(lockouts: int) -> timedelta:
    """Lock length for the ``lockouts``-th lockout (1-based): 30 s, 60 s, 120 s … capped."""
    return min(BASE_LOCK * (1 << min(max(0, lockouts - 1), 16)), MAX_LOCK)


def visit_alias(visit_id: str) -> str:
    """What staff see instead of a person: the last 4 characters of the visit id."""
    return visit_id[-4:].upper()


@dataclass
class AdminSession:
    role: Role
    label: str
    started_at: datetime
    last_activity: datetime
    timeout: timedelta

    def expired(self, now: datetime) -> bool:
        return now - self.last_activity >= self.timeout

    def touch(self, now: datetime) -> None:
        self.last_activity = now

    def can(self, permission: Permission) -> bool:
        return permission in _GRANTS[self.role]


@dataclass(frozen=True, slots=True)
class AlertEntry:
    id: int
    measurement_id: str
    visit_alias: str
    alert: str
    summary: str
    raised_at: datetime
    acknowledged_at: datetime | None
    ack_role: str | None
    ack_note: str | None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    role: str | None
    action: str
    detail: str


def _alert(row: StaffAlertRow) -> AlertEntry:
    return AlertEntry(
        row.id,
        row.measurement_id,
        row.visit_alias,
        row.alert,
        row.summary,
        row.raised_at,
        row.acknowledged_at,
        row.ack_role,
        row.ack_note,
    )


class StaffService:
    def __init__(
        self,
        store: Store,
        *,
        timeout: timedelta = DEFAULT_TIMEOUT,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._engine = store.engine
        self.timeout = timeout
        self._clock = clock

    def _tx(self) -> AbstractContextManager[Session]:
        return transaction(self._engine, "staff store")

    # --- PINs and entry -------------------------------------------------------------------
    def add_pin(self, pin: str, *, role: Role, label: str) -> None:
        if not (pin.isdigit() and pin.isascii() and 4 <= len(pin) <= 8):
            raise InvalidPinError("a PIN must be 4 to 8 digits")
        if not label.strip():
            raise StaffError("a PIN needs a label", advice="Use e.g. 'front desk', not a name.")
        try:
            with self._tx() as s:
                s.add(
                    StaffPin(
                        label=label.strip(),
                        role=role.value,
                        pin_hash=hash_pin(pin),
                        created_at=self._clock(),
                    )
                )
        except StorageError as exc:
            if isinstance(exc.__cause__, IntegrityError):
                raise StaffError(
                    f"a PIN labelled {label!r} exists", advice="Pick another label."
                ) from exc
            raise
        self.audit("pin_added", None, f"label={label.strip()} role={role.value}")

    def has_pins(self) -> bool:
        with self._tx() as s:
            return s.scalars(select(StaffPin.id).limit(1)).first() is not None

    def _lockout(self, s: Session) -> StaffLockout:
        row = s.get(StaffLockout, 1)
        if row is None:
            row = StaffLockout(id=1, failures=0, lockouts=0, locked_until=None)
            s.add(row)
        return row

    def locked_until(self) -> datetime | None:
        now = self._clock()
        with self._tx() as s:
            until = self._lockout(s).locked_until
        return until if until is not None and until > now else None

    def login(self, pin: str) -> AdminSession:
        """A session for the matching PIN, else WrongPinError / PinLockedError (both audited)."""
        now = self._clock()
        with self._tx() as s:
            lock = self._lockout(s)
            if lock.locked_until is not None and lock.locked_until > now:
                raise PinLockedError(lock.locked_until, now)
            match = next(
                (p for p in s.scalars(select(StaffPin)) if verify_pin(pin, p.pin_hash)), None
            )
            if match is not None:
                # Someone who knows a PIN got in: start the growing delay from 30 s again,
                # or months of stray taps would end at a 1 h lock for the next guesser-free day.
                lock.failures = 0
                lock.lockouts = 0
                lock.locked_until = None
                role, label = Role(match.role), match.label
            else:
                lock.failures += 1
                left = MAX_FAILURES - lock.failures
                if left <= 0:
                    lock.lockouts += 1
                    lock.failures = 0
                    lock.locked_until = now + lockout_delay(lock.lockouts)
                until = lock.locked_until
        if match is None:
            self.audit("pin_failed", None, f"attempts_left={max(left, 0)}")
            if left <= 0 and until is not None:
                self.audit("pin_lockout", None, f"until={until.isoformat()}")
                raise PinLockedError(until, now)
            raise WrongPinError(left)
        self.audit("login", role, f"label={label}")
        return AdminSession(role, label, now, now, self.timeout)

    def check(self, session: AdminSession, permission: Permission) -> None:
        if not session.can(permission):
            raise PermissionDeniedError(session.role, permission)

    def logout(self, session: AdminSession, *, reason: str = "user") -> None:
        self.audit("logout", session.role, f"reason={reason}")

    def lockout_state(self) -> tuple[int, datetime | None]:
        """(wrong PINs since the last success or lock, lock end if locked now)."""
        now = self._clock()
        with self._tx() as s:
            lock = self._lockout(s)
            failures, until = lock.failures, lock.locked_until
        return failures, (until if until is not None and until > now else None)

    def reset_lockout(self, session: AdminSession, *, via: str = "screen") -> bool:
        """Clear the PIN lock, the wrong-PIN count and the growing delay; technician only.
        Returns whether anything was cleared."""
        self.check(session, Permission.RESET_LOCKOUT)
        session.touch(self._clock())
        return self._clear_lockout(session.role, via)

    def console_reset_lockout(self) -> bool:
        """``kiosk staff reset-lockout``: whoever has the kiosk's console is its technician."""
        return self._clear_lockout(Role.TECHNICIAN, "console")

    def _clear_lockout(self, role: Role, via: str) -> bool:
        with self._tx() as s:
            lock = self._lockout(s)
            was = lock.failures > 0 or lock.lockouts > 0 or lock.locked_until is not None
            lock.failures, lock.lockouts, lock.locked_until = 0, 0, None
        self.audit("lockout_reset", role, f"via={via} cleared={str(was).lower()}")
        return was

    def technician_unlock(self, pin: str) -> AdminSession:
        """While entry is locked, one technician PIN try per lock: right, the lock is cleared
        and the technician is in; wrong (or a staff PIN), the lock grows and the next try
        waits for it to end. A guesser gains one try per lock, never a way around it."""
        now = self._clock()
        with self._tx() as s:
            lock = self._lockout(s)
            until = lock.locked_until
            if until is None or until <= now:
                raise StaffError("entry is not locked", advice="Enter the PIN as usual.")
            if lock.failures > 0:  # this lock's one try is used
                raise PinLockedError(until, now)
            match = next(
                (
                    p
                    for p in s.scalars(select(StaffPin).where(StaffPin.role == Role.TECHNICIAN))
                    if verify_pin(pin, p.pin_hash)
                ),
                None,
            )
            if match is None:
                lock.failures = 1
                lock.lockouts += 1
                lock.locked_until = until = now + lockout_delay(lock.lockouts)
            else:
                lock.failures, lock.lockouts, lock.locked_until = 0, 0, None
                label = match.label
        if match is None:
            self.audit("pin_failed", None, "technician unlock")
            self.audit("pin_lockout", None, f"until={until.isoformat()}")
            raise PinLockedError(until, now)
        self.audit("lockout_reset", Role.TECHNICIAN, "via=pin pad")
        self.audit("login", Role.TECHNICIAN, f"label={label}")
        return AdminSession(Role.TECHNICIAN, label, now, now, self.timeout)

    def seed_demo_pins(self) -> dict[Role, str]:
        """Seed the demo's PINs (``DEMO_PINS``) when the kiosk has none; returns them while
        they are the only PINs (a kept demo data dir), else {}. Only the demo stack calls
        this: a real kiosk gets its PINs from ``kiosk staff add-pin``."""
        demo_labels = {f"demo {role.value}" for role in DEMO_PINS}
        with self._tx() as s:
            labels = set(s.scalars(select(StaffPin.label)))
        if labels:
            return dict(DEMO_PINS) if labels == demo_labels else {}
        for role, pin in DEMO_PINS.items():
            self.add_pin(pin, role=role, label=f"demo {role.value}")
        return dict(DEMO_PINS)

    def change_settings(
        self, session: AdminSession, settings: SettingsStore, changes: Mapping[str, object]
    ) -> KioskSettings:
        """Validate and save ``changes`` (technician only); one audit event per changed value
        with old → new. Unchanged values are neither saved nor audited."""
        self.check(session, Permission.CHANGE_SETTINGS)
        before = settings.current
        changed = {k: v for k, v in changes.items() if getattr(before, k, object()) != v}
        if not changed:
            return before
        after = settings.update(changed, changed_by=session.role.value)
        session.touch(self._clock())
        for key in sorted(changed):
            old, new = getattr(before, key), getattr(after, key)
            self.audit("settings_change", session.role, f"{key}: {old} -> {new}")
        return after

    # --- alerts ---------------------------------------------------------------------------
    def record_alert(self, alert: StaffAlert) -> AlertEntry:
        """Keep a staff alert until acknowledged; idempotent per measurement."""
        with self._tx() as s:
            row = s.scalars(
                select(StaffAlertRow).where(StaffAlertRow.measurement_id == alert.measurement_id)
            ).first()
            if row is None:
                row = StaffAlertRow(
                    measurement_id=alert.measurement_id,
                    visit_alias=visit_alias(alert.visit_id),
                    alert=str(alert.alert.value),
                    summary=alert.summary,
                    raised_at=self._clock(),
                )
                s.add(row)
                s.flush()
            return _alert(row)

    def alerts(self, *, open_only: bool = False) -> list[AlertEntry]:
        """Unacknowledged first (oldest first: the one waiting longest), then the rest, newest."""
        with self._tx() as s:
            rows = [_alert(r) for r in s.scalars(select(StaffAlertRow))]
        open_ = sorted((a for a in rows if a.acknowledged_at is None), key=lambda a: a.id)
        if open_only:
            return open_
        done = sorted((a for a in rows if a.acknowledged_at is not None), key=lambda a: -a.id)
        return open_ + done

    def acknowledge(self, session: AdminSession, alert_id: int, note: str) -> AlertEntry:
        self.check(session, Permission.ACK_ALERT)
        note = note.strip()
        if not note:
            raise StaffError(
                "an acknowledgement needs a note",
                advice="Write what was done, e.g. 'nurse called'.",
            )
        now = self._clock()
        with self._tx() as s:
            row = s.get(StaffAlertRow, alert_id)
            if row is None:
                raise StaffError(f"no alert {alert_id}")
            if row.acknowledged_at is not None:
                raise StaffError(f"alert {alert_id} is already acknowledged")
            row.acknowledged_at, row.ack_role, row.ack_note = now, session.role.value, note[:500]
            entry = _alert(row)
        session.touch(now)
        self.audit("alert_ack", session.role, f"alert={alert_id} visit={entry.visit_alias}")
        return entry

    # --- sync -----------------------------------------------------------------------------
    def retry_sync(self, session: AdminSession, store: Store, msg_id: str) -> bool:
        """Queue a rejected result again (after staff fixed the cause); audited."""
        self.check(session, Permission.RETRY_SYNC)
        ok = store.retry_rejected(msg_id)
        if ok:
            self.audit("sync_retry", session.role, f"msg_id={msg_id}")
        return ok

    # --- audit ----------------------------------------------------------------------------
    def audit(self, action: str, role: Role | None, detail: str = "") -> None:
        """Append one event. There is no update or delete: the log is not editable."""
        with self._tx() as s:
            s.add(
                AuditEvent(
                    at=self._clock(),
                    role=None if role is None else role.value,
                    action=action,
                    detail=detail[:500],
                )
            )

    def audit_log(self, limit: int = 500) -> list[AuditEntry]:
        with self._tx() as s:
            rows = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit))
            return [AuditEntry(r.id, r.at, r.role, r.action, r.detail) for r in rows]


def _file_status(path: str | None) -> str:
    if not path:
        return "설정 안 됨 · not set"
    return "있음 · present" if Path(path).is_file() else f"없음 · MISSING ({path})"


def broker_address(config: KioskConfig) -> str:
    """scheme://host:port only: never a user name or password from the URL."""
    from kiosk.sync.publisher import parse_broker_url

    if not config.broker_url:
        return "설정 안 됨 · not configured"
    try:
        a = parse_broker_url(config.broker_url)
    except KioskError as exc:
        return f"잘못됨 · invalid: {exc}"
    return f"{'mqtts' if a.tls else 'mqtt'}://{a.host}:{a.port}"


def settings_rows(config: KioskConfig, scoring: ScoringService) -> list[tuple[str, str]]:
    """The read-only part of the settings page: what this kiosk was installed with. No key
    material, no passwords. Checks files: call on the runtime thread."""
    pub = config.publisher
    rows = [
        ("키오스크 ID · Kiosk id", config.kiosk_id),
        ("브로커 · Broker", broker_address(config)),
        ("CA 인증서 · CA certificate", _file_status(pub.tls_ca)),
        ("키오스크 인증서 · Client certificate", _file_status(pub.tls_cert)),
        ("키오스크 개인키 · Client key", _file_status(pub.tls_key)),
    ]
    for name, model in sorted(scoring.model_set.models.items()):
        rows.append((f"모델 · Model {name}", f"{model.version} · sha256 {model.sha256[:12]}… ok"))
    for name, reason in sorted(scoring.unavailable.items()):
        rows.append((f"모델 · Model {name}", f"사용 불가 · REFUSED: {reason}"))
    return rows
