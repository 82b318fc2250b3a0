"""The record database schema (alembic revision r0001) and the citizen time-range query."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import create_engine, inspect, select, text

from records.db import (
    citizen_observations,
    citizens,
    create_schema,
    devices,
    insert_observations,
    make_engine,
)
from records.db import kiosks as kiosks_table
from records.wire import CITIZEN_SYSTEM, Envelope

KST = timezone(timedelta(hours=9))
TABLES = {"citizens", "consents", "kiosks", "devices", "observations", "alerts"}


def _bp(msg_id: str, when: datetime, subject: str | None) -> dict[str, Any]:
    obs: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "identifier": [{"system": "urn:gjhc:kiosk:msg-id", "value": msg_id}],
        "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9"}]},
        "effectiveDateTime": when.isoformat(),
        "device": {"identifier": {"value": "C0:FF:EE:00:00:09"}, "display": "SIM-BP1"},
        "component": [],
    }
    if subject:
        obs["subject"] = {"identifier": {"system": CITIZEN_SYSTEM, "value": subject}}
    return obs


def _env(when: datetime, subject: str | None, kiosk: str = "kiosk-0001") -> Envelope:
    msg_id = uuid.uuid4().hex
    return Envelope(msg_id, kiosk, "bp", _bp(msg_id, when, subject))


def test_migration_creates_the_record_tables(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    try:
        create_schema(engine)
        create_schema(engine)  # idempotent: a second worker starting finds it at head
        names = set(inspect(engine).get_table_names())
        assert TABLES | {"rejected_messages", "alembic_version"} <= names
        indexes = {i["name"] for i in inspect(engine).get_indexes("observations")}
        assert "ix_observations_subject_time" in indexes
    finally:
        engine.dispose()


def test_a_foundation_database_is_upgraded_in_place(postgres_url: str) -> None:
    # The foundation made these two tables with create_all and no alembic_version.
    engine = create_engine(postgres_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "CREATE TABLE observations (msg_id TEXT PRIMARY KEY, kiosk_id TEXT NOT NULL,"
                    " kind TEXT NOT NULL, effective_at TEXT NOT NULL,"
                    " received_at TIMESTAMPTZ NOT NULL, body JSONB NOT NULL)"
                )
            )
            conn.execute(
                text(
                    "CREATE TABLE rejected_messages (id BIGSERIAL PRIMARY KEY, msg_id TEXT,"
                    " topic TEXT NOT NULL, reason TEXT NOT NULL, payload BYTEA NOT NULL,"
                    " received_at TIMESTAMPTZ NOT NULL)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO observations VALUES ('" + "a" * 32 + "', 'kiosk-0001', 'bp',"
                    " '2026-12-01T09:00:00+09:00', now(), '{}')"
                )
            )
        create_schema(engine)
        with engine.connect() as conn:
            kept = conn.execute(text("SELECT msg_id, subject_ref FROM observations")).all()
        assert kept == [("a" * 32, None)]
        assert set(inspect(engine).get_table_names()) >= TABLES
    finally:
        engine.dispose()


def test_citizen_observations_by_time_range(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    try:
        create_schema(engine)
        day = datetime(2026, 12, 4, tzinfo=KST)
        mine = [_env(day + timedelta(hours=h), "pseudo-A") for h in (8, 10, 12)]
        # 01:30 UTC on the 4th is 10:30 KST: inside the range whatever offset it was sent in.
        mine_utc = _env(datetime(2026, 12, 4, 1, 30, tzinfo=UTC), "pseudo-A", "kiosk-0002")
        before = _env(day - timedelta(minutes=1), "pseudo-A")
        other = _env(day + timedelta(hours=10), "pseudo-B")
        guest = _env(day + timedelta(hours=10), None)
        with engine.begin() as conn:
            new = insert_observations(conn, [*mine, mine_utc, before, other, guest])
            assert len(new) == 7
        with engine.connect() as conn:
            got = citizen_observations(conn, "pseudo-A", day, day + timedelta(days=1))
            assert [o["identifier"][0]["value"] for o in got] == [
                mine[0].msg_id,
                mine[1].msg_id,
                mine_utc.msg_id,
                mine[2].msg_id,
            ]
            assert citizen_observations(conn, "pseudo-A", day, day + timedelta(hours=9)) == [
                mine[0].observation
            ]
            assert {r for (r,) in conn.execute(select(citizens.c.id))} == {"pseudo-A", "pseudo-B"}
            assert {r for (r,) in conn.execute(select(kiosks_table.c.id))} == {
                "kiosk-0001",
                "kiosk-0002",
            }
            assert sorted(conn.execute(select(devices.c.kiosk_id, devices.c.identifier))) == [
                ("kiosk-0001", "C0:FF:EE:00:00:09"),
                ("kiosk-0002", "C0:FF:EE:00:00:09"),
            ]
    finally:
        engine.dispose()


def test_bulk_insert_takes_bodies_from_the_received_bytes(postgres_url: str) -> None:
    """The PostgreSQL path stores the Observation cut out of the envelope bytes by the server;
    it must equal what a Python re-encoding would store, whichever way the body arrives."""
    engine = make_engine(postgres_url)
    try:
        create_schema(engine)
        day = datetime(2026, 12, 4, 9, tzinfo=KST)
        as_bytes, no_bytes, utf16, korean, bom = (
            _env(day + timedelta(minutes=m), "pseudo-A") for m in range(5)
        )
        korean.observation["note"] = [{"text": "커프가 미끄러짐"}]
        payloads = {
            as_bytes.msg_id: as_bytes.to_json(),
            # json accepts UTF-16 too; the server is given a Python re-encoding for it.
            utf16.msg_id: as_utf16(utf16),
            korean.msg_id: korean.to_json(),
            bom.msg_id: b"\xef\xbb\xbf" + bom.to_json(),  # json.loads skips a UTF-8 BOM
        }
        every = [as_bytes, no_bytes, utf16, korean, bom]
        with engine.begin() as conn:
            assert insert_observations(conn, every, payloads=payloads) == {e.msg_id for e in every}
        with engine.begin() as conn:  # a repeat is not new, and changes nothing
            assert insert_observations(conn, [korean, as_bytes], payloads=payloads) == set()
        with engine.connect() as conn:
            rows = dict(conn.execute(text("SELECT msg_id, body FROM observations")).all())
            subjects = set(conn.execute(text("SELECT DISTINCT subject_ref FROM observations")))
        assert rows == {e.msg_id: e.observation for e in every}
        assert subjects == {("pseudo-A",)}
    finally:
        engine.dispose()


def as_utf16(env: Envelope) -> bytes:
    raw = env.to_json().decode().encode("utf-16")
    assert Envelope.from_json(raw) == env  # still a valid message, just not UTF-8
    return raw
