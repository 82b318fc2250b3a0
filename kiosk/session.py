"""Visits: who is measuring, their consent, and what each reading becomes.

The visit manager is the single place a reading turns into a stored, scored result. It runs on
the kiosk runtime's event-loop thread; observers (the Qt screens, tests) watch its signals.
Bad input never disappears: its raw bytes go to the quarantine table, the visitor is asked to
measure again, and staff get the typed error's detail.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TypedDict

from devices.errors import DecodeError, DeviceError, ImplausibleReadingError
from devices.plausibility import ensure_plausible
from devices.readings import (
    AnyReading,
    BloodPressureReading,
    BodyCompositionReading,
    GlucoseReading,
    MealContext,
    WeightReading,
)
from kiosk.errors import SessionError
from kiosk.ids import new_msg_id
from kiosk.observable import Signal
from kiosk.scoring.bp import Alert, BpClassification, classify_bp
from kiosk.scoring.service import ScoringInputs, staff_alerts
from kiosk.scoring.tables import BMI_KSSO, GLUCOSE_BY_CONTEXT, HYPOGLYCAEMIA, Band
from kiosk.store import Store
from kiosk.store.consent_models import ConsentPurpose
from kiosk.store.consents import ConsentStore, StoredConsent
from kiosk.sync.fhir import blood_pressure_observation, single_value_observation
from records.wire import Envelope

log = logging.getLogger(__name__)


class VisitorKind(enum.StrEnum):
    CITIZEN_APP = "citizen_app"
    MEMBER_CARD = "member_card"
    GUEST = "guest"


@dataclass(frozen=True, slots=True)
class BpResult:
    measurement_id: str
    visit_id: str
    reading: BloodPressureReading
    classification: BpClassification
    measured_at: datetime


@dataclass(frozen=True, slots=True)
class MeasurementResult:
    """A stored glucose, weight or body-composition result with its guideline band, if any."""

    measurement_id: str
    visit_id: str
    reading: GlucoseReading | WeightReading | BodyCompositionReading
    category: str | None
    label_ko: str | None
    label_en: str | None
    alert: Alert
    measured_at: datetime


class _ObservationIds(TypedDict):
    msg_id: str
    measured_at: datetime
    subject_ref: str | None
    visit_id: str


_GLUCOSE_CONTEXT = {
    MealContext.FASTING: "fasting",
    MealContext.PREPRANDIAL: "fasting",
    MealContext.POSTPRANDIAL: "postprandial",
}
_ALERT_ORDER = [Alert.NONE, Alert.SEE_DOCTOR_SOON, Alert.STAFF_NOW]


def _alert_level(inputs: ScoringInputs) -> Alert:
    """The highest staff alert scoring.md §5.2 gives for these inputs."""
    levels = {a.level for a in staff_alerts(inputs)}
    if "red" in levels:
        return Alert.STAFF_NOW
    if "amber" in levels:
        return Alert.SEE_DOCTOR_SOON
    return Alert.NONE


@dataclass(frozen=True, slots=True)
class RetryRequest:
    """Shown to the visitor as a kind message; ``detail`` and ``advice`` are for staff."""

    visit_id: str | None
    message_ko: str
    message_en: str
    detail: str
    advice: str
    quarantine_id: int | None


@dataclass(frozen=True, slots=True)
class StaffAlert:
    visit_id: str
    measurement_id: str
    alert: Alert
    summary: str  # values only, no personal data


@dataclass(frozen=True, slots=True)
class Visit:
    id: str
    visitor_kind: VisitorKind
    subject_ref: str | None
    started_at: datetime
    consented: bool = False
    results: tuple[BpResult, ...] = field(default_factory=tuple)


# The version of the consent wording on the consent screen, kept with each consent; bump it
# when the wording changes. Also recorded when a caller names none.
DEFAULT_CONSENT_VERSION = "2026-12-v2"  # v2: purpose no longer says "only on this kiosk"

MEASURE_AGAIN_KO = "측정이 잘 되지 않았어요. 편안히 앉아 다시 한 번 측정해 주세요."
MEASURE_AGAIN_EN = "The measurement did not work. Please sit comfortably and measure again."


class VisitManager:
    def __init__(self, store: Store, kiosk_id: str) -> None:
        self.store = store
        self.kiosk_id = kiosk_id
        self.current: Visit | None = None
        self.visit_changed: Signal[Visit | None] = Signal()
        self.result_added: Signal[BpResult] = Signal()
        self.retry_requested: Signal[RetryRequest] = Signal()
        self.staff_alert: Signal[StaffAlert] = Signal()
        # Results of other kinds (glucose, weight, body composition); BP keeps result_added.
        self.measurement_added: Signal[MeasurementResult] = Signal()
        self.measurement_stored: Signal[str] = Signal()  # msg_id; wakes the sync publisher
        self.consent_stored: Signal[str] = Signal()  # consent id; wakes the sync publisher
        self.consents = ConsentStore(store, kiosk_id)

    # --- visit flow -------------------------------------------------------------------
    def start_visit(
        self, visitor_kind: VisitorKind = VisitorKind.GUEST, subject_ref: str | None = None
    ) -> Visit:
        if self.current is not None:
            self.end_visit()
        if visitor_kind is VisitorKind.GUEST and subject_ref is not None:
            raise SessionError("a guest visit has no subject reference")
        visit = Visit(
            id=new_msg_id(),
            visitor_kind=visitor_kind,
            subject_ref=subject_ref,
            started_at=datetime.now(UTC),
        )
        self.store.start_visit(visit.id, visitor_kind.value, subject_ref)
        self.current = visit
        self.visit_changed.emit(visit)
        return visit

    def give_consent(self, version: str = DEFAULT_CONSENT_VERSION, open_lab: bool = False) -> Visit:
        """Record the health-data consent (and the separate, optional Open Lab one) with the
        consent text's version. A citizen's consents are queued for their record with the
        rows; a guest's stay on the kiosk and a guest cannot share with Open Lab."""
        visit = self._require_visit()
        purposes = [ConsentPurpose.HEALTH_DATA]
        if open_lab and visit.visitor_kind is not VisitorKind.GUEST:
            purposes.append(ConsentPurpose.OPEN_LAB)
        stored = self.consents.grant(
            visit_id=visit.id, subject_ref=visit.subject_ref, purposes=purposes, version=version
        )
        self.current = replace(visit, consented=True)
        self.visit_changed.emit(self.current)
        if visit.subject_ref is not None:
            for consent in stored:
                self.consent_stored.emit(consent.id)
        return self.current

    def withdraw(self, subject_ref: str, purpose: ConsentPurpose) -> list[StoredConsent]:
        """Withdraw a citizen's consent; the withdrawal is synced, and after a health-data
        withdrawal nothing more of theirs is queued (their visit in progress stops storing)."""
        withdrawn = self.consents.withdraw(subject_ref, purpose)
        visit = self.current
        if (
            purpose is ConsentPurpose.HEALTH_DATA
            and visit is not None
            and visit.subject_ref == subject_ref
            and visit.consented
        ):
            self.current = replace(visit, consented=False)
            self.visit_changed.emit(self.current)
        for consent in withdrawn:
            self.consent_stored.emit(consent.id)
        return withdrawn

    def end_visit(self) -> None:
        if self.current is None:
            return
        self.store.end_visit(self.current.id)
        self.current = None
        self.visit_changed.emit(None)

    def _require_visit(self) -> Visit:
        if self.current is None:
            raise SessionError("no visit in progress")
        return self.current

    # --- readings from the device hub -------------------------------------------------
    def handle_reading(
        self, reading: AnyReading
    ) -> BpResult | MeasurementResult | RetryRequest | None:
        visit = self.current
        if visit is None or not visit.consented:
            # No consent, no storage (PIPA): a cuff may also replay an earlier user's memory.
            log.warning("reading from %s dropped: no consented visit", reading.device.address)
            return None
        try:
            ensure_plausible(reading)
        except ImplausibleReadingError as exc:
            return self._reject(exc.characteristic, exc.raw, exc, reading.device.address)
        if isinstance(reading, BloodPressureReading):
            return self._record_bp(visit, reading)
        return self._record_other(visit, reading)

    def handle_device_error(self, error: DeviceError, device_address: str | None = None) -> None:
        if isinstance(error, DecodeError | ImplausibleReadingError):
            self._reject(error.characteristic, error.raw, error, device_address)
        else:
            log.warning("device error from %s: %s", device_address, error)

    def _record_bp(self, visit: Visit, reading: BloodPressureReading) -> BpResult:
        sbp, dbp, _ = reading.in_mmhg()
        classification = classify_bp(sbp, dbp)
        msg_id = new_msg_id()
        # Device clocks on cuffs are often unset (year 0) or drift; the kiosk clock is the
        # effective time, the device's own stamp stays in the stored reading.
        measured_at = datetime.now(UTC)
        observation = blood_pressure_observation(
            reading,
            msg_id=msg_id,
            measured_at=measured_at,
            subject_ref=visit.subject_ref,
            visit_id=visit.id,
        )
        envelope = Envelope(
            msg_id=msg_id, kiosk_id=self.kiosk_id, kind="bp", observation=observation
        )
        # Guests get their result on screen but nothing leaves the kiosk (no record to go to,
        # no consent to share); the store purges them after the guest retention.
        self.store.record_measurement(
            msg_id=msg_id,
            visit_id=visit.id,
            reading=reading,
            measured_at=measured_at,
            category=classification.category.name.lower(),
            alert=classification.alert.value,
            sync_kind="bp",
            payload=envelope.to_json(),
            sync=visit.visitor_kind is not VisitorKind.GUEST and visit.consented,
        )
        result = BpResult(msg_id, visit.id, reading, classification, measured_at)
        self.current = replace(visit, results=(*visit.results, result))
        self.result_added.emit(result)
        self.measurement_stored.emit(msg_id)
        alert = max(
            classification.alert,
            _alert_level(ScoringInputs(pulse=reading.pulse_rate)),
            key=_ALERT_ORDER.index,
        )
        if alert is not Alert.NONE:
            pulse = f", pulse {round(reading.pulse_rate)}/min" if reading.pulse_rate else ""
            self.staff_alert.emit(
                StaffAlert(
                    visit_id=visit.id,
                    measurement_id=msg_id,
                    alert=alert,
                    summary=(
                        f"BP {classification.systolic}/{classification.diastolic} mmHg{pulse}"
                    ),
                )
            )
        return result

    def _record_other(
        self, visit: Visit, reading: GlucoseReading | WeightReading | BodyCompositionReading
    ) -> MeasurementResult:
        """Glucose, weight and body composition: categorised by the guideline tables, stored
        with their outbox row exactly like blood pressure."""
        msg_id = new_msg_id()
        measured_at = datetime.now(UTC)
        ids = _ObservationIds(
            msg_id=msg_id, measured_at=measured_at, subject_ref=visit.subject_ref, visit_id=visit.id
        )
        band: Band | None = None
        alert = Alert.NONE
        if isinstance(reading, GlucoseReading):
            mg_dl = reading.in_mg_dl()
            context = _GLUCOSE_CONTEXT.get(reading.meal, "random") if reading.meal else "random"
            hypo = HYPOGLYCAEMIA.classify(mg_dl)
            band = hypo if hypo.code != "none" else GLUCOSE_BY_CONTEXT[context].classify(mg_dl)
            alert = _alert_level(ScoringInputs(glucose_mg_dl=mg_dl))
            sync_kind = "glucose"
            summary = f"glucose {mg_dl:.0f} mg/dL ({context})"
        elif isinstance(reading, WeightReading):
            if reading.bmi is not None:
                band = BMI_KSSO.classify(reading.bmi)
            sync_kind = "weight"
            summary = f"weight {reading.in_kg():.1f} kg"
        else:
            sync_kind = "bodycomp"
            summary = f"body fat {reading.body_fat_percent:.1f} %"
        observation = single_value_observation(reading, **ids)
        envelope = Envelope(
            msg_id=msg_id, kiosk_id=self.kiosk_id, kind=sync_kind, observation=observation
        )
        self.store.record_measurement(
            msg_id=msg_id,
            visit_id=visit.id,
            reading=reading,
            measured_at=measured_at,
            category=band.code if band else None,
            alert=alert.value,
            sync_kind=sync_kind,
            payload=envelope.to_json(),
            sync=visit.visitor_kind is not VisitorKind.GUEST and visit.consented,
        )
        result = MeasurementResult(
            measurement_id=msg_id,
            visit_id=visit.id,
            reading=reading,
            category=band.code if band else None,
            label_ko=band.ko if band else None,
            label_en=band.en if band else None,
            alert=alert,
            measured_at=measured_at,
        )
        self.measurement_added.emit(result)
        self.measurement_stored.emit(msg_id)
        if alert is not Alert.NONE:
            self.staff_alert.emit(StaffAlert(visit.id, msg_id, alert, summary))
        return result

    def _reject(
        self, characteristic: str, raw: bytes, error: DeviceError, address: str | None
    ) -> RetryRequest:
        visit_id = self.current.id if self.current else None
        qid = self.store.quarantine(
            characteristic=characteristic,
            raw=raw,
            error=error,
            visit_id=visit_id,
            device_address=address,
        )
        log.warning("quarantined %d bytes from %s: %s", len(raw), address, type(error).__name__)
        request = RetryRequest(
            visit_id=visit_id,
            message_ko=MEASURE_AGAIN_KO,
            message_en=MEASURE_AGAIN_EN,
            detail=f"{type(error).__name__}: {error}",
            advice=error.advice,
            quarantine_id=qid,
        )
        self.retry_requested.emit(request)
        return request
