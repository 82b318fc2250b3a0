"""The outbox publisher: drains the kiosk outbox to the broker and settles rows on the
record service's commit ack.

Row life: pending -> sent (broker PUBACK reason < 0x80) -> committed (app-level ack after the
record service's DB commit). A PUBACK reason >= 0x80 (e.g. 0x87 not authorised) or a validation
refusal from the record service marks the row rejected for staff. A sent row with no ack after
``resend_after`` is published again; the service de-duplicates by msg_id, so a resend is
harmless and a lost ack costs one duplicate message, never a lost or duplicated record.

Flow control: at most ``window`` rows are out at once (published, no commit or reject ack yet).
A backlog therefore drains as a sliding window: each ack (one per record-service batch) frees
room and wakes the drain. PUBACK verdicts are written to SQLite in batches, not one transaction
per PUBACK. The window also keeps the broker's per-subscriber queue (mosquitto drops beyond
``max_queued_messages``) from overflowing when the record service falls behind.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties, VariableByteIntegers
from paho.mqtt.reasoncodes import ReasonCode

from kiosk.errors import ConfigError
from kiosk.store import Store
from records.wire import (
    SCHEMA,
    Ack,
    WireError,
    ack_topic,
    event_topic,
    obs_topic,
    status_topic,
)
from records.wire import parse_broker_url as wire_parse_broker_url

log = logging.getLogger(__name__)


def _properties(packet_type: int) -> Properties:
    return Properties(packet_type)  # type: ignore[no-untyped-call]  # paho leaves it untyped


def _utf8(value: str) -> bytes:
    raw = value.encode()
    return len(raw).to_bytes(2, "big") + raw


class _ObsProperties(Properties):
    """PUBLISH properties of one observation, packed once.

    paho's Properties checks every attribute against all 42 property names on set and again on
    pack(); for the drain loop that measured ~25 % of its thread. paho only calls ``pack()`` on
    properties it sends (also when it re-sends after a reconnect), so the bytes are fixed here.
    The attributes stay readable for logging and debugging."""

    def __init__(self, msg_id: str, expiry_s: int) -> None:
        object.__setattr__(self, "packetType", PacketTypes.PUBLISH)
        object.__setattr__(self, "UserProperty", [("msg_id", msg_id), ("schema", SCHEMA)])
        object.__setattr__(self, "ContentType", "application/json")
        object.__setattr__(self, "MessageExpiryInterval", expiry_s)
        body = (
            b"\x02" + expiry_s.to_bytes(4, "big")  # Message Expiry Interval
            + b"\x03" + _utf8("application/json")  # Content Type
            + b"\x26" + _utf8("msg_id") + _utf8(msg_id)  # User Property
            + b"\x26" + _utf8("schema") + _utf8(SCHEMA)
        )  # fmt: skip
        prefix: bytes = VariableByteIntegers.encode(len(body))  # type: ignore[no-untyped-call]
        object.__setattr__(self, "_packed", prefix + body)

    def pack(self) -> bytes:
        packed: bytes = object.__getattribute__(self, "_packed")
        return packed


@dataclass(frozen=True, slots=True)
class BrokerAddress:
    host: str
    port: int
    tls: bool = False


def parse_broker_url(url: str) -> BrokerAddress:
    """The record service's parser (records.wire), with the kiosk's typed error."""
    try:
        host, port = wire_parse_broker_url(url)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    return BrokerAddress(host, port, tls=urlsplit(url).scheme == "mqtts")


@dataclass(frozen=True, slots=True)
class PublisherSettings:
    batch: int = 500  # most rows published per drain pass
    # Most rows out at once, awaiting the record service's ack. Four record-service batches
    # (250): the service commits one batch while the next ones arrive; with window = batch
    # the two ends took turns (docs/sync.md § Benchmark).
    window: int = 1000
    poll_interval: float = 1.0
    resend_after: timedelta = timedelta(seconds=30)
    # A broker copy older than this is useless: the outbox re-sends it anyway after
    # resend_after. Expiry stops stale copies piling up in a broker during a long outage.
    message_expiry: timedelta = timedelta(hours=1)
    max_inflight: int = 100
    # Mutual TLS (mqtts://): CA of the broker, and this kiosk's certificate (CN = kiosk id).
    tls_ca: str | None = None
    tls_cert: str | None = None
    tls_key: str | None = None
    # Long enough that acks published during a brief network drop wait for the kiosk.
    session_expiry: int = 600


class OutboxPublisher:
    def __init__(
        self,
        store: Store,
        kiosk_id: str,
        broker_url: str,
        settings: PublisherSettings | None = None,
    ) -> None:
        self.store = store
        self.kiosk_id = kiosk_id
        self.broker = parse_broker_url(broker_url)
        self.settings = settings or PublisherSettings()
        self._lock = threading.Lock()
        # paho mid -> (msg_id, monotonic publish time); paho reuses mids, so entries expire.
        self._inflight: dict[int, tuple[str, float]] = {}
        self._early: dict[int, ReasonCode] = {}  # PUBACKs that beat the mid bookkeeping
        # msg_id -> monotonic publish time, until its commit/reject ack (or resend_after).
        self._awaiting: dict[str, float] = {}
        self._puback_ok: list[str] = []  # PUBACKed, not yet marked sent in SQLite
        self._last_flush = 0.0
        self._acks: list[Ack] = []  # received, not yet settled in SQLite
        self._settle_lock = threading.Lock()  # one settler at a time (paho thread, stop())
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._connected = threading.Event()
        self._thread: threading.Thread | None = None
        self._client = self._make_client()

    # --- lifecycle ----------------------------------------------------------------------
    def _make_client(self) -> mqtt.Client:
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=f"kiosk-{self.kiosk_id}",
            protocol=mqtt.MQTTv5,
        )
        client.max_inflight_messages_set(self.settings.max_inflight)
        client.reconnect_delay_set(min_delay=1, max_delay=30)
        client.will_set(status_topic(self.kiosk_id), b"offline", qos=1, retain=True)
        if self.broker.tls:
            s = self.settings
            client.tls_set(ca_certs=s.tls_ca, certfile=s.tls_cert, keyfile=s.tls_key)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_publish = self._on_publish
        client.on_message = self._on_message
        return client

    def start(self) -> None:
        props = _properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = self.settings.session_expiry
        self._client.connect_async(
            self.broker.host, self.broker.port, keepalive=30, properties=props
        )
        self._client.loop_start()
        self._thread = threading.Thread(target=self._run, name="outbox-publisher", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        try:
            self._flush_pubacks(force=True)
        except Exception:
            log.exception("could not record PUBACKs at stop; those rows will be sent again")
        if self._connected.is_set():
            info = self._client.publish(status_topic(self.kiosk_id), b"offline", 1, retain=True)
            info.wait_for_publish(timeout=1.0)
        self._client.disconnect()
        self._client.loop_stop()

    def publish_event(self, event: str, body: dict[str, Any]) -> bool:
        """Best effort, straight to the broker (not the outbox): an alert is only useful now.
        Returns False when the broker is unreachable, so the caller can fall back."""
        if not self._connected.is_set():
            return False
        payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        info = self._client.publish(event_topic(self.kiosk_id, event), payload, qos=1)
        return info.rc == mqtt.MQTT_ERR_SUCCESS

    def wake(self, *_: object) -> None:
        """Ask for a drain now (e.g. a measurement was just stored)."""
        self._wake.set()

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    # --- paho callbacks (paho's network thread) ----------------------------------------
    def _on_connect(
        self, client: mqtt.Client, _u: Any, flags: Any, reason: ReasonCode, _p: Any
    ) -> None:
        if reason.is_failure:
            log.error("broker refused the kiosk connection: %s", reason)
            return
        client.subscribe(ack_topic(self.kiosk_id), qos=1)
        client.publish(status_topic(self.kiosk_id), b"online", qos=1, retain=True)
        self._connected.set()
        log.info("connected to broker %s:%d", self.broker.host, self.broker.port)
        self._wake.set()

    def _on_disconnect(
        self, _c: mqtt.Client, _u: Any, _f: Any, reason: ReasonCode, _p: Any
    ) -> None:
        self._connected.clear()
        if not self._stop.is_set():
            log.warning("broker connection lost (%s); results stay in the outbox", reason)

    def _on_publish(self, _c: mqtt.Client, _u: Any, mid: int, reason: ReasonCode, _p: Any) -> None:
        with self._lock:
            entry = self._inflight.pop(mid, None)
            if entry is None:
                if len(self._early) < 10_000:
                    self._early[mid] = reason
                return
        self._settle_puback(entry[0], reason)

    def _settle_puback(self, msg_id: str, reason: ReasonCode) -> None:
        if reason.value >= 0x80:
            log.error("broker refused %s: %s (%d)", msg_id, reason, reason.value)
            self.store.mark_rejected(msg_id, f"broker reason {reason.value:#04x} {reason}")
            with self._lock:
                self._awaiting.pop(msg_id, None)
        else:
            # The row stays in _awaiting meanwhile, so no drain can publish it again.
            with self._lock:
                self._puback_ok.append(msg_id)

    def _flush_pubacks(self, force: bool = False) -> None:
        # At most once per poll interval: usually the commit ack comes first and the row never
        # needs a "sent" mark. Until marked, the row is still in _awaiting, so not re-sent.
        now = time.monotonic()
        if not force and now - self._last_flush < self.settings.poll_interval:
            return
        self._last_flush = now
        with self._lock:
            ids, self._puback_ok = self._puback_ok, []
        self.store.mark_sent_many(ids)

    def _on_message(self, _c: mqtt.Client, _u: Any, message: mqtt.MQTTMessage) -> None:
        try:
            ack = Ack.from_json(message.payload)
        except WireError as exc:
            log.error("ignored malformed ack: %s", exc.reason)
            return
        # Settled here, on paho's thread: the SQLite commit (an fsync) then overlaps the drain
        # thread's publishing; settling on the drain thread measured half the throughput.
        with self._settle_lock:
            with self._lock:
                self._acks.append(ack)
            self._settle_acks()
        self._wake.set()  # the window has room again

    def _settle_acks(self) -> None:
        with self._lock:
            acks, self._acks = self._acks, []
        if not acks:
            return
        committed = [m for ack in acks for m in ack.committed]
        rejected = [r for ack in acks for r in ack.rejected]
        n = self.store.mark_committed(committed)
        for msg_id, reason in rejected:
            log.error("record service rejected %s: %s", msg_id, reason)
            self.store.mark_rejected(msg_id, f"record service: {reason}")
        # Only now, with the verdicts on disk, may these rows leave the window.
        with self._lock:
            done = set(committed)
            # Committed rows need no "sent" mark any more: one write less per row.
            self._puback_ok = [m for m in self._puback_ok if m not in done]
            for msg_id in committed:
                self._awaiting.pop(msg_id, None)
            for msg_id, _ in rejected:
                self._awaiting.pop(msg_id, None)
        if n:
            log.debug("%d outbox rows committed", n)

    # --- drain loop (own thread) --------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.settings.poll_interval)
            self._wake.clear()
            try:
                if self._stop.is_set() or not self._connected.is_set():
                    continue
                self._drain_once()
            except Exception:
                # Keep draining on the next tick; the rows are safe in SQLite.
                log.exception("outbox drain failed")

    def _drain_once(self) -> None:
        self._flush_pubacks()
        now = time.monotonic()
        horizon = now - self.settings.resend_after.total_seconds()
        with self._lock:
            # No PUBACK or no ack for this long: treated as lost, the row may go again.
            for mid in [m for m, (_, t) in self._inflight.items() if t < horizon]:
                del self._inflight[mid]
            for msg_id in [m for m, t in self._awaiting.items() if t < horizon]:
                del self._awaiting[msg_id]
            self._early.clear()
            busy = set(self._awaiting)
        room = min(self.settings.batch, self.settings.window - len(busy))
        # With rows out, refill in chunks of at least a quarter window: each outbox query
        # excludes every busy msg_id and reads whole payloads, so small acks must not each cost
        # one. Rows lost in flight free their room after resend_after, as before.
        if room <= 0 or (busy and room < self.settings.window // 4):
            return
        rows = self.store.due_for_send(
            limit=room, resend_after=self.settings.resend_after, exclude=busy
        )
        sent = 0
        expiry_s = int(self.settings.message_expiry.total_seconds())
        for row in rows:
            if sent >= room:
                break
            if row.msg_id in busy:
                continue
            sent += 1
            props = _ObsProperties(row.msg_id, expiry_s)
            with self._lock:
                self._awaiting[row.msg_id] = time.monotonic()
            # Never hold our lock across publish(): paho calls on_publish while holding its
            # own lock, and on_publish takes ours.
            info = self._client.publish(
                obs_topic(self.kiosk_id, row.kind), row.payload, qos=1, properties=props
            )
            if info.rc not in (mqtt.MQTT_ERR_SUCCESS, mqtt.MQTT_ERR_NO_CONN):
                with self._lock:
                    self._awaiting.pop(row.msg_id, None)
                self.store.note_send_error(row.msg_id, mqtt.error_string(info.rc))
                continue
            with self._lock:
                early = self._early.pop(info.mid, None)
                if early is None:
                    self._inflight[info.mid] = (row.msg_id, time.monotonic())
            if early is not None:
                self._settle_puback(row.msg_id, early)
