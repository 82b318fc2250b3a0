"""The visitor's flow as a Qt-free model: which step a visit is in, the language, how the
visitor identified, consent, the inactivity countdown and the privacy reset.

It wraps :class:`~kiosk.session.VisitManager` and runs on the same thread (the kiosk runtime):
front ends post intent with ``runtime.call_soon(flow.method, ...)`` and draw the immutable
:class:`FlowState` that ``changed`` carries. Time comes in as an argument (``now``, monotonic
seconds), so the countdown is testable without waiting.
"""

from __future__ import annotations

import enum
import hashlib
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from kiosk.errors import SessionError
from kiosk.observable import Signal
from kiosk.scoring.bp import Alert
from kiosk.session import (
    BpResult,
    MeasurementResult,
    RetryRequest,
    StaffAlert,
    VisitManager,
    VisitorKind,
)

# Shown on the consent screen and kept with the consent; bump when the wording changes.
CONSENT_VERSION = "2026-12-v1"

# Minutes, not seconds (kiosk_ux.md §4): the idle reset protects the next visitor's privacy,
# it is not a limit on any decision. The warning gives ≥ 20 s and can be extended any number
# of times.
IDLE_AFTER_S = 180.0
WARNING_S = 30.0

_MEMBER_NUMBER = re.compile(r"^[0-9]{6,12}$")
# The citizen app's QR text, typed by a keyboard-wedge barcode reader: "GJHC1:<token>".
_QR_PAYLOAD = re.compile(r"^GJHC1:([A-Za-z0-9_-]{16,64})$")


class Step(enum.StrEnum):
    WELCOME = "welcome"
    IDENTIFY = "identify"
    CONSENT = "consent"
    MEASURE = "measure"
    RESULTS = "results"
    FINISH = "finish"
    STAFF = "staff"  # a crisis reading: a calm "staff are coming" screen


class Language(enum.StrEnum):
    KO = "ko"
    EN = "en"


class LiveState(enum.StrEnum):
    WAITING = "waiting"
    RESULT = "result"
    RETRY = "retry"


# Steps where a visitor's data is on screen, so an idle kiosk must be reset. The welcome screen
# holds nothing; the staff screen waits for staff, who reset it themselves.
_IDLE_STEPS = frozenset({Step.IDENTIFY, Step.CONSENT, Step.MEASURE, Step.RESULTS, Step.FINISH})


@dataclass(frozen=True, slots=True)
class FlowState:
    step: Step = Step.WELCOME
    language: Language = Language.KO
    visitor_kind: VisitorKind | None = None
    # Only the last digits, for "is this you?"; never the full number (검증기준 10).
    member_hint: str | None = None
    consent_version: str | None = None
    consented_at: datetime | None = None
    open_lab: bool = False
    live: LiveState = LiveState.WAITING
    retry_ko: str | None = None
    retry_en: str | None = None
    results: tuple[BpResult | MeasurementResult, ...] = field(default_factory=tuple)
    # Seconds left before the privacy reset, while the warning is shown; None otherwise.
    countdown_s: int | None = None
    # True only for the state just after an automatic idle reset.
    reset_by_idle: bool = False
    # "member" or "qr" after input that identified nobody; cleared by the next step.
    identify_error: str | None = None

    @property
    def syncs(self) -> bool:
        """Results go to a health record (citizens), or stay on this kiosk (guests)."""
        return self.visitor_kind is not None and self.visitor_kind is not VisitorKind.GUEST


def member_subject_ref(member_number: str) -> str:
    """A pseudonymous subject reference: the number itself never leaves the flow."""
    digest = hashlib.sha256(f"gjhc-member:{member_number}".encode()).hexdigest()[:32]
    return f"member-{digest}"


def parse_qr(text: str) -> str | None:
    """The citizen app's token from a scanned QR text, or None when it is not ours."""
    match = _QR_PAYLOAD.match(text.strip())
    return f"citizen-{match.group(1)}" if match else None


class VisitFlow:
    def __init__(
        self,
        visits: VisitManager,
        *,
        idle_after_s: float = IDLE_AFTER_S,
        warning_s: float = WARNING_S,
    ) -> None:
        if warning_s < 20:
            raise SessionError("the inactivity warning must give at least 20 s")
        self.visits = visits
        self.idle_after_s = idle_after_s
        self.warning_s = warning_s
        self.state = FlowState()
        self.changed: Signal[FlowState] = Signal()
        self._last_input: float | None = None
        self._disconnects = [
            visits.result_added.connect(self._on_result),
            visits.measurement_added.connect(self._on_result),
            visits.retry_requested.connect(self._on_retry),
            visits.staff_alert.connect(self._on_staff_alert),
        ]

    def close(self) -> None:
        """Stop following the visit manager (a closed window's flow). Idempotent."""
        disconnects, self._disconnects = self._disconnects, []
        for disconnect in disconnects:
            disconnect()

    # --- intent from the visitor (all take ``now``: monotonic seconds) -------------------
    def start(self, now: float) -> None:
        self._require(Step.WELCOME)
        self._set(replace(self.state, step=Step.IDENTIFY), now)

    def set_language(self, language: Language, now: float) -> None:
        self._set(replace(self.state, language=language), now)

    def identify_member(self, member_number: str, now: float) -> bool:
        """False (and ``identify_error`` set) when the number is not a member number."""
        self._require(Step.IDENTIFY)
        if not _MEMBER_NUMBER.match(member_number):
            self._set(replace(self.state, identify_error="member"), now)
            return False
        self.visits.start_visit(VisitorKind.MEMBER_CARD, member_subject_ref(member_number))
        self._set(
            replace(
                self.state,
                step=Step.CONSENT,
                visitor_kind=VisitorKind.MEMBER_CARD,
                member_hint=member_number[-2:],
                identify_error=None,
            ),
            now,
        )
        return True

    def identify_qr(self, text: str, now: float) -> bool:
        self._require(Step.IDENTIFY)
        subject = parse_qr(text)
        if subject is None:
            self._set(replace(self.state, identify_error="qr"), now)
            return False
        self.visits.start_visit(VisitorKind.CITIZEN_APP, subject)
        self._set(replace(self.state, step=Step.CONSENT, visitor_kind=VisitorKind.CITIZEN_APP), now)
        return True

    def identify_guest(self, now: float) -> None:
        self._require(Step.IDENTIFY)
        self.visits.start_visit(VisitorKind.GUEST)
        self._set(replace(self.state, step=Step.CONSENT, visitor_kind=VisitorKind.GUEST), now)

    def consent(self, open_lab: bool, now: float) -> None:
        """Health-data consent (required to measure) with the separate, optional Open Lab
        sharing (PIPA Art. 23). A guest cannot share: nothing of theirs leaves the kiosk."""
        self._require(Step.CONSENT)
        self.visits.give_consent(version=CONSENT_VERSION, open_lab=open_lab and self.state.syncs)
        self._set(
            replace(
                self.state,
                step=Step.MEASURE,
                consent_version=CONSENT_VERSION,
                consented_at=datetime.now(UTC),
                open_lab=open_lab and self.state.syncs,
            ),
            now,
        )

    def show_results(self, now: float) -> None:
        self._require(Step.MEASURE)
        self._set(replace(self.state, step=Step.RESULTS), now)

    def measure_more(self, now: float) -> None:
        self._require(Step.RESULTS)
        self._set(replace(self.state, step=Step.MEASURE, live=LiveState.WAITING), now)

    def finish(self, now: float) -> None:
        self._require(Step.RESULTS)
        self._set(replace(self.state, step=Step.FINISH), now)

    def more_time(self, now: float) -> None:
        """The big "more time" button: any number of times."""
        self.touch(now)

    def reset(self, now: float) -> None:
        """Start over: end the visit and forget everything about the visitor."""
        self._reset(now, by_idle=False)

    def touch(self, now: float) -> None:
        """Any input from the visitor restarts the idle clock and hides the warning."""
        self._last_input = now
        if self.state.countdown_s is not None:
            self._set(replace(self.state, countdown_s=None), now)

    # --- the clock -----------------------------------------------------------------------
    def tick(self, now: float) -> None:
        """Called about once a second; shows the countdown, then resets an idle visit."""
        if self.state.step not in _IDLE_STEPS or self._last_input is None:
            return
        idle = now - self._last_input
        if idle >= self.idle_after_s + self.warning_s:
            self._reset(now, by_idle=True)
            return
        countdown: int | None = None
        if idle >= self.idle_after_s:
            countdown = max(1, round(self.idle_after_s + self.warning_s - idle))
        if countdown != self.state.countdown_s:
            self._publish(replace(self.state, countdown_s=countdown))

    # --- events from the visit manager (same thread) -------------------------------------
    def _on_result(self, result: BpResult | MeasurementResult) -> None:
        if self.state.step not in (Step.MEASURE, Step.RESULTS, Step.STAFF):
            return
        self._publish(
            replace(self.state, results=(*self.state.results, result), live=LiveState.RESULT)
        )

    def _on_retry(self, request: RetryRequest) -> None:
        if request.visit_id is None or self.state.step is not Step.MEASURE:
            return
        self._publish(
            replace(
                self.state,
                live=LiveState.RETRY,
                retry_ko=request.message_ko,
                retry_en=request.message_en,
            )
        )

    def _on_staff_alert(self, alert: StaffAlert) -> None:
        if alert.alert is Alert.STAFF_NOW and self.state.step is not Step.WELCOME:
            self._publish(replace(self.state, step=Step.STAFF, countdown_s=None))

    # --- internals -----------------------------------------------------------------------
    def _reset(self, now: float, *, by_idle: bool) -> None:
        self.visits.end_visit()
        self._last_input = None
        # Back to defaults, language included: the next visitor sees nothing of this one.
        self._publish(FlowState(reset_by_idle=by_idle))

    def _require(self, step: Step) -> None:
        if self.state.step is not step:
            raise SessionError(f"not possible at step {self.state.step}, only at {step}")

    def _set(self, state: FlowState, now: float) -> None:
        self._last_input = now
        error = state.identify_error if state.step is Step.IDENTIFY else None
        self._publish(replace(state, countdown_s=None, reset_by_idle=False, identify_error=error))

    def _publish(self, state: FlowState) -> None:
        self.state = state
        self.changed.emit(state)
