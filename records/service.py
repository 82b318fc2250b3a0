"""The citizen-record ingest service: MQTT observations in, PostgreSQL rows and acks out.

Per batch (sync_records.md §2.5; a batch is whatever queued up while the previous one was in
the database, at most ``batch_max`` messages):

1. check each message's topic, envelope and FHIR Observation (records.wire);
2. in ONE transaction: valid ones INSERT … ON CONFLICT (msg_id) DO NOTHING, invalid ones go to
   ``rejected_messages`` with their raw bytes; consent messages (``obs/consent``) are upserted
   into ``consents`` by the kiosk's consent id; COMMIT;
3. publish one ``Ack`` (committed and rejected msg ids) per kiosk on its ack topic, QoS 1;
4. only then PUBACK each message to the broker (paho ``manual_ack=True``).

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
    upsert_consents,
)
from records.wire import (
    CONSENT_KIND,
    Ack,
    ConsentMessage,
    Envelope,
    WireError,
    ack_topic,
    check_kiosk_id,
    ingest_subscription,
    parse_broker_url,
    parse_obs_topic,
    validate_observation,
)

log = logging.getLogger(__name__)

_RECONNECT_MIN_S = 0.1
_RECONNECT_MAX_S = 2.0
_DB_RETRY_MIN_S = 0.1
_DB_RETRY_MAX_S = 2.0
_KEEPALIVE_S = 30
_BATCH_LINGER_S = 0.002  # a message waits at most this for company before its batch goes
_MAX_REASON = 200  # reasons quote bits of the message (e.g. a bad schema name); keep them short
_MSG_ID = re.compile(r"[0-9a-f]{32}")


class RecordServiceError(RuntimeError):
    """The service cannot start (bad URL, database unreachable at start-up)."""


@dataclass(frozen=True, slots=True)
class TlsFiles:
    """Mutual TLS: the CA that signed the broker, and this service's own certificate and key
    (its CN is the broker username the ACL knows, e.g. ``records-ingest``)."""

    ca: str
    cert: str
    key: str


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
        batch_max: int = 250,  # a quarter of a kiosk's window: acks flow while it sends
        tls: TlsFiles | None = None,
    ) -> None:
        self._host, self._port = parse_broker_url(broker_url)
        if urlsplit(broker_url).scheme == "mqtts" and tls is None:
            raise ValueError("an mqtts:// broker needs the CA, certificate and key files")
        self._tls = tls if urlsplit(broker_url).scheme == "mqtts" else None
        self._batch_max = max(1, batch_max)
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
        if self._tls is not None:
            client.tls_set(ca_certs=self._tls.ca, certfile=self._tls.cert, keyfile=self._tls.key)
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
        log.info("ingest subscription granted")  # `kiosk bench sync` waits for this line
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
            first = self._inbox.get()
            if first is None:
                continue
            # Whatever queued up while the last batch was in the database goes in one
            # transaction: under load batches grow by themselves, idle latency stays one message.
            batch = [first]
            while len(batch) < self._batch_max:
                try:
                    more = self._inbox.get(timeout=_BATCH_LINGER_S)
                except queue.Empty:
                    break
                if more is None:
                    break
                batch.append(more)
            try:
                self._handle(batch)
            except _Stopped:
                return
            except Exception as exc:
                # A bug, not bad data: leave the messages un-acked (the kiosk re-sends them)
                # and keep serving. Traceback without the message text, which may quote data.
                log.error(
                    "unexpected %s while handling %d message(s); left un-acked\n%s",
                    type(exc).__name__,
                    len(batch),
                    "".join(traceback.format_tb(exc.__traceback__)),
                )

    def _handle(self, batch: list[_Incoming]) -> None:
        outcomes = self._with_db_retry(batch)
        client = self._client
        if client is None:
            return
        # One ack message per kiosk per batch, published before any PUBACK.
        per_kiosk: dict[str, tuple[list[str], list[tuple[str, str]]]] = {}
        for outcome in outcomes:
            if outcome.kiosk_id is None or outcome.ack is None:
                continue
            committed, rejected = per_kiosk.setdefault(outcome.kiosk_id, ([], []))
            committed.extend(outcome.ack.committed)
            rejected.extend(outcome.ack.rejected)
        for kiosk_id, (committed, rejected) in per_kiosk.items():
            ack = Ack(committed=tuple(committed), rejected=tuple(rejected))
            # Queued by paho even while disconnected, sent after the reconnect.
            client.publish(ack_topic(kiosk_id), ack.to_json(), qos=1)
        with self._lock:
            generation = self._generation
        for msg in batch:
            # A PUBACK on a newer connection would acknowledge whatever now has that packet id.
            if msg.qos > 0 and msg.generation == generation:
                client.ack(msg.mid, msg.qos)

    def _with_db_retry(self, batch: list[_Incoming]) -> list[_Outcome]:
        delay = _DB_RETRY_MIN_S
        failing = False
        while True:
            try:
                outcomes = self._store_batch(batch)
            except sa_exc.SQLAlchemyError as exc:
                self._bump("db_errors")
                if not failing:
                    log.error(
                        "database unavailable (%s); %d message(s) wait un-acked, retrying",
                        _db_error_summary(exc),
                        len(batch),
                    )
                failing = True
                if self._stopping.wait(delay):
                    raise _Stopped() from None
                delay = min(delay * 2, _DB_RETRY_MAX_S)
                continue
            if failing:
                log.info("database back; %d message(s) stored", len(batch))
            return outcomes

    def _check(self, msg: _Incoming) -> Envelope:
        topic_kiosk, topic_kind = parse_obs_topic(msg.topic)
        env = Envelope.from_json(msg.payload)
        if env.kiosk_id != topic_kiosk:
            raise WireError("envelope kiosk_id does not match the topic")
        if env.kind != topic_kind:
            raise WireError("envelope kind does not match the topic")
        validate_observation(env.kind, env.observation, env.msg_id)
        return env

    def _check_consent(self, msg: _Incoming) -> ConsentMessage:
        topic_kiosk, _ = parse_obs_topic(msg.topic)
        consent = ConsentMessage.from_json(msg.payload)
        if consent.kiosk_id != topic_kiosk:
            raise WireError("consent kiosk_id does not match the topic")
        return consent

    def _store_batch(self, batch: list[_Incoming]) -> list[_Outcome]:
        """Check and store a batch in ONE transaction; return whom to ack and how.

        Raises on a database failure (nothing committed, nothing acked)."""
        valid: list[tuple[_Incoming, Envelope]] = []
        consents: list[tuple[_Incoming, ConsentMessage]] = []
        refused: list[tuple[_Incoming, str, str | None]] = []
        for msg in batch:
            try:
                if msg.topic.endswith("/" + CONSENT_KIND):
                    consents.append((msg, self._check_consent(msg)))
                else:
                    valid.append((msg, self._check(msg)))
            except WireError as err:
                refused.append((msg, _short(err.reason), _salvage_msg_id(msg.payload)))

        assert self._engine is not None
        outcomes: list[_Outcome] = []
        new_count = dup_count = 0
        try:
            with self._engine.begin() as conn:
                envs = [env for _, env in valid]
                raw: dict[str, bytes] = {}
                for msg, env in valid:
                    raw.setdefault(env.msg_id, msg.payload)
                new = insert_observations(conn, envs, payloads=raw)
                old = [e.msg_id for e in envs if e.msg_id not in new]
                owners = stored_kiosk_ids(conn, old)
                counted: set[str] = set()
                for msg, env in valid:
                    owner = env.kiosk_id if env.msg_id in new else owners.get(env.msg_id)
                    if owner != env.kiosk_id:
                        # Never ack one kiosk's record as committed because another kiosk used
                        # its msg_id.
                        refused.append((msg, "msg_id already used by another kiosk", env.msg_id))
                        continue
                    if env.msg_id in new and env.msg_id not in counted:
                        counted.add(env.msg_id)
                        new_count += 1
                    else:
                        dup_count += 1
                    outcomes.append(_Outcome(env.kiosk_id, Ack(committed=(env.msg_id,))))
                # Consents: idempotent upserts, so a repeat is simply acked again.
                kept = upsert_consents(conn, [c for _, c in consents])
                for msg, consent in consents:
                    if consent.msg_id not in kept:
                        refused.append(
                            (msg, "consent_id already used by another kiosk", consent.msg_id)
                        )
                        continue
                    outcomes.append(_Outcome(consent.kiosk_id, Ack(committed=(consent.msg_id,))))
                for msg, reason, msg_id in refused:
                    insert_rejected(
                        conn, topic=msg.topic, reason=reason, payload=msg.payload, msg_id=msg_id
                    )
        except sa_exc.DataError as exc:
            if len(batch) > 1:
                # One row's content is refused (e.g. \u0000 in JSONB); find it one by one
                # rather than block every message behind it.
                return [o for msg in batch for o in self._store_batch([msg])]
            if not valid and not consents:
                raise
            msg_id = valid[0][1].msg_id if valid else consents[0][1].msg_id
            reason = f"database refused the message: {_db_error_summary(exc)}"
            return [self._reject(batch[0], reason, msg_id)]

        with self._lock:
            self._counters["committed"] += new_count
            self._counters["duplicates"] += dup_count
            self._counters["rejected"] += len(refused)
        if new_count or dup_count:
            log.info("stored %d new, %d repeated message(s)", new_count, dup_count)
        for msg, reason, msg_id in refused:
            log.warning("rejected msg %s on %s: %s", msg_id or "(unreadable)", msg.topic, reason)
            outcomes.append(self._reject_outcome(msg, reason, msg_id))
        return outcomes

    @staticmethod
    def _reject_outcome(msg: _Incoming, reason: str, msg_id: str | None) -> _Outcome:
        # The ack goes to the kiosk named by the topic (the broker's ACL vouches for it), never
        # to one named inside the payload.
        kiosk_id = _topic_kiosk(msg.topic)
        if kiosk_id is None or msg_id is None:
            return _Outcome(None, None)
        return _Outcome(kiosk_id, Ack(rejected=((msg_id, reason),)))

    def _reject(self, msg: _Incoming, reason: str, msg_id: str | None) -> _Outcome:
        assert self._engine is not None
        with self._engine.begin() as conn:
            insert_rejected(
                conn, topic=msg.topic, reason=reason, payload=msg.payload, msg_id=msg_id
            )
        self._bump("rejected")
        log.warning("rejected msg %s on %s: %s", msg_id or "(unreadable)", msg.topic, reason)
        return self._reject_outcome(msg, reason, msg_id)


def serve(broker_url: str, db_url: str, tls: TlsFiles | None = None) -> int:
    """Run the record service until SIGINT or SIGTERM. Exit code: 0 clean, 1 cannot start,
    2 bad arguments."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        service = RecordService(broker_url, db_url, tls=tls)
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


def main(argv: list[str] | None = None) -> int:
    """``python -m records.service --broker URL --db URL``: the service without the kiosk CLI."""
    import argparse

    parser = argparse.ArgumentParser(prog="records.service")
    parser.add_argument("--broker", required=True, help="mqtt://host:port")
    parser.add_argument("--db", required=True, help="postgresql://… or sqlite:///path")
    parser.add_argument("--ca", help="CA file (mqtts://)")
    parser.add_argument("--cert", help="this service's certificate (mqtts://)")
    parser.add_argument("--key", help="this service's private key (mqtts://)")
    args = parser.parse_args(argv)
    tls = TlsFiles(args.ca, args.cert, args.key) if args.ca and args.cert and args.key else None
    return serve(args.broker, args.db, tls)


if __name__ == "__main__":
    raise SystemExit(main())
