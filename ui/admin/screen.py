"""The admin screen: a PIN pad, then a page stack with a nav row. It ends the session on
나가기/Log out or after the staff service's timeout without a touch, chimes and jumps to the
alerts page whenever a crisis alert arrives. It reads nothing on the GUI thread: every load and
action runs on the kiosk runtime thread through :class:`~ui.admin.common.Worker`."""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QGridLayout, QStackedWidget, QVBoxLayout, QWidget

from kiosk.errors import KioskError
from kiosk.scoring.bp import Alert
from kiosk.session import StaffAlert
from kiosk.staff import AdminSession, AlertEntry, PinLockedError, WrongPinError
from ui.admin.common import Relay, Worker, button, error_text, label
from ui.admin.pages import (
    AdminRuntimeLike,
    AlertsPage,
    AuditPage,
    Ctx,
    DevicesPage,
    Page,
    SettingsPage,
    SyncPage,
    TodayPage,
)
from ui.admin.pin_pad import PinPad
from ui.admin.sound import AlertSound
from ui.theme import Theme

_ACTIVITY = frozenset({QEvent.Type.MouseButtonPress, QEvent.Type.KeyPress, QEvent.Type.TouchBegin})
# Pages whose figures change without an event of their own are reloaded this often (seconds).
LIVE_EVERY_S = 5
_LIVE_PAGES = frozenset({"devices", "sync", "today"})
NO_PINS = "직원 PIN이 없습니다 · No staff PIN yet: kiosk staff add-pin (docs/admin.md)"


class AdminScreen(QWidget):
    closed = Signal()
    _login_done = Signal(object)  # AdminSession or the KioskError, from the login thread

    @classmethod
    def for_runtime(
        cls, theme: Theme, runtime: AdminRuntimeLike, parent: QWidget | None = None
    ) -> AdminScreen:
        return cls(theme, runtime, parent=parent)

    def __init__(
        self, theme: Theme, runtime: AdminRuntimeLike, *, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("adminScreen")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAutoFillBackground(True)
        # A plain QWidget paints its style-sheet background only with this set; without it the
        # visitor screen shows through the overlay.
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(f"QWidget#adminScreen {{ background: {theme.palette.BACKGROUND}; }}")
        self.runtime = runtime
        self.staff = runtime.staff
        self.session: AdminSession | None = None
        self.worker = Worker(runtime)
        self.sound = AlertSound(self)
        self._login_pending = False
        self._locked_until: datetime | None = None
        self._unlocking = False
        self._unlock_spent: datetime | None = None  # the lock whose technician try was used
        self._login_done.connect(self._finish_login)
        ctx = Ctx(theme, self.worker, runtime, self._get_session)

        self.pin_pad = PinPad(theme)
        self.pin_pad.submitted.connect(self.try_pin)
        self.pin_pad.unlock_submitted.connect(self.try_unlock)
        self.pin_pad.cancelled.connect(self.close_admin)
        self.pin_pad.set_hint(getattr(runtime, "demo_pin_hint", ""))
        self.alerts = AlertsPage(ctx)
        self.devices = DevicesPage(ctx)
        self.sync = SyncPage(ctx)
        self.audit = AuditPage(ctx)
        self.today = TodayPage(ctx)
        self.settings = SettingsPage(ctx)
        self.pages: dict[str, Page] = {
            "alerts": self.alerts,
            "devices": self.devices,
            "sync": self.sync,
            "audit": self.audit,
            "today": self.today,
            "settings": self.settings,
        }
        self.role_label = label(theme, "", name="adminRole")
        # Seven buttons: one row on a landscape panel, two (4 + 3) in portrait, where one row
        # would cut their words (see resizeEvent).
        nav = self._nav = QGridLayout()
        nav.setSpacing(theme.metrics.px(3.0))
        self._nav_columns = 0
        self.nav: dict[str, QWidget] = {}
        for key, text in (
            ("alerts", "알림 Alerts"),
            ("devices", "기기 Devices"),
            ("sync", "전송 Sync"),
            ("today", "오늘 Today"),
            ("audit", "기록 Audit"),
            ("settings", "설정 Settings"),
        ):
            b = button(theme, text, name=f"adminNav_{key}")
            b.setCheckable(True)
            b.clicked.connect(lambda _c=False, k=key: self.show_page(k))
            self.nav[key] = b
        self.logout_button = button(theme, "나가기 · Log out", name="adminLogout", primary=True)
        self.logout_button.clicked.connect(self.close_admin)
        self._arrange_nav(columns=7)
        self.page_stack = QStackedWidget()
        for page in self.pages.values():
            self.page_stack.addWidget(page)
        self.admin_area = QWidget()
        area = QVBoxLayout(self.admin_area)
        area.setSpacing(theme.metrics.px(3.0))
        area.addWidget(self.role_label)
        area.addLayout(nav)
        area.addWidget(self.page_stack, 1)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.pin_pad)
        self.stack.addWidget(self.admin_area)
        QVBoxLayout(self).addWidget(self.stack)

        self._relays = [
            Relay(runtime.visits.staff_alert, self._on_alert),
            Relay(runtime.hub.status_changed, lambda _s: self._refresh_if("devices")),
        ]
        self._ticks = 0
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self.tick)
        self._timer.start()
        self.installEventFilter(self)
        self.reset()

    # --- session --------------------------------------------------------------------------
    def _get_session(self) -> AdminSession | None:
        return self.session

    def reset(self) -> None:
        """Back to the PIN pad with nobody logged in."""
        self.session = None
        self.pin_pad.clear()
        self.pin_pad.set_message("")
        self.stack.setCurrentWidget(self.pin_pad)
        self._check_entry()

    def _arrange_nav(self, *, columns: int) -> None:
        if columns == self._nav_columns:
            return
        self._nav_columns = columns
        buttons = [*self.nav.values(), self.logout_button]
        for b in buttons:
            self._nav.removeWidget(b)
        for i, b in enumerate(buttons):
            self._nav.addWidget(b, i // columns, i % columns)

    def resizeEvent(self, event: QResizeEvent) -> None:
        size = event.size()
        self._arrange_nav(columns=7 if size.width() > size.height() else 4)
        super().resizeEvent(event)

    def _check_entry(self) -> None:
        staff = self.staff

        def state() -> tuple[bool, datetime | None]:
            return staff.has_pins(), staff.locked_until()

        self.worker.call(state, then=self._show_entry, failed=self._entry_failed)

    def _show_entry(self, state: tuple[bool, datetime | None]) -> None:
        has_pins, self._locked_until = state
        self._show_lock()
        if not has_pins and self.session is None:
            self.pin_pad.set_message(NO_PINS)

    def _entry_failed(self, exc: KioskError) -> None:
        self.pin_pad.set_message(error_text(exc))

    def _show_lock(self) -> None:
        until = self._locked_until
        if until is not None and until <= datetime.now(UTC):
            self._locked_until = until = None
            self._check_entry()  # the lock may have ended; ask the store, not the clock only
        # A lock whose one technician try is spent offers no second one.
        self.pin_pad.set_locked(until is not None, unlock=until != self._unlock_spent)
        if until is not None:
            left = (until - datetime.now(UTC)).total_seconds()
            self.pin_pad.set_message(f"잠김 · Locked: {max(0, round(left))} s")
        elif self.pin_pad.message.text().startswith("잠김"):
            self.pin_pad.set_message("")

    def try_pin(self, pin: str) -> None:
        self._check_pin(self.staff.login, pin)

    def try_unlock(self, pin: str) -> None:
        """A technician PIN while entry is locked (one try per lock)."""
        self._unlocking = True
        self._check_pin(self.staff.technician_unlock, pin)

    def _check_pin(self, check: Callable[[str], AdminSession], pin: str) -> None:
        """Check the PIN on its own thread: scrypt costs ~40 ms per stored PIN by design, and
        the runtime loop must keep serving the devices meanwhile."""
        if self._login_pending:
            return
        self._login_pending = True
        self.pin_pad.set_message("확인 중 · Checking…")

        def work() -> None:
            try:
                result: AdminSession | KioskError = check(pin)
            except KioskError as exc:
                result = exc
            with contextlib.suppress(RuntimeError):  # the screen was closed meanwhile
                self._login_done.emit(result)

        threading.Thread(target=work, name="staff-login", daemon=True).start()

    @property
    def login_pending(self) -> bool:
        return self._login_pending

    @property
    def busy(self) -> bool:
        """Work in flight (tests wait for this to clear)."""
        return self._login_pending or self.worker.pending > 0

    def _finish_login(self, result: object) -> None:
        self._login_pending = False
        if isinstance(result, WrongPinError):
            self.pin_pad.set_message(f"PIN이 틀렸습니다 · Wrong PIN ({result.attempts_left} left)")
            return
        unlocking, self._unlocking = self._unlocking, False
        if isinstance(result, PinLockedError):
            self._locked_until = result.until
            if unlocking:
                self._unlock_spent = result.until
            self._show_lock()
            return
        if isinstance(result, KioskError):
            self.pin_pad.set_message(error_text(result))
            return
        assert isinstance(result, AdminSession)
        self.session = result
        self._locked_until = None
        self.pin_pad.set_locked(False)
        self.pin_pad.set_message("")
        self.role_label.setText(f"역할 Role: {self.session.role} ({self.session.label})")
        self.stack.setCurrentWidget(self.admin_area)
        self.setFocus()  # not on the first nav button: a ring there reads as "chosen"
        open_alerts = functools.partial(self.staff.alerts, open_only=True)
        self.worker.call(open_alerts, then=self._first_page)

    def _first_page(self, open_alerts: list[AlertEntry]) -> None:
        if self.session is not None:
            self.show_page("alerts" if open_alerts else "devices")

    def close_admin(self) -> None:
        if self.session is not None:
            self.worker.call(self.staff.logout, self.session, then=lambda _r: None)
        self.reset()
        self.closed.emit()

    def tick(self) -> None:
        self._ticks += 1
        if self.session is not None:
            page = self.current_page()
            if self._ticks % LIVE_EVERY_S == 0 and page in _LIVE_PAGES:
                self.pages[page].refresh()  # queue depth, broker state, last seen, counts
            if self.session.expired(datetime.now(UTC)):
                logout = functools.partial(self.staff.logout, self.session, reason="timeout")
                self.worker.call(logout, then=lambda _r: None)
                self.reset()
                self.closed.emit()
        elif self.isVisible() and self._locked_until is not None:
            self._show_lock()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.session is not None and event.type() in _ACTIVITY:
            self.session.touch(datetime.now(UTC))
        return False

    # --- pages ----------------------------------------------------------------------------
    def show_page(self, key: str) -> None:
        if self.session is None:
            return
        page = self.pages[key]
        for k, b in self.nav.items():
            b.setProperty("checked", k == key)
        self.page_stack.setCurrentWidget(page)
        page.refresh()

    def current_page(self) -> str | None:
        if self.session is None:
            return None
        current = self.page_stack.currentWidget()
        return next((k for k, p in self.pages.items() if p is current), None)

    def _refresh_if(self, key: str) -> None:
        if self.session is not None and self.page_stack.currentWidget() is self.pages[key]:
            self.pages[key].refresh()

    def _on_alert(self, alert: object) -> None:
        # The runtime recorded the alert before this relay was posted (its slot is connected
        # first), so the page only has to load it. The chime sounds even with the screen
        # closed: staff hear it from across the room.
        if isinstance(alert, StaffAlert) and alert.alert is Alert.STAFF_NOW:
            self.sound.play(alert.measurement_id)
        if self.session is not None:
            self.show_page("alerts")

    def close(self) -> bool:
        for relay in self._relays:
            relay.close()
        self._relays.clear()
        self._timer.stop()
        return super().close()
