"""The demo stack with paired devices: a glucose reading taken on the meter reaches the record
through the runtime's allowlist scan, the RACP download, the visit and the outbox."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from kiosk.demo import DemoStack
from kiosk.session import MeasurementResult, VisitorKind


def test_glucose_from_a_paired_meter_is_imported_scored_and_synced(tmp_path: Path) -> None:
    with DemoStack(tmp_path, seed=3) as stack:
        runtime = stack.runtime
        assert runtime is not None
        assert {e.kind for e in runtime.allowlist.entries()} == {"blood_pressure", "glucose"}
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
