"""The Qt-free visit flow on a real VisitManager and SQLite store; time is passed in."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import text

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
from devices.sim import SimulatedAir, SimulatedBloodPressureMonitor
from kiosk.errors import SessionError
from kiosk.hub import ERROR, IDLE, READING, DeviceHub, DeviceStatus
from kiosk.session import MeasurementResult, VisitManager, VisitorKind
from kiosk.store import Store
from kiosk.visit_flow import (
    CONSENT_VERSION,
    MEASURE_ORDER,
    FlowState,
    Guide,
    Language,
    LiveState,
    MeasureKind,
    Step,
    SyncState,
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
    assert flow.state.step is Step.CHOOSE
    flow.choose_all(4)
    assert flow.state.measuring is MeasureKind.BLOOD_PRESSURE
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
    flow.choose([MeasureKind.BLOOD_PRESSURE], 2)
    visits.handle_reading(bp(400, 82))  # implausible: quarantined, visitor asked again
    assert flow.state.live is LiveState.RETRY and flow.state.retry_en
    assert flow.state.guide is Guide.RETRY
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


# --- choosing, per-kind guidance with device events, sync state (issue 7 item 1) -----------
def glucose(mg_dl: float) -> GlucoseReading:
    return GlucoseReading(
        device=DEVICE,
        sequence_number=1,
        concentration=mg_dl,
        unit=GlucoseUnit.MG_DL,
        meal=MealContext.FASTING,
        raw=b"\x00" * 10,
    )


def weight(kg: float) -> WeightReading:
    return WeightReading(device=DEVICE, weight=kg, unit=MassUnit.KG, bmi=23.0, raw=bytes(5))


def test_check_everything_walks_each_kind_with_device_events_and_live_cuff(
    visits: VisitManager,
) -> None:
    """A real hub holding a simulated cuff (through the real bleak client path): its link
    state, live cuff pressure and result drive the guidance; a failing meter shows the kind
    device message, then the visitor retries, measures, and skips the scale."""
    air = SimulatedAir()
    cuff = SimulatedBloodPressureMonitor(live_cuff=True)
    air.add(cuff)
    hub = DeviceHub(
        on_reading=visits.handle_reading,
        on_error=visits.handle_device_error,
        client_backend=air.client_backend,
    )
    flow = VisitFlow(
        visits,
        devices=hub,
        device_kinds=lambda: ["blood_pressure", "glucose", "body_composition"],
    )
    seen: list[FlowState] = []
    flow.changed.connect(seen.append)

    async def visit() -> None:
        flow.start(0)
        assert flow.identify_member("20261234", 1)
        flow.consent(open_lab=False, now=2)
        assert flow.state.step is Step.CHOOSE and flow.state.available == MEASURE_ORDER
        flow.choose_all(3)
        state = flow.state
        assert state.chosen == MEASURE_ORDER and state.measuring is MeasureKind.BLOOD_PRESSURE
        assert state.guide is Guide.WAITING  # the cuff is not linked yet
        await hub.add_blood_pressure_monitor(cuff.address)
        assert flow.state.guide is Guide.READY
        await cuff.inflate([40, 110, 165])
        assert [s.cuff_mmhg for s in seen if s.cuff_mmhg is not None] == [40, 110, 165]
        assert flow.state.guide is Guide.MEASURING
        await cuff.measure(systolic=128, diastolic=82, pulse=70)
        assert flow.state.guide is Guide.RESULT and flow.state.cuff_mmhg is None
        assert len(flow.state.round_results(MeasureKind.BLOOD_PRESSURE)) == 1
        await hub.stop()

    asyncio.run(asyncio.wait_for(visit(), 10))

    flow.next_kind(4)
    assert flow.state.measuring is MeasureKind.GLUCOSE and flow.state.guide is Guide.WAITING
    # The meter fails (a serial meter reports its state to the hub like this).
    hub.report_status(
        DeviceStatus(
            "AA:00:00:00:00:01", "glucose", state=ERROR, last_error="no reply", advice="check"
        )
    )
    assert flow.state.guide is Guide.DEVICE_ERROR
    flow.retry_kind(5)
    assert flow.state.guide is Guide.WAITING
    visits.handle_reading(glucose(104))
    assert flow.state.guide is Guide.RESULT
    flow.next_kind(6)
    assert flow.state.measuring is MeasureKind.BODY and flow.state.last_kind
    flow.skip_kind(7)
    assert flow.state.step is Step.RESULTS and flow.state.skipped == (MeasureKind.BODY,)
    assert [r.reading.kind for r in flow.state.results] == ["blood_pressure", "glucose"]
    # A status from another kind's device while measuring does not touch the guidance.
    flow.measure_more(8)
    assert flow.state.step is Step.CHOOSE
    flow.choose([MeasureKind.BODY], 9)
    hub.report_status(DeviceStatus("AA:00:00:00:00:01", "glucose", state=ERROR))
    assert flow.state.guide is Guide.WAITING and flow.state.round_start == 2


def test_only_kinds_with_devices_are_offered_and_a_choice_is_required(
    visits: VisitManager,
) -> None:
    flow = VisitFlow(visits, device_kinds=lambda: ["weight"])
    flow.start(0)
    flow.identify_guest(1)
    flow.consent(open_lab=False, now=2)
    assert flow.state.available == (MeasureKind.BODY,)
    with pytest.raises(SessionError):
        flow.choose([], 3)
    with pytest.raises(SessionError):
        flow.choose([MeasureKind.GLUCOSE], 3)  # no meter on this kiosk
    with pytest.raises(SessionError):
        flow.choose(["height"], 3)
    with pytest.raises(SessionError):
        flow.next_kind(3)  # not measuring yet
    visits.handle_reading(weight(61.5))  # stepped on the scale before choosing: it counts
    flow.choose(["body"], 4)
    assert flow.state.measuring is MeasureKind.BODY and flow.state.guide is Guide.RESULT
    flow.next_kind(5)
    assert flow.state.step is Step.RESULTS


def test_a_kiosk_without_known_devices_offers_every_kind(visits: VisitManager) -> None:
    flow = VisitFlow(visits, device_kinds=lambda: [])
    flow.start(0)
    flow.identify_guest(1)
    flow.consent(open_lab=False, now=2)
    assert flow.state.available == MEASURE_ORDER


def _to_finish(flow: VisitFlow, visits: VisitManager, *, member: bool) -> list[str]:
    flow.start(0)
    if member:
        assert flow.identify_member("20261234", 1)
    else:
        flow.identify_guest(1)
    flow.consent(open_lab=False, now=2)
    flow.choose_all(3)
    visits.handle_reading(bp(128, 82))
    visits.handle_reading(glucose(98))
    flow.show_results(4)
    flow.finish(5)
    return [r.measurement_id for r in flow.state.results]


def test_finish_sync_state_follows_the_outbox(visits: VisitManager) -> None:
    online = [False]
    flow = VisitFlow(visits, sync_link=lambda: online[0])
    ids = _to_finish(flow, visits, member=True)
    assert len(ids) == 2
    assert flow.state.sync is SyncState.WAITING_NETWORK  # broker down: queued on the kiosk
    online[0] = True
    flow.tick(6)
    assert flow.state.sync is SyncState.SENDING
    visits.store.mark_committed(ids[:1])
    flow.tick(7)
    assert flow.state.sync is SyncState.SENDING  # one of two acknowledged is not "sent"
    visits.store.mark_committed(ids[1:])
    flow.tick(8)
    assert flow.state.sync is SyncState.SENT
    flow.reset(9)
    assert flow.state.sync is SyncState.NONE


def test_finish_sync_state_for_a_guest_and_a_refused_row(visits: VisitManager) -> None:
    flow = VisitFlow(visits, sync_link=lambda: True)
    _to_finish(flow, visits, member=False)
    assert flow.state.sync is SyncState.KEPT_HERE
    flow.reset(6)
    ids = _to_finish(flow, visits, member=True)
    visits.store.mark_rejected(ids[0], "schema")
    flow.tick(7)
    assert flow.state.sync is SyncState.HELD


def test_meter_downloads_do_not_flicker_but_a_scale_in_use_measures(visits: VisitManager) -> None:
    hub = DeviceHub(on_reading=visits.handle_reading, on_error=visits.handle_device_error)
    flow = VisitFlow(visits, devices=hub, device_kinds=lambda: ["glucose", "weight"])
    flow.start(0)
    flow.identify_guest(1)
    flow.consent(open_lab=False, now=2)
    flow.choose_all(3)
    assert flow.state.measuring is MeasureKind.GLUCOSE and flow.state.guide is Guide.WAITING
    meter = DeviceStatus("AA:00:00:00:00:02", "glucose", identity=DEVICE)
    guides: list[Guide] = []
    flow.changed.connect(lambda state: guides.append(state.guide))
    for state in (READING, IDLE, READING, IDLE):  # the kiosk imports on every scan
        hub.report_status(replace(meter, state=state))
    assert flow.state.guide is Guide.READY and set(guides) == {Guide.READY}
    visits.handle_reading(glucose(101))
    flow.next_kind(4)
    assert flow.state.measuring is MeasureKind.BODY and flow.state.guide is Guide.WAITING
    hub.report_status(DeviceStatus("AA:00:00:00:00:03", "weight", state=READING))
    assert flow.state.guide is Guide.MEASURING  # someone stands on it: "keep still"


def test_a_visitor_busy_with_a_device_is_not_idle(visits: VisitManager) -> None:
    flow = VisitFlow(visits, idle_after_s=100, warning_s=20)
    flow.start(0)
    flow.identify_guest(0)
    flow.consent(open_lab=False, now=0)
    flow.choose([MeasureKind.GLUCOSE], 0)
    flow.tick(100)
    assert flow.state.countdown_s == 20  # nobody touched the screen...
    visits.handle_reading(glucose(99))  # ...but the meter was just used
    assert flow.state.countdown_s is None
    flow.tick(199)
    assert flow.state.countdown_s is None and flow.state.step is Step.MEASURE
    flow.tick(200)
    assert flow.state.countdown_s == 20
