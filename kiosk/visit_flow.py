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
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from kiosk.errors import KioskError, SessionError
from kiosk.history import VisitorHistory, history_for_visit
from kiosk.hub import ERROR, IDLE, READING
from kiosk.observable import Signal
from kiosk.risk_estimate import (
    BIRTH_YEAR_START,
    RiskAnswers,
    RiskEstimate,
    RiskOutcome,
    RiskStep,
    clamp_birth_year,
    estimate_risk,
    missing_measurement,
)
from kiosk.scoring.bp import Alert
from kiosk.scoring.service import ScoringService
from kiosk.session import (
    DEFAULT_CONSENT_VERSION,
    BpResult,
    MeasurementResult,
    RetryRequest,
    StaffAlert,
    VisitManager,
    VisitorKind,
)
from kiosk.settings import SettingsStore

if TYPE_CHECKING:
    from kiosk.hub import CuffPressureReport, DeviceHub, DeviceStatus

log = logging.getLogger(__name__)

# Shown on the consent screen and kept with the consent (one definition, in kiosk.session).
CONSENT_VERSION = DEFAULT_CONSENT_VERSION

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
    CHOOSE = "choose"  # which measurements, or "check everything"
    MEASURE = "measure"  # one chosen kind at a time, with its guidance
    RESULTS = "results"
    FINISH = "finish"
    STAFF = "staff"  # a crisis reading: a calm "staff are coming" screen


class Language(enum.StrEnum):
    KO = "ko"
    EN = "en"


class ResultsView(enum.StrEnum):
    """What the results step shows: today's values, earlier visits, the heart-health estimate."""

    VALUES = "values"
    TREND = "trend"
    RISK = "risk"


class LiveState(enum.StrEnum):
    WAITING = "waiting"
    RESULT = "result"
    RETRY = "retry"


class MeasureKind(enum.StrEnum):
    """What a visitor chooses to measure; one device type each."""

    BLOOD_PRESSURE = "blood_pressure"
    GLUCOSE = "glucose"
    BODY = "body"  # the scale: weight and body composition in one step


# The order a visit walks the kinds in, and which device kinds (hub, allowlist) serve each.
MEASURE_ORDER = (MeasureKind.BLOOD_PRESSURE, MeasureKind.GLUCOSE, MeasureKind.BODY)
KIND_OF_DEVICE: dict[str, MeasureKind] = {
    "blood_pressure": MeasureKind.BLOOD_PRESSURE,
    "glucose": MeasureKind.GLUCOSE,
    "weight": MeasureKind.BODY,
    "body_composition": MeasureKind.BODY,
}


class Guide(enum.StrEnum):
    """The live state of the guidance for the kind being measured."""

    WAITING = "waiting"  # the instruction; no device of this kind linked yet
    READY = "ready"  # its device is linked and waiting for the visitor
    MEASURING = "measuring"  # the device is measuring (live cuff pressure for BP)
    RESULT = "result"
    RETRY = "retry"  # the kiosk refused a reading: kindly ask again
    DEVICE_ERROR = "device_error"  # the device fails; detail and advice go to staff


class SyncState(enum.StrEnum):
    """Where this visit's results are, for the finish screen."""

    NONE = "none"  # nothing measured, or not at the finish yet
    KEPT_HERE = "kept_here"  # a guest: never leaves the kiosk
    SENDING = "sending"  # the broker is reachable; waiting for the record's ack
    SENT = "sent"  # the record service acknowledged every result
    WAITING_NETWORK = "waiting_network"  # queued on the kiosk until the network returns
    HELD = "held"  # refused by the record service: staff look (never retried blindly)


def kind_of(result: BpResult | MeasurementResult) -> MeasureKind:
    return KIND_OF_DEVICE[result.reading.kind]


# Steps where a visitor's data is on screen, so an idle kiosk must be reset. The welcome screen
# holds nothing; the staff screen waits for staff, who reset it themselves.
_IDLE_STEPS = frozenset(
    {Step.IDENTIFY, Step.CONSENT, Step.CHOOSE, Step.MEASURE, Step.RESULTS, Step.FINISH}
)


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
    # Display modes (kiosk_ux.md §2, 검증기준 3): the visitor may switch them; every reset
    # returns them to the kiosk's defaults, like the language.
    large_text: bool = False
    high_contrast: bool = False
    # The "text and sound" panel over the screen (modes, sound off/on, volume); a change of
    # step closes it.
    options_open: bool = False
    # Choosing and measuring (issue 7): the kinds this kiosk has devices for, the visitor's
    # choice in MEASURE_ORDER, which one is on screen and its live guidance.
    available: tuple[MeasureKind, ...] = MEASURE_ORDER
    chosen: tuple[MeasureKind, ...] = ()
    position: int = 0
    guide: Guide = Guide.WAITING
    cuff_mmhg: int | None = None  # live cuff pressure while the cuff inflates
    skipped: tuple[MeasureKind, ...] = ()
    round_start: int = 0  # results before this index belong to an earlier round
    sync: SyncState = SyncState.NONE
    # Results extras (issue 7). Earlier results on this kiosk (None for a guest: never shown).
    history: VisitorHistory | None = None
    results_view: ResultsView = ResultsView.VALUES
    # The optional heart-health question. The answers live only here, for this visit: never
    # stored, synced or logged; the reset's fresh state drops them.
    risk_step: RiskStep = RiskStep.OFFER
    risk_answers: RiskAnswers = field(default_factory=RiskAnswers)
    risk: RiskEstimate | None = None

    @property
    def syncs(self) -> bool:
        """Results go to a health record (citizens), or stay on this kiosk (guests)."""
        return self.visitor_kind is not None and self.visitor_kind is not VisitorKind.GUEST

    @property
    def measuring(self) -> MeasureKind | None:
        """The kind whose guidance is on screen, at the measure step."""
        if self.step is Step.MEASURE and self.position < len(self.chosen):
            return self.chosen[self.position]
        return None

    @property
    def last_kind(self) -> bool:
        return self.position + 1 >= len(self.chosen)

    def round_results(self, kind: MeasureKind) -> tuple[BpResult | MeasurementResult, ...]:
        """This round's results of one kind (a "measure more" round starts afresh)."""
        return tuple(r for r in self.results[self.round_start :] if kind_of(r) is kind)


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
        settings: SettingsStore | None = None,
        devices: DeviceHub | None = None,
        device_kinds: Callable[[], Iterable[str]] | None = None,
        sync_link: Callable[[], bool] | None = None,
        scoring: ScoringService | None = None,
    ) -> None:
        """``devices``: the hub whose status and live cuff pressure the guidance follows
        (its signals fire on the runtime thread, like this flow). ``device_kinds``: the
        allowlisted device kinds (read on the runtime thread). ``sync_link``: whether the
        broker is reachable now, for the finish screen's sync state."""

        if warning_s < 20:
            raise SessionError("the inactivity warning must give at least 20 s")
        self.visits = visits
        self.idle_after_s = idle_after_s
        self.warning_s = warning_s
        # Technician settings (admin screen): read at each reset, so a change applies from the
        # next visit and never in the middle of one.
        self._settings = settings
        # The runtime's hash-verified models; loaded on first use (runtime thread) if not given.
        self._scoring = scoring
        # Display-mode defaults given directly (set_display_defaults) win over the settings.
        self._display_override: tuple[bool, bool] | None = None
        self.state = self._fresh_state()
        self.changed: Signal[FlowState] = Signal()
        self._last_input: float | None = None
        # The latest time the flow was told (ticks, taps). A visitor using a device (a cuff
        # inflating, a reading) is not idle though they do not touch the screen: that counts
        # as input at this time, so time stays an argument.
        self._clock: float | None = None
        self._devices = devices
        self._device_kinds = device_kinds
        self._sync_link = sync_link
        self._device_status: dict[str, DeviceStatus] = {}
        self._disconnects = [
            visits.result_added.connect(self._on_result),
            visits.measurement_added.connect(self._on_result),
            visits.retry_requested.connect(self._on_retry),
            visits.staff_alert.connect(self._on_staff_alert),
        ]
        if devices is not None:
            self._disconnects += [
                devices.status_changed.connect(self._on_device_status),
                devices.cuff_pressure.connect(self._on_cuff_pressure),
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

    def set_large_text(self, on: bool, now: float) -> None:
        self._set(replace(self.state, large_text=on), now)

    def set_high_contrast(self, on: bool, now: float) -> None:
        self._set(replace(self.state, high_contrast=on), now)

    def show_options(self, open_: bool, now: float) -> None:
        self._set(replace(self.state, options_open=open_), now)

    def set_display_defaults(self, *, large_text: bool, high_contrast: bool) -> None:
        """The kiosk's default display modes when there are no settings to read them from (a
        runtime stand-in). They apply at the next reset, and at once on the welcome screen."""
        self._display_override = (large_text, high_contrast)
        if self.state.step is Step.WELCOME:
            self._publish(replace(self.state, large_text=large_text, high_contrast=high_contrast))

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
                step=Step.CHOOSE,
                available=self._available(),
                consent_version=CONSENT_VERSION,
                consented_at=datetime.now(UTC),
                open_lab=open_lab and self.state.syncs,
            ),
            now,
        )

    def choose(self, kinds: Iterable[MeasureKind | str], now: float) -> None:
        """Measure these kinds, one at a time in MEASURE_ORDER."""
        self._require(Step.CHOOSE)
        try:
            wanted = {MeasureKind(k) for k in kinds}
        except ValueError as exc:
            raise SessionError(f"not a kind of measurement: {exc}") from exc
        chosen = tuple(k for k in self.state.available if k in wanted)
        if not chosen:
            raise SessionError("choose at least one measurement this kiosk has")
        self._begin(chosen, now)

    def choose_all(self, now: float) -> None:
        """The big "check everything" button."""
        self._require(Step.CHOOSE)
        self._begin(self.state.available, now)

    def next_kind(self, now: float) -> None:
        """On to the next chosen kind, or the results after the last."""
        self._require(Step.MEASURE)
        self._set(self._advance(self.state), now)

    def skip_kind(self, now: float) -> None:
        """The "skip this one" button: nothing is lost, the visit goes on with the next kind."""
        self._require(Step.MEASURE)
        kind = self.state.measuring
        skipped = (*self.state.skipped, kind) if kind is not None else self.state.skipped
        self._set(self._advance(replace(self.state, skipped=skipped)), now)

    def retry_kind(self, now: float) -> None:
        """The "try again" button after a refused reading or a device fault."""
        self._require(Step.MEASURE)
        kind = self.state.measuring
        guide = self._device_guide(kind) if kind is not None else Guide.WAITING
        self._set(
            replace(
                self.state,
                guide=Guide.WAITING if guide is Guide.DEVICE_ERROR else guide,
                cuff_mmhg=None,
                live=LiveState.WAITING,
            ),
            now,
        )

    def show_results(self, now: float) -> None:
        self._require(Step.MEASURE)
        state = replace(self.state, step=Step.RESULTS, cuff_mmhg=None)
        self._set(self._results_extras(state), now)

    def measure_more(self, now: float) -> None:
        self._require(Step.RESULTS)
        self._set(
            replace(
                self.state,
                step=Step.CHOOSE,
                live=LiveState.WAITING,
                available=self._available(),
                # Readings from here on (even before the choice) belong to the new round.
                round_start=len(self.state.results),
            ),
            now,
        )

    def finish(self, now: float) -> None:
        self._require(Step.RESULTS)
        state = replace(self.state, step=Step.FINISH)
        self._set(replace(state, sync=self._sync_state(state)), now)

    def more_time(self, now: float) -> None:
        """The big "more time" button: any number of times."""
        self.touch(now)

    def reset(self, now: float) -> None:
        """Start over: end the visit and forget everything about the visitor."""
        self._reset(now, by_idle=False)

    def touch(self, now: float) -> None:
        """Any input from the visitor restarts the idle clock and hides the warning."""
        self._last_input = self._clock = now
        if self.state.countdown_s is not None:
            self._set(replace(self.state, countdown_s=None), now)

    # --- results extras: earlier visits and the heart-health estimate -----------------------
    def show_results_view(self, view: ResultsView, now: float) -> None:
        self._require(Step.RESULTS)
        state = replace(self.state, results_view=view)
        if view is ResultsView.TREND and state.history is None:
            state = replace(state, results_view=ResultsView.VALUES)  # a guest has no history
        if view is ResultsView.RISK and state.risk_step in (RiskStep.OFFER, RiskStep.SKIPPED):
            missing = missing_measurement(state.results)
            # Nothing to ask when a measurement is missing: say which one instead.
            state = replace(
                state,
                risk_step=RiskStep.ASK if missing is None else RiskStep.SHOWN,
                risk=missing,
            )
        self._set(state, now)

    def risk_birth_year(self, delta: int, now: float) -> None:
        """The birth-year stepper: +-1 and +-10 years from the year shown."""
        self._require(Step.RESULTS)
        answers = self.state.risk_answers
        year = (answers.birth_year or BIRTH_YEAR_START) + delta
        year = clamp_birth_year(year, datetime.now(UTC).date())
        self._set(replace(self.state, risk_answers=replace(answers, birth_year=year)), now)

    def risk_sex(self, sex: str, now: float) -> None:
        self._require(Step.RESULTS)
        if sex not in ("M", "F"):
            raise SessionError("sex must be M or F")  # the answer itself is never echoed
        answers = replace(self.state.risk_answers, sex=sex)
        self._set(replace(self.state, risk_answers=answers), now)

    def risk_smoker(self, smoker: bool, now: float) -> None:
        self._require(Step.RESULTS)
        answers = replace(self.state.risk_answers, smoker=smoker)
        self._set(replace(self.state, risk_answers=answers), now)

    def risk_submit(self, now: float) -> None:
        """Score the answers with this visit's measurements (runtime thread)."""
        self._require(Step.RESULTS)
        if not self.state.risk_answers.complete:
            return
        estimate = self._estimate(self.state)
        self._set(replace(self.state, risk_step=RiskStep.SHOWN, risk=estimate), now)

    def risk_skip(self, now: float) -> None:
        """No estimate: the answers are dropped at once."""
        self._require(Step.RESULTS)
        self._set(
            replace(
                self.state,
                results_view=ResultsView.VALUES,
                risk_step=RiskStep.SKIPPED,
                risk_answers=RiskAnswers(),
                risk=None,
            ),
            now,
        )

    def _estimate(self, state: FlowState) -> RiskEstimate:
        if self._scoring is None:
            self._scoring = ScoringService.load()
        missing = missing_measurement(state.results)
        if missing is not None:
            return missing
        return estimate_risk(
            self._scoring, state.risk_answers, state.results, datetime.now(UTC).date()
        )

    def _results_extras(self, state: FlowState) -> FlowState:
        """Entering the results: today's values first, the history read afresh, an estimate
        made again with any new measurement (or offered again when one was missing)."""
        visit = self.visits.current
        history = history_for_visit(
            self.visits.store,
            visit.subject_ref if visit else None,
            visit.id if visit else None,
            guest=state.visitor_kind in (None, VisitorKind.GUEST),
        )
        state = replace(state, history=history, results_view=ResultsView.VALUES)
        if state.risk_step is not RiskStep.SHOWN:
            return state
        if state.risk is not None and state.risk.outcome is RiskOutcome.ESTIMATE:
            return replace(state, risk=self._estimate(state))
        return replace(state, risk_step=RiskStep.OFFER, risk=None)

    # --- the clock -----------------------------------------------------------------------
    def tick(self, now: float) -> None:
        """Called about once a second; follows the finish screen's sync state, shows the
        countdown, then resets an idle visit."""
        self._clock = now
        if self.state.step is Step.FINISH and self.state.sync in (
            SyncState.SENDING,
            SyncState.WAITING_NETWORK,
        ):
            sync = self._sync_state(self.state)
            if sync is not self.state.sync:
                self._publish(replace(self.state, sync=sync))
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
        if self.state.step not in (Step.CHOOSE, Step.MEASURE, Step.RESULTS, Step.STAFF):
            return
        state = replace(self.state, results=(*self.state.results, result), live=LiveState.RESULT)
        state = self._device_used(state)
        if state.measuring is not None and kind_of(result) is state.measuring:
            state = replace(state, guide=Guide.RESULT, cuff_mmhg=None)
        self._publish(state)

    def _on_device_status(self, status: DeviceStatus) -> None:
        self._device_status[status.address] = status
        kind = self.state.measuring
        if kind is None or KIND_OF_DEVICE.get(status.kind) is not kind:
            return
        if self.state.guide in (Guide.RESULT, Guide.RETRY):
            return  # the visitor reads the result or the kind "again" message first
        guide = self._device_guide(kind)
        if guide is Guide.DEVICE_ERROR and self.state.guide is not Guide.DEVICE_ERROR:
            # Staff detail for the log and the admin devices page; the visitor sees kind words.
            log.warning(
                "device %s (%s) failing during a visit: %s; advice: %s",
                status.address,
                status.kind,
                status.last_error,
                status.advice,
            )
        if guide is not self.state.guide:
            cuff = self.state.cuff_mmhg if guide is Guide.MEASURING else None
            self._publish(replace(self.state, guide=guide, cuff_mmhg=cuff))

    def _on_cuff_pressure(self, report: CuffPressureReport) -> None:
        if self.state.measuring is not MeasureKind.BLOOD_PRESSURE:
            return
        if self.state.guide is Guide.RESULT:
            return
        self._publish(
            replace(
                self._device_used(self.state),
                guide=Guide.MEASURING,
                cuff_mmhg=round(report.mmhg),
                live=LiveState.WAITING,
            )
        )

    def _on_retry(self, request: RetryRequest) -> None:
        if request.visit_id is None or self.state.step is not Step.MEASURE:
            return
        self._publish(
            replace(
                self.state,
                live=LiveState.RETRY,
                guide=Guide.RETRY,
                cuff_mmhg=None,
                retry_ko=request.message_ko,
                retry_en=request.message_en,
            )
        )

    def _on_staff_alert(self, alert: StaffAlert) -> None:
        if alert.alert is Alert.STAFF_NOW and self.state.step is not Step.WELCOME:
            self._publish(replace(self.state, step=Step.STAFF, countdown_s=None))

    # --- choosing and measuring (runtime thread) -----------------------------------------
    def _available(self) -> tuple[MeasureKind, ...]:
        """Kinds with an allowlisted or linked device; every kind when none is known yet
        (a kiosk before pairing, the visitor-only test stand-ins)."""
        device_kinds: set[str] = set()
        if self._devices is not None:
            self._device_status.update(dict(self._devices.status))
        device_kinds.update(s.kind for s in self._device_status.values())
        if self._device_kinds is not None:
            try:
                device_kinds.update(self._device_kinds())
            except KioskError:
                log.exception("allowlisted devices could not be read; offering every kind")
        kinds = {KIND_OF_DEVICE[k] for k in device_kinds if k in KIND_OF_DEVICE}
        return tuple(k for k in MEASURE_ORDER if k in kinds) or MEASURE_ORDER

    def _device_guide(self, kind: MeasureKind) -> Guide:
        statuses = [s for s in self._device_status.values() if KIND_OF_DEVICE.get(s.kind) is kind]
        # A meter's "reading" is the kiosk downloading its memory on every scan, not the
        # visitor measuring: showing it would flicker. Cuffs and scales read while in use.
        if kind is not MeasureKind.GLUCOSE and any(s.state == READING for s in statuses):
            return Guide.MEASURING
        # Linked now, or seen working (a meter or scale that answered and went quiet).
        seen = [s for s in statuses if s.identity is not None and s.state in (READING, IDLE)]
        if seen or any(s.connected for s in statuses):
            return Guide.READY
        if statuses and all(s.state == ERROR for s in statuses):
            return Guide.DEVICE_ERROR
        return Guide.WAITING

    def _begin(self, chosen: tuple[MeasureKind, ...], now: float) -> None:
        state = replace(
            self.state,
            step=Step.MEASURE,
            chosen=chosen,
            position=0,
            skipped=(),
            live=LiveState.WAITING,
        )
        self._set(self._enter_kind(state), now)

    def _enter_kind(self, state: FlowState) -> FlowState:
        kind = state.measuring
        if kind is None:
            return state
        # A reading that came in before its turn (the visitor used the scale early) counts.
        guide = Guide.RESULT if state.round_results(kind) else self._device_guide(kind)
        return replace(state, guide=guide, cuff_mmhg=None)

    def _advance(self, state: FlowState) -> FlowState:
        position = state.position + 1
        if position >= len(state.chosen):
            return replace(state, step=Step.RESULTS, cuff_mmhg=None)
        return self._enter_kind(replace(state, position=position, live=LiveState.WAITING))

    def _device_used(self, state: FlowState) -> FlowState:
        """The visitor is busy with a device: restart the idle clock, hide the warning."""
        if self._last_input is not None and self._clock is not None:
            self._last_input = max(self._last_input, self._clock)
        return replace(state, countdown_s=None)

    def _sync_state(self, state: FlowState) -> SyncState:
        """Read the outbox rows of this visit's results (runtime thread: a small query)."""
        if state.visitor_kind is None or not state.results:
            return SyncState.NONE
        if not state.syncs:
            return SyncState.KEPT_HERE
        ids = [r.measurement_id for r in state.results]
        try:
            rows = self.visits.store.outbox_states(ids)
        except KioskError:
            log.exception("outbox state could not be read; keeping the last sync state")
            return state.sync
        values = [rows.get(i) for i in ids]
        if all(v == "committed" for v in values):
            return SyncState.SENT
        if any(v == "rejected" for v in values):
            return SyncState.HELD
        online = self._sync_link() if self._sync_link is not None else False
        return SyncState.SENDING if online else SyncState.WAITING_NETWORK

    # --- internals -----------------------------------------------------------------------
    def _reset(self, now: float, *, by_idle: bool) -> None:
        self.visits.end_visit()
        self._last_input = None
        # Back to defaults, language included: the next visitor sees nothing of this one.
        self._publish(self._fresh_state(reset_by_idle=by_idle))

    def _fresh_state(self, *, reset_by_idle: bool = False) -> FlowState:
        large, high = self._display_defaults()
        state = self._fresh_state_from_settings(reset_by_idle)
        return replace(state, large_text=large, high_contrast=high)

    def _display_defaults(self) -> tuple[bool, bool]:
        if self._display_override is not None:
            large, high = self._display_override
        elif self._settings is not None:
            current = self._settings.current
            large, high = current.text_size == "large", current.contrast == "high"
        else:
            large = high = False
        return large, high

    def _fresh_state_from_settings(self, reset_by_idle: bool) -> FlowState:
        if self._settings is None:
            return FlowState(reset_by_idle=reset_by_idle)
        current = self._settings.current
        self.idle_after_s = float(current.inactivity_timeout_s)
        return FlowState(language=Language(current.language_default), reset_by_idle=reset_by_idle)

    def _require(self, step: Step) -> None:
        if self.state.step is not step:
            raise SessionError(f"not possible at step {self.state.step}, only at {step}")

    def _set(self, state: FlowState, now: float) -> None:
        self._last_input = self._clock = now
        error = state.identify_error if state.step is Step.IDENTIFY else None
        self._publish(replace(state, countdown_s=None, reset_by_idle=False, identify_error=error))

    def _publish(self, state: FlowState) -> None:
        if state.step is not self.state.step:
            state = replace(state, options_open=False)
        self.state = state
        self.changed.emit(state)
