"""Start a pty simulator as a separate process and drive it over its stdin."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import time
from pathlib import Path


class SimProcess:
    def __init__(self, protocol: str, link: Path) -> None:
        self.link = link
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "devices.sim.serial", protocol, "--link", str(link)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        assert self.proc.stdout is not None
        ready = self.proc.stdout.readline()
        if not ready.startswith("READY /dev/"):
            self.close()
            raise RuntimeError(f"simulator did not start: {ready!r}")
        self.tty = ready.split()[1]

    def cmd(self, line: str) -> None:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline().strip()
        if answer != "OK":
            raise RuntimeError(f"simulator answered {answer!r} to {line!r}")

    def wait_opened(self, timeout: float = 5.0) -> None:
        """Until the kiosk side holds the tty (pyserial's exclusive flock is taken)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            fd = os.open(self.link, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(fd, fcntl.LOCK_UN)
            except BlockingIOError:
                # pyserial flushes input right after locking; let that pass first.
                time.sleep(0.1)
                return
            finally:
                os.close(fd)
            time.sleep(0.02)
        raise TimeoutError(f"nobody opened {self.link}")

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            try:
                self.proc.stdin.write("quit\n")
                self.proc.stdin.flush()
            except BrokenPipeError:
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()
