"""The citizen-record ingest service: MQTT observations in, PostgreSQL rows and acks out.

Per message (sync_records.md §2.5):

1. check topic, envelope and FHIR Observation (records.wire);
2. valid: INSERT … ON CONFLICT (msg_id) DO NOTHING and COMMIT; invalid: store the raw message in
   ``rejected_messages`` and COMMIT;
3. publish an ``Ack`` (committed or rejected) on the kiosk's ack topic, QoS 1;
4. only then PUBACK the broker (paho ``manual_ack=True``).

A msg_id already stored is acked as committed again: the kiosk may have missed the first ack.

When the database fails (PostgreSQL down, SQLite locked) nothing is acked and nothing PUBACKed.
The message stays un-acknowledged in the broker's in-flight window and this service retries it
(backoff 0.1 → 2 s) until the database answers again, then commits, acks and PUBACKs. The MQTT
session is a clean one (a shared-subscription member must not hoard messages, §3.5 D), so if the
connection or the process is lost meanwhile the broker drops those un-acked messages (§3.5 F) and
does not redeliver them: the kiosk's outbox re-sends every row that has no committed ack after
its timeout, and the re-send is harmless because inserts are idempotent. The outbox, not the
broker, is what makes this zero-loss.

Logs name msg_id, kiosk_id, kind and the contract's short reason only — never payload contents,
and never database error text (it can quote the data); the engine hides SQL parameters too.
"""

from __future__ import annotations

import json
import logging
import queue
import re
import signal
import threading
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType
from typing import Any, Literal, TypedDict
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode
from sqlalchemy import Engine
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url

from records.db import (
    create_schema,
    insert_observations,
    insert_rejected,
    make_engine,
    normalize_db_url,
    stored_kiosk_ids,
)
from records.wire import (
    Ack,
    Envelope,
    WireError,
    ack_topic,
    check_kiosk_id,
    ingest_subscription,
    parse_obs_topic,
    validate_observation,
)

log = logging.getLogger(__name__)

DEFAULT_MQTT_PORT = 1883
_RECONNECT_MIN_S = 0.1
_RECONNECT_MAX_S = 2.0
_DB_RETRY_MIN_S = 0.1
_DB_RETRY_MAX_S = 2.0
_KEEPALIVE_S = 30
_MAX_REASON = 200  # reasons quote bits of the message (e.g. a bad schema name); keep them short
_MSG_ID = re.compile(r"[0-9a-f]{32}")


class RecordServiceError(RuntimeError):
    """The service cannot start (bad URL, database unreachable at start-up)."""


def parse_broker_url(url: str) -> tuple[str, int]:
    """``mqtt://host[:port]`` → (host, port). TLS (``mqtts://``) is not wired up yet."""
    # Errors do not echo the URL: it may carry credentials.
    usage = "broker URL must look like mqtt://HOST:PORT"
    parts = urlsplit(url)
    if parts.scheme != "mqtt":
        raise ValueError(f"{usage} (scheme {parts.scheme or 'missing'!r} not supported)")
    try:
        port = parts.port or DEFAULT_MQTT_PORT
    except ValueError as exc:  # port out of range or not a number
        raise ValueError(f"{usage} (bad port)") from exc
    if not parts.hostname or parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(usage)
    return parts.hostname, port


class ServiceCounters(TypedDict):
    """A snapshot; a plain dict at run time, so the demo can print it as JSON."""

    received: int  # messages taken from the broker
    committed: int  # observations newly stored
    duplicates: int  # msg_id already stored; acked as committed again
    rejected: int  # stored in rejected_messages
    db_errors: int  # failed database attempts (each retry counts)
    connections: int  # successful CONNACKs (1 + reconnects)


@dataclass(frozen=True, slots=True)
class _Incoming:
    topic: str
    payload: bytes
    mid: int
    qos: int
    generation: int  # which broker connection delivered it; a PUBACK is only valid on that one


@dataclass(frozen=True, slots=True)
class _Outcome:
    kiosk_id: str | None  # whose ack topic to answer on; None = nobody to tell
    ack: Ack | None


_CounterName = Literal[
    "received", "committed", "duplicates", "rejected", "db_errors", "connections"
]


class _Stopped(Exception):
    """The service is stopping while a message waits for the database."""


def _short(reason: str) -> str:
    return reason if len(reason) <= _MAX_REASON else reason[: _MAX_REASON - 1] + "…"


def _salvage_msg_id(payload: bytes) -> str | None:
    """The msg_id of a message that failed checks, if one can be read, to address the ack."""
    try:
        body = json.loads(payload)
    except (ValueError, RecursionError):
        return None
    msg_id = body.get("msg_id") if isinstance(body, dict) else None
    return msg_id if isinstance(msg_id, str) and _MSG_ID.fullmatch(msg_id) else None


def _topic_kiosk(topic: str) -> str | None:
    """The kiosk id level of a topic under the ingest filter, if it is a valid kiosk id."""
    parts = topic.split("/")
    if len(parts) < 4:
        return None
    try:
        return check_kiosk_id(parts[3])
    except WireError:
        return None


def _db_error_summary(exc: sa_exc.SQLAlchemyError) -> str:
    """Class name and SQLSTATE only: driver messages can quote the row being written."""
    orig = getattr(exc, "orig", None)
    sqlstate = getattr(orig, "sqlstate", None)
    name = type(orig).__name__ if orig is not None else type(exc).__name__
    return f"{name} (sqlstate {sqlstate})" if sqlstate else name


class RecordService:
    """Consumes observation envelopes from MQTT and stores them, acking only after COMMIT."""

    def __init__(
        self,
        broker_url: str,
        db_url: str,
        *,
        client_id: str | None = None,
        shared: bool = True,
    ) -> None:
        self._host, self._port = parse_broker_url(broker_url)
        self._db_url = normalize_db_url(db_url)
        self._client_id = client_id or f"records-{uuid.uuid4().hex[:12]}"
        self._subscription = ingest_subscription(shared)
        self._engine: Engine | None = None
        self._client: mqtt.Client | None = None
        self._worker: threading.Thread | None = None
        self._inbox: queue.Queue[_Incoming | None] = queue.Queue()  # None wakes the worker
        self._stopping = threading.Event()
        self._stop_requested = threading.Event()
        self._ready = threading.Event()
        self._lock = threading.Lock()
        self._counters = ServiceCounters(
            received=0, committed=0, duplicates=0, rejected=0, db_errors=0, connections=0
        )
        self._generation = 0
        self._sub_mid: int | None = None

    # --- public ------------------------------------------------------------------------
    @property
    def counters(self) -> ServiceCounters:
        with self._lock:
            return self._counters.copy()

    @property
    def client_id(self) -> str:
        return self._client_id

    def start(self) -> None:
        """Create the tables, connect to the broker and start consuming (returns at once).

        Raises RecordServiceError if the database cannot be reached; the broker may be down,
        the client keeps trying to connect in the background.
        """
        if self._client is not None:
            raise RuntimeError("RecordService already started")
        engine = make_engine(self._db_url)
        try:
            create_schema(engine)
        except sa_exc.SQLAlchemyError as exc:
            engine.dispose()
            safe_url = make_url(self._db_url).render_as_string(hide_password=True)
            raise RecordServiceError(
                f"record database {safe_url} is not usable: {_db_error_summary(exc)}"
            ) from exc
        self._engine = engine
        self._stopping.clear()

        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=self._client_id,
            protocol=mqtt.MQTTv5,
            manual_ack=True,  # PUBACK only after the COMMIT (sync_records.md §2.1)
        )
        # paho annotates the delays as int, but they are plain seconds and floats work.
        client.reconnect_delay_set(_RECONNECT_MIN_S, _RECONNECT_MAX_S)  # type: ignore[arg-type]
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        self._client = client

        self._worker = threading.Thread(
            target=self._work, name=f"records-ingest-{self._client_id}", daemon=True
        )
        self._worker.start()
        # Always a clean start: stale sessions of a shared-group member hold messages back.
        client.connect_async(self._host, self._port, keepalive=_KEEPALIVE_S, clean_start=True)
        client.loop_start()
        log.info("record service %s connecting to %s:%d", self._client_id, self._host, self._port)

    def wait_ready(self, timeout: float) -> bool:
        """True once connected and the ingest subscription is granted."""
        return self._ready.wait(timeout)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop consuming. Messages not yet committed stay un-acked (the kiosk re-sends them)."""
        self._stopping.set()
        self._inbox.put(None)
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.join(timeout)
            if worker.is_alive():
                log.warning("ingest worker still busy after %.0f s; leaving it behind", timeout)
        client, self._client = self._client, None
        if client is not None:
            client.disconnect()
            client.loop_stop()
        self._ready.clear()
        engine, self._engine = self._engine, None
        if engine is not None:
            engine.dispose()
        log.info("record service %s stopped", self._client_id)

    def request_stop(self) -> None:
        """Ask ``serve_forever`` to return; safe to call from a signal handler."""
        self._stop_requested.set()

    def serve_forever(self, on_stop: Callable[[], None] | None = None) -> None:
        """Run until ``request_stop()``; then call ``on_stop`` and stop cleanly."""
        self.start()
        try:
            # A timed wait so signal handlers get to run promptly on the main thread.
            while not self._stop_requested.wait(0.5):
                pass
            if on_stop is not None:
                on_stop()
        finally:
            self.stop()

    def __enter__(self) -> RecordService:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- paho callbacks (paho's network thread) -----------------------------------------
    def _bump(self, name: _CounterName) -> None:
        with self._lock:
            self._counters[name] += 1

    def _on_connect(
        self,
        client: mqtt.Client,
        userdata: Any,
        flags: mqtt.ConnectFlags,
        reason_code: ReasonCode,
        properties: Properties | None,
    ) -> None:
        if reason_code.is_failure:
            log.error("broker refused the connection: %s", reason_code)
            return
        with self._lock:
            self._generation += 1
        self._bump("connections")
        # Clean start: the broker forgot our subscription, so subscribe on every connect.
        _rc, self._sub_mid = client.subscribe(self._subscription, qos=1)
        log.info("connected to broker; subscribing %s", self._subscription)

    def _on_subscribe(
        self,
        client: mqtt.Client,
        userdata: Any,
        mid: int,
        reason_codes: list[ReasonCode],
        properties: Properties | None,
    ) -> None:
        if mid != self._sub_mid:
            return
        if any(rc.is_failure for rc in reason_codes):
            log.error("broker refused the subscription %s: %s", self._subscription, reason_codes)
            return
        self._ready.set()

    def _on_disconnect(
        self,
        client: mqtt.Client,
        userdata: Any,
        flags: mqtt.DisconnectFlags,
        reason_code: ReasonCode,
        properties: Properties | None,
    ) -> None:
        self._ready.clear()
        if not self._stopping.is_set():
            log.warning("lost the broker (%s); reconnecting", reason_code)

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        # Only hand over: a slow database must not stall paho's thread (keepalive, reconnects).
        # An exception here would end paho's network thread, hence the catch-all.
        try:
            with self._lock:
                generation = self._generation
            self._bump("received")
            incoming = _Incoming(
                message.topic, bytes(message.payload), message.mid, message.qos, generation
            )
        except Exception as exc:
            log.error("could not take a message from the broker: %s", type(exc).__name__)
            return
        self._inbox.put(incoming)

    # --- worker thread -----------------------------------------------------------------
    def _work(self) -> None:
        while not self._stopping.is_set():
            msg = self._inbox.get()
            if msg is None:
                continue
            try:
                self._handle(msg)
            except _Stopped:
                return
            except Exception as exc:
                # A bug, not bad data: leave the message un-acked (the kiosk re-sends it) and
                # keep serving. Traceback without the message text, which may quote data.
                log.error(
                    "unexpected %s while handling a message on %s; left un-acked\n%s",
                    type(exc).__name__,
                    msg.topic,
                    "".join(traceback.format_tb(exc.__traceback__)),
                )

    def _handle(self, msg: _Incoming) -> None:
        outcome = self._with_db_retry(msg)
        client = self._client
        if client is None:
            return
        if outcome.kiosk_id is not None and outcome.ack is not None:
            # Queued by paho even while disconnected, sent after the reconnect.
            client.publish(ack_topic(outcome.kiosk_id), outcome.ack.to_json(), qos=1)
        with self._lock:
            same_connection = msg.generation == self._generation
        # A PUBACK on a newer connection would acknowledge whatever now has that packet id.
        if msg.qos > 0 and same_connection:
            client.ack(msg.mid, msg.qos)

    def _with_db_retry(self, msg: _Incoming) -> _Outcome:
        delay = _DB_RETRY_MIN_S
        failing = False
        while True:
            try:
                outcome = self._store(msg)
            except sa_exc.SQLAlchemyError as exc:
                self._bump("db_errors")
                if not failing:
                    log.error(
                        "database unavailable (%s); message on %s waits un-acked, retrying",
                        _db_error_summary(exc),
                        msg.topic,
                    )
                failing = True
                if self._stopping.wait(delay):
                    raise _Stopped() from None
                delay = min(delay * 2, _DB_RETRY_MAX_S)
                continue
            if failing:
                log.info("database back; message on %s stored", msg.topic)
            return outcome

    def _store(self, msg: _Incoming) -> _Outcome:
        """Check and store one message; return whom to ack and how. Raises on DB failure."""
        try:
            topic_kiosk, topic_kind = parse_obs_topic(msg.topic)
            env = Envelope.from_json(msg.payload)
            if env.kiosk_id != topic_kiosk:
                raise WireError("envelope kiosk_id does not match the topic")
            if env.kind != topic_kind:
                raise WireError("envelope kind does not match the topic")
            validate_observation(env.kind, env.observation, env.msg_id)
        except WireError as err:
            return self._reject(msg, _short(err.reason), _salvage_msg_id(msg.payload))

        assert self._engine is not None
        try:
            with self._engine.begin() as conn:
                new = insert_observations(conn, [env])
                owner = None if new else stored_kiosk_ids(conn, [env.msg_id]).get(env.msg_id)
        except sa_exc.DataError as exc:
            # The database refuses this row's content (e.g. \u0000 in JSONB): retrying cannot
            # help, so reject it rather than block every message behind it.
            reason = f"database refused the observation: {_db_error_summary(exc)}"
            return self._reject(msg, reason, env.msg_id)

        if new:
            self._bump("committed")
            log.info("stored msg %s from %s (%s)", env.msg_id, env.kiosk_id, env.kind)
        elif owner is not None and owner != env.kiosk_id:
            # Never ack one kiosk's record as committed because another kiosk used its msg_id.
            return self._reject(msg, "msg_id already used by another kiosk", env.msg_id)
        else:
            self._bump("duplicates")
            log.info(
                "duplicate msg %s from %s (%s); acking again", env.msg_id, env.kiosk_id, env.kind
            )
        return _Outcome(env.kiosk_id, Ack(committed=(env.msg_id,)))

    def _reject(self, msg: _Incoming, reason: str, msg_id: str | None) -> _Outcome:
        assert self._engine is not None
        with self._engine.begin() as conn:
            insert_rejected(
                conn, topic=msg.topic, reason=reason, payload=msg.payload, msg_id=msg_id
            )
        self._bump("rejected")
        # The ack goes to the kiosk named by the topic (the broker's ACL vouches for it), never
        # to one named inside the payload.
        kiosk_id = _topic_kiosk(msg.topic)
        log.warning("rejected msg %s on %s: %s", msg_id or "(unreadable)", msg.topic, reason)
        if kiosk_id is None or msg_id is None:
            return _Outcome(None, None)
        return _Outcome(kiosk_id, Ack(rejected=((msg_id, reason),)))


def serve(broker_url: str, db_url: str) -> int:
    """Run the record service until SIGINT or SIGTERM. Exit code: 0 clean, 1 cannot start,
    2 bad arguments."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        service = RecordService(broker_url, db_url)
    except ValueError as exc:
        log.error("%s", exc)
        return 2

    received: list[str] = []

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        # No logging here: writing to stderr inside a handler can hit a reentrant-write error.
        received.append(signal.Signals(signum).name)
        service.request_stop()

    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, _on_signal)
    try:
        service.serve_forever(on_stop=lambda: log.info("stopping on %s", ", ".join(received)))
    except RecordServiceError as exc:
        log.error("%s", exc)
        return 1
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
