"""Fault tests (issue 6): each ends with every outbox row committed, every observation stored
exactly once in PostgreSQL, and nothing stored that the kiosk did not send.

Real private mosquitto and PostgreSQL; the kiosk and the record worker run as separate
processes where the fault is a SIGKILL."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from kiosk.localbroker import PrivateMosquitto
from kiosk.store import Store
from kiosk.sync.bench import KIOSK, fill_outbox
from kiosk.sync.publisher import OutboxPublisher, PublisherSettings
from records.db import make_engine, observations
from records.service import RecordService
from tests.servers import PrivatePostgres, wait_until

HERE = Path(__file__).parent
N = 400
WAIT = 60.0
# A small window keeps the drain going long enough to fail in the middle of it.
SETTINGS = PublisherSettings(
    poll_interval=0.05, resend_after=timedelta(seconds=2), window=20, batch=20
)


def stored(db_url: str) -> tuple[int, int]:
    """(rows, distinct observation identifiers) for the test kiosk."""
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(func.count()).where(observations.c.kiosk_id == KIOSK)
            ).scalar_one()
            ids = conn.execute(
                select(
                    func.count(func.distinct(observations.c.body["identifier"][0]["value"]))
                ).where(observations.c.kiosk_id == KIOSK)
            ).scalar_one()
        return int(rows), int(ids)
    finally:
        engine.dispose()


def assert_exactly_once(store: Store, db_url: str, expected: set[str]) -> None:
    states = store.outbox_states(sorted(expected))
    assert {m for m, s in states.items() if s == "committed"} == expected, "lost on the kiosk"
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            ids = [
                str(m)
                for (m,) in conn.execute(
                    select(observations.c.msg_id).where(observations.c.kiosk_id == KIOSK)
                )
            ]
    finally:
        engine.dispose()
    assert len(ids) == len(set(ids)) == len(expected), "duplicated or lost in the record"
    assert set(ids) == expected
    rows, distinct = stored(db_url)
    assert rows == distinct == len(expected), "one FHIR identifier stored twice"


def committed(store: Store) -> int:
    return store.outbox_counts().committed


@contextmanager
def service(broker: PrivateMosquitto, db_url: str, **kw: object) -> Iterator[RecordService]:
    svc = RecordService(broker.url, db_url, **kw)  # type: ignore[arg-type]
    svc.start()
    try:
        assert svc.wait_ready(WAIT), "record service did not subscribe"
        yield svc
    finally:
        svc.stop()


@contextmanager
def publisher(store: Store, broker: PrivateMosquitto) -> Iterator[OutboxPublisher]:
    pub = OutboxPublisher(store, KIOSK, broker.url, SETTINGS)
    pub.start()
    try:
        yield pub
    finally:
        pub.stop()


def backlog(tmp_data_dir: Path) -> tuple[Store, set[str]]:
    store = Store.open(tmp_data_dir / "kiosk.db")
    fill_outbox(store, N)
    rows = store.due_for_send(limit=N, resend_after=timedelta(0))
    return store, {r.msg_id for r in rows}


def test_broker_sigkill_mid_drain(
    mosquitto: PrivateMosquitto, postgres_url: str, tmp_data_dir: Path
) -> None:
    store, expected = backlog(tmp_data_dir)
    with service(mosquitto, postgres_url), publisher(store, mosquitto):
        wait_until(lambda: committed(store) > 0, WAIT, "first commits")
        mosquitto.kill()
        assert committed(store) < N, "drain finished before the fault; nothing was tested"
        time.sleep(0.5)
        mosquitto.restart()
        wait_until(lambda: committed(store) == N, WAIT, "every row committed after restart")
    assert_exactly_once(store, postgres_url, expected)


def test_postgres_stopped_mid_ingest_then_started(
    mosquitto: PrivateMosquitto,
    postgres_server: PrivatePostgres,
    postgres_url: str,
    tmp_data_dir: Path,
) -> None:
    store, expected = backlog(tmp_data_dir)
    with service(mosquitto, postgres_url) as svc, publisher(store, mosquitto):
        wait_until(lambda: committed(store) > 0, WAIT, "first commits")
        postgres_server.stop()
        try:
            stuck = committed(store)
            assert stuck < N, "drain finished before the fault; nothing was tested"
            wait_until(lambda: svc.counters["db_errors"] > 0, WAIT, "the service sees the outage")
            time.sleep(1.0)
            # Nothing is acked while the database is down.
            assert committed(store) == stuck
        finally:
            postgres_server.start()
        wait_until(lambda: committed(store) == N, WAIT, "every row committed after the outage")
    assert_exactly_once(store, postgres_url, expected)


def test_kiosk_sigkilled_mid_drain_and_restarted(
    mosquitto: PrivateMosquitto, postgres_url: str, tmp_data_dir: Path
) -> None:
    store, expected = backlog(tmp_data_dir)
    cmd = [sys.executable, str(HERE / "kiosk_proc.py"), str(tmp_data_dir / "kiosk.db")]
    cmd += [mosquitto.url, KIOSK]
    with service(mosquitto, postgres_url):
        first = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
        try:
            wait_until(lambda: committed(store) > 0, WAIT, "first commits")
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        at_kill = committed(store)
        assert at_kill < N, "drain finished before the kill; nothing was tested"
        second = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
        try:
            wait_until(lambda: committed(store) == N, WAIT, "every row committed after restart")
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(10)
    assert_exactly_once(store, postgres_url, expected)


def test_record_worker_sigkilled_after_commit_before_ack(
    mosquitto: PrivateMosquitto, postgres_url: str, tmp_data_dir: Path
) -> None:
    store, expected = backlog(tmp_data_dir)
    dying = subprocess.Popen(
        [sys.executable, str(HERE / "record_proc.py"), mosquitto.url, postgres_url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with publisher(store, mosquitto):
            assert dying.wait(WAIT) == -signal.SIGKILL
            rows, _ = stored(postgres_url)
            assert rows > 0, "the worker died before committing anything"
            # Committed in PostgreSQL, but the kiosk heard nothing.
            assert committed(store) == 0
            with service(mosquitto, postgres_url) as svc:
                wait_until(lambda: committed(store) == N, WAIT, "every row committed")
                # The re-sent rows that were already stored were acked again, not re-stored.
                assert svc.counters["duplicates"] > 0
    finally:
        if dying.poll() is None:
            dying.kill()
            dying.wait()
    assert_exactly_once(store, postgres_url, expected)


def test_two_workers_share_one_subscription(
    mosquitto: PrivateMosquitto, postgres_url: str, tmp_data_dir: Path
) -> None:
    store, expected = backlog(tmp_data_dir)
    with (
        service(mosquitto, postgres_url) as a,
        service(mosquitto, postgres_url) as b,
        publisher(store, mosquitto),
    ):
        wait_until(lambda: committed(store) == N, WAIT, "every row committed")
        got_a, got_b = a.counters["received"], b.counters["received"]
    assert got_a > 0 and got_b > 0, f"one worker did all the work ({got_a}/{got_b})"
    assert a.counters["committed"] + b.counters["committed"] == N
    assert_exactly_once(store, postgres_url, expected)
