"""The demo stack with paired devices: a glucose reading taken on the meter (RACP download) and
a weighing on the scale (WSS/BCS with UDS consent) reach the record through the runtime's
allowlist scan, the visit and the outbox."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from kiosk.demo import DEMO_SCALE_USER, DemoStack
from kiosk.hub import ERROR, IDLE, READING, DeviceStatus
from kiosk.session import MeasurementResult, VisitorKind


def test_glucose_from_a_paired_meter_is_imported_scored_and_synced(tmp_path: Path) -> None:
    with DemoStack(tmp_path, seed=3) as stack:
        runtime = stack.runtime
        assert runtime is not None
        assert {e.kind for e in runtime.allowlist.entries()} == {
            "blood_pressure",
            "glucose",
            "body_composition",
        }
        got: list[MeasurementResult] = []
        done = threading.Event()

        def on_result(result: MeasurementResult) -> None:
            got.append(result)
            done.set()

        runtime.visits.measurement_added.connect(on_result)
        runtime.submit(runtime.visits.start_visit, VisitorKind.CITIZEN_APP, "pseudo-demo-1").result(
            5
        )
        runtime.submit(runtime.visits.give_consent).result(5)
        stack.simulate_glucose()
        assert done.wait(15), "the meter's record was not imported"
        [result] = got
        assert result.reading.kind == "glucose" and result.category is not None
        deadline = time.monotonic() + 15
        while runtime.store.outbox_state(result.measurement_id) != "committed":
            assert time.monotonic() < deadline, "glucose observation not committed"
            time.sleep(0.05)
        assert stack.records is not None and stack.records.counters["committed"] == 1
        # The next scan must not import the same record again.
        time.sleep(2.5)
        assert len(got) == 1


def test_weighing_on_a_paired_scale_is_measured_scored_and_synced(tmp_path: Path) -> None:
    with DemoStack(tmp_path, seed=5) as stack:
        runtime = stack.runtime
        assert runtime is not None
        got: list[MeasurementResult] = []
        statuses: list[DeviceStatus] = []
        both = threading.Event()

        def on_result(result: MeasurementResult) -> None:
            got.append(result)
            if len(got) == 2:
                both.set()

        runtime.visits.measurement_added.connect(on_result)
        runtime.hub.status_changed.connect(statuses.append)
        runtime.submit(runtime.visits.start_visit, VisitorKind.CITIZEN_APP, "pseudo-demo-2").result(
            5
        )
        runtime.submit(runtime.visits.give_consent).result(5)
        labels = [label for label, _ in runtime.demo_actions]
        assert "체중 모의 측정 · Simulate weight" in labels
        dict(runtime.demo_actions)["체중 모의 측정 · Simulate weight"]()
        assert both.wait(15), f"the scale was not read: {got}"
        by_kind = {r.reading.kind: r for r in got}
        assert set(by_kind) == {"weight", "body_composition"}
        weight, body = by_kind["weight"], by_kind["body_composition"]
        assert 45.0 <= weight.reading.weight <= 90.0
        assert body.reading.body_fat_percent is not None
        # The kiosk proved its consent slot, so the scale tagged the reading with that user.
        assert stack.scale.current_user == DEMO_SCALE_USER[0]
        deadline = time.monotonic() + 15
        ids = [weight.measurement_id, body.measurement_id]
        while set(runtime.store.outbox_states(ids).values()) != {"committed"}:
            assert time.monotonic() < deadline, runtime.store.outbox_states(ids)
            time.sleep(0.05)
        assert stack.records is not None and stack.records.counters["committed"] == 2
        # The weight is synced once: the body-composition observation carries body fat only.
        rows = runtime.store.measurements()
        assert sorted(m.kind for m in rows) == ["body_composition", "weight"]
        scale_states = [s for s in statuses if s.address == stack.scale.address]
        assert any(s.state == IDLE and s.battery_percent == 87 for s in scale_states)
        assert [s.last_error for s in scale_states if s.state == ERROR] == []
        # The hub holds the scale again for the next visitor.
        while runtime.submit(lambda: runtime.hub.status[stack.scale.address].state).result(5) != (
            READING
        ):
            assert time.monotonic() < deadline, "the scale was not connected again"
            time.sleep(0.05)
