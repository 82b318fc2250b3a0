"""Test-side helpers for private servers.

``PrivatePostgres``: a throwaway PostgreSQL cluster (initdb in a temp folder, pg_ctl on a free
port; recipe testing.md § PostgreSQL). Never touches the machine's default instance on 5432.
``MqttProbe``: a plain paho MQTT v5 client to publish and watch topics on a private broker.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

import paho.mqtt.client as mqtt
import psycopg
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode
from psycopg import sql

from kiosk.localbroker import free_port

INSTALL_HINT = "install the Debian package with `apt-get install postgresql`"
_DB_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class PostgresError(RuntimeError):
    """The private PostgreSQL server could not be found, started or used."""


class PostgresNotFoundError(PostgresError):
    pass


def find_pg_bindir() -> Path:
    """Folder holding initdb and pg_ctl (Debian keeps them off PATH)."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
            )
            candidates.append(Path(out.stdout.strip()))
        except (OSError, subprocess.SubprocessError):
            pass
    # Newest version first; the numeric sort keeps 15 ahead of 9.6.
    versions = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: [int(x) for x in re.findall(r"\d+", p)],
        reverse=True,
    )
    candidates += [Path(p) for p in versions]
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
            return bindir
    raise PostgresNotFoundError(
        f"PostgreSQL server binaries (initdb, pg_ctl) not found: {INSTALL_HINT}"
    )


_OWNER_FILE = "owner.pid"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def reap_orphaned_clusters() -> list[Path]:
    """Stop and delete clusters whose test process died without cleaning up.

    pg_ctl detaches the server, so a pytest killed hard (SIGKILL, a tool's time limit) leaves
    it running forever. Only folders carrying our owner file with a dead PID are touched.
    """
    reaped: list[Path] = []
    for base in Path(tempfile.gettempdir()).glob("pg-*"):
        try:
            owner = int((base / _OWNER_FILE).read_text())
        except (OSError, ValueError):
            continue
        if _alive(owner):
            continue
        if (base / "pg" / "postmaster.pid").exists():
            cmd = [str(find_pg_bindir() / "pg_ctl"), "-D", str(base / "pg"), "-m", "immediate"]
            if os.geteuid() == 0:
                cmd = ["runuser", "-u", "postgres", "--", *cmd]
            subprocess.run([*cmd, "-w", "stop"], capture_output=True, timeout=60, cwd=base)
        shutil.rmtree(base, ignore_errors=True)
        reaped.append(base)
    return reaped


class PrivatePostgres:
    """One throwaway cluster. ``fsync=off``: fast, and fine because it never holds real data."""

    def __init__(self, port: int | None = None) -> None:
        self._bindir = find_pg_bindir()
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres and shutil.which("runuser") is None:
            raise PostgresNotFoundError("runuser (util-linux) is needed to run PostgreSQL as root")
        self.port = port if port is not None else free_port()
        # mkdtemp under /tmp, not pytest's tmp_path: the postgres user must be able to reach it,
        # and pytest's folders are private to root.
        self.base_dir = Path(tempfile.mkdtemp(prefix="pg-"))
        self.data_dir = self.base_dir / "pg"
        self.log_path = self.base_dir / "log"
        (self.base_dir / _OWNER_FILE).write_text(str(os.getpid()))
        if self._as_postgres:
            # initdb and postgres refuse to run as root (testing.md § PostgreSQL).
            shutil.chown(self.base_dir, user="postgres")
        self._initialised = False
        self._running = False

    @property
    def admin_url(self) -> str:
        return self.url("postgres")

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    @property
    def running(self) -> bool:
        return self._running

    def _run(self, *args: str) -> None:
        cmd = list(args)
        if self._as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        try:
            subprocess.run(
                cmd, capture_output=True, text=True, timeout=120, check=True, cwd=self.base_dir
            )
        except subprocess.CalledProcessError as exc:
            raise PostgresError(
                f"{Path(args[0]).name} failed with code {exc.returncode}:\n"
                f"{exc.stdout}{exc.stderr}\nserver log tail:\n{self.log_tail()}"
            ) from None
        except subprocess.TimeoutExpired:
            raise PostgresError(
                f"{Path(args[0]).name} timed out; server log tail:\n{self.log_tail()}"
            ) from None

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no server log)"

    def start(self) -> None:
        """initdb on first use, then start the server and wait until it accepts connections."""
        if self._running:
            return
        if not self._initialised:
            self._run(
                str(self._bindir / "initdb"),
                "-D", str(self.data_dir),
                "-A", "trust",
                "-U", "postgres",
                "-E", "UTF8",
                "--locale=C",
                "--no-sync",
            )  # fmt: skip
            self._initialised = True
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.base_dir} -c fsync=off"
        self._run(
            str(self._bindir / "pg_ctl"),
            "-D", str(self.data_dir),
            "-o", options,
            "-l", str(self.log_path),
            "-w", "-t", "60",
            "start",
        )  # fmt: skip
        self._running = True

    def _pg_ctl_stop(self, mode: str) -> None:
        if not self._running:
            return
        self._running = False
        self._run(str(self._bindir / "pg_ctl"), "-D", str(self.data_dir), "-m", mode, "-w", "stop")

    def stop(self) -> None:
        """Clean shutdown; ``start()`` brings the same cluster back."""
        self._pg_ctl_stop("fast")

    def kill(self) -> None:
        """Immediate shutdown, like a crash: the next ``start()`` runs crash recovery."""
        self._pg_ctl_stop("immediate")

    def create_database(self, name: str) -> str:
        """Create an empty database and return its SQLAlchemy URL."""
        if not _DB_NAME.match(name):
            raise ValueError(f"database name must match {_DB_NAME.pattern}: {name!r}")
        with psycopg.connect(self._conninfo(), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        if not _DB_NAME.match(name):
            raise ValueError(f"database name must match {_DB_NAME.pattern}: {name!r}")
        with psycopg.connect(self._conninfo(), autocommit=True) as conn:
            # FORCE ends sessions a test left open, so the drop cannot hang on them.
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def databases(self) -> set[str]:
        with psycopg.connect(self._conninfo(), autocommit=True) as conn:
            rows = conn.execute("SELECT datname FROM pg_database").fetchall()
        return {str(r[0]) for r in rows}

    def _conninfo(self) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres connect_timeout=10"

    def close(self) -> None:
        """Stop the server and delete the cluster."""
        try:
            self.stop()
        finally:
            shutil.rmtree(self.base_dir, ignore_errors=True)

    def __enter__(self) -> PrivatePostgres:
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


# --- MQTT test client ------------------------------------------------------------------------


def wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``predicate`` every 20 ms; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.1f} s waiting for {what}")
        time.sleep(0.02)


class MqttProbe:
    """A plain paho MQTT v5 client for tests (the kiosk's side of the wire, minus the outbox).

    Subscribes again after every reconnect, records every message it gets.
    """

    def __init__(self, port: int, *, subscriptions: tuple[str, ...] = ()) -> None:
        self.port = port
        self.subscriptions = subscriptions
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=f"probe-{uuid.uuid4().hex[:8]}",
            protocol=mqtt.MQTTv5,
        )
        self.client.reconnect_delay_set(0.1, 1)  # type: ignore[arg-type]  # floats work
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = self._on_subscribe
        self.client.on_message = self._on_message
        self._lock = threading.Lock()
        self._messages: list[mqtt.MQTTMessage] = []
        self.connections = 0
        self.subacks = 0

    def start(self, timeout: float = 10.0) -> MqttProbe:
        self.client.connect_async("127.0.0.1", self.port, keepalive=30, clean_start=True)
        self.client.loop_start()
        wait_until(self.ready, timeout, "the probe to connect and subscribe")
        return self

    def ready(self) -> bool:
        """Connected, and (if it subscribes) the subscription of this connection is granted."""
        with self._lock:
            subscribed = not self.subscriptions or self.subacks >= self.connections
            return self.client.is_connected() and self.connections > 0 and subscribed

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def __enter__(self) -> MqttProbe:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def publish(self, topic: str, payload: bytes, timeout: float = 5.0) -> None:
        """QoS 1 publish; returns once the broker has PUBACKed it."""
        info = self.client.publish(topic, payload, qos=1)
        info.wait_for_publish(timeout)
        assert info.is_published(), f"no PUBACK for {topic} within {timeout} s"

    def messages(self, topic: str | None = None) -> list[mqtt.MQTTMessage]:
        with self._lock:
            return [m for m in self._messages if topic is None or m.topic == topic]

    def _on_connect(
        self,
        client: mqtt.Client,
        userdata: Any,
        flags: mqtt.ConnectFlags,
        reason_code: ReasonCode,
        properties: Properties | None,
    ) -> None:
        if reason_code.is_failure:
            return
        with self._lock:
            self.connections += 1
        if self.subscriptions:
            # One SUBSCRIBE per connection, so one SUBACK marks this connection ready.
            client.subscribe([(topic, 1) for topic in self.subscriptions])

    def _on_subscribe(
        self,
        client: mqtt.Client,
        userdata: Any,
        mid: int,
        reason_codes: list[ReasonCode],
        properties: Properties | None,
    ) -> None:
        if not any(rc.is_failure for rc in reason_codes):
            with self._lock:
                self.subacks += 1

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        with self._lock:
            self._messages.append(message)
