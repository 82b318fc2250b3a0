"""``kiosk devices read | ports | profiles`` against pty simulators running as processes."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from kiosk.cli import main
from tests.serial.simproc import SimProcess


def _start(tmp_path: Path, protocol: str) -> SimProcess:
    return SimProcess(protocol, tmp_path / f"{protocol}-port")


def _lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines()]


def test_read_polled_meter_as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sim = _start(tmp_path, "otultra2")
    try:
        code = main(
            [
                "devices",
                "read",
                "--port",
                str(sim.link),
                "--profile",
                "lifescan_onetouch_ultra2",
                "--timeout",
                "5",
                "--json",
            ]
        )
    finally:
        sim.close()
    out = capsys.readouterr().out
    assert code == 0
    rows = _lines(out)
    assert [(r["kind"], r["glucose_mg_dl"], r["meal"]) for r in rows] == [
        ("glucose", 104.0, "preprandial"),
        ("glucose", 162.0, "postprandial"),
    ]
    assert rows[0]["timestamp"] == "2026-12-02T08:15:00"


def _read_while_measuring(sim: SimProcess, argv: list[str]) -> int:
    codes: list[int] = []
    reader = threading.Thread(target=lambda: codes.append(main(argv)))
    reader.start()
    sim.wait_opened()
    # Push devices send whether or not anyone listens: measure until the CLI has heard one.
    while reader.is_alive():
        sim.cmd("measure")
        reader.join(0.2)
    return codes[0]


def test_read_pushing_analyser(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sim = _start(tmp_path, "tanita")
    try:
        code = _read_while_measuring(
            sim,
            [
                "devices",
                "read",
                "--port",
                str(sim.link),
                "--profile",
                "tanita_pro_body_composition",
                "--timeout",
                "5",
                "--json",
            ],
        )
    finally:
        sim.close()
    assert code == 0
    body, scale = _lines(capsys.readouterr().out)
    assert (body["kind"], body["body_fat_percent"], body["impedance_ohm"]) == (
        "body_composition",
        24.5,
        480.2,
    )
    assert (scale["kind"], scale["bmi"]) == ("weight", 23.5)


def test_read_profile_defined_line_protocol_rejects_then_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sim = _start(tmp_path, "example_bp")
    sim.cmd("fault badsum")  # this device has no checksum: the damage shows as a bad field
    try:
        code = _read_while_measuring(
            sim,
            [
                "devices",
                "read",
                "--port",
                str(sim.link),
                "--profile",
                "example_bp_keyvalue",
                "--timeout",
                "5",
            ],
        )
    finally:
        sim.close()
    captured = capsys.readouterr()
    assert code == 0
    assert captured.out.startswith("blood_pressure: systolic=131.0, diastolic=84.0")
    assert "rejected: DecodeError: field diastolic" in captured.err
    assert "44 49 41 3d 30 78 34" in captured.err  # the raw bytes "DIA=0x4"


def test_read_silent_meter_fails_cleanly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sim = _start(tmp_path, "otultra2")
    for _ in range(3):
        sim.cmd("fault silent")
    try:
        code = main(
            [
                "devices",
                "read",
                "--port",
                str(sim.link),
                "--profile",
                "lifescan_onetouch_ultra2",
                "--timeout",
                "2",
            ]
        )
    finally:
        sim.close()
    err = capsys.readouterr().err
    assert code == 1
    assert "error: the meter did not answer" in err and "advice: " in err


def test_read_missing_port_and_unknown_profile(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gone = str(tmp_path / "nothing")
    assert main(["devices", "read", "--port", gone, "--profile", "sdbiosensor_codefree"]) == 1
    assert f"cannot open {gone}" in capsys.readouterr().err
    assert main(["devices", "read", "--port", gone, "--profile", "no_such"]) == 2
    assert "lifescan_onetouch_ultra2" in capsys.readouterr().err


def test_profiles_and_ports(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["devices", "profiles", "--json"]) == 0
    rows = _lines(capsys.readouterr().out)
    serial = {r["id"] for r in rows if r["transport"] == "serial"}
    assert "tanita_pro_body_composition" in serial and "example_bp_keyvalue" in serial
    assert main(["devices", "ports", "--json"]) == 0
    for row in _lines(capsys.readouterr().out):
        assert set(row) == {"device", "usb_id", "description", "profiles"}


def test_read_auto_port_finds_by_usb_id_or_says_why(capsys: pytest.CaptureFixture[str]) -> None:
    # No USB cable in the test machine: the lookup by the profile's VID:PID fails typed.
    assert main(["devices", "read", "--port", "auto", "--profile", "sdbiosensor_codefree"]) == 1
    assert "no serial port with USB id 10c4:ea60" in capsys.readouterr().err
    assert main(["devices", "read", "--port", "auto", "--profile", "example_bp_keyvalue"]) == 2
    assert "no USB ids" in capsys.readouterr().err
