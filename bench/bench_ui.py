"""UI responsiveness (issue 7 item 8), offscreen, each figure next to a baseline from the same run.

(a) Cold start to the first interactive frame, in a fresh Python process each run: the real
    kiosk window over a real KioskRuntime (temporary data dir, simulated BLE devices, no broker)
    against a bare QApplication with an empty QWidget. Target < 2 s.
(b) The longest GUI event-loop stall during a full simulated visit (start → guest → consent →
    choose → blood pressure, glucose and scale from the simulators → results → finish → reset),
    taps sent as QTest mouse clicks on buttons found by object name, so every tap goes through
    the screens' own posting API. A 5 ms heartbeat QTimer measures the gaps; the baseline is the
    same heartbeat on the idle window. Target < 50 ms.
(c) A display-mode switch (large text / high contrast): the screens are rebuilt on the GUI
    thread, timed directly.

    .venv/bin/python bench/bench_ui.py [--runs 5] [--json]

Targets are printed as pass/fail; a benchmark never fails the build.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

COLD_START_TARGET_S = 2.0
STALL_TARGET_MS = 50.0
HEARTBEAT_MS = 5
PANEL = (1080, 1920)

COLD_START_DEFINITION = (
    "cold start = from spawning a fresh `python -c` process to the first moment the Qt event "
    "loop is about to block (QAbstractEventDispatcher.aboutToBlock: nothing left to do) after "
    "the window's first paint event has been delivered, with the start button visible; "
    f"offscreen, {PANEL[0]}x{PANEL[1]}"
)

# Both children stop the clock the same way; only what they build differs.
_CHILD_COMMON = r"""
import os, sys, time
T0 = time.perf_counter()
def phase(name):
    print("phase", name, time.perf_counter() - T0, flush=True)
os.environ["QT_QPA_PLATFORM"] = "offscreen"
sys.path.insert(0, {root!r})
from PySide6.QtCore import QAbstractEventDispatcher, QEvent, QObject
from PySide6.QtWidgets import QApplication, QWidget

class FirstFrame(QObject):
    def __init__(self, window, ready):
        super().__init__()
        self.painted = False
        self.window, self.ready = window, ready
        QApplication.instance().installEventFilter(self)
        QAbstractEventDispatcher.instance().aboutToBlock.connect(self.idle)

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and isinstance(watched, QWidget):
            if watched.window() is self.window:
                self.painted = True
        return False

    def idle(self):
        if self.painted and self.ready():
            phase("first_frame_idle")
            print("ready", flush=True)
            QApplication.instance().quit()
"""

_CHILD_KIOSK = r"""
import tempfile
from pathlib import Path
from kiosk.demo import DemoStack
from ui.app import build_kiosk_window
phase("imports")
stack = DemoStack(Path(tempfile.mkdtemp(prefix="bench-ui-")), with_broker=False)
runtime = stack.start(wait_for_devices=False)  # as `kiosk demo` does: the window first
phase("runtime_started")
window = build_kiosk_window(runtime)
window.resize({w}, {h})
phase("window_built")
watch = FirstFrame(window, lambda: window.start_button.isVisible())
window.show()
QApplication.instance().exec()
window.close()
stack.stop()
"""

_CHILD_BARE = r"""
app = QApplication([])
window = QWidget()
window.resize({w}, {h})
watch = FirstFrame(window, window.isVisible)
window.show()
app.exec()
"""


def _cold_start_once(body: str, phases: dict[str, list[float]] | None = None) -> float:
    code = _CHILD_COMMON.format(root=str(ROOT)) + body.format(w=PANEL[0], h=PANEL[1])
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    while line.startswith("phase "):
        _, name, at = line.split()
        if phases is not None:
            phases.setdefault(name, []).append(float(at))
        line = child.stdout.readline()
    elapsed = time.perf_counter() - started
    child.wait(60)
    if line.strip() != "ready":
        raise SystemExit(f"cold-start child did not report a frame (exit {child.returncode})")
    return elapsed


def cold_start(runs: int) -> dict[str, Any]:
    phases: dict[str, list[float]] = {}
    kiosk = [_cold_start_once(_CHILD_KIOSK, phases) for _ in range(runs)]
    bare = [_cold_start_once(_CHILD_BARE) for _ in range(runs)]
    return {
        "runs": runs,
        # Seconds from the child's first line of Python to the end of each phase (medians).
        "phases_s": {name: statistics.median(at) for name, at in phases.items()},
        "kiosk_median_s": statistics.median(kiosk),
        "kiosk_all_s": kiosk,
        "bare_median_s": statistics.median(bare),
        "ratio": statistics.median(kiosk) / statistics.median(bare),
    }


# --- (b) stalls during a visit ------------------------------------------------------------
class Heartbeat:
    """A 5 ms precise timer; the gaps between its beats are how long the GUI thread was busy."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.beats: list[float] = []
        self.notes: list[tuple[float, str]] = []
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(HEARTBEAT_MS)
        self.timer.timeout.connect(lambda: self.beats.append(time.perf_counter()))

    def start(self) -> None:
        self.beats.clear()
        self.notes.clear()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def note(self, what: str) -> None:
        self.notes.append((time.perf_counter(), what))

    def gaps_ms(self) -> list[float]:
        return [(b - a) * 1000 for a, b in zip(self.beats, self.beats[1:], strict=False)]

    def worst(self, count: int = 3) -> list[tuple[float, str]]:
        """The longest gaps with the last driver action before each."""
        pairs = list(zip(self.beats, self.beats[1:], strict=False))
        pairs.sort(key=lambda p: p[1] - p[0], reverse=True)
        out = []
        for start, end in pairs[:count]:
            before = [what for at, what in self.notes if at <= end]
            out.append(((end - start) * 1000, before[-1] if before else "idle"))
        return out


def _percentiles(gaps: list[float]) -> dict[str, float]:
    ordered = sorted(gaps)
    if not ordered:
        return {"p50_ms": 0.0, "p99_ms": 0.0, "max_ms": 0.0, "beats": 0}

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    return {"p50_ms": at(0.50), "p99_ms": at(0.99), "max_ms": ordered[-1], "beats": len(ordered)}


def _pump(app: Any, seconds: float) -> None:
    """Run the real event loop (not processEvents in a busy loop) for ``seconds``."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(round(seconds * 1000), loop.quit)
    loop.exec()


class VisitDriver:
    """Taps through one visit like a visitor, from a 30 ms timer on the GUI thread, so the event
    loop keeps running between taps and the heartbeat sees every stall."""

    def __init__(self, window: Any, stack: Any, heartbeat: Heartbeat, timeout_s: float) -> None:
        from PySide6.QtCore import QTimer

        self.window, self.stack, self.heartbeat = window, stack, heartbeat
        self.deadline = time.monotonic() + timeout_s
        self.started = False
        self.done = False
        self.failure: str | None = None
        self.taps = 0
        self.most_results = 0
        self._last_state: object = None
        self._triggered: dict[str, int] = {}
        self.timer = QTimer()
        self.timer.setInterval(30)
        self.timer.timeout.connect(self._tick)

    def _button(self, name: str) -> Any:
        from PySide6.QtWidgets import QPushButton

        button = self.window.findChild(QPushButton, name)
        return button if button is not None and button.isVisible() else None

    def _tap(self, *names: str) -> bool:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        for name in names:
            button = self._button(name)
            if button is not None:
                self.heartbeat.note(f"tap {name} at {self.window.state.step.value}")
                QTest.mouseClick(button, Qt.MouseButton.LeftButton)
                self._last_state = self.window.state
                self.taps += 1
                return True
        return False

    def _simulate(self, kind: str) -> None:
        actions: dict[str, Callable[[], None]] = {
            "blood_pressure": self.stack.simulate_measurement_live,
            "glucose": self.stack.simulate_glucose,
            "body": self.stack.simulate_weight,
        }
        self.heartbeat.note(f"simulate {kind}")
        actions[kind]()

    def _tick(self) -> None:
        state = self.window.state
        step = state.step.value
        self.most_results = max(self.most_results, len(state.results))
        if time.monotonic() > self.deadline:
            self.failure = f"visit timed out at step {step}"
            self.timer.stop()
            return
        if state is self._last_state:
            return  # the last tap has not been drawn yet
        if step == "welcome":
            if self.started:
                self.done = True
                self.timer.stop()
            elif self._tap("startVisit"):
                self.started = True
        elif step == "identify":
            self._tap("guest")
        elif step == "consent":
            self._tap("agree")
        elif step == "choose":
            self._tap("checkAll")
        elif step == "measure":
            self._measure(state)
        elif step == "results":
            self._tap("finish")
        elif step == "finish":
            self._tap("done")
        elif step == "staff":
            self._tap("staffReset")

    def _measure(self, state: Any) -> None:
        kind = getattr(state, "measuring", None)
        key = kind.value if kind is not None else "all"
        if key not in self._triggered:
            self._triggered[key] = len(state.results)
            for one in ("blood_pressure", "glucose", "body") if key == "all" else (key,):
                self._simulate(one)
            return
        if len(state.results) > self._triggered[key]:
            self._tap("nextKind", "seeResults", "next")


def visit_stalls(timeout_s: float) -> dict[str, Any]:
    from PySide6.QtWidgets import QApplication

    from kiosk.demo import DemoStack
    from ui.app import build_kiosk_window

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory(prefix="bench-ui-") as tmp:
        stack = DemoStack(Path(tmp), seed=7)
        runtime = stack.start()
        window = build_kiosk_window(runtime)
        window.resize(*PANEL)
        window.show()
        _pump(app, 1.5)  # first frames, device discovery settling

        heartbeat = Heartbeat()
        heartbeat.start()
        _pump(app, 3.0)
        heartbeat.stop()
        idle = _percentiles(heartbeat.gaps_ms())

        heartbeat.start()
        driver = VisitDriver(window, stack, heartbeat, timeout_s)
        driver.timer.start()
        visit_started = time.perf_counter()
        while not driver.done and driver.failure is None:
            _pump(app, 0.1)
        visit_s = time.perf_counter() - visit_started
        heartbeat.stop()
        visit = _percentiles(heartbeat.gaps_ms())
        worst = heartbeat.worst()
        results = driver.most_results

        switch = _mode_switch_ms(app, window)
        window.close()
        stack.stop()
    return {
        "idle": idle,
        "visit": visit,
        "visit_s": visit_s,
        "taps": driver.taps,
        "failure": driver.failure,
        "worst": worst,
        "broker": stack.broker_problem is None,
        "results_at_end": results,
        "mode_switch_ms": switch,
    }


def _mode_switch_ms(app: Any, window: Any) -> dict[str, float]:
    """Median time of one rebuild for a display-mode change, drawn through the window's own
    ``apply`` as the bridge delivers it."""
    import dataclasses

    timings = []
    for on in (True, False) * 3:
        state = dataclasses.replace(window.state, large_text=on, high_contrast=on)
        started = time.perf_counter()
        window.apply(state)
        window.centralWidget().grab()  # and the first frame of the new screens
        timings.append((time.perf_counter() - started) * 1000)
        _pump(app, 0.05)
    return {"median_ms": statistics.median(timings), "max_ms": max(timings)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5, help="cold starts of each kind")
    parser.add_argument("--visit-timeout", type=float, default=120.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    cold = cold_start(args.runs)
    stalls = visit_stalls(args.visit_timeout)

    ok_cold = cold["kiosk_median_s"] < COLD_START_TARGET_S
    ok_stall = stalls["failure"] is None and stalls["visit"]["max_ms"] < STALL_TARGET_MS
    print(COLD_START_DEFINITION)
    print(f"cold start, kiosk window (median of {cold['runs']})  {cold['kiosk_median_s']:7.3f} s")
    print(f"cold start, bare QWidget (baseline)        {cold['bare_median_s']:7.3f} s")
    print(f"ratio kiosk / bare                         {cold['ratio']:7.2f}")
    previous = 0.0
    for name, at in cold["phases_s"].items():
        print(f"  {name:22} ends at {at:6.3f} s  (+{at - previous:.3f} s)")
        previous = at
    print(
        f"target < {COLD_START_TARGET_S:.0f} s                               "
        f"{'PASS' if ok_cold else 'FAIL'}"
    )
    print(
        f"GUI heartbeat every {HEARTBEAT_MS} ms; a gap is how long the GUI thread did not come "
        "back to its event loop"
    )
    for name in ("idle", "visit"):
        p = stalls[name]
        label = "idle window (baseline)" if name == "idle" else "full visit"
        print(
            f"{label:24} p50 {p['p50_ms']:6.1f} ms  p99 {p['p99_ms']:6.1f} ms"
            f"  max {p['max_ms']:6.1f} ms  ({p['beats']} gaps)"
        )
    if stalls["idle"]["max_ms"]:
        ratio = stalls["visit"]["max_ms"] / stalls["idle"]["max_ms"]
        print(f"ratio visit max / idle max                 {ratio:7.2f}")
    print(
        f"visit: {stalls['visit_s']:.1f} s, {stalls['taps']} taps, "
        f"{stalls['results_at_end']} results before the reset"
        f"{', private broker' if stalls['broker'] else ', no broker'}"
        + (f", FAILED: {stalls['failure']}" if stalls["failure"] else "")
    )
    for gap, what in stalls["worst"]:
        print(f"  longest gap {gap:6.1f} ms after: {what}")
    print(
        f"target max stall < {STALL_TARGET_MS:.0f} ms                   "
        f"{'PASS' if ok_stall else 'FAIL'}"
    )
    switch = stalls["mode_switch_ms"]
    print(
        f"display-mode switch (rebuild + first frame) median {switch['median_ms']:.1f} ms,"
        f" max {switch['max_ms']:.1f} ms"
    )
    if args.json:
        print(json.dumps({"cold_start": cold, "stalls": stalls}))


if __name__ == "__main__":
    main()
