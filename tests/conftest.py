"""Root fixtures: private mosquitto and PostgreSQL instances on free 127.0.0.1 ports.

The machine's default instances (1883, 5432) are never used: tests kill and restart their own.
A missing server binary fails the test with the install command; it never skips, so a machine
without the packages cannot pass silently.
"""

from __future__ import annotations

import os

# Before anything imports Qt: widgets render without a display (testing.md § Qt).
os.environ["QT_QPA_PLATFORM"] = "offscreen"

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.localbroker import LocalBrokerError, PrivateMosquitto
from tests.servers import PostgresError, PrivatePostgres, reap_orphaned_clusters

_BROKER_FIXTURES = {"mosquitto"}
_POSTGRES_FIXTURES = {"postgres_server", "postgres_url"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Mark tests by the servers they use, so `-m "not postgres"` works without hand-marking.
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & _BROKER_FIXTURES:
            item.add_marker(pytest.mark.broker)
        if used & _POSTGRES_FIXTURES:
            item.add_marker(pytest.mark.postgres)


@pytest.fixture
def mosquitto() -> Iterator[PrivateMosquitto]:
    """A fresh broker per test; the test may ``kill()`` and ``restart()`` it."""
    try:
        broker = PrivateMosquitto()
    except LocalBrokerError as exc:  # includes MosquittoNotFoundError with the apt-get hint
        pytest.fail(f"{exc}\n{exc.advice}", pytrace=False)
    try:
        broker.start()
    except LocalBrokerError as exc:
        broker.close()
        pytest.fail(f"private mosquitto did not start: {exc}", pytrace=False)
    try:
        yield broker
    finally:
        broker.close()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PrivatePostgres]:
    """One private cluster for the session; tests get their own database from ``postgres_url``."""
    try:
        reap_orphaned_clusters()
        server = PrivatePostgres()
    except PostgresError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        server.start()
    except PostgresError as exc:
        server.close()
        pytest.fail(f"private PostgreSQL did not start: {exc}", pytrace=False)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def postgres_url(postgres_server: PrivatePostgres) -> Iterator[str]:
    """SQLAlchemy URL of a new empty database, dropped after the test."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    url = postgres_server.create_database(name)
    try:
        yield url
    finally:
        postgres_server.drop_database(name)


@pytest.fixture
def tmp_data_dir(tmp_path: Path) -> Path:
    """An empty folder for SQLite files, outboxes and the like."""
    path = tmp_path / "data"
    path.mkdir()
    return path
