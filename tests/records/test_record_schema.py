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
