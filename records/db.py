"""Tables of the citizen-record ingest service (SQLAlchemy 2 Core).

Idempotency lives in the database: ``observations.msg_id`` is the primary key and every insert
is ``ON CONFLICT (msg_id) DO NOTHING``, so a redelivered or re-sent message can never create a
second row (sync_records.md §0.3, §2.5). Works on PostgreSQL (production) and SQLite (demo).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Connection,
    DateTime,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    create_engine,
    event,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from records.wire import Envelope

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


def create_schema(engine: Engine) -> None:
    # create_all (CREATE TABLE IF NOT EXISTS) is enough while the service owns two tables and
    # no data needs migrating; switch to Alembic revisions at the first schema change.
    metadata.create_all(engine)


def _insert(conn: Connection) -> Any:
    name = conn.dialect.name
    if name == "postgresql":
        return postgresql.insert(observations)
    if name == "sqlite":
        return sqlite.insert(observations)
    raise ValueError(f"unsupported database dialect {name!r}")


def insert_observations(
    conn: Connection, envelopes: Iterable[Envelope], *, received_at: datetime | None = None
) -> set[str]:
    """Insert envelopes; return the msg_ids that were new. Already-stored msg_ids are skipped.

    Runs inside the caller's transaction; the caller commits.
    """
    now = received_at or datetime.now(UTC)
    rows: dict[str, dict[str, Any]] = {}
    for env in envelopes:
        rows.setdefault(
            env.msg_id,
            {
                "msg_id": env.msg_id,
                "kiosk_id": env.kiosk_id,
                "kind": env.kind,
                "effective_at": env.observation["effectiveDateTime"],
                "received_at": now,
                "body": env.observation,
            },
        )
    if not rows:
        return set()
    stmt = (
        _insert(conn)
        .on_conflict_do_nothing(index_elements=["msg_id"])
        .returning(observations.c.msg_id)
    )
    # RETURNING yields only rows actually inserted, so conflicts (duplicates) are left out.
    result = conn.execute(stmt, list(rows.values()))
    return {str(row[0]) for row in result}


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
