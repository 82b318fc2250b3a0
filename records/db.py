"""Tables of the citizen-record ingest service (SQLAlchemy 2 Core).

Idempotency lives in the database: ``observations.msg_id`` is the primary key and every insert
is ``ON CONFLICT (msg_id) DO NOTHING``, so a redelivered or re-sent message can never create a
second row (sync_records.md §0.3, §2.5). Works on PostgreSQL (production) and SQLite (demo).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Connection,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    create_engine,
    event,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from records.wire import CITIZEN_SYSTEM, LOINC, ConsentMessage, Envelope

metadata = MetaData()

# JSONB on PostgreSQL (indexable, compact); plain JSON text elsewhere.
_JSON = JSON().with_variant(postgresql.JSONB(), "postgresql")

observations = Table(
    "observations",
    metadata,
    Column("msg_id", Text, primary_key=True),
    Column("kiosk_id", Text, nullable=False),
    Column("kind", Text, nullable=False),
    # As sent (FHIR dateTime with offset); parsing it would lose the kiosk's original offset.
    Column("effective_at", Text, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("body", _JSON, nullable=False),
    # Indexed copies for the citizen view (revision r0001); the FHIR body stays authoritative.
    Column("subject_ref", Text, nullable=True),
    Column("effective_ts", DateTime(timezone=True), nullable=True),
    Column("code", Text, nullable=True),
    Index("ix_observations_subject_time", "subject_ref", "effective_ts"),
)

_ID = BigInteger().with_variant(Integer, "sqlite")

citizens = Table(
    "citizens",
    metadata,
    Column("id", Text, primary_key=True),  # pseudonymous subject reference, never a name/RRN
    Column("first_seen_at", DateTime(timezone=True), nullable=False),
)

consents = Table(
    "consents",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("citizen_id", Text, ForeignKey("citizens.id"), nullable=False, index=True),
    Column("scope", Text, nullable=False),
    Column("granted_at", DateTime(timezone=True), nullable=False),
    Column("withdrawn_at", DateTime(timezone=True), nullable=True),
    # Revision r0002: consents synced from kiosks.
    Column("consent_key", Text, nullable=True),
    Column("kiosk_id", Text, nullable=True),
    Column("version", Text, nullable=True),
    Index("ux_consents_consent_key", "consent_key", unique=True),
)

kiosks = Table(
    "kiosks",
    metadata,
    Column("id", Text, primary_key=True),
    Column("first_seen_at", DateTime(timezone=True), nullable=False),
)

devices = Table(
    "devices",
    metadata,
    Column("kiosk_id", Text, ForeignKey("kiosks.id"), primary_key=True),
    Column("identifier", Text, primary_key=True),
    Column("model", Text, nullable=True),
    Column("first_seen_at", DateTime(timezone=True), nullable=False),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("kiosk_id", Text, nullable=False),
    Column("measurement_id", Text, nullable=False),
    Column("level", Text, nullable=False),
    Column("summary", Text, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)

rejected_messages = Table(
    "rejected_messages",
    metadata,
    # BIGINT identity on PostgreSQL; SQLite only autoincrements an INTEGER PRIMARY KEY.
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("msg_id", Text, nullable=True),
    Column("topic", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)


def normalize_db_url(url: str) -> str:
    """Accept ``sqlite:///path``, ``postgresql+psycopg://…`` and bare ``postgresql://…``."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        # Not echoed: a URL may carry a password.
        raise ValueError(
            "not a database URL: use sqlite:///PATH or postgresql+psycopg://USER@HOST:PORT/DB"
        ) from exc
    driver = parsed.drivername
    if driver in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if driver in ("postgresql+psycopg", "sqlite", "sqlite+pysqlite"):
        return url
    raise ValueError(
        f"unsupported database URL scheme {driver!r}: use sqlite:///PATH or "
        "postgresql+psycopg://USER@HOST:PORT/DB"
    )


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # WAL lets readers (reports, tests) work while the service writes; busy_timeout makes a
    # writer wait for a lock instead of failing at once with "database is locked".
    cur = dbapi_conn.cursor()
    try:
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=5000")
    finally:
        cur.close()


def make_engine(url: str) -> Engine:
    url = normalize_db_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # pre_ping: after a PostgreSQL restart the pooled connections are dead; test them first.
    # connect_timeout bounds each attempt when the server is unreachable.
    return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 5})


MIGRATIONS = Path(__file__).with_name("migrations")


def create_schema(engine: Engine) -> None:
    """Bring the record database to the newest alembic revision (records/migrations)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def _insert(conn: Connection, table: Table = observations) -> Any:
    name = conn.dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise ValueError(f"unsupported database dialect {name!r}")


def _subject(obs: dict[str, Any]) -> str | None:
    ident = (obs.get("subject") or {}).get("identifier") or {}
    if isinstance(ident, dict) and ident.get("system") == CITIZEN_SYSTEM:
        value = ident.get("value")
        return value if isinstance(value, str) else None
    return None


def _effective(value: Any) -> datetime | None:
    try:
        ts = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return ts if ts.tzinfo is not None else None


def _code(obs: dict[str, Any]) -> str | None:
    for coding in (obs.get("code") or {}).get("coding") or []:
        if isinstance(coding, dict) and coding.get("system") == LOINC:
            return str(coding.get("code"))
    return None


def _device(obs: dict[str, Any]) -> tuple[str, str | None] | None:
    device = obs.get("device") or {}
    ident = device.get("identifier") if isinstance(device, dict) else None
    if isinstance(ident, dict) and isinstance(ident.get("value"), str):
        display = device.get("display")
        return ident["value"], display if isinstance(display, str) else None
    return None


def insert_observations(
    conn: Connection,
    envelopes: Iterable[Envelope],
    *,
    received_at: datetime | None = None,
    payloads: Mapping[str, bytes] | None = None,
) -> set[str]:
    """Insert envelopes; return the msg_ids that were new. Already-stored msg_ids are skipped.

    ``payloads``: msg_id -> the envelope's JSON bytes as received. On PostgreSQL the body is
    then taken from them by the server instead of re-serialising each Observation in Python.
    Runs inside the caller's transaction; the caller commits.
    """
    now = received_at or datetime.now(UTC)
    rows: dict[str, dict[str, Any]] = {}
    kiosk_rows: dict[str, dict[str, Any]] = {}
    device_rows: dict[tuple[str, str], dict[str, Any]] = {}
    citizen_rows: dict[str, dict[str, Any]] = {}
    for env in envelopes:
        obs = env.observation
        subject = _subject(obs)
        rows.setdefault(
            env.msg_id,
            {
                "msg_id": env.msg_id,
                "kiosk_id": env.kiosk_id,
                "kind": env.kind,
                "effective_at": obs["effectiveDateTime"],
                "received_at": now,
                "body": obs,
                "subject_ref": subject,
                "effective_ts": _effective(obs["effectiveDateTime"]),
                "code": _code(obs),
            },
        )
        kiosk_rows.setdefault(env.kiosk_id, {"id": env.kiosk_id, "first_seen_at": now})
        dev = _device(obs)
        if dev is not None:
            device_rows.setdefault(
                (env.kiosk_id, dev[0]),
                {"kiosk_id": env.kiosk_id, "identifier": dev[0], "model": dev[1],
                 "first_seen_at": now},
            )  # fmt: skip
        if subject is not None:
            citizen_rows.setdefault(subject, {"id": subject, "first_seen_at": now})
    if not rows:
        return set()
    # Sorted: concurrent workers then take these row locks in the same order (no deadlock).
    for table, values in (
        (kiosks, [kiosk_rows[k] for k in sorted(kiosk_rows)]),
        (devices, [device_rows[k] for k in sorted(device_rows)]),
        (citizens, [citizen_rows[k] for k in sorted(citizen_rows)]),
    ):
        if values:
            conn.execute(_insert(conn, table).on_conflict_do_nothing(), values)
    if conn.dialect.name == "postgresql":
        return _insert_observations_pg(conn, list(rows.values()), now, payloads or {})
    stmt = (
        _insert(conn)
        .on_conflict_do_nothing(index_elements=["msg_id"])
        .returning(observations.c.msg_id)
    )
    # RETURNING yields only rows actually inserted, so conflicts (duplicates) are left out.
    result = conn.execute(stmt, list(rows.values()))
    return {str(row[0]) for row in result}


# One statement per batch with one array parameter per column: the multi-row VALUES form
# measured ~40 % of the ingest worker (psycopg parsing a 9×500-parameter query, JSON re-encoding
# every body). Bodies travel as text and are parsed by the server.
_PG_INSERT = """
    INSERT INTO observations (msg_id, kiosk_id, kind, effective_at, received_at, body,
                              subject_ref, effective_ts, code)
    SELECT u.msg_id, u.kiosk_id, u.kind, u.effective_at, %(received_at)b,
           CASE WHEN u.is_envelope THEN u.body::jsonb -> 'observation' ELSE u.body::jsonb END,
           u.subject_ref, u.effective_ts, u.code
    FROM unnest(CAST(%(msg_id)b AS text[]), CAST(%(kiosk_id)b AS text[]), CAST(%(kind)b AS text[]),
                CAST(%(effective_at)b AS text[]), CAST(%(body)b AS text[]),
                CAST(%(is_envelope)b AS boolean[]), CAST(%(subject_ref)b AS text[]),
                CAST(%(effective_ts)b AS timestamptz[]), CAST(%(code)b AS text[]))
         AS u(msg_id, kiosk_id, kind, effective_at, body, is_envelope, subject_ref,
              effective_ts, code)
    ON CONFLICT (msg_id) DO NOTHING
    RETURNING msg_id
"""


def _insert_observations_pg(
    conn: Connection, rows: list[dict[str, Any]], now: datetime, payloads: Mapping[str, bytes]
) -> set[str]:
    bodies: list[str] = []
    is_envelope: list[bool] = []
    for row in rows:
        raw = payloads.get(row["msg_id"])
        try:
            # -sig: json.loads skips a UTF-8 byte-order mark, PostgreSQL's jsonb does not.
            body = raw.decode("utf-8-sig") if raw is not None else None
        except UnicodeDecodeError:  # json accepts UTF-16/32 too; re-encode those in Python
            body = None
        is_envelope.append(body is not None)
        bodies.append(body if body is not None else json.dumps(row["body"], ensure_ascii=False))
    params: dict[str, Any] = {
        col: [row[col] for row in rows]
        for col in ("msg_id", "kiosk_id", "kind", "effective_at", "subject_ref")
    }
    params.update(
        effective_ts=[row["effective_ts"] for row in rows],
        code=[row["code"] for row in rows],
        body=bodies,
        is_envelope=is_envelope,
        received_at=now,
    )
    # Binary parameters (%(name)b): psycopg dumps text-format arrays escaping every element
    # with a regex (measured 0.2 ms per row); binary ones are copied as they are.
    # exec_driver_sql keeps SQLAlchemy's error translation (DataError, disconnects).
    result = conn.exec_driver_sql(_PG_INSERT, params)
    return {str(m) for (m,) in result}


def upsert_consents(
    conn: Connection, messages: Iterable[ConsentMessage], *, received_at: datetime | None = None
) -> set[str]:
    """Store consent grants and withdrawals idempotently (one row per kiosk consent id; a
    withdrawal sets withdrawn_at once). Returns the msg_ids that are stored: a consent id owned
    by another kiosk is left untouched and its msg_id left out. Caller commits."""
    now = received_at or datetime.now(UTC)
    msgs = sorted(messages, key=lambda m: (m.consent_id, m.msg_id))
    if not msgs:
        return set()
    citizen_rows = {m.subject_ref: {"id": m.subject_ref, "first_seen_at": now} for m in msgs}
    conn.execute(
        _insert(conn, citizens).on_conflict_do_nothing(),
        [citizen_rows[k] for k in sorted(citizen_rows)],
    )

    def utc(value: str | None) -> datetime | None:
        # In UTC: SQLite keeps no offset, it would store the wall time of whatever zone came.
        ts = _effective(value) if value else None
        return ts.astimezone(UTC) if ts else None

    for m in msgs:
        withdrawn = utc(m.withdrawn_at)
        stmt = _insert(conn, consents).values(
            consent_key=m.consent_id,
            kiosk_id=m.kiosk_id,
            citizen_id=m.subject_ref,
            scope=m.purpose,
            version=m.version,
            granted_at=utc(m.granted_at),
            withdrawn_at=withdrawn,
        )
        if withdrawn is None:
            conn.execute(stmt.on_conflict_do_nothing(index_elements=["consent_key"]))
        else:
            # First withdrawal time wins; a repeat changes nothing.
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=["consent_key"],
                    set_={"withdrawn_at": withdrawn},
                    where=(consents.c.withdrawn_at.is_(None)) & (consents.c.kiosk_id == m.kiosk_id),
                )
            )
    owners = dict(
        conn.execute(
            select(consents.c.consent_key, consents.c.kiosk_id).where(
                consents.c.consent_key.in_({m.consent_id for m in msgs})
            )
        ).all()
    )
    return {m.msg_id for m in msgs if owners.get(m.consent_id) == m.kiosk_id}


def stored_kiosk_ids(conn: Connection, msg_ids: Iterable[str]) -> dict[str, str]:
    """kiosk_id of each already-stored msg_id (to spot a msg_id reused by another kiosk)."""
    ids = list(msg_ids)
    if not ids:
        return {}
    stmt = (
        observations.select()
        .with_only_columns(observations.c.msg_id, observations.c.kiosk_id)
        .where(observations.c.msg_id.in_(ids))
    )
    return {str(m): str(k) for m, k in conn.execute(stmt)}


def insert_rejected(
    conn: Connection,
    *,
    topic: str,
    reason: str,
    payload: bytes,
    msg_id: str | None,
    received_at: datetime | None = None,
) -> None:
    conn.execute(
        rejected_messages.insert().values(
            msg_id=msg_id,
            topic=topic,
            reason=reason,
            payload=payload,
            received_at=received_at or datetime.now(UTC),
        )
    )


def citizen_observations(
    conn: Connection, subject_ref: str, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """The citizen view: a citizen's Observations with start <= effective time < end, oldest
    first (index ix_observations_subject_time)."""
    stmt = (
        select(observations.c.body)
        .where(
            observations.c.subject_ref == subject_ref,
            observations.c.effective_ts >= start,
            observations.c.effective_ts < end,
        )
        .order_by(observations.c.effective_ts, observations.c.msg_id)
    )
    return [dict(body) for (body,) in conn.execute(stmt)]
