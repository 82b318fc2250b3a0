"""Mutual TLS and the per-kiosk ACL from deploy/mosquitto, with a CA made at test time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kiosk.certs import issue_ca, issue_client, issue_server
from kiosk.localbroker import LocalBrokerError, PrivateMosquitto, free_port
from kiosk.store import Store
from kiosk.sync.bench import KIOSK, fill_outbox
from kiosk.sync.publisher import OutboxPublisher, PublisherSettings
from records.db import make_engine, observations, rejected_messages
from records.service import RecordService, TlsFiles
from tests.servers import wait_until

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "mosquitto"
OTHER = "kiosk-b"
WAIT = 20.0


class TlsBroker:
    def __init__(self, broker: PrivateMosquitto, port: int, certs: Path) -> None:
        self.broker, self.port, self.certs = broker, port, certs

    @property
    def url(self) -> str:
        return f"mqtts://127.0.0.1:{self.port}"

    def kiosk_settings(self, cn: str) -> PublisherSettings:
        return PublisherSettings(
            poll_interval=0.05,
            resend_after=timedelta(seconds=30),
            tls_ca=str(self.certs / "kiosk-ca.crt"),
            tls_cert=str(self.certs / f"{cn}.crt"),
            tls_key=str(self.certs / f"{cn}.key"),
        )


@pytest.fixture
def tls_broker(tmp_path: Path) -> Iterator[TlsBroker]:
    certs = tmp_path / "pki"
    issue_ca(certs, days=2)
    issue_server(certs, ["127.0.0.1"], days=2)
    for cn in (KIOSK, OTHER, "records-ingest"):
        issue_client(certs, cn, days=2)
    port = free_port()
    fragment = (DEPLOY / "kiosk-tls.conf").read_text()
    fragment = (
        fragment.replace("@PORT@", str(port))
        .replace("@BIND@", "127.0.0.1")
        .replace("@CERTS@", str(certs))
        .replace("@ACL@", str(DEPLOY / "acl"))
    )
    lines = [ln for ln in fragment.splitlines() if ln.strip() and not ln.startswith("#")]
    try:
        broker = PrivateMosquitto(extra_config=lines)
        broker.start()
    except LocalBrokerError as exc:
        pytest.fail(f"TLS broker did not start: {exc}", pytrace=False)
    try:
        yield TlsBroker(broker, port, certs)
    finally:
        broker.close()


def _counts(db_url: str) -> tuple[int, int]:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            obs = conn.execute(select(func.count()).select_from(observations)).scalar_one()
            rej = conn.execute(select(func.count()).select_from(rejected_messages)).scalar_one()
        return int(obs), int(rej)
    finally:
        engine.dispose()


def test_kiosk_publishing_under_another_kiosks_id_is_refused_0x87_and_nothing_stored(
    tls_broker: TlsBroker, tmp_data_dir: Path
) -> None:
    db_url = f"sqlite:///{tmp_data_dir / 'records.db'}"
    certs = tls_broker.certs
    svc = RecordService(
        tls_broker.url,
        db_url,
        tls=TlsFiles(
            str(certs / "kiosk-ca.crt"),
            str(certs / "records-ingest.crt"),
            str(certs / "records-ingest.key"),
        ),
    )
    svc.start()
    try:
        # The shared subscription is granted to the record service's own identity.
        assert svc.wait_ready(WAIT), "record service could not subscribe over mutual TLS"

        # Kiosk A, own id, own certificate: stored and acked.
        own = Store.open(tmp_data_dir / "own.db")
        fill_outbox(own, 3)
        pub = OutboxPublisher(own, KIOSK, tls_broker.url, tls_broker.kiosk_settings(KIOSK))
        pub.start()
        try:
            wait_until(lambda: own.outbox_counts().committed == 3, WAIT, "kiosk A committed")
        finally:
            pub.stop()
        assert _counts(db_url) == (3, 0)

        # Kiosk A's certificate, kiosk B's topic: the broker refuses every publish.
        forged = Store.open(tmp_data_dir / "forged.db")
        fill_outbox(forged, 2)
        pub = OutboxPublisher(forged, OTHER, tls_broker.url, tls_broker.kiosk_settings(KIOSK))
        pub.start()
        try:
            wait_until(lambda: forged.outbox_counts().rejected == 2, WAIT, "0x87 rejections")
        finally:
            pub.stop()
        reasons = {r for _, r in forged.rejected_rows()}
        assert reasons == {"broker reason 0x87 Not authorized"}
        # Had anything reached the record service it would be in one of these tables.
        assert _counts(db_url) == (3, 0)
        assert svc.counters["received"] == 3
        own.close()
        forged.close()
    finally:
        svc.stop()


def test_a_client_without_a_certificate_cannot_connect(
    tls_broker: TlsBroker, tmp_data_dir: Path
) -> None:
    store = Store.open(tmp_data_dir / "k.db")
    settings = PublisherSettings(tls_ca=str(tls_broker.certs / "kiosk-ca.crt"))
    pub = OutboxPublisher(store, KIOSK, tls_broker.url, settings)
    pub.start()
    try:
        wait_until(
            lambda: "peer did not return a certificate" in tls_broker.broker.log_tail(50),
            WAIT,
            "the broker to refuse the handshake",
        )
        assert not pub.connected
    finally:
        pub.stop()
        store.close()
