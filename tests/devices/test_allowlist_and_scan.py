"""Allowlist in the kiosk DB, the profile-matching scanner, and the staff CLI around them."""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect

from devices.ble.glucose import GlucoseMeterLink
from devices.ble.scanner import ScanResult, scan_profiles
from devices.profiles.registry import default_registry
from devices.sim import SimulatedAir, SimulatedBloodPressureMonitor, SimulatedGlucoseMeter
from devices.sim.scale import SimulatedXiaomiScale
from kiosk.cli import main
from kiosk.commands.devices import scan
from kiosk.store import Store
from kiosk.store.devices import DeviceAllowlist


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "kiosk.db")
    yield s
    s.close()


def _air() -> SimulatedAir:
    air = SimulatedAir(advertising_interval=0.02)
    air.add(
        SimulatedBloodPressureMonitor(address="C0:FF:EE:00:00:01", name="BLESmart_00001", rssi=-70)
    )
    air.add(
        SimulatedBloodPressureMonitor(address="C0:FF:EE:00:00:02", name="A&D_UA-651_9", rssi=-50)
    )
    air.add(SimulatedGlucoseMeter(address="C0:FF:EE:00:01:01", name="meter+0612", rssi=-65))
    scale = SimulatedXiaomiScale(version=2, address="C0:FF:EE:00:03:01", rssi=-80)
    scale.show(70.0)
    air.add(scale)
    return air


def test_allowlist_table_add_forget_and_presence(store: Store) -> None:
    assert "device_allowlist" in inspect(store.engine).get_table_names()
    allow = DeviceAllowlist(store)
    allow.add("c0:ff:ee:00:01:01", profile_id="sig_gls", kind="glucose", label="Meter 1")
    allow.add("C0:FF:EE:00:01:01", profile_id="roche_accuchek_guide", kind="glucose", label="Guide")
    entries = allow.entries()
    assert [(e.address, e.profile_id, e.label) for e in entries] == [
        ("C0:FF:EE:00:01:01", "roche_accuchek_guide", "Guide")
    ]
    assert allow.seen("C0:FF:EE:00:01:01", rssi=-61, battery_percent=80)
    assert not allow.seen("C0:FF:EE:99:99:99")
    got = allow.get("c0:ff:ee:00:01:01")
    assert got is not None and (got.rssi, got.battery_percent) == (-61, 80)
    assert got.last_seen_at is not None
    assert allow.forget("C0:FF:EE:00:01:01") and not allow.forget("C0:FF:EE:00:01:01")
    assert allow.entries() == []


def test_glucose_memory_survives_reopening_the_db(tmp_path: Path) -> None:
    air = SimulatedAir()
    meter = SimulatedGlucoseMeter()
    for i in range(2):
        meter.add_record(100 + i, at=datetime(2026, 12, 4, 9, i))
    air.add(meter)
    first = Store.open(tmp_path / "k.db")
    DeviceAllowlist(first).add(meter.address, profile_id="sig_gls", kind="glucose", label="M")
    link = GlucoseMeterLink(
        meter.address,
        last_sequence=DeviceAllowlist(first).last_sequences(),
        client_backend=air.client_backend,
    )
    assert len(asyncio.run(link.download()).readings) == 2
    first.close()

    meter.add_record(150, at=datetime(2026, 12, 4, 11, 0))
    again = Store.open(tmp_path / "k.db")
    memory = DeviceAllowlist(again).last_sequences()
    assert dict(memory) == {meter.address: 2}
    link = GlucoseMeterLink(meter.address, last_sequence=memory, client_backend=air.client_backend)
    new = asyncio.run(link.download())
    assert [r.sequence_number for r in new.readings] == [3]
    again.close()


def test_scanner_matches_profiles_and_announces_known_devices() -> None:
    air = _air()
    known: list[ScanResult] = []

    async def go() -> list[ScanResult]:
        return await scan_profiles(
            default_registry(),
            0.1,
            scanner_backend=air.scanner_backend,
            allowlist={"c0:ff:ee:00:01:01"},
            on_known=known.append,
        )

    found = asyncio.run(go())
    by_address = {r.address: r for r in found}
    assert by_address["C0:FF:EE:00:00:01"].profiles == ("omron_ble",)
    assert by_address["C0:FF:EE:00:00:02"].profiles == ("and_ua651ble",)
    assert by_address["C0:FF:EE:00:01:01"].profiles == ("roche_accuchek_guide",)
    assert by_address["C0:FF:EE:00:03:01"].profiles == ("xiaomi_mi_scale_v2",)
    assert by_address["C0:FF:EE:00:03:01"].kind == "body_composition"
    assert found[0].address == "C0:FF:EE:00:00:02"  # strongest first
    assert [r.address for r in known] == ["C0:FF:EE:00:01:01"]  # once, though seen repeatedly


def test_cli_add_list_forget(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "kiosk.db")
    assert main(["devices", "add", "c0:ff:ee:00:01:01", "--profile", "sig_gls", "--db", db]) == 0
    assert main(["devices", "list", "--db", db]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    listed = json.loads(lines[-1])
    assert (listed["address"], listed["profile"], listed["kind"]) == (
        "C0:FF:EE:00:01:01",
        "sig_gls",
        "glucose",
    )
    assert main(["devices", "add", "X", "--profile", "no_such", "--db", db]) == 1
    assert "no device profile" in capsys.readouterr().err
    assert main(["devices", "forget", "C0:FF:EE:00:01:01", "--db", db]) == 0
    assert main(["devices", "forget", "C0:FF:EE:00:01:01", "--db", db]) == 1
    assert main(["devices", "list", "--db", str(tmp_path / "missing.db")]) == 1


def test_cli_scan_prints_matches(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "kiosk.db"
    assert (
        main(["devices", "add", "C0:FF:EE:00:00:02", "--profile", "and_ua651ble", "--db", str(db)])
        == 0
    )
    capsys.readouterr()
    args = argparse.Namespace(seconds=0.1, db=db)
    assert scan(args, scanner_backend=_air().scanner_backend) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {r["address"]: r["allowed"] for r in rows}["C0:FF:EE:00:00:02"] is True
    assert sum(r["allowed"] for r in rows) == 1
    assert all("plausible" not in r for r in rows)


def test_noise_adverts_claim_no_profile() -> None:
    air = _air()
    noise = air.add_noise(12)

    found = asyncio.run(scan_profiles(default_registry(), 0.1, scanner_backend=air.scanner_backend))
    by_address = {r.address: r for r in found}
    assert all(by_address[n.address].profiles == () for n in noise)
    assert by_address["C0:FF:EE:00:01:01"].profiles == ("roche_accuchek_guide",)
