"""Run one simulated serial device on a pseudo-terminal.

``python -m devices.sim.serial PROTOCOL --link PATH`` creates a pty, points the symlink PATH
at its tty (as udev's /dev/serial/by-id links do, so the path survives replugging) and prints
``READY <tty>``. Commands on stdin, each answered with ``OK`` on stdout:

* ``measure`` — the device pushes its measurement (Tanita record, SD CodeFree challenge)
* ``fault NAME`` — damage the next output: ``noise`` (garbage first), ``split`` (3-byte
  chunks), ``badsum`` (payload changed, checksum kept), ``half`` (first half, then silence),
  ``silent`` (no answer)
* ``unplug`` / ``replug`` — the tty disappears / a new one appears behind the same link
* ``quit``

The simulator exits when stdin closes unless ``--keep-running`` is given; a background
simulator without stdin (``--keep-running``) serves its device's answers and stops on SIGTERM.
"""

from __future__ import annotations

import argparse
import os
import select
import signal
import sys
import time
import tty

from devices.sim.serial.devices import SIMULATORS, SimDevice

NOISE = b"\x00\xfe#~\x13\xff"


class PtyDevice:
    def __init__(self, device: SimDevice, link: str) -> None:
        self.device = device
        self.link = link
        self.master: int | None = None
        self.slave: int | None = None
        self.faults: list[str] = []

    def plug(self) -> str:
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)  # no echo, no CR/LF translation: bytes as a UART would pass them
        name = os.ttyname(self.slave)
        tmp = f"{self.link}.tmp"
        if os.path.lexists(tmp):
            os.unlink(tmp)
        os.symlink(name, tmp)
        os.replace(tmp, self.link)
        return name

    def unplug(self) -> None:
        if os.path.lexists(self.link):
            os.unlink(self.link)
        for fd in (self.master, self.slave):
            if fd is not None:
                os.close(fd)
        self.master = self.slave = None

    def send(self, out: bytes) -> None:
        if self.master is None or not out:
            return
        fault = self.faults.pop(0) if self.faults else "clean"
        if fault == "silent":
            return
        if fault == "badsum":
            out = self.device.corrupt(out)
        elif fault == "noise":
            out = NOISE + out
        elif fault == "half":
            out = out[: len(out) // 2]
        if fault == "split":
            for i in range(0, len(out), 3):
                os.write(self.master, out[i : i + 3])
                time.sleep(0.005)
        else:
            os.write(self.master, out)

    def command(self, line: str) -> bool:
        word, _, arg = line.strip().partition(" ")
        if word == "measure":
            self.send(self.device.push())
        elif word == "fault":
            self.faults.append(arg)
        elif word == "unplug":
            self.unplug()
        elif word == "replug":
            self.plug()
        elif word == "quit":
            return False
        elif word:
            print(f"ERR unknown command {word!r}", flush=True)
            return True
        print("OK", flush=True)
        return True

    def serve(self, *, keep_running: bool = False) -> None:
        stdin: int | None = sys.stdin.fileno()
        buf = b""
        while True:
            fds = ([stdin] if stdin is not None else []) + (
                [self.master] if self.master is not None else []
            )
            ready, _, _ = select.select(fds, [], [])
            if self.master is not None and self.master in ready:
                try:
                    data = os.read(self.master, 4096)
                except OSError:
                    data = b""
                for reply in self.device.answer(data):
                    self.send(reply)
            if stdin is not None and stdin in ready:
                chunk = os.read(stdin, 4096)
                if not chunk:
                    # By default the device dies with its controller, so tests leave no orphans.
                    if not keep_running:
                        return
                    stdin = None
                    continue
                buf += chunk
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    if not self.command(line.decode()):
                        return


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devices.sim.serial")
    parser.add_argument("protocol", choices=sorted(SIMULATORS))
    parser.add_argument("--link", required=True, help="symlink to create for the tty")
    parser.add_argument(
        "--keep-running",
        action="store_true",
        help="keep serving after stdin closes (run in the background; stop with SIGTERM)",
    )
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # so the link is removed
    sim = PtyDevice(SIMULATORS[args.protocol](), args.link)
    name = sim.plug()
    print(f"READY {name}", flush=True)
    try:
        sim.serve(keep_running=args.keep_running)
    finally:
        sim.unplug()
    return 0
