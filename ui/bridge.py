"""Re-deliver the kiosk's observer signals as Qt signals on the GUI thread.

:class:`kiosk.observable.Signal` runs callbacks on the emitting thread, which is the kiosk
runtime's asyncio thread. Widgets may only be touched on the GUI thread, so every callback here
just posts a queued Qt event and returns: the runtime thread never waits for the GUI.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal, Slot

if TYPE_CHECKING:
    from kiosk.session import Visit, VisitManager
    from kiosk.visit_flow import VisitFlow


class ModelBridge(QObject):
    """Qt face of a :class:`VisitManager`. Create it on the GUI thread; call :meth:`close`.

    The public signals carry the kiosk's immutable values unchanged and always fire on the thread
    this object lives in (the GUI thread), whatever thread the kiosk emitted from.
    """

    visit_changed = Signal(object)  # kiosk.session.Visit | None
    result_added = Signal(object)  # kiosk.session.BpResult
    retry_requested = Signal(object)  # kiosk.session.RetryRequest
    staff_alert = Signal(object)  # kiosk.session.StaffAlert
    measurement_added = Signal(object)  # kiosk.session.MeasurementResult
    flow_changed = Signal(object)  # kiosk.visit_flow.FlowState

    # One internal channel for all kinds keeps their order exactly as the kiosk emitted them.
    _posted = Signal(str, object)

    def __init__(
        self, visits: VisitManager, flow: VisitFlow | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._visits = visits
        self._lock = threading.Lock()
        self._closed = False
        self._public = {
            "visit_changed": self.visit_changed,
            "result_added": self.result_added,
            "retry_requested": self.retry_requested,
            "staff_alert": self.staff_alert,
            "measurement_added": self.measurement_added,
            "flow_changed": self.flow_changed,
        }
        # Queued explicitly: the emitter is a foreign thread, and an auto connection would also
        # be queued, but saying so documents the contract and survives a moveToThread.
        self._posted.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._disconnects: list[Callable[[], None]] = [
            visits.visit_changed.connect(self._forwarder("visit_changed")),
            visits.result_added.connect(self._forwarder("result_added")),
            visits.retry_requested.connect(self._forwarder("retry_requested")),
            visits.staff_alert.connect(self._forwarder("staff_alert")),
            visits.measurement_added.connect(self._forwarder("measurement_added")),
        ]
        if flow is not None:
            self._disconnects.append(flow.changed.connect(self._forwarder("flow_changed")))

    def current_visit(self) -> Visit | None:
        """A snapshot for a screen's first paint; later changes arrive as signals.

        Reading one attribute is atomic in CPython and Visit is frozen, so this is safe from the
        GUI thread even while the runtime thread replaces it.
        """
        return self._visits.current

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Stop observing the kiosk. Idempotent; events already queued are dropped."""
        with self._lock:
            self._closed = True
            disconnects, self._disconnects = self._disconnects, []
        for disconnect in disconnects:
            disconnect()

    def _forwarder(self, name: str) -> Callable[[object], None]:
        def forward(value: object) -> None:  # runs on the kiosk runtime thread
            # The lock makes close() a barrier: once it returns, no new event is posted, so a
            # deleted bridge is never emitted on. Posting a queued event does not block.
            with self._lock:
                if not self._closed:
                    self._posted.emit(name, value)

        return forward

    @Slot(str, object)
    def _deliver(self, name: str, value: object) -> None:  # runs on the GUI thread
        if not self._closed:
            self._public[name].emit(value)
