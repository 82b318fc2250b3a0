"""The Qt-free visit flow on a real VisitManager and SQLite store; time is passed in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from devices.readings import (
    BloodPressureReading,
    DeviceIdentity,
    GlucoseReading,
    GlucoseUnit,
    MealContext,
    PressureUnit,
)
from kiosk.errors import SessionError
from kiosk.session import MeasurementResult, VisitManager, VisitorKind
from kiosk.store import Store
from kiosk.visit_flow import (
    CONSENT_VERSION,
    FlowState,
    Language,
    LiveState,
    Step,
    VisitFlow,
    member_subject_ref,
)

DEVICE = DeviceIdentity(address="C0:FF:EE:00:00:02", model="SIM")


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


@pytest.fixture
def visits(tmp_path: Path) -> Iterator[VisitManager]:
    store = Store.open(tmp_path / "k.db")
    try:
        yield VisitManager(store, "kiosk-test-01")
    finally:
        store.close()


@pytest.fixture
def flow(visits: VisitManager) -> VisitFlow:
    return VisitFlow(visits, idle_after_s=100, warning_s=20)


def test_member_visit_end_to_end(flow: VisitFlow, visits: VisitManager) -> None:
    seen: list[FlowState] = []
    flow.changed.connect(seen.append)
    flow.set_language(Language.EN, 0)
    flow.start(1)
    assert not flow.identify_member("12ab", 2)  # not a number: nothing starts
    assert visits.current is None and flow.state.step is Step.IDENTIFY
    assert flow.state.identify_error == "member"
    assert flow.identify_member("20261234", 3)
    visit = visits.current
    assert visit is not None and visit.visitor_kind is VisitorKind.MEMBER_CARD
    assert visit.subject_ref == member_subject_ref("20261234")
    assert "20261234" not in (visit.subject_ref or "")
    assert flow.state.member_hint == "34"
    flow.consent(open_lab=True, now=4)
    assert flow.state.consent_version == CONSENT_VERSION and flow.state.open_lab
    assert flow.state.consented_at is not None and flow.state.syncs
    visits.handle_reading(bp(128, 82))
    assert flow.state.live is LiveState.RESULT and len(flow.state.results) == 1
    flow.show_results(5)
    flow.finish(6)
    assert flow.state.step is Step.FINISH and flow.state.language is Language.EN
    flow.reset(7)
    assert flow.state == FlowState() and visits.current is None
    assert [s.step for s in seen][:4] == [Step.WELCOME, Step.IDENTIFY, Step.IDENTIFY, Step.CONSENT]


def test_guest_consents_to_measuring_but_cannot_share(
    flow: VisitFlow, visits: VisitManager
) -> None:
    flow.start(0)
    flow.identify_guest(1)
    visits.handle_reading(bp(120, 80))  # before consent: dropped (PIPA)
    assert flow.state.results == ()
    flow.consent(open_lab=True, now=2)
    assert not flow.state.open_lab and not flow.state.syncs
    reading = GlucoseReading(
        device=DEVICE,
        sequence_number=1,
        concentration=105,
        unit=GlucoseUnit.MG_DL,
        meal=MealContext.FASTING,
        raw=b"\x00" * 10,
    )
    visits.handle_reading(reading)
    assert len(flow.state.results) == 1
    result = flow.state.results[0]
    assert isinstance(result, MeasurementResult) and result.label_en


def test_qr_identifies_a_citizen_and_rejects_other_text(flow: VisitFlow) -> None:
    flow.start(0)
    assert not flow.identify_qr("https://example.org/x", 1)
    assert flow.state.identify_error == "qr"
    assert flow.identify_qr("GJHC1:abcDEF0123456789xyz\n", 2)
    assert flow.state.identify_error is None
    assert flow.state.visitor_kind is VisitorKind.CITIZEN_APP and flow.state.syncs


def test_retry_and_crisis(flow: VisitFlow, visits: VisitManager) -> None:
    flow.start(0)
    flow.identify_guest(1)
    flow.consent(open_lab=False, now=2)
    visits.handle_reading(bp(400, 82))  # implausible: quarantined, visitor asked again
    assert flow.state.live is LiveState.RETRY and flow.state.retry_en
    visits.handle_reading(bp(190, 125))
    assert flow.state.step is Step.STAFF
    flow.tick(10_000)  # staff reset it themselves; no idle reset on this screen
    assert flow.state.step is Step.STAFF


def test_idle_countdown_more_time_and_reset(flow: VisitFlow, visits: VisitManager) -> None:
    flow.start(0)
    flow.identify_guest(0)
    flow.consent(open_lab=False, now=0)
    visits.handle_reading(bp(128, 82))
    flow.tick(99)
    assert flow.state.countdown_s is None
    flow.tick(100)
    assert flow.state.countdown_s == 20  # the warning gives the whole 20 s
    for extension in range(12):  # extendable again and again
        now = 100 + extension * 120
        flow.more_time(now)
        assert flow.state.countdown_s is None
        flow.tick(now + 110)
        assert flow.state.countdown_s == 10
    flow.tick(100 + 11 * 120 + 120)
    assert flow.state == FlowState(reset_by_idle=True)
    assert visits.current is None
    with visits.store.engine.connect() as c:
        assert c.execute(text("select count(*) from visits where ended_at is null")).scalar() == 0


def test_warning_shorter_than_20_s_is_refused(visits: VisitManager) -> None:
    with pytest.raises(SessionError):
        VisitFlow(visits, warning_s=10)


def test_closed_flow_no_longer_follows_the_visit_manager(
    flow: VisitFlow, visits: VisitManager
) -> None:
    flow.start(0)
    flow.identify_guest(0)
    flow.consent(open_lab=False, now=0)
    flow.close()
    flow.close()  # idempotent
    visits.handle_reading(bp(128, 82))
    assert flow.state.results == () and visits.current is not None


def test_steps_out_of_order_are_refused(flow: VisitFlow) -> None:
    with pytest.raises(SessionError):
        flow.consent(open_lab=False, now=0)
    flow.tick(1e9)  # welcome has no idle reset
    assert flow.state == FlowState()
