"""The optional heart-health estimate on the results screen (WHO 2019 non-laboratory model).

The kiosk measures blood pressure and weight; the visitor may add birth year, sex and smoking.
Those answers live only in the flow state of the visit in progress: never stored, synced or
logged, and gone at the privacy reset. The estimate runs on the kiosk runtime thread.

Only the WHO non-lab model is used: it is the one model whose inputs are then complete (age,
sex, smoking, systolic pressure, BMI). Framingham needs treatment and diabetes answers, FINDRISC
a waist measure; asking more would cost an older visitor many more taps.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from devices.readings import LB_PER_KG, BodyCompositionReading, MassUnit, WeightReading
from kiosk.scoring.service import ScoringInputError, ScoringService, parse_inputs
from kiosk.session import BpResult, MeasurementResult

# The year the birth-year stepper starts at: a typical visitor of a senior centre is in their
# seventies, so most need only a few taps.
BIRTH_YEAR_START = 1955
# Adults only (the scoring contract's plausibility bounds are 18..120 years).
MIN_AGE, MAX_AGE = 18, 110


class RiskStep(enum.StrEnum):
    OFFER = "offer"  # a button offers the estimate
    ASK = "ask"  # the three short questions are on screen
    SHOWN = "shown"  # the estimate (or why there is none) is on screen
    SKIPPED = "skipped"  # the visitor said no; nothing is kept


class RiskOutcome(enum.StrEnum):
    ESTIMATE = "estimate"
    NEEDS_BP = "needs_bp"  # no blood pressure measured in this visit
    NEEDS_SCALE = "needs_scale"  # no BMI: the scale was not used (or gave no height)
    NOT_FOR_AGE = "not_for_age"  # outside the model's validated ages (40-74)
    UNAVAILABLE = "unavailable"  # the model was refused at start-up or an input implausible


class RiskBand(enum.StrEnum):
    """WHO chart bands (<10, 10-<20, 20-<30, >=30 % in 10 years)."""

    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"
    VERY_HIGH = "very_high"


@dataclass(frozen=True, slots=True)
class RiskAnswers:
    birth_year: int | None = None
    sex: str | None = None  # "M" / "F"
    smoker: bool | None = None

    @property
    def complete(self) -> bool:
        return self.sex is not None and self.smoker is not None


@dataclass(frozen=True, slots=True)
class RiskEstimate:
    outcome: RiskOutcome
    risk: float | None = None  # 10-year fraction
    model: str | None = None

    @property
    def per_100(self) -> int | None:
        return None if self.risk is None else max(1, round(self.risk * 100))

    @property
    def band(self) -> RiskBand | None:
        if self.risk is None:
            return None
        if self.risk < 0.10:
            return RiskBand.LOW
        if self.risk < 0.20:
            return RiskBand.MODERATE
        if self.risk < 0.30:
            return RiskBand.HIGH
        return RiskBand.VERY_HIGH


def clamp_birth_year(year: int, today: date) -> int:
    return max(today.year - MAX_AGE, min(today.year - MIN_AGE, year))


def _bmi(results: tuple[BpResult | MeasurementResult, ...]) -> float | None:
    """BMI from the newest scale reading that has it (or weight with height)."""
    for result in reversed(results):
        reading = result.reading
        if isinstance(reading, WeightReading):
            if reading.bmi is not None:
                return reading.bmi
            if reading.height_cm:
                return reading.in_kg() / (reading.height_cm / 100) ** 2
        elif (
            isinstance(reading, BodyCompositionReading)
            and reading.weight is not None
            and reading.height_cm
        ):
            kg = reading.weight if reading.unit is MassUnit.KG else reading.weight / LB_PER_KG
            return kg / (reading.height_cm / 100) ** 2
    return None


def estimate_risk(
    scoring: ScoringService,
    answers: RiskAnswers,
    results: tuple[BpResult | MeasurementResult, ...],
    today: date,
) -> RiskEstimate:
    """The WHO non-lab 10-year estimate from this visit's newest blood pressure and BMI."""
    model = scoring.who_model
    bp = next((r for r in reversed(results) if isinstance(r, BpResult)), None)
    if bp is None:
        return RiskEstimate(RiskOutcome.NEEDS_BP, model=model)
    bmi = _bmi(results)
    if bmi is None:
        return RiskEstimate(RiskOutcome.NEEDS_SCALE, model=model)
    if not answers.complete:
        raise ValueError("the estimate needs sex and smoking answered")
    birth_year = answers.birth_year if answers.birth_year is not None else BIRTH_YEAR_START
    try:
        inputs = parse_inputs(
            {
                "sex": answers.sex,
                "age": today.year - birth_year,
                "systolic": bp.classification.systolic,
                "diastolic": bp.classification.diastolic,
                "bmi": round(bmi, 1),
                "smoker": answers.smoker,
            }
        )
    except ScoringInputError:
        return RiskEstimate(RiskOutcome.UNAVAILABLE, model=model)
    assessment = scoring.assess(inputs)
    if model in assessment.out_of_range:
        return RiskEstimate(RiskOutcome.NOT_FOR_AGE, model=model)
    if assessment.who_cvd_10y is None:
        return RiskEstimate(RiskOutcome.UNAVAILABLE, model=model)
    return RiskEstimate(RiskOutcome.ESTIMATE, risk=assessment.who_cvd_10y, model=model)


def missing_measurement(results: tuple[BpResult | MeasurementResult, ...]) -> RiskEstimate | None:
    """Why no estimate can be made whatever the answers (so the questions are not asked)."""
    if not any(isinstance(r, BpResult) for r in results):
        return RiskEstimate(RiskOutcome.NEEDS_BP)
    if _bmi(results) is None:
        return RiskEstimate(RiskOutcome.NEEDS_SCALE)
    return None
