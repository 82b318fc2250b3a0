"""The ``kiosk`` command as a user runs it: a separate process, JSON on stdout, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def kiosk(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=ROOT,
    )


def test_decode_blood_pressure_full_vector() -> None:
    # devices.md §8.2 B1 (Nordic test vector): every optional field present.
    hexbytes = "1E 8A 00 58 00 78 00 00 00 04 11 14 29 3B 3C 00 01 27 00"
    proc = kiosk("devices", "decode", "0x2A35", *hexbytes.split(" "))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {
        "kind": "blood_pressure",
        "systolic": 138,
        "diastolic": 88,
        "mean_arterial": 120,
        "unit": "mmHg",
        "pulse_rate": 60,
        "timestamp": None,  # year 0 means the cuff's clock was never set
        "user_id": 1,
        "status": sorted(
            [
                "body_movement",
                "cuff_too_loose",
                "irregular_pulse",
                "improper_position",
            ]
        ),
        "plausible": True,
    }


def test_decode_kpa_is_reported_as_sent() -> None:
    proc = kiosk("devices", "decode", "2a35", "15BDF00B009FF03C001200")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["unit"] == "kPa" and out["systolic"] == 18.9 and out["diastolic"] == 11


def test_decode_flags_implausible_values() -> None:
    # 20/10 mmHg decodes fine but is no human blood pressure.
    proc = kiosk("devices", "decode", "2a35", "00 14 00 0A 00 0F 00")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["plausible"] is False


def test_decode_malformed_bytes_fail_cleanly() -> None:
    # B7: flags promise a time stamp that is not there.
    proc = kiosk("devices", "decode", "2a35", "03 02 03 04 05 06 07")
    assert proc.returncode == 1
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")


def test_headless_demo_syncs_every_citizen_measurement(tmp_path: Path) -> None:
    proc = kiosk(
        "demo",
        "--headless",
        "--visitors",
        "5",
        "--json",
        "--data-dir",
        str(tmp_path),
        "--seed",
        "7",
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)  # exactly one JSON object on stdout
    assert report["visitors"] == 5
    assert report["measurements"] == report["synced"] == 5
    assert report["record_service"]["committed"] == 5
    assert report["kept_on_kiosk"] == 0
    assert report["pending"] == 0 and report["rejected"] == 0
    # No fault was injected, so nothing should have been sent twice.
    assert report["record_service"]["duplicates"] == 0


def test_headless_demo_keeps_guest_measurements_on_the_kiosk(tmp_path: Path) -> None:
    proc = kiosk(
        "demo", "--headless", "--visitors", "2", "--guests", "2", "--json", "--data-dir",
        str(tmp_path),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["visitors"] == 4 and report["measurements"] == 4
    assert report["synced"] == report["record_service"]["committed"] == 2
    assert report["kept_on_kiosk"] == 2 and report["pending"] == 0
