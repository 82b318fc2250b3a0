"""The private-server fixtures themselves: every other integration test stands on them."""

from __future__ import annotations

import socket
import subprocess

import psycopg
import pytest
from sqlalchemy import create_engine, text

from kiosk.localbroker import LocalBrokerError, MosquittoNotFoundError, PrivateMosquitto
from tests.servers import (
    MqttProbe,
    PostgresNotFoundError,
    PrivatePostgres,
    reap_orphaned_clusters,
    wait_until,
)

TOPIC = "fixture-test/hello"


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def test_mosquitto_publish_subscribe(mosquitto: PrivateMosquitto) -> None:
    assert mosquitto.url == f"mqtt://127.0.0.1:{mosquitto.port}"
    assert mosquitto.port not in (1883, 5432)
    with (
        MqttProbe(mosquitto.port, subscriptions=(TOPIC,)) as sub,
        MqttProbe(mosquitto.port) as pub,
    ):
        pub.publish(TOPIC, b"one")
        wait_until(lambda: len(sub.messages(TOPIC)) == 1, 5, "the message")
        assert sub.messages(TOPIC)[0].payload == b"one"


def test_mosquitto_kill_and_restart_on_same_port(mosquitto: PrivateMosquitto) -> None:
    port, first_pid = mosquitto.port, mosquitto.pid
    with (
        MqttProbe(mosquitto.port, subscriptions=(TOPIC,)) as sub,
        MqttProbe(mosquitto.port) as pub,
    ):
        mosquitto.kill()
        assert not mosquitto.running
        assert not _listening(port)
        wait_until(lambda: not sub.client.is_connected(), 5, "the client to notice the crash")

        mosquitto.restart()
        assert mosquitto.port == port and mosquitto.pid != first_pid
        # Both clients reconnect by themselves; the subscriber subscribes again.
        wait_until(lambda: sub.connections == 2 and sub.ready(), 10, "subscriber reconnect")
        wait_until(lambda: pub.connections == 2 and pub.ready(), 10, "publisher reconnect")
        pub.publish(TOPIC, b"after restart")
        wait_until(lambda: len(sub.messages(TOPIC)) == 1, 5, "the message after the restart")


def test_mosquitto_start_failure_reports_log_tail() -> None:
    broker = PrivateMosquitto(extra_config=["no_such_option true"])
    with pytest.raises(LocalBrokerError, match="no_such_option"):
        broker.start()
    broker.close()


def test_missing_mosquitto_names_the_debian_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    monkeypatch.setattr("kiosk.localbroker.DEBIAN_BINARY", "/nonexistent/mosquitto")
    with pytest.raises(MosquittoNotFoundError, match=r"apt-get install mosquitto"):
        PrivateMosquitto()


_seen_databases: list[str] = []


@pytest.mark.parametrize("attempt", [1, 2])
def test_each_test_gets_its_own_empty_database(
    attempt: int, postgres_url: str, postgres_server: PrivatePostgres
) -> None:
    assert postgres_url.startswith(
        f"postgresql+psycopg://postgres@127.0.0.1:{postgres_server.port}/"
    )
    name = postgres_url.rsplit("/", 1)[1]
    # The database of an earlier test is gone, and this one is not shared with it.
    assert not set(_seen_databases) & postgres_server.databases()
    assert name not in _seen_databases
    _seen_databases.append(name)

    engine = create_engine(postgres_url)
    try:
        with engine.begin() as conn:
            # Fails if a table left by another test were visible here.
            conn.execute(text("CREATE TABLE marker (attempt int)"))
            conn.execute(text("INSERT INTO marker VALUES (:a)"), {"a": attempt})
        with engine.connect() as conn:
            assert conn.execute(text("SELECT attempt FROM marker")).scalar_one() == attempt
    finally:
        engine.dispose()


def test_missing_postgres_names_the_debian_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    monkeypatch.setattr("glob.glob", lambda pattern: [])
    with pytest.raises(PostgresNotFoundError, match=r"apt-get install postgresql"):
        PrivatePostgres()


def test_postgres_kill_and_start_again() -> None:
    # Own cluster: killing the session-wide one would break other tests.
    with PrivatePostgres() as pg:
        url = pg.create_database("crash_test")
        engine = create_engine(url)
        try:
            with engine.begin() as conn:
                conn.execute(text("CREATE TABLE t (v int)"))
                conn.execute(text("INSERT INTO t VALUES (1)"))
            engine.dispose()
            pg.kill()
            with pytest.raises(psycopg.OperationalError):
                psycopg.connect(f"host=127.0.0.1 port={pg.port} user=postgres connect_timeout=2")
            pg.start()
            with engine.connect() as conn:
                assert conn.execute(text("SELECT v FROM t")).scalar_one() == 1
        finally:
            engine.dispose()


def test_cluster_of_a_dead_test_process_is_reaped() -> None:
    pg = PrivatePostgres()
    pg.start()
    try:
        gone = subprocess.Popen(["true"])
        gone.wait()
        (pg.base_dir / "owner.pid").write_text(str(gone.pid))  # as if pytest had been killed
        assert pg.base_dir in reap_orphaned_clusters()
        assert not pg.base_dir.exists()
        assert not _listening(pg.port)
    finally:
        if pg.base_dir.exists():
            pg.close()
