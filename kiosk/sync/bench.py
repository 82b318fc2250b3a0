"""The sync benchmark behind ``kiosk bench sync`` and ``make bench``.

End to end: a backlog of N observations in a kiosk outbox → mosquitto → record service →
database commit → ack → outbox rows marked committed. Baseline, same run, same broker, same
payloads: bare paho QoS 1 publish → subscriber. The ratio says what zero-loss costs.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import select

from devices.readings import BloodPressureReading, DeviceIdentity, PressureUnit
from kiosk.errors import SyncError
from kiosk.ids import new_msg_id
from kiosk.localbroker import PrivateMosquitto
from kiosk.store import Store
from kiosk.sync.fhir import blood_pressure_observation
from kiosk.sync.publisher import OutboxPublisher, PublisherSettings
from records.db import make_engine, observations
from records.wire import Envelope

KIOSK = "bench-kiosk-01"
DEVICE = DeviceIdentity(address="C0:FF:EE:00:00:01", model="SIM-BP1")
# The baseline subscriber may lag the publisher; mosquitto would drop QoS 1 messages queued
# beyond 1000 for it (sync_records.md §3.5) and the baseline would measure loss, not speed.
BROKER_CONFIG = (
    "max_queued_messages 1000000",
    # Lets a record worker hold a whole batch un-PUBACKed until its commit (default 20);
    # deploy/ sets the same.
    "max_inflight_messages 1000",
)


def _reading(i: int) -> BloodPressureReading:
    return BloodPressureReading(
        device=DEVICE,
        systolic=110 + i % 60,
        diastolic=70 + i % 25,
        mean_arterial=None,
        unit=PressureUnit.MMHG,
        pulse_rate=60 + i % 30,
        raw=b"\x04" + bytes(8),
    )


def fill_outbox(store: Store, n: int) -> list[bytes]:
    """N stored BP measurements with their outbox rows, as a kiosk would have after an outage."""
    visit = new_msg_id()
    store.start_visit(visit, "citizen_app", "Patient/bench-pseudonym-0001")
    store.record_consent(visit)
    payloads = []
    for i in range(n):
        msg_id, now, r = new_msg_id(), datetime.now(UTC), _reading(i)
        obs = blood_pressure_observation(
            r,
            msg_id=msg_id,
            measured_at=now,
            subject_ref="Patient/bench-pseudonym-0001",
            visit_id=visit,
        )
        payload = Envelope(msg_id, KIOSK, "bp", obs).to_json()
        store.record_measurement(
            msg_id=msg_id,
            visit_id=visit,
            reading=r,
            measured_at=now,
            category="normal",
            alert="none",
            sync_kind="bp",
            payload=payload,
        )
        payloads.append(payload)
    return payloads


def raw_qos1(port: int, payloads: list[bytes], timeout: float) -> float:
    """Messages/s of bare QoS 1 publishes from one paho client to another through the broker."""
    got, done, ready = [0], threading.Event(), threading.Event()

    def on_message(*_: object) -> None:
        got[0] += 1
        if got[0] == len(payloads):
            done.set()

    sub = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    sub.on_message = on_message
    sub.on_subscribe = lambda *_: ready.set()
    sub.connect("127.0.0.1", port)
    sub.subscribe("bench/raw", qos=1)
    sub.loop_start()
    pub = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    pub.connect("127.0.0.1", port)
    pub.loop_start()
    try:
        if not ready.wait(10):
            raise SyncError("baseline subscriber was not subscribed in time")
        start = time.perf_counter()
        for p in payloads:
            pub.publish("bench/raw", p, qos=1)
        done.wait(timeout)
        elapsed = time.perf_counter() - start
    finally:
        for c in (pub, sub):
            c.disconnect()
            c.loop_stop()
    if got[0] != len(payloads):
        raise SyncError(f"baseline lost messages: {got[0]}/{len(payloads)}")
    return len(payloads) / elapsed


@dataclass(frozen=True, slots=True)
class _Tally:
    lost: int
    duplicated: int


def _tally(store: Store, db_url: str, expected: set[str]) -> _Tally:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            stored = [
                str(m)
                for (m,) in conn.execute(
                    select(observations.c.msg_id).where(observations.c.kiosk_id == KIOSK)
                )
            ]
    finally:
        engine.dispose()
    states = store.outbox_states(sorted(expected))
    committed = {m for m, st in states.items() if st == "committed"}
    # Lost: not in the record DB, or the kiosk never learnt it was committed.
    lost = len(expected - set(stored)) + len(expected - committed)
    duplicated = len(stored) - len(set(stored)) + len(set(stored) - expected)
    return _Tally(lost, duplicated)


def _start_record_service(broker_url: str, db_url: str, log_path: Path) -> subprocess.Popen[bytes]:
    """The record service as a child process; returns once its subscription is granted."""
    log = log_path.open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "records.service",
            "--broker",
            broker_url,
            "--db",
            db_url,
        ],
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    log.close()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if b"ingest subscription granted" in log_path.read_bytes():
            return proc
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    tail = log_path.read_text(errors="replace")[-2000:]
    raise SyncError(f"record service did not start:\n{tail}")


def run(
    n: int,
    *,
    db_url: str | None = None,
    timeout: float = 600.0,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Both measurements in one run on one private broker; returns the JSON report."""
    say = progress or (lambda _m: None)
    with (
        tempfile.TemporaryDirectory(prefix="kiosk-bench-") as tmp,
        PrivateMosquitto(extra_config=BROKER_CONFIG) as broker,
    ):
        url = db_url or f"sqlite:///{tmp}/records.db"
        store = Store.open(Path(tmp) / "kiosk.db")
        try:
            t0 = time.perf_counter()
            payloads = fill_outbox(store, n)
            fill_s = time.perf_counter() - t0
            say(f"outbox filled: {n} rows in {fill_s:.1f} s")
            expected = {r.msg_id for r in store.due_for_send(limit=n, resend_after=timedelta(0))}

            raw = raw_qos1(broker.port, payloads, timeout)
            say(f"raw QoS 1: {raw:.0f} msgs/s")

            # The record service runs as its own process, as in production: one Python
            # process for both ends would measure the GIL, not the design.
            service = _start_record_service(broker.url, url, Path(tmp) / "records.log")
            publisher = OutboxPublisher(
                store,
                KIOSK,
                broker.url,
                PublisherSettings(resend_after=timedelta(seconds=60)),
            )
            try:
                t0 = time.perf_counter()
                publisher.start()
                deadline = time.monotonic() + timeout
                while store.outbox_counts().committed < n and time.monotonic() < deadline:
                    time.sleep(0.1)
                e2e_s = time.perf_counter() - t0
            finally:
                publisher.stop()
                service.send_signal(signal.SIGTERM)
                service.wait(30)
            tally = _tally(store, url, expected)
        finally:
            store.close()
    e2e = n / e2e_s
    return {
        "observations": n,
        "end_to_end_obs_per_s": round(e2e, 1),
        "raw_qos1_msgs_per_s": round(raw, 1),
        "ratio": round(e2e / raw, 3),
        "lost": tally.lost,
        "duplicated": tally.duplicated,
        "payload_bytes": len(payloads[0]) if payloads else 0,
        "database": url.split(":", 1)[0],
    }
