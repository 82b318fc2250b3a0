"""The outbox publisher: drains the kiosk outbox to the broker and settles rows on the
record service's commit ack.

Row life: pending -> sent (broker PUBACK reason < 0x80) -> committed (app-level ack after the
record service's DB commit). A PUBACK reason >= 0x80 (e.g. 0x87 not authorised) or a validation
refusal from the record service marks the row rejected for staff. A sent row with no ack after
``resend_after`` is published again; the service de-duplicates by msg_id, so a resend is
harmless and a lost ack costs one duplicate message, never a lost or duplicated record.
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
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from kiosk.errors import ConfigError
from kiosk.store import Store
from records.wire import Ack, WireError, ack_topic, event_topic, obs_topic, status_topic

log = logging.getLogger(__name__)


def _properties(packet_type: int) -> Properties:
    return Properties(packet_type)  # type: ignore[no-untyped-call]  # paho leaves it untyped


@dataclass(frozen=True, slots=True)
class BrokerAddress:
    host: str
    port: int
    tls: bool = False


def parse_broker_url(url: str) -> BrokerAddress:
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname:
        raise ConfigError(f"broker URL must look like mqtt://host:port, got {url!r}")
    tls = parts.scheme == "mqtts"
    return BrokerAddress(parts.hostname, parts.port or (8883 if tls else 1883), tls)


@dataclass(frozen=True, slots=True)
class PublisherSettings:
    batch: int = 50
    poll_interval: float = 1.0
    resend_after: timedelta = timedelta(seconds=30)
    max_inflight: int = 20
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
            client.tls_set()
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
            entry = self._inflight.get(mid)
            if entry is None:
                if len(self._early) < 10_000:
                    self._early[mid] = reason
                return
        # Record the verdict before forgetting the mid: a drain in between must see the row
        # either as in flight or as sent, never as pending (that would publish it twice).
        self._settle_puback(entry[0], reason)
        with self._lock:
            if self._inflight.get(mid) == entry:
                del self._inflight[mid]

    def _settle_puback(self, msg_id: str, reason: ReasonCode) -> None:
        if reason.value >= 0x80:
            log.error("broker refused %s: %s (%d)", msg_id, reason, reason.value)
            self.store.mark_rejected(msg_id, f"broker reason {reason.value:#04x} {reason}")
        else:
            self.store.mark_sent(msg_id)

    def _on_message(self, _c: mqtt.Client, _u: Any, message: mqtt.MQTTMessage) -> None:
        try:
            ack = Ack.from_json(message.payload)
        except WireError as exc:
            log.error("ignored malformed ack: %s", exc.reason)
            return
        n = self.store.mark_committed(ack.committed)
        for msg_id, reason in ack.rejected:
            log.error("record service rejected %s: %s", msg_id, reason)
            self.store.mark_rejected(msg_id, f"record service: {reason}")
        if n:
            log.debug("%d outbox rows committed", n)

    # --- drain loop (own thread) --------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.settings.poll_interval)
            self._wake.clear()
            if self._stop.is_set() or not self._connected.is_set():
                continue
            try:
                self._drain_once()
            except Exception:
                # Keep draining on the next tick; the rows are safe in SQLite.
                log.exception("outbox drain failed")

    def _drain_once(self) -> None:
        horizon = time.monotonic() - self.settings.resend_after.total_seconds()
        with self._lock:
            # A publish with no PUBACK for this long is treated as lost and may go again.
            for mid in [m for m, (_, t) in self._inflight.items() if t < horizon]:
                del self._inflight[mid]
            self._early.clear()
            busy = {msg_id for msg_id, _ in self._inflight.values()}
        room = self.settings.batch - len(busy)
        if room <= 0:
            return
        rows = self.store.due_for_send(
            limit=room + len(busy), resend_after=self.settings.resend_after
        )
        for row in rows:
            if row.msg_id in busy:
                continue
            props = _properties(PacketTypes.PUBLISH)
            props.UserProperty = [("msg_id", row.msg_id)]
            props.ContentType = "application/json"
            # Never hold our lock across publish(): paho calls on_publish while holding its
            # own lock, and on_publish takes ours.
            info = self._client.publish(
                obs_topic(self.kiosk_id, row.kind), row.payload, qos=1, properties=props
            )
            if info.rc not in (mqtt.MQTT_ERR_SUCCESS, mqtt.MQTT_ERR_NO_CONN):
                self.store.note_send_error(row.msg_id, mqtt.error_string(info.rc))
                continue
            with self._lock:
                early = self._early.pop(info.mid, None)
                if early is None:
                    self._inflight[info.mid] = (row.msg_id, time.monotonic())
            if early is not None:
                self._settle_puback(row.msg_id, early)
