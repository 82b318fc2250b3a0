"""One blood-pressure reading, all the way: simulated cuff → real BleakClient → hub → visit →
SQLite outbox → real mosquitto → record service → real PostgreSQL → commit ack → kiosk.

Also the fault case the design exists for: the broker dies mid-sync and comes back, and the
record ends up with every measurement exactly once.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import create_engine, text

from devices.sim.ble import SimulatedAir
from kiosk.demo import demo_monitor
from kiosk.localbroker import PrivateMosquitto
from kiosk.runtime import KioskConfig, KioskRuntime
from kiosk.session import BpResult, VisitorKind
from kiosk.sync.publisher import PublisherSettings
from records.service import RecordService
from records.wire import event_topic

KIOSK_ID = "e2e-kiosk-01"


def wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


class Kiosk:
    """A kiosk runtime on a simulated cuff, as the demo builds it."""

    def __init__(self, data_dir: Path, broker_url: str) -> None:
        self.air = SimulatedAir()
        self.monitor = demo_monitor()
        self.air.add(self.monitor)
        self.runtime = KioskRuntime(
            KioskConfig(
                kiosk_id=KIOSK_ID,
                data_dir=data_dir,
                broker_url=broker_url,
                publisher=PublisherSettings(poll_interval=0.1, resend_after=timedelta(seconds=2)),
                discover_timeout=1.0,
            ),
            client_backend=self.air.client_backend,
            scanner_backend=self.air.scanner_backend,
        )

    def measure(
        self, sbp: int, dbp: int, pulse: int, subject: str | None = "pseudo-e2e-0000"
    ) -> BpResult:
        """One consented visit; ``subject=None`` is a guest (kept on the kiosk, never synced)."""
        visits = self.runtime.visits
        got: list[BpResult] = []
        done = threading.Event()

        def on_result(r: BpResult) -> None:
            got.append(r)
            done.set()

        off = visits.result_added.connect(on_result)
        try:
            kind = VisitorKind.CITIZEN_APP if subject else VisitorKind.GUEST
            self.runtime.submit(visits.start_visit, kind, subject).result(5)
            self.runtime.submit(visits.give_consent).result(5)
            self.runtime.run(self.monitor.measure(systolic=sbp, diastolic=dbp, pulse=pulse))
            assert done.wait(10), "no result from the simulated cuff"
            self.runtime.submit(visits.end_visit).result(5)
        finally:
            off()
        return got[0]

    def states(self, msg_ids: list[str]) -> dict[str, str]:
        return self.runtime.store.outbox_states(msg_ids)


@pytest.fixture
def kiosk_factory(tmp_path: Path) -> Iterator[Callable[[str], Kiosk]]:
    made: list[Kiosk] = []

    def make(broker_url: str) -> Kiosk:
        k = Kiosk(tmp_path / "kiosk", broker_url)
        k.runtime.start(discover=True)
        made.append(k)
        return k

    yield make
    for k in made:
        k.runtime.stop()


@pytest.fixture
def records(mosquitto: PrivateMosquitto, postgres_url: str) -> Iterator[RecordService]:
    service = RecordService(mosquitto.url, postgres_url)
    service.start()
    service.wait_ready(10)
    yield service
    service.stop()


def stored_rows(postgres_url: str) -> list[tuple[str, dict]]:
    engine = create_engine(postgres_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT msg_id, body FROM observations ORDER BY msg_id"))
            return [(r[0], r[1]) for r in rows]
    finally:
        engine.dispose()


def test_bp_reading_travels_to_the_record_and_is_acknowledged(
    mosquitto: PrivateMosquitto,
    records: RecordService,
    postgres_url: str,
    kiosk_factory: Callable[[str], Kiosk],
) -> None:
    kiosk = kiosk_factory(mosquitto.url)
    assert kiosk.runtime.hub.status["C0:FF:EE:00:00:01"].connected

    result = kiosk.measure(146, 92, 77, subject="pseudo-e2e-0001")
    assert result.reading.raw  # the exact indication bytes came through bleak
    assert result.classification.category.name == "HYPERTENSION_1"

    wait_for(
        lambda: kiosk.states([result.measurement_id]) == {result.measurement_id: "committed"},
        15,
        "the commit ack",
    )
    [(msg_id, body)] = stored_rows(postgres_url)
    assert msg_id == result.measurement_id
    values = {
        c["code"]["coding"][0]["code"]: c["valueQuantity"]["value"] for c in body["component"]
    }
    assert values["8480-6"] == 146 and values["8462-4"] == 92 and values["8867-4"] == 77
    assert body["subject"]["identifier"]["value"] == "pseudo-e2e-0001"


def test_broker_restart_mid_sync_loses_and_duplicates_nothing(
    mosquitto: PrivateMosquitto,
    postgres_url: str,
    kiosk_factory: Callable[[str], Kiosk],
) -> None:
    kiosk = kiosk_factory(mosquitto.url)
    ids: list[str] = []

    def measure_batch(n: int, base: int) -> list[str]:
        batch = [
            kiosk.measure(110 + (base + i) % 60, 70 + (base + i) % 25, 60 + i % 30).measurement_id
            for i in range(n)
        ]
        ids.extend(batch)
        return batch

    def states(batch: list[str]) -> set[str]:
        return set(kiosk.states(batch).values())

    service = RecordService(mosquitto.url, postgres_url)
    service.start()
    service.wait_ready(10)
    try:
        # A: normal sync.
        first = measure_batch(5, 0)
        wait_for(lambda: states(first) == {"committed"}, 15, "batch A committed")

        # B: the record service is away, so the broker PUBACKs rows nobody will commit;
        # then the broker dies with them (SIGKILL: nothing saved).
        service.stop()
        second = measure_batch(10, 5)
        wait_for(lambda: states(second) == {"sent"}, 15, "batch B accepted by the broker")
        mosquitto.kill()

        # C: measured while the broker is down: rows wait in the outbox.
        third = measure_batch(5, 15)
        assert states(third) == {"pending"}

        # D: broker and a fresh record service come back; the kiosk keeps measuring.
        mosquitto.restart()
        service = RecordService(mosquitto.url, postgres_url)
        service.start()
        service.wait_ready(10)
        measure_batch(5, 20)
        wait_for(lambda: states(ids) == {"committed"}, 60, "all 25 rows committed")
        # Each citizen visit also queued its health-data consent (tests/e2e/test_consent_sync.py).
        wait_for(lambda: kiosk.runtime.store.outbox_counts().committed == 50, 30, "consents")
    finally:
        service.stop()

    rows = stored_rows(postgres_url)
    assert len(rows) == 25, "duplicate or lost rows in the record"
    assert sorted(m for m, _ in rows) == sorted(ids)
    counts = kiosk.runtime.store.outbox_counts()
    assert (counts.committed, counts.pending, counts.sent, counts.rejected) == (50, 0, 0, 0)


def test_lost_commit_ack_causes_a_resend_but_no_duplicate(
    mosquitto: PrivateMosquitto,
    records: RecordService,
    postgres_url: str,
    kiosk_factory: Callable[[str], Kiosk],
) -> None:
    """An ack lost on the way back makes the kiosk resend; the record must still hold one row."""
    kiosk = kiosk_factory(mosquitto.url)
    result = kiosk.measure(121, 79, 66)
    wait_for(
        lambda: kiosk.states([result.measurement_id]) == {result.measurement_id: "committed"},
        15,
        "the commit ack",
    )
    # Pretend the ack never arrived: the kiosk will publish the same row again.
    with kiosk.runtime.store.engine.begin() as conn:
        conn.execute(text("UPDATE outbox SET state = 'sent', sent_at = '2000-01-01 00:00:00'"))
    kiosk.runtime.publisher.wake()
    wait_for(
        lambda: kiosk.states([result.measurement_id]) == {result.measurement_id: "committed"},
        15,
        "the second commit ack",
    )
    wait_for(lambda: records.counters["duplicates"] >= 1, 10, "the duplicate to be seen")
    assert [m for m, _ in stored_rows(postgres_url)] == [result.measurement_id]


def test_crisis_reading_sends_a_staff_alert_without_personal_data(
    mosquitto: PrivateMosquitto,
    records: RecordService,
    kiosk_factory: Callable[[str], Kiosk],
) -> None:
    received: list[tuple[str, bytes]] = []
    subscribed = threading.Event()
    watcher = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    watcher.on_subscribe = lambda *_: subscribed.set()
    watcher.on_message = lambda _c, _u, m: received.append((m.topic, m.payload))
    watcher.connect("127.0.0.1", mosquitto.port)
    watcher.subscribe(event_topic(KIOSK_ID, "alert"), qos=1)
    watcher.loop_start()
    try:
        assert subscribed.wait(5)
        kiosk = kiosk_factory(mosquitto.url)
        wait_for(lambda: kiosk.runtime.publisher.connected, 10, "kiosk connected")
        calm = kiosk.measure(124, 78, 70, subject="pseudo-e2e-0002")
        crisis = kiosk.measure(196, 118, 96, subject="pseudo-e2e-0002")
        wait_for(lambda: len(received) >= 1, 10, "the staff alert")
        time.sleep(0.3)  # a calm reading must not have sent one too
    finally:
        watcher.loop_stop()
        watcher.disconnect()
    [(topic, payload)] = received
    body = json.loads(payload)
    assert body["alert"] == "staff_now" and body["summary"] == "BP 196/118 mmHg, pulse 96/min"
    assert body["measurement_id"] == crisis.measurement_id != calm.measurement_id
    assert b"pseudo-e2e-0002" not in payload and "pseudo" not in topic


def test_guest_reading_stays_on_the_kiosk_and_is_purged_after_retention(
    mosquitto: PrivateMosquitto,
    records: RecordService,
    postgres_url: str,
    kiosk_factory: Callable[[str], Kiosk],
) -> None:
    kiosk = kiosk_factory(mosquitto.url)
    wait_for(lambda: kiosk.runtime.publisher.connected, 10, "kiosk connected")
    guest = kiosk.measure(132, 84, 70, subject=None)
    citizen = kiosk.measure(118, 76, 64, subject="pseudo-e2e-0003")
    wait_for(
        lambda: kiosk.states([citizen.measurement_id]) == {citizen.measurement_id: "committed"},
        15,
        "the citizen's commit ack",
    )
    store = kiosk.runtime.store
    # The guest saw a result and it is stored locally, but it has no outbox row at all.
    assert guest.measurement_id in {m.id for m in store.measurements()}
    assert kiosk.states([guest.measurement_id]) == {}
    assert [m for m, _ in stored_rows(postgres_url)] == [citizen.measurement_id]
    assert records.counters["received"] == 2  # the citizen's reading and consent, no guest's

    # Within retention nothing goes; past it the guest visit goes, the citizen's stays.
    assert store.purge_guest_visits(kiosk_now() - timedelta(hours=1)) == 0
    assert store.purge_guest_visits(kiosk_now() + timedelta(seconds=1)) == 1
    assert {m.id for m in store.measurements()} == {citizen.measurement_id}


def kiosk_now() -> datetime:
    return datetime.now(UTC)
