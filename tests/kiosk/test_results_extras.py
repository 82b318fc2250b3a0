"""Earlier visits (kiosk.history) and the heart-health estimate (kiosk.risk_estimate) through
the real visit flow, a real SQLite store and the real, hash-verified ONNX models."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from devices.readings import (
    BloodPressureReading,
    DeviceIdentity,
    GlucoseReading,
    GlucoseUnit,
    MassUnit,
    MealContext,
    PressureUnit,
    WeightReading,
)
from kiosk.history import LAST_VISITS, history_for_visit, previous_results
from kiosk.risk_estimate import BIRTH_YEAR_START, RiskAnswers, RiskOutcome, RiskStep
from kiosk.scoring.service import ScoringService, parse_inputs
from kiosk.session import VisitManager, VisitorKind
from kiosk.store import Store
from kiosk.visit_flow import FlowState, ResultsView, Step, VisitFlow, member_subject_ref

DEVICE = DeviceIdentity(address="C0:FF:EE:00:00:07", model="SIM")
ALICE = member_subject_ref("20260001")
BOB = member_subject_ref("20260002")


def bp(sbp: float, dbp: float) -> BloodPressureReading:
    return BloodPressureReading(
        device=DEVICE,
        systolic=sbp,
        diastolic=dbp,
        mean_arterial=None,
        unit=PressureUnit.MMHG,
        pulse_rate=70,
        raw=b"\x1e" + bytes(6),
    )


def weight(kg: float, bmi: float | None = None) -> WeightReading:
    return WeightReading(device=DEVICE, weight=kg, unit=MassUnit.KG, bmi=bmi, raw=bytes(5))


def glucose(mg_dl: float) -> GlucoseReading:
    return GlucoseReading(
        device=DEVICE,
        concentration=mg_dl,
        unit=GlucoseUnit.MG_DL,
        meal=MealContext.FASTING,
        raw=bytes(10),
    )


@pytest.fixture
def visits(tmp_path: Path) -> Iterator[VisitManager]:
    store = Store.open(tmp_path / "k.db")
    try:
        yield VisitManager(store, "kiosk-test-01")
    finally:
        store.close()


@pytest.fixture(scope="module")
def scoring() -> ScoringService:
    service = ScoringService.load(strict=True)
    assert not service.unavailable
    return service


def past_visit(
    visits: VisitManager, kind: VisitorKind, subject: str | None, *readings: object
) -> str:
    visit = visits.start_visit(kind, subject)
    visits.give_consent()
    for reading in readings:
        visits.handle_reading(reading)  # type: ignore[arg-type]
    visits.end_visit()
    return visit.id


def test_history_is_this_subjects_earlier_visits_only_oldest_first(
    visits: VisitManager,
) -> None:
    past_visit(visits, VisitorKind.MEMBER_CARD, ALICE, bp(150, 95))
    # Two readings in one visit: the chart shows the newest.
    past_visit(visits, VisitorKind.MEMBER_CARD, ALICE, bp(141, 91), bp(138, 88), weight(70.5))
    past_visit(visits, VisitorKind.MEMBER_CARD, BOB, bp(180, 100), weight(98.5))
    past_visit(visits, VisitorKind.GUEST, None, bp(111, 71))
    past_visit(visits, VisitorKind.CITIZEN_APP, ALICE, glucose(99))
    current = visits.start_visit(VisitorKind.MEMBER_CARD, ALICE)
    visits.give_consent()
    visits.handle_reading(bp(125, 80))

    history = previous_results(visits.store, ALICE, current_visit_id=current.id)
    assert [p.values for p in history.of("blood_pressure")] == [(150, 95), (138, 88)]
    times = [p.measured_at for p in history.of("blood_pressure")]
    assert times == sorted(times)
    assert [p.values for p in history.of("weight")] == [(70.5,)]
    assert [p.values for p in history.of("glucose")] == [(99,)]
    # Nothing of Bob, of the guest or of the visit in progress.
    every = {v for _, points in history.trends for p in points for v in p.values}
    assert not every & {180, 100, 98.5, 111, 71, 125}
    assert previous_results(visits.store, BOB, current_visit_id=None).of("blood_pressure")[
        0
    ].values == (180, 100)
    assert history_for_visit(visits.store, None, current.id, guest=True) is None
    assert history_for_visit(visits.store, ALICE, current.id, guest=True) is None
    assert previous_results(visits.store, None, current_visit_id=None).empty


def test_history_keeps_only_the_last_visits(visits: VisitManager) -> None:
    for i in range(LAST_VISITS + 3):
        past_visit(visits, VisitorKind.MEMBER_CARD, ALICE, bp(120 + i, 80))
    history = previous_results(visits.store, ALICE, current_visit_id=None)
    assert [p.values[0] for p in history.of("blood_pressure")] == [
        120 + i for i in range(3, LAST_VISITS + 3)
    ]
    assert len(previous_results(visits.store, ALICE, current_visit_id=None, last_visits=2).of(
        "blood_pressure"
    )) == 2  # fmt: skip


def current(flow: VisitFlow) -> FlowState:
    """The flow's state now (a call, so earlier asserts do not narrow it for mypy)."""
    return flow.state


def to_results(flow: VisitFlow, visits: VisitManager, member: str, *readings: object) -> None:
    flow.start(0)
    assert flow.identify_member(member, 1)
    flow.consent(open_lab=False, now=2)
    flow.choose_all(3)
    for reading in readings:
        visits.handle_reading(reading)  # type: ignore[arg-type]
    flow.show_results(4)
    assert flow.state.step is Step.RESULTS


def test_flow_carries_history_for_members_never_for_guests(visits: VisitManager) -> None:
    past_visit(visits, VisitorKind.MEMBER_CARD, ALICE, bp(150, 95))
    flow = VisitFlow(visits)
    to_results(flow, visits, "20260001", bp(131, 84))
    history = flow.state.history
    assert history is not None and [p.values for p in history.of("blood_pressure")] == [(150, 95)]
    flow.show_results_view(ResultsView.TREND, 5)
    assert flow.state.results_view is ResultsView.TREND
    flow.reset(6)
    assert flow.state.history is None

    flow.start(7)
    flow.identify_guest(8)
    flow.consent(open_lab=False, now=9)
    flow.choose_all(10)
    visits.handle_reading(bp(120, 80))
    flow.show_results(11)
    assert flow.state.history is None
    flow.show_results_view(ResultsView.TREND, 12)  # a guest has nothing to chart
    assert current(flow).results_view is ResultsView.VALUES


def test_estimate_matches_the_scoring_service_and_reset_forgets_the_answers(
    visits: VisitManager, scoring: ScoringService
) -> None:
    flow = VisitFlow(visits, scoring=scoring)
    to_results(flow, visits, "20260001", bp(152, 91), weight(68.0, bmi=24.6))
    flow.show_results_view(ResultsView.RISK, 5)
    assert flow.state.risk_step is RiskStep.ASK and flow.state.risk is None
    flow.risk_birth_year(+10, 6)
    flow.risk_birth_year(-1, 7)  # born BIRTH_YEAR_START + 9: in the model's 40-74
    flow.risk_sex("M", 8)
    flow.risk_submit(9)  # smoking not answered yet: nothing happens
    assert flow.state.risk_step is RiskStep.ASK
    flow.risk_smoker(True, 10)
    flow.risk_submit(11)
    state = flow.state
    assert state.risk_step is RiskStep.SHOWN and state.risk is not None
    assert state.risk.outcome is RiskOutcome.ESTIMATE
    age = datetime.now(UTC).year - (BIRTH_YEAR_START + 9)
    expected = scoring.assess(
        parse_inputs(
            {"sex": "M", "age": age, "systolic": 152, "diastolic": 91, "bmi": 24.6, "smoker": True}
        )
    ).who_cvd_10y
    assert expected is not None and state.risk.risk == pytest.approx(expected, abs=1e-9)
    assert state.risk.per_100 == max(1, round(expected * 100))
    assert state.risk_answers == RiskAnswers(BIRTH_YEAR_START + 9, "M", True)

    flow.reset(12)
    # The next visitor's state holds no answer and no estimate.
    assert flow.state == FlowState()
    assert flow.state.risk_answers == RiskAnswers() and flow.state.risk is None
    to_results(flow, visits, "20260002", bp(120, 80), weight(60.0, bmi=22.0))
    assert flow.state.risk_answers == RiskAnswers() and flow.state.risk is None
    assert current(flow).risk_step is RiskStep.OFFER


def test_skip_leaves_no_estimate_and_no_answers(
    visits: VisitManager, scoring: ScoringService
) -> None:
    flow = VisitFlow(visits, scoring=scoring)
    to_results(flow, visits, "20260001", bp(140, 90), weight(70.0, bmi=25.0))
    flow.show_results_view(ResultsView.RISK, 5)
    flow.risk_sex("F", 6)
    flow.risk_skip(7)
    state = flow.state
    assert state.risk_step is RiskStep.SKIPPED and state.risk is None
    assert state.risk_answers == RiskAnswers() and state.results_view is ResultsView.VALUES
    flow.risk_submit(8)  # nothing to score
    assert flow.state.risk is None


def test_out_of_range_age_and_missing_scale(visits: VisitManager, scoring: ScoringService) -> None:
    flow = VisitFlow(visits, scoring=scoring)
    to_results(flow, visits, "20260001", bp(140, 90))
    flow.show_results_view(ResultsView.RISK, 5)
    # No scale: no questions, the reason instead.
    assert flow.state.risk_step is RiskStep.SHOWN and flow.state.risk is not None
    assert flow.state.risk.outcome is RiskOutcome.NEEDS_SCALE
    flow.show_results_view(ResultsView.VALUES, 6)
    flow.measure_more(7)
    flow.choose_all(8)
    visits.handle_reading(weight(61.0, bmi=23.1))
    flow.show_results(9)
    assert current(flow).risk_step is RiskStep.OFFER  # offered again, now with the scale
    flow.show_results_view(ResultsView.RISK, 10)
    assert current(flow).risk_step is RiskStep.ASK
    for _ in range(3):
        flow.risk_birth_year(-10, 11)  # 30 years before the start year: over 74
    flow.risk_sex("F", 12)
    flow.risk_smoker(False, 13)
    flow.risk_submit(14)
    risk = flow.state.risk
    assert risk is not None and risk.outcome is RiskOutcome.NOT_FOR_AGE and risk.risk is None
