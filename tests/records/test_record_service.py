"""The record service on a real private mosquitto and a real private PostgreSQL.

A plain paho client plays the kiosk: it publishes envelopes and watches its ack topic.
"""

from __future__ import annotations

import copy
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from kiosk.localbroker import PrivateMosquitto
from records.db import make_engine, observations, rejected_messages
from records.service import RecordService, parse_broker_url
from records.wire import (
    BP_DIASTOLIC,
    BP_PANEL,
    BP_SYSTOLIC,
    LOINC,
    MDC,
    UCUM,
    Ack,
    Envelope,
    WireError,
    ack_topic,
    check_kiosk_id,
    obs_topic,
    validate_observation,
)
from tests.servers import MqttProbe, PrivatePostgres, wait_until

KIOSK = "kiosk-0001"
OTHER_KIOSK = "kiosk-0002"
WAIT = 10.0  # upper bound for anything to happen; tests normally finish in milliseconds


def new_msg_id() -> str:
    return uuid.uuid4().hex


def bp_observation(msg_id: str, systolic: float = 128, diastolic: float = 82) -> dict[str, Any]:
    """A PHD-IG-style compound BP Observation (FHIR R4), the way a kiosk sends it."""

    def component(mdc: str, loinc: str, value: float) -> dict[str, Any]:
        return {
            "code": {"coding": [{"system": MDC, "code": mdc}, {"system": LOINC, "code": loinc}]},
            "valueQuantity": {"value": value, "unit": "mmHg", "system": UCUM, "code": "mm[Hg]"},
        }

    return {
        "resourceType": "Observation",
        "status": "final",
        "identifier": [{"system": "urn:gjhc:kiosk:msg-id", "value": msg_id}],
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "vital-signs",
                    }
                ]
            }
        ],
        "code": {
            "coding": [
                {"system": MDC, "code": "150020", "display": "MDC_PRESS_BLD_NONINV"},
                {"system": LOINC, "code": BP_PANEL},
            ]
        },
        "effectiveDateTime": "2025-03-04T10:11:12+09:00",
        "component": [
            component("150021", BP_SYSTOLIC, systolic),
            component("150022", BP_DIASTOLIC, diastolic),
        ],
    }


def bp_envelope(msg_id: str | None = None, kiosk_id: str = KIOSK, **values: float) -> Envelope:
    msg_id = msg_id or new_msg_id()
    return Envelope(msg_id, kiosk_id, "bp", bp_observation(msg_id, **values))


def acks(probe: MqttProbe, kiosk_id: str = KIOSK) -> list[Ack]:
    return [Ack.from_json(bytes(m.payload)) for m in probe.messages(ack_topic(kiosk_id))]


def committed_acks(probe: MqttProbe, msg_id: str, kiosk_id: str = KIOSK) -> int:
    return sum(a.committed.count(msg_id) for a in acks(probe, kiosk_id))


def rejections(probe: MqttProbe, msg_id: str) -> list[str]:
    return [reason for a in acks(probe) for m, reason in a.rejected if m == msg_id]


def send(probe: MqttProbe, env: Envelope, topic: str | None = None) -> None:
    probe.publish(topic or obs_topic(env.kiosk_id, env.kind), env.to_json())


def stored(db_url: str) -> list[dict[str, Any]]:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(select(observations))]
    finally:
        engine.dispose()


def stored_rejections(db_url: str) -> list[dict[str, Any]]:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(select(rejected_messages))]
    finally:
        engine.dispose()


@contextmanager
def running_service(broker_url: str, db_url: str) -> Iterator[RecordService]:
    service = RecordService(broker_url, db_url)
    service.start()
    try:
        assert service.wait_ready(WAIT), "record service did not subscribe"
        yield service
    finally:
        service.stop()


@pytest.fixture
def kiosk(mosquitto: PrivateMosquitto) -> Iterator[MqttProbe]:
    """The kiosk side: publishes observations, listens on its own and another kiosk's acks."""
    with MqttProbe(mosquitto.port, subscriptions=(ack_topic(KIOSK), ack_topic(OTHER_KIOSK))) as p:
        yield p


@pytest.fixture
def service(mosquitto: PrivateMosquitto, postgres_url: str) -> Iterator[RecordService]:
    with running_service(mosquitto.url, postgres_url) as svc:
        yield svc


# --- happy path ------------------------------------------------------------------------------


def test_valid_bp_is_stored_once_and_acked_as_committed(
    service: RecordService, kiosk: MqttProbe, postgres_url: str
) -> None:
    env = bp_envelope()
    send(kiosk, env)

    wait_until(lambda: committed_acks(kiosk, env.msg_id) == 1, WAIT, "the committed ack")
    [row] = stored(postgres_url)
    assert (row["msg_id"], row["kiosk_id"], row["kind"]) == (env.msg_id, KIOSK, "bp")
    assert row["effective_at"] == "2025-03-04T10:11:12+09:00"
    assert row["body"] == env.observation
    assert row["received_at"].tzinfo is not None
    assert service.counters == {
        "received": 1,
        "committed": 1,
        "duplicates": 0,
        "rejected": 0,
        "db_errors": 0,
        "connections": 1,
    }


def test_same_msg_id_twice_gives_one_row_and_two_committed_acks(
    service: RecordService, kiosk: MqttProbe, postgres_url: str
) -> None:
    env = bp_envelope()
    send(kiosk, env)
    wait_until(lambda: committed_acks(kiosk, env.msg_id) == 1, WAIT, "the first ack")
    send(kiosk, env)  # the kiosk missed the ack and re-sends
    wait_until(lambda: committed_acks(kiosk, env.msg_id) == 2, WAIT, "the second ack")

    assert [r["msg_id"] for r in stored(postgres_url)] == [env.msg_id]
    c = service.counters
    assert (c["received"], c["committed"], c["duplicates"], c["rejected"]) == (2, 1, 1, 0)


# --- rejections ------------------------------------------------------------------------------


def _diastolic_above_systolic() -> tuple[Envelope, str]:
    return bp_envelope(systolic=80, diastolic=120), obs_topic(KIOSK, "bp")


def _no_systolic() -> tuple[Envelope, str]:
    env = bp_envelope()
    obs = copy.deepcopy(env.observation)
    obs["component"] = obs["component"][1:]
    return Envelope(env.msg_id, KIOSK, "bp", obs), obs_topic(KIOSK, "bp")


def _kind_differs_from_topic() -> tuple[Envelope, str]:
    return bp_envelope(), obs_topic(KIOSK, "weight")


def _kiosk_differs_from_topic() -> tuple[Envelope, str]:
    # The topic names the publishing kiosk (the broker ACL vouches for it), the payload lies.
    return bp_envelope(kiosk_id=OTHER_KIOSK), obs_topic(KIOSK, "bp")


@pytest.mark.parametrize(
    ("make", "reason_part"),
    [
        (_diastolic_above_systolic, "out of range"),
        (_no_systolic, "systolic and diastolic"),
        (_kind_differs_from_topic, "kind does not match"),
        (_kiosk_differs_from_topic, "kiosk_id does not match"),
    ],
)
def test_invalid_observation_is_rejected_with_a_reason(
    make: Callable[[], tuple[Envelope, str]],
    reason_part: str,
    service: RecordService,
    kiosk: MqttProbe,
    postgres_url: str,
) -> None:
    env, topic = make()
    send(kiosk, env, topic)

    wait_until(lambda: rejections(kiosk, env.msg_id) != [], WAIT, "the rejected ack")
    [reason] = rejections(kiosk, env.msg_id)
    assert reason_part in reason
    assert committed_acks(kiosk, env.msg_id) == 0
    assert acks(kiosk, OTHER_KIOSK) == []  # answered on the topic's kiosk, not the payload's
    assert stored(postgres_url) == []
    [row] = stored_rejections(postgres_url)
    assert (row["msg_id"], row["topic"], row["reason"]) == (env.msg_id, topic, reason)
    assert bytes(row["payload"]) == env.to_json()
    assert service.counters["rejected"] == 1


def test_unreadable_message_is_kept_aside_without_an_ack(
    service: RecordService, kiosk: MqttProbe, postgres_url: str
) -> None:
    topic = obs_topic(KIOSK, "bp")
    kiosk.publish(topic, b"\xff not json")
    env = bp_envelope()
    send(kiosk, env, topic)
    # Same publisher, same topic: in order, so the garbage was handled before this ack.
    wait_until(lambda: committed_acks(kiosk, env.msg_id) == 1, WAIT, "the valid message's ack")

    assert [a for a in acks(kiosk) if a.rejected] == []  # no msg_id to answer to
    [row] = stored_rejections(postgres_url)
    assert row["msg_id"] is None and bytes(row["payload"]) == b"\xff not json"
    assert "not JSON" in row["reason"]
    assert [r["msg_id"] for r in stored(postgres_url)] == [env.msg_id]


def test_unstorable_content_is_rejected_not_retried_forever(
    service: RecordService, kiosk: MqttProbe, postgres_url: str
) -> None:
    # Valid JSON and a valid Observation, but PostgreSQL's JSONB cannot hold \u0000.
    env = bp_envelope()
    env.observation["note"] = [{"text": "cuff \u0000 slipped"}]
    send(kiosk, env)
    wait_until(lambda: rejections(kiosk, env.msg_id) != [], WAIT, "the rejected ack")
    assert "database refused" in rejections(kiosk, env.msg_id)[0]

    later = bp_envelope()  # the service is not stuck behind it
    send(kiosk, later)
    wait_until(lambda: committed_acks(kiosk, later.msg_id) == 1, WAIT, "the next ack")
    assert [r["msg_id"] for r in stored(postgres_url)] == [later.msg_id]


def test_msg_id_already_used_by_another_kiosk_is_not_acked_as_committed(
    service: RecordService, kiosk: MqttProbe, postgres_url: str
) -> None:
    first = bp_envelope(kiosk_id=OTHER_KIOSK)
    send(kiosk, first)
    wait_until(lambda: committed_acks(kiosk, first.msg_id, OTHER_KIOSK) == 1, WAIT, "ack")

    clash = bp_envelope(msg_id=first.msg_id, kiosk_id=KIOSK, systolic=140)
    send(kiosk, clash)
    wait_until(lambda: rejections(kiosk, first.msg_id) != [], WAIT, "the rejected ack")
    assert committed_acks(kiosk, first.msg_id) == 0
    [row] = stored(postgres_url)
    assert row["kiosk_id"] == OTHER_KIOSK


# --- faults ----------------------------------------------------------------------------------


def test_service_survives_a_broker_crash_and_restart(
    mosquitto: PrivateMosquitto, service: RecordService, kiosk: MqttProbe, postgres_url: str
) -> None:
    before = bp_envelope()
    send(kiosk, before)
    wait_until(lambda: committed_acks(kiosk, before.msg_id) == 1, WAIT, "the ack before the crash")

    mosquitto.kill()
    wait_until(lambda: not service.wait_ready(0), WAIT, "the service to notice the crash")
    mosquitto.restart()
    wait_until(
        lambda: service.counters["connections"] == 2 and service.wait_ready(0),
        WAIT,
        "the service to reconnect and subscribe again",
    )
    wait_until(lambda: kiosk.connections == 2 and kiosk.ready(), WAIT, "the kiosk to reconnect")

    after = bp_envelope()
    send(kiosk, after)
    wait_until(lambda: committed_acks(kiosk, after.msg_id) == 1, WAIT, "the ack after restart")
    assert sorted(r["msg_id"] for r in stored(postgres_url)) == sorted(
        [before.msg_id, after.msg_id]
    )


def test_service_started_before_the_broker_connects_when_it_comes_up(
    mosquitto: PrivateMosquitto, postgres_url: str
) -> None:
    mosquitto.stop()
    service = RecordService(mosquitto.url, postgres_url)
    service.start()
    try:
        assert not service.wait_ready(0.3)
        mosquitto.start()
        assert service.wait_ready(WAIT)
        with MqttProbe(mosquitto.port, subscriptions=(ack_topic(KIOSK),)) as kiosk:
            env = bp_envelope()
            send(kiosk, env)
            wait_until(lambda: committed_acks(kiosk, env.msg_id) == 1, WAIT, "the ack")
    finally:
        service.stop()


def test_database_outage_leaves_messages_unacked_until_the_database_is_back() -> None:
    # Own broker and cluster, because this test kills the database. With an in-flight window
    # of 1 the broker sends the next message only after a PUBACK, so `received` shows whether
    # the service PUBACKed a message it could not commit.
    with (
        PrivateMosquitto(extra_config=["max_inflight_messages 1"]) as broker,
        PrivatePostgres() as pg,
        MqttProbe(broker.port, subscriptions=(ack_topic(KIOSK),)) as kiosk,
    ):
        db_url = pg.create_database("records")
        with running_service(broker.url, db_url) as service:
            pg.kill()
            first, second = bp_envelope(), bp_envelope()
            send(kiosk, first)
            send(kiosk, second)
            wait_until(lambda: service.counters["db_errors"] >= 3, WAIT, "failed insert attempts")
            assert acks(kiosk) == []  # nothing committed, so nothing may be acked
            assert service.counters["received"] == 1  # and no PUBACK for the first one either

            pg.start()
            wait_until(
                lambda: (
                    committed_acks(kiosk, first.msg_id) == 1
                    and committed_acks(kiosk, second.msg_id) == 1
                ),
                WAIT,
                "both acks once the database is back",
            )
            assert sorted(r["msg_id"] for r in stored(db_url)) == sorted(
                [first.msg_id, second.msg_id]
            )
            assert service.counters["committed"] == 2


# --- SQLite ----------------------------------------------------------------------------------


def test_sqlite_database_url(
    mosquitto: PrivateMosquitto, kiosk: MqttProbe, tmp_data_dir: Path
) -> None:
    db_url = f"sqlite:///{tmp_data_dir / 'records.db'}"
    with running_service(mosquitto.url, db_url) as service:
        env = bp_envelope()
        send(kiosk, env)
        wait_until(lambda: committed_acks(kiosk, env.msg_id) == 1, WAIT, "the committed ack")
        send(kiosk, env)
        wait_until(lambda: committed_acks(kiosk, env.msg_id) == 2, WAIT, "the duplicate's ack")
        assert service.counters["duplicates"] == 1

    [row] = stored(db_url)
    assert row["msg_id"] == env.msg_id and row["body"] == env.observation
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
            count = conn.execute(select(func.count()).select_from(observations)).scalar_one()
            assert count == 1
    finally:
        engine.dispose()


# --- serve() as the CLI runs it ----------------------------------------------------------------

_SERVE = "import sys; from records.service import serve; sys.exit(serve(sys.argv[1], sys.argv[2]))"


def _serve_process(broker_url: str, db_url: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    return subprocess.Popen(
        [sys.executable, "-c", _SERVE, broker_url, db_url],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_serve_runs_until_sigterm_and_exits_0(
    mosquitto: PrivateMosquitto, kiosk: MqttProbe, postgres_url: str
) -> None:
    proc = _serve_process(mosquitto.url, postgres_url)
    try:
        env = bp_envelope()

        def acked() -> bool:
            # Re-send until the service is subscribed, as the kiosk outbox would.
            if committed_acks(kiosk, env.msg_id) == 0:
                send(kiosk, env)
            return committed_acks(kiosk, env.msg_id) > 0

        wait_until(acked, 30, "the served service to ack")
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=WAIT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "SIGTERM" in err
    assert "150020" not in err and "mm[Hg]" not in err  # no payload content in the log


@pytest.mark.parametrize(
    ("broker_url", "db_url", "code"),
    [
        ("tcp://127.0.0.1:1", "sqlite:///unused.db", 2),
        ("mqtt://127.0.0.1:1", "postgresql://postgres@127.0.0.1:1/none", 1),
    ],
)
def test_serve_exit_codes_when_it_cannot_start(broker_url: str, db_url: str, code: int) -> None:
    proc = _serve_process(broker_url, db_url)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == code, err


# --- small contract checks the service relies on ---------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mqtt://127.0.0.1:18883", ("127.0.0.1", 18883)),
        ("mqtt://broker.example", ("broker.example", 1883)),
    ],
)
def test_parse_broker_url(url: str, expected: tuple[str, int]) -> None:
    assert parse_broker_url(url) == expected


@pytest.mark.parametrize(
    "url", ["tcp://127.0.0.1:1883", "mqtt://:1883", "mqtt://h:99999", "mqtt://h:1/x", "127.0.0.1"]
)
def test_parse_broker_url_rejects(url: str) -> None:
    with pytest.raises(ValueError, match="broker URL"):
        parse_broker_url(url)


def test_wire_rejects_trailing_newline_in_ids() -> None:
    with pytest.raises(WireError):
        check_kiosk_id(KIOSK + "\n")
    payload = bp_envelope().to_json().replace(b'","kiosk_id"', b'\\n","kiosk_id"', 1)
    with pytest.raises(WireError, match="msg_id"):
        Envelope.from_json(payload)


@pytest.mark.parametrize(
    "bad",
    [{"identifier": 5}, {"component": 7}, {"code": {"coding": 3}}],
)
def test_wire_rejects_non_arrays_with_a_wire_error(bad: dict[str, Any]) -> None:
    msg_id = new_msg_id()
    obs = bp_observation(msg_id) | bad
    with pytest.raises(WireError):
        validate_observation("bp", obs, msg_id)


def test_wire_rejects_nan_and_deep_nesting() -> None:
    env = bp_envelope()
    with pytest.raises(WireError, match="not JSON"):
        Envelope.from_json(env.to_json().replace(b"128", b"NaN", 1))
    with pytest.raises(WireError, match="not JSON"):
        Envelope.from_json(b"[" * 100_000 + b"]" * 100_000)
