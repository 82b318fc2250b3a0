"""A private mosquitto broker on 127.0.0.1, run as our own child process.

Used by the tests (crash and restart the broker under a running client) and by ``kiosk demo``
(a self-contained kiosk + record service on one machine). Recipe: testing.md § mosquitto.

The broker listens on loopback only and allows anonymous clients: it is for a demo or a test
on one machine, never for kiosks in the field (those use TLS + ACLs, sync_records.md §3.2).
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from kiosk.errors import KioskError

DEBIAN_BINARY = "/usr/sbin/mosquitto"
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
_LOG_NAME = "mosquitto.log"
_STDERR_NAME = "stderr.log"


class LocalBrokerError(KioskError):
    """The private mosquitto broker could not be found, started or stopped."""

    advice = "Check the broker log named in the message; the kiosk keeps results in its outbox."


class MosquittoNotFoundError(LocalBrokerError):
    """No mosquitto binary on this machine."""

    advice = "Install the Debian package with `apt-get install mosquitto`."


def _die_with_parent() -> None:
    """Linux: SIGTERM the broker if the process (thread) that started it dies, so a killed
    kiosk or test run leaves no orphan broker holding its port and data folder."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def find_mosquitto() -> str:
    """Path of the mosquitto binary; Debian installs it in /usr/sbin, often not on PATH."""
    found = shutil.which("mosquitto")
    if found:
        return found
    if os.access(DEBIAN_BINARY, os.X_OK):
        return DEBIAN_BINARY
    raise MosquittoNotFoundError(
        "mosquitto is not installed: install the Debian package with `apt-get install mosquitto`"
    )


def _port_accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


class PrivateMosquitto:
    """A mosquitto child process with its own config, persistence folder and log.

    ``start()`` returns once the port accepts connections. ``kill()`` simulates a crash
    (SIGKILL: nothing is saved), ``stop()`` a clean shutdown (SIGTERM: mosquitto saves its
    persistence file), ``restart()`` starts again on the same port and persistence folder.
    Without ``data_dir`` a temporary folder is created and removed by ``close()``.
    """

    def __init__(
        self,
        port: int | None = None,
        *,
        data_dir: Path | None = None,
        binary: str | None = None,
        startup_timeout: float = 10.0,
        extra_config: Sequence[str] = (),
    ) -> None:
        self._binary = binary or find_mosquitto()
        self._port = port if port is not None else free_port()
        self._owns_dir = data_dir is None
        self._dir = Path(tempfile.mkdtemp(prefix="mosquitto-")) if data_dir is None else data_dir
        self._startup_timeout = startup_timeout
        self._extra_config = tuple(extra_config)
        self._proc: subprocess.Popen[bytes] | None = None

    # --- facts ---------------------------------------------------------------------------
    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self._port}"

    @property
    def data_dir(self) -> Path:
        return self._dir

    @property
    def log_path(self) -> Path:
        return self._dir / _LOG_NAME

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def log_tail(self, lines: int = 20) -> str:
        """Last lines of the broker log and of its stderr (config errors go there)."""
        out: list[str] = []
        for path in (self.log_path, self._dir / _STDERR_NAME):
            try:
                text = path.read_text(errors="replace")
            except FileNotFoundError:
                continue
            out.extend(text.splitlines()[-lines:])
        return "\n".join(out) if out else "(the broker wrote no log)"

    # --- lifecycle -----------------------------------------------------------------------
    def _write_config(self) -> Path:
        self._dir.mkdir(parents=True, exist_ok=True)
        lines = []
        if os.geteuid() == 0:
            # As root mosquitto drops to the `mosquitto` user by default and then cannot write
            # into our root-owned folder: it dies without a word (testing.md § mosquitto).
            lines.append("user root")
        lines += [
            f"listener {self._port} 127.0.0.1",
            "allow_anonymous true",
            "persistence true",
            f"persistence_location {self._dir}/",
            f"log_dest file {self.log_path}",
            *self._extra_config,
        ]
        conf = self._dir / "mosquitto.conf"
        conf.write_text("\n".join(lines) + "\n")
        return conf

    def start(self) -> None:
        """Start the broker and wait until its port accepts connections."""
        if self.running:
            return
        conf = self._write_config()
        # Foreground child (no -d) so we own the PID; stderr to a file because a PIPE nobody
        # reads could fill up and block the broker.
        with open(self._dir / _STDERR_NAME, "ab") as err:
            self._proc = subprocess.Popen(
                [self._binary, "-c", str(conf)],
                stdin=subprocess.DEVNULL,
                stdout=err,
                stderr=err,
                cwd=self._dir,
                preexec_fn=_die_with_parent,
            )
        deadline = time.monotonic() + self._startup_timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                code = self._proc.returncode
                self._proc = None
                raise LocalBrokerError(
                    f"mosquitto exited with code {code} on port {self._port}; log tail:\n"
                    + self.log_tail()
                )
            # Check the process is still alive after the connect: if someone else grabbed the
            # port meanwhile, our broker exits on the failed bind.
            if _port_accepts(self._port) and self._proc.poll() is None:
                return
            time.sleep(0.02)
        self.kill()
        raise LocalBrokerError(
            f"mosquitto did not accept connections on port {self._port} within "
            f"{self._startup_timeout:.0f} s; log tail:\n" + self.log_tail()
        )

    def stop(self, timeout: float = 10.0) -> None:
        """Clean shutdown (SIGTERM); mosquitto writes its persistence file on the way out."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                raise LocalBrokerError(
                    f"mosquitto on port {self._port} ignored SIGTERM for {timeout:.0f} s and was "
                    "killed; log tail:\n" + self.log_tail()
                ) from None

    def kill(self) -> None:
        """Crash the broker (SIGKILL): in-memory state since the last autosave is lost."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.kill()
        proc.wait()

    def restart(self) -> None:
        """Start again on the same port with the same persistence folder."""
        self.stop()
        self.start()

    def close(self) -> None:
        """Stop the broker and remove the folder if we created it."""
        try:
            self.stop()
        finally:
            if self._owns_dir:
                shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> PrivateMosquitto:
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

    def __repr__(self) -> str:
        state = f"pid {self.pid}" if self.running else "stopped"
        return f"PrivateMosquitto({self.url}, {state}, dir={self._dir})"
