"""Staff device actions on the real runtime and hub, with simulated devices injected into bleak:
pairing that fails (the device went away) leaves no trace but the audit and the advice; an
advert-only scale is allowed without a connection; forgetting a held cuff drops its link."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.sim.ble import SimulatedAir
from devices.sim.scale import SimulatedXiaomiScale
from kiosk.demo import demo_monitor
from kiosk.device_admin import DeviceAdminError, NearbyDevice
from kiosk.runtime import KioskConfig, KioskRuntime
from kiosk.staff import AdminSession, Role

BP = "C0:FF:EE:00:00:01"
XIAOMI = "C0:FF:EE:00:03:01"


@pytest.fixture
def air() -> SimulatedAir:
    a = SimulatedAir()
    a.add(demo_monitor())
    scale = SimulatedXiaomiScale(address=XIAOMI)
    scale.show(61.5)
    a.add(scale)
    return a


@pytest.fixture
def runtime(tmp_path: Path, air: SimulatedAir) -> Iterator[KioskRuntime]:
    rt = KioskRuntime(
        KioskConfig(kiosk_id="kiosk-test-01", data_dir=tmp_path, discover_timeout=0.3),
        client_backend=air.client_backend,
        scanner_backend=air.scanner_backend,
    )
    rt.start(discover=False)
    rt.staff.add_pin("13579", role=Role.TECHNICIAN, label="tech")
    try:
        yield rt
    finally:
        rt.stop()


@pytest.fixture
def tech(runtime: KioskRuntime) -> AdminSession:
    return runtime.staff.login("13579")


def _scan(runtime: KioskRuntime, tech: AdminSession) -> dict[str, NearbyDevice]:
    return {d.address: d for d in runtime.run(runtime.device_admin.scan(tech))}


def test_scan_lists_only_profiled_devices(
    runtime: KioskRuntime, tech: AdminSession, air: SimulatedAir
) -> None:
    air.add_noise(3)  # phones and headsets nearby
    found = _scan(runtime, tech)
    assert set(found) == {BP, XIAOMI}
    assert found[BP].profile_id == "sig_bps" and found[BP].pairing == "none"
    assert found[XIAOMI].kind == "body_composition" and not found[XIAOMI].paired


def test_failed_pairing_leaves_no_device_only_the_audit(
    runtime: KioskRuntime, tech: AdminSession, air: SimulatedAir
) -> None:
    cuff = _scan(runtime, tech)[BP]
    air.remove(BP)  # switched off between the scan and the tap on Pair
    with pytest.raises(DeviceAdminError) as failed:
        runtime.run(runtime.device_admin.pair(tech, cuff))
    assert "Switch it on" in failed.value.advice
    assert runtime.allowlist.entries() == []
    assert BP not in runtime.hub.status  # no stray row on the devices page
    assert runtime.device_admin.rows() == []
    last = runtime.staff.audit_log()[0]
    assert last.action == "device_pair" and "failed" in last.detail


def test_advert_only_scale_is_allowed_without_connecting(
    runtime: KioskRuntime, tech: AdminSession
) -> None:
    scale = _scan(runtime, tech)[XIAOMI]
    help_ = runtime.device_admin.help_for(scale)
    assert not help_.needs_steps and "never connected" in help_.steps
    entry = runtime.run(runtime.device_admin.pair(tech, scale, "입구 체중계"))
    assert (entry.kind, entry.profile_id, entry.name) == (
        scale.kind,
        "xiaomi_mi_scale_v2",
        "입구 체중계",
    )
    with pytest.raises(DeviceAdminError, match="only broadcasts"):
        runtime.run(runtime.device_admin.test_read(tech, XIAOMI))


def test_forgetting_a_held_cuff_drops_its_link(runtime: KioskRuntime, tech: AdminSession) -> None:
    cuff = _scan(runtime, tech)[BP]
    runtime.run(runtime.device_admin.pair(tech, cuff))
    assert runtime.hub.status[BP].connected
    (row,) = runtime.device_admin.rows()
    assert (row.state, row.model, row.firmware) == ("connected", "SIM-BP1", "1.0.0")
    assert runtime.run(runtime.device_admin.forget(tech, BP)) is True
    assert BP not in runtime.hub.status and runtime.allowlist.entries() == []
    assert runtime.device_admin.rows() == []
    assert runtime.run(runtime.device_admin.forget(tech, BP)) is False  # already gone
