"""Batched ingest, the sync CLI for staff, and the benchmark command (issue 6)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from kiosk.localbroker import PrivateMosquitto
from kiosk.store import Store
from kiosk.sync.bench import KIOSK, fill_outbox
from records.service import RecordService
from records.wire import Ack, ack_topic, obs_topic
from tests.servers import MqttProbe, wait_until

WAIT = 30.0
KIOSK_CMD = [sys.executable, "-m", "kiosk.cli"]


def test_a_burst_is_stored_in_batches_with_one_ack_per_batch(
    mosquitto: PrivateMosquitto, postgres_url: str, tmp_data_dir: Path
) -> None:
    store = Store.open(tmp_data_dir / "kiosk.db")
    payloads = fill_outbox(store, 200)
    store.close()
    svc = RecordService(mosquitto.url, postgres_url)
    svc.start()
    try:
        assert svc.wait_ready(WAIT)
        with MqttProbe(mosquitto.port, subscriptions=(ack_topic(KIOSK),)) as probe:
            pub = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
            pub.connect("127.0.0.1", mosquitto.port)
            pub.loop_start()
            try:
                for p in payloads:
                    pub.publish(obs_topic(KIOSK, "bp"), p, qos=1)

                def acked() -> set[str]:
                    return {
                        m for msg in probe.messages() for m in Ack.from_json(msg.payload).committed
                    }

                wait_until(lambda: len(acked()) == 200, WAIT, "all 200 acked")
            finally:
                pub.disconnect()
                pub.loop_stop()
            acks = [Ack.from_json(m.payload) for m in probe.messages()]
    finally:
        svc.stop()
    assert svc.counters["committed"] == 200
    assert svc.counters["duplicates"] == 0
    # A burst shares commits and ack messages; no id is acked twice.
    assert len(acks) < 200
    assert max(len(a.committed) for a in acks) > 1
    ids = [m for a in acks for m in a.committed]
    assert len(ids) == len(set(ids)) == 200


def _kiosk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*KIOSK_CMD, *args], capture_output=True, text=True, timeout=120)


def test_sync_status_and_retry_of_a_rejected_row(tmp_data_dir: Path) -> None:
    db = tmp_data_dir / "kiosk.db"
    store = Store.open(db)
    fill_outbox(store, 3)
    rows = store.due_for_send(limit=3, resend_after=timedelta(0))
    store.mark_committed([rows[0].msg_id])
    store.mark_rejected(rows[1].msg_id, "record service: blood pressure values out of range")
    store.close()

    out = _kiosk("sync", "status", "--db", str(db), "--json")
    assert out.returncode == 0, out.stderr
    status = json.loads(out.stdout)
    assert status["queue_depth"] == 1
    assert status["committed"] == 1
    assert status["rejected"] == 1
    assert status["rejected_ids"] == [
        {"msg_id": rows[1].msg_id, "reason": "record service: blood pressure values out of range"}
    ]
    assert status["oldest_pending"] is not None
    assert status["broker"] == "not configured"

    # Only a rejected row can be retried.
    wrong = _kiosk("sync", "retry", "--db", str(db), "--rejected", rows[0].msg_id)
    assert wrong.returncode == 1
    assert "not a rejected outbox row" in wrong.stderr
    ok = _kiosk("sync", "retry", "--db", str(db), "--rejected", rows[1].msg_id)
    assert ok.returncode == 0, ok.stderr

    store = Store.open(db)
    try:
        assert store.outbox_state(rows[1].msg_id) == "pending"
        assert store.outbox_counts().rejected == 0
    finally:
        store.close()


def test_sync_status_names_a_missing_database(tmp_data_dir: Path) -> None:
    out = _kiosk("sync", "status", "--db", str(tmp_data_dir / "nope.db"))
    assert out.returncode == 1
    assert "no kiosk database" in out.stderr
    assert "advice:" in out.stderr


def test_sync_status_reports_broker_reachability(
    mosquitto: PrivateMosquitto, tmp_data_dir: Path
) -> None:
    db = tmp_data_dir / "kiosk.db"
    Store.open(db).close()
    up = json.loads(
        _kiosk("sync", "status", "--db", str(db), "--broker", mosquitto.url, "--json").stdout
    )
    assert up["broker"] == "reachable"
    mosquitto.kill()
    down = json.loads(
        _kiosk("sync", "status", "--db", str(db), "--broker", mosquitto.url, "--json").stdout
    )
    assert down["broker"] == "unreachable"


def test_bench_sync_prints_rates_ratio_and_zero_loss() -> None:
    out = _kiosk("bench", "sync", "--observations", "300", "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["observations"] == 300
    assert report["lost"] == 0
    assert report["duplicated"] == 0
    assert report["end_to_end_obs_per_s"] > 0
    assert report["raw_qos1_msgs_per_s"] > 0
    expected = report["end_to_end_obs_per_s"] / report["raw_qos1_msgs_per_s"]
    assert abs(report["ratio"] - expected) < 0.01
