"""A citizen's consents travel the outbox to the record's consents table exactly once.

Real mosquitto, real PostgreSQL, the real record service and kiosk runtime; no devices needed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from kiosk.localbroker import PrivateMosquitto
from kiosk.runtime import KioskConfig, KioskRuntime
from kiosk.session import VisitorKind
from kiosk.store.consent_models import ConsentPurpose
from kiosk.sync.publisher import PublisherSettings
from records.service import RecordService
from records.wire import CONSENT_KIND

KIOSK_ID = "e2e-consent-01"
SUBJECT = "pseudo-e2e-c001"


def wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def runtime(tmp_path: Path, mosquitto: PrivateMosquitto) -> Iterator[KioskRuntime]:
    rt = KioskRuntime(
        KioskConfig(
            kiosk_id=KIOSK_ID,
            data_dir=tmp_path / "kiosk",
            broker_url=mosquitto.url,
            publisher=PublisherSettings(poll_interval=0.1, resend_after=timedelta(seconds=2)),
            discover_timeout=0.1,
        )
    )
    rt.start(discover=False)
    yield rt
    rt.stop()


def record_consents(postgres_url: str) -> list[tuple[str, str, str, str, bool, str]]:
    engine = create_engine(postgres_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT consent_key, citizen_id, scope, version, withdrawn_at IS NOT NULL,"
                    " kiosk_id FROM consents ORDER BY scope, consent_key"
                )
            )
            return [tuple(r) for r in rows]  # type: ignore[misc]
    finally:
        engine.dispose()


def test_citizen_consent_is_committed_in_the_record_exactly_once(
    mosquitto: PrivateMosquitto, postgres_url: str, runtime: KioskRuntime
) -> None:
    service = RecordService(mosquitto.url, postgres_url)
    service.start()
    service.wait_ready(10)
    try:
        visits = runtime.visits
        wait_for(lambda: runtime.publisher is not None and runtime.publisher.connected, 10, "mqtt")
        # A guest first: their consent stays on the kiosk.
        runtime.submit(visits.start_visit, VisitorKind.GUEST, None).result(5)
        runtime.submit(visits.give_consent, "2026-12-v1", True).result(5)
        runtime.submit(visits.end_visit).result(5)
        runtime.submit(visits.start_visit, VisitorKind.CITIZEN_APP, SUBJECT).result(5)
        runtime.submit(visits.give_consent, "2026-12-v1", True).result(5)
        store = runtime.store
        rows = store.due_for_send(limit=10, resend_after=timedelta(0))
        assert sorted(r.kind for r in rows) == [CONSENT_KIND, CONSENT_KIND]  # nothing of the guest
        ids = [r.msg_id for r in rows]
        wait_for(lambda: set(store.outbox_states(ids).values()) == {"committed"}, 15, "acks")

        kiosk_consents = {c.id: c.purpose for c in visits.consents.consents(subject_ref=SUBJECT)}
        expected = sorted(
            (cid, SUBJECT, purpose, "2026-12-v1", False, KIOSK_ID)
            for cid, purpose in kiosk_consents.items()
        )
        assert sorted(record_consents(postgres_url)) == expected

        # As if the acks were lost: the kiosk re-sends both messages; the record changes
        # nothing and acks them again (an ack is published only after the commit).
        with store.engine.begin() as conn:
            conn.execute(
                text("UPDATE outbox SET state = 'pending' WHERE msg_id IN (:a, :b)"),
                {"a": ids[0], "b": ids[1]},
            )
        wait_for(lambda: set(store.outbox_states(ids).values()) == {"committed"}, 15, "re-acks")
        assert service.counters["received"] == 4
        assert sorted(record_consents(postgres_url)) == expected

        # Withdrawal travels the same way and closes both rows in place.
        withdrawn = runtime.submit(visits.withdraw, SUBJECT, ConsentPurpose.HEALTH_DATA).result(5)
        assert len(withdrawn) == 2
        later = [
            r.msg_id
            for r in store.due_for_send(limit=10, resend_after=timedelta(0))
            if r.kind == CONSENT_KIND
        ]
        assert len(later) == 2
        wait_for(lambda: set(store.outbox_states(later).values()) == {"committed"}, 15, "acks")
        closed = sorted((k, c, s, v, True, kid) for k, c, s, v, _, kid in expected)
        assert sorted(record_consents(postgres_url)) == closed
        assert service.counters["rejected"] == 0
    finally:
        service.stop()
