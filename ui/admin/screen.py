"""The admin screen: a PIN pad, then a page stack with a nav row. It ends the session on
닫기/Close or after the staff service's timeout without a touch, and jumps to the alerts page
whenever a new staff alert arrives."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QStackedWidget, QVBoxLayout, QWidget

from kiosk.errors import KioskError
from kiosk.hub import DeviceHub, DeviceStatus
from kiosk.observable import Signal as KioskSignal
from kiosk.session import StaffAlert, VisitManager
from kiosk.staff import AdminSession, PinLockedError, StaffService, WrongPinError, settings_rows
from kiosk.store import Store
from kiosk.store.devices import DeviceAllowlist
from ui.admin.common import Relay, button, label
from ui.admin.pages import (
    AlertsPage,
    AuditPage,
    DevicesPage,
    SettingsPage,
    SyncPage,
    TodayPage,
)
from ui.admin.pin_pad import PinPad
from ui.theme import BACKGROUND, Theme

if TYPE_CHECKING:
    from kiosk.runtime import KioskConfig
    from kiosk.scoring.service import ScoringService

_ACTIVITY = frozenset({QEvent.Type.MouseButtonPress, QEvent.Type.KeyPress, QEvent.Type.TouchBegin})


@runtime_checkable
class AdminRuntimeLike(Protocol):
    """The runtime members the admin screen uses (KioskRuntime has them all)."""

    @property
    def staff(self) -> StaffService: ...

    @property
    def store(self) -> Store: ...

    @property
    def allowlist(self) -> DeviceAllowlist: ...

    @property
    def hub(self) -> DeviceHub: ...

    @property
    def visits(self) -> VisitManager: ...

    def admin_broker_state(self) -> str: ...

    @property
    def config(self) -> KioskConfig: ...

    @property
    def scoring(self) -> ScoringService: ...


class AdminScreen(QWidget):
    closed = Signal()
    _login_done = Signal(object)  # AdminSession or the KioskError, from the login thread

    @classmethod
    def for_runtime(
        cls, theme: Theme, runtime: AdminRuntimeLike, parent: QWidget | None = None
    ) -> AdminScreen:
        hub = runtime.hub
        return cls(
            theme,
            runtime.staff,
            store=runtime.store,
            allowlist=runtime.allowlist,
            # A copy: the runtime thread replaces entries while the GUI reads.
            device_status=lambda: dict(hub.status),
            broker_state=runtime.admin_broker_state,
            staff_alerts=runtime.visits.staff_alert,
            device_changes=hub.status_changed,
            settings=lambda: settings_rows(runtime.config, runtime.scoring),
            parent=parent,
        )

    def __init__(
        self,
        theme: Theme,
        staff: StaffService,
        *,
        store: Store,
        allowlist: DeviceAllowlist,
        device_status: Callable[[], Mapping[str, DeviceStatus]],
        broker_state: Callable[[], str],
        staff_alerts: KioskSignal[StaffAlert] | None = None,
        device_changes: KioskSignal[DeviceStatus] | None = None,
        settings: Callable[[], list[tuple[str, str]]] = list,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("adminScreen")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAutoFillBackground(True)
        self.setStyleSheet(f"QWidget#adminScreen {{ background: {BACKGROUND}; }}")
        self.staff = staff
        self.session: AdminSession | None = None
        self._login_pending = False
        self._login_done.connect(self._finish_login)
        get = self._get_session

        self.pin_pad = PinPad(theme)
        self.pin_pad.submitted.connect(self.try_pin)
        self.pin_pad.cancelled.connect(self.close_admin)
        self.alerts = AlertsPage(theme, staff, get)
        self.devices = DevicesPage(theme, staff, get, allowlist, device_status)
        self.sync = SyncPage(theme, staff, get, store, broker_state)
        self.audit = AuditPage(theme, staff)
        self.today = TodayPage(theme, store)
        self.settings = SettingsPage(theme, settings)
        self.pages: dict[str, QWidget] = {
            "alerts": self.alerts,
            "devices": self.devices,
            "sync": self.sync,
            "audit": self.audit,
            "today": self.today,
            "settings": self.settings,
        }
        self.role_label = label(theme, "", name="adminRole")
        nav = QHBoxLayout()
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
            b.clicked.connect(lambda _c=False, k=key: self.show_page(k))
            nav.addWidget(b)
            self.nav[key] = b
        self.logout_button = button(theme, "나가기 · Log out", name="adminLogout", primary=True)
        self.logout_button.clicked.connect(self.close_admin)
        nav.addWidget(self.logout_button)
        self.page_stack = QStackedWidget()
        for page in self.pages.values():
            self.page_stack.addWidget(page)
        self.admin_area = QWidget()
        area = QVBoxLayout(self.admin_area)
        area.addWidget(self.role_label)
        area.addLayout(nav)
        area.addWidget(self.page_stack, 1)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.pin_pad)
        self.stack.addWidget(self.admin_area)
        QVBoxLayout(self).addWidget(self.stack)

        self._relays: list[Relay] = []
        if staff_alerts is not None:
            self._relays.append(Relay(staff_alerts, self._on_alert))
        if device_changes is not None:
            self._relays.append(Relay(device_changes, lambda _s: self._refresh_if("devices")))
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
        self._show_lock()
        if not self.staff.has_pins():
            self.pin_pad.set_message(
                "직원 PIN이 없습니다 · No staff PIN yet: kiosk staff add-pin (docs/admin.md)"
            )

    def _show_lock(self) -> None:
        until = self.staff.locked_until()
        self.pin_pad.set_locked(until is not None)
        if until is not None:
            left = (until - datetime.now(UTC)).total_seconds()
            self.pin_pad.set_message(f"잠김 · Locked: {max(0, round(left))} s")
        elif self.pin_pad.message.text().startswith("잠김"):
            self.pin_pad.set_message("")

    def try_pin(self, pin: str) -> None:
        """Check the PIN off the GUI thread: scrypt costs ~40 ms per stored PIN by design."""
        if self._login_pending:
            return
        self._login_pending = True
        self.pin_pad.set_message("확인 중 · Checking…")

        def work() -> None:
            try:
                result: AdminSession | KioskError = self.staff.login(pin)
            except KioskError as exc:
                result = exc
            self._login_done.emit(result)

        threading.Thread(target=work, name="staff-login", daemon=True).start()

    @property
    def login_pending(self) -> bool:
        return self._login_pending

    def _finish_login(self, result: object) -> None:
        self._login_pending = False
        if isinstance(result, WrongPinError):
            self.pin_pad.set_message(f"PIN이 틀렸습니다 · Wrong PIN ({result.attempts_left} left)")
            return
        if isinstance(result, PinLockedError):
            self._show_lock()
            return
        if isinstance(result, KioskError):
            self.pin_pad.set_message(f"{result} — {result.advice}")
            return
        assert isinstance(result, AdminSession)
        self.session = result
        self.pin_pad.set_message("")
        self.role_label.setText(f"역할 Role: {self.session.role} ({self.session.label})")
        self.stack.setCurrentWidget(self.admin_area)
        self.setFocus()  # not on the first nav button: a ring there reads as "chosen"
        self.show_page("alerts" if self.staff.alerts(open_only=True) else "devices")

    def close_admin(self) -> None:
        if self.session is not None:
            self.staff.logout(self.session)
        self.reset()
        self.closed.emit()

    def tick(self) -> None:
        if self.session is not None:
            if self.session.expired(datetime.now(UTC)):
                self.staff.logout(self.session, reason="timeout")
                self.reset()
                self.closed.emit()
        elif self.isVisible():
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
        self.page_stack.setCurrentWidget(page)
        self._refresh_if(key)

    def current_page(self) -> str | None:
        if self.session is None:
            return None
        current = self.page_stack.currentWidget()
        return next((k for k, p in self.pages.items() if p is current), None)

    def _refresh_if(self, key: str) -> None:
        if self.session is None or self.page_stack.currentWidget() is not self.pages[key]:
            return
        page = self.pages[key]
        if isinstance(
            page, AlertsPage | DevicesPage | SyncPage | AuditPage | TodayPage | SettingsPage
        ):
            page.refresh()

    def _on_alert(self, alert: object) -> None:
        # The runtime recorded the alert before this relay was posted (its slot is connected
        # first), so the page only has to show it; no database write on the GUI thread.
        if self.session is not None:
            self.show_page("alerts")

    def close(self) -> bool:
        for relay in self._relays:
            relay.close()
        self._relays.clear()
        self._timer.stop()
        return super().close()
