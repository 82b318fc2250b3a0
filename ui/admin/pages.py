"""The admin pages. Each page loads on the runtime thread (``load``, through the screen's
:class:`~ui.admin.common.Worker`) and draws on the GUI thread (``show``); every action a person
takes goes through the kiosk's staff services, so it is permission-checked and audited there.
Staff wording is Korean first with the English after "·" (staff read, visitors do not)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kiosk.device_admin import DeviceAdmin, DeviceRow, NearbyDevice, PairingHelp, TestRead
from kiosk.errors import KioskError
from kiosk.hub import DeviceHub
from kiosk.scoring.service import ScoringService
from kiosk.session import VisitManager
from kiosk.settings import KioskSettings, SettingsStore
from kiosk.staff import AdminSession, AlertEntry, AuditEntry, Permission, StaffService
from kiosk.store import Store
from kiosk.store.db import OutboxCounts
from kiosk.store.devices import AllowlistEntry, DeviceAllowlist
from kiosk.store.today import TodaySummary, today_summary
from kiosk.support import collect, export_targets, write_export
from ui.admin.common import (
    GAP_MM,
    STAFF_SMALL,
    STAFF_TEXT,
    Runner,
    Worker,
    button,
    error_text,
    label,
)
from ui.admin.keyboard import ALERT_PHRASES, DEVICE_NAMES, OnScreenKeyboard
from ui.theme import Theme

SessionGetter = Callable[[], AdminSession | None]


@runtime_checkable
class AdminRuntimeLike(Runner, Protocol):
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

    @property
    def settings(self) -> SettingsStore: ...

    @property
    def device_admin(self) -> DeviceAdmin: ...

    @property
    def config(self) -> Any: ...  # kiosk.runtime.KioskConfig (kiosk_id, data_dir, broker)

    @property
    def scoring(self) -> ScoringService: ...

    def admin_broker_state(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Ctx:
    theme: Theme
    worker: Worker
    runtime: AdminRuntimeLike
    session: SessionGetter

    def can(self, permission: Permission) -> bool:
        s = self.session()
        return s is not None and s.can(permission)


KIND_NAMES = {
    "blood_pressure": "혈압계 · BP",
    "glucose": "혈당계 · Glucose",
    "weight": "체중계 · Scale",
    "body_composition": "체성분계 · Body comp.",
}
STATE_NAMES = {
    "connected": "연결됨 · connected",
    "connecting": "연결 중 · connecting",
    "reading": "읽는 중 · reading",
    "idle": "대기 · idle",
    "error": "오류 · error",
    "unseen": "아직 못 봄 · not seen yet",
}
PAIRING_NAMES = {
    "none": "절차 없음 · none",
    "just_works": "연결 모드 · pairing mode",
    "os_bond": "버튼 길게 · hold button",
    "passkey": "6자리 번호 · 6-digit code",
}


def _age(at: datetime | None, now: datetime) -> str:
    if at is None:
        return "—"
    s = int((now - at).total_seconds())
    return f"{s} s" if s < 120 else f"{s // 60} min" if s < 7200 else f"{s // 3600} h"


def _local(at: datetime | None) -> str:
    return "—" if at is None else at.astimezone().strftime("%H:%M:%S")


def _day_time(at: datetime | None) -> str:
    return "—" if at is None else at.astimezone().strftime("%m-%d %H:%M")


def _table(theme: Theme, name: str, headers: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setObjectName(name)
    t.setHorizontalHeaderLabels(headers)
    t.setFont(theme.font(STAFF_SMALL))
    t.horizontalHeader().setFont(theme.font(STAFF_SMALL))
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)  # never editable here
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.verticalHeader().setVisible(False)
    # Rows tall enough to pick with a finger (12 mm).
    t.verticalHeader().setMinimumSectionSize(theme.metrics.px(12.0))
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


def _row_layout(theme: Theme) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setSpacing(theme.metrics.px(GAP_MM))
    return row


class Page(QWidget):
    """Refresh = ``load`` on the runtime thread, then ``show`` here. A refresh asked for while
    one is loading runs once more afterwards (live updates come in bursts)."""

    def __init__(self, ctx: Ctx, name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.ctx = ctx
        self._loading = False
        self._again = False

    def refresh(self) -> None:
        if self._loading:
            self._again = True
            return
        self._loading = True
        self.ctx.worker.call(self.load, then=self._loaded, failed=self._load_failed)

    def _loaded(self, data: Any) -> None:
        self._loading = False
        self.show_data(data)
        if self._again:
            self._again = False
            self.refresh()

    def _load_failed(self, exc: KioskError) -> None:
        self._loading = False
        self.show_error(exc)

    def load(self) -> Any:  # runtime thread
        raise NotImplementedError

    def show_data(self, data: Any) -> None:  # GUI thread
        raise NotImplementedError

    def show_error(self, exc: KioskError) -> None:
        raise NotImplementedError


# --- alerts ---------------------------------------------------------------------------------
class AlertsPage(Page):
    """Open alerts on top in the staff-banner red, each with a note and 확인; the note is typed
    on the on-screen keyboard below (quick phrases, or letters and numbers). Then the
    acknowledged ones with who (role) and the note."""

    def __init__(self, ctx: Ctx) -> None:
        super().__init__(ctx, "alertsPage")
        theme = ctx.theme
        self.status = label(theme, "", name="alertsStatus")
        self._cards = QVBoxLayout()
        self._cards.setSpacing(theme.metrics.px(GAP_MM))
        body = QWidget()
        body.setLayout(self._cards)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        scroll.setMinimumHeight(theme.metrics.px(50.0))  # at least one whole alert card
        self.keyboard = OnScreenKeyboard(theme, phrases=ALERT_PHRASES, name="alertKeyboard")
        layout = QVBoxLayout(self)
        layout.setSpacing(self.ctx.theme.metrics.px(GAP_MM))
        layout.addWidget(label(theme, "위험 알림 · Alerts", name="alertsTitle", title=True))
        layout.addWidget(self.status)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.keyboard)
        self.notes: dict[int, QLineEdit] = {}
        self.ack_buttons: dict[int, QPushButton] = {}
        self.open_ids: list[int] = []

    def load(self) -> list[AlertEntry]:
        return self.ctx.runtime.staff.alerts()

    def show_error(self, exc: KioskError) -> None:
        self.status.setText(error_text(exc))

    def show_data(self, entries: list[AlertEntry]) -> None:
        drafts = {i: n.text() for i, n in self.notes.items()}  # a half-typed note survives
        target = next((i for i, n in self.notes.items() if n is self.keyboard.target), None)
        while self._cards.count():
            item = self._cards.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()  # deleteLater waits for the event loop; do not show stale cards
                widget.deleteLater()
        self.notes.clear()
        self.ack_buttons.clear()
        self.open_ids = [a.id for a in entries if a.acknowledged_at is None]
        self.status.setText(
            f"확인 안 된 알림 {len(self.open_ids)}건 · {len(self.open_ids)} open — 메모를 쓰고"
            " 확인을 누르세요 · write a note, then Acknowledge"
            if self.open_ids
            else "확인 안 된 알림 없음 · No open alerts"
        )
        theme, p = self.ctx.theme, self.ctx.theme.palette
        for a in entries[:50]:
            card = QFrame()
            card.setObjectName(f"alert_{a.id}")
            is_open = a.acknowledged_at is None
            bg, fg = (p.STAFF_BANNER, p.ON_COLOUR) if is_open else (p.BACKGROUND, p.TEXT)
            card.setStyleSheet(
                f"QFrame#alert_{a.id} {{ background: {bg}; border: 3px solid {p.PANEL_BORDER};"
                f" border-radius: {theme.metrics.px(2)}px; }}"
                f" QFrame#alert_{a.id} QLabel {{ color: {fg}; }}"
            )
            box = QVBoxLayout(card)
            box.setSpacing(self.ctx.theme.metrics.px(GAP_MM))
            head = label(
                theme,
                f"방문 {a.visit_alias} · {a.summary} · {_local(a.raised_at)}",
                name=f"alertHead_{a.id}",
                title=True,
            )
            head.setStyleSheet(f"color: {fg}; background: transparent;")
            box.addWidget(head)
            if is_open:
                row = _row_layout(theme)
                note = QLineEdit(drafts.get(a.id, ""))
                note.setObjectName(f"alertNote_{a.id}")
                note.setFont(theme.font(STAFF_TEXT))
                note.setMinimumHeight(theme.metrics.px(12.0))
                note.setPlaceholderText("조치 메모 · note: 아래 자판 · keyboard below")
                note.installEventFilter(self)
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
        keep = target if target in self.notes else (self.open_ids[0] if self.open_ids else None)
        self.select_note(keep)
        self.keyboard.setVisible(bool(self.open_ids))

    def select_note(self, alert_id: int | None) -> None:
        """The keyboard types into this alert's note (a tap on a note field selects it)."""
        self.keyboard.attach(None if alert_id is None else self.notes.get(alert_id))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.FocusIn):
            for alert_id, note in self.notes.items():
                if note is watched:
                    self.select_note(alert_id)
        return False

    def acknowledge(self, alert_id: int) -> None:
        session = self.ctx.session()
        if session is None:
            return
        note = self.notes[alert_id].text()
        self.ack_buttons[alert_id].setEnabled(False)  # one tap, one acknowledgement
        self.ctx.worker.call(
            self.ctx.runtime.staff.acknowledge,
            session,
            alert_id,
            note,
            then=lambda _e: self.refresh(),
            failed=functools.partial(self._ack_failed, alert_id),
        )

    def _ack_failed(self, alert_id: int, exc: KioskError) -> None:
        self.status.setText(error_text(exc))
        if alert_id in self.ack_buttons:
            self.ack_buttons[alert_id].setEnabled(True)


# --- devices --------------------------------------------------------------------------------
class DevicesPage(Page):
    """Every paired device merged with the hub's live status. Add (scan → choose → pair, with
    the device's pairing procedure explained first), rename, test read, forget."""

    HEADERS = ("이름 Name", "모델 Model", "상태 State", "배터리 Batt", "신호 RSSI", "최근 Seen",
               "펌웨어 FW", "마지막 측정 Last reading", "오류 → 조치 Error → advice")  # fmt: skip

    def __init__(self, ctx: Ctx) -> None:
        super().__init__(ctx, "devicesPage")
        theme = ctx.theme
        self.rows: list[DeviceRow] = []
        self.nearby: list[NearbyDevice] = []
        self.help: PairingHelp | None = None
        self.message = label(theme, "", name="devicesMessage")

        # The list.
        self.table = _table(theme, "devicesTable", list(self.HEADERS))
        self.add_button = button(theme, "기기 추가 · Add", name="devicesAdd", primary=True)
        self.rename_button = button(theme, "이름 바꾸기 · Rename", name="devicesRename")
        self.test_button = button(theme, "시험 읽기 · Test read", name="devicesTest")
        self.forget_button = button(theme, "삭제 · Forget", name="devicesForget")
        self.add_button.clicked.connect(self.start_pairing)
        self.rename_button.clicked.connect(self.start_rename)
        self.test_button.clicked.connect(self.test_selected)
        self.forget_button.clicked.connect(self.forget_selected)
        actions = _row_layout(theme)
        for b in (self.add_button, self.rename_button, self.test_button, self.forget_button):
            actions.addWidget(b)
        list_view = QWidget()
        lv = QVBoxLayout(list_view)
        lv.setSpacing(self.ctx.theme.metrics.px(GAP_MM))
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(self.table, 1)
        lv.addLayout(actions)

        # Pairing: scan results, the procedure for the chosen one, pair.
        self.scan_status = label(theme, "", name="pairStatus")
        self.nearby_table = _table(
            theme,
            "pairNearby",
            ["모델 Model", "종류 Kind", "신호 Signal", "연결 방법 Pairing", "주소 Address"],
        )
        self.nearby_table.itemSelectionChanged.connect(self._chosen)
        self.help_label = label(theme, "", name="pairHelp")
        self.help_detail = label(theme, "", name="pairHelpDetail")
        self.help_detail.setFont(theme.font(STAFF_SMALL))
        self.pair_button = button(theme, "연결 · Pair", name="pairGo", primary=True)
        self.rescan_button = button(theme, "다시 찾기 · Scan again", name="pairRescan")
        self.pair_back = button(theme, "돌아가기 · Back", name="pairBack")
        self.pair_button.clicked.connect(self.pair_chosen)
        self.rescan_button.clicked.connect(self.scan)
        self.pair_back.clicked.connect(self.back_to_list)
        pair_actions = _row_layout(theme)
        for b in (self.pair_button, self.rescan_button, self.pair_back):
            pair_actions.addWidget(b)
        pair_view = QWidget()
        pv = QVBoxLayout(pair_view)
        pv.setSpacing(self.ctx.theme.metrics.px(GAP_MM))
        pv.setContentsMargins(0, 0, 0, 0)
        pv.addWidget(self.scan_status)
        pv.addWidget(self.nearby_table, 1)
        pv.addWidget(self.help_label)
        pv.addWidget(self.help_detail)
        pv.addLayout(pair_actions)

        # Rename: a name field and the on-screen keyboard.
        self.rename_title = label(theme, "", name="renameTitle")
        self.rename_field = QLineEdit()
        self.rename_field.setObjectName("renameField")
        self.rename_field.setFont(theme.font(STAFF_TEXT))
        self.rename_field.setMinimumHeight(theme.metrics.px(12.0))
        self.rename_field.setMaxLength(64)
        self.rename_keyboard = OnScreenKeyboard(theme, phrases=DEVICE_NAMES, name="renameKeys")
        self.rename_keyboard.attach(self.rename_field)
        self.rename_save = button(theme, "저장 · Save", name="renameSave", primary=True)
        self.rename_cancel = button(theme, "취소 · Cancel", name="renameCancel")
        self.rename_save.clicked.connect(self.save_rename)
        self.rename_cancel.clicked.connect(self.back_to_list)
        rename_actions = _row_layout(theme)
        rename_actions.addWidget(self.rename_save)
        rename_actions.addWidget(self.rename_cancel)
        rename_view = QWidget()
        rv = QVBoxLayout(rename_view)
        rv.setSpacing(self.ctx.theme.metrics.px(GAP_MM))
        rv.setContentsMargins(0, 0, 0, 0)
        rv.addWidget(self.rename_title)
        rv.addWidget(self.rename_field)
        rv.addWidget(self.rename_keyboard)
        rv.addLayout(rename_actions)
        rv.addStretch(1)
        self._renaming: str | None = None

        self.views = QStackedWidget()
        self.list_view, self.pair_view, self.rename_view = list_view, pair_view, rename_view
        for view in (list_view, pair_view, rename_view):
            self.views.addWidget(view)
        layout = QVBoxLayout(self)
        layout.setSpacing(self.ctx.theme.metrics.px(GAP_MM))
        layout.addWidget(label(theme, "기기 · Devices", name="devicesTitle", title=True))
        layout.addWidget(self.views, 1)
        layout.addWidget(self.message)

    # list
    def load(self) -> list[DeviceRow]:
        return self.ctx.runtime.device_admin.rows()

    def show_error(self, exc: KioskError) -> None:
        self.message.setText(error_text(exc))

    def show_data(self, rows: list[DeviceRow]) -> None:
        now = datetime.now(UTC)
        selected = self._selected()
        self.rows = rows
        _fill(
            self.table,
            [
                [
                    r.name if r.paired else f"{r.name} (등록 안 됨 · not paired)",
                    r.model or KIND_NAMES.get(r.kind, r.kind),
                    STATE_NAMES.get(r.state, r.state),
                    "—" if r.battery_percent is None else f"{r.battery_percent}%",
                    "—" if r.rssi is None else f"{r.rssi} dBm",
                    _age(r.last_seen_at, now),
                    r.firmware or "—",
                    _day_time(r.last_reading_at),
                    "" if not r.last_error else f"{r.last_error} → {r.advice or ''}",
                ]
                for r in rows
            ],
        )
        if selected is not None:
            for i, r in enumerate(rows):
                if r.address == selected.address:
                    self.table.selectRow(i)
        self._enable()

    def _enable(self) -> None:
        can = self.ctx.can
        self.add_button.setEnabled(can(Permission.PAIR_DEVICE))
        self.rename_button.setEnabled(can(Permission.RENAME_DEVICE))
        self.test_button.setEnabled(can(Permission.TEST_DEVICE))
        self.forget_button.setEnabled(can(Permission.FORGET_DEVICE))

    def _selected(self) -> DeviceRow | None:
        row = self.table.currentRow()
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def _need_selection(self) -> tuple[AdminSession, DeviceRow] | None:
        session, row = self.ctx.session(), self._selected()
        if session is None or row is None:
            self.message.setText("기기를 먼저 고르세요 · Choose a device first")
            return None
        return session, row

    def back_to_list(self) -> None:
        self.views.setCurrentWidget(self.list_view)
        self.refresh()

    def test_selected(self) -> None:
        picked = self._need_selection()
        if picked is None:
            return
        session, row = picked
        self.message.setText(f"시험 읽기 중 · Test reading {row.name}…")
        self.test_button.setEnabled(False)
        self.ctx.worker.run(
            self.ctx.runtime.device_admin.test_read(session, row.address),
            then=self._tested,
            failed=self._action_failed,
        )

    def _tested(self, result: TestRead) -> None:
        i = result.identity
        battery = "—" if result.battery_percent is None else f"{result.battery_percent}%"
        self.message.setText(
            f"정상 · OK: {i.model} ({i.manufacturer or '—'}), 펌웨어 FW {i.firmware or '—'},"
            f" 배터리 battery {battery}"
        )
        self.refresh()

    def _action_failed(self, exc: KioskError) -> None:
        self.message.setText(error_text(exc))
        self.refresh()

    def forget_selected(self) -> None:
        picked = self._need_selection()
        if picked is None:
            return
        session, row = picked
        self.ctx.worker.run(
            self.ctx.runtime.device_admin.forget(session, row.address),
            then=functools.partial(self._forgotten, row.address),
            failed=self._action_failed,
        )

    def _forgotten(self, address: str, ok: bool) -> None:
        self.message.setText(f"삭제됨 · Forgotten: {address}" if ok else "")
        self.refresh()

    # rename
    def start_rename(self) -> None:
        picked = self._need_selection()
        if picked is None:
            return
        _session, row = picked
        self._renaming = row.address
        self.rename_title.setText(f"새 이름 · New name for {row.name} ({row.address})")
        self.rename_field.setText(row.name)
        self.views.setCurrentWidget(self.rename_view)

    def save_rename(self) -> None:
        session = self.ctx.session()
        if session is None or self._renaming is None:
            return
        self.ctx.worker.call(
            self.ctx.runtime.device_admin.rename,
            session,
            self._renaming,
            self.rename_field.text(),
            then=self._renamed,
            failed=self.show_error,
        )

    def _renamed(self, entry: AllowlistEntry) -> None:
        self._renaming = None
        self.message.setText(f"이름 바뀜 · Renamed: {entry.name}")
        self.back_to_list()

    # pairing
    def start_pairing(self) -> None:
        self.views.setCurrentWidget(self.pair_view)
        self.scan()

    def scan(self) -> None:
        session = self.ctx.session()
        if session is None:
            return
        self.nearby = []
        _fill(self.nearby_table, [])
        self.help = None
        self.help_label.setText("")
        self.help_detail.setText("")
        self.pair_button.setEnabled(False)
        self.rescan_button.setEnabled(False)
        seconds = self.ctx.runtime.device_admin.scan_seconds
        self.scan_status.setText(
            f"주변 기기를 찾는 중 ({seconds:.0f}초) · Looking for devices nearby ({seconds:.0f} s)…"
            "\n기기를 켜고 키오스크 가까이 두세요 · Switch the device on, keep it near."
        )
        self.ctx.worker.run(
            self.ctx.runtime.device_admin.scan(session),
            then=self._scanned,
            failed=self._scan_failed,
        )

    def _scan_failed(self, exc: KioskError) -> None:
        self.rescan_button.setEnabled(True)
        self.scan_status.setText(error_text(exc))

    def _scanned(self, found: list[NearbyDevice]) -> None:
        self.rescan_button.setEnabled(True)
        self.nearby = found
        _fill(
            self.nearby_table,
            [
                [
                    f"{d.profile_name} ({d.name or '—'})"
                    + (" — 이미 등록 · already paired" if d.paired else ""),
                    KIND_NAMES.get(d.kind, d.kind),
                    f"{d.rssi} dBm",
                    PAIRING_NAMES.get(d.pairing, d.pairing),
                    d.address,
                ]
                for d in found
            ],
        )
        self.scan_status.setText(
            f"{len(found)}대 찾음: 연결할 기기를 고르세요 · {len(found)} found: choose one"
            if found
            else "찾은 기기가 없습니다. 기기를 켜고 다시 찾기를 누르세요 · None found: switch "
            "the device on (pairing mode) and scan again."
        )

    def chosen(self) -> NearbyDevice | None:
        row = self.nearby_table.currentRow()
        return self.nearby[row] if 0 <= row < len(self.nearby) else None

    def _chosen(self) -> None:
        device = self.chosen()
        self.pair_button.setEnabled(False)
        if device is None:
            return
        self.help_label.setText("")
        self.ctx.worker.call(
            self.ctx.runtime.device_admin.help_for,
            device,
            then=functools.partial(self._show_help, device),
            failed=self._scan_failed,
        )

    def _show_help(self, device: NearbyDevice, help: PairingHelp) -> None:
        if self.chosen() is not device:
            return  # another row was chosen meanwhile
        self.help = help
        head = "연결 전에 · Before pairing:\n" if help.needs_steps else ""
        self.help_label.setText(head + help.steps)
        self.help_detail.setText(
            f"기술 메모 · Technical note: {help.detail}" if help.detail else ""
        )
        self.pair_button.setEnabled(self.ctx.can(Permission.PAIR_DEVICE))

    def pair_chosen(self) -> None:
        session, device = self.ctx.session(), self.chosen()
        if session is None or device is None:
            return
        self.pair_button.setEnabled(False)
        self.scan_status.setText(f"연결 중 · Pairing {device.profile_name} ({device.address})…")
        self.ctx.worker.run(
            self.ctx.runtime.device_admin.pair(session, device),
            then=self._paired,
            failed=self._pair_failed,
        )

    def _pair_failed(self, exc: KioskError) -> None:
        self.scan_status.setText(f"연결 실패 · Pairing failed: {error_text(exc)}")
        self.pair_button.setEnabled(self.chosen() is not None)

    def _paired(self, entry: AllowlistEntry) -> None:
        self.message.setText(f"연결됨 · Paired: {entry.name} ({entry.address})")
        self.back_to_list()


# --- sync -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SyncData:
    broker: str
    counts: OutboxCounts
    oldest: datetime | None
    rejected: list[tuple[str, str | None]]
    targets: list[Path]


class SyncPage(Page):
    """What ``kiosk sync status`` prints, retry of a rejected row, and export for support."""

    def __init__(self, ctx: Ctx) -> None:
        super().__init__(ctx, "syncPage")
        theme = ctx.theme
        self.summary = label(theme, "", name="syncSummary")
        self.table = _table(theme, "syncRejected", ["메시지 Message id", "사유 Reason"])
        self.retry_button = button(theme, "다시 보내기 · Retry", name="syncRetry")
        self.retry_button.clicked.connect(self.retry_selected)
        self.export_button = button(
            theme, "지원용 내보내기 · Export for support", name="syncExport", primary=True
        )
        self.export_button.clicked.connect(self.export)
        self.targets_row = _row_layout(theme)
        self.targets_row.addStretch(1)
        self.target_buttons: list[QPushButton] = []
        self.targets: list[Path] = []
        self.target: Path | None = None
        self.message = label(theme, "", name="syncMessage")
        self.rejected: list[str] = []
        actions = _row_layout(theme)
        actions.addWidget(self.retry_button)
        actions.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setSpacing(self.ctx.theme.metrics.px(GAP_MM))
        layout.addWidget(label(theme, "전송 · Sync", name="syncTitle", title=True))
        layout.addWidget(self.summary)
        layout.addWidget(label(theme, "거부된 항목 · Rejected", name="syncRejectedTitle"))
        layout.addWidget(self.table, 1)
        layout.addWidget(label(theme, "내보낼 곳 · Export to:", name="syncTargetsTitle"))
        layout.addLayout(self.targets_row)
        layout.addLayout(actions)
        layout.addWidget(self.message)

    def load(self) -> SyncData:
        rt = self.ctx.runtime
        return SyncData(
            broker=rt.admin_broker_state(),
            counts=rt.store.outbox_counts(),
            oldest=rt.store.oldest_unsettled(),
            rejected=rt.store.rejected_rows(),
            targets=export_targets(rt.config.data_dir),
        )

    def show_error(self, exc: KioskError) -> None:
        self.message.setText(error_text(exc))

    def show_data(self, d: SyncData) -> None:
        c = d.counts
        self.summary.setText(
            "\n".join(
                [
                    f"브로커 Broker: {d.broker}",
                    f"대기 Queue depth: {c.pending + c.sent}"
                    f" (pending {c.pending}, awaiting ack {c.sent})",
                    f"가장 오래된 대기 Oldest pending: {_age(d.oldest, datetime.now(UTC))}",
                    f"완료 Committed: {c.committed} · 거부 Rejected: {c.rejected}",
                ]
            )
        )
        self.rejected = [m for m, _ in d.rejected]
        _fill(self.table, [[m, r or "—"] for m, r in d.rejected])
        self.retry_button.setEnabled(bool(d.rejected) and self.ctx.can(Permission.RETRY_SYNC))
        if d.targets != self.targets:
            self._show_targets(d.targets)
        self.export_button.setEnabled(self.ctx.can(Permission.EXPORT_SUPPORT))

    def _show_targets(self, targets: list[Path]) -> None:
        for b in self.target_buttons:
            self.targets_row.removeWidget(b)
            b.hide()
            b.deleteLater()
        self.target_buttons = []
        self.targets = targets
        root = self.ctx.runtime.config.data_dir
        for i, path in enumerate(targets):
            name = "지원 폴더 · Support folder" if i == 0 else f"USB: {path.name}"
            b = button(self.ctx.theme, name, name=f"syncTarget{i}")
            b.setCheckable(True)
            b.setToolTip(str(path.relative_to(root)))
            b.clicked.connect(lambda _c=False, t=path: self.choose_target(t))
            self.targets_row.insertWidget(i, b)
            self.target_buttons.append(b)
        self.choose_target(self.target if self.target in targets else targets[0])

    def choose_target(self, target: Path) -> None:
        self.target = target
        for b, path in zip(self.target_buttons, self.targets, strict=True):
            b.setChecked(path == target)

    def retry_selected(self) -> None:
        session = self.ctx.session()
        row = self.table.currentRow()
        if session is None or not 0 <= row < len(self.rejected):
            self.message.setText("항목을 먼저 고르세요 · Choose a row first")
            return
        msg_id = self.rejected[row]
        self.ctx.worker.call(
            self.ctx.runtime.staff.retry_sync,
            session,
            self.ctx.runtime.store,
            msg_id,
            then=functools.partial(self._retried, msg_id),
            failed=self.show_error,
        )

    def _retried(self, msg_id: str, ok: bool) -> None:
        self.message.setText(f"다시 보냄 · Queued again: {msg_id}" if ok else "")
        self.refresh()

    def export(self) -> None:
        session = self.ctx.session()
        if session is None or self.target is None:
            return
        self.export_button.setEnabled(False)
        self.message.setText("내보내는 중 · Exporting…")
        self.ctx.worker.call(_export, self.ctx.runtime, session, self.target,
                             then=self._exported, failed=self._export_failed)  # fmt: skip

    def _exported(self, path: Path) -> None:
        self.export_button.setEnabled(True)
        self.message.setText(f"저장됨 · Saved: {path}")
        self.exported = path

    def _export_failed(self, exc: KioskError) -> None:
        self.export_button.setEnabled(True)
        self.show_error(exc)


def _export(rt: AdminRuntimeLike, session: AdminSession, target: Path) -> Path:
    """Runtime thread: collect and write the support zip."""
    from kiosk.staff import broker_address

    content = collect(
        kiosk_id=rt.config.kiosk_id,
        broker=f"{broker_address(rt.config)} ({rt.admin_broker_state()})",
        store=rt.store,
        staff=rt.staff,
        settings=rt.settings.current,
        scoring=rt.scoring,
        devices=rt.device_admin.rows(),
    )
    return write_export(session, rt.staff, content, target, data_dir=rt.config.data_dir)


# --- audit and today ------------------------------------------------------------------------
class AuditPage(Page):
    """Read-only: the table cannot be edited and nothing here deletes."""

    def __init__(self, ctx: Ctx) -> None:
        super().__init__(ctx, "auditPage")
        self.table = _table(
            ctx.theme, "auditTable", ["시각 Time", "역할 Role", "동작 Action", "내용 Detail"]
        )
        self.message = label(ctx.theme, "", name="auditMessage")
        layout = QVBoxLayout(self)
        layout.setSpacing(self.ctx.theme.metrics.px(GAP_MM))
        layout.addWidget(label(ctx.theme, "감사 기록 · Audit log", name="auditTitle", title=True))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        self.message.setText(
            "내보내기: 전송 화면의 '지원용 내보내기' 또는 kiosk audit export · Export: Sync page"
            " 'Export for support', or kiosk audit export at the console"
        )

    def load(self) -> list[AuditEntry]:
        return self.ctx.runtime.staff.audit_log(200)

    def show_error(self, exc: KioskError) -> None:
        self.message.setText(error_text(exc))

    def show_data(self, entries: list[AuditEntry]) -> None:
        _fill(
            self.table,
            [
                [e.at.astimezone().strftime("%m-%d %H:%M:%S"), e.role or "—", e.action, e.detail]
                for e in entries
            ],
        )


def local_midnight() -> datetime:
    return datetime.now().astimezone().replace(hour=0, minute=0, second=0, microsecond=0)


class TodayPage(Page):
    """Visitors served, measurements by kind, failures by device, average visit time."""

    def __init__(self, ctx: Ctx) -> None:
        super().__init__(ctx, "todayPage")
        self.summary = label(ctx.theme, "", name="todaySummary")
        self.table = _table(ctx.theme, "todayTable", ["항목 Item", "수 Count"])
        layout = QVBoxLayout(self)
        layout.setSpacing(self.ctx.theme.metrics.px(GAP_MM))
        layout.addWidget(label(ctx.theme, "오늘 · Today", name="todayTitle", title=True))
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)

    def load(self) -> TodaySummary:
        return today_summary(self.ctx.runtime.store, local_midnight())

    def show_error(self, exc: KioskError) -> None:
        self.summary.setText(error_text(exc))

    def show_data(self, t: TodaySummary) -> None:
        avg = "—" if t.average_visit_s is None else f"{t.average_visit_s / 60:.1f} min"
        self.summary.setText(f"방문자 Visitors: {t.visitors} · 평균 방문 시간 Average visit: {avg}")
        rows = [[f"측정 Measured: {k}", str(n)] for k, n in sorted(t.measurements_by_kind.items())]
        rows += [[f"기기 오류 Device failures: {a}", str(n)]
                 for a, n in sorted(t.failures_by_device.items())]  # fmt: skip
        _fill(self.table, rows)


# --- settings -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SettingsData:
    current: KioskSettings
    fixed: list[tuple[str, str]]


CHOICES: dict[str, tuple[tuple[object, str], ...]] = {
    "language_default": (("ko", "한국어"), ("en", "English")),
    "text_size": (("normal", "보통 · Normal"), ("large", "크게 · Large")),
    "contrast": (("standard", "기본 · Standard"), ("high", "고대비 · High")),
    "voice_enabled": ((True, "켬 · On"), (False, "끔 · Off")),
}
# Steppers move in these steps; the limits are the store's (a step past them is refused with
# the reason, so staff learn the range instead of a button that silently stops).
STEPS: dict[str, tuple[int, int, int]] = {  # step, lowest, highest the buttons reach
    "inactivity_timeout_s": (30, 30, 1200),
    "voice_volume": (10, 0, 100),
}
RETENTION_HOURS = (1, 6, 12, 24)  # at most the day guests are told (kiosk/settings.py)
FIELD_NAMES = {
    "language_default": "처음 언어 · Language at start",
    "text_size": "글자 크기 · Text size",
    "contrast": "대비 · Contrast",
    "inactivity_timeout_s": "무응답 초기화 · Inactivity reset",
    "voice_volume": "음성 크기 · Voice volume",
    "voice_enabled": "음성 안내 · Voice guidance",
    "guest_retention_hours": "손님 기록 보관 · Guest data kept",
}


def _value_text(key: str, value: object) -> str:
    if key == "inactivity_timeout_s":
        return f"{value}초 · {value} s (+30 s 경고 · warning)"
    if key == "guest_retention_hours":
        return f"{value}시간 · {value} h"
    if key == "voice_volume":
        return f"{value}%"
    return next((t for v, t in CHOICES.get(key, ()) if v == value), str(value))


class SettingsPage(Page):
    """Technicians change the visitor defaults here (applied from the next visit); staff see
    them. Kiosk id, broker, certificates and model versions are read-only."""

    def __init__(self, ctx: Ctx) -> None:
        super().__init__(ctx, "settingsPage")
        theme = ctx.theme
        self.current = KioskSettings()
        self.draft: dict[str, object] = {}
        self.value_labels: dict[str, QWidget] = {}
        self.controls: dict[str, list[QPushButton]] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(theme.metrics.px(GAP_MM))
        grid.setVerticalSpacing(theme.metrics.px(GAP_MM))
        for r, (key, name) in enumerate(FIELD_NAMES.items()):
            grid.addWidget(label(theme, name, name=f"setName_{key}"), r, 0)
            value = label(theme, "", name=f"setValue_{key}")
            grid.addWidget(value, r, 1)
            self.value_labels[key] = value
            row = _row_layout(theme)
            buttons: list[QPushButton] = []
            if key in CHOICES:
                for i, (v, text) in enumerate(CHOICES[key]):
                    b = button(theme, text, name=f"set_{key}_{i}")
                    b.setCheckable(True)
                    b.clicked.connect(lambda _c=False, k=key, x=v: self.set_value(k, x))
                    buttons.append(b)
            else:
                for sign, text in ((-1, "−"), (1, "+")):
                    b = button(theme, text, name=f"set_{key}_{'down' if sign < 0 else 'up'}")
                    b.clicked.connect(lambda _c=False, k=key, s=sign: self.step(k, s))
                    buttons.append(b)
            for b in buttons:
                row.addWidget(b)
            row.addStretch(1)
            grid.addLayout(row, r, 2)
            self.controls[key] = buttons
        self.save_button = button(theme, "저장 · Save", name="settingsSave", primary=True)
        self.undo_button = button(theme, "되돌리기 · Undo changes", name="settingsUndo")
        self.save_button.clicked.connect(self.save)
        self.undo_button.clicked.connect(self.undo)
        self.message = label(theme, "", name="settingsMessage")
        self.table = _table(theme, "settingsTable", ["설치 정보 Installed", "값 Value"])
        self.table.setMinimumHeight(theme.metrics.px(40.0))
        actions = _row_layout(theme)
        actions.addWidget(self.save_button)
        actions.addWidget(self.undo_button)
        actions.addStretch(1)
        self.role_note = label(theme, "", name="settingsRoleNote")
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setSpacing(self.ctx.theme.metrics.px(GAP_MM))
        layout.addWidget(label(theme, "설정 · Settings", name="settingsTitle", title=True))
        layout.addWidget(self.role_note)
        layout.addLayout(grid)
        layout.addLayout(actions)
        layout.addWidget(self.message)
        layout.addWidget(self.table)
        scroll = QScrollArea()
        scroll.setObjectName("settingsScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        QVBoxLayout(self).addWidget(scroll)

    def load(self) -> SettingsData:
        from kiosk.staff import settings_rows

        rt = self.ctx.runtime
        return SettingsData(rt.settings.current, settings_rows(rt.config, rt.scoring))

    def show_error(self, exc: KioskError) -> None:
        self.message.setText(error_text(exc))

    def show_data(self, d: SettingsData) -> None:
        self.current = d.current
        _fill(self.table, [list(r) for r in d.fixed])
        self._draw()

    def value(self, key: str) -> object:
        return self.draft.get(key, getattr(self.current, key))

    def _draw(self) -> None:
        editable = self.ctx.can(Permission.CHANGE_SETTINGS)
        self.role_note.setText(
            "바꾼 값은 다음 방문자부터 적용됩니다 · Changes apply from the next visitor."
            if editable
            else "기술 담당자만 바꿀 수 있습니다 · Only a technician PIN can change these."
        )
        for key, value_label in self.value_labels.items():
            v = self.value(key)
            mark = " ✎" if key in self.draft else ""
            value_label.setProperty("text", _value_text(key, v) + mark)
            for i, b in enumerate(self.controls[key]):
                b.setEnabled(editable)
                if key in CHOICES:
                    b.setChecked(CHOICES[key][i][0] == v)
        self.save_button.setEnabled(editable and bool(self.draft))
        self.undo_button.setEnabled(bool(self.draft))

    def set_value(self, key: str, value: object) -> None:
        if value == getattr(self.current, key):
            self.draft.pop(key, None)
        else:
            self.draft[key] = value
        self._draw()

    def step(self, key: str, sign: int) -> None:
        v = self.value(key)
        assert isinstance(v, int)
        if key == "guest_retention_hours":
            steps = RETENTION_HOURS
            i = min(range(len(steps)), key=lambda j: abs(steps[j] - v))
            new = steps[max(0, min(len(steps) - 1, i + sign))]
        else:
            size, low, high = STEPS[key]
            new = max(low, min(high, v + sign * size))
        self.set_value(key, new)

    def undo(self) -> None:
        self.draft.clear()
        self.message.setText("")
        self._draw()

    def save(self) -> None:
        session = self.ctx.session()
        if session is None or not self.draft:
            return
        changes = dict(self.draft)
        self.save_button.setEnabled(False)
        rt = self.ctx.runtime
        self.ctx.worker.call(
            rt.staff.change_settings, session, rt.settings, changes,
            then=self._saved, failed=self._save_failed,
        )  # fmt: skip

    def _saved(self, settings: KioskSettings) -> None:
        changed = [k for k in self.draft if getattr(settings, k) == self.draft[k]]
        self.draft.clear()
        self.current = settings
        self.message.setText(
            f"저장됨 · Saved ({len(changed)}): 다음 방문자부터 · from the next visitor"
        )
        self.refresh()

    def _save_failed(self, exc: KioskError) -> None:
        self.message.setText(f"저장 안 됨 · Not saved: {error_text(exc)}")
        self._draw()


__all__ = [
    "AdminRuntimeLike",
    "AlertsPage",
    "AuditPage",
    "Ctx",
    "DevicesPage",
    "Page",
    "SettingsPage",
    "SyncPage",
    "TodayPage",
]
