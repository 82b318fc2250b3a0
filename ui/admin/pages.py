"""The admin pages. Each reads the kiosk's own store and status model; every action a person
takes goes through :class:`kiosk.staff.StaffService` so it is permission-checked and audited."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kiosk.errors import KioskError
from kiosk.hub import DeviceStatus
from kiosk.staff import AdminSession, Permission, StaffService
from kiosk.store import Store
from kiosk.store.devices import DeviceAllowlist
from kiosk.store.today import today_summary
from ui.admin.common import STAFF_TEXT, button, label
from ui.theme import ON_COLOUR, PANEL_BORDER, STAFF_BANNER, Theme

SessionGetter = Callable[[], AdminSession | None]


def _age(at: datetime | None, now: datetime) -> str:
    if at is None:
        return "—"
    s = int((now - at).total_seconds())
    return f"{s} s" if s < 120 else f"{s // 60} min" if s < 7200 else f"{s // 3600} h"


def _local(at: datetime | None) -> str:
    return "—" if at is None else at.astimezone().strftime("%H:%M:%S")


def _table(theme: Theme, name: str, headers: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setObjectName(name)
    t.setHorizontalHeaderLabels(headers)
    t.setFont(theme.font(STAFF_TEXT))
    t.horizontalHeader().setFont(theme.font(STAFF_TEXT))
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)  # never editable here
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.verticalHeader().setVisible(False)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setStretchLastSection(True)
    t.setWordWrap(True)
    return t


def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(value))
    table.resizeRowsToContents()


class AlertsPage(QWidget):
    """Open alerts on top in the staff-banner red, each with a note field and 확인; then the
    acknowledged ones with who (role) and the note."""

    def __init__(self, theme: Theme, staff: StaffService, session: SessionGetter) -> None:
        super().__init__()
        self.setObjectName("alertsPage")
        self._theme, self._staff, self._session = theme, staff, session
        self.status = label(theme, "", name="alertsStatus")
        self._cards = QVBoxLayout()
        body = QWidget()
        body.setLayout(self._cards)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.addWidget(label(theme, "위험 알림 · Alerts", name="alertsTitle", title=True))
        layout.addWidget(self.status)
        layout.addWidget(scroll, 1)
        self.notes: dict[int, QLineEdit] = {}
        self.ack_buttons: dict[int, QWidget] = {}
        self.open_ids: list[int] = []

    def refresh(self) -> None:
        while self._cards.count():
            item = self._cards.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()  # deleteLater waits for the event loop; do not show stale cards
                widget.deleteLater()
        self.notes.clear()
        self.ack_buttons.clear()
        entries = self._staff.alerts()
        self.open_ids = [a.id for a in entries if a.acknowledged_at is None]
        self.status.setText(
            f"확인 안 된 알림 {len(self.open_ids)}건 · {len(self.open_ids)} open"
            if self.open_ids
            else "확인 안 된 알림 없음 · No open alerts"
        )
        theme = self._theme
        for a in entries[:50]:
            card = QFrame()
            card.setObjectName(f"alert_{a.id}")
            is_open = a.acknowledged_at is None
            bg, fg = (STAFF_BANNER, ON_COLOUR) if is_open else ("#FFFFFF", "#111111")
            card.setStyleSheet(
                f"QFrame#alert_{a.id} {{ background: {bg}; border: 3px solid {PANEL_BORDER};"
                f" border-radius: {theme.metrics.px(2)}px; }}"
                f" QFrame#alert_{a.id} QLabel {{ color: {fg}; }}"
            )
            box = QVBoxLayout(card)
            head = label(
                theme,
                f"방문 {a.visit_alias} · {a.summary} · {_local(a.raised_at)}",
                name=f"alertHead_{a.id}",
                title=True,
            )
            head.setStyleSheet(f"color: {fg}; background: transparent;")
            box.addWidget(head)
            if is_open:
                row = QHBoxLayout()
                note = QLineEdit()
                note.setObjectName(f"alertNote_{a.id}")
                note.setFont(theme.font(STAFF_TEXT))
                note.setPlaceholderText("조치 메모 · note (e.g. nurse called)")
                ack = button(theme, "확인 · Acknowledge", name=f"alertAck_{a.id}", primary=True)
                ack.clicked.connect(lambda _c=False, i=a.id: self.acknowledge(i))
                row.addWidget(note, 1)
                row.addWidget(ack)
                box.addLayout(row)
                self.notes[a.id], self.ack_buttons[a.id] = note, ack
            else:
                done = label(
                    theme,
                    f"확인 {_local(a.acknowledged_at)} ({a.ack_role}): {a.ack_note}",
                    name=f"alertDone_{a.id}",
                )
                box.addWidget(done)
            self._cards.addWidget(card)
        self._cards.addStretch(1)

    def acknowledge(self, alert_id: int) -> None:
        session = self._session()
        if session is None:
            return
        try:
            self._staff.acknowledge(session, alert_id, self.notes[alert_id].text())
        except KioskError as exc:
            self.status.setText(f"{exc} — {exc.advice}")
            return
        self.refresh()


class DevicesPage(QWidget):
    """Every allowlisted device merged with the hub's live status; technicians may forget."""

    HEADERS = ("이름 Name", "종류 Kind", "연결 State", "배터리 Batt", "RSSI", "최근 Seen",
               "주소 Address", "오류 Error → 조치 Advice")  # fmt: skip

    def __init__(
        self,
        theme: Theme,
        staff: StaffService,
        session: SessionGetter,
        allowlist: DeviceAllowlist,
        status: Callable[[], Mapping[str, DeviceStatus]],
    ) -> None:
        super().__init__()
        self.setObjectName("devicesPage")
        self._staff, self._session = staff, session
        self._allowlist, self._status = allowlist, status
        self.table = _table(theme, "devicesTable", list(self.HEADERS))
        self.message = label(theme, "", name="devicesMessage")
        self.forget_button = button(theme, "선택 기기 삭제 · Forget", name="devicesForget")
        self.forget_button.clicked.connect(self.forget_selected)
        self.addresses: list[str] = []
        layout = QVBoxLayout(self)
        layout.addWidget(label(theme, "기기 · Devices", name="devicesTitle", title=True))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.forget_button)

    def refresh(self) -> None:
        now = datetime.now(UTC)
        live = {k.upper(): v for k, v in dict(self._status()).items()}
        rows: list[list[str]] = []
        self.addresses = []
        seen: set[str] = set()
        for e in self._allowlist.entries():
            st = live.get(e.address)
            seen.add(e.address)
            rows.append(self._row(e.label, e.kind, st, e.battery_percent, e.rssi,
                                  _age(e.last_seen_at, now), e.address))  # fmt: skip
        for address, st in sorted(live.items()):
            if address not in seen:  # held by the hub (first start, serial) but not paired
                rows.append(self._row(address, st.kind, st, None, None, "—", address))
        for r in rows:
            self.addresses.append(r[6])
        _fill(self.table, rows)
        session = self._session()
        self.forget_button.setEnabled(session is not None and session.can(Permission.FORGET_DEVICE))

    @staticmethod
    def _row(
        name: str,
        kind: str,
        st: DeviceStatus | None,
        battery: int | None,
        rssi: int | None,
        seen: str,
        address: str,
    ) -> list[str]:
        state = "—" if st is None else ("연결됨 connected" if st.connected else st.state)
        if st is not None:
            battery = st.battery_percent if st.battery_percent is not None else battery
            rssi = st.rssi if st.rssi is not None else rssi
            if st.identity is not None:
                name = f"{name} ({st.identity.model})"
        error = "" if st is None or not st.last_error else f"{st.last_error} → {st.advice or ''}"
        return [name, kind, state, "—" if battery is None else f"{battery}%",
                "—" if rssi is None else f"{rssi} dBm", seen, address, error]  # fmt: skip

    def forget_selected(self) -> None:
        session = self._session()
        row = self.table.currentRow()
        if session is None or not 0 <= row < len(self.addresses):
            self.message.setText("기기를 먼저 고르세요 · Choose a device first")
            return
        address = self.addresses[row]
        try:
            self._staff.check(session, Permission.FORGET_DEVICE)
            forgotten = self._allowlist.forget(address)
        except KioskError as exc:
            self.message.setText(f"{exc} — {exc.advice}")
            return
        if forgotten:
            self._staff.audit("device_forget", session.role, f"address={address}")
        self.message.setText(f"삭제됨 · Forgotten: {address}" if forgotten else "")
        self.refresh()


class SyncPage(QWidget):
    """What ``kiosk sync status`` prints, plus retry of a rejected row."""

    def __init__(
        self,
        theme: Theme,
        staff: StaffService,
        session: SessionGetter,
        store: Store,
        broker_state: Callable[[], str],
    ) -> None:
        super().__init__()
        self.setObjectName("syncPage")
        self._staff, self._session, self._store = staff, session, store
        self._broker_state = broker_state
        self.summary = label(theme, "", name="syncSummary")
        self.table = _table(theme, "syncRejected", ["메시지 Message id", "사유 Reason"])
        self.retry_button = button(theme, "다시 보내기 · Retry", name="syncRetry")
        self.retry_button.clicked.connect(self.retry_selected)
        self.message = label(theme, "", name="syncMessage")
        self.rejected: list[str] = []
        layout = QVBoxLayout(self)
        layout.addWidget(label(theme, "전송 · Sync", name="syncTitle", title=True))
        layout.addWidget(self.summary)
        layout.addWidget(label(theme, "거부된 항목 · Rejected", name="syncRejectedTitle"))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.retry_button)

    def refresh(self) -> None:
        counts = self._store.outbox_counts()
        oldest = self._store.oldest_unsettled()
        rejected = self._store.rejected_rows()
        self.summary.setText(
            "\n".join(
                [
                    f"브로커 Broker: {self._broker_state()}",
                    f"대기 Queue depth: {counts.pending + counts.sent}"
                    f" (pending {counts.pending}, awaiting ack {counts.sent})",
                    f"가장 오래된 대기 Oldest pending: {_age(oldest, datetime.now(UTC))}",
                    f"완료 Committed: {counts.committed} · 거부 Rejected: {counts.rejected}",
                ]
            )
        )
        self.rejected = [m for m, _ in rejected]
        _fill(self.table, [[m, r or "—"] for m, r in rejected])
        self.retry_button.setEnabled(bool(rejected))

    def retry_selected(self) -> None:
        session = self._session()
        row = self.table.currentRow()
        if session is None or not 0 <= row < len(self.rejected):
            self.message.setText("항목을 먼저 고르세요 · Choose a row first")
            return
        msg_id = self.rejected[row]
        try:
            self._staff.check(session, Permission.RETRY_SYNC)
            ok = self._store.retry_rejected(msg_id)
        except KioskError as exc:
            self.message.setText(f"{exc} — {exc.advice}")
            return
        if ok:
            self._staff.audit("sync_retry", session.role, f"msg_id={msg_id}")
        self.message.setText(f"다시 보냄 · Queued again: {msg_id}" if ok else "")
        self.refresh()


class AuditPage(QWidget):
    """Read-only: the table cannot be edited and nothing here deletes."""

    def __init__(self, theme: Theme, staff: StaffService) -> None:
        super().__init__()
        self.setObjectName("auditPage")
        self._staff = staff
        self.table = _table(
            theme, "auditTable", ["시각 Time", "역할 Role", "동작 Action", "내용 Detail"]
        )
        layout = QVBoxLayout(self)
        layout.addWidget(label(theme, "감사 기록 · Audit log", name="auditTitle", title=True))
        layout.addWidget(self.table, 1)

    def refresh(self) -> None:
        rows = [
            [e.at.astimezone().strftime("%m-%d %H:%M:%S"), e.role or "—", e.action, e.detail]
            for e in self._staff.audit_log(200)
        ]
        _fill(self.table, rows)


def local_midnight() -> datetime:
    return datetime.now().astimezone().replace(hour=0, minute=0, second=0, microsecond=0)


class TodayPage(QWidget):
    """Visitors served, measurements by kind, failures by device, average visit time."""

    def __init__(self, theme: Theme, store: Store) -> None:
        super().__init__()
        self.setObjectName("todayPage")
        self._store = store
        self.summary = label(theme, "", name="todaySummary")
        self.table = _table(theme, "todayTable", ["항목 Item", "수 Count"])
        layout = QVBoxLayout(self)
        layout.addWidget(label(theme, "오늘 · Today", name="todayTitle", title=True))
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)

    def refresh(self) -> None:
        t = today_summary(self._store, local_midnight())
        avg = "—" if t.average_visit_s is None else f"{t.average_visit_s / 60:.1f} min"
        self.summary.setText(f"방문자 Visitors: {t.visitors} · 평균 방문 시간 Average visit: {avg}")
        rows = [[f"측정 Measured: {k}", str(n)] for k, n in sorted(t.measurements_by_kind.items())]
        rows += [[f"기기 오류 Device failures: {a}", str(n)]
                 for a, n in sorted(t.failures_by_device.items())]  # fmt: skip
        _fill(self.table, rows)


class SettingsPage(QWidget):
    """Read-only in this cut: what the kiosk runs with, for a phone call with support."""

    def __init__(self, theme: Theme, rows: Callable[[], list[tuple[str, str]]]) -> None:
        super().__init__()
        self.setObjectName("settingsPage")
        self._rows = rows
        self.table = _table(theme, "settingsTable", ["설정 Setting", "값 Value"])
        layout = QVBoxLayout(self)
        layout.addWidget(label(theme, "설정 (읽기 전용) · Settings (read-only)",
                               name="settingsTitle", title=True))  # fmt: skip
        layout.addWidget(self.table, 1)

    def refresh(self) -> None:
        _fill(self.table, [list(r) for r in self._rows()])
