"""Sync throughput: the kiosk outbox → mosquitto → record service → commit ack, against a
baseline of bare QoS 1 publishes through the same broker in the same run.

    .venv/bin/python bench/bench_sync.py [--n 2000]

Figures: rows/s for the store's one-transaction write, for bare MQTT, and for the full
acknowledged pipeline; the ratio says what the zero-loss design costs over the broker alone.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from devices.readings import BloodPressureReading, DeviceIdentity, PressureUnit
from kiosk.ids import new_msg_id
from kiosk.localbroker import PrivateMosquitto
from kiosk.store import Store
from kiosk.sync.fhir import blood_pressure_observation
from kiosk.sync.publisher import OutboxPublisher, PublisherSettings
from records.service import RecordService
from records.wire import Envelope, obs_topic

KIOSK = "bench-kiosk-01"
DEVICE = DeviceIdentity(address="C0:FF:EE:00:00:01", model="SIM-BP1")


def reading(i: int) -> BloodPressureReading:
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
    visit = new_msg_id()
    store.start_visit(visit, "guest", None)
    payloads = []
    for i in range(n):
        msg_id, now, r = new_msg_id(), datetime.now(UTC), reading(i)
        obs = blood_pressure_observation(
            r, msg_id=msg_id, measured_at=now, subject_ref=None, visit_id=visit
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


def bare_mqtt(broker: PrivateMosquitto, payloads: list[bytes]) -> float:
    """Seconds for QoS 1 publishes to reach a subscriber: the broker's own speed here."""
    got, done, ready = [0], threading.Event(), threading.Event()

    def on_message(*_: object) -> None:
        got[0] += 1
        if got[0] == len(payloads):
            done.set()

    sub = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    sub.on_message = on_message
    sub.on_subscribe = lambda *_: ready.set()
    sub.connect("127.0.0.1", broker.port)
    sub.subscribe(obs_topic(KIOSK, "bp"), qos=1)
    sub.loop_start()
    pub = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    pub.connect("127.0.0.1", broker.port)
    pub.loop_start()
    ready.wait(5)
    start = time.perf_counter()
    for p in payloads:
        pub.publish(obs_topic(KIOSK, "bp"), p, qos=1)
    done.wait(120)
    elapsed = time.perf_counter() - start
    for c in (pub, sub):
        c.disconnect()
        c.loop_stop()
    if got[0] != len(payloads):
        raise SystemExit(f"baseline lost messages: {got[0]}/{len(payloads)}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    n = parser.parse_args().n
    # mosquitto drops QoS 1 messages queued beyond 1000 for a slow subscriber even after it
    # PUBACKed them (sync_records.md §3.5); lift the cap so the baseline measures speed.
    broker_conf = ["max_queued_messages 1000000"]
    with (
        tempfile.TemporaryDirectory() as tmp,
        PrivateMosquitto(extra_config=broker_conf) as broker,
    ):
        store = Store.open(Path(tmp) / "kiosk.db")
        t0 = time.perf_counter()
        payloads = fill_outbox(store, n)
        write_s = time.perf_counter() - t0

        base_s = bare_mqtt(broker, payloads)

        records = RecordService(broker.url, f"sqlite:///{tmp}/records.db")
        records.start()
        records.wait_ready(10)
        publisher = OutboxPublisher(
            store,
            KIOSK,
            broker.url,
            PublisherSettings(poll_interval=0.05, resend_after=timedelta(seconds=60)),
        )
        t0 = time.perf_counter()
        publisher.start()
        deadline = time.monotonic() + 300
        while store.outbox_counts().committed < n and time.monotonic() < deadline:
            time.sleep(0.05)
        pipe_s = time.perf_counter() - t0
        committed = store.outbox_counts().committed
        publisher.stop()
        records.stop()
        store.close()

    print(f"rows                         {n}")
    print(f"store write (row+outbox, tx) {n / write_s:8.0f} rows/s")
    print(f"baseline: bare QoS1 via broker {n / base_s:6.0f} msgs/s")
    print(f"pipeline: outbox→ingest→ack  {n / pipe_s:8.0f} rows/s  ({committed}/{n} committed)")
    print(f"ratio pipeline / baseline    {base_s / pipe_s:8.3f}")
    if committed != n:
        raise SystemExit("pipeline did not commit every row")


if __name__ == "__main__":
    main()
